"""Assignment and Grade Services 2.0 against the platform simulator (issue #17 §3): a
teacher deep-links a module, a learner launched with the AGS claim passes its quiz,
the grade sender posts the score the platform's gradebook checks and keeps; a path's
completion posts 100, a lower score is never posted, a refusal shows on /admin/lti and
is not retried, a platform that is down gets the grade once it is back, exactly once."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.lti.grade_sender import GradeSender
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner, sign_in
from tests.lti_deep_linking import deep_link, receive
from tests.lti_gradebook import AGS, AGS_CLAIM, Gradebook
from tests.lti_platform import Platform
from tests.test_lti_deep_linking import CHOICE, choose

INTRO = {"module": "intro"}  # a link that opens the intro module
LEARNER = "moodle-user-42"  # the simulator's default `sub`
WRONG = {"intro-mode": "b", "intro-acteurs": ["a", "b"], "intro-classement": "faux"}  # 67
WORSE = {"intro-mode": "b", "intro-acteurs": ["c"], "intro-classement": "faux"}  # 33


@pytest.fixture
def platform(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The simulator registered by the CLI, as an administrator would."""
    platform = Platform()
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_BASE_URL", settings.base_url)
    assert main(platform.cli_args()) == 0
    return platform


@pytest.fixture
def gradebook(platform: Platform) -> Gradebook:
    return Gradebook(platform)


@pytest.fixture
def tool(settings: Settings, platform: Platform, gradebook: Gradebook) -> Iterator[TestClient]:
    """The site reaching the simulator; its own grade sender stopped: the tests run turns."""
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        shared = app_state(client.app)
        shared.lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        shared.lti_transport = platform.transport()
        assert shared.lti_grade_sender is not None
        client.portal.call(shared.lti_grade_sender.stop)  # type: ignore[union-attr]
        platform.trust_tool(client)  # the platform fetched the tool's keyset
        yield client


def send(tool: TestClient, backoff: tuple[float, ...] = (0.0, 0.0)) -> int:
    """One turn of a grade sender whose retries are due at once; how many it handled."""
    sender = GradeSender(app_state(tool.app), backoff=backoff)
    return tool.portal.call(sender.step)  # type: ignore[union-attr]


def launch(tool: TestClient, platform: Platform, ags: dict[str, Any] | None, **changes: Any) -> Any:
    claims = {AGS_CLAIM: ags} if ags is not None else {}
    response = platform.launch(tool, **claims, **changes)
    assert response.status_code == 303, response.text
    return response


def check_score(score: dict[str, Any], given: int, progress: str) -> None:
    """Every field AGS asks of a score, as Moodle needs them."""
    assert score["userId"] == LEARNER
    assert (score["scoreGiven"], score["scoreMaximum"]) == (given, 100)
    assert score["activityProgress"] == progress
    assert score["gradingProgress"] == "FullyGraded"
    stamp = datetime.fromisoformat(score["timestamp"])
    assert stamp.tzinfo is not None and abs(time.time() - stamp.timestamp()) < 120


