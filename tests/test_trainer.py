"""Trainers: roles, cohorts, invitations, dashboards, exports, and who may see what."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from server.cli import main
from tests.conftest import PASSWORD, Learner, sign_in


def new_cohort(trainer: Learner, name: str = "Promo Lille", path: str = "1h", due: str = "") -> int:
    form = {"name": name, "path_id": path, "due_date": due, "past_ok": "1"}
    response = trainer.post("/trainer/cohorts", form)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def join_code(client: TestClient, cohort_id: int) -> str:
    page = client.get(f"/trainer/cohorts/{cohort_id}").text
    return re.search(r"/join/([\w-]+)</code>", page)[1]


@pytest.fixture
def world(client: TestClient, make_user):
    """A trainer with a cohort of two learners, one of whom passed the first module."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    make_user("admin@example.fr", "Ada Admin", "admin")
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer, due="2000-01-01")
    code = join_code(client, cohort)
    for email, name in [("lea@example.fr", "Léa"), ("=cmd@example.fr", "=HYPERLINK(1)")]:
        client.cookies.clear()
        person = Learner(client)
        person.signup(email=email, name=name, password=PASSWORD)
        assert person.post(f"/join/{code}").headers["location"].startswith("/mes-formations")
    sign_in(client, "lea@example.fr").pass_intro()
    client.cookies.clear()
    return {"cohort": cohort, "code": code}


def test_create_user_refuses_duplicates_and_weak_passwords(make_user, monkeypatch) -> None:
    make_user("x@example.fr", "X")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-user", "x@example.fr", "--name", "X", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert main(["create-user", "y@example.fr", "--name", "Y", "--password-stdin"]) == 2


def test_dashboard_shows_each_learner_and_the_summary(client: TestClient, world) -> None:
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{world['cohort']}")
    assert page.status_code == 200
    assert "Léa" in page.text and "=HYPERLINK(1)" in page.text
    assert "En retard" in page.text  # due date in the past, path not complete
    assert re.search(r"<dt>Ont commencé</dt><dd>1</dd>", page.text)
    late = client.get(f"/trainer/cohorts/{world['cohort']}?filtre=pas-commence")
    assert "=HYPERLINK(1)" in late.text and ">Léa<" not in late.text


def test_learner_detail_keeps_reflections_private_until_shared(client: TestClient, world) -> None:
    lea = sign_in(client, "lea@example.fr")
    lea.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Mon idée secrète"})
    trainer = sign_in(client, "formatrice@example.fr")
    members = client.get(f"/trainer/cohorts/{world['cohort']}").text
    learner_url = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)">Léa<', members)[1]
    assert "Mon idée secrète" not in client.get(learner_url).text
    lea = sign_in(client, "lea@example.fr")
    lea.post(f"/mes-formations/{world['cohort']}/partage", {"share": "1"})
    sign_in(client, "formatrice@example.fr")
    assert "Mon idée secrète" in client.get(learner_url).text
    assert trainer


def test_csv_export_is_excel_friendly_and_safe(client: TestClient, world) -> None:
    sign_in(client, "formatrice@example.fr")
    response = client.get(f"/trainer/cohorts/{world['cohort']}/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Adresse électronique", "Progression (%)"]
    names = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(1)" in names and "'=cmd@example.fr" in names["'=HYPERLINK(1)"]
    assert names["Léa"][2] == "50"


def test_json_progress_matches(client: TestClient, world) -> None:
    sign_in(client, "formatrice@example.fr")
    data = client.get(f"/api/cohorts/{world['cohort']}/progress").json()
    lea = next(item for item in data["learners"] if item["name"] == "Léa")
    assert lea["percent"] == 50 and lea["modules"][0] == {
        "id": "intro",
        "status": "terminé",
        "best_score": 100,
        "attempts": 1,
    }


def test_per_question_view_lists_worst_first(client: TestClient, world) -> None:
    sign_in(client, "lea@example.fr").post(
        "/paths/1h/intro", {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "faux"}
    )
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{world['cohort']}/questions").text
    assert page.index("Quels acteurs") < page.index("classement")


