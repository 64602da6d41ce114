"""The measured-time rules of course/activity.py (issue #18 §2): fast, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from course.activity import (
    ALLOWANCE,
    IDLE_CUTOFF,
    Stretch,
    hours_minutes,
    measure,
    stretches,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_requests_within_the_cutoff_make_one_stretch() -> None:
    hits = [("m1", at(0)), ("m1", at(4)), ("m1", at(13))]
    assert stretches(hits) == [Stretch("m1", at(0), at(13))]
    assert measure(stretches(hits), LATER).total == timedelta(minutes=13) + ALLOWANCE


def test_a_gap_over_the_idle_cutoff_starts_a_new_stretch() -> None:
    hits = [("m1", at(0)), ("m1", at(5)), ("m1", at(5) + IDLE_CUTOFF + timedelta(seconds=1))]
    found = stretches(hits)
    assert [(s.start, s.last) for s in found] == [
        (at(0), at(5)),
        (at(5) + IDLE_CUTOFF + timedelta(seconds=1),) * 2,
    ]
    # The idle 10 minutes are not counted: 5 min + two allowances.
    assert measure(found, LATER).total == timedelta(minutes=5) + 2 * ALLOWANCE


def test_exactly_the_cutoff_still_extends() -> None:
    assert len(stretches([("m1", at(0)), ("m1", at(10))])) == 1


def test_without_javascript_a_single_request_counts_the_allowance_only() -> None:
    assert measure(stretches([("m1", at(0))]), LATER).total == ALLOWANCE


def test_heartbeats_every_minute_count_the_whole_visit() -> None:
    hits = [("m1", at(minute)) for minute in range(0, 31)]
    assert measure(stretches(hits), LATER).total == timedelta(minutes=30) + ALLOWANCE


def test_overlapping_tabs_count_once() -> None:
    # Two modules open side by side from 9:00 to 9:20, heartbeats in both.
    hits = sorted(
        [("m1", at(m)) for m in range(0, 21)] + [("m2", at(m + 0.5)) for m in range(0, 20)],
        key=lambda hit: hit[1],
    )
    result = measure(stretches(hits), LATER)
    assert result.total == timedelta(minutes=20) + ALLOWANCE
    assert sum(result.by_module.values(), timedelta()) == result.total
    assert result.by_module["m2"] > timedelta(0)


def test_the_same_module_in_two_tabs_counts_once() -> None:
    hits = [("m1", at(0)), ("m1", at(0)), ("m1", at(3)), ("m1", at(3))]
    assert measure(stretches(hits), LATER).total == timedelta(minutes=3) + ALLOWANCE


def test_never_more_than_the_wall_clock() -> None:
    hits = [(f"m{i % 5}", at(i * 0.25)) for i in range(400)]  # 5 tabs for 100 minutes
    total = measure(stretches(hits), LATER).total
    assert total <= at(100) + ALLOWANCE - T0


def test_the_allowance_never_runs_past_now() -> None:
    assert measure([Stretch("m1", at(0), at(5))], at(5.5)).total == timedelta(minutes=5.5)


def test_a_clock_going_backwards_never_shortens_a_stretch() -> None:
    hits = [("m1", at(0)), ("m1", at(8)), ("m1", at(2)), ("m1", at(9))]
    assert stretches(hits) == [Stretch("m1", at(0), at(9))]


def test_a_late_request_before_a_stretch_adds_nothing() -> None:
    hits = [("m1", at(30)), ("m1", at(0))]
    assert stretches(hits) == [Stretch("m1", at(30), at(30))]


def test_time_is_shared_out_by_module() -> None:
    hits = [("m1", at(0)), ("m1", at(9)), ("m2", at(20)), ("m2", at(24))]
    result = measure(stretches(hits), LATER)
    assert result.by_module == {
        "m1": timedelta(minutes=9) + ALLOWANCE,
        "m2": timedelta(minutes=4) + ALLOWANCE,
    }


def test_durations_read_in_hours_and_minutes() -> None:
    assert hours_minutes(timedelta(minutes=65, seconds=20)) == "1\u00a0h\u00a005"
    assert hours_minutes(timedelta(0)) == "0\u00a0h\u00a000"
