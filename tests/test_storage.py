"""Storage: migrations, concurrent writes, and progress that survives content edits."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import psycopg
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.storage import RecordedAttempt, SqliteStorage, Storage
from server.storage.sqlite_migrations import apply_migrations, migrations
from tests.conftest import Learner
from tests.pg import ON_POSTGRES, sqlite_only

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def storage(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Storage]:
    """A freshly migrated database, closed after the test: PostgreSQL under
    ALLIANCES_TEST_BACKEND=postgres (tests/test_storage_contract.py runs both always)."""
    opened: Storage
    if ON_POSTGRES:
        from server.storage.postgres import PostgresStorage

        opened = PostgresStorage(request.getfixturevalue("postgres_url"))
    else:
        opened = SqliteStorage(tmp_path / "test.db")
    await opened.open()
    yield opened
    await opened.close()


@sqlite_only("SQLite's migration files, applied with aiosqlite")
async def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    names = [name for _, name, _ in migrations()]
    assert names == sorted(names) and names[0].startswith("0001_")
    async with aiosqlite.connect(tmp_path / "m.db", isolation_level=None) as db:
        assert await apply_migrations(db) == names
        assert await apply_migrations(db) == []


@sqlite_only("WAL and busy_timeout are SQLite PRAGMAs")
async def test_wal_mode_and_busy_timeout(storage: SqliteStorage) -> None:
    assert (await storage._one("PRAGMA journal_mode"))[0] == "wal"
    assert (await storage._one("PRAGMA busy_timeout"))[0] == 5000


async def test_concurrent_writes_never_share_a_transaction(storage: Storage) -> None:
    user = await storage.create_user("a@b.fr", "A", "hash")
    await storage.create_session(user.id, "live", days=1)
    await asyncio.gather(
        *(
            storage.record_attempt("live", "1h", f"m{i % 5}", i, i % 2 == 0, {}, "v1")
            for i in range(100)
        )
    )
    progress = await storage.progress(user.id)
    assert sum(p.attempts for p in progress.values()) == 100
    assert progress["m4"].best_score == 99 and progress["m0"].completed


async def test_a_failed_write_rolls_back_and_the_next_one_works(storage: Storage) -> None:
    with pytest.raises((aiosqlite.IntegrityError, psycopg.IntegrityError)):
        await storage.save_reflection(999, "m", "r", "x")  # no such user
    user = await storage.create_user("a@b.fr", "A", "hash")
    await storage.save_reflection(user.id, "m", "r", "réponse")
    assert (await storage.reflections(user.id))["r"][0] == "réponse"


def test_progress_survives_a_removed_module(tmp_path: Path, settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        learner = Learner(client)
        learner.signup()
        learner.pass_intro()
    (settings.content_dir / "modules" / "intro.md").unlink()
    text = (settings.content_dir / "course.yaml").read_text(encoding="utf-8")
    text = text.replace("[intro, lecture]", "[lecture]").replace(
        "target_minutes: 6", "target_minutes: 3"
    )
    text = (
        text.replace("intro, lecture, approfondir", "lecture, approfondir")
        .replace("target_minutes: 9", "target_minutes: 6")
        .replace("target_minutes: 21", "target_minutes: 18")
    )
    (settings.content_dir / "course.yaml").write_text(text, encoding="utf-8")
    with TestClient(create_app(settings)) as client:
        learner = Learner(client)
        assert learner.login().status_code == 303
        assert client.get("/").status_code == 200
        assert client.get("/paths/1h").status_code == 200
    shutil.rmtree(settings.content_dir)


@sqlite_only("the database file's folder")
async def test_database_is_created_with_its_folder(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "deep" / "er" / "x.db")
    await storage.open()
    await storage.close()
    assert (tmp_path / "deep" / "er" / "x.db").exists()


async def test_a_pass_returns_what_the_certificate_rule_needs(storage: Storage) -> None:
    user = await storage.create_user("a@b.fr", "Anaïs", "hash")
    await storage.create_session(user.id, "live", days=1)
    failed = await storage.record_attempt("live", "1h", "m", 40, False, {}, "v", "s1")
    assert failed == RecordedAttempt(failed.id, user.id, None, frozenset())
    passed = await storage.record_attempt("live", "1h", "m", 90, True, {}, "v", "s1")
    assert passed == RecordedAttempt(passed.id, user.id, "Anaïs", frozenset({"m"}))
    await storage.complete_module(user.id, "1h", "sans-quiz")
    again = await storage.record_attempt("live", "1h", "autre", 100, True, {}, "v", "s2")
    assert again.completed == {"m", "sans-quiz", "autre"} and again.id > passed.id
    progress = await storage.progress(user.id)
    assert progress["m"].attempts == 2 and progress["m"].best_score == 90
    assert progress["m"].completed and progress["autre"].quiz_signature == "s2"


async def test_two_passes_at_once_the_later_write_sees_both(storage: Storage) -> None:
    """Two quizzes passed at once in two tabs: the path's certificate is never missed."""
    user = await storage.create_user("a@b.fr", "A", "hash")
    await storage.create_session(user.id, "live", days=1)
    first, second = await asyncio.gather(
        storage.record_attempt("live", "1h", "m1", 100, True, {}, "v"),
        storage.record_attempt("live", "1h", "m2", 100, True, {}, "v"),
    )
    later = max(first, second, key=lambda attempt: attempt.id)
    assert later.completed == {"m1", "m2"}


