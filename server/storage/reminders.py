"""SQL for reminders, digests and invitation messages: part of the storage layer.

Every message is recorded with the event that causes it, in one transaction
(`Storage._transaction`), and every limit is a condition of the statement that
records it, never a read beforehand: two clicks, two workers or two runs of the
rules serialise on SQLite's write lock (BEGIN IMMEDIATE), and the second finds
the first's row and records nothing.

A reminder is three statements: the `reminders` row, inserted only if the
person may receive it (confirmed address, account not deleted, reminders not
refused, no reminder from this cohort in the last 7 days, UNIQUE per rule and
period); the message, inserted only if that row was (`changes() = 1`); and the
row's link to its message (`last_insert_rowid()`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import aiosqlite

from server.mail.compose import Message
from server.storage.base import Database
from server.storage.outbox import INSERT, outbox_step
from server.storage.records import ReminderRules, Send

if TYPE_CHECKING:
    from server.storage.records import Step

# Rules whose message goes to a learner of a cohort; they share the weekly limit.
LEARNER_RULES = ("late", "not_started", "inactive", "before_due")
_RULES_SQL = ", ".join(f"'{rule}'" for rule in LEARNER_RULES)
# What the learner's account must be for any reminder to reach it.
_REACHABLE = "u.email_confirmed_at IS NOT NULL AND u.deleted_at IS NULL AND u.reminders_off = 0"
_RECENT = (
    "EXISTS (SELECT 1 FROM reminders r WHERE r.user_id = u.id AND r.cohort_id = :cohort"
    f" AND r.rule IN ({_RULES_SQL}) AND r.at > :cutoff)"
)
_TO_LEARNER = (
    "INSERT INTO reminders (cohort_id, user_id, rule, period, sent_by, at)"
    " SELECT :cohort, u.id, :rule, :period, :by, :at FROM users u JOIN cohort_members m"
    " ON m.user_id = u.id AND m.cohort_id = :cohort"
    f" WHERE u.id = :user AND {_REACHABLE} AND NOT {_RECENT}"
    " ON CONFLICT DO NOTHING RETURNING id"
)
_TO_TRAINER = (
    "INSERT INTO reminders (cohort_id, user_id, rule, period, sent_by, at)"
    " SELECT NULL, u.id, :rule, :period, :by, :at FROM users u"
    " WHERE u.id = :user AND u.email_confirmed_at IS NOT NULL AND u.deleted_at IS NULL"
    " AND u.digest_off = 0 ON CONFLICT DO NOTHING RETURNING id"
)
_LINK = (
    "UPDATE reminders SET outbox_id = last_insert_rowid() WHERE changes() = 1"
    " AND cohort_id IS :cohort AND user_id = :user AND rule = :rule AND period = :period"
)
_INVITATION_SENT = (
    "EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'invitation' AND o.cohort_id = :cohort"
    " AND o.recipient = :email COLLATE NOCASE AND o.created_at > :cutoff)"
)


def _conditional_message(message: Message, condition: str, values: dict) -> Step:
    """`outbox_step`'s statement, inserting only when `condition` (SQL) holds."""
    _, params = outbox_step(message, user_id=values.get("user"), cohort_id=values.get("cohort"))
    assert isinstance(params, tuple)
    named = {f"m{i}": value for i, value in enumerate(params)}
    head, _, _ = INSERT.partition(" VALUES ")  # the outbox's columns, as outbox_step has them
    select = ", ".join(f":{name}" for name in named)
    return f"{head} SELECT {select} WHERE {condition} RETURNING id", {**values, **named}


def _rules(row: aiosqlite.Row) -> ReminderRules:
    return ReminderRules(
        row["remind_not_started_days"],
        row["remind_inactive_days"],
        row["remind_before_due_days"],
        bool(row["remind_digest"]),
    )


