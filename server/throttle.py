"""Slow down password guessing, with growing delays rather than a hard lock.

Three scopes are counted over a sliding window, in the database (so the count
holds across workers and restarts, and concurrent guesses cannot race it):

- one account from one client address: a few free attempts, then delays that
  double with each further attempt;
- one client address, all accounts together: more free attempts (a shared
  office address), then the same growth; this stops one client from trying
  many accounts (password spraying);
- one account, all addresses together: a looser ceiling against a guesser
  spread over many addresses.

A victim signing in from their own address is only slowed by someone else's
failures once that ceiling is reached, and never for longer than `max_delay`.
A success clears the failures of its account from its address. The client
address is `request.client.host`: behind the trusted proxy (FORWARDED_ALLOW_IPS)
uvicorn has already put the forwarded address there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.storage import Storage


@dataclass(frozen=True)
class LoginLimits:
    pair_free: int = 5
    address_free: int = 20
    account_free: int = 50
    base_delay: float = 1.0  # seconds after the first attempt beyond the free ones
    max_delay: float = 15 * 60
    window: float = 60 * 60  # attempts older than this count no more and are deleted


class LoginThrottle:
    """Reserve an attempt before checking a password; say how long to wait if refused."""

    def __init__(
        self, limits: LoginLimits | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.limits = limits or LoginLimits()
        self.clock = clock

    async def reserve(self, storage: Storage, address: str, account: str) -> int:
        """0 when the attempt is recorded and may go ahead, else seconds to wait (≥ 1)."""
        now = self.clock()
        if await storage.reserve_login(address, account, now, self.limits):
            return 0
        wait = await storage.login_wait(address, account, now, self.limits)
        return max(1, math.ceil(wait))

    async def succeeded(self, storage: Storage, address: str, account: str) -> None:
        await storage.login_succeeded(address, account)

    async def failed(self, storage: Storage) -> None:
        """The attempt stays recorded; attempts past the window are dropped meanwhile."""
        await storage.forget_login_attempts(self.clock() - self.limits.window)


def wait_message(seconds: int) -> str:
    """How long to wait, in French, rounded up to what a person reads."""
    if seconds < 60:
        amount = f"{seconds}\u00a0seconde{'s' if seconds > 1 else ''}"
    else:
        minutes = -(-seconds // 60)
        amount = f"{minutes}\u00a0minute{'s' if minutes > 1 else ''}"
    return f"Trop de tentatives de connexion. Réessayez dans {amount}."
