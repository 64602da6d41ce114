"""PostgreSQL's spelling of the few statements SQLite writes with its own functions.

The domain methods keep such a statement in a class attribute (SQLite's
spelling); `PostgresOverrides` sets each one again, with the same contract:
SQLite's JSON functions (json_each, json_extract, json_object,
json_group_array) and `changes()` have no shared spelling.
"""

from __future__ import annotations

import re

from server.storage.dialect import _call_end
from server.storage.impact import TOUCHED_SQL
from server.storage.personal import _EXPORT_PARTS
from server.storage.reminders import _LINK


def _json_casts(sql: str) -> str:
    """SQLite's `json(x)` (x read as JSON text) becomes `CAST(x AS json)`."""
    while match := re.search(r"\bjson\(", sql):
        close_at, _ = _call_end(sql, match.end() - 1)
        inner = sql[match.end() : close_at]
        sql = f"{sql[: match.start()]}CAST({inner} AS json){sql[close_at + 1 :]}"
    return sql


def _export_value(value: str) -> str:
    value = value.replace("json_object(", "json_build_object(")
    value = value.replace("json_group_array(", "json_agg(")
    return f"CAST({_json_casts(value)} AS TEXT)"


# The personal-data export: the same parts and keys, built with json_build_object.
EXPORT_SQL = " UNION ALL ".join(
    f"SELECT CAST('{name}' AS TEXT) AS part, {_export_value(value)} AS item FROM {source}"
    for name, value, source in _EXPORT_PARTS
)


_ANSWER = "CAST(a.answers AS jsonb) -> :subject"
_TOUCHED_SQL = {
    **TOUCHED_SQL,
    **dict.fromkeys(
        ("question_removed", "correct_answers_changed", "question_kind_changed"),
        "SELECT user_id FROM attempts WHERE jsonb_exists(CAST(answers AS jsonb), :subject)",
    ),
    # json_each reads a scalar as itself: a one-element array here.
    "choices_removed": "SELECT a.user_id FROM attempts a, jsonb_array_elements_text("
    f"CASE jsonb_typeof({_ANSWER}) WHEN 'array' THEN {_ANSWER}"
    f" ELSE jsonb_build_array({_ANSWER}) END) AS j(value)"
    " WHERE j.value IN (SELECT jsonb_array_elements_text(CAST(:choices AS jsonb)))",
}


class PostgresOverrides:
    """The SQL attributes of the domain mixins, in PostgreSQL's spelling."""

    _json_texts = "SELECT json_array_elements_text(CAST({} AS json))"
    _json_ids = "SELECT CAST(json_array_elements_text(CAST({} AS json)) AS BIGINT)"
    _add_invitations_sql = (
        "INSERT INTO invitations (cohort_id, email, name, created_at)"
        " SELECT ?, p->>'email', p->>'name', ? FROM json_array_elements(CAST(? AS json)) p"
        " ON CONFLICT DO NOTHING"
    )
    _claim_lock = " FOR UPDATE SKIP LOCKED"
    _export_sql = EXPORT_SQL
    _touched_sql = _TOUCHED_SQL
    # No changes(): the reminder row this very transaction inserted (its xmin) and
    # not yet linked is the one the message goes with; lastval() is that message's id.
    _reminder_recorded = (
        "EXISTS (SELECT 1 FROM reminders WHERE cohort_id IS NOT DISTINCT FROM :cohort"
        " AND user_id = :user AND rule = :rule AND period = :period AND outbox_id IS NULL"
        " AND xmin = pg_current_xact_id()::xid)"
    )
    _reminder_link = (
        "UPDATE reminders SET outbox_id = lastval() WHERE outbox_id IS NULL"
        " AND xmin = pg_current_xact_id()::xid" + _LINK.partition(" WHERE changes() = 1")[2]
    )
