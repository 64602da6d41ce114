"""CPU time per quiz submission, the app's process and its PostgreSQL backends together.

Requests per second swing with whatever else the machine runs; CPU seconds spent
per request swing much less, so an A/B of two code trees can be read even on a
busy machine. Drives the app in-process as bench/bench_inprocess.py does (64
tasks, no sockets), then reads the process's own CPU time (all its threads) and
that of the PostgreSQL backends serving its pool (/proc/PID/stat).

Usage: python bench/bench_cpu.py [--backend sqlite|postgresql] [--submissions 8000]
       [--code DIR]   (DIR: another checkout to measure, e.g. a worktree of an older commit)
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import os
import resource
import secrets
import sys
import tempfile
from pathlib import Path

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


def backend_ticks(pids: list[int]) -> dict[int, int]:
    """CPU ticks (user + system) so far of each process still there."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


async def run(args: argparse.Namespace) -> None:
    import psycopg

    from bench import bench_inprocess as driver
    from server.app import create_app
    from server.settings import Settings

    workdir = Path(tempfile.mkdtemp(prefix="alliances-cpu-"))
    name = f"alliances_cpu_{secrets.token_hex(4)}"
    url = ""
    if args.backend == "postgresql":
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    settings = Settings(
        database=workdir / "bench.db",
        database_url=url,
        content_dir=args.code / "content",
        secret_key="k" * 40,
    )
    try:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            seeded = dataclasses.replace(settings, database=url) if url else settings
            count = args.submissions
            ready = iter(list(itertools.islice(driver.submissions(seeded, count), count)))
            pids = _backends(name) if url else []
            before_self = resource.getrusage(resource.RUSAGE_SELF)
            before_db = backend_ticks(pids)

            async def task() -> None:
                for headers, body in ready:
                    status, _, _ = await driver.call(app, "POST", driver.MODULE_URL, headers, body)
                    assert status in (200, 303), status

            await asyncio.gather(*(task() for _ in range(64)))
            after_self = resource.getrusage(resource.RUSAGE_SELF)
            # The pool grows under load: a backend born during the run counts from zero.
            after_db = backend_ticks(_backends(name) if url else [])
        spent = (after_self.ru_utime + after_self.ru_stime) - (
            before_self.ru_utime + before_self.ru_stime
        )
        own = spent / count * 1e6
        spent_db = sum(t - before_db.get(pid, 0) for pid, t in after_db.items())
        db = spent_db / os.sysconf("SC_CLK_TCK") / count * 1e6
        print(
            f"{args.code.name} {args.backend}: app {own:.0f} µs, database backends {db:.0f} µs,"
            f" total {own + db:.0f} µs of CPU per submission"
        )
    finally:
        if url:
            with psycopg.connect(ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backends(name: str) -> list[int]:
    import psycopg

    with psycopg.connect(ADMIN) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))
        return [int(row[0]) for row in rows]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--submissions", type=int, default=8000)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    arguments = parser.parse_args()
    arguments.code = arguments.code.resolve()
    sys.path.insert(0, str(arguments.code))
    sys.setswitchinterval(0.001)
    import uvloop

    uvloop.run(run(arguments))
