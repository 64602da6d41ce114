"""How cost grows with the work (issue #15 §5): an empty site against a site after years of use.

For each backend (SQLite, one worker; PostgreSQL, one worker), on this machine:
  1. the module page and the quiz submission under wrk (bench/bench_server.py's
     `measure`, each with its own /plaintext) on an empty database;
  2. the same on a database seeded in bulk through the storage layer
     (server/storage/bulk.py) with `--learners` learners and `--attempts`
     attempts (bench/scale_data.py), after a check that a sample of learners'
     progress is what the progress rules give for their attempts;
  3. on that database, the 2,000-learner cohort's dashboard: p50/p95 over
     sequential requests (bench/bench_cohorts.py's measurement).
The issue asks the seeded figures to stay within 15 % of the empty ones, and the
dashboard under 150 ms p50. Prints the seeding time and the database's size.

Usage: python bench/bench_scale.py [--learners 100000] [--attempts 10000000]
       [--backends sqlite,postgresql] [--duration 10] [--connections 64] [--rounds 1]
       [--requests 30] [--postgres postgresql://root@127.0.0.1:5432/postgres]
       [--workdir DIR] [--json out.json]
       Seed once and measure later (the seeding takes minutes and needs no quiet machine):
       python bench/bench_scale.py --seed-only --keep --workdir DIR, then --reuse --workdir DIR
Needs wrk and a PostgreSQL server. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_backends import empty_database
from bench.bench_cohorts import dashboard_times, login
from bench.bench_server import free_port, measure, start_server
from bench.scale_data import (
    ATTEMPTS,
    CERTIFICATES,
    COHORTS,
    MEMBERS,
    ROLE_CHANGES,
    SESSIONS,
    USERS,
    Site,
    expected_progress,
)
from course.loader import load_course
from server.storage.bulk import bulk_loader
from server.storage.interface import Storage

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ("module_page", "quiz_submission")
COLUMNS = {
    "users": USERS,
    "role_changes": ROLE_CHANGES,
    "cohorts": COHORTS,
    "sessions": SESSIONS,
    "cohort_members": MEMBERS,
    "attempts": ATTEMPTS,
    "certificates": CERTIFICATES,
}
BIG_COHORT = 1
WITHIN = 0.15  # the bound on seeded against empty
DASHBOARD_P50_MS = 150


def seed(target: Path | str, site: Site) -> dict[str, float]:
    """Fill the database through the bulk loader; seconds spent and size in bytes."""
    started = time.perf_counter()
    with bulk_loader(target) as load:
        for table, rows in site.setup().items():
            load.insert(table, COLUMNS[table], rows)
        done = 0
        for tables in site.chunks():
            for table, rows in tables.items():
                load.insert(table, COLUMNS[table], rows)
            done += len(tables["attempts"])
            print(f"  {done:,} attempts", end="\r", flush=True)
        print()
        derive = time.perf_counter()
        load.finish()
        finished = time.perf_counter()
        size = load.size_bytes()
    return {
        "seconds": round(finished - started, 1),
        "derive_seconds": round(finished - derive, 1),
        "size_bytes": size,
    }


def check(target: Path | str, site: Site, sample: int) -> None:
    """Sampled learners' progress, enrolments and certificates, read as the app reads them,
    against the rules applied to the attempts they were given."""
    asyncio.run(_check(target, site, sample))


async def _check(target: Path | str, site: Site, sample: int) -> None:
    storage = _storage(target)
    await storage.open()
    try:
        rng = random.Random(5)
        for index in sorted(rng.sample(range(site.learners), min(sample, site.learners))):
            user_id = site.learner_id(index)
            _, history = site.history(index)
            path = site.cohort_path(site.cohort_of(index))
            expected = expected_progress(history)
            got = await storage.progress(user_id)
            if got != expected:
                raise SystemExit(f"learner {user_id}: progress {got} is not the rules' {expected}")
            if await storage.enrolments(user_id) != ({path.id} if history else set()):
                raise SystemExit(f"learner {user_id}: enrolments differ from the attempts'")
            earned = all(expected.get(m) and expected[m].completed for m in path.module_ids)
            if (path.id in await storage.certificates_for(user_id)) != bool(history and earned):
                raise SystemExit(f"learner {user_id}: certificate does not follow completion")
    finally:
        await storage.close()


def _storage(target: Path | str) -> Storage:
    if isinstance(target, str) and target.startswith("postgresql://"):
        from server.storage.postgres import PostgresStorage

        return PostgresStorage(target, pool_size=2)
    from server.storage.sqlite import SqliteStorage

    return SqliteStorage(Path(target))


def dashboard(workdir: Path, database: str, requests: int) -> dict[str, float]:
    port = free_port()
    server = start_server(workdir, port, None, database)
    try:
        client = login(f"http://127.0.0.1:{port}")
        try:
            p50, p95 = dashboard_times(client, f"/trainer/cohorts/{BIG_COHORT}", requests)
        finally:
            client.close()
    finally:
        server.terminate()
        server.wait(10)
    return {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}


def median(rounds: list[dict]) -> dict[str, dict[str, float]]:
    return {
        name: {key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]}
        for name in rounds[0]
    }


@contextmanager
def database(backend: str, workdir: Path, admin_url: str, name: str) -> Iterator[str]:
    """A new database of the backend: a SQLite file in `workdir`, or a PostgreSQL database."""
    if backend == "postgresql":
        with empty_database(admin_url) as url:
            yield url
        return
    path = workdir / f"{name}.db"
    try:
        yield str(path)
    finally:  # gigabytes at full size: gone before the next backend is seeded
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def run_backend(backend: str, args: argparse.Namespace, site: Site, workdir: Path) -> dict:
    # Unpinned, as bench/bench_backends.py: PostgreSQL's own processes need a core too.
    # Empty and seeded rounds alternate, so that a machine getting busier or quieter
    # during the run weighs on both sides of the ratio alike.
    run = (args.duration, args.connections, 1, None, None)
    result: dict = {}
    empty_rounds, seeded_rounds = [], []
    with (
        database(backend, workdir, args.postgres, "empty") as empty,
        kept_database(backend, args)
        if args.reuse
        else seeded_database(backend, workdir, args) as url,
    ):
        if args.reuse:
            result["seeding"] = {"seconds": 0, "derive_seconds": 0, "size_bytes": 0, "reused": 1}
        else:
            print(f"{backend}: seeding {site.learners:,} learners, {site.attempts:,} attempts")
            result["seeding"] = seed(url if backend == "postgresql" else Path(url), site)
            check(url, site, args.sample)
        result["dashboard"] = dashboard(workdir, url, args.requests)
        for _ in range(args.rounds):
            empty_rounds.append(median(measure(*run, database=empty)[0]))
            seeded_rounds.append(median(measure(*run, database=url)[0]))
    result["empty"], result["seeded"] = median(empty_rounds), median(seeded_rounds)
    return result


KEPT_POSTGRES = "alliances_scale_seeded"


def kept_url(backend: str, args: argparse.Namespace) -> str:
    """Where `--seed-only --keep` leaves a seeded database for later `--reuse` runs."""
    if backend == "postgresql":
        return urlunsplit(urlsplit(args.postgres)._replace(path=f"/{KEPT_POSTGRES}"))
    assert args.workdir is not None, "--keep and --reuse need --workdir"
    return str(args.workdir / "seeded.db")


@contextmanager
def kept_database(backend: str, args: argparse.Namespace) -> Iterator[str]:
    yield kept_url(backend, args)


@contextmanager
def seeded_database(backend: str, workdir: Path, args: argparse.Namespace) -> Iterator[str]:
    with database(backend, workdir, args.postgres, "seeded") as url:
        yield url


def keep_seeded(backend: str, args: argparse.Namespace, site: Site) -> dict[str, float]:
    """Seed the kept database (created afresh) and leave it for `--reuse`."""
    url = kept_url(backend, args)
    if backend == "postgresql":
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{KEPT_POSTGRES}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{KEPT_POSTGRES}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(url + suffix).unlink(missing_ok=True)
    seeding = seed(url if backend == "postgresql" else Path(url), site)
    check(url, site, args.sample)
    return seeding


def report(backend: str, result: dict) -> None:
    seeding = result["seeding"]
    if seeding.get("reused"):
        print(f"\n{backend}: measured on the database `--seed-only --keep` left (--reuse)")
    else:
        print(
            f"\n{backend}: seeded in {seeding['seconds']:.0f} s (progress derived in"
            f" {seeding['derive_seconds']:.0f} s), {seeding['size_bytes'] / 2**20:,.0f} MiB"
        )
    print(
        f"{'endpoint':<16} {'database':<7} {'req/s':>8} {'% plain':>8} {'p50 ms':>7}"
        f" {'p99 ms':>7} {'errors':>6} {'seeded/empty':>12}"
    )
    for name in ENDPOINTS:
        for kind in ("empty", "seeded"):
            measured = result[kind]
            r, plain = measured[name], measured["plaintext"]["requests_per_s"]
            ratio = r["requests_per_s"] / result["empty"][name]["requests_per_s"]
            verdict = "" if kind == "empty" else f"{100 * ratio:>11.0f}%"
            if kind == "seeded":
                verdict += "" if ratio >= 1 - WITHIN else "  beyond 15 %"
            print(
                f"{name:<16} {kind:<7} {r['requests_per_s']:>8.0f}"
                f" {100 * r['requests_per_s'] / plain:>7.1f}% {r['p50_ms']:>7.2f}"
                f" {r['p99_ms']:>7.2f} {r['errors']:>6.0f} {verdict}"
            )
    board = result["dashboard"]
    over = "" if board["p50_ms"] < DASHBOARD_P50_MS else f"  over {DASHBOARD_P50_MS} ms"
    print(
        f"dashboard of the {min(2000, result['learners']):,}-learner cohort:"
        f" p50 {board['p50_ms']:.1f} ms, p95 {board['p95_ms']:.1f} ms{over}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30, help="dashboard requests")
    parser.add_argument("--sample", type=int, default=200, help="learners checked after seeding")
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files go (default: /tmp)")
    parser.add_argument("--seed-only", action="store_true", help="seed and check, measure nothing")
    parser.add_argument(
        "--keep", action="store_true", help="with --seed-only: keep the seeded databases"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the databases --keep left (no seeding)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if (args.keep or args.reuse) and args.workdir is None:
        parser.error("--keep and --reuse need --workdir (where the SQLite file is kept)")
    if not shutil.which("wrk") and not args.seed_only:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    site = Site(load_course(ROOT / "content"), args.learners, args.attempts)
    workdir = Path(tempfile.mkdtemp(prefix="alliances-scale-", dir=args.workdir))
    results: dict[str, dict] = {}
    try:
        for backend in args.backends.split(","):
            if args.seed_only and args.keep:
                seeding = keep_seeded(backend, args, site)
                print(f"{backend}: kept at {kept_url(backend, args)}: {json.dumps(seeding)}")
                continue
            if args.seed_only:
                with database(backend, workdir, args.postgres, "seeded") as url:
                    seeding = seed(url if backend == "postgresql" else Path(url), site)
                    check(url, site, args.sample)
                print(f"{backend}: {json.dumps(seeding)}")
                continue
            results[backend] = {
                **run_backend(backend, args, site, workdir),
                "learners": site.learners,
            }
            report(backend, results[backend])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
