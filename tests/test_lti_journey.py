"""Issue #17 §4, in one piece: the whole life of a platform, as Moodle 4 lives it.

An administrator makes a one-time registration link; the platform registers itself
through it (Dynamic Registration); a teacher deep-links a module into a course; a
learner launched from that link passes the module's quiz; the grade sender posts the
score, which the platform's gradebook receives with every field AGS asks. The pieces
are tested one by one elsewhere (test_lti_registration, test_lti_deep_linking,
test_lti_grades): here they must also fit together, with nothing set up by hand.
"""

from __future__ import annotations

from starlette.testclient import TestClient

from server.app import create_app
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner
from tests.lti_deep_linking import deep_link, receive
from tests.lti_gradebook import AGS, Gradebook
from tests.lti_registration import RegisteringPlatform
from tests.test_lti_deep_linking import CHOICE, choose
from tests.test_lti_grades import check_score, launch, send
from tests.test_lti_registration import new_link


def test_from_dynamic_registration_to_the_platform_s_gradebook(
    settings: Settings, make_user
) -> None:
    platform = RegisteringPlatform(client_id="moodle-client-9", deployment_id="3")
    gradebook = Gradebook(platform)
    with TestClient(create_app(settings), base_url="https://testserver") as tool:
        shared = app_state(tool.app)
        shared.lti_transport = platform.transport()
        shared.lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        assert shared.lti_grade_sender is not None
        tool.portal.call(shared.lti_grade_sender.stop)  # type: ignore[union-attr]

        # 1. The platform registers itself through the administrator's link.
        registered = platform.open_registration(tool, new_link(tool, make_user))
        assert registered.status_code == 200 and "L’outil est enregistré" in registered.text
        platform.trust_tool(tool)  # and fetches the tool's keyset it was given

        # 2. A teacher adds the intro module to the Moodle course.
        page = deep_link(tool, platform)
        module = next(c for c in CHOICE.findall(page.text) if c == "1h/intro")
        item = receive(tool, platform, choose(tool, page.text, module).text).item
        assert item["lineItem"]["scoreMaximum"] == 100
        lineitem = gradebook.add_item("lien-1", item["lineItem"]["label"])

        # 3. A learner launches it and passes the quiz.
        tool.cookies.clear()
        launch(tool, platform, gradebook.claim(lineitem), lti_custom=item["custom"])
        assert "Module réussi" in Learner(tool).pass_intro().text

        # 4. The score reaches the gradebook, once, with a token the tool asked for.
        assert send(tool) == 1
        ((where, score),) = gradebook.scores
        assert where == lineitem
        check_score(score, 100, "Completed")
        assert [t["scope"] for t in platform.token_requests] == [AGS + "score"]
        assert send(tool) == 0
