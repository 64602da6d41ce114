"""The path page says what Code du travail art. D6313-3-1 asks (issue #18 §2): the
activities' average duration, the assessments, and who assists the learner."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.views.assistance import support_link
from tests.conftest import PASSWORD, Learner, sign_in
from tests.test_trainer import join_code, new_cohort

BASE = {"ALLIANCES_SECRET_KEY": "s" * 40}


def section(page: str) -> str:
    return page[page.index('id="accompagnement"') :]


def test_assessments_and_durations_without_a_contact(client: TestClient, learner: Learner) -> None:
    text = section(client.get("/paths/1h").text)
    assert "durée moyenne de chaque module" in text
    assert "quiz" in text and "% de bonnes réponses" in text
    assert "écrivez à" not in text and "accompagné·e" not in text


def test_the_site_contact_when_there_is_no_trainer(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, support_contact="aide@example.org"))) as client:
        assert Learner(client).signup().status_code == 303
        text = section(client.get("/paths/1h").text)
    assert '<a href="mailto:aide@example.org">aide@example.org</a>' in text


def test_the_cohort_s_trainers_and_how_to_reach_them(client: TestClient, make_user) -> None:
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    cohort = new_cohort(sign_in(client, "formatrice@example.fr"), name="Promo Lille")
    code = join_code(client, cohort)
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup("lea@example.fr", "Léa Martin", PASSWORD).status_code == 303
    assert lea.post(f"/join/{code}").status_code == 303
    text = section(client.get("/paths/1h").text)
    assert "Promo Lille" in text and "Fanny Formatrice" in text
    assert "Poser une question au formateur" in text
    # A way to reach them from the path page itself: the next module's question page.
    link = '<a href="/paths/1h/intro/questions">Poser une question au formateur sur le module'
    assert link in text
    # Another path has no trainer for her.
    assert "Fanny Formatrice" not in section(client.get("/paths/4h").text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        (" aide@example.org ", "aide@example.org"),
        ("https://aide.example.org/", "https://aide.example.org/"),
    ],
)
def test_the_contact_setting(raw: str, expected: str) -> None:
    assert Settings.from_env({**BASE, "ALLIANCES_SUPPORT_CONTACT": raw}).support_contact == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "http://aide.example.org", "aide"])
def test_a_wrong_contact_stops_start_up(raw: str) -> None:
    with pytest.raises(ValueError, match="ALLIANCES_SUPPORT_CONTACT"):
        Settings.from_env({**BASE, "ALLIANCES_SUPPORT_CONTACT": raw})


def test_support_links() -> None:
    assert support_link("") is None
    assert support_link("a@b.fr") == ("mailto:a@b.fr", "a@b.fr")
    assert support_link("https://x.fr/aide") == ("https://x.fr/aide",) * 2
