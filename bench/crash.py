"""Kill the server with SIGKILL under load, again and again: is every acknowledged write kept?

Starts `alliances serve` (production mode, loopback only, a fresh database, the
bundled course) and drives it with learners following the 1 h path: each saves
its reflections (several times, each save a new text) and passes every quiz.
Meanwhile the server is killed with `kill -9` at random moments and started
again, at least `--kills` times (bounded by `--seconds`). Then it checks that:

- every acknowledged write is there: each quiz submission answered 303 is in
  `attempts`, each reflection save answered 303 holds that text or a later one;
- `PRAGMA integrity_check` says ok;
- no learner whose path is complete lacks the certificate once they visit the
  path page (the pass and the issue are two writes: a kill between them leaves
  the certificate to be issued on that visit, issue #12 item 10). How many
  complete paths lacked one before the visit is reported too.

Usage: python bench/crash.py [--kills 20] [--seconds 300] [--concurrency 32] [--json out.json]
Never run by the test suite. Loads both CPUs for a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import learners
from bench.bench_server import free_port
from course.loader import load_course
from course.models import Course
from server.security import Signer

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "crash-" + "k" * 40
PATH_ID = "1h"
SAVES = 3  # each reflection is saved this many times, each with a new text
FORM = {"content-type": "application/x-www-form-urlencoded"}


@dataclass
class Ledger:
    """What the server acknowledged (303), and every reflection text sent, in order."""

    attempts: set[tuple[int, str]] = field(default_factory=set)  # (user, module)
    sent: dict[tuple[int, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    acked: dict[tuple[int, str], int] = field(default_factory=dict)  # index in sent
    submissions: int = 0
    reflection_saves: int = 0
    refused: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # status: count
    transport_errors: int = 0


class Server:
    """`alliances serve` on loopback, killed and started again by this script alone."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = workdir / "crash.db"
        self.process: subprocess.Popen | None = None
        self.up = asyncio.Event()

    async def start(self) -> None:
        env = {
            **os.environ,
            "ALLIANCES_ENV": "production",
            "ALLIANCES_SECRET_KEY": SECRET_KEY,
            "ALLIANCES_DATABASE": str(self.database),
            "ALLIANCES_CONTENT_DIR": str(ROOT / "content"),
            "ALLIANCES_BASE_URL": self.base,
        }
        cli = Path(sys.executable).with_name("alliances")
        cmd = [str(cli), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*cmd, "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                try:
                    if (await client.get(f"{self.base}/healthz")).status_code == 200:
                        self.up.set()
                        return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        self.process.kill()
        raise SystemExit("server did not start: " + self.process.stderr.read().decode())

    def kill(self) -> None:
        self.up.clear()
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


async def drive(
    server: Server,
    client: httpx.AsyncClient,
    course: Course,
    signer: Signer,
    learner: learners.Learner,
    ledger: Ledger,
) -> None:
    """One learner through the path: reflections saved SAVES times, every quiz passed."""
    path = course.path(PATH_ID)
    assert path is not None
    csrf = learner.csrf  # bound to this learner's session
    headers = {"cookie": learner.cookie, **FORM}
    for module_id in path.module_ids:
        module = course.modules[module_id]
        for number in range(SAVES):
            for reflection in module.reflections:
                key = (learner.user_id, reflection.id)
                text = f"Réflexion {number} de {learner.user_id} sur {reflection.id}"
                ledger.sent[key].append(text)
                url = f"/paths/{PATH_ID}/{module_id}/reflections/{reflection.id}"
                body = f"{csrf}&{urlencode({'answer': text})}"
                if await send(server, client, url, body, headers, ledger) == 303:
                    ledger.acked[key] = len(ledger.sent[key]) - 1
                    ledger.reflection_saves += 1
        body = f"{csrf}&{learners.answers(signer, module, learner.user_id, 0)}"
        status = await send(server, client, f"/paths/{PATH_ID}/{module_id}", body, headers, ledger)
        if status == 303:
            ledger.attempts.add((learner.user_id, module_id))
            ledger.submissions += 1


async def send(
    server: Server, client: httpx.AsyncClient, url: str, body: str, headers: dict, ledger: Ledger
) -> int:
    """POST until answered: a request cut by a kill is sent again once the server is back.

    A quiz form sent again after its attempt was recorded (but not acknowledged)
    gets 409: that attempt counts as stored, not acknowledged.
    """
    while True:
        await server.up.wait()
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.TransportError:
            ledger.transport_errors += 1
            await asyncio.sleep(0.01)
            continue
        if response.status_code != 303:
            ledger.refused[response.status_code] += 1
        return response.status_code


async def load(
    server: Server, course: Course, signer: Signer, group: list, ledger: Ledger, workers: int
) -> None:
    queue: asyncio.Queue[learners.Learner] = asyncio.Queue()
    for learner in group:
        queue.put_nowait(learner)
    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while not queue.empty():
                await drive(server, client, course, signer, queue.get_nowait(), ledger)

        await asyncio.gather(*(worker() for _ in range(workers)))


async def kill_loop(server: Server, kills: int, deadline: float, rng: random.Random) -> int:
    done = 0
    while done < kills and time.monotonic() < deadline:
        await asyncio.sleep(rng.uniform(0.2, 1.5))  # under load: a random moment
        server.kill()
        done += 1
        await server.start()
    return done


def complete_without_certificate(database: Path, module_ids: tuple[str, ...]) -> list[int]:
    """Learners with every module of the path completed and no certificate for it."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT p.user_id FROM progress p WHERE p.completed_at IS NOT NULL"
            " AND p.module_id IN (SELECT value FROM json_each(?)) GROUP BY p.user_id"
            " HAVING COUNT(*) = ? AND NOT EXISTS (SELECT 1 FROM certificates c"
            " WHERE c.user_id = p.user_id AND c.path_id = ?)",
            (json.dumps(list(module_ids)), len(module_ids), PATH_ID),
        ).fetchall()
    return [row[0] for row in rows]


def lost_writes(database: Path, ledger: Ledger) -> tuple[int, int]:
    """(acknowledged attempts missing, acknowledged reflections missing or rolled back)."""
    with sqlite3.connect(database) as db:
        stored = set(db.execute("SELECT user_id, module_id FROM attempts").fetchall())
        answers = {
            (user, rid): text
            for user, rid, text in db.execute(
                "SELECT user_id, reflection_id, answer FROM reflections"
            )
        }
    attempts = len(ledger.attempts - stored)
    reflections = sum(
        answers.get(key) not in ledger.sent[key][index:] for key, index in ledger.acked.items()
    )
    return attempts, reflections


async def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="alliances-crash-"))
    server = Server(workdir)
    course = load_course(ROOT / "content")
    path = course.path(PATH_ID)
    assert path is not None
    signer = Signer(SECRET_KEY)
    began = time.monotonic()
    try:
        await server.start()
        group = learners.seed(server.database, signer, args.learners)
        ledger = Ledger()
        traffic = asyncio.create_task(load(server, course, signer, group, ledger, args.concurrency))
        kills = await kill_loop(server, args.kills, began + args.seconds, rng)
        traffic.cancel()
        await asyncio.gather(traffic, return_exceptions=True)
        await asyncio.sleep(0.5)  # requests the cancel cut short finish on the server
        lacking = complete_without_certificate(server.database, path.module_ids)
        async with httpx.AsyncClient(base_url=server.base) as client:
            cookies = {learner.user_id: learner.cookie for learner in group}
            for user_id in lacking:  # their next visit to the path page
                page = await client.get(f"/paths/{PATH_ID}", headers={"cookie": cookies[user_id]})
                assert page.status_code == 200, page.status_code
        still = complete_without_certificate(server.database, path.module_ids)
        server.stop()
        with sqlite3.connect(server.database) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            certificates = db.execute("SELECT COUNT(*) FROM certificates").fetchone()[0]
        lost_attempts, lost_reflections = lost_writes(server.database, ledger)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "kills": kills,
        "seconds": round(time.monotonic() - began, 1),
        "acknowledged_submissions": ledger.submissions,
        "acknowledged_reflection_saves": ledger.reflection_saves,
        "requests_cut_by_a_kill": ledger.transport_errors,
        "other_answers": dict(ledger.refused),
        "lost_submissions": lost_attempts,
        "lost_reflection_saves": lost_reflections,
        "integrity_check": integrity,
        "certificates": certificates,
        "complete_without_certificate_before_visit": len(lacking),
        "complete_without_certificate_after_visit": len(still),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300, help="stop killing after this")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--learners", type=int, default=5000, help="more than the run can finish")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = asyncio.run(run(args))
    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    ok = (
        results["kills"] >= args.kills
        and results["lost_submissions"] == 0
        and results["lost_reflection_saves"] == 0
        and results["integrity_check"] == "ok"
        and results["complete_without_certificate_after_visit"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
