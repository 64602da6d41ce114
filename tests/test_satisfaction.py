"""The « à chaud » satisfaction questionnaire and its results (issue #18 §3)."""

from __future__ import annotations

import csv
import io
import json

from starlette.testclient import TestClient

from tests import sql
from tests.conftest import Learner, sign_in
from tests.test_trainer import join_code, new_cohort

AVIS = "/paths/1h/avis"


def completed(client: TestClient, make_user) -> tuple[Learner, int]:
    """Léa, in Fanny's cohort, completed the 1 h path."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    cohort = new_cohort(sign_in(client, "formatrice@example.fr"), name="Promo Lille")
    code = join_code(client, cohort)
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup().status_code == 303
    assert lea.post(f"/join/{code}").status_code == 303
    lea.pass_intro()
    assert lea.post("/paths/1h/lecture/done").status_code == 303
    return lea, cohort


def answers_count(client: TestClient) -> int:
    return int(sql.value(client, "SELECT count(*) FROM satisfaction_answers"))


def test_the_questionnaire_waits_for_the_end_of_the_path(client: TestClient, learner) -> None:
    assert client.get(AVIS).status_code == 404
    assert "Donner mon avis" not in client.get("/paths/1h").text
    assert learner.post(AVIS, {"q-pertinence": "5"}).status_code == 404
    assert answers_count(client) == 0


def test_an_answer_is_stored_without_its_author_and_once(client: TestClient, make_user) -> None:
    lea, cohort = completed(client, make_user)
    path_page = client.get("/paths/1h").text
    assert "Donner mon avis" in path_page
    # Offered: counted among the learners asked, for the response rate.
    assert sql.value(client, "SELECT state FROM satisfaction_asked") == "invited"
    page = client.get(AVIS)
    assert page.status_code == 200
    assert "Le temps de travail correspondait à la durée annoncée." in page.text
    assert "Non merci" in page.text
    sent = lea.post(AVIS, {"q-pertinence": "5", "q-clarte": "4", "q-commentaire": "Très clair"})
    assert sent.status_code == 303 and sent.headers["location"] == AVIS + "?merci=1"
    assert "Merci" in client.get(sent.headers["location"]).text
    rows = sql.rows(
        client, "SELECT path_id, cohort_id, phase, month, answers FROM satisfaction_answers"
    )
    assert len(rows) == 1
    path_id, cohort_id, phase, month, body = rows[0]
    assert (path_id, cohort_id, phase, len(month)) == ("1h", cohort, "hot", 7)
    assert json.loads(body) == {"pertinence": 5, "clarte": 4, "commentaire": "Très clair"}
    assert "lea" not in body and "Léa" not in body
    state = sql.rows(client, "SELECT user_id, state FROM satisfaction_asked")
    assert [s for _, s in state] == ["answered"]
    # Not asked twice: no link on the path page, the form says so, a second post is ignored.
    assert "Donner mon avis" not in client.get("/paths/1h").text
    assert "déjà répondu" in client.get(AVIS).text
    lea.post(AVIS, {"q-pertinence": "1"})
    assert answers_count(client) == 1


def test_a_wrong_rating_is_refused_with_its_message(client: TestClient, make_user) -> None:
    lea, _ = completed(client, make_user)
    refused = lea.post(AVIS, {"q-pertinence": "9", "q-commentaire": "Bien"})
    assert refused.status_code == 400
    assert "choisissez une note de 1 à 5" in refused.text
    assert "Bien</textarea>" in refused.text  # what was written is kept
    assert answers_count(client) == 0


def test_declining_records_no_answer_and_is_not_asked_again(client: TestClient, make_user) -> None:
    lea, _ = completed(client, make_user)
    client.get(AVIS)
    declined = lea.post(AVIS, {"decline": "1", "q-pertinence": "2"})
    assert declined.status_code == 303 and declined.headers["location"] == "/paths/1h"
    assert answers_count(client) == 0
    assert sql.value(client, "SELECT state FROM satisfaction_asked") == "declined"
    assert "Donner mon avis" not in client.get("/paths/1h").text


def seed(client: TestClient, cohort: int, marks: list[int]) -> None:
    for n, mark in enumerate(marks):
        body = json.dumps({"pertinence": mark, "commentaire": f"=avis {n}"})
        sql.write(
            client,
            "INSERT INTO satisfaction_answers (id, path_id, cohort_id, phase, month, answers)"
            " VALUES (?, '1h', ?, 'hot', '2026-11', ?)",
            (f"id-{n}", cohort, body),
        )


def test_trainers_see_a_cohort_only_from_five_respondents(client: TestClient, make_user) -> None:
    _, cohort = completed(client, make_user)
    seed(client, cohort, [5, 4, 4, 2])
    sign_in(client, "formatrice@example.fr")
    dashboard = client.get(f"/trainer/cohorts/{cohort}").text
    assert f'href="/trainer/cohorts/{cohort}/satisfaction"' in dashboard
    page = client.get(f"/trainer/cohorts/{cohort}/satisfaction")
    assert page.status_code == 200
    text = page.text
    assert "Moins de 5&nbsp;réponses" in text
    assert "=avis" not in text and "Moyenne" not in text
    sql.write(
        client,
        "INSERT INTO satisfaction_answers (id, path_id, cohort_id, phase, month, answers)"
        " VALUES ('id-5', '1h', ?, 'hot', '2026-11', '{\"pertinence\": 3}')",
        (cohort,),
    )
    text = client.get(f"/trainer/cohorts/{cohort}/satisfaction").text
    assert "Moins de 5" not in text
    assert "3,6" in text  # (5 + 4 + 4 + 2 + 3) / 5, the French way
    assert "=avis 0" in text


def test_editors_see_every_path_and_export_a_spreadsheet(client: TestClient, make_user) -> None:
    _, cohort = completed(client, make_user)
    seed(client, cohort, [5, 1])
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    sign_in(client, "editeur@example.fr")
    assert 'href="/editor/satisfaction"' in client.get("/editor/content").text
    page = client.get("/editor/satisfaction?parcours=1h").text
    assert "Réponses" in page and "3,0" in page and "=avis 1" in page
    assert "Taux de réponse" in page
    assert client.get("/editor/satisfaction?parcours=inconnu").status_code == 404
    response = client.get("/editor/satisfaction.csv?parcours=1h")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Parcours", "Groupe", "Mois"]
    assert rows[0][3] == "Le contenu du parcours correspondait à mes besoins."
    assert len(rows) == 3
    assert rows[1][3] == "5" and rows[1][-1] == "'=avis 0"  # a formula is disarmed
