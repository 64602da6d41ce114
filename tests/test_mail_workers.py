"""`alliances serve --workers 2` on PostgreSQL: two processes, two senders, each message sent once.

With SQLite, `--workers 2` is refused in one line (one file, one writing process).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from server.cli import main
from server.mail.compose import Message
from server.storage.postgres import PostgresStorage
from tests.conftest import FIXTURE_COURSE
from tests.mail_server import MailServer, free_port, mail_server  # noqa: F401


def record(database_url: str, count: int) -> None:
    """Messages recorded by a process other than the server's (as the CLI would)."""

    async def run() -> None:
        storage = PostgresStorage(database_url)
        await storage.open()
        for number in range(count):
            to = f"p{number}@example.fr"
            await storage.enqueue(Message("test", to, "P", "Essai", "Bonjour", "<p>Bonjour</p>"))
        await storage.close()

    asyncio.run(run())


def test_workers_refused_on_sqlite_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "a.db"))
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(FIXTURE_COURSE))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", "k" * 40)
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "--workers needs PostgreSQL" in err and "ALLIANCES_DATABASE=postgresql://" in err
    assert not (tmp_path / "a.db").exists()  # refused before anything was created


def test_two_workers_send_each_message_once(
    tmp_path: Path,
    postgres_url: str,
    mail_server: MailServer,  # noqa: F811
) -> None:
    shutil.copytree(FIXTURE_COURSE, tmp_path / "content")
    port = free_port()
    env = {
        **os.environ,
        "ALLIANCES_DATABASE": postgres_url,
        "ALLIANCES_CONTENT_DIR": str(tmp_path / "content"),
        "ALLIANCES_SECRET_KEY": "k" * 40,
        "ALLIANCES_SMTP_URL": mail_server.url,
    }
    alliances = Path(sys.executable).with_name("alliances")
    args = [str(alliances), "serve", "--workers", "2", "--port", str(port), "--no-access-log"]
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                assert server.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        record(postgres_url, 30)
        received = mail_server.wait(30, timeout=30)
        time.sleep(1)  # a second copy would have had time to arrive
        ids = [message["Message-ID"] for message in mail_server.messages]
        assert len(ids) == len(set(ids)) == 30, sorted(ids)
        assert {m["To"].addresses[0].addr_spec for m in received} == {
            f"p{n}@example.fr" for n in range(30)
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
