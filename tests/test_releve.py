"""The relevé d'activité (issue #18 §2): a `;` spreadsheet for French Excel with each
working stretch, measured and validated time, scores and the method; trainers only."""

from __future__ import annotations

import dataclasses
from io import BytesIO

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from course.activity_report import EXCHANGE, HEADER, METHOD, MODULE, STRETCH, TOTAL
from server.settings import Settings
from server.state import app_state
from tests.conftest import PASSWORD, Learner, sign_in
from tests.pdf_ua import assert_pdf_ua
from tests.sql import value, write
from tests.test_csv_exports import assert_spreadsheet_safe
from tests.test_trainer import join_code, new_cohort


def cohort_with_lea(client: TestClient, make_user) -> tuple[int, int]:
    """A trainer's cohort on the 1 h path; Léa joined, read `intro` and passed its quiz."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    cohort = new_cohort(sign_in(client, "formatrice@example.fr"))
    code = join_code(client, cohort)
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup("lea@example.fr", "Léa Martin", PASSWORD).status_code == 303
    assert lea.post(f"/join/{code}").status_code == 303
    lea.pass_intro()
    shared = app_state(client.app)
    client.portal.call(shared.activity.flush, shared.storage)  # type: ignore[union-attr]
    user_id = value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")
    # Replace what the visit measured by two known stretches (Paris is UTC+1 in January).
    write(client, "DELETE FROM activity_stretches")
    for module, start, last in (
        ("intro", "2026-01-05T09:00:00+00:00", "2026-01-05T09:20:00+00:00"),
        ("lecture", "2026-01-05T09:10:00+00:00", "2026-01-05T09:14:00+00:00"),  # another tab
    ):
        write(
            client,
            "INSERT INTO activity_stretches (user_id, module_id, started_at, last_at)"
            " VALUES (?, ?, ?, ?)",
            (user_id, module, start, last),
        )
    trainer_id = value(client, "SELECT id FROM users WHERE email = 'formatrice@example.fr'")
    write(
        client,
        "INSERT INTO questions (cohort_id, user_id, path_id, module_id, created_at)"
        " VALUES (?, ?, '1h', 'intro', '2026-01-05T09:05:00+00:00')",
        (cohort, user_id),
    )
    question = value(client, "SELECT id FROM questions")
    for author, from_trainer, body, at in (
        (user_id, 0, "=Que veut dire co-construire ?", "2026-01-05T09:05:00+00:00"),
        (trainer_id, 1, "Décider ensemble, dès le départ.", "2026-01-06T08:00:00+00:00"),
    ):
        write(
            client,
            "INSERT INTO question_messages (question_id, author_id, from_trainer, body,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (question, author, from_trainer, body, at),
        )
    return cohort, user_id


def test_the_cohort_releve_reads_as_a_spreadsheet(client: TestClient, make_user) -> None:
    cohort, _ = cohort_with_lea(client, make_user)
    sign_in(client, "formatrice@example.fr")
    assert "releve-activite.csv" in client.get(f"/trainer/cohorts/{cohort}").text
    response = client.get(f"/trainer/cohorts/{cohort}/releve-activite.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = assert_spreadsheet_safe(response.content)
    assert tuple(rows[0]) == HEADER
    by_kind: dict[str, list[list[str]]] = {}
    for row in rows[1:-1]:
        assert row[:2] == ["Léa Martin", "lea@example.fr"]
        by_kind.setdefault(row[2], []).append(row)
    stretches = by_kind[STRETCH]
    assert [r[4:6] for r in stretches] == [
        ["2026-01-05 10:00", "2026-01-05 10:21"],
        ["2026-01-05 10:10", "2026-01-05 10:15"],
    ]
    modules = {r[3]: r for r in by_kind[MODULE]}
    course = app_state(client.app).content.snapshot.course
    intro = course.modules["intro"]
    row = modules[intro.title]
    # 09:00-09:21 with the other tab's 09:10-09:15 inside it: the later tab has those 5 min.
    assert row[6] == "16" and row[7] == str(intro.duration) and row[8] == str(intro.duration)
    assert row[9] != "" and row[10] == str(course.pass_threshold) and row[11] != ""
    asked, answered = by_kind[EXCHANGE]
    assert asked[3:5] == [intro.title, "2026-01-05 10:05"]
    assert asked[12] == "Question de Léa Martin\u00a0: =Que veut dire co-construire ?"
    assert answered[12] == "Réponse de Fanny Formatrice\u00a0: Décider ensemble, dès le départ."
    assert all(len(row) == len(HEADER) for row in rows[:-1])
    (total,) = by_kind[TOTAL]
    assert total[6] == "21"  # the wall-clock union: the two tabs count once
    assert total[4:6] == ["2026-01-05 10:00", "2026-01-05 10:21"]
    assert rows[-1] == ["Méthode de mesure", METHOD]


def test_one_learner_s_releve(client: TestClient, make_user) -> None:
    cohort, user_id = cohort_with_lea(client, make_user)
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{cohort}/learners/{user_id}").text
    url = f"/trainer/cohorts/{cohort}/learners/{user_id}/releve-activite.csv"
    assert url in page
    rows = assert_spreadsheet_safe(client.get(url).content)
    assert {row[0] for row in rows[1:-1]} == {"Léa Martin"}
    assert (
        client.get(f"/trainer/cohorts/{cohort}/learners/99999/releve-activite.csv").status_code
        == 404
    )


def test_only_the_cohort_s_trainers_read_it(client: TestClient, make_user) -> None:
    cohort, user_id = cohort_with_lea(client, make_user)
    make_user("autre@example.fr", "Otto Autre", "trainer")
    sign_in(client, "autre@example.fr")
    assert client.get(f"/trainer/cohorts/{cohort}/releve-activite.csv").status_code == 404
    sign_in(client, "lea@example.fr")
    url = f"/trainer/cohorts/{cohort}/learners/{user_id}/releve-activite.csv"
    assert client.get(url).status_code == 403


# -- the PDF ----------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        organisation="Territoires Formation",
        provider_address="12 rue des Écoles, 59000 Lille",
        provider_nda="11755555555",
    )


def text_of(pdf: bytes) -> str:
    """The PDF's text on one line, no-break spaces as spaces, for phrase searches."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_cohort_releve_as_pdf_says_what_the_csv_says(client: TestClient, make_user) -> None:
    cohort, _ = cohort_with_lea(client, make_user)
    sign_in(client, "formatrice@example.fr")
    url = f"/trainer/cohorts/{cohort}/releve-activite.pdf"
    assert url in client.get(f"/trainer/cohorts/{cohort}").text  # beside the CSV's link
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    reader = PdfReader(BytesIO(response.content))
    assert reader.metadata is not None and "Relevé d’activité" in str(reader.metadata.title)
    text = text_of(response.content)
    course = app_state(client.app).content.snapshot.course
    intro = course.modules["intro"]
    for expected in (
        "Relevé d’activité",
        "Territoires Formation, 12 rue des Écoles, 59000 Lille",
        "numéro de déclaration d’activité 11755555555",
        f"parcours « {course.path('1h').title} »",  # type: ignore[union-attr]
        "Fanny Formatrice",
        "Stagiaire : Léa Martin",
        "lea@example.fr",
        # The stretches in Paris time, as in the CSV, written the French way.
        "05/01/2026 10:00 05/01/2026 10:21",
        "05/01/2026 10:10 05/01/2026 10:15",
        # Per module: measured (16 min, the later tab has its 5 min), declared, validated.
        f"{intro.title} 0 h 16 {minutes(intro.duration)} {minutes(intro.duration)}",
        f"{course.pass_threshold} %",
        "Total du parcours 0 h 21",  # the wall-clock union: the two tabs count once
        "Question de Léa Martin : =Que veut dire co-construire ?",
        "Réponse de Fanny Formatrice : Décider ensemble, dès le départ.",
        "Première activité le 05/01/2026 10:00",
        "Méthode de mesure : " + " ".join(METHOD.split()),
    ):
        assert expected in text, expected


