"""SQL for the accounts LTI launches make (issue #17): part of the storage layer.

An account is tied to the pair (issuer, subject) of a platform's user, never to an
e-mail address; its own address is a placeholder. The link keeps what the platform
last sent: its e-mail claim, for the record and the data export, and its name claim,
so that a later launch renames the account only when the platform's name changes
(a name the learner set on « Mon compte » holds until then). The account's
deletion removes the link (server/storage/personal.py), so a later launch starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.storage.base import Database

_LIVE = "JOIN users u ON u.id = a.user_id WHERE u.deleted_at IS NULL"


@dataclass(frozen=True)
class LtiAccount:
    """A live account a platform's user launched into, with what the platform last sent."""

    user_id: int
    name: str  # the platform's name claim, cleaned, as last stored
    email: str  # the platform's e-mail claim, as last stored ('' if never sent)


@dataclass(frozen=True)
class LtiIdentity:
    """Where an account comes from, for « Mon compte », its deletion and the export."""

    issuer: str
    subject: str
    email: str  # the platform's e-mail claim ('' if never sent)
    platform_name: str  # as registered on /admin/lti ('' if unnamed or removed)


class LtiAccountQueries(Database):
    """The accounts of platform users: made at a first launch, refreshed by later ones."""

    async def lti_user(self, issuer: str, subject: str) -> int | None:
        """The account a platform's user launched into before, unless it was deleted."""
        found = await self.lti_account(issuer, subject)
        return None if found is None else found.user_id

    async def lti_account(self, issuer: str, subject: str) -> LtiAccount | None:
        """The live account of (issuer, subject), with the claims its link holds."""
        row = await self._one(
            f"SELECT a.user_id, a.name, a.email FROM lti_accounts a {_LIVE}"
            " AND a.issuer = ? AND a.subject = ?",
            (issuer, subject),
        )
        return None if row is None else LtiAccount(int(row[0]), row[1], row[2])

    async def lti_identity(self, user_id: int) -> LtiIdentity | None:
        """The platform a live account was launched from; None for a local account."""
        row = await self._one(
            "SELECT a.issuer, a.subject, a.email, COALESCE((SELECT p.name FROM lti_platforms p"
            " WHERE p.issuer = a.issuer AND p.name <> '' ORDER BY p.id LIMIT 1), '')"
            f" FROM lti_accounts a {_LIVE} AND a.user_id = ?",
            (user_id,),
        )
        return None if row is None else LtiIdentity(row[0], row[1], row[2], row[3])

    async def create_lti_user(
        self, issuer: str, subject: str, placeholder: str, name: str, email: str, at: str
    ) -> int:
        """The account of (issuer, subject): made now with no password, unless a launch
        at the same moment made it first. `placeholder` is its own unique address."""
        p = {"iss": issuer, "sub": subject, "addr": placeholder, "name": name}
        p |= {"email": email, "at": at}
        linked = (
            "SELECT 1 FROM lti_accounts a JOIN users u ON u.id = a.user_id"
            " WHERE a.issuer = :iss AND a.subject = :sub AND u.deleted_at IS NULL"
        )
        results = await self._serialized(
            f"lti-account:{issuer}\n{subject}",
            [
                (
                    "INSERT INTO users (email, name, password_hash, created_at)"
                    f" SELECT :addr, :name, '', :at WHERE NOT EXISTS ({linked})",
                    p,
                ),
                (
                    "INSERT INTO lti_accounts (issuer, subject, user_id, name, email, created_at)"
                    " SELECT :iss, :sub, id, :name, :email, :at FROM users WHERE email = :addr"
                    " ON CONFLICT (issuer, subject) DO UPDATE SET user_id = excluded.user_id,"
                    " name = excluded.name, email = excluded.email,"
                    " created_at = excluded.created_at",
                    p,
                ),
                (
                    "SELECT user_id FROM lti_accounts WHERE issuer = :iss AND subject = :sub",
                    p,
                ),
            ],
        )
        return int(results[-1][0]["user_id"])

    async def lti_relaunched(
        self,
        user_id: int,
        issuer: str,
        subject: str,
        at: str,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> None:
        """A later launch, in one transaction: the account is active again (an inactivity
        warning void, as at a sign-in); a new name claim renames it, a new e-mail claim
        replaces the stored one. None: the claim did not change (or was not sent)."""
        p = {"id": user_id, "iss": issuer, "sub": subject, "at": at}
        p |= {"name": name, "email": email}
        steps: list = []
        if name is not None or email is not None:
            steps.append(
                (
                    "UPDATE lti_accounts SET name = COALESCE(:name, name),"
                    " email = COALESCE(:email, email) WHERE issuer = :iss AND subject = :sub",
                    p,
                )
            )
        steps.append(
            (
                "UPDATE users SET name = COALESCE(:name, name), last_seen_at = :at,"
                " inactivity_warned_at = NULL WHERE id = :id AND deleted_at IS NULL",
                p,
            )
        )
        await self._transaction(steps)
