"""Group commit: every write waits for a flush that began after it, flushes are shared."""

from __future__ import annotations

import asyncio
import errno
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.storage import SqliteStorage, walsync
from server.storage.walsync import NotDurable, WalSync
from tests.conftest import Learner

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SlowDisk:
    """Stands in for fdatasync: records when each flush starts and ends."""

    def __init__(self, seconds: float = 0.02) -> None:
        self.seconds = seconds
        self.flushes: list[tuple[float, float]] = []
        self.error: OSError | None = None
        self.lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        began = time.monotonic()
        time.sleep(self.seconds)
        if self.error:
            raise self.error
        with self.lock:
            self.flushes.append((began, time.monotonic()))


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> SlowDisk:
    fake = SlowDisk()
    monkeypatch.setattr(walsync, "_flush", fake)
    return fake


@pytest.fixture
def sync(tmp_path: Path) -> Iterator[WalSync]:
    wal = tmp_path / "db-wal"
    wal.write_bytes(b"")
    opened = WalSync(wal)
    yield opened
    opened.close()


async def test_concurrent_commits_share_a_flush(disk: SlowDisk, sync: WalSync) -> None:
    await asyncio.gather(*(sync.durable() for _ in range(30)))
    assert 1 <= len(disk.flushes) <= 2  # the first flush covers one, the next all others


async def test_a_commit_waits_for_a_flush_that_began_after_it(
    disk: SlowDisk, sync: WalSync
) -> None:
    first = asyncio.ensure_future(sync.durable())
    await asyncio.sleep(0.005)  # the first flush is under way
    called = time.monotonic()
    await sync.durable()
    returned = time.monotonic()
    await first
    assert any(called <= began and ended <= returned for began, ended in disk.flushes)


async def test_a_client_gone_does_not_cancel_the_others_flush(
    disk: SlowDisk, sync: WalSync
) -> None:
    gone = asyncio.ensure_future(sync.durable())
    staying = asyncio.ensure_future(sync.durable())
    await asyncio.sleep(0.005)
    gone.cancel()
    await staying
    assert disk.flushes


async def test_after_a_failed_flush_no_write_is_confirmed(disk: SlowDisk, sync: WalSync) -> None:
    disk.error = OSError(errno.EIO, "Input/output error")
    with pytest.raises(NotDurable, match="Input/output error"):
        await sync.durable()
    disk.error = None  # Linux may report the next flush as a success: do not trust it
    with pytest.raises(NotDurable):
        await sync.durable()
    assert disk.flushes == []


def test_commits_from_two_event_loops_each_wake_their_own(sync: WalSync) -> None:
    """A test drives one app from two TestClients, each with its own event loop.

    A flush that covered both loops' waiters woke them from the loop that asked
    last: the other loop, asleep with nothing else to do, never saw its waiter
    done, and that request hung for ever (seen in tests/test_account_page.py).
    """
    finished: list[str] = []

    def drive(name: str) -> None:
        async def commits() -> None:
            for _ in range(300):
                await sync.durable()  # no timeout: its timer would wake a stuck loop

        asyncio.run(commits())
        finished.append(name)

    threads = [threading.Thread(target=drive, args=(n,), daemon=True) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(finished) == ["a", "b"]


@pytest.fixture
async def storage(tmp_path: Path, disk: SlowDisk) -> AsyncIterator[SqliteStorage]:
    disk.seconds = 0
    opened = SqliteStorage(tmp_path / "test.db")
    await opened.open()
    yield opened
    await opened.close()


async def test_every_write_is_flushed_before_it_returns(
    storage: SqliteStorage, disk: SlowDisk
) -> None:
    # Commits no longer wait for the disk inside SQLite: WalSync does, shared.
    assert (await storage._writer_connection().execute_fetchall("PRAGMA synchronous"))[0][0] == 1
    user = await storage.create_user("a@b.fr", "A", "hash")
    assert len(disk.flushes) == 1
    await storage.create_session(user.id, "live", days=1)
    await storage.record_attempt("live", "1h", "m", 90, True, {}, "v")
    assert len(disk.flushes) == 3  # the session (one transaction with its clean-up), the attempt


def test_a_learner_is_told_plainly_when_the_disk_fails(
    client: TestClient, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner.signup()

    def broken_disk(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(walsync, "_flush", broken_disk)
    answered = learner.pass_intro()
    assert answered.status_code == 503
    assert "enregistrée de façon sûre" in answered.text
    assert learner.post("/paths/1h/start").status_code == 503  # until a restart


async def test_the_wal_flushed_is_the_one_sqlite_writes_behind_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link.db").symlink_to(tmp_path / "real" / "data.db")
    opened = SqliteStorage(tmp_path / "link.db")
    await opened.open()
    try:
        await opened.create_user("a@b.fr", "A", "hash")
        wal = (tmp_path / "real" / "data.db-wal").stat()
        assert os.fstat(opened._wal_sync._fd).st_ino == wal.st_ino
    finally:
        await opened.close()
