"""Quiz submissions are bounded per learner and module (issue #12, item 5)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from server.attempt_limits import AttemptLimits
from server.state import app_state
from server.storage import SqliteStorage
from server.views.quiz import too_soon_message
from tests.conftest import Learner
from tests.sql import value, write

INTRO = "/paths/1h/intro"
WRONG = {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "vrai"}


def attempts(client: TestClient) -> int:
    return value(client, "SELECT COUNT(*) FROM attempts")


def test_the_defaults_allow_a_person_and_stop_a_script() -> None:
    limits = AttemptLimits()
    assert limits.per_window >= 3 and limits.window_seconds >= 30 and limits.per_day <= 100


def test_retry_after_waits_for_the_oldest_attempt_to_leave_the_window() -> None:
    limits = AttemptLimits(window_seconds=60, per_window=2, per_day=10)
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    stamp = lambda seconds: (now - timedelta(seconds=seconds)).isoformat()  # noqa: E731
    assert limits.retry_after([stamp(50)], now) == 0
    assert limits.retry_after([stamp(50), stamp(10)], now) == 11  # 10 s left, rounded up
    day = [stamp(3600 * h) for h in range(1, 11)]  # ten in the last ten hours
    assert limits.retry_after(day, now) == 14 * 3600 + 1  # the one 10 h ago leaves in 14 h


def test_too_many_quick_attempts_get_429_and_keep_the_answers(
    client: TestClient, learner: Learner
) -> None:
    app_state(client.app).attempt_limits = AttemptLimits(
        window_seconds=60, per_window=2, per_day=10
    )
    for _ in range(2):
        assert learner.quiz(INTRO, WRONG).status_code == 200
    token = learner.attempt(INTRO)
    refused = learner.post(INTRO, {"tentative": token, **WRONG})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 61
    assert "Trop de tentatives rapprochées pour ce quiz\u00a0:" in refused.text
    assert 'value="b" checked' in refused.text  # the ticked answers are kept
    assert f'name="tentative" value="{token}"' in refused.text  # the same attempt, to send later
    assert attempts(client) == 2  # nothing stored


def test_the_daily_ceiling_holds_after_the_short_window(
    client: TestClient, learner: Learner
) -> None:
    app_state(client.app).attempt_limits = AttemptLimits(window_seconds=60, per_window=5, per_day=3)
    for _ in range(3):
        learner.quiz(INTRO, WRONG)
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds")
    write(client, "UPDATE attempts SET created_at = ?", (two_hours_ago,))  # as if earlier today
    refused = learner.post(INTRO, {"tentative": learner.attempt(INTRO), **WRONG})
    assert refused.status_code == 429
    assert 21 * 3600 < int(refused.headers["retry-after"]) <= 22 * 3600 + 1
    assert "dans environ 22\u00a0heures" in refused.text
    assert attempts(client) == 3


def test_the_site_limits_by_default(client: TestClient, learner: Learner) -> None:
    limits: AttemptLimits = app_state(client.app).attempt_limits
    assert limits == AttemptLimits()
    statuses = [
        learner.post(INTRO, {"tentative": learner.attempt(INTRO), **WRONG}).status_code
        for _ in range(limits.per_window + 1)
    ]
    assert statuses == [303] * limits.per_window + [429]


def test_parallel_submissions_cannot_pass_the_limit_together(tmp_path: Path) -> None:
    async def scenario() -> int:
        storage = SqliteStorage(tmp_path / "t.db")
        await storage.open()
        user = await storage.create_user("a@example.fr", "A", "x")
        assert user is not None
        await storage.create_session(user.id, "live", days=1)
        limits = AttemptLimits(window_seconds=60, per_window=3, per_day=10)
        stored = await asyncio.gather(
            *(
                storage.record_attempt("live", "1h", "m", 10, False, {}, "v", limits=limits)
                for _ in range(12)
            )
        )
        other = await storage.record_attempt("live", "1h", "n", 10, False, {}, "v", limits=limits)
        await storage.close()
        assert other is not None  # the limit is per module
        return sum(attempt is not None for attempt in stored)

    assert asyncio.run(scenario()) == 3


def test_the_wait_reads_in_seconds_minutes_or_hours() -> None:
    assert too_soon_message(1).endswith("dans 1\u00a0seconde.")
    assert too_soon_message(45).endswith("dans 45\u00a0secondes.")
    assert too_soon_message(600).endswith("dans environ 10\u00a0minutes.")
    assert too_soon_message(5 * 3600).endswith("dans environ 5\u00a0heures.")
