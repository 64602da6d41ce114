"""A platform course's cohort at each launch (issue #17 §3): the instructor trains it and
nothing else, learners join it, a second launch finds it again."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Learner, csrf
from tests.lti_platform import REMOVE, Platform
from tests.sql import rows as sql_rows
from tests.test_lti_launch import platform, registered, tool  # noqa: F401  (fixtures)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
TEACHER = {
    "sub": "moodle-prof-1",
    "name": "Dominique Prof",
    "lti_roles": [LIS + "membership#Instructor"],
}


def rows(client: TestClient, sql: str, params: tuple = ()) -> list[tuple]:
    """What `sql` reads, through the app's storage (either backend)."""
    return sql_rows(client, sql, params)


def teacher_launch(tool: TestClient, registered: Platform, **changes) -> int:  # noqa: F811
    """An instructor's launch: they land on their course's cohort; its id."""
    response = registered.launch(tool, **{**TEACHER, **changes})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/trainer/cohorts/")
    return int(location.rsplit("/", 1)[1])


def test_an_instructor_trains_the_course_cohort_and_nothing_else(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    make_user,
) -> None:
    make_user("formatrice@example.fr", "Formatrice Locale", "trainer")
    cohort_id = teacher_launch(tool, registered)
    page = tool.get(f"/trainer/cohorts/{cohort_id}")
    assert page.status_code == 200
    assert "Cours Moodle de test\u00a0: Coopérer" in page.text
    ((name, path_id),) = rows(tool, "SELECT name, path_id FROM cohorts")
    assert name == "Cours Moodle de test\u00a0: Coopérer" and path_id == "1h"  # the link's path
    ((user_id, roles),) = rows(
        tool,
        "SELECT u.id, (SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id)"
        " FROM users u WHERE u.email LIKE ?",
        ("%@lti.invalid",),
    )
    assert roles is None  # no site-wide role: neither trainer nor admin
    assert rows(tool, "SELECT cohort_id, user_id FROM cohort_trainers") == [(cohort_id, user_id)]
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(0,)]
    assert tool.get("/admin/users").status_code == 403
    mine = tool.get("/trainer/cohorts")  # their cohort listed, no form to create one
    assert mine.status_code == 200 and f"/trainer/cohorts/{cohort_id}" in mine.text
    assert "Créer un groupe" not in mine.text
    token = csrf(tool, f"/trainer/cohorts/{cohort_id}")
    made = tool.post("/trainer/cohorts", data={"csrf_token": token, "name": "X", "path_id": "1h"})
    assert made.status_code == 403
    # Another cohort of this site is out of reach.
    local = TestClient(tool.app, base_url="https://testserver")
    assert Learner(local).login("formatrice@example.fr").status_code == 303
    other = local.post(
        "/trainer/cohorts",
        data={"csrf_token": Learner(local).token, "name": "Autre", "path_id": "1h"},
        follow_redirects=False,
    )
    other_id = other.headers["location"].rsplit("/", 1)[1]
    assert tool.get(f"/trainer/cohorts/{other_id}").status_code == 403
    assert tool.get(f"/trainer/cohorts/{other_id}/export.csv").status_code == 403
    assert tool.get(f"/trainer/cohorts/{cohort_id}/export.csv").status_code == 200


def test_learners_join_it_and_a_second_launch_duplicates_nothing(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    first = registered.launch(tool)  # a learner first: the cohort is made, without trainer
    assert first.status_code == 303 and first.headers["location"] == "/paths/1h"
    tool.cookies.clear()
    again = registered.launch(tool, lti_custom={"path": "4h"})
    assert again.headers["location"] == "/paths/4h"
    tool.cookies.clear()
    cohort_id = teacher_launch(tool, registered, lti_custom={"module": "lecture"})
    tool.cookies.clear()
    teacher_launch(tool, registered)
    assert rows(tool, "SELECT id, path_id FROM cohorts") == [(cohort_id, "1h")]
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(1,)]
    assert rows(tool, "SELECT count(*) FROM cohort_trainers") == [(1,)]
    assert rows(tool, "SELECT count(*) FROM lti_contexts") == [(1,)]
    page = tool.get(f"/trainer/cohorts/{cohort_id}")
    assert "Camille Dupont" in page.text  # the learner, on their trainer's dashboard
    # A learner launched from another course of the platform joins that course's cohort.
    tool.cookies.clear()
    registered.launch(tool, lti_context={"id": "cours-9", "title": "Animer"})
    assert rows(tool, "SELECT count(*) FROM cohorts") == [(2,)]
    assert rows(tool, "SELECT count(*) FROM cohort_members") == [(2,)]


def test_the_platform_decides_who_teaches(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    cohort_id = teacher_launch(tool, registered, lti_roles=["Instructor"])  # a short form
    tool.cookies.clear()
    # Now a learner of the course on the platform: no longer its trainer.
    demoted = registered.launch(tool, **{**TEACHER, "lti_roles": [LIS + "membership#Learner"]})
    assert demoted.headers["location"] == "/paths/1h"
    assert rows(tool, "SELECT count(*) FROM cohort_trainers") == [(0,)]
    assert tool.get(f"/trainer/cohorts/{cohort_id}").status_code == 403


@pytest.mark.parametrize("role", ["institution/person#Faculty", "membership#ContentDeveloper"])
def test_other_teaching_roles_train_too(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    role: str,
) -> None:
    teacher_launch(tool, registered, lti_roles=[LIS + role])


def test_a_launch_without_a_context_files_no_one(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    response = registered.launch(tool, **{**TEACHER, "lti_context": REMOVE})
    assert response.headers["location"] == "/paths/1h"
    assert rows(tool, "SELECT count(*) FROM cohorts") == [(0,)]