async def test_an_ended_session_records_no_attempt(storage: Storage) -> None:
    user = await storage.create_user("a@b.fr", "A", "hash")
    await storage.create_session(user.id, "old", days=-1)
    await storage.create_session(user.id, "gone", days=1)
    await storage.end_session("gone")
    for session in ("old", "gone", "never"):
        assert await storage.record_attempt(session, "1h", "m", 90, True, {}, "v") is None
    assert await storage.progress(user.id) == {}
    assert await storage.enrolments(user.id) == set()


async def test_session_and_module_state_in_one_query(storage: Storage) -> None:
    user = await storage.create_user("a@b.fr", "A", "hash")
    await storage.change_role(None, user.id, "trainer", True, "2026-11-23T10:00:00+00:00")
    await storage.create_session(user.id, "live", days=1)
    await storage.create_session(user.id, "old", days=-1)
    await storage.record_attempt("live", "1h", "m", 80, True, {}, "v", "sig")
    await storage.save_reflection(user.id, "m", "r1", "réponse")
    found, everywhere, answers, cohorts = await storage.session_learner_state("live", "m")
    assert cohorts == []
    cohort_id = await storage.create_cohort("G", "1h", None, user.id, "code", "2026-11-23")
    await storage.join_cohort(cohort_id, user.id, "2026-11-23")
    found, everywhere, answers, cohorts = await storage.session_learner_state("live", "m")
    assert cohorts == [(cohort_id, "1h")]
    assert found == user.__class__(user.id, "a@b.fr", "A", frozenset({"trainer"}))
    progress = everywhere["m"]
    assert (progress.attempts, progress.best_score, progress.quiz_signature) == (1, 80, "sig")
    assert progress.completed and answers == {"r1": "réponse"}
    assert await storage.session_learner_state("old", "m") == (None, {}, {}, [])
    # Another module's page: no answers there, but every module's progress (the outline).
    assert await storage.session_learner_state("live", "autre") == (found, everywhere, {}, cohorts)


@sqlite_only("aiosqlite's connection thread; PostgreSQL's refusal: tests/test_pg_plumbing.py")
async def test_a_database_that_cannot_open_leaves_no_thread_behind(tmp_path: Path) -> None:
    """Else the process could not exit: `alliances serve` would hang instead of failing."""
    import threading

    (tmp_path / "x.db").write_bytes(b"this is not a database" * 100)
    before = threading.active_count()
    with pytest.raises(aiosqlite.DatabaseError):
        await SqliteStorage(tmp_path / "x.db").open()
    # A closed connection's thread ends just after close() returns: on a busy machine,
    # give it a moment. A thread left running never ends, and still fails this.
    for _ in range(500):
        if threading.active_count() <= before:
            break
        await asyncio.sleep(0.01)
    assert threading.active_count() == before


@sqlite_only("SQLite's migration files")
def test_two_migrations_with_one_number_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two branches each adding « 0009 »: the second would never run on a database
    that has the first, so start-up says so instead of silently skipping it."""
    import server.storage.sqlite_migrations as package

    class Entry:
        def __init__(self, name: str) -> None:
            self.name = name

        def read_text(self, encoding: str) -> str:
            return "SELECT 1;"

    class Folder:
        def iterdir(self) -> list[Entry]:
            return [Entry("0001_a.sql"), Entry("0002_b.sql"), Entry("0002_c.sql")]

    monkeypatch.setattr(package.resources, "files", lambda _: Folder())
    with pytest.raises(ValueError, match=r"two migrations are numbered 0002: 0002_b\.sql, 0002_c"):
        migrations()
