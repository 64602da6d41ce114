"""SQL for LTI 1.3 (issue #17): platforms, OIDC logins, registration links.

The login's state is stored hashed; its nonce is used once, by the one UPDATE that
marks it, so a replayed launch fails on every instance sharing the database. The
accounts launches make: server/storage/lti_accounts.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.storage.base import Database


@dataclass(frozen=True)
class LtiPlatform:
    """A platform registered by hand (issuer, client id and its endpoints)."""

    id: int
    issuer: str
    client_id: str
    name: str
    auth_url: str
    token_url: str
    keyset_url: str
    deployments: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class LtiLogin:
    """An OIDC login the tool started: what the launch must match."""

    platform_id: int
    nonce: str
    params: dict[str, str]
    used: bool
    expired: bool
    storage_target: str | None = None  # started in the platform's frame: postMessage storage


_PLATFORM = (
    "SELECT p.id, p.issuer, p.client_id, p.name, p.auth_url, p.token_url, p.keyset_url,"
    " p.created_at, (SELECT group_concat(d.deployment_id, char(10)) FROM lti_deployments d"
    " WHERE d.platform_id = p.id) AS deployments FROM lti_platforms p"
)


def _platform(row: Any) -> LtiPlatform:
    deployments = (
        tuple(sorted((row["deployments"] or "").split("\n"))) if row["deployments"] else ()
    )
    return LtiPlatform(
        row["id"],
        row["issuer"],
        row["client_id"],
        row["name"],
        row["auth_url"],
        row["token_url"],
        row["keyset_url"],
        deployments,
        row["created_at"],
    )


class LtiQueries(Database):
    """Registered platforms, logins in progress and Dynamic Registration links."""

    async def add_lti_platform(self, platform: LtiPlatform) -> int | None:
        """The new platform's id, or None when its (issuer, client id) is already there."""
        p = {
            "issuer": platform.issuer,
            "client": platform.client_id,
            "name": platform.name,
            "auth": platform.auth_url,
            "token": platform.token_url,
            "keyset": platform.keyset_url,
            "at": platform.created_at,
        }
        rows = await self._write(
            "INSERT INTO lti_platforms (issuer, client_id, name, auth_url, token_url,"
            " keyset_url, created_at) VALUES (:issuer, :client, :name, :auth, :token,"
            " :keyset, :at) ON CONFLICT (issuer, client_id) DO NOTHING RETURNING id",
            p,
        )
        if not rows:
            return None
        platform_id = int(rows[0]["id"])
        await self.set_lti_deployments(platform_id, platform.deployments)
        return platform_id

    async def set_lti_deployments(self, platform_id: int, deployments: tuple[str, ...]) -> None:
        """The deployment ids a platform may launch from, replacing the former ones."""
        steps: list = [("DELETE FROM lti_deployments WHERE platform_id = ?", (platform_id,))]
        steps += [
            (
                "INSERT INTO lti_deployments (platform_id, deployment_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (platform_id, deployment),
            )
            for deployment in deployments
        ]
        await self._transaction(steps)

    async def lti_platforms(self, issuer: str | None = None) -> list[LtiPlatform]:
        """Every registered platform, or those of one issuer, oldest first."""
        if issuer is None:
            rows = await self._all(f"{_PLATFORM} ORDER BY p.id")
        else:
            rows = await self._all(f"{_PLATFORM} WHERE p.issuer = ? ORDER BY p.id", (issuer,))
        return [_platform(row) for row in rows]

    async def lti_platform(self, platform_id: int) -> LtiPlatform | None:
        row = await self._one(f"{_PLATFORM} WHERE p.id = ?", (platform_id,))
        return None if row is None else _platform(row)

    async def remove_lti_platform(self, platform_id: int) -> bool:
        """Forget a platform: its launches stop; the accounts they made stay."""
        rows = await self._write(
            "DELETE FROM lti_platforms WHERE id = ? RETURNING id", (platform_id,)
        )
        return bool(rows)

    async def start_lti_login(
        self,
        state_hash: str,
        nonce: str,
        platform_id: int,
        params: dict[str, str],
        expires_at: str,
        at: str,
        storage_target: str | None = None,
    ) -> None:
        """Record a login the tool sent to the platform; expired ones are cleared on the way.
        `storage_target` names the platform's postMessage storage the state went to, for a
        login started inside its frame (the launch then proves the browser without cookie)."""
        await self._transaction(
            [
                ("DELETE FROM lti_logins WHERE expires_at < ?", (at,)),
                (
                    "INSERT INTO lti_logins (state_hash, nonce, platform_id, login_params,"
                    " expires_at, storage_target) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        state_hash,
                        nonce,
                        platform_id,
                        json.dumps(params),
                        expires_at,
                        storage_target,
                    ),
                ),
            ]
        )

    async def lti_login(self, state_hash: str, at: str) -> LtiLogin | None:
        """A login as recorded, without using it: to say why a launch is refused."""
        row = await self._one(
            "SELECT platform_id, nonce, login_params, used_at, expires_at, storage_target"
            " FROM lti_logins WHERE state_hash = ?",
            (state_hash,),
        )
        if row is None:
            return None
        return LtiLogin(
            row["platform_id"],
            row["nonce"],
            json.loads(row["login_params"]),
            row["used_at"] is not None,
            row["expires_at"] < at,
            row["storage_target"],
        )

    async def use_lti_login(self, state_hash: str, nonce: str, at: str) -> bool:
        """Mark the login used, if it is unused, unexpired and has this nonce: once only."""
        rows = await self._write_if_any(
            "UPDATE lti_logins SET used_at = ? WHERE state_hash = ? AND nonce = ?"
            " AND used_at IS NULL AND expires_at >= ? RETURNING platform_id",
            (at, state_hash, nonce, at),
        )
        return bool(rows)

    async def open_lti_login(self, state_hash: str, at: str) -> bool:
        """Spend the one-time ticket of a used, unexpired storage-mode launch: once only,
        by the one UPDATE that marks it, so a ticket opens the course in one window."""
        rows = await self._write_if_any(
            "UPDATE lti_logins SET opened_at = ? WHERE state_hash = ? AND used_at IS NOT NULL"
            " AND opened_at IS NULL AND storage_target IS NOT NULL AND expires_at >= ?"
            " RETURNING platform_id",
            (at, state_hash, at),
        )
        return bool(rows)

    async def add_lti_registration_link(
        self, token_hash: str, created_at: str, expires_at: str
    ) -> None:
        """A one-time Dynamic Registration link; expired ones are cleared on the way."""
        await self._transaction(
            [
                (
                    "DELETE FROM lti_registration_links WHERE expires_at < ?",
                    (created_at,),
                ),
                (
                    "INSERT INTO lti_registration_links (token_hash, created_at, expires_at)"
                    " VALUES (?, ?, ?)",
                    (token_hash, created_at, expires_at),
                ),
            ]
        )

    async def claim_lti_registration_link(self, token_hash: str, at: str) -> str:
        """Use a registration link: "ok" once, by the one UPDATE that marks it (so two
        platforms racing on one link cannot both register), else "unknown", "used" or
        "expired", to say why."""
        rows = await self._write_if_any(
            "UPDATE lti_registration_links SET used_at = ? WHERE token_hash = ?"
            " AND used_at IS NULL AND expires_at >= ? RETURNING token_hash",
            (at, token_hash, at),
        )
        if rows:
            return "ok"
        row = await self._one(
            "SELECT used_at FROM lti_registration_links WHERE token_hash = ?", (token_hash,)
        )
        if row is None:
            return "unknown"
        return "used" if row["used_at"] is not None else "expired"

    async def release_lti_registration_link(self, token_hash: str) -> None:
        """Give back a claimed link whose registration failed: the platform may try again."""
        await self._write(
            "UPDATE lti_registration_links SET used_at = NULL WHERE token_hash = ?",
            (token_hash,),
        )
