"""Capacity as Moodle's load tests publish it: learners served within a minute, and at think time.

On each backend — SQLite with one worker, PostgreSQL with one and with two
workers (`alliances serve --workers 2`), each on a fresh database, PostgreSQL's
dropped afterwards — a real `alliances serve` in production mode is driven over
loopback by learners that bench/learners.py signs in, with two runs:

1. Synchronized: N learners open the same module (GET, the 1 h path's first
   module) and submit its quiz (POST, graded, durably recorded; the 303 to the
   result page is not followed). Arrivals are evenly spaced over `--window`
   seconds (60: « within the same minute »): learner i arrives at i × window / N
   whatever the server's pace — an open loop, so a slow server faces more
   learners at once, as it would with real ones. N doubles from 100 until p95
   reaches 200 ms or a request fails (a status other than 2xx/3xx, a connection
   error, no answer in 30 s); the capacity is the largest N that passed.
2. Think time: U virtual users each loop « open a module → think 30–90 s →
   submit its quiz → open the next module » along the 12 h path, starting at
   random moments of the first minute; requests/s and latency are counted after
   that minute, until `--think-seconds`.

Each learner's requests go over keep-alive connections shared as a reverse proxy
shares them (bench/loadgen.py). The load generator is one Python process: its own
CPU use is printed with each result (a few % of one core when the server's is
near 100 %), with the server's (all its processes) and the machine's.

Usage: python bench/bench_capacity.py [--backends sqlite,pg1,pg2] [--window 60]
       [--series 100,200,…] [--max-learners 51200] [--think-users 1000,3000]
       [--think-seconds 300] [--postgres URL] [--json out.json]
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import learners
from bench.bench_backends import empty_database
from bench.bench_server import (
    MODULE_ID,
    MODULE_PATH,
    ROOT,
    SECRET_KEY,
    free_port,
    start_server,
)
from bench.loadgen import Pool, Usage, percentiles
from course.loader import load_course
from course.models import Course
from server.security import Signer

BACKENDS = {"sqlite": 1, "pg1": 1, "pg2": 2}  # name: workers
TARGET_P95_MS = 200.0
TIMEOUT = 30.0  # seconds without an answer: counted as an error
THINK_PATH = "12h"


@dataclass(frozen=True)
class Step:
    """One request of a learner: its module page (GET) or its quiz form (POST)."""

    kind: str  # "page" or "submit"
    target: str
    form: str


@dataclass
class Tally:
    """Latencies by kind of request, failures by cause, how late arrivals started."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "submit": []})
    errors: Counter[str] = field(default_factory=Counter)
    lags: list[float] = field(default_factory=list)
    first: float = float("inf")
    last: float = 0.0

    async def visit(self, pool: Pool, cookie: str, steps: list[Step]) -> None:
        """One learner's requests in turn over one connection; stop at a failure."""
        began = time.monotonic()
        self.first = min(self.first, began)
        try:
            async with asyncio.timeout(TIMEOUT):
                connection = await pool.take()
        except (OSError, TimeoutError) as exc:
            self.errors[f"connect: {type(exc).__name__}"] += 1
            return
        for step in steps:
            try:
                async with asyncio.timeout(TIMEOUT):
                    if step.kind == "page":
                        status = await connection.request("GET", step.target, cookie)
                    else:
                        status = await connection.request("POST", step.target, cookie, step.form)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                self.errors[type(exc).__name__] += 1
                connection.close()
                break
            finally:
                self.last = max(self.last, time.monotonic())
            self.latencies[step.kind].append(1000 * (time.monotonic() - began))
            began = time.monotonic()
            if not 200 <= status < 400:
                self.errors[str(status)] += 1
                break
        pool.give_back(connection)

    def summary(self, seconds: float) -> dict:
        every = self.latencies["page"] + self.latencies["submit"]
        return {
            "requests": len(every),
            "requests_per_s": round(len(every) / max(seconds, 1e-9), 1),
            **percentiles(every),
            "submit_p95_ms": percentiles(self.latencies["submit"])["p95_ms"],
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "arrival_lag_p95_ms": percentiles(self.lags)["p95_ms"],
        }


async def synchronized(
    port: int, server_pid: int, visits: list[tuple[str, Step]], window: float
) -> dict:
    """Learner i arrives at i × window / N: GET the module, then POST its quiz."""
    pool, tally, loop = Pool(port), Tally(), asyncio.get_running_loop()
    usage = Usage(server_pid)
    start = loop.time() + 0.2

    async def learner(i: int, cookie: str, quiz: Step) -> None:
        due = start + i * window / len(visits)
        await asyncio.sleep(due - loop.time())
        tally.lags.append(1000 * (loop.time() - due))
        await tally.visit(pool, cookie, [Step("page", quiz.target, ""), quiz])

    await asyncio.gather(*(learner(i, *visit) for i, visit in enumerate(visits)))
    pool.close()
    return {**tally.summary(tally.last - tally.first), **usage.stop()}


