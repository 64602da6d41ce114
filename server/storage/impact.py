"""What a content change would touch: the learners with recorded work on it.

For `alliances check --against OLD --database DB` (server/cli/database.py): one count of
distinct learners per kind of change, read only. `:key` is the question's JSON
path inside attempts.answers ({question_id: [choice ids]}), `:subject` its id.
SQLite's JSON functions here; PostgreSQL's spelling in postgres_overrides.py.
"""

from __future__ import annotations

import json

from server.storage.base import Database

_ANSWERED = "SELECT user_id FROM attempts WHERE json_type(answers, :key) IS NOT NULL"
_REMOVED = {
    "module_removed": "SELECT user_id FROM progress WHERE module_id = :module"
    " UNION SELECT user_id FROM attempts WHERE module_id = :module"
    " UNION SELECT user_id FROM reflections WHERE module_id = :module AND trim(answer) <> ''",
    "module_removed_from_path": "SELECT user_id FROM progress WHERE module_id = :module"
    " AND user_id IN (SELECT user_id FROM enrolments WHERE path_id = :path)",
    "reflection_removed": "SELECT user_id FROM reflections"
    " WHERE reflection_id = :subject AND trim(answer) <> ''",
    "path_removed": "SELECT user_id FROM enrolments WHERE path_id = :path"
    " UNION SELECT user_id FROM attempts WHERE path_id = :path"
    " UNION SELECT user_id FROM certificates WHERE path_id = :path",
}
TOUCHED_SQL = {
    **_REMOVED,
    "question_removed": _ANSWERED,
    "correct_answers_changed": _ANSWERED,
    "question_kind_changed": _ANSWERED,
    "choices_removed": "SELECT a.user_id FROM attempts a, json_each(a.answers, :key) j"
    " WHERE j.value IN (SELECT value FROM json_each(:choices))",
}


class ImpactQueries(Database):
    """Counts for the content check; nothing here writes."""

    _touched_sql = TOUCHED_SQL

    async def learners_touched(
        self, kind: str, subject_id: str, module_id: str, path_id: str, choice_ids: list[str]
    ) -> int | None:
        """How many learners recorded something this change touches (None: not counted)."""
        sql = self._touched_sql.get(kind)
        if sql is None:
            return None
        params = {
            "subject": subject_id,
            "key": f"$.{json.dumps(subject_id)}",
            "module": module_id,
            "path": path_id,
            "choices": json.dumps(choice_ids),
        }
        used = {name: value for name, value in params.items() if f":{name}" in sql}
        row = await self._one(f"SELECT COUNT(DISTINCT user_id) FROM ({sql}) touched", used)
        return int(row[0]) if row else 0
