"""Every route of the route table × every kind of visitor, against docs/access-matrix.csv.

The table holds the status each visitor gets, with the real identifiers of the site
built by `populate` and the payloads below. A route added to server/routes.py
without its row (or a row left for a route that is gone) fails here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from httpx2 import Response

from tests.conftest import PASSWORD, Learner
from tests.security.site import LOGINS, VISITORS, Site, fill, route_table

MATRIX = Path(__file__).parents[2] / "docs" / "access-matrix.csv"

# What each form sends: valid and harmless, so that the status says who may, not what.
PAYLOADS: dict[str, dict[str, str]] = {
    "/paths/{path_id}/{module_id}/reflections/{reflection_id}": {"answer": "Une idée"},
    "/paths/{path_id}/avis": {"q-pertinence": "5"},
    "/paths/{path_id}/{module_id}/questions": {"message": "Une question"},
    "/questions/{question_id}": {"message": "Une réponse"},
    "/mes-formations/{cohort_id}/partage": {"share": "1"},
    "/trainer/cohorts": {"name": "Nouveau groupe", "path_id": "1h", "due_date": ""},
    "/trainer/cohorts/{cohort_id}/settings": {"name": "Promo Lille", "due_date": ""},
    "/trainer/cohorts/{cohort_id}/join-link": {"action": "enable"},
    "/trainer/cohorts/{cohort_id}/trainers": {"email": "formatrice@example.fr"},
    "/trainer/cohorts/{cohort_id}/import/confirm": {"payload": "x"},
    "/admin/users/{user_id}/roles": {"role": "editor", "action": "grant"},
    "/admin/lti": {
        "name": "Moodle",
        "issuer": "https://moodle.example.net",
        "client_id": "outil",
        "deployments": "1",
        "auth_url": "https://moodle.example.net/mod/lti/auth.php",
        "token_url": "https://moodle.example.net/mod/lti/token.php",
        "keyset_url": "https://moodle.example.net/mod/lti/certs.php",
    },
    "/signup": {"email": "nouveau@example.fr", "name": "Nina Nouvelle", "password": PASSWORD},
    "/mot-de-passe-oublie": {"email": "lea@example.fr"},
    "/mot-de-passe/nouveau": {"password": "une toute nouvelle phrase"},
    "/compte/adresse": {"email": "nouvelle@example.fr", "password": PASSWORD},
    # "/compte/supprimer" has none on purpose: without the password it answers 400 and
    # deletes nobody, so the shared site keeps its accounts for the routes after it.
}
UPLOADS = {"/trainer/cohorts/{cohort_id}/import": {"file": ("a.csv", b"email\n", "text/csv")}}
# Module ids where the intro quiz module is not the one that holds the form.
MODULE_OF = {
    "/paths/{path_id}/{module_id}/reflections/{reflection_id}": "lecture",
    "/paths/{path_id}/{module_id}/done": "lecture",
}
# Forms that change who is signed in or empty the cohort go last, in this order.
LAST = [
    ("POST", "/trainer/cohorts/{cohort_id}/learners/{user_id}/remove"),
    ("POST", "/compte/sessions/toutes"),
    ("POST", "/login"),
    ("POST", "/signup"),
    ("POST", "/logout"),
]


def expected_table() -> dict[tuple[str, str], dict[str, str]]:
    """Per route, the answer per visitor: a status code, or `login` (303 to the login page)."""
    with MATRIX.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return {(row["method"], row["route"]): {v: row[v] for v in VISITORS} for row in rows}


def answer(response: Response) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/login?next="):
        return "login"
    return str(response.status_code)


def in_order(table: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Reading pages first, then forms, the state-changing ones last."""
    gets = [entry for entry in table if entry[0] == "GET"]
    posts = [entry for entry in table if entry[0] != "GET" and entry not in LAST]
    return gets + posts + [entry for entry in LAST if entry in table]


def visit(site: Site, visitor: str, method: str, template: str) -> Response:
    values = {**site.values, "module_id": MODULE_OF.get(template, site.values["module_id"])}
    url = fill(template, values)
    if method == "GET":
        return site.client.get(url, follow_redirects=False)
    data = dict(PAYLOADS.get(template, {}))
    if template == "/login":
        data |= {"email": LOGINS.get(visitor, "lea@example.fr"), "password": PASSWORD}
    return Learner(site.client).post(url, data, files=UPLOADS.get(template))


def test_every_route_has_its_row() -> None:
    missing = set(route_table()) - set(expected_table())
    assert not missing, f"routes without a row in {MATRIX.name}: {missing}"


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(site: Site, visitor: str) -> None:
    expected = expected_table()
    site.sign_in(visitor)
    wrong = []
    for method, template in in_order(route_table()):
        status = answer(visit(site, visitor, method, template))
        if status != expected.get((method, template), {}).get(visitor):
            wrong.append(f"{method} {template}: {status}")
    assert not wrong, f"{visitor} got, against {MATRIX.name}:\n" + "\n".join(wrong)
