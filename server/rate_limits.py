"""Limits on the account forms that cost a message or reveal an address.

Counted in the database (`rate_events`, server/storage/rates.py), so that they
hold across workers and restarts. Each limit is a number of events over a
sliding window; an event over the limit is refused (nothing recorded) and the
person is told how long to wait.

- Sign-ups per client address: the sign-up form says when an address already
  has an account (learners start at once), so it must not be a cheap oracle.
  A training room signs up together behind one address: 30 an hour, not 10.
- Password-reset requests per client address (a script trying addresses) and
  per e-mail (a mailbox flooded by someone else's requests).
- « Renvoyer le lien » and changes of address per account.
- The « someone tried to sign up with your address » message, per address.
- LTI logins and launches per client address (issue #17): a cheap way to make the site
  write a login row and fetch a platform's keyset. A classroom behind one address
  launches 30 learners at once, each a login and up to three launch steps: 300 each
  per 10 minutes, counted apart (`login:` and `launch:` keys).
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
class Limit:
    count: int
    window: float  # seconds


@dataclass(frozen=True)
class AccountLimits:
    signup_per_address: Limit = Limit(30, 60 * 60)
    signup_notice_per_email: Limit = Limit(1, 60 * 60)
    reset_per_address: Limit = Limit(5, 15 * 60)
    reset_per_email: Limit = Limit(3, 60 * 60)
    confirm_per_account: Limit = Limit(3, 60 * 60)
    lti_per_address: Limit = Limit(300, 10 * 60)
    clock: Callable[[], float] = time.time

    async def reserve(self, storage: Storage, bucket: str, key: str) -> int:
        """0 when the event is recorded and may go ahead, else seconds to wait (≥ 1)."""
        limit: Limit = getattr(self, bucket)
        wait = await storage.reserve_rate(bucket, key, self.clock(), limit.count, limit.window)
        return 0 if wait <= 0 else max(1, math.ceil(wait))


def unlimited() -> AccountLimits:
    """For tests that send many forms from one address (the fuzz, the access matrix)."""
    many = Limit(10**9, 1.0)
    return AccountLimits(many, many, many, many, many, many)


def wait_text(seconds: int) -> str:
    """« 12 minutes », « 40 secondes »: rounded up to what a person reads."""
    if seconds < 60:
        return f"{seconds}\u00a0seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes}\u00a0minute{'s' if minutes > 1 else ''}"
