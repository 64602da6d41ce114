"""The contract of the accounts LTI launches make (issue #17), on both backends: a later
launch renames the account or replaces the platform's e-mail only as told, in one
transaction; « Mon compte » learns where an account comes from."""

from __future__ import annotations

from server.clock import now
from server.storage import Storage
from server.storage.lti_accounts import LtiAccount, LtiIdentity
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)
from tests.test_storage_contract_lti import platform

ISS = "https://moodle.example.org"


async def user_row(db: Storage, user_id: int) -> tuple:
    """The account's name, last sign-in and inactivity warning, as stored."""
    sql = "SELECT name, last_seen_at, inactivity_warned_at FROM users WHERE id = ?"
    ((row,),) = await db._transaction([(sql, (user_id,))])
    return tuple(row)


def test_a_later_launch_refreshes_only_what_changed(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        user = await a.create_lti_user(ISS, "sub-1", "lti-1@lti.invalid", "Léa", "l@x.fr", now())
        assert await b.lti_account(ISS, "sub-1") == LtiAccount(user, "Léa", "l@x.fr")
        assert await b.lti_account(ISS, "sub-2") is None
        # Nothing changed: the account is active again, a warning void, the rest as it was.
        warned = "UPDATE users SET inactivity_warned_at = ? WHERE id = ?"
        await a._transaction([(warned, ("2029-01-01T00:00:00Z", user))])
        await b.lti_relaunched(user, ISS, "sub-1", "2030-01-01T00:00:00Z")
        assert await a.lti_account(ISS, "sub-1") == LtiAccount(user, "Léa", "l@x.fr")
        assert await user_row(a, user) == ("Léa", "2030-01-01T00:00:00Z", None)
        # A new e-mail claim alone leaves the account's name (perhaps set here) alone.
        await a.rename_user(user, "Léa M.")
        await b.lti_relaunched(user, ISS, "sub-1", now(), email="lea@y.fr")
        assert await a.lti_account(ISS, "sub-1") == LtiAccount(user, "Léa", "lea@y.fr")
        assert (await user_row(a, user))[0] == "Léa M."
        # A new name claim renames both.
        await b.lti_relaunched(user, ISS, "sub-1", now(), name="Léa Martin")
        assert await a.lti_account(ISS, "sub-1") == LtiAccount(user, "Léa Martin", "lea@y.fr")
        assert (await user_row(a, user))[0] == "Léa Martin"
        # A deleted account is neither found nor renamed.
        assert await a.delete_account(user, now())
        await b.lti_relaunched(user, ISS, "sub-1", now(), name="Léa Revenue")
        assert await a.lti_account(ISS, "sub-1") is None
        assert (await user_row(a, user))[0] == ""

    contract(scenario)


def test_an_account_knows_the_platform_it_comes_from(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        local_id, _ = await learner(a, "lea@example.fr")
        assert await b.lti_identity(local_id) is None
        user = await a.create_lti_user(ISS, "sub-9", "lti-9@lti.invalid", "Ana", "", now())
        unnamed = LtiIdentity(ISS, "sub-9", "", "")
        assert await b.lti_identity(user) == unnamed  # its platform was not registered
        assert await a.add_lti_platform(platform(ISS)) is not None
        assert await b.lti_identity(user) == LtiIdentity(ISS, "sub-9", "", "Moodle")
        assert await a.delete_account(user, now())
        assert await b.lti_identity(user) is None

    contract(scenario)
