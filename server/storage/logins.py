"""SQL for the login throttle: part of the storage layer.

Mixed into `server.storage.Storage`. An attempt is reserved (recorded) by the
same statement that decides whether it may go ahead, before its password is
checked: the writer connection runs statements one at a time, so concurrent
guesses each see the ones reserved before them and cannot overtake the limit.
The rule itself (how many free attempts, how the delay grows) is the
throttle's, in server/throttle.py; it is computed here, in SQL, so that the
decision and the record are one write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.storage.base import Database

if TYPE_CHECKING:
    from server.throttle import LoginLimits

# Seconds to wait before the next attempt: for each scope (the account from this
# address, the address, the account), nothing while its recent attempts are
# fewer than its free allowance, then `base` doubled for each attempt beyond it,
# counted from its latest attempt, at most `cap`.
_WAIT = """
WITH scope(n, latest, free) AS (
    SELECT count(*), max(at), :pair_free FROM login_attempts
     WHERE address = :address AND account = :account AND at > :since
    UNION ALL
    SELECT count(*), max(at), :address_free FROM login_attempts
     WHERE address = :address AND at > :since
    UNION ALL
    SELECT count(*), max(at), :account_free FROM login_attempts
     WHERE account = :account AND at > :since
), wait(seconds) AS (
    SELECT max(CASE WHEN n < free THEN 0.0
                    ELSE latest + min(:base * (1 << CAST(min(n - free, 30) AS INTEGER)),
                                      :cap) - :now END)
      FROM scope
)
"""


def _params(address: str, account: str, now: float, limits: LoginLimits) -> dict[str, object]:
    return {
        "address": address,
        "account": account,
        "now": now,
        "since": now - limits.window,
        "pair_free": limits.pair_free,
        "address_free": limits.address_free,
        "account_free": limits.account_free,
        "base": limits.base_delay,
        "cap": limits.max_delay,
    }


class LoginQueries(Database):
    """Recent login attempts per client address and account."""

    async def reserve_login(
        self, address: str, account: str, now: float, limits: LoginLimits
    ) -> bool:
        """Record an attempt if the limits allow one now; False (nothing recorded) if not."""
        # One key for every login: the address and the account scopes cross each other.
        (rows,) = await self._serialized(
            "login",
            [
                (
                    _WAIT + "INSERT INTO login_attempts (address, account, at)"
                    " SELECT :address, :account, :now FROM wait WHERE seconds <= 0 RETURNING id",
                    _params(address, account, now, limits),
                )
            ],
        )
        return bool(rows)

    async def login_wait(
        self, address: str, account: str, now: float, limits: LoginLimits
    ) -> float:
        """Seconds before this address may try this account again (0 or less: now)."""
        rows = await self._all(
            _WAIT + "SELECT seconds FROM wait",
            _params(address, account, now, limits),
        )
        return float(rows[0][0]) if rows else 0.0

    async def login_succeeded(self, address: str, account: str) -> None:
        """The account's owner is back: their earlier failures from here no longer count."""
        await self._write(
            "DELETE FROM login_attempts WHERE address = ? AND account = ?", (address, account)
        )

    async def forget_login_attempts(self, before: float) -> None:
        """Attempts older than the throttle's window count no more: drop them."""
        await self._write("DELETE FROM login_attempts WHERE at <= ?", (before,))