def test_the_full_journey_from_deep_linking_to_the_gradebook(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    page = deep_link(tool, platform)
    module = next(c for c in CHOICE.findall(page.text) if c == "1h/intro")
    item = receive(tool, platform, choose(tool, page.text, module).text).item
    assert item["lineItem"]["scoreMaximum"] == 100
    # Moodle makes the link and its gradebook column from the item; a learner launches it.
    lineitem = gradebook.add_item("lien-7", item["lineItem"]["label"])
    tool.cookies.clear()
    launch(tool, platform, gradebook.claim(lineitem), lti_custom=item["custom"])
    assert send(tool) == 0  # nothing earned yet
    assert "Module réussi" in Learner(tool).pass_intro().text
    assert send(tool) == 1
    ((where, score),) = gradebook.scores
    assert where == lineitem
    check_score(score, 100, "Completed")
    posted = [url for method, url in gradebook.requests if method == "POST"]
    assert posted == [lineitem.replace("/lineitem?", "/lineitem/scores?")]  # query kept
    (token,) = platform.token_requests
    assert token["scope"] == AGS + "score"
    assert send(tool) == 0  # sent once


def test_a_completed_path_posts_100_and_a_module_its_progress(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    lineitem = gradebook.add_item("lien-7", "Découvrir")
    launch(tool, platform, gradebook.claim(lineitem))  # custom path=1h: the whole path
    learner = Learner(tool)
    assert learner.quiz("/paths/1h/intro", WRONG).status_code == 200
    assert learner.post("/paths/1h/lecture/done").status_code == 303
    assert send(tool) == 0  # a path is graded when complete, not before
    learner.pass_intro()
    assert send(tool) == 1
    ((_, score),) = gradebook.scores
    check_score(score, 100, "Completed")


def test_a_lower_later_score_is_never_posted(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    lineitem = gradebook.add_item("lien-7")
    launch(tool, platform, gradebook.claim(lineitem), lti_custom={"module": "intro"})
    learner = Learner(tool)
    learner.quiz("/paths/1h/intro", WRONG)
    assert send(tool) == 1
    learner.quiz("/paths/1h/intro", WORSE)  # 33: lower than the 67 the platform holds
    assert send(tool) == 0
    learner.pass_intro()
    learner.quiz("/paths/1h/intro", WRONG)  # after the pass: the 100 stays
    assert send(tool) == 1
    assert send(tool) == 0
    given = [(s["scoreGiven"], s["activityProgress"]) for s in gradebook.scores_of(LEARNER)]
    assert given == [(67, "InProgress"), (100, "Completed")]


@pytest.fixture
def admin(make_user: Callable[..., None]) -> Callable[[TestClient], Learner]:
    """Sign an administrator in, in place of the learner."""
    make_user("admin@example.fr", "Ada Admin", "admin")
    return lambda client: sign_in(client, "admin@example.fr")


def test_a_refused_grade_shows_on_admin_lti_and_waits_for_retry(
    tool: TestClient,
    platform: Platform,
    gradebook: Gradebook,
    admin: Callable[[TestClient], Learner],
) -> None:
    gradebook.refused_users.add(LEARNER)
    lineitem = gradebook.add_item("lien-7", "Introduction")
    launch(tool, platform, gradebook.claim(lineitem), lti_custom={"module": "intro"})
    Learner(tool).pass_intro()
    assert send(tool) == 1
    assert send(tool) == 0  # refused: never retried on its own
    assert gradebook.scores == []
    person = admin(tool)
    page = tool.get("/admin/lti")
    assert page.status_code == 200
    assert "Camille Dupont" in page.text and "Moodle de test" in page.text
    assert "refusée par la plateforme" in page.text
    assert "User not gradable in this course" in page.text and "HTTP 403" in page.text
    actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
    retry = next(a for a in actions if a.startswith("/admin/lti/notes/"))
    forged = tool.post(retry, data={"csrf_token": "faux"}, follow_redirects=False)
    assert forged.status_code == 403
    assert send(tool) == 0
    gradebook.refused_users.clear()  # the teacher enrolled the user as a student
    answer = person.post(retry)
    assert answer.status_code == 303 and answer.headers["location"].endswith("#avis")
    assert "La note est remise en attente" in tool.get(answer.headers["location"]).text
    assert person.post(retry).status_code == 303  # a second click: nothing to do
    assert send(tool) == 1
    ((_, score),) = gradebook.scores
    check_score(score, 100, "Completed")
    assert person.post("/admin/lti/notes/99999/renvoyer").status_code == 404


def test_a_platform_down_then_up_gets_the_grade_exactly_once(
    tool: TestClient,
    platform: Platform,
    gradebook: Gradebook,
    admin: Callable[[TestClient], Learner],
) -> None:
    gradebook.down = 2
    lineitem = gradebook.add_item("lien-7")
    launch(tool, platform, gradebook.claim(lineitem), lti_custom={"module": "intro"})
    Learner(tool).pass_intro()
    assert send(tool) == 1 and send(tool) == 1  # two 503: waiting again each time
    assert gradebook.scores == []
    assert send(tool) == 1
    assert send(tool) == 0
    assert len(gradebook.scores) == 1
    # Down for longer than the retries last: the grade ends « en échec », listed.
    gradebook.down = 10
    Learner(tool).quiz("/paths/1h/intro", WRONG)  # no change: nothing queued
    assert send(tool) == 0
    tool.cookies.clear()
    other = gradebook.claim(gradebook.add_item("lien-8"))
    custom = {"module": "intro"}
    launch(
        tool,
        platform,
        other,
        sub="moodle-user-43",
        lti_resource_link={"id": "lien-8"},
        lti_custom=custom,
    )
    Learner(tool).pass_intro()
    assert [send(tool, backoff=(0.0,)) for _ in range(3)] == [1, 1, 0]  # two tries, then stop
    admin(tool)
    page = tool.get("/admin/lti").text
    assert page.count("en échec") >= 2 and "2 tentatives" in page and "HTTP 503" in page


def test_the_token_is_cached_and_renewed_after_a_401(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    lineitem = gradebook.add_item("lien-7")
    launch(tool, platform, gradebook.claim(lineitem), lti_custom={"module": "intro"})
    learner = Learner(tool)
    learner.quiz("/paths/1h/intro", WRONG)
    assert send(tool) == 1
    learner.pass_intro()
    assert send(tool) == 1
    assert len(platform.token_requests) == 1  # one token for both scores
    platform.tokens.clear()  # the platform forgets its tokens (a restart, a revocation)
    tool.cookies.clear()
    launch(tool, platform, gradebook.claim(lineitem), sub="moodle-user-43", lti_custom=INTRO)
    Learner(tool).pass_intro()
    assert send(tool) == 1
    assert len(platform.token_requests) == 2  # the 401 asked for a new one, once
    assert [s["userId"] for _, s in gradebook.scores][-1] == "moodle-user-43"
    unauthorized = [m for m, u in gradebook.requests if m == "POST"]
    assert len(unauthorized) == 4  # 2 scores, then the refused try and its retry


def test_a_lineitems_only_launch_finds_or_creates_the_line_item(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    launch(tool, platform, gradebook.claim(None), lti_custom={"module": "intro"})
    Learner(tool).pass_intro()
    assert send(tool) == 1
    (made,) = gradebook.items.values()
    assert made["resourceLinkId"] == "lien-7" and made["scoreMaximum"] == 100
    assert made["label"] == "Introduction aux alliances"  # the module's title
    ((where, score),) = gradebook.scores
    assert where == made["id"]
    check_score(score, 100, "Completed")
    # Another learner of the same link: the item is reused, none is made again.
    tool.cookies.clear()
    launch(
        tool, platform, gradebook.claim(None), sub="moodle-user-43", lti_custom={"module": "intro"}
    )
    Learner(tool).pass_intro()
    assert send(tool) == 1
    assert len(gradebook.items) == 1 and len(gradebook.scores) == 2
    # A link whose item Moodle made itself (found by its resource link id).
    found = gradebook.add_item("lien-9", "Déjà là")
    tool.cookies.clear()
    launch(
        tool,
        platform,
        gradebook.claim(None),
        sub="moodle-user-44",
        lti_resource_link={"id": "lien-9"},
        lti_custom={"module": "intro"},
    )
    Learner(tool).pass_intro()
    assert send(tool) == 1
    assert len(gradebook.items) == 2 and gradebook.scores[-1][0] == found


def test_a_launch_without_the_grade_service_queues_nothing(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    launch(tool, platform, None)
    Learner(tool).pass_intro()
    launch(tool, platform, gradebook.claim(None, scopes=(AGS + "lineitem",)))  # no score scope
    assert send(tool) == 0 and gradebook.requests == []


def test_the_sender_task_posts_on_its_own(
    settings: Settings, platform: Platform, gradebook: Gradebook
) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        shared = app_state(client.app)
        shared.lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        shared.lti_transport = platform.transport()
        platform.trust_tool(client)
        lineitem = gradebook.add_item("lien-7")
        launch(client, platform, gradebook.claim(lineitem), lti_custom={"module": "intro"})
        Learner(client).pass_intro()  # wakes the sender: no poll to wait for
        deadline = time.monotonic() + 5
        while not gradebook.scores and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(gradebook.scores) == 1


def test_a_former_pass_is_posted_at_the_next_launch(
    tool: TestClient, platform: Platform, gradebook: Gradebook
) -> None:
    launch(tool, platform, None, lti_custom={"module": "intro"})
    Learner(tool).pass_intro()  # launched before the teacher turned grades on
    assert send(tool) == 0
    launch(
        tool,
        platform,
        gradebook.claim(gradebook.add_item("lien-7")),
        lti_custom={"module": "intro"},
    )
    assert send(tool) == 1
    ((_, score),) = gradebook.scores
    check_score(score, 100, "Completed")
