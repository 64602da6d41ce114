"""Working stretches as both backends keep them (issue #18 §2): hits, heartbeats,
the data export and the erasure of an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from course.activity import Stretch
from server import clock
from server.storage import Storage
from tests.test_storage_contract import contract, learner  # noqa: F401 (the fixture)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return clock.stamp(T0 + timedelta(minutes=minutes))


def stretch(module_id: str, start: float, last: float) -> Stretch:
    return Stretch(module_id, T0 + timedelta(minutes=start), T0 + timedelta(minutes=last))


def test_hits_extend_a_stretch_until_the_idle_cutoff(contract) -> None:  # noqa: F811
    async def scenario(db: Storage, other: Storage) -> None:
        user_id, _ = await learner(db)
        await db.record_hits([(user_id, "intro", at(0), at(2))])
        await other.record_hits([(user_id, "intro", at(9), at(12))])  # 7 min later: extends
        await db.record_hits([(user_id, "intro", at(5), at(5))])  # a late request: no change
        await other.record_hits([(user_id, "intro", at(23), at(23))])  # 11 min later: new
        await db.record_hits([(user_id, "acteurs", at(3), at(4))])  # another module
        assert (await other.stretches_of([user_id, 999])) == {
            user_id: [
                stretch("intro", 0, 12),
                stretch("acteurs", 3, 4),
                stretch("intro", 23, 23),
            ],
            999: [],
        }

    contract(scenario)


def test_a_heartbeat_extends_the_current_stretch_only(contract) -> None:  # noqa: F811
    async def scenario(db: Storage, other: Storage) -> None:
        user_id, session = await learner(db)
        assert not await db.heartbeat(session, "intro")  # no page request: nothing starts
        await db.record_hits([(user_id, "intro", clock.now(), clock.now())])
        assert await other.heartbeat(session, "intro")
        assert not await other.heartbeat("another-session", "intro")
        assert not await db.heartbeat(session, "acteurs")
        (only,) = (await db.stretches_of([user_id]))[user_id]
        assert only.module_id == "intro"

    contract(scenario)


@pytest.mark.parametrize("kept", [False, True])
def test_stretches_are_exported_and_go_with_the_account(contract, kept: bool) -> None:  # noqa: F811
    async def scenario(db: Storage, other: Storage) -> None:
        user_id, _ = await learner(db)
        await db.record_hits([(user_id, "intro", at(0), at(3))])
        exported = (await other.personal_data(user_id))["activity"]
        assert exported == [{"module_id": "intro", "started_at": at(0), "last_at": at(3)}]
        purge = clock.stamp(clock.moment() + timedelta(days=365)) if kept else None
        assert await db.delete_account(user_id, clock.now(), purge)
        left = (await other.stretches_of([user_id]))[user_id]
        assert left == ([stretch("intro", 0, 3)] if kept else [])
        if kept:  # pseudonymised evidence, then purged once the retention ends
            await db.purge_due(clock.stamp(clock.moment() + timedelta(days=366)))
            assert (await other.stretches_of([user_id]))[user_id] == []

    contract(scenario)
