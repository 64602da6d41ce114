"""The platform courses' cohorts (issue #17 §3), on both backends: one cohort per
(platform, context) even when launches race on two instances, its details kept up to
date, and the roster import's bulk memberships counted as new or already there."""

from __future__ import annotations

import asyncio

from server.clock import now
from server.storage import Storage
from server.storage.lti_contexts import RosterCounts
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)
from tests.test_storage_contract_lti import platform

ISS = "https://moodle.example.org"
URL = "https://moodle.example.org/mod/lti/services.php/2/memberships"


def test_two_launches_at_once_create_one_cohort(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        made = await asyncio.gather(
            *(
                db.lti_context_cohort(
                    platform_id,
                    "cours-3",
                    "Coopérer",
                    URL,
                    (f"Cours {n}", "1h", f"code-{n}"),
                    now(),
                )
                for n, db in enumerate((a, b, a, b))
            )
        )
        assert len(set(made)) == 1
        stray = [await a.cohort_by_code(f"code-{n}") for n in range(4)]
        assert sum(c is not None for c in stray) == 1  # no cohort left over by a loser
        cohort = await b.cohort(made[0])
        assert cohort is not None and cohort.path_id == "1h" and cohort.name.startswith("Cours ")
        assert await a.cohort_trainers(made[0]) == []  # the creator is no trainer by itself
        # Another course of the same platform has its own cohort; so does another platform.
        other = await a.lti_context_cohort(platform_id, "cours-4", "", "", ("B", "1h", "x"), now())
        second = await a.add_lti_platform(platform(client="xyz"))
        assert second is not None
        third = await b.lti_context_cohort(second, "cours-3", "", "", ("C", "1h", "y"), now())
        assert len({made[0], other, third}) == 3
        # A later launch renames the context and keeps the URL it does not carry.
        again = await b.lti_context_cohort(
            platform_id, "cours-3", "Coopérer 2027", "", ("D", "4h", "z"), now()
        )
        assert again == made[0]
        found = await a.lti_context_of_cohort(made[0])
        assert found is not None and found.title == "Coopérer 2027"
        assert found.memberships_url == URL and found.issuer == ISS
        assert found.roster_at is None and found.roster == RosterCounts()
        assert (await a.cohort(made[0])).path_id == "1h"  # type: ignore[union-attr]
        assert await a.cohort_by_code("z") is None  # no stray cohort was made
        assert await b.lti_context_of_cohort(other + third + made[0]) is None

    contract(scenario)


def test_roster_memberships_are_counted_once(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        cohort_id = await a.lti_context_cohort(platform_id, "c", "T", URL, ("T", "1h", "k"), now())
        ids = [
            await a.create_lti_user(ISS, f"sub-{n}", f"lti-{n}@lti.invalid", "X", "", now())
            for n in range(3)
        ]
        assert await a.lti_users(ISS, ["sub-0", "sub-2", "inconnu"]) == {
            "sub-0": ids[0],
            "sub-2": ids[2],
        }
        assert await b.lti_users("https://ailleurs.example.org", ["sub-0"]) == {}
        assert await a.add_cohort_learners(cohort_id, "1h", ids[:2], now()) == 2
        assert await b.add_cohort_learners(cohort_id, "1h", ids[:2], now()) == 0
        assert await b.enrolments(ids[1]) == {"1h"}
        assert await b.add_cohort_trainers(cohort_id, [ids[2]]) == 1
        assert await a.add_cohort_trainers(cohort_id, [ids[2]]) == 0
        assert (await a.trainer_cohort(cohort_id, ids[2])) is not None
        await b.drop_cohort_trainer(cohort_id, ids[2])
        assert (await a.trainer_cohort(cohort_id, ids[2])) is None
        counts = RosterCounts(read=4, added=2, already=1, skipped=1, inactive=1)
        await a.record_roster_import(cohort_id, "2026-11-27T10:00:00Z", counts, None)
        found = await b.lti_context_of_cohort(cohort_id)
        assert found is not None and found.roster == counts and found.roster_error is None
        await b.record_roster_import(cohort_id, now(), RosterCounts(), "hors service")
        assert (await a.lti_context_of_cohort(cohort_id)).roster_error == "hors service"  # type: ignore[union-attr]

    contract(scenario)
