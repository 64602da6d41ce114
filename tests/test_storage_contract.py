"""One contract, two backends: the same tests run on SQLite and on PostgreSQL.

Each test receives two opened storages on one database: on SQLite the same
instance twice (one process owns the file), on PostgreSQL two instances with
pools of their own, as two app servers would be. Concurrency is real:
`asyncio.gather` sends the requests together, so a check-then-write that is not
atomic shows up as a broken count. The progress rules are those stated in
course/progress.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from course.certificates import Certificate
from server.attempt_limits import AttemptLimits
from server.clock import now
from server.mail.compose import Message
from server.storage import SqliteStorage, Storage
from server.throttle import LoginLimits

Pair = tuple[Storage, Storage]
Scenario = Callable[[Storage, Storage], Awaitable[None]]


@pytest.fixture(params=["sqlite", "postgres"])
def contract(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Scenario], None]:
    """Run a scenario on two opened storages of the backend under test."""
    if request.param == "sqlite":
        instances = 1

        def make() -> Storage:
            return SqliteStorage(tmp_path / "contract.db")
    else:
        from server.storage.postgres import PostgresStorage

        url = request.getfixturevalue("postgres_url")
        instances = 2

        def make() -> Storage:
            return PostgresStorage(url, pool_size=4)

    @asynccontextmanager
    async def opened() -> AsyncIterator[Pair]:
        made: list[Storage] = []
        try:
            for _ in range(instances):
                storage = make()
                await storage.open()
                made.append(storage)
            yield made[0], made[-1]
        finally:
            for storage in made:
                await storage.close()

    def run(scenario: Scenario) -> None:
        async def main() -> None:
            async with opened() as (first, second):
                await scenario(first, second)

        asyncio.run(main())

    return run


async def learner(storage: Storage, email: str = "lea@example.fr") -> tuple[int, str]:
    """A new account and the token hash of its session."""
    user = await storage.create_user(email, "Léa Martin", "hash")
    assert user is not None
    session = f"session-of-{email}"
    await storage.create_session(user.id, session, days=1)
    return user.id, session


# -- the progress rules ---------------------------------------------------------


def test_best_score_completion_and_signature_are_kept(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        user_id, session = await learner(db)
        assert await db.enrolments(user_id) == set()
        assert await db.record_attempt(session, "1h", "intro", 40, False, {}, "c1", "q1")
        assert await db.enrolments(user_id) == {"1h"}  # the first attempt enrols
        first = (await db.progress(user_id))["intro"]
        assert (first.attempts, first.best_score, first.completed_at) == (1, 40, None)
        assert first.quiz_signature is None  # a failure remembers no quiz

        passed = await db.record_attempt(session, "1h", "intro", 80, True, {}, "c1", "q1")
        assert passed is not None and passed.user_id == user_id
        assert passed.learner_name == "Léa Martin" and passed.completed == {"intro"}
        done = (await db.progress(user_id))["intro"]
        assert (done.attempts, done.best_score, done.quiz_signature) == (2, 80, "q1")
        assert done.completed_at is not None

        await db.record_attempt(session, "1h", "intro", 30, False, {}, "c2", "q2")
        after = (await db.progress(user_id))["intro"]
        assert after.attempts == 3
        assert after.best_score == 80  # a lower score never lowers it
        assert after.completed_at == done.completed_at  # completion is never taken away
        assert after.quiz_signature == "q1"  # the passed quiz, not the failed one

        await db.record_attempt(session, "1h", "intro", 90, True, {}, "c2", "q2")
        again = (await db.progress(user_id))["intro"]
        assert (again.attempts, again.best_score, again.quiz_signature) == (4, 90, "q2")
        assert again.completed_at == done.completed_at  # the first pass's moment

    contract(scenario)


def test_a_module_without_quiz_is_completed_once_and_enrols(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        user_id, session = await learner(db)
        await db.complete_module(user_id, "1h", "lecture")
        assert await db.enrolments(user_id) == {"1h"}
        first = (await db.progress(user_id))["lecture"]
        assert first.completed and first.attempts == 0 and first.best_score is None
        await asyncio.sleep(1.1)  # a second later: a new stamp would show
        await db.complete_module(user_id, "3h", "lecture")
        assert (await db.progress(user_id))["lecture"].completed_at == first.completed_at
        assert await db.enrolments(user_id) == {"1h", "3h"}
        # A pass reports every completed module, the quiz-less ones too.
        passed = await db.record_attempt(session, "1h", "intro", 100, True, {}, "c1", "q1")
        assert passed is not None and passed.completed == {"intro", "lecture"}

    contract(scenario)


def test_attempt_number_and_session_guards(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        user_id, session = await learner(db)
        other_id, _other = await learner(db, "autre@example.fr")

        def attempt(number: int | None, who: int | None = user_id, token: str = session):
            return db.record_attempt(
                token, "1h", "intro", 50, False, {"q": ["a"]}, "c1", user_id=who, attempt_no=number
            )

        assert await attempt(0) is not None
        assert await attempt(0) is None  # that attempt was already answered
        assert await attempt(2) is None  # not the next one either
        assert await attempt(1) is not None
        assert await attempt(2, who=other_id) is None  # the session is not that learner's
        last = await db.last_attempt(user_id, "intro")
        assert last is not None and last.number == 1 and last.answers == {"q": ["a"]}
        await db.end_session(session)
        assert await attempt(2) is None  # the session has ended
        assert (await db.progress(user_id))["intro"].attempts == 2

    contract(scenario)


def test_attempt_limits_guard(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        user_id, session = await learner(db)
        limits = AttemptLimits(window_seconds=60, per_window=2, per_day=10)

        def attempt(module: str):
            return db.record_attempt(session, "1h", module, 10, False, {}, "c1", limits=limits)

        assert await attempt("intro") and await attempt("intro")
        assert await attempt("intro") is None  # the short window is full
        assert await attempt("atelier") is not None  # the limit is per module
        assert len(await db.attempt_times(user_id, "intro", "2000")) == 2

    contract(scenario)


# -- at the same moment ---------------------------------------------------------


def test_two_passes_of_one_module_at_once_both_count(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        results = await asyncio.gather(
            *(
                db.record_attempt(session, "1h", "intro", score, True, {}, "c1", "q1")
                for db, score in ((a, 70), (b, 90), (a, 80), (b, 60))
            )
        )
        assert all(result is not None for result in results)
        progress = (await a.progress(user_id))["intro"]
        assert (progress.attempts, progress.best_score) == (4, 90)
        assert progress.completed and progress.quiz_signature == "q1"
        assert await b.enrolments(user_id) == {"1h"}

    contract(scenario)


def test_one_attempt_number_submitted_twice_at_once_is_stored_once(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        results = await asyncio.gather(
            *(
                db.record_attempt(
                    session, "1h", "intro", 50, False, {}, "c1", user_id=user_id, attempt_no=0
                )
                for db in (a, b, a, b, a, b)
            )
        )
        assert sum(result is not None for result in results) == 1
        assert (await a.progress(user_id))["intro"].attempts == 1

    contract(scenario)


def test_numbered_attempts_at_once_store_only_the_next_one_and_stop_at_the_limit(
    contract,
) -> None:
    """Numbered attempts take no lock on PostgreSQL: the number's index settles races."""

    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        limits = AttemptLimits(window_seconds=60, per_window=3, per_day=10)

        def attempt(db: Storage, number: int):
            return db.record_attempt(
                session, "1h", "intro", 10, False, {}, "c1",
                user_id=user_id, attempt_no=number, limits=limits,
            )  # fmt: skip

        for number in range(4):  # each number sent four times at once, then the next
            results = await asyncio.gather(*(attempt(db, number) for db in (a, b, a, b)))
            stored = sum(result is not None for result in results)
            assert stored == (1 if number < 3 else 0), number  # the fourth is over the limit
        assert (await b.progress(user_id))["intro"].attempts == 3
        assert len(await a.attempt_times(user_id, "intro", "2000")) == 3

    contract(scenario)


