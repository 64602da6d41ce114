"""SQL for personal data in the learner's own hands: part of the storage layer.

Mixed into `server.storage.Storage`. What the site holds about an account, read
in one query for the export (RGPD art. 15 and 20); the account's deletion, as
one transaction (art. 17), with the training records kept pseudonymised when
the retention setting is on (art. 17(3)(b)) and purged once due; and the
inactive-account purge's queries.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from server.mail.compose import Message
from server.storage.base import Database
from server.storage.outbox import outbox_step
from server.storage.records import InactiveAccount

if TYPE_CHECKING:
    from server.storage.records import Step

REVOKED_ON_REQUEST = "retirée à la demande de son titulaire"
# Where the account held it: the tombstone's address is no address at all
# (`.invalid` is reserved, RFC 2606), unique, and never matches a sign-up.
TOMBSTONE_EMAIL = "'supprime-' || id || '@invalid'"

# Each part of the export as (section, JSON object) rows of one UNION ALL query:
# one read, so the export is a consistent snapshot of the account.
_EXPORT_PARTS = (
    (
        "profile",
        "json_object('id', u.id, 'email', u.email, 'name', u.name, 'created_at', u.created_at,"
        " 'email_confirmed_at', u.email_confirmed_at, 'last_seen_at', u.last_seen_at,"
        " 'reminders_off', json(CASE WHEN u.reminders_off <> 0 THEN 'true' ELSE 'false' END),"
        " 'roles', json(COALESCE((SELECT json_group_array(role) FROM user_roles r"
        " WHERE r.user_id = u.id), '[]')))",
        "users u WHERE u.id = :id",
    ),
    (
        "sessions",
        "json_object('created_at', created_at, 'last_seen_at', last_seen_at,"
        " 'expires_at', expires_at, 'device', user_agent)",
        "sessions WHERE user_id = :id",
    ),
    (
        "enrolments",
        "json_object('path_id', path_id, 'started_at', started_at)",
        "enrolments WHERE user_id = :id",
    ),
    (
        "progress",
        "json_object('module_id', module_id, 'attempts', attempts, 'best_score', best_score,"
        " 'completed_at', completed_at, 'updated_at', updated_at)",
        "progress WHERE user_id = :id",
    ),
    (
        "attempts",
        "json_object('id', id, 'path_id', path_id, 'module_id', module_id, 'score', score,"
        " 'passed', json(CASE WHEN passed <> 0 THEN 'true' ELSE 'false' END),"
        " 'answers', json(answers), 'attempt_no', attempt_no,"
        " 'content_version', content_version, 'created_at', created_at)",
        "attempts WHERE user_id = :id",
    ),
    (
        "reflections",
        "json_object('reflection_id', reflection_id, 'module_id', module_id, 'answer', answer,"
        " 'updated_at', updated_at)",
        "reflections WHERE user_id = :id",
    ),
    (
        "activity",
        "json_object('module_id', module_id, 'started_at', started_at, 'last_at', last_at)",
        "activity_stretches WHERE user_id = :id",
    ),
    (
        "realisation_certificates",
        "json_object('path_id', path_id, 'employer', employer, 'funder_file', funder_file,"
        " 'issued_at', issued_at)",
        "realisation_certificates WHERE user_id = :id",
    ),
    (
        "certificates",
        "json_object('id', id, 'path_id', path_id, 'learner_name', learner_name,"
        " 'path_title', path_title, 'duration_minutes', duration_minutes,"
        " 'course_title', course_title, 'content_version', content_version,"
        " 'issued_at', issued_at, 'revoked_at', revoked_at, 'revoked_reason', revoked_reason)",
        "certificates WHERE user_id = :id",
    ),
    # The signed Open Badges credential of each certificate, as stored (issue #16): the
    # JSON a wallet imports, proof included; none once erased with the account.
    (
        "badges",
        "json_object('certificate_id', b.certificate_id, 'signed_at', b.signed_at,"
        " 'credential', json(b.credential))",
        "badge_credentials b JOIN certificates c ON c.id = b.certificate_id"
        " WHERE c.user_id = :id AND b.credential IS NOT NULL",
    ),
    (
        "cohorts",
        "json_object('cohort_id', c.id, 'name', c.name, 'path_id', c.path_id,"
        " 'due_date', c.due_date, 'joined_at', m.joined_at,"
        " 'plan_shared', json(CASE WHEN m.plan_shared <> 0 THEN 'true' ELSE 'false' END))",
        "cohort_members m JOIN cohorts c ON c.id = m.cohort_id WHERE m.user_id = :id",
    ),
    (
        "cohorts_trained",
        "json_object('cohort_id', c.id, 'name', c.name, 'path_id', c.path_id)",
        "cohort_trainers t JOIN cohorts c ON c.id = t.cohort_id WHERE t.user_id = :id",
    ),
    (
        "invitations",
        "json_object('cohort', c.name, 'email', i.email, 'name', i.name,"
        " 'created_at', i.created_at, 'declined_at', i.declined_at)",
        "invitations i JOIN cohorts c ON c.id = i.cohort_id"
        " WHERE i.email = (SELECT email FROM users WHERE id = :id)",
    ),
    (
        "reminders",
        "json_object('rule', r.rule, 'cohort', c.name, 'at', r.at,"
        " 'status', (SELECT status FROM outbox o WHERE o.id = r.outbox_id))",
        "reminders r LEFT JOIN cohorts c ON c.id = r.cohort_id WHERE r.user_id = :id",
    ),
    (
        "messages",
        "json_object('kind', kind, 'to', recipient, 'subject', subject,"
        " 'created_at', created_at, 'sent_at', sent_at, 'status', status)",
        "outbox WHERE user_id = :id OR recipient = (SELECT email FROM users WHERE id = :id)",
    ),
    (
        "role_changes",
        "json_object('role', role, 'action', action, 'at', at)",
        "role_changes WHERE user_id = :id",
    ),
    # Only whether they were asked and answered: the answers themselves are anonymous.
    (
        "satisfaction",
        "json_object('path_id', path_id, 'questionnaire', phase, 'state', state,"
        " 'invited_at', invited_at, 'reminded_at', reminded_at)",
        "satisfaction_asked WHERE user_id = :id",
    ),
    (
        "questions",
        "json_object('question_id', q.id, 'cohort', c.name, 'path_id', q.path_id,"
        " 'module_id', q.module_id, 'at', m.created_at,"
        " 'from_trainer', json(CASE WHEN m.from_trainer <> 0 THEN 'true' ELSE 'false' END),"
        " 'author', a.name, 'message', m.body)",
        "question_messages m JOIN questions q ON q.id = m.question_id"
        " JOIN cohorts c ON c.id = q.cohort_id JOIN users a ON a.id = m.author_id"
        " WHERE q.user_id = :id",
    ),
    (
        "platform_accounts",
        "json_object('issuer', issuer, 'subject', subject, 'name', name, 'email', email,"
        " 'created_at', created_at)",
        "lti_accounts WHERE user_id = :id",
    ),
    (
        "platform_grades",
        "json_object('platform', p.issuer, 'activity', l.label, 'score', g.score,"
        " 'completed', json(CASE WHEN g.completed <> 0 THEN 'true' ELSE 'false' END),"
        " 'status', g.status, 'score_sent', g.sent_score, 'earned_at', g.scored_at,"
        " 'sent_at', g.sent_at)",
        "lti_grades g JOIN lti_grade_links l ON l.user_id = g.user_id"
        " AND l.platform_id = g.platform_id AND l.resource_link_id = g.resource_link_id"
        " JOIN lti_platforms p ON p.id = g.platform_id WHERE g.user_id = :id",
    ),
)
EXPORT_SQL = " UNION ALL ".join(
    f"SELECT '{name}' AS part, {value} AS item FROM {source}"
    for name, value, source in _EXPORT_PARTS
)
SECTIONS = tuple(name for name, _, _ in _EXPORT_PARTS)


def deletion_steps(user_id: int, at: str, purge_after: str | None, actor_id: int | None) -> list:
    """The statements that erase an account, leaving its emptied row (a tombstone).

    Without retention (`purge_after` None) the learning records go at once; with
    it they stay, tied to the tombstone only, until `purge_after`. Certificates
    stay revoked and nameless, so a printed one still checks as revoked; cohort
    memberships stay so the trainer sees « compte supprimé » where a name was.
    Statements reading the address come before the one that replaces it.
    """
    p: dict[str, Any] = {"id": user_id, "at": at, "actor": actor_id}
    email = "(SELECT email FROM users WHERE id = :id)"
    steps: list[Step] = [
        ("DELETE FROM invitations WHERE email = " + email, p),
        ("DELETE FROM login_attempts WHERE account = lower(" + email + ")", p),
        ("DELETE FROM rate_events WHERE key = lower(" + email + ")", p),
        ("DELETE FROM reminders WHERE user_id = :id", p),
        # Whether they answered a questionnaire; the anonymous answers stay.
        ("DELETE FROM satisfaction_asked WHERE user_id = :id", p),
        ("DELETE FROM outbox WHERE user_id = :id OR recipient = " + email, p),
        (
            "UPDATE certificates SET learner_name = '',"
            " revoked_reason = CASE WHEN revoked_at IS NULL THEN :reason ELSE revoked_reason END,"
            " revoked_at = COALESCE(revoked_at, :at) WHERE user_id = :id",
            {**p, "reason": REVOKED_ON_REQUEST},
        ),
        # The signed credentials carry the name: erased, their status index stays (revoked).
        (
            "UPDATE badge_credentials SET credential = NULL"
            " WHERE certificate_id IN (SELECT id FROM certificates WHERE user_id = :id)",
            p,
        ),
        # Through the audit log, whose trigger removes the roles: the log stays whole.
        (
            "INSERT INTO role_changes (actor_id, user_id, role, action, at)"
            " SELECT :actor, user_id, role, 'revoke', :at FROM user_roles WHERE user_id = :id",
            p,
        ),
        # The cohorts they created stay: other trainers share them, admins see them all.
        ("DELETE FROM cohort_trainers WHERE user_id = :id", p),
        ("DELETE FROM sessions WHERE user_id = :id", p),
        ("DELETE FROM account_tokens WHERE user_id = :id", p),
        ("DELETE FROM reflections WHERE user_id = :id", p),
        # Who they were on a platform: a later launch makes a new account.
        ("DELETE FROM lti_accounts WHERE user_id = :id", p),
        # Where their grades went, and the grades (their platform id is in there).
        ("DELETE FROM lti_grade_links WHERE user_id = :id", p),
    ]
    if purge_after is None:  # not a tombstone's kept records, should this run twice
        alive = "user_id = :id AND (SELECT deleted_at FROM users WHERE id = :id) IS NULL"
        steps += learning_records_steps(alive, p)
    steps.append(
        (
            f"UPDATE users SET email = {TOMBSTONE_EMAIL}, name = '', password_hash = '!',"
            " deleted_at = :at, purge_after = :purge, reminders_off = 1,"
            " email_confirmed_at = NULL, last_seen_at = NULL, inactivity_warned_at = NULL"
            " WHERE id = :id AND deleted_at IS NULL RETURNING id",
            {**p, "purge": purge_after},
        )
    )
    return steps


def learning_records_steps(which: str, params: dict[str, Any]) -> list:
    """Delete the attempts, progress, enrolments, questions (their messages go with
    them) and measured time of the users `which` selects: the training evidence a
    retention keeps."""
    return [
        (f"DELETE FROM {table} WHERE {which}", params)
        for table in (
            "attempts",
            "progress",
            "enrolments",
            "questions",
            "activity_stretches",
            "realisation_certificates",
        )
    ]


class PersonalDataQueries(Database):
    """The export, the deletion and the purges of personal data."""

    # The export's one query; PostgreSQL's spelling: server/storage/postgres_overrides.py.
    _export_sql = EXPORT_SQL

    async def personal_data(self, user_id: int) -> dict[str, Any]:
        """Everything the site holds about an account, by section, secrets left out.

        SQLite's JSON functions build each row (PostgreSQL writes this one query
        with json_build_object instead: server/storage/postgres_overrides.py).

        Sessions come without their token hash and the profile without the
        password's hash: they are keys, not data about the person.
        """
        rows = await self._all(self._export_sql, {"id": user_id})
        data: dict[str, Any] = {name: [] for name in SECTIONS}
        for part, item in rows:
            data[part].append(json.loads(item))
        profiles = data.pop("profile")
        return {"profile": profiles[0] if profiles else None, **data}

    async def delete_account(
        self, user_id: int, at: str, purge_after: str | None = None, actor_id: int | None = None
    ) -> bool:
        """Erase an account in one transaction; False if it was already deleted."""
        results = await self._transaction(deletion_steps(user_id, at, purge_after, actor_id))
        return bool(results[-1])

    async def purge_due(self, at: str) -> int:
        """Purge the kept records of deleted accounts whose retention ended; how many accounts."""
        due = (
            "user_id IN (SELECT id FROM users WHERE deleted_at IS NOT NULL AND purge_after <= :at)"
        )
        params: dict[str, Any] = {"at": at}
        results = await self._transaction(
            [
                *learning_records_steps(due, params),
                (
                    "UPDATE users SET purge_after = NULL WHERE deleted_at IS NOT NULL"
                    " AND purge_after <= :at RETURNING id",
                    params,
                ),
            ]
        )
        return len(results[-1])

    async def only_admin(self, user_id: int) -> bool:
        """Whether this account is the site's only admin (who alone can grant roles)."""
        rows = await self._all(
            "SELECT count(*) = 1 AND sum(CASE WHEN user_id = ? THEN 1 ELSE 0 END) = 1"
            " FROM user_roles WHERE role = 'admin'",
            (user_id,),
        )
        return bool(rows[0][0])

    async def purges_due(self, at: str) -> int:
        """How many deleted accounts' kept records `purge_due` would purge (a dry run)."""
        rows = await self._all(
            "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL AND purge_after <= ?", (at,)
        )
        return int(rows[0][0])

    async def signed_in(self, user_id: int, at: str) -> None:
        """A sign-in: the account is active again, and an inactivity warning void."""
        await self._write(
            "UPDATE users SET last_seen_at = ?, inactivity_warned_at = NULL WHERE id = ?",
            (at, user_id),
        )

    async def inactive_accounts(
        self, warn_before: str, warned_before: str
    ) -> tuple[list[InactiveAccount], list[InactiveAccount]]:
        """Accounts to warn (unseen since `warn_before`, not warned yet) and to delete
        (warned before `warned_before` and unseen since the warning).

        Admin accounts are never listed: deleting the last one would leave the
        site without anyone able to grant roles.
        """
        seen = "COALESCE(last_seen_at, created_at)"
        rows = await self._all(
            "SELECT inactivity_warned_at IS NOT NULL AS warned, id,"
            # An account a platform launch made has a placeholder address: its warning
            # goes to the address the platform gave, when it gave one.
            " COALESCE((SELECT NULLIF(la.email, '') FROM lti_accounts la"
            " WHERE la.user_id = u.id ORDER BY la.created_at LIMIT 1), email) AS email, name,"
            f" {seen} AS seen FROM users u WHERE deleted_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"
            " AND r.role = 'admin') AND ("
            f" (inactivity_warned_at IS NULL AND {seen} < ?)"
            f" OR (inactivity_warned_at <= ? AND {seen} <= inactivity_warned_at)) ORDER BY id",
            (warn_before, warned_before),
        )
        warn: list[InactiveAccount] = []
        delete: list[InactiveAccount] = []
        for warned, *account in rows:
            (delete if warned else warn).append(InactiveAccount(*account))
        return warn, delete

    async def forget_returned_warnings(self) -> int:
        """Warnings of accounts seen since: void, so a later absence is warned again."""
        rows = await self._write(
            "UPDATE users SET inactivity_warned_at = NULL WHERE inactivity_warned_at IS NOT NULL"
            " AND COALESCE(last_seen_at, created_at) > inactivity_warned_at RETURNING id"
        )
        return len(rows)

    async def warn_inactive(self, user_id: int, message: Message, at: str) -> None:
        """Record the warning and its message together: never one without the other."""
        await self._transaction(
            [
                (
                    "UPDATE users SET inactivity_warned_at = ? WHERE id = ? AND deleted_at IS NULL",
                    (at, user_id),
                ),
                outbox_step(message, user_id=user_id),
            ]
        )
