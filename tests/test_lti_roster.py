"""Importing a platform course's roster into its cohort (issue #17 §3, NRPS 2.0), against
the simulator's memberships endpoint (tests/lti_memberships.py): paged, token-guarded,
idempotent, refused to anyone but the cohort's trainers, and a platform that fails
gets a French page while nothing changes."""

from __future__ import annotations

import httpx2
import pytest
from starlette.testclient import TestClient

from server.clock import now
from server.state import app_state
from tests.conftest import Learner, csrf
from tests.lti_memberships import MEDIA_TYPE, SCOPE, Memberships, person
from tests.lti_platform import Platform
from tests.sql import write
from tests.test_lti_contexts import TEACHER, rows, teacher_launch
from tests.test_lti_launch import platform, registered, tool  # noqa: F401  (fixtures)

TUTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


@pytest.fixture
def course_roster(tool: TestClient, registered: Platform) -> Memberships:  # noqa: F811
    """The course « Coopérer » on the platform: its teacher, five learners (one inactive)
    and a teaching assistant, two to a page."""
    app_state(tool.app).lti_transport = registered.transport()
    registered.trust_tool(tool)
    members = [
        person("moodle-prof-1", "Dominique Prof", "Instructor"),
        person("moodle-user-42", "Camille Dupont"),
        person("moodle-user-43", "Léo Martin"),
        person("moodle-user-44", "Inès Bernard", status="Inactive"),
        person("moodle-user-45", "Noé Petit"),
        person("moodle-tutrice", "Sacha Tutrice", TUTOR),
        {"name": "Sans identifiant", "roles": []},
    ]
    return Memberships(registered, members=members).install()


def import_roster(client: TestClient, cohort_id: int, token: str | None = None):
    data = {"csrf_token": csrf(client) if token is None else token}
    return client.post(
        f"/trainer/cohorts/{cohort_id}/import/plateforme", data=data, follow_redirects=False
    )


def page_text(client: TestClient, url: str) -> str:
    """The page, its no-break spaces written as characters."""
    return client.get(url).text.replace("&nbsp;", "\u00a0")


def members(client: TestClient, cohort_id: int) -> list[str]:
    return [
        name
        for (name,) in rows(
            client,
            "SELECT u.name FROM cohort_members m JOIN users u ON u.id = m.user_id"
            f" WHERE m.cohort_id = {cohort_id} ORDER BY u.name",
        )
    ]


def test_the_roster_is_imported_page_by_page_once(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    registered.launch(tool, **course_roster.claim())  # Camille launched before: same account
    tool.cookies.clear()
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    page = tool.get(f"/trainer/cohorts/{cohort_id}")
    assert "Importer la liste des participants depuis la plateforme" in page.text
    assert members(tool, cohort_id) == ["Camille Dupont"]

    done = import_roster(tool, cohort_id)
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("?fait=import-plateforme#plateforme")
    assert len(course_roster.requests) == 4  # seven entries, two to a page
    for request in course_roster.requests:
        assert request.headers["accept"] == MEDIA_TYPE
        assert registered.tokens[request.headers["authorization"][len("Bearer ") :]] == SCOPE
    assert members(tool, cohort_id) == ["Camille Dupont", "Léo Martin", "Noé Petit"]
    trainers = rows(
        tool,
        "SELECT u.name FROM cohort_trainers t JOIN users u ON u.id = t.user_id ORDER BY u.name",
    )
    assert trainers == [("Dominique Prof",), ("Sacha Tutrice",)]
    assert rows(tool, "SELECT count(*) FROM lti_accounts") == [(5,)]  # Inès: inactive
    assert rows(tool, "SELECT count(*) FROM user_roles") == [(0,)]
    shown = page_text(tool, done.headers["location"])
    assert (
        "7\u00a0participants sur la plateforme\u00a0; 3\u00a0personnes ajoutées au groupe,"
        " 2\u00a0déjà présentes, 1\u00a0ignorée\u00a0; 1\u00a0inactive sur la plateforme,"
        " ni ajoutée ni retirée." in shown
    )
    assert "Léo Martin" in shown and "Noé Petit" in shown

    again = import_roster(tool, cohort_id)  # nothing new: nothing added, nobody twice
    assert again.status_code == 303
    assert members(tool, cohort_id) == ["Camille Dupont", "Léo Martin", "Noé Petit"]
    assert rows(tool, "SELECT count(*) FROM users") == [(5,)]
    assert (
        "0\u00a0personne ajoutée au groupe, 5\u00a0déjà présentes"
        in tool.get(f"/trainer/cohorts/{cohort_id}").text
    )
    # The imported learners sign in by launching, into the account the import made.
    tool.cookies.clear()
    registered.launch(tool, sub="moodle-user-43", name="Léo Martin", **course_roster.claim())
    assert rows(tool, "SELECT count(*) FROM users") == [(5,)]


def test_only_the_cohort_trainers_may_import_and_with_the_form_token(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
    make_user,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    refused = import_roster(tool, cohort_id, token="pas-le-bon")
    assert refused.status_code == 403 and "expiré" in refused.text
    tool.cookies.clear()
    registered.launch(tool, **course_roster.claim())  # a learner of the course
    assert import_roster(tool, cohort_id).status_code == 403
    tool.cookies.clear()
    make_user("formatrice@example.fr", "Formatrice Locale", "trainer")
    assert Learner(tool).login("formatrice@example.fr").status_code == 303
    assert import_roster(tool, cohort_id).status_code == 404  # another trainer's cohort
    tool.cookies.clear()
    assert import_roster(tool, cohort_id).status_code == 303  # anonymous: to the login page
    assert course_roster.requests == []
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(1,)]


def test_a_platform_that_fails_gets_a_french_page_and_nothing_changes(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    course_roster.down = True
    failed = import_roster(tool, cohort_id)
    assert failed.status_code == 502
    assert "La plateforme est en panne ou indisponible." in failed.text
    assert "Personne n’a été ajouté ni retiré du groupe" in failed.text
    assert "HTTP 503" in failed.text and "Revenir au groupe" in failed.text
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(0,)]
    assert "échec. La plateforme est en panne" in tool.get(f"/trainer/cohorts/{cohort_id}").text
    # Down halfway through the pages: still nothing filed.
    course_roster.down = False
    answered = 0
    handle = course_roster.handle

    def second_page_fails(request):
        nonlocal answered
        answer = handle(request)
        if answer is not None:
            answered += 1
            if answered == 2:
                course_roster.requests.append(request)
                return type(answer)(500, text="Erreur interne de Moodle")
        return answer

    registered.handlers[:] = [second_page_fails]
    failed = import_roster(tool, cohort_id)
    assert failed.status_code == 502 and "Erreur interne de Moodle" in failed.text
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(0,)]
    # The platform back, a revoked token renewed once: the import goes through.
    registered.handlers[:] = [course_roster.handle]
    registered.tokens.clear()
    assert import_roster(tool, cohort_id).status_code == 303
    assert len(members(tool, cohort_id)) == 3


