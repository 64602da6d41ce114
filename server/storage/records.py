"""The records the rest of the code reads from storage, free of SQL.

Views, the mail sender and the CLI import these, never a backend module: both
backends (server/storage/sqlite.py, server/storage/postgres.py) return them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

from server.mail.compose import Message

ROLES = ("trainer", "editor", "admin")  # the roles an account may hold besides learning

# What following a confirmation link did.
Confirmation = Literal["confirmed", "changed", "taken", "invalid"]

# One statement of a transaction: SQL and its parameters (by position or by name).
Step = tuple[str, tuple | Mapping[str, object]]


class Row(Protocol):
    """A result row, read by position, by column name or as a mapping (both backends)."""

    def __getitem__(self, key: Any) -> Any: ...
    def keys(self) -> Any: ...


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    roles: frozenset[str] = frozenset()
    # When the session that found this user was last marked as seen (set by the
    # session queries only): server/web.py refreshes the mark once it is an hour old.
    session_seen_at: str | None = field(default=None, compare=False, repr=False)

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class RecordedAttempt:
    """An attempt just stored, with what the certificate rule needs after a pass."""

    id: int
    user_id: int
    learner_name: str | None  # read for a pass only
    completed: frozenset[str]  # modules completed once this attempt counted (pass only)
    graded_by_platform: bool = False  # an LTI launch asked for grades (issue #17 §3)


@dataclass(frozen=True)
class LastAttempt:
    """What the result page needs to show an attempt as the learner saw it."""

    answers: dict[str, list[str]]
    number: int | None  # None: recorded before options were shuffled
    passed: bool


class MemberRow(NamedTuple):
    """One learner of a cohort: progress maps module -> (attempts, best, completed_at)."""

    user_id: int
    name: str
    email: str
    joined_at: str
    plan_shared: bool
    last_activity: str | None
    progress: dict[str, tuple[int, int | None, str | None]]
    deleted: bool = False  # the account was deleted: its row stays, nameless
    email_confirmed: bool = True  # the learner followed the link sent to their address


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    path_id: str
    due_date: str | None
    join_code: str
    join_enabled: bool
    archived_at: str | None
    members: int = 0


@dataclass(frozen=True)
class ActiveSession:
    """One signed-in browser. The token hash stays server-side: pages show a public id."""

    token_hash: str
    user_agent: str
    created_at: str
    last_seen_at: str | None


@dataclass(frozen=True)
class Profile:
    """What the account page shows of the account itself."""

    email: str
    email_confirmed_at: str | None
    created_at: str


@dataclass(frozen=True)
class OutboxMessage:
    """A row of the outbox: what the sender sends and the admin page lists."""

    id: int
    kind: str
    recipient: str
    recipient_name: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    secret: bool
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    sent_at: str | None


@dataclass(frozen=True)
class InactiveAccount:
    id: int
    email: str
    name: str
    last_seen_at: str


@dataclass(frozen=True)
class Send:
    """One reminder or digest to record: whom, which rule for which period, the message."""

    user_id: int
    rule: str
    period: str
    message: Message
    sent_by: int | None = None


@dataclass(frozen=True)
class ReminderRules:
    """A cohort's automatic reminders, in days (None: off), and its trainers' digest."""

    not_started_days: int | None = None
    inactive_days: int | None = None
    before_due_days: int | None = None
    digest: bool = False


@dataclass(frozen=True)
class AddressStatus:
    """The account's address, whether it is confirmed, and a change waiting for its link."""

    email: str
    confirmed_at: str | None
    pending: str | None  # the new address of a change not confirmed yet
