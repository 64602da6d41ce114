"""SQLite against PostgreSQL, in one run: the figures behind « Scaling out ».

Measures, one after the other on this machine, with the same wrk load as
bench/bench_server.py (the module page and the durable quiz submission, each
as a share of the same server's /plaintext):
  1. SQLite, one worker (the embedded default);
  2. PostgreSQL, one worker;
  3. PostgreSQL, two workers.
Each PostgreSQL configuration gets a fresh, empty database, dropped afterwards.
The ratios that matter are within this run: PostgreSQL's requests/s against
SQLite's for each endpoint (issue #15 asks at least 60 % with one worker).

Usage: python bench/bench_backends.py [--duration 10] [--connections 64] [--rounds 1]
       [--postgres postgresql://root@127.0.0.1:5432/postgres] [--json out.json]
Needs wrk and a PostgreSQL server. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_server import measure

ENDPOINTS = ("plaintext", "module_page", "quiz_submission")


@contextmanager
def empty_database(admin_url: str) -> Iterator[str]:
    name = f"alliances_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def median(rounds: list[dict]) -> dict[str, dict[str, float]]:
    return {
        name: {key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]}
        for name in ENDPOINTS
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict] = {}
    # The server unpinned in every configuration: two workers need both cores.
    run = (args.duration, args.connections, args.rounds, None, None)
    rounds, _ = measure(*run)
    results["sqlite, 1 worker"] = median(rounds)
    for workers in (1, 2):
        with empty_database(args.postgres) as url:
            rounds, _ = measure(*run, database=url, workers=workers)
        results[f"postgresql, {workers} worker{'s' if workers > 1 else ''}"] = median(rounds)
    sqlite = results["sqlite, 1 worker"]
    print(
        f"{'configuration':<22} {'endpoint':<16} {'req/s':>8} {'% plain':>8} {'vs SQLite':>9}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    for config, measured in results.items():
        plain = measured["plaintext"]["requests_per_s"]
        for name in ENDPOINTS:
            r = measured[name]
            versus = 100 * r["requests_per_s"] / sqlite[name]["requests_per_s"]
            print(
                f"{config:<22} {name:<16} {r['requests_per_s']:>8.0f}"
                f" {100 * r['requests_per_s'] / plain:>7.1f}% {versus:>8.0f}%"
                f" {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['errors']:>6.0f}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