def test_csv_import_previews_then_commits_all_at_once(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    url = f"/trainer/cohorts/{world['cohort']}/import"
    data = "\ufeffemail;nom\nnouveau@example.fr;Nina Nouvelle\npas-un-email;X\n"
    data += "lea@example.fr;Léa\nnouveau@example.fr;Nina\n"
    preview = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("liste.csv", data.encode("utf-8"), "text/csv")},
    )
    assert preview.status_code == 200
    for label in ("sera invité", "adresse électronique invalide", "déjà membre", "ligne en double"):
        assert label in preview.text
    assert "nouveau@example.fr" not in client.get(f"/trainer/cohorts/{world['cohort']}").text
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    done = trainer.post(url + "/confirm", {"payload": payload})
    assert done.status_code == 303
    client.cookies.clear()
    Learner(client).signup(email="nouveau@example.fr", name="Nina", password=PASSWORD)
    mine = client.get("/mes-formations").text
    assert "Invitations en attente" in mine and "Promo Lille" in mine  # pending until accepted


def test_csv_import_rejects_unreadable_files(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    url = f"/trainer/cohorts/{world['cohort']}/import"
    bad = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("x.csv", b"\xff\xfe\x00", "text/csv")},
    )
    assert bad.status_code == 400 and "UTF-8" in bad.text
    forged = trainer.post(url + "/confirm", {"payload": "forged"})
    assert forged.status_code == 400