def test_a_refusing_or_unreachable_platform_is_explained(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    registered.tool_jwks = {"keys": []}  # the platform no longer knows the tool's key
    refused = import_roster(tool, cohort_id)
    assert refused.status_code == 502 and "réessayez plus tard" in refused.text
    assert "invalid_client" in refused.text

    def unreachable(request):
        raise httpx2.ConnectError("connection refused", request=request)

    registered.handlers[:] = []
    app_state(tool.app).lti_transport = httpx2.MockTransport(unreachable)
    app_state(tool.app).lti_tokens.forget(1, (SCOPE,))
    down = import_roster(tool, cohort_id)
    assert down.status_code == 502 and "La plateforme ne répond pas." in down.text


def test_a_cohort_without_a_memberships_url_has_no_button(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    cohort_id = teacher_launch(tool, registered, **TEACHER)
    page = tool.get(f"/trainer/cohorts/{cohort_id}").text
    assert "Cours de la plateforme" in page and "Noms et rôles" in page
    assert "Importer la liste des participants" not in page
    refused = import_roster(tool, cohort_id)
    assert refused.status_code == 409 and "aucun cours" in refused.text


def test_the_memberships_endpoint_wants_its_token_scope_and_media_type(
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    """The simulator plays by NRPS 2.0, so that the tests above can fail."""
    client = httpx2.Client(transport=registered.transport())
    assert client.get(course_roster.url).status_code == 401
    registered.tokens["t-score"] = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    registered.tokens["t-nrps"] = SCOPE
    wrong = client.get(course_roster.url, headers={"authorization": "Bearer t-score"})
    assert wrong.status_code == 403
    plain = client.get(course_roster.url, headers={"authorization": "Bearer t-nrps"})
    assert plain.status_code == 406
    first = client.get(
        course_roster.url, headers={"authorization": "Bearer t-nrps", "accept": MEDIA_TYPE}
    )
    assert first.status_code == 200 and len(first.json()["members"]) == 2
    assert first.links["next"]["url"] == course_roster.url + "?page=2"


def test_a_next_page_elsewhere_is_not_followed_with_the_token(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    handle = course_roster.handle
    elsewhere: list[httpx2.Request] = []

    def sends_away(request: httpx2.Request) -> httpx2.Response | None:
        if request.url.host == "collecte.example.com":
            elsewhere.append(request)
            return httpx2.Response(200, json={"members": []})
        answer = handle(request)
        if answer is not None and "link" in answer.headers:
            answer.headers["link"] = '<https://collecte.example.com/vol>; rel="next"'
        return answer

    registered.handlers[:] = [sends_away]
    refused = import_roster(tool, cohort_id)
    assert refused.status_code == 502 and "another site" in refused.text
    assert elsewhere == []
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(0,)]


def test_one_import_at_a_time_per_cohort(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    monkeypatch.setattr("server.views.lti_roster._running", {cohort_id})  # one in progress
    busy = import_roster(tool, cohort_id)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "10"
    assert "déjà en cours" in busy.text and course_roster.requests == []


def test_an_archived_cohort_takes_no_import(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    course_roster: Memberships,
) -> None:
    cohort_id = teacher_launch(tool, registered, **course_roster.claim())
    write(tool, "UPDATE cohorts SET archived_at = ? WHERE id = ?", (now(), cohort_id))
    page = tool.get(f"/trainer/cohorts/{cohort_id}").text
    assert 'aria-describedby="plateforme-aide" disabled' in page
    refused = import_roster(tool, cohort_id)
    assert refused.status_code == 409 and "archivé" in refused.text
    assert course_roster.requests == []
