"""Where a request's time goes, without the network: the app driven in-process.

Builds the app on the bundled course and a fresh database, signs a learner up,
then runs 64 concurrent tasks calling the ASGI app directly (no sockets, no
uvicorn, no wrk) for the module page and the quiz submission. Besides
requests/s and p50/p99, it reports what a load generator cannot see:
  - the CPU share of each thread (the event loop, the SQLite writer, the reader);
  - for each SQLite thread, how long one call takes inside the thread (p50/p99)
    and how busy the thread is. A thread near 100 % busy is the bottleneck.

Usage: python bench/bench_inprocess.py [--seconds 5] [--concurrency 64]
Never run by the test suite; figures go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiosqlite.core
import uvloop
from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import learners  # noqa: E402
from course.loader import load_course  # noqa: E402
from server.app import create_app  # noqa: E402
from server.security import Signer  # noqa: E402
from server.settings import Settings  # noqa: E402

MODULE_URL, MODULE_ID = "/paths/1h/decouvrir-pourquoi", "decouvrir-pourquoi"
FORM = "application/x-www-form-urlencoded"
CALLS: dict[str, list[float]] = {}  # thread name -> seconds spent in each database call


def _time_database_calls() -> None:
    """Wrap each function aiosqlite runs in its thread, to time it there."""
    original = aiosqlite.core.Connection._execute

    async def timed(self: aiosqlite.Connection, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                name = threading.current_thread().name
                CALLS.setdefault(name, []).append(time.perf_counter() - start)

        return await original(self, run)

    aiosqlite.core.Connection._execute = timed  # type: ignore[method-assign]


def _thread_ticks() -> dict[str, int]:
    """CPU ticks used so far by each thread of this process, by thread name."""
    names = {str(t.native_id): t.name for t in threading.enumerate()}
    ticks = {}
    for tid in os.listdir("/proc/self/task"):
        stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks[names.get(tid, tid)] = int(fields[11]) + int(fields[12])
    return ticks


async def call(
    app: Starlette, method: str, path: str, headers: list, body: bytes = b""
) -> tuple[int, list[str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    cookies = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
    return start["status"], cookies, b"".join(m.get("body", b"") for m in sent[1:])


async def sign_up(app: Starlette) -> tuple[str, str]:
    _, cookies, page = await call(app, "GET", "/signup", [])
    csrf = re.search(r"at_csrf=([^;]+)", cookies[0])[1]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page)[1].decode()
    form = urlencode(
        {"csrf_token": token, "email": "bench@example.fr", "name": "B", "password": "x" * 16}
    ).encode()
    headers = [("cookie", f"at_csrf={csrf}"), ("content-type", FORM)]
    _, cookies, _ = await call(app, "POST", "/signup", headers, form)
    session = re.search(r"at_session=([^;]+)", " ".join(cookies))[1]
    signed_in = f"at_csrf={csrf}; at_session={session}"
    # The token is bound to the session: the signed-in page gives the new one.
    _, _, page = await call(app, "GET", "/", [("cookie", signed_in)])
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page)[1].decode()
    return signed_in, token


async def measure(
    app: Starlette,
    name: str,
    method: str,
    requests: Iterator[tuple[list, bytes]],
    args: argparse.Namespace,
) -> None:
    latencies: list[float] = []
    stop = time.perf_counter() + args.seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            headers, body = next(requests)
            began = time.perf_counter()
            status, _, _ = await call(app, method, MODULE_URL, headers, body)
            latencies.append(time.perf_counter() - began)
            assert status in (200, 303), status

    CALLS.clear()
    before, began = _thread_ticks(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    wall, after = time.perf_counter() - began, _thread_ticks()
    latencies.sort()
    count = len(latencies)
    print(
        f"{name}: {count / wall:.0f} req/s, p50 {latencies[count // 2] * 1e3:.1f} ms,"
        f" p99 {latencies[int(count * 0.99)] * 1e3:.1f} ms"
    )
    hz = os.sysconf("SC_CLK_TCK")
    for thread, ticks in after.items():
        share = (ticks - before.get(thread, 0)) / hz / wall
        if share >= 0.01:
            print(f"  CPU {share:4.0%}  {thread}")
    for thread, spent in CALLS.items():
        spent.sort()
        print(
            f"  {thread}: {len(spent)} calls, busy {sum(spent) / wall:.0%},"
            f" p50 {spent[len(spent) // 2] * 1e6:.0f} µs,"
            f" p99 {spent[int(len(spent) * 0.99)] * 1e6:.0f} µs per call"
        )


async def main(args: argparse.Namespace) -> None:
    _time_database_calls()
    workdir = Path(tempfile.mkdtemp(prefix="alliances-inprocess-"))
    settings = Settings(
        database=workdir / "bench.db", content_dir=ROOT / "content", secret_key="k" * 40
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        cookie, token = await sign_up(app)
        await call(app, "POST", "/paths/1h/start", [("cookie", cookie), ("content-type", FORM)],
                   urlencode({"csrf_token": token}).encode())  # fmt: skip
        page_headers = [("host", "127.0.0.1"), ("cookie", cookie)]
        await measure(app, "module page", "GET", itertools.repeat((page_headers, b"")), args)
        # Made before the clock starts: making them is the bench's work, not the server's.
        count = int(args.seconds * 6000)
        ready = list(itertools.islice(submissions(settings, count), count))
        await measure(app, "quiz submission", "POST", iter(ready), args)


def submissions(settings: Settings, count: int) -> Iterator[tuple[list, bytes]]:
    """Each learner's next attempt in turn: a quiz form counts once (bench/learners.py).

    Enough learners that none reaches the attempt limits over `count` submissions.
    """
    signer = Signer(settings.secret_key)
    module = load_course(ROOT / "content").modules[MODULE_ID]
    size, attempts = learners.group(count)
    group = learners.seed(settings.database, signer, size, https=False)
    for number in range(attempts):
        for learner in group:
            body = learners.form(signer, module, learner, number).encode()
            headers = [
                ("host", "127.0.0.1"),
                ("cookie", learner.cookie),
                ("content-type", FORM),
                ("content-length", str(len(body))),
            ]
            yield headers, body


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--switch-interval", type=float, default=0.001, help="as `serve` sets it")
    arguments = parser.parse_args()
    sys.setswitchinterval(arguments.switch_interval)
    uvloop.run(main(arguments))