def test_join_link_can_be_rotated_and_disabled(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    trainer.post(f"/trainer/cohorts/{world['cohort']}/join-link", {"action": "rotate"})
    assert client.get(f"/join/{world['code']}").status_code == 404
    code = join_code(client, world["cohort"])
    trainer.post(f"/trainer/cohorts/{world['cohort']}/join-link", {"action": "disable"})
    assert client.get(f"/join/{code}").status_code == 404


def test_remove_learner_keeps_their_progress(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{world['cohort']}").text
    learner_url = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)">Léa<', page)[1]
    assert trainer.post(learner_url + "/remove").status_code == 303
    assert ">Léa<" not in client.get(f"/trainer/cohorts/{world['cohort']}").text
    sign_in(client, "lea@example.fr")
    assert "Terminé" in client.get("/paths/1h").text


def test_admin_grants_roles_and_every_change_is_recorded(client: TestClient, world) -> None:
    admin = sign_in(client, "admin@example.fr")
    page = client.get("/admin/users?q=lea")
    assert "Léa" in page.text and '<th scope="row">Ada Admin</th>' not in page.text
    user_id = re.search(r"/admin/users/(\d+)/roles", page.text)[1]
    admin.post(f"/admin/users/{user_id}/roles", {"role": "trainer", "action": "grant"})
    history = client.get("/admin/users").text
    assert "rôle formateur donné à Léa (lea@example.fr) par Ada Admin" in history
    sign_in(client, "lea@example.fr")
    assert client.get("/trainer/cohorts").status_code == 200


def test_learner_sees_their_cohorts(client: TestClient, world) -> None:
    sign_in(client, "lea@example.fr")
    page = client.get("/mes-formations").text
    assert "Promo Lille" in page and "Fanny Formatrice" in page and "50&nbsp;%" in page


def test_cohort_form_validation(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    bad = trainer.post("/trainer/cohorts", {"name": "", "path_id": "9h", "due_date": "2026-02-30"})
    assert bad.status_code == 400
    assert "Donnez un nom" in bad.text and "Choisissez le parcours" in bad.text


# -- access policy: every route × every kind of visitor ------------------------

VISITORS = ["anonymous", "learner", "outsider", "trainer", "other_trainer", "editor", "admin"]
LOGINS = {
    "learner": "lea@example.fr",
    "outsider": "hors@example.fr",
    "trainer": "formatrice@example.fr",
    "other_trainer": "autre@example.fr",
    "editor": "editeur@example.fr",
    "admin": "admin@example.fr",
}
COHORT_ROUTES = [
    "/trainer/cohorts/{c}",
    "/trainer/cohorts/{c}/questions",
    "/trainer/cohorts/{c}/export.csv",
    "/trainer/cohorts/{c}/import",
    "/api/cohorts/{c}/progress",
]
# expected status per visitor: 303 = sent to the login page
EXPECTED = {
    "/trainer/cohorts": dict(
        anonymous=303,
        learner=403,
        outsider=403,
        trainer=200,
        other_trainer=200,
        editor=403,
        admin=200,
    ),
    "/admin/users": dict(
        anonymous=303,
        learner=403,
        outsider=403,
        trainer=403,
        other_trainer=403,
        editor=403,
        admin=200,
    ),
    "/mes-formations": dict(
        anonymous=303,
        learner=200,
        outsider=200,
        trainer=200,
        other_trainer=200,
        editor=200,
        admin=200,
    ),
    "/plan": dict(
        anonymous=303,
        learner=200,
        outsider=200,
        trainer=200,
        other_trainer=200,
        editor=200,
        admin=200,
    ),
}
for route in ("/editor/content", "/editor/questions", "/editor/questions.csv"):
    EXPECTED[route] = dict(
        anonymous=303,
        learner=403,
        outsider=403,
        trainer=403,
        other_trainer=403,
        editor=200,
        admin=200,
    )
for route in COHORT_ROUTES:
    EXPECTED[route] = dict(
        anonymous=303,
        learner=403,
        outsider=403,
        trainer=200,
        other_trainer=404,
        editor=403,
        admin=200,
    )


# POST routes of a cohort, with a harmless valid payload: the trainer of the cohort
# and admins are let through (any status but 403/404); others as below.
POSTS = {
    "/trainer/cohorts/{c}/settings": {"name": "Promo Lille", "due_date": "2000-01-01"},
    "/trainer/cohorts/{c}/join-link": {"action": "enable"},
    "/trainer/cohorts/{c}/trainers": {"email": "formatrice@example.fr"},
    "/trainer/cohorts/{c}/import/confirm": {"payload": "x"},
    "/trainer/cohorts/{c}/learners/{u}/remove": {},
}
REFUSED = dict(anonymous=303, learner=403, outsider=403, editor=403, other_trainer=404)


@pytest.fixture
def outsider(client: TestClient, world, make_user) -> None:
    """A learner of another cohort, trained by the other trainer."""
    make_user("hors@example.fr", "Hors Groupe")
    other = sign_in(client, "autre@example.fr")
    code = join_code(client, new_cohort(other, name="Autre groupe"))
    sign_in(client, "hors@example.fr").post(f"/join/{code}")
    client.cookies.clear()


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(client: TestClient, world, outsider, visitor: str) -> None:
    if visitor != "anonymous":
        sign_in(client, LOGINS[visitor])
    for route, expected in EXPECTED.items():
        url = route.format(c=world["cohort"])
        status = client.get(url, follow_redirects=False).status_code
        assert status == expected[visitor], (url, visitor, status)


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix_for_changes(client: TestClient, world, outsider, visitor: str) -> None:
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{world['cohort']}").text
    member = re.search(r"/trainer/cohorts/\d+/learners/(\d+)", page)[1]
    client.cookies.clear()
    person = sign_in(client, LOGINS[visitor]) if visitor != "anonymous" else Learner(client)
    for route, fields in POSTS.items():
        url = route.format(c=world["cohort"], u=member)
        status = person.post(url, fields).status_code
        if visitor in REFUSED:
            assert status == REFUSED[visitor], (url, visitor, status)
        else:
            assert status not in (403, 404), (url, visitor, status)
    admin_status = person.post(
        f"/admin/users/{member}/roles", {"role": "editor", "action": "grant"}
    )
    assert admin_status.status_code == (303 if visitor in ("admin", "anonymous") else 403)


# A learner's own answers about a cohort: only a member may leave it, only the
# addressee of a pending invitation may answer it; others get 404, not 403.
LEARNER_POSTS = {
    "/mes-formations/{c}/quitter": ({}, {"learner"}),
    "/mes-formations/invitations/{c}": ({"reponse": "refuser"}, set()),
}


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix_for_learners_answers(
    client: TestClient, world, outsider, visitor: str
) -> None:
    person = sign_in(client, LOGINS[visitor]) if visitor != "anonymous" else Learner(client)
    for route, (fields, allowed) in LEARNER_POSTS.items():
        response = person.post(route.format(c=world["cohort"]), fields)
        if visitor == "anonymous":
            assert response.headers["location"].startswith("/login"), route
        elif visitor in allowed:
            assert response.headers["location"].startswith("/mes-formations"), route
        else:
            assert response.status_code == 404, (route, visitor, response.status_code)