def minutes(total: int) -> str:
    return f"{total // 60} h {total % 60:02d}"


def test_one_learner_s_releve_as_pdf(client: TestClient, make_user) -> None:
    cohort, user_id = cohort_with_lea(client, make_user)
    make_user("paul@example.fr", "Paul Second")
    sign_in(client, "formatrice@example.fr")
    code = join_code(client, cohort)
    paul = sign_in(client, "paul@example.fr")
    assert paul.post(f"/join/{code}").status_code == 303
    sign_in(client, "formatrice@example.fr")
    cohort_text = text_of(client.get(f"/trainer/cohorts/{cohort}/releve-activite.pdf").content)
    assert "Stagiaire : Léa Martin" in cohort_text and "Stagiaire : Paul Second" in cohort_text
    url = f"/trainer/cohorts/{cohort}/learners/{user_id}/releve-activite.pdf"
    assert url in client.get(f"/trainer/cohorts/{cohort}/learners/{user_id}").text
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    assert "Stagiaire : Léa Martin" in text and "Paul Second" not in text
    title = PdfReader(BytesIO(response.content)).metadata.title  # type: ignore[union-attr]
    assert title == "Relevé d’activité — Découvrir — Léa Martin"
    assert "Méthode de mesure" in text
    missing = f"/trainer/cohorts/{cohort}/learners/99999/releve-activite.pdf"
    assert client.get(missing).status_code == 404


def test_only_the_cohort_s_trainers_read_the_pdf(client: TestClient, make_user) -> None:
    cohort, user_id = cohort_with_lea(client, make_user)
    make_user("autre@example.fr", "Otto Autre", "trainer")
    sign_in(client, "autre@example.fr")
    assert client.get(f"/trainer/cohorts/{cohort}/releve-activite.pdf").status_code == 404
    url = f"/trainer/cohorts/{cohort}/learners/{user_id}/releve-activite.pdf"
    assert client.get(url).status_code == 404
    sign_in(client, "lea@example.fr")
    assert client.get(url).status_code == 403
    assert client.get(f"/trainer/cohorts/{cohort}/releve-activite.pdf").status_code == 403


def test_names_in_any_script_print_in_the_pdf(client: TestClient, make_user) -> None:
    cohort, user_id = cohort_with_lea(client, make_user)
    write(client, "UPDATE users SET name = 'Léa Мартин 李 <b>&amp;' WHERE id = ?", (user_id,))
    sign_in(client, "formatrice@example.fr")
    url = f"/trainer/cohorts/{cohort}/learners/{user_id}/releve-activite.pdf"
    assert "Léa Мартин 李 <b>&amp;" in text_of(client.get(url).content)


def test_the_pdf_is_tagged_like_the_other_documents(client: TestClient, make_user) -> None:
    cohort, _ = cohort_with_lea(client, make_user)
    sign_in(client, "formatrice@example.fr")
    pdf = client.get(f"/trainer/cohorts/{cohort}/releve-activite.pdf").content
    tagged = assert_pdf_ua(pdf, "Relevé d’activité — Découvrir — Promo Lille")
    assert len(tagged.tables) == 3  # modules, working stretches, exchanges
    assert tagged.tags.count("/H2") == 1 and tagged.tags.count("/H3") == 3