class ReminderQueries(Database):
    """Reminders to learners, digests to trainers, invitations by e-mail."""

    # The message goes only with a reminder row the previous statement inserted, and
    # the row then points to it (SQLite's spelling; PostgreSQL's: postgres_overrides.py).
    _reminder_recorded = "changes() = 1"
    _reminder_link = _LINK
    _add_invitations_sql: str  # CohortQueries'

    # -- rules ----------------------------------------------------------------

    async def reminder_rules(self, cohort_id: int) -> ReminderRules:
        row = await self._one(
            "SELECT remind_not_started_days, remind_inactive_days, remind_before_due_days,"
            " remind_digest FROM cohorts WHERE id = ?",
            (cohort_id,),
        )
        return _rules(row) if row else ReminderRules()

    async def save_cohort_settings(
        self,
        cohort_id: int,
        name: str,
        due_date: str | None,
        archived_at: str | None,
        rules: ReminderRules,
    ) -> None:
        """The settings form in one statement: name, due date, archive and reminder rules."""
        await self._write(
            "UPDATE cohorts SET name = ?, due_date = ?, archived_at = ?,"
            " remind_not_started_days = ?, remind_inactive_days = ?, remind_before_due_days = ?,"
            " remind_digest = ? WHERE id = ?",
            (
                name,
                due_date,
                archived_at,
                rules.not_started_days,
                rules.inactive_days,
                rules.before_due_days,
                int(rules.digest),
                cohort_id,
            ),
        )

    async def cohorts_with_rules(self) -> list[tuple[int, ReminderRules]]:
        """Cohorts still running whose trainers turned some rule on, for the runner."""
        rows = await self._all(
            "SELECT id, remind_not_started_days, remind_inactive_days, remind_before_due_days,"
            " remind_digest FROM cohorts WHERE archived_at IS NULL AND (remind_digest = 1"
            " OR remind_not_started_days IS NOT NULL OR remind_inactive_days IS NOT NULL"
            " OR remind_before_due_days IS NOT NULL) ORDER BY id"
        )
        return [(r["id"], _rules(r)) for r in rows]

    # -- reminders --------------------------------------------------------------

    async def reminder_reach(
        self, cohort_id: int, user_ids: Iterable[int], cutoff: str
    ) -> dict[int, str]:
        """Per learner: `ok`, `recent` (reminded since cutoff) or `unreachable`.

        For the trainer's confirmation and the dry run only: the limits
        themselves are enforced again by the statements that record a reminder.
        """
        wanted = json.dumps(list(user_ids))
        rows = await self._all(
            f"SELECT u.id, {_REACHABLE} AS reachable, {_RECENT} AS recent FROM users u"
            " JOIN cohort_members m ON m.user_id = u.id AND m.cohort_id = :cohort"
            f" WHERE u.id IN ({self._json_ids.format(':wanted')})",
            {"cohort": cohort_id, "cutoff": cutoff, "wanted": wanted},
        )
        return {
            r["id"]: "unreachable" if not r["reachable"] else "recent" if r["recent"] else "ok"
            for r in rows
        }

    async def record_reminders(
        self, cohort_id: int | None, sends: list[Send], at: str, cutoff: str
    ) -> list[int]:
        """Record each reminder with its message, or nothing for it; who was recorded.

        `cohort_id` None: trainers' digests (one per trainer and period).
        """
        steps: list[Step] = []
        for send in sends:
            values = {
                "cohort": cohort_id,
                "user": send.user_id,
                "rule": send.rule,
                "period": send.period,
                "by": send.sent_by,
                "at": at,
                "cutoff": cutoff,
            }
            steps.append((_TO_LEARNER if cohort_id is not None else _TO_TRAINER, values))
            steps.append(_conditional_message(send.message, self._reminder_recorded, values))
            steps.append((self._reminder_link, values))
        if not steps:
            return []
        # One cohort's reminders one run after another, whichever instance records
        # them: the weekly limit is a read of what the previous run committed.
        results = await self._serialized(f"reminders:{cohort_id}", steps)
        return [send.user_id for i, send in enumerate(sends) if results[3 * i]]

    async def cohort_reminders(self, cohort_id: int, limit: int = 100) -> list[aiosqlite.Row]:
        """The reminders a cohort's learners received, newest first, with their delivery."""
        return await self._all(
            "SELECT r.at, r.rule, CASE WHEN u.deleted_at IS NULL THEN u.name END AS name,"
            " s.name AS sent_by, o.status FROM reminders r JOIN users u ON u.id = r.user_id"
            " LEFT JOIN users s ON s.id = r.sent_by LEFT JOIN outbox o ON o.id = r.outbox_id"
            " WHERE r.cohort_id = ? ORDER BY r.at DESC, r.id DESC LIMIT ?",
            (cohort_id, limit),
        )

    async def stop_reminders(self, user_id: int, what: str, *, stop: bool = True) -> bool:
        """The unsubscribe link: `r` stops reminders, `d` the trainers' digest (or resumes)."""
        column = "digest_off" if what == "d" else "reminders_off"
        rows = await self._write(
            f"UPDATE users SET {column} = ? WHERE id = ? AND deleted_at IS NULL RETURNING id",
            (int(stop), user_id),
        )
        return bool(rows)

    async def set_reminders_off(self, user_id: int, off: bool) -> None:
        await self._write("UPDATE users SET reminders_off = ? WHERE id = ?", (int(off), user_id))

    async def reminders_off(self, user_id: int) -> bool:
        row = await self._one("SELECT reminders_off FROM users WHERE id = ?", (user_id,))
        return bool(row and row[0])

    # -- invitations by e-mail --------------------------------------------------

    async def invitation_messages(self, cohort_id: int) -> dict[str, tuple[str, str]]:
        """Per invited address (lower case): the last message's status and date."""
        rows = await self._all(
            "SELECT lower(recipient) AS email, status, created_at FROM outbox o"
            " WHERE kind = 'invitation' AND cohort_id = ? AND id = (SELECT max(id) FROM outbox"
            " WHERE kind = 'invitation' AND cohort_id = o.cohort_id"
            " AND recipient = o.recipient COLLATE NOCASE)",
            (cohort_id,),
        )
        return {r["email"]: (r["status"], r["created_at"]) for r in rows}

    async def send_invitation(
        self, cohort_id: int, email: str, message: Message, cutoff: str
    ) -> str:
        """Record the message of a pending invitation: `sent`, `recent` or `missing`."""
        values = {"cohort": cohort_id, "email": email, "cutoff": cutoff}
        pending = (
            "EXISTS (SELECT 1 FROM invitations WHERE cohort_id = :cohort AND email = :email"
            " AND declined_at IS NULL)"
        )
        steps: list[Step] = [
            _conditional_message(message, f"{pending} AND NOT {_INVITATION_SENT}", values),
            (f"SELECT {pending} AS pending", values),
        ]
        (sent, (check,)) = await self._serialized(f"invitation:{cohort_id}:{email}", steps)
        return "sent" if sent else "recent" if check["pending"] else "missing"

    async def add_invitations_with_messages(
        self, cohort_id: int, people: list[dict[str, str]], messages: list[Message], at: str
    ) -> int:
        """The import's invitations and their messages, all or nothing; messages recorded.

        A message goes only with an invitation created by this very import.
        """
        steps: list[Step] = [(self._add_invitations_sql, (cohort_id, at, json.dumps(people)))]
        for message in messages:
            values = {"cohort": cohort_id, "email": message.to, "at": at}
            fresh = (
                "EXISTS (SELECT 1 FROM invitations WHERE cohort_id = :cohort AND email = :email"
                " AND created_at = :at)"
            )
            steps.append(_conditional_message(message, fresh, values))
        results = await self._transaction(steps)
        return sum(bool(rows) for rows in results[1:])
