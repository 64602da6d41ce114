"""`kill -9` of one of two PostgreSQL workers loses no acknowledged quiz submission.

A small run of bench/bench_failover.py against a real `alliances serve --workers 2`:
two dozen learners submitting back to back, one worker killed after 1.5 s, three
seconds more. Several hundred submissions; 15–40 s depending on the machine's load,
mostly the server's start (the course is loaded by the master and by each worker).
"""

from __future__ import annotations

from bench.bench_failover import problems, run


def test_killing_a_worker_loses_no_acknowledged_submission(postgres_url: str) -> None:
    """The fixture (tests/pg.py) skips it without a PostgreSQL server."""
    results = run(postgres_url, count=24, kill_after=1.5, after=3)
    assert problems(results) == []
    assert results["acknowledged"] > 24  # the load went on through and after the kill
    assert results["requests_cut"] >= 1  # the kill did cut requests in flight
