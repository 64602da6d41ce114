"""The LTI storage contract (issue #17), on both backends: platforms unique per (issuer,
client id), a login's nonce used once whichever instance sees the launch, and one account
per platform user even when two launches race."""

from __future__ import annotations

import asyncio

from server.clock import now
from server.storage import Storage
from server.storage.lti import LtiPlatform
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)

FUTURE = "2999-01-01T00:00:00Z"


def platform(issuer: str = "https://moodle.example.org", client: str = "abc") -> LtiPlatform:
    return LtiPlatform(
        0,
        issuer,
        client,
        "Moodle",
        f"{issuer}/mod/lti/auth.php",
        f"{issuer}/mod/lti/token.php",
        f"{issuer}/mod/lti/certs.php",
        ("1", "7"),
        now(),
    )


def test_platforms_are_unique_and_removable(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        first = await a.add_lti_platform(platform())
        assert first is not None
        assert await b.add_lti_platform(platform()) is None  # same issuer and client id
        other = await b.add_lti_platform(platform(client="xyz"))
        assert other is not None and other != first
        found = await b.lti_platforms("https://moodle.example.org")
        assert [p.id for p in found] == [first, other]
        assert found[0].deployments == ("1", "7")
        await a.set_lti_deployments(first, ("9",))
        assert (await b.lti_platform(first)).deployments == ("9",)  # type: ignore[union-attr]
        assert await a.lti_platforms("https://ailleurs.example.org") == []
        assert await b.remove_lti_platform(first)
        assert not await a.remove_lti_platform(first)
        assert [p.id for p in await a.lti_platforms()] == [other]

    contract(scenario)


def test_a_login_is_used_once_across_instances(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        platform_id = await a.add_lti_platform(platform())
        assert platform_id is not None
        params = {"iss": "https://moodle.example.org", "login_hint": "42"}
        await a.start_lti_login("state-1", "nonce-1", platform_id, params, FUTURE, now())
        login = await b.lti_login("state-1", now())
        assert login is not None and login.params == params and not login.used
        assert not await b.use_lti_login("state-1", "another-nonce", now())
        used = await asyncio.gather(
            *(db.use_lti_login("state-1", "nonce-1", now()) for db in (a, b, a, b))
        )
        assert sorted(used) == [False, False, False, True]
        assert (await a.lti_login("state-1", now())).used  # type: ignore[union-attr]
        # An expired login cannot be used, and the next login clears it away.
        past = "2000-01-01T00:00:00Z"
        await a.start_lti_login("state-2", "nonce-2", platform_id, params, past, now())
        assert (await b.lti_login("state-2", now())).expired  # type: ignore[union-attr]
        assert not await b.use_lti_login("state-2", "nonce-2", now())
        await b.start_lti_login("state-3", "nonce-3", platform_id, params, FUTURE, now())
        assert await a.lti_login("state-2", now()) is None

    contract(scenario)


def test_one_account_per_platform_user_and_never_an_existing_one(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        local_id, _ = await learner(a, "lea@example.fr")
        iss = "https://moodle.example.org"
        assert await a.lti_user(iss, "sub-1") is None
        made = await asyncio.gather(
            a.create_lti_user(iss, "sub-1", "lti-a@lti.invalid", "Léa", "lea@example.fr", now()),
            b.create_lti_user(iss, "sub-1", "lti-b@lti.invalid", "Léa", "lea@example.fr", now()),
        )
        assert made[0] == made[1] != local_id  # one account, not the local one of that e-mail
        assert await b.lti_user(iss, "sub-1") == made[0]
        assert await a.lti_user("https://autre.example.org", "sub-1") is None
        (exported,) = (await b.personal_data(made[0]))["platform_accounts"]
        assert (exported["issuer"], exported["subject"]) == (iss, "sub-1")
        assert exported["email"] == "lea@example.fr"
        # A deleted account is not launched into again: the next launch makes a new one.
        assert await a.delete_account(made[0], now(), None)
        assert await b.lti_user(iss, "sub-1") is None
        again = await b.create_lti_user(iss, "sub-1", "lti-c@lti.invalid", "Léa", "", now())
        assert again not in (made[0], local_id)
        assert await a.lti_user(iss, "sub-1") == again

    contract(scenario)


def test_a_registration_link_is_claimed_once_across_instances(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        at = now()
        await a.add_lti_registration_link("link-1", at, FUTURE)
        await a.add_lti_registration_link("link-old", "2000-01-01T00:00:00+00:00", at)
        claims = await asyncio.gather(
            a.claim_lti_registration_link("link-1", at),
            b.claim_lti_registration_link("link-1", at),
        )
        assert sorted(claims) == ["ok", "used"]  # two platforms racing: one registers
        assert await b.claim_lti_registration_link("link-1", at) == "used"
        await b.release_lti_registration_link("link-1")  # its registration failed
        assert await a.claim_lti_registration_link("link-1", at) == "ok"
        assert await a.claim_lti_registration_link("link-old", FUTURE) == "expired"
        assert await b.claim_lti_registration_link("never-made", at) == "unknown"
        # Making a link clears the expired ones.
        await b.add_lti_registration_link("link-2", FUTURE, "3000-01-01T00:00:00Z")
        assert await a.claim_lti_registration_link("link-old", FUTURE) == "unknown"

    contract(scenario)
