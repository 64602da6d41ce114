"""The route table as data, and a populated site every role can be tried against.

The people are those of tests/test_trainer.py's `world` and `outsider` fixtures:
a trainer with a cohort (Léa, who holds a certificate, and a second learner),
another trainer with a cohort of their own and its learner, an editor, an admin.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from server.routes import routes
from server.state import app_state
from server.storage import SqliteStorage
from tests import sql
from tests.conftest import PASSWORD, Learner, sign_in

VISITORS = ["anonymous", "learner", "outsider", "trainer", "other_trainer", "editor", "admin"]
LOGINS = {
    "learner": "lea@example.fr",
    "outsider": "hors@example.fr",
    "trainer": "formatrice@example.fr",
    "other_trainer": "autre@example.fr",
    "editor": "editeur@example.fr",
    "admin": "admin@example.fr",
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def route_table() -> list[tuple[str, str]]:
    """Every (method, path template) the app answers, HEAD left out; mounts as `{file}`."""
    found: list[tuple[str, str]] = []
    for route in routes():
        if isinstance(route, Mount):
            found.append(("GET", route.path + "/{file}"))
        elif isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found.append((method, route.path))
    return found


def parameters(template: str) -> list[str]:
    return PARAMETER.findall(template)


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each `{name}` (or `{name:converter}`) replaced by its value."""
    return PARAMETER.sub(lambda match: values[match[1]], template)


@dataclass
class Site:
    """A populated site: its client and the real values of every path parameter."""

    client: TestClient
    database: Path
    values: dict[str, str]

    def sign_in(self, visitor: str) -> Learner:
        if visitor == "anonymous":
            self.client.cookies.clear()
            return Learner(self.client)
        return sign_in(self.client, LOGINS[visitor])


def new_cohort(trainer: Learner, name: str, path: str = "1h") -> int:
    response = trainer.post("/trainer/cohorts", {"name": name, "path_id": path, "due_date": ""})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def join_code(client: TestClient, cohort_id: int) -> str:
    page = client.get(f"/trainer/cohorts/{cohort_id}").text
    return re.search(r"/join/([\w-]+)</code>", page)[1]  # type: ignore[index]


def populate(client: TestClient, database: Path, make_user: Callable[..., None]) -> Site:
    """Build the people and cohorts of the access policy through the site itself."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    make_user("admin@example.fr", "Ada Admin", "admin")
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    make_user("hors@example.fr", "Hors Groupe")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer, "Promo Lille")
    code = join_code(client, cohort)
    for email, name in [("lea@example.fr", "Léa"), ("=cmd@example.fr", "=HYPERLINK(1)")]:
        client.cookies.clear()
        person = Learner(client)
        assert person.signup(email=email, name=name, password=PASSWORD).status_code == 303
        assert person.post(f"/join/{code}").status_code == 303
    other = sign_in(client, "autre@example.fr")
    other_code = join_code(client, new_cohort(other, "Autre groupe"))
    assert sign_in(client, "hors@example.fr").post(f"/join/{other_code}").status_code == 303
    lea = sign_in(client, "lea@example.fr")
    lea.pass_intro()
    assert lea.post("/paths/1h/lecture/done").status_code == 303
    assert lea.post("/paths/1h/intro/questions", {"message": "Une question"}).status_code == 303
    question = re.search(r'href="/questions/(\d+)"', client.get("/paths/1h/intro/questions").text)
    assert question, "Léa's question should be listed on the module's questions page"
    certificate = re.search(r'href="/certificates/([\w-]+)"', client.get("/paths/1h").text)
    assert certificate, "Léa should hold the 1h path's certificate"
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{cohort}").text
    member = re.search(r'href="/trainer/cohorts/\d+/learners/(\d+)">Léa<', page)
    assert member, "Léa should be listed on her trainer's dashboard"
    realisation = f"/trainer/cohorts/{cohort}/learners/{member[1]}/realisation"
    issued = Learner(client).post(realisation, {"employer": "Mairie de Lille"})
    assert issued.status_code == 303, "Léa's certificat de réalisation should be issued"
    client.cookies.clear()
    values = {
        "path_id": "1h",
        "module_id": "intro",
        "reflection_id": "lecture-idee",
        "cohort_id": str(cohort),
        "user_id": member[1],
        "code": code,
        "certificate_id": certificate[1],
        "key_number": "1",  # the first badge signing key's status list
        "page_id": "glossaire",
        "template_id": "fiche-partenaire",
        "extension": "pdf",
        "path": "images/schema.png",
        "file": "site.css",
        # The unsubscribe link of a reminder to Léa: the signed token is the authorisation.
        "signed": app_state(client.app).signer.stop_token(int(member[1]), "r"),
        "token": "jeton-inconnu",  # a one-time link's token (reset, confirmation)
        "message_id": str(failed_message(client)),
        "question_id": question[1],  # Léa's, in Fanny's cohort
        "platform_id": "999",  # an LTI platform; removing one that is gone is harmless
        "grade_id": str(refused_grade(client, int(member[1]))),  # for « Réessayer »
    }
    return Site(client, database, values)


def failed_message(client: TestClient) -> int:
    """A message of the outbox that failed, for the admin's « Réessayer » (either backend)."""
    storage = app_state(client.app).storage
    ((message_id, *_),) = client.portal.call(  # type: ignore[union-attr]
        storage._write,
        "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, status,"
        " attempts, next_attempt_at, last_error, created_at)"
        " VALUES ('test', 'perdu@example.fr', 'Essai', 'Bonjour', '<p>Bonjour</p>',"
        " 'failed', 8, '2026-01-01T00:00:00+00:00', '550 5.1.1 No such user',"
        " '2026-01-01T00:00:00+00:00') RETURNING id",
    )
    return int(message_id)


