"""Nobody joins a cohort without saying yes, may leave it, and shows trainers only its path."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from server.settings import Settings
from tests import sql
from tests.conftest import Learner, sign_in

TRAINER = "formatrice@example.fr"
SECRET_NAME = "Léonie Discrète"


@pytest.fixture
def cohort(client: TestClient, make_user) -> int:
    """A trainer's 1h cohort with nobody in it, and an account that has been learning."""
    make_user(TRAINER, "Fanny Formatrice", "trainer")
    make_user("leonie@example.fr", SECRET_NAME)
    sign_in(client, "leonie@example.fr").pass_intro()
    trainer = sign_in(client, TRAINER)
    created = trainer.post("/trainer/cohorts", {"name": "Promo Lille", "path_id": "1h"})
    client.cookies.clear()
    return int(created.headers["location"].rsplit("/", 1)[1])


def import_rows(client: TestClient, cohort: int, text: str) -> str:
    """Import a CSV as the trainer, through preview and confirmation; return the preview."""
    trainer = sign_in(client, TRAINER)
    url = f"/trainer/cohorts/{cohort}/import"
    preview = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("liste.csv", text.encode("utf-8"), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    payload = re.search(r'name="payload" value="([^"]*)"', preview.text)[1]
    if "sera invité" in preview.text:
        assert trainer.post(url + "/confirm", {"payload": payload}).status_code == 303
    return preview.text


def trainer_views(client: TestClient, cohort: int) -> str:
    """Everything the trainer can read about the cohort, in one string."""
    sign_in(client, TRAINER)
    base = f"/trainer/cohorts/{cohort}"
    pages = [base, base + "/export.csv", f"/api/cohorts/{cohort}/progress", base + "/questions"]
    return "\n".join(client.get(url).text for url in pages)


def answer(client: TestClient, email: str, cohort: int, reponse: str):
    return sign_in(client, email).post(
        f"/mes-formations/invitations/{cohort}", {"reponse": reponse}
    )


def test_import_of_an_existing_account_only_invites(client: TestClient, cohort: int) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie telle que saisie\n")
    seen = trainer_views(client, cohort)
    assert "leonie@example.fr" in seen and "Léonie telle que saisie" in seen  # what was typed
    assert SECRET_NAME not in seen and "/learners/" not in seen
    assert '"learners":[]' in seen.replace(" ", "")
    sign_in(client, "leonie@example.fr")  # logging in no longer joins
    page = client.get("/mes-formations").text
    assert "Invitations en attente" in page and "Promo Lille" in page
    assert "Fanny Formatrice" in page and "Vous ne faites partie d’aucun groupe" in page.replace(
        "'", "’"
    )
    assert SECRET_NAME not in trainer_views(client, cohort)


def test_accepting_makes_a_member(client: TestClient, cohort: int) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    done = answer(client, "leonie@example.fr", cohort, "accepter")
    assert done.status_code == 303 and done.headers["location"].startswith("/mes-formations")
    page = client.get("/mes-formations").text
    assert "Invitations en attente" not in page and "Quitter ce groupe" in page
    seen = trainer_views(client, cohort)
    assert SECRET_NAME in seen and "Aucune invitation en attente" in seen
    again = answer(client, "leonie@example.fr", cohort, "accepter")
    assert again.status_code == 404  # nothing left to answer


def test_declining_leaves_nothing_and_is_not_asked_again(client: TestClient, cohort: int) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    assert answer(client, "leonie@example.fr", cohort, "refuser").status_code == 303
    page = client.get("/mes-formations").text
    assert "Invitations en attente" not in page and "Quitter ce groupe" not in page
    seen = trainer_views(client, cohort)
    assert "leonie@example.fr" not in seen and SECRET_NAME not in seen
    preview = import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    assert "déjà membre ou invité" in preview and "sera invité" not in preview
    assert answer(client, "leonie@example.fr", cohort, "accepter").status_code == 404
    assert SECRET_NAME not in trainer_views(client, cohort)


def test_a_new_account_with_an_invited_address_must_accept_too(
    client: TestClient, cohort: int
) -> None:
    import_rows(client, cohort, "nina@example.fr;Nina\n")
    client.cookies.clear()
    assert Learner(client).signup(email="nina@example.fr", name="Nina Neuve").status_code == 303
    assert "Invitations en attente" in client.get("/mes-formations").text
    assert "Nina Neuve" not in trainer_views(client, cohort)


def test_the_join_link_still_joins_and_closes_the_invitation(
    client: TestClient, cohort: int
) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    sign_in(client, TRAINER)
    code = re.search(r"/join/([\w-]+)</code>", client.get(f"/trainer/cohorts/{cohort}").text)[1]
    assert sign_in(client, "leonie@example.fr").post(f"/join/{code}").status_code == 303
    assert "Invitations en attente" not in client.get("/mes-formations").text
    seen = trainer_views(client, cohort)
    assert SECRET_NAME in seen and "Aucune invitation en attente" in seen


def test_bad_answers_are_refused_plainly(client: TestClient, cohort: int) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    leonie = sign_in(client, "leonie@example.fr")
    assert leonie.post(f"/mes-formations/invitations/{cohort}", {"reponse": "x"}).status_code == 400
    for url in (f"/mes-formations/invitations/{cohort + 1}", "/mes-formations/invitations/x"):
        assert leonie.post(url, {"reponse": "accepter"}).status_code == 404
    huge = leonie.post(f"/mes-formations/invitations/{2**64}", {"reponse": "accepter"})
    assert huge.status_code == 404
    forged = client.post(
        f"/mes-formations/invitations/{cohort}",
        data={"reponse": "accepter", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "Invitations en attente" in client.get("/mes-formations").text


def test_leaving_removes_the_learner_from_every_trainer_view(
    client: TestClient, cohort: int
) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    answer(client, "leonie@example.fr", cohort, "accepter")
    assert SECRET_NAME in trainer_views(client, cohort)
    leonie = sign_in(client, "leonie@example.fr")
    forged = client.post(
        f"/mes-formations/{cohort}/quitter", data={"csrf_token": "x"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert leonie.post(f"/mes-formations/{cohort}/quitter").status_code == 303
    assert "Vous avez quitté le groupe" in client.get("/mes-formations?groupe=quitte").text
    assert leonie.post(f"/mes-formations/{cohort}/quitter").status_code == 404
    seen = trainer_views(client, cohort)
    assert SECRET_NAME not in seen and "leonie@example.fr" not in seen
    sign_in(client, "leonie@example.fr")
    assert "Terminé" in client.get("/paths/1h").text  # their progress stays theirs


def test_trainers_see_activity_within_the_cohort_path_only(
    client: TestClient, cohort: int, settings: Settings
) -> None:
    import_rows(client, cohort, "leonie@example.fr;Léonie\n")
    answer(client, "leonie@example.fr", cohort, "accepter")
    # Léonie's only step in the cohort's path (1h) is the intro; the rest is elsewhere.
    sql.write(client, "UPDATE progress SET updated_at = '2026-01-02T10:00:00+00:00'")
    sql.write(
        client,
        "INSERT INTO progress (user_id, module_id, attempts, best_score, completed_at,"
        " updated_at) SELECT id, 'approfondir', 7, 42, NULL, '2026-09-09T10:00:00+00:00'"
        " FROM users WHERE email = 'leonie@example.fr'",
    )
    sql.write(
        client,
        "INSERT INTO certificates (id, user_id, path_id, learner_name, path_title,"
        " duration_minutes, course_title, content_version, issued_at) SELECT"
        " 'attestation-hors-parcours', id, '4h', ?, 'Construire', 9, 'Cours', 'v',"
        " '2026-09-09T10:00:00+00:00' FROM users WHERE email = 'leonie@example.fr'",
        (SECRET_NAME,),
    )
    sign_in(client, TRAINER)
    data = client.get(f"/api/cohorts/{cohort}/progress").json()
    (leonie,) = data["learners"]
    assert leonie["last_activity"] == "2026-01-02T10:00:00+00:00"
    assert [m["id"] for m in leonie["modules"]] == ["intro", "lecture"]
    seen = trainer_views(client, cohort)
    assert "approfondir" not in seen.lower() and "2026-09-09" not in seen
    assert "attestation-hors-parcours" not in seen and leonie["certificate_id"] is None
    assert (
        "9 septembre" not in seen and "42" not in client.get(f"/api/cohorts/{cohort}/progress").text
    )
