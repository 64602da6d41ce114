"""A path completed just before a crash gets its certificate on the next visit (issue #12, 10)."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.conftest import Learner, sign_in
from tests.sql import rows, write
from tests.test_trainer import join_code, new_cohort

CERT = re.compile(r'href="/certificates/([\w-]+)"')


def certificates(client: TestClient) -> list[tuple[str, str]]:
    return rows(client, "SELECT path_id, learner_name FROM certificates")  # type: ignore[return-value]


@pytest.fixture
def crashed(learner: Learner, monkeypatch: pytest.MonkeyPatch) -> Learner:
    """The last module passed, then the server died before issuing the certificate."""
    learner.post("/paths/1h/lecture/done")

    async def crash_before_issue(*args: object) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr("server.views.quiz.after_progress", crash_before_issue)
        response = learner.post(
            "/paths/1h/intro",
            {
                "tentative": learner.attempt("/paths/1h/intro"),
                "intro-mode": "a",
                "intro-acteurs": ["a", "b"],
                "intro-classement": "faux",
            },
        )
    assert response.status_code == 303
    assert certificates(learner.client) == []  # the crash: complete, no certificate
    return learner


@pytest.mark.parametrize("page", ["/paths/1h", "/paths/1h/intro/resultat", "/"])
def test_the_next_visit_issues_the_missing_certificate(
    crashed: Learner, client: TestClient, page: str
) -> None:
    client.get(page)
    assert certificates(client) == [("1h", "Léa Martin")]
    path_page = client.get("/paths/1h").text
    assert "100&nbsp;%" in path_page
    certificate_id = CERT.search(path_page)[1]  # type: ignore[index]
    assert client.get(f"/certificates/{certificate_id}").status_code == 200
    client.get(page)
    assert len(certificates(client)) == 1  # issued once, not on every visit


def test_the_result_page_shows_the_repaired_certificate(
    crashed: Learner, client: TestClient
) -> None:
    result = client.get("/paths/1h/intro/resultat").text
    assert "Parcours terminé" in result and CERT.search(result)


def test_an_unfinished_path_gets_no_certificate(learner: Learner, client: TestClient) -> None:
    learner.post("/paths/1h/lecture/done")
    for page in ("/", "/paths/1h"):
        client.get(page)
    assert certificates(client) == []


def test_my_trainings_issues_it_too(crashed: Learner, client: TestClient, make_user) -> None:
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer)
    code = join_code(client, cohort)
    assert sign_in(client, "lea@example.fr").post(f"/join/{code}").status_code == 303
    write(client, "DELETE FROM certificates")  # signing in visited the home page
    page = client.get("/mes-formations").text
    assert "100&nbsp;%" in page
    assert certificates(client) == [("1h", "Léa Martin")]
