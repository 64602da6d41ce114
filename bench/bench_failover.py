"""`kill -9` one of two workers under a submission load: no acknowledged submission is lost.

Starts `alliances serve --workers 2` (production mode) on a fresh, empty
PostgreSQL database. uvicorn's master binds the socket and spawns the workers
(multiprocessing, one shared listening socket, no SO_REUSEPORT): each accepted
connection belongs to the worker that accepted it, and the master checks its
workers every 0.5 s and starts a new one in place of a dead one.

Learners seeded by bench/learners.py each hold one keep-alive connection, as a
browser does, and submit their quizzes back to back along the 12 h path (up to
4 attempts per module: under the limit of 5 a minute). Every submission answered
303 goes into a ledger. After `--kill-after` seconds the worker holding the most
learners' connections is killed with SIGKILL; the learners go on for `--after`
seconds more. A learner whose request was cut (connection reset, no answer)
reconnects and sends the same form again, as a person would press the button
again: 303 if it had not been stored, 409 if the cut request had been. Then:

- every acknowledged submission is in `attempts` (user, module, attempt number),
  and none is stored twice;
- each learner the killed worker served gets a later submission acknowledged
  (over a new connection, to the surviving worker or to the master's replacement);
- the requests cut by the kill are counted: never acknowledged, by construction.

Usage: python bench/bench_failover.py [--learners 200] [--kill-after 5] [--after 10]
       [--postgres postgresql://root@127.0.0.1:5432/postgres] [--json out.json]
Never run by the test suite (tests/test_failover.py runs a small one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import learners
from bench.bench_backends import empty_database
from bench.bench_server import ROOT, SECRET_KEY, free_port, server_errors, start_server
from bench.loadgen import Connection, children
from course.loader import load_course
from server.attempt_limits import AttemptLimits
from server.security import Signer

PATH_ID = "12h"
CUT = (OSError, asyncio.IncompleteReadError, ValueError)  # the server went away mid-request


@dataclass
class Ledger:
    acked: set[tuple[int, str, int]] = field(default_factory=set)  # (user, module, attempt)
    statuses: Counter[int] = field(default_factory=Counter)
    cut_at: list[float] = field(default_factory=list)  # seconds after the kill
    cuts_before_kill: int = 0
    stored_before_cut: int = 0  # 409 for a form sent again after a cut
    first_ack_after_kill: dict[int, float] = field(default_factory=dict)  # user: seconds
    connections: dict[int, Connection] = field(default_factory=dict)  # user: current one
    killed_at: float | None = None
    stopping: bool = False  # each learner finishes its request in flight, then stops


def workers(master: int) -> list[int]:
    """The worker processes of `alliances serve --workers N` (not multiprocessing's helpers)."""
    return [
        pid
        for pid in children(master)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def client_ports(pid: int, server_port: int) -> set[int]:
    """Client ports of the connections process `pid` has accepted on `server_port`."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(local.rsplit(":", 1)[1], 16) == server_port:
                ports.add(int(remote.rsplit(":", 1)[1], 16))
    return ports


async def learner(
    port: int, learner: learners.Learner, forms: list[tuple[str, int, str]], ledger: Ledger
) -> None:
    """Submit each (module, attempt, form) in turn; after a cut, reconnect and send it again."""
    connection = ledger.connections[learner.user_id] = await Connection.open(port)
    for module_id, number, form in forms:
        if ledger.stopping:
            break
        cut = False
        while True:
            try:
                status = await connection.request(
                    "POST", f"/paths/{PATH_ID}/{module_id}", learner.cookie, form
                )
                break
            except CUT:
                if ledger.killed_at is None:
                    ledger.cuts_before_kill += 1  # nothing should cut these: reported
                else:
                    ledger.cut_at.append(time.monotonic() - ledger.killed_at)
                connection.close()
                cut = True
                connection = ledger.connections[learner.user_id] = await reconnect(port)
        ledger.statuses[status] += 1
        if status == 303:
            ledger.acked.add((learner.user_id, module_id, number))
            if ledger.killed_at is not None:
                since = time.monotonic() - ledger.killed_at
                ledger.first_ack_after_kill.setdefault(learner.user_id, since)
        elif status == 409 and cut:
            ledger.stored_before_cut += 1
    connection.close()


async def reconnect(port: int) -> Connection:
    for _ in range(100):
        try:
            return await Connection.open(port)
        except OSError:
            await asyncio.sleep(0.05)
    return await Connection.open(port)


async def load(
    port: int, master: int, group: list, forms: dict, kill_after: float, after: float
) -> dict:
    """Run the learners; kill a worker meanwhile; what happened around the kill."""
    ledger = Ledger()
    began = time.monotonic()
    tasks = [
        asyncio.create_task(learner(port, each, forms[each.user_id], ledger)) for each in group
    ]
    await asyncio.sleep(kill_after)
    before = workers(master)
    held = {pid: client_ports(pid, port) for pid in before}
    victim = max(before, key=lambda pid: len(held[pid]))
    served = {u for u, c in ledger.connections.items() if c.client_port in held[victim]}
    os.kill(victim, signal.SIGKILL)
    ledger.killed_at = time.monotonic()
    replaced_after = None
    while time.monotonic() - ledger.killed_at < after:
        if replaced_after is None and set(workers(master)) - set(before):
            replaced_after = round(time.monotonic() - ledger.killed_at, 2)
        await asyncio.sleep(0.1)
    now = workers(master)
    now_held = {pid: client_ports(pid, port) for pid in now}
    served_by = Counter(
        "survivor" if pid in before else "replacement"
        for user in served
        for pid in now
        if ledger.connections[user].client_port in now_held[pid]
    )
    ledger.stopping = True
    await asyncio.gather(*tasks)
    recovered = [ledger.first_ack_after_kill[u] for u in served if u in ledger.first_ack_after_kill]
    return {
        "ledger": ledger,
        "seconds": round(time.monotonic() - began, 1),
        "workers_before": before,
        "killed": victim,
        "replaced_after_s": replaced_after,
        "learners_on_killed_worker": len(served),
        "carried_on": len(recovered),
        "slowest_recovery_s": round(max(recovered), 2) if recovered else None,
        "their_connections_now_on": dict(served_by),
    }


def stored(database: str) -> tuple[set[tuple[int, str, int]], int]:
    """The attempts in the database, and how many are there twice."""
    with psycopg.connect(database) as db:
        rows = db.execute(
            "SELECT user_id, module_id, attempt_no FROM attempts WHERE path_id = %s", (PATH_ID,)
        ).fetchall()
    return {(int(u), str(m), int(n)) for u, m, n in rows}, len(rows) - len(set(rows))


def run(database: str, count: int, kill_after: float, after: float) -> dict:
    """The whole measurement on the empty PostgreSQL database `database`: `count`
    learners, a worker killed after `kill_after` s, the load kept `after` s more."""
    course = load_course(ROOT / "content")
    path = course.path(PATH_ID)
    assert path is not None
    signer = Signer(SECRET_KEY)
    attempts = AttemptLimits().per_window - 1
    workdir = Path(tempfile.mkdtemp(prefix="alliances-failover-"))
    port = free_port()
    server = start_server(workdir, port, None, database, workers=2)
    try:
        deadline = time.monotonic() + 30
        while len(workers(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        group = learners.seed(database, signer, count)
        forms = {
            each.user_id: [
                (m, n, learners.form(signer, course.modules[m], each, n))
                for n in range(attempts)
                for m in path.module_ids
            ]
            for each in group
        }
        measured = asyncio.run(load(port, server.pid, group, forms, kill_after, after))
    finally:
        server.terminate()
        server.wait(20)
        errors = server_errors(workdir, port)
        shutil.rmtree(workdir, ignore_errors=True)
    ledger: Ledger = measured.pop("ledger")
    in_database, twice = stored(database)
    cuts = ledger.cut_at
    return {
        **measured,
        "acknowledged": len(ledger.acked),
        "submissions_per_s": round(len(ledger.acked) / measured["seconds"], 1),
        "lost": len(ledger.acked - in_database),
        "stored_twice": twice,
        "stored_not_acknowledged": len(in_database - ledger.acked),
        "requests_cut": len(cuts),
        "requests_cut_before_kill": ledger.cuts_before_kill,
        "cuts_within_s_of_kill": round(max(cuts), 2) if cuts else None,
        "stored_before_cut": ledger.stored_before_cut,
        "statuses": {str(k): v for k, v in sorted(ledger.statuses.items())},
        "server_errors": errors[:20],
    }


def problems(results: dict) -> list[str]:
    """What the run shows wrong: nothing, if a worker's death cost no acknowledged write."""
    found = []
    if results["lost"]:
        found.append(f"{results['lost']} acknowledged submissions are not in the database")
    if results["stored_twice"]:
        found.append(f"{results['stored_twice']} attempts stored twice")
    if results["stored_not_acknowledged"] != results["stored_before_cut"]:
        found.append("stored submissions never acknowledged that no cut explains")
    if results["requests_cut_before_kill"]:
        found.append(f"{results['requests_cut_before_kill']} requests cut before the kill")
    if results["server_errors"]:
        found.append("the server logged errors: " + " | ".join(results["server_errors"][:3]))
    if not results["learners_on_killed_worker"]:
        found.append("the killed worker served no learner: nothing was tested")
    if results["carried_on"] != results["learners_on_killed_worker"]:
        found.append("some learners of the killed worker never had a submission acknowledged")
    others = set(results["statuses"]) - {"303", "409"}
    if others or results["statuses"].get("409", 0) != results["stored_before_cut"]:
        found.append(f"answers other than 303, or 409 with no cut: {results['statuses']}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--kill-after", type=float, default=5, help="seconds of load first")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after it")
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with empty_database(args.postgres) as database:
        results = run(database, args.learners, args.kill_after, args.after)
    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    found = problems(results)
    for problem in found:
        print(f"PROBLEM: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
