"""The contract, continued: the statements PostgreSQL spells its own way.

SQLite writes them with its JSON functions (json_each, json_extract,
json_object) or `changes()`; server/storage/postgres_overrides.py rewrites each
one. These tests run on both backends (the `contract` fixture), so `make test`
holds the two spellings to one behaviour.
"""

from __future__ import annotations

from course.diff import ChangeKind
from server.storage import Storage
from server.storage.domain import Queries
from server.storage.postgres_overrides import PostgresOverrides
from tests import test_storage_contract as base

contract = base.contract  # the fixture: both backends
learner = base.learner

AT = "2026-03-01T10:00:00+00:00"
ANSWERS = {"intro-mode": ["a"], "intro-acteurs": ["a", "c"], "intro-classement": "faux"}


def test_every_sqlite_only_statement_has_a_postgresql_spelling() -> None:
    for name in ("_json_texts", "_json_ids", "_add_invitations_sql", "_export_sql"):
        assert getattr(PostgresOverrides, name) != getattr(Queries, name), name
    for name in ("_reminder_recorded", "_reminder_link", "_touched_sql"):
        assert getattr(PostgresOverrides, name) != getattr(Queries, name), name
    assert set(PostgresOverrides._touched_sql) == set(Queries._touched_sql)


def test_invitations_from_a_json_array_once_each(contract) -> None:
    async def scenario(db: Storage, other: Storage) -> None:
        trainer, _ = await learner(db, "formatrice@example.fr")
        cohort = await db.create_cohort("Promo", "1h", None, trainer, "CODE1234", AT)
        people = [{"email": "a@example.fr", "name": "Anne"}, {"email": "b@example.fr", "name": ""}]
        await db.add_invitations(cohort, people, AT)
        await other.add_invitations(cohort, people[:1], AT)  # already there: nothing
        rows = await db.pending_invitations(cohort)
        assert sorted((r["email"], r["name"]) for r in rows) == [
            ("a@example.fr", "Anne"),
            ("b@example.fr", ""),
        ]

    contract(scenario)


def test_first_attempts_and_the_learners_a_change_touches(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        for email, answers in (("lea@example.fr", ANSWERS), ("paul@example.fr", {})):
            _, session = await learner(db, email)
            await db.record_attempt(session, "1h", "intro", 50, False, answers, "c1", "q1")
            await db.record_attempt(session, "1h", "intro", 90, True, {}, "c1", "q1")
        first = sorted(tuple(r) for r in await db.first_attempts(["intro", "absent"]))
        assert [module for module, _ in first] == ["intro", "intro"]

        async def touched(kind: ChangeKind, subject: str, choices: list[str]) -> int | None:
            return await db.learners_touched(kind, subject, "intro", "1h", choices)

        assert await touched(ChangeKind.QUESTION_REMOVED, "intro-mode", []) == 1
        assert await touched(ChangeKind.QUESTION_REMOVED, "inconnue", []) == 0
        assert await touched(ChangeKind.CHOICES_REMOVED, "intro-acteurs", ["c", "z"]) == 1
        assert await touched(ChangeKind.CHOICES_REMOVED, "intro-acteurs", ["b"]) == 0
        assert await touched(ChangeKind.CHOICES_REMOVED, "intro-classement", ["faux"]) == 1
        assert await touched(ChangeKind.MODULE_REMOVED, "intro", []) == 2
        assert await touched(ChangeKind.PATH_REMOVED, "1h", []) == 2
        assert await touched(ChangeKind.PATH_ADDED, "2h", []) is None

    contract(scenario)


def test_the_personal_data_export_reads_alike(contract) -> None:
    async def scenario(db: Storage, _: Storage) -> None:
        user_id, session = await learner(db)
        await db.record_attempt(session, "1h", "intro", 90, True, ANSWERS, "c1", "q1")
        data = await db.personal_data(user_id)
        profile = data["profile"]
        assert profile["email"] == "lea@example.fr" and profile["roles"] == []
        assert profile["reminders_off"] is False
        (attempt,) = data["attempts"]
        assert attempt["passed"] is True and attempt["answers"] == ANSWERS
        assert attempt["score"] == 90 and attempt["module_id"] == "intro"
        assert [p["module_id"] for p in data["progress"]] == ["intro"]
        assert data["sessions"] and "token_hash" not in data["sessions"][0]

    contract(scenario)