def refused_grade(client: TestClient, user_id: int) -> int:
    """A grade a platform refused, for the admin's « Réessayer » (either backend)."""
    storage = app_state(client.app).storage
    at = "2026-01-01T00:00:00+00:00"
    ((grade_id, *_),) = client.portal.call(  # type: ignore[union-attr]
        storage._transaction,
        [
            (
                "INSERT INTO lti_platforms (issuer, client_id, name, auth_url, token_url,"
                " keyset_url, created_at) VALUES ('https://lms.example', 'outil', 'LMS',"
                " 'https://lms.example/auth', 'https://lms.example/token',"
                " 'https://lms.example/certs', ?)",
                (at,),
            ),
            (
                "INSERT INTO lti_grade_links (user_id, platform_id, resource_link_id, subject,"
                " lineitem_url, target_kind, target_id, label, launched_at) SELECT ?, id,"
                " 'lien-1', 'sub-1', 'https://lms.example/items/1', 'module', 'intro',"
                " 'Introduction', ? FROM lti_platforms WHERE issuer = 'https://lms.example'",
                (user_id, at),
            ),
            (
                "INSERT INTO lti_grades (user_id, platform_id, resource_link_id, score,"
                " completed, scored_at, status, attempts, next_try, last_error, created_at,"
                " updated_at) SELECT user_id, platform_id, resource_link_id, 90, 1, ?,"
                " 'refused', 1, ?, 'HTTP 403 User not gradable', ?, ? FROM lti_grade_links"
                " WHERE resource_link_id = 'lien-1' RETURNING id",
                (at, at, at, at),
            ),
        ],
    )[-1]
    return int(grade_id)


def snapshot(site: Site) -> dict[str, list[tuple]]:
    """Every row of every table: what a refused request must leave exactly as it was.

    Read through the app's own storage, so on either backend.
    """
    storage = app_state(site.client.app).storage
    tables_sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        if isinstance(storage, SqliteStorage)
        else "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        " ORDER BY table_name"
    )
    tables = [row[0] for row in sql.rows(site.client, tables_sql)]
    return {
        table: sorted(sql.rows(site.client, f'SELECT * FROM "{table}"'), key=repr)
        for table in tables
    }