def test_parallel_submissions_cannot_pass_the_limit_together(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        limits = AttemptLimits(window_seconds=60, per_window=3, per_day=10)
        results = await asyncio.gather(
            *(
                db.record_attempt(session, "1h", "intro", 10, False, {}, "c1", limits=limits)
                for db in (a, b) * 6
            )
        )
        assert sum(result is not None for result in results) == 3
        assert (await b.progress(user_id))["intro"].attempts == 3

    contract(scenario)


def test_a_certificate_earned_by_two_requests_at_once_is_issued_once(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, _ = await learner(a)

        def certificate(number: int) -> Certificate:
            return Certificate(
                id=f"cert-{number}",
                user_id=user_id,
                path_id="1h",
                learner_name="Léa Martin",
                path_title="Découvrir",
                duration_minutes=60,
                course_title="Alliances",
                content_version="c1",
                issued_at=now(),
            )

        issued = await asyncio.gather(
            *(db.issue_certificate(certificate(n)) for n, db in enumerate((a, b, a, b)))
        )
        assert len({c.id for c in issued}) == 1  # every request got the same one
        assert list(await b.certificates_for(user_id)) == ["1h"]
        assert await a.certificate(issued[0].id) == issued[0]
        assert await a.revoke_certificate(issued[0].id, "erreur")
        assert not await b.revoke_certificate(issued[0].id, "encore")  # already revoked

    contract(scenario)


# -- sessions, throttles, outbox -------------------------------------------------


def test_sessions_begin_expire_and_end(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, session = await learner(a)
        user = await b.session_user(session)  # seen from the other instance
        assert user is not None and (user.id, user.email, user.name) == (
            user_id,
            "lea@example.fr",
            "Léa Martin",
        )
        assert user.session_seen_at is not None
        await a.create_session(user_id, "expired", days=-1)
        assert await b.session_user("expired") is None
        for token in ("phone", "laptop"):
            await a.create_session(user_id, token, days=1)
        await b.end_sessions_of(user_id, keep="phone")
        assert await a.session_user("phone") is not None
        assert await a.session_user(session) is None and await a.session_user("laptop") is None
        await a.end_sessions_of(user_id)
        assert await b.session_user("phone") is None
        assert await a.session_user("unknown") is None

    contract(scenario)


def test_concurrent_guesses_cannot_overtake_the_login_throttle(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        limits = LoginLimits()
        moment = 1_800_000_000.0
        granted = await asyncio.gather(
            *(db.reserve_login("10.0.0.66", "lea@example.fr", moment, limits) for db in (a, b) * 8)
        )
        assert sum(granted) == limits.pair_free
        assert await b.login_wait("10.0.0.66", "lea@example.fr", moment, limits) > 0
        assert await a.login_wait("10.0.0.1", "lea@example.fr", moment, limits) <= 0
        await a.login_succeeded("10.0.0.66", "lea@example.fr")  # the owner, from there
        assert await b.reserve_login("10.0.0.66", "lea@example.fr", moment, limits)

    contract(scenario)


def test_rate_events_are_counted_together(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        moment = 1_800_000_000.0
        waits = await asyncio.gather(
            *(db.reserve_rate("reset", "lea@example.fr", moment, 3, 60.0) for db in (a, b) * 5)
        )
        assert waits.count(0.0) == 3
        assert all(0 < wait <= 60 for wait in waits if wait)
        assert await b.reserve_rate("reset", "autre@example.fr", moment, 3, 60.0) == 0
        assert await a.reserve_rate("reset", "lea@example.fr", moment + 61, 3, 60.0) == 0

    contract(scenario)


def test_two_senders_claim_each_message_once(contract) -> None:
    async def scenario(a: Storage, b: Storage) -> None:
        ids = set()
        for n in range(12):
            message = Message("notice", f"p{n}@example.fr", f"P {n}", "Objet", "texte", "<p>x</p>")
            ids.add(await a.enqueue(message))
        from datetime import UTC, datetime, timedelta

        later = datetime.now(UTC) + timedelta(seconds=1)
        claims = await asyncio.gather(*(db.claim_messages(later, 60, 5) for db in (a, b, a, b)))
        claimed = [message.id for claim in claims for message in claim]
        assert len(claimed) == len(set(claimed)) == 12  # none twice, none left behind
        assert set(claimed) == ids
        assert all(
            message.status == "sending" and message.attempts == 1 for c in claims for message in c
        )
        assert await b.claim_messages(later, 60, 5) == []  # leased
        expired = later + timedelta(seconds=61)
        again = await asyncio.gather(
            a.claim_messages(expired, 60, 20), b.claim_messages(expired, 60, 20)
        )
        assert sorted(m.id for claim in again for m in claim) == sorted(ids)  # at least once

    contract(scenario)
