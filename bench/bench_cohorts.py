"""Trainers at scale: seed 100 cohorts of 200 learners plus one of 2,000, then measure.

Seeds a SQLite database (as the migrations create it) with realistic progress
on the 12 h path — each learner has completed a random number of modules in
order, with attempts and scores, some with the path finished and a
certificate — then starts the server as in production and measures:
  1. the 2,000-learner dashboard: p50/p95 over sequential requests;
  2. its CSV export: time, size and the server's RSS before and after;
  3. a learner's module page under wrk, on this database and on an empty one,
     to show the learner pages are not slowed by the volume (indexes).

Usage: python bench/bench_cohorts.py [--requests 30]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_server import free_port, peak_rss_mb, sign_up, signed_in, start_server, wrk
from course.loader import load_course
from server.security import hash_password
from server.storage import SqliteStorage

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
STAMP = "2026-11-01T10:00:00+00:00"


def seed(db_path: Path, cohorts: int, size: int, big: int) -> int:
    """Fill the database; return the id of the big cohort."""
    asyncio.run(_migrate(db_path))
    course = load_course(ROOT / "content")
    modules = course.path("12h").module_ids
    rng = random.Random(17)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    # Seeding writes progress itself: the attempts trigger is set aside meanwhile.
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'attempts_update_progress'"
    ).fetchone()[0]
    conn.execute("DROP TRIGGER attempts_update_progress")
    hashed = hash_password(PASSWORD)
    conn.execute(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
        ("formateur@bench.fr", "Formateur", hashed, STAMP),
    )
    trainer_id = conn.execute("SELECT id FROM users WHERE email = 'formateur@bench.fr'").fetchone()[
        0
    ]
    conn.execute(
        "INSERT INTO role_changes (actor_id, user_id, role, action, at)"
        " VALUES (NULL, ?, 'trainer', 'grant', ?)",
        (trainer_id, STAMP),
    )
    big_id = 0
    for index in range(cohorts + 1):
        members = big if index == cohorts else size
        cur = conn.execute(
            "INSERT INTO cohorts (name, path_id, due_date, join_code, created_by, created_at)"
            " VALUES (?, '12h', '2026-12-15', ?, ?, ?)",
            (f"Groupe {index + 1}", f"code{index}", trainer_id, STAMP),
        )
        cohort_id = cur.lastrowid
        if index == cohorts:
            big_id = cohort_id
        users, progress, attempts, members_rows = [], [], [], []
        base = conn.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0]
        for n in range(members):
            user_id = base + n + 1
            users.append((user_id, f"l{cohort_id}-{n}@bench.fr", f"Apprenant {n:04d}", "x", STAMP))
            members_rows.append((cohort_id, user_id, STAMP))
            done = min(len(modules), int(rng.expovariate(1 / 9)))
            for position, module_id in enumerate(modules[: done + 1]):
                finished = position < done
                tries = rng.randint(1, 3)
                score = rng.choice([80, 90, 100]) if finished else rng.choice([20, 40, 60])
                day = f"2026-11-{1 + position % 20:02d}T10:00:00+00:00"
                progress.append((user_id, module_id, tries, score, day if finished else None, day))
                for _ in range(tries):
                    attempts.append(
                        (user_id, "12h", module_id, score, int(finished), "{}", "v", day)
                    )
        conn.executemany(
            "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            users,
        )
        conn.executemany(
            "INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?, ?, ?)",
            members_rows,
        )
        conn.executemany(
            "INSERT OR REPLACE INTO progress (user_id, module_id, attempts, best_score,"
            " completed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            progress,
        )
        conn.executemany(
            "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
            " content_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
    conn.execute(trigger)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return big_id


async def _migrate(db_path: Path) -> None:
    storage = SqliteStorage(db_path)
    await storage.open()
    await storage.close()


def login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base)
    fields = {"email": "formateur@bench.fr", "password": PASSWORD}
    client.headers["cookie"] = signed_in(client, "/login", fields)
    return client


def dashboard_times(client: httpx.Client, url: str, requests: int) -> tuple[float, float]:
    """A cohort's dashboard asked `requests` times in turn: p50 and p95, in ms."""
    assert "Apprenant" in client.get(url).text
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, math.ceil(0.95 * len(times)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--cohorts", type=int, default=100)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--big", type=int, default=2000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="alliances-cohorts-"))
    db = workdir / "bench.db"
    started = time.perf_counter()
    big_id = seed(db, args.cohorts, args.size, args.big)
    rows = {
        t: sqlite3.connect(db).execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("users", "progress", "attempts")
    }
    print(f"seeded in {time.perf_counter() - started:.1f} s: {rows}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(workdir, port, None)
    try:
        client = login(base)
        cookie, _ = sign_up(base)
        module_url = f"{base}/paths/1h/decouvrir-pourquoi"
        loaded = wrk(module_url, 8, 64, cookie)
        print(
            f"learner module page on this database: {loaded['requests_per_s']:.0f} req/s,"
            f" p50 {loaded['p50_ms']:.1f} ms, p99 {loaded['p99_ms']:.1f} ms"
        )
        url = f"/trainer/cohorts/{big_id}"
        p50, p95 = dashboard_times(client, url, args.requests)
        print(
            f"dashboard, {args.big} learners: p50 {p50:.1f} ms,"
            f" p95 {p95:.1f} ms over {args.requests} requests"
        )
        for page in ("questions", "export.csv"):
            rss_before = peak_rss_mb(server.pid)
            t = time.perf_counter()
            response = client.get(f"{url}/{page}")
            spent = (time.perf_counter() - t) * 1000
            print(
                f"{page}: {response.status_code}, {len(response.content) / 1024:.0f} KiB"
                f" in {spent:.0f} ms, peak RSS {rss_before:.1f} -> {peak_rss_mb(server.pid):.1f} MB"
            )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
