"""The LTI grade outbox (issue #17 §3) on both backends: a score only goes up, a grade
is claimed by one sender at a time, and refused or failed grades can be sent again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from server import clock
from server.clock import now
from server.storage import Storage
from server.storage.lti_grades import GradeTarget
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)
from tests.test_storage_contract_lti import platform

ITEM = "https://moodle.example.org/mod/lti/services.php/3/lineitems/9/lineitem?type_id=2"
ITEMS = "https://moodle.example.org/mod/lti/services.php/3/lineitems?type_id=2"


def target(user_id: int, platform_id: int, link: str = "lien-7", **changes: str) -> GradeTarget:
    values = {
        "subject": "moodle-42",
        "lineitem_url": ITEM,
        "lineitems_url": ITEMS,
        "target_kind": "module",
        "target_id": "intro",
        "label": "Introduction",
    } | changes
    return GradeTarget(user_id, platform_id, link, **values)


def test_a_score_only_goes_up_and_waits_for_the_sender(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        attempt = await a.record_attempt(session, "1h", "intro", 40, False, {}, "c1")
        assert attempt is not None and not attempt.graded_by_platform
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        # No link to the target: nothing is queued.
        assert await a.record_scores(user_id, [("module", "intro", 40, False)], now()) == 0
        await a.record_grade_target(target(user_id, platform_id), now())
        attempt = await b.record_attempt(session, "1h", "intro", 50, False, {}, "c1")
        assert attempt is not None and attempt.graded_by_platform
        assert await b.record_scores(user_id, [("module", "intro", 50, False)], now()) == 1
        assert await a.record_scores(user_id, [("module", "intro", 30, False)], now()) == 0
        assert await a.record_scores(user_id, [("module", "other", 90, True)], now()) == 0
        assert (
            await a.record_scores(user_id, [("path", "1h", 100, True)], now(), check_first=True)
            == 0
        )  # a link to a module, not to the path
        assert await a.grade_counts() == {
            "waiting": 1, "sending": 0, "sent": 0, "refused": 0, "failed": 0
        }  # fmt: skip
        (grade,) = await b.claim_grades(clock.moment(), 60, 10)
        assert (grade.score, grade.completed, grade.attempts) == (50, False, 1)
        assert (grade.subject, grade.lineitem_url, grade.label) == (
            "moodle-42",
            ITEM,
            "Introduction",
        )
        assert grade.learner == "Léa Martin" and grade.issuer == "https://moodle.example.org"
        assert await a.claim_grades(clock.moment(), 60, 10) == []  # held by its lease
        # A pass arrives while the 50 is being posted: the 50 is marked sent, the 80 waits.
        assert await a.record_scores(user_id, [("module", "intro", 80, True)], now()) == 1
        await b.mark_grade_sent(grade.id, 50, False, clock.moment())
        (again,) = await a.claim_grades(clock.moment(), 60, 10)
        assert (again.score, again.completed, again.sent_score, again.attempts) == (80, True, 50, 1)
        await a.mark_grade_sent(again.id, 80, True, clock.moment())
        assert (await a.grade_counts())["sent"] == 1
        # The same score again, or a lower one, is never queued: the platform keeps 80.
        assert await a.record_scores(user_id, [("module", "intro", 80, True)], now()) == 0
        assert await b.record_scores(user_id, [("module", "intro", 60, True)], now()) == 0
        assert await a.claim_grades(clock.moment(), 60, 10) == []
        assert await a.record_scores(user_id, [("module", "intro", 95, True)], now()) == 1

    contract(scenario)


def test_a_completion_recorded_while_posting_is_posted_next(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        user_id, _ = await learner(a)
        await a.record_grade_target(target(user_id, platform_id), now())
        await a.record_scores(user_id, [("module", "intro", 100, False)], now())
        (posting,) = await a.claim_grades(clock.moment(), 60, 10)
        # The same score now completes the module, while the InProgress one is posted.
        assert await b.record_scores(user_id, [("module", "intro", 100, True)], now()) == 1
        await a.mark_grade_sent(posting.id, 100, False, clock.moment())
        (completed,) = await b.claim_grades(clock.moment(), 60, 10)
        assert completed.completed and completed.sent_score == 100
        await b.mark_grade_sent(completed.id, 100, True, clock.moment())
        assert (await a.grade_counts())["sent"] == 1

    contract(scenario)


def test_two_senders_claim_disjoint_grades(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        for n in range(6):
            user_id, _ = await learner(a, f"l{n}@example.fr")
            await a.record_grade_target(target(user_id, platform_id), now())
            await a.record_scores(user_id, [("module", "intro", 70, True)], now())
        first, second = await asyncio.gather(
            a.claim_grades(clock.moment(), 60, 4), b.claim_grades(clock.moment(), 60, 4)
        )
        ids = [g.id for g in first + second]
        assert len(ids) == len(set(ids)) == 6
        # A lease that ran out (a sender stopped mid-send): the grade is claimed again.
        later = clock.moment() + timedelta(seconds=61)
        assert len(await b.claim_grades(later, 60, 10)) == 6

    contract(scenario)


def test_refused_and_failed_grades_are_listed_and_sent_again(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        admin, _ = await learner(a, "admin@example.fr")
        pupil, _ = await learner(a, "pupil@example.fr")
        for user_id in (admin, pupil):
            await a.record_grade_target(target(user_id, platform_id, lineitem_url=""), now())
            await a.record_scores(user_id, [("module", "intro", 90, True)], now())
        one, two = await a.claim_grades(clock.moment(), 60, 10)
        await a.mark_grade_stopped(one.id, "refused", "HTTP 403 user not gradable")
        await b.mark_grade_retry(two.id, clock.moment() + timedelta(seconds=30), "HTTP 503")
        assert await a.claim_grades(clock.moment(), 60, 10) == []  # not due yet
        (two,) = await a.claim_grades(clock.moment() + timedelta(seconds=31), 60, 10)
        assert two.attempts == 2 and two.last_error == "HTTP 503"
        await a.mark_grade_stopped(two.id, "failed", "2 tentatives")
        listed = await b.grades_list(("refused", "failed"), 10)
        assert {(g.status, g.last_error) for g in listed} == {
            ("refused", "HTTP 403 user not gradable"),
            ("failed", "2 tentatives"),
        }
        # The lineitems-only link gets the line item the sender found, for every learner.
        await a.set_grade_lineitem(platform_id, "lien-7", ITEM)
        assert {g.lineitem_url for g in await b.grades_list(("refused", "failed"), 10)} == {ITEM}
        await a.record_grade_target(target(pupil, platform_id, lineitem_url=""), now())
        assert {g.lineitem_url for g in await b.grades_list(("refused", "failed"), 10)} == {ITEM}
        assert await b.retry_grade(one.id, clock.moment()) is True
        assert await a.retry_grade(one.id, clock.moment()) is False  # a second click
        assert await a.retry_grade(one.id + two.id + 100, clock.moment()) is None
        (again,) = await a.claim_grades(clock.moment(), 60, 10)
        assert again.id == one.id and again.attempts == 1
        # A platform removed takes its links and grades with it.
        assert await a.remove_lti_platform(platform_id)
        assert await a.grade_counts() == dict.fromkeys(
            ("waiting", "sending", "sent", "refused", "failed"), 0
        )

    contract(scenario)


def test_the_grades_are_in_the_export_and_go_with_the_account(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        user_id, _ = await learner(a)
        await a.record_grade_target(target(user_id, platform_id), now())
        await a.record_scores(user_id, [("module", "intro", 80, True)], now())
        (grade,) = await a.claim_grades(clock.moment(), 60, 10)
        await a.mark_grade_sent(grade.id, 80, True, clock.moment())
        (exported,) = (await b.personal_data(user_id))["platform_grades"]
        assert exported["platform"] == "https://moodle.example.org"
        assert exported["activity"] == "Introduction" and exported["completed"] is True
        assert (exported["score"], exported["score_sent"], exported["status"]) == (80, 80, "sent")
        assert await b.delete_account(user_id, now())
        assert sum((await a.grade_counts()).values()) == 0
        assert await a.record_scores(user_id, [("module", "intro", 90, True)], now()) == 0

    contract(scenario)
