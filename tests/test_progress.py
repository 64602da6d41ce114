"""Path progress, next step and certificate rules."""

from __future__ import annotations

from course import certificates
from course.loader import load_course
from course.progress import ModuleProgress, Status, neighbours, path_progress
from tests.conftest import FIXTURE_COURSE

COURSE = load_course(FIXTURE_COURSE)
SHORT, LONG = COURSE.path("1h"), COURSE.path("12h")
DONE = ModuleProgress("intro", 1, 100, "2026-11-23T10:00:00+00:00")


def test_fresh_learner() -> None:
    overview = path_progress(COURSE, SHORT, {})
    assert overview.percent == 0 and not overview.started
    assert overview.next_step.module.id == "intro"
    assert overview.minutes_left == 6


def test_statuses_and_next_step() -> None:
    progress = {"intro": DONE, "lecture": ModuleProgress("lecture")}
    overview = path_progress(COURSE, SHORT, progress)
    assert [s.status for s in overview.steps] == [Status.DONE, Status.STARTED]
    assert overview.next_step.module.id == "lecture"
    assert overview.percent == 50 and overview.minutes_left == 3


def test_moving_to_a_longer_path_keeps_completed_modules() -> None:
    overview = path_progress(COURSE, LONG, {"intro": DONE})
    assert overview.done == 1 and overview.next_step.module.id == "lecture"


def test_progress_on_a_removed_module_is_ignored() -> None:
    overview = path_progress(COURSE, SHORT, {"ancien-module": DONE})
    assert overview.done == 0


def test_certificate_is_earned_only_when_all_modules_are_done() -> None:
    lecture = ModuleProgress("lecture", 0, None, "2026-11-23T11:00:00+00:00")
    assert not certificates.earned(SHORT, {"intro"})
    assert not certificates.earned(SHORT, set())
    assert certificates.earned(SHORT, {"intro", "lecture"})
    assert certificates.earned(SHORT, {"intro", "lecture", "ancien-module"})
    assert path_progress(COURSE, SHORT, {"intro": DONE, "lecture": lecture}).complete


def test_certificate_freezes_what_it_certifies() -> None:
    cert = certificates.issue(COURSE, SHORT, 7, "Léa", "2026-11-23T12:00:00+00:00")
    assert (cert.path_title, cert.duration_minutes, cert.content_version) == (
        "Découvrir",
        6,
        COURSE.version,
    )
    assert len(cert.id) >= 32  # 24 random bytes, URL-safe base64
    assert cert.id != certificates.issue(COURSE, SHORT, 7, "Léa", "x").id


def test_neighbours() -> None:
    assert neighbours(LONG, "intro") == (None, "lecture")
    assert neighbours(LONG, "atelier") == ("approfondir", None)


def test_format_duration() -> None:
    assert certificates.format_duration(60) == "1\u00a0h"
    assert certificates.format_duration(720) == "12\u00a0h"
    assert certificates.format_duration(90) == "1\u00a0h\u00a030"
    assert certificates.format_duration(45) == "45\u00a0min"
