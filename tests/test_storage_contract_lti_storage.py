"""A launch inside the platform's frame (issue #17 §2; server/views/lti_storage.py), on
both backends: the login remembers that its state went to the platform's postMessage
storage, and the one-time ticket of its launch opens the course once, whichever instance
sees the clicks."""

from __future__ import annotations

import asyncio

from server.clock import now
from server.storage import Storage
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)
from tests.test_storage_contract_lti import FUTURE, platform


def test_a_storage_launch_ticket_opens_the_course_once(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        params = {"iss": "https://moodle.example.org", "login_hint": "42"}
        await a.start_lti_login(
            "framed", "nonce-f", platform_id, params, FUTURE, now(), storage_target="_parent"
        )
        await a.start_lti_login("cookie", "nonce-c", platform_id, params, FUTURE, now())
        framed, cookie = await b.lti_login("framed", now()), await b.lti_login("cookie", now())
        assert framed is not None and framed.storage_target == "_parent"
        assert cookie is not None and cookie.storage_target is None
        # Not before the launch used the login; never for a cookie login.
        assert not await b.open_lti_login("framed", now())
        assert await a.use_lti_login("framed", "nonce-f", now())
        assert await a.use_lti_login("cookie", "nonce-c", now())
        assert not await b.open_lti_login("cookie", now())
        opened = await asyncio.gather(*(db.open_lti_login("framed", now()) for db in (a, b, a, b)))
        assert sorted(opened) == [False, False, False, True]
        assert not await a.open_lti_login("unknown", now())
        # Nor once the login expired.
        past = "2000-01-01T00:00:00Z"
        await a.start_lti_login(
            "old", "nonce-o", platform_id, params, past, now(), storage_target="_parent"
        )
        assert not await b.open_lti_login("old", now())

    contract(scenario)