async def think_time(
    port: int, server_pid: int, users: list[tuple[str, list[Step]]], args: argparse.Namespace
) -> dict:
    """Each user: open a module, think, submit, open the next; counted after the ramp."""
    pool, tally, warming, loop = Pool(port), Tally(), Tally(), asyncio.get_running_loop()
    rng = random.Random(1)
    ramp = (args.think_min + args.think_max) / 2  # starts spread over one mean think time
    counted_from = loop.time() + ramp
    end = loop.time() + args.think_seconds

    async def user(cookie: str, quizzes: list[Step]) -> None:
        await asyncio.sleep(rng.uniform(0, ramp))
        for quiz in quizzes:
            for step in (Step("page", quiz.target, ""), quiz):
                if loop.time() >= end:
                    return
                counted = tally if loop.time() >= counted_from else warming
                await counted.visit(pool, cookie, [step])
                if step.kind == "page":
                    await asyncio.sleep(rng.uniform(args.think_min, args.think_max))

    async def meter() -> Usage:
        await asyncio.sleep(ramp)
        return Usage(server_pid)

    metering = asyncio.create_task(meter())
    await asyncio.gather(*(user(*each) for each in users))
    pool.close()
    usage = (await metering).stop()
    return {"users": len(users), **tally.summary(end - counted_from), **usage}


def run_backend(name: str, course: Course, args: argparse.Namespace) -> dict:
    """Start the server on a fresh database, run both measurements, stop it."""
    signer = Signer(SECRET_KEY)
    seeded = 0

    def seed(count: int) -> list[learners.Learner]:
        nonlocal seeded
        group = learners.seed(database or workdir / "bench.db", signer, count, start=seeded)
        seeded += count
        return group

    def quiz(learner: learners.Learner, path_id: str, module_id: str) -> Step:
        form = learners.form(signer, course.modules[module_id], learner, 0)
        return Step("submit", f"/paths/{path_id}/{module_id}", form)

    with ExitStack() as stack:
        database = stack.enter_context(empty_database(args.postgres)) if name != "sqlite" else None
        workdir = Path(tempfile.mkdtemp(prefix="alliances-capacity-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        port = free_port()
        server = start_server(workdir, port, None, database, BACKENDS[name])
        stack.callback(server.wait, 20)
        stack.callback(server.terminate)
        result: dict = {"synchronized": [], "largest_n": 0, "think_time": []}
        for n in args.series or doubling(args.max_learners):
            visits = [(each.cookie, quiz(each, MODULE_PATH, MODULE_ID)) for each in seed(n)]
            step = {"learners": n, **run_async(synchronized(port, server.pid, visits, args.window))}
            result["synchronized"].append(step)
            print_row(name, step)
            if step["p95_ms"] >= TARGET_P95_MS or step["errors"]:
                break
            result["largest_n"] = n
            time.sleep(2)  # let the last writes settle before the next step
        path = course.path(THINK_PATH)
        assert path is not None
        each_needs = min(len(path.module_ids), math.ceil(args.think_seconds / args.think_min) + 1)
        for count in args.think_users:
            users = []
            for number, each in enumerate(seed(count)):
                turn = number % len(path.module_ids)  # users spread along the path
                ids = (path.module_ids[turn:] + path.module_ids[:turn])[:each_needs]
                users.append((each.cookie, [quiz(each, THINK_PATH, m) for m in ids]))
            run = run_async(think_time(port, server.pid, users, args))
            result["think_time"].append(run)
            print_row(name, run)
        return result


def doubling(most: int) -> Iterator[int]:
    n = 100
    while n <= most:
        yield n
        n *= 2


def run_async(coroutine):  # type: ignore[no-untyped-def]
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


HEADER = (
    f"{'backend':<7} {'run':<16} {'req':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}"
    f" {'sub p95':>7} {'errors':>6} {'lag95':>6} {'gen %':>6} {'srv %':>6} {'busy %':>6}"
    f" {'steal':>5}"
)


def print_row(backend: str, r: dict) -> None:
    run = f"N={r['learners']}" if "learners" in r else f"U={r['users']} think"
    print(
        f"{backend:<7} {run:<16} {r['requests']:>7} {r['requests_per_s']:>7.0f}"
        f" {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['submit_p95_ms']:>7.1f}"
        f" {r['errors']:>6} {r['arrival_lag_p95_ms']:>6.0f} {r['loadgen_cpu_pct']:>6.1f}"
        f" {r['server_cpu_pct']:>6.1f} {r['machine_busy_pct']:>6.1f} {r['steal_pct']:>5.1f}",
        flush=True,
    )
    if r["errors"]:
        print(f"        errors: {r['error_kinds']}", flush=True)


def numbers(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


@contextmanager
def more_files() -> Iterator[None]:
    """Thousands of learners at once need as many sockets: raise the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,pg1,pg2", help="among sqlite, pg1, pg2")
    parser.add_argument("--window", type=float, default=60, help="seconds of arrivals")
    parser.add_argument("--series", type=numbers, help="learners per step (default: doubling)")
    parser.add_argument("--max-learners", type=int, default=51200)
    parser.add_argument("--think-users", type=numbers, default=[1000, 3000])
    parser.add_argument("--think-seconds", type=float, default=300)
    parser.add_argument("--think-min", type=float, default=30)
    parser.add_argument("--think-max", type=float, default=90)
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    names = [b for b in args.backends.split(",") if b]
    unknown = set(names) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    course = load_course(ROOT / "content")
    print(f"window {args.window:g} s; target p95 < {TARGET_P95_MS:g} ms and no error")
    print(HEADER, flush=True)
    with more_files():
        results = {name: run_backend(name, course, args) for name in names}
    print("largest N served: " + ", ".join(f"{n} {r['largest_n']}" for n, r in results.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
