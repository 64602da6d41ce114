"""The server's one clock (server/clock.py): UTC, stored to the second, read nowhere else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from server import clock

ROOT = Path(__file__).parent.parent


def test_moments_are_stored_in_utc_to_the_second() -> None:
    assert clock.stamp(datetime(2026, 11, 27, 16, 5, 0, 999_999, tzinfo=UTC)) == (
        "2026-11-27T16:05:00+00:00"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", clock.now())
    assert clock.moment().utcoffset() == timedelta(0)


def test_today_is_the_utc_date() -> None:
    before = clock.moment().date().isoformat()
    today = clock.today()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", today)
    assert today in (before, clock.moment().date().isoformat())  # midnight may pass between
    paris = datetime(2026, 11, 27, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert clock.stamp(paris.astimezone(UTC)) == "2026-11-26T23:30:00+00:00"


def test_no_other_module_reads_the_system_clock() -> None:
    """A second reader could drift: another timezone, another format, another `today`."""
    reads = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today)\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("server", "course")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "clock.py" or path.parent.name != "server"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []
