"""A path's minimum measured time before a module's quiz counts (issue #18 §2): off by
default, set in course.yaml (`min_time_percent`), checked by the loader, a clear French
refusal that keeps the learner's answers."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from course.activity import Stretch, time_short
from course.errors import ContentError
from course.loader import load_course
from server import clock
from server.app import create_app
from server.settings import Settings
from tests.conftest import FIXTURE_COURSE, Learner
from tests.sql import value, write

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)
INTRO_ANSWERS = {"intro-mode": "a", "intro-acteurs": ["a", "b"], "intro-classement": "faux"}


def test_the_rule_is_off_at_zero_and_rounds_up() -> None:
    assert time_short([], "m", 5, 0, LATER) is None
    assert time_short([], "m", 5, 50, LATER) == (3, 0)
    worked = [Stretch("m", T0, T0 + timedelta(minutes=1))]  # 1 min + the 1-minute allowance
    assert time_short(worked, "m", 5, 50, LATER) == (3, 2)
    assert time_short(worked, "m", 4, 50, LATER) is None
    assert time_short(worked, "other", 4, 50, LATER) == (2, 0)  # per module


def with_min_time(root: Path, value_: str) -> Path:
    course_yaml = root / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    text = text.replace(
        "    modules: [intro, lecture]\n",
        f"    modules: [intro, lecture]\n    min_time_percent: {value_}\n",
        1,
    )
    course_yaml.write_text(text, encoding="utf-8")
    return root


def copy_course(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_COURSE, tmp_path / "course"))


def test_off_by_default_and_read_from_course_yaml(tmp_path: Path) -> None:
    assert all(p.min_time_percent == 0 for p in load_course(FIXTURE_COURSE).paths)
    course = load_course(with_min_time(copy_course(tmp_path), "50"))
    assert course.path("1h").min_time_percent == 50  # type: ignore[union-attr]


@pytest.mark.parametrize("wrong", ["150", "-1", "oui", "12.5"])
def test_the_checker_refuses_a_wrong_value(tmp_path: Path, wrong: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_course(with_min_time(copy_course(tmp_path), wrong))
    found = [str(p) for p in caught.value.problems]
    assert any("min_time_percent" in p and "entier de 0 à 100" in p for p in found), found
    assert any("course.yaml:15" in p for p in found), found


def test_a_quiz_sent_too_early_is_refused_then_counts(
    settings: Settings, content_dir: Path
) -> None:
    with_min_time(content_dir, "50")  # intro lasts 3 min: 2 min of measured time needed
    with TestClient(create_app(replace(settings, content_dir=content_dir))) as client:
        lea = Learner(client)
        assert lea.signup().status_code == 303
        response = lea.post(
            "/paths/1h/intro", {"tentative": lea.attempt("/paths/1h/intro"), **INTRO_ANSWERS}
        )
        assert response.status_code == 403
        assert "un quiz ne compte qu’après au moins 2\u00a0min de travail" in response.text
        assert "checked" in response.text  # the answers sent come back ticked
        user_id = value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")
        assert value(client, "SELECT count(*) FROM attempts") == 0
        start = clock.stamp(clock.moment() - timedelta(minutes=5))
        write(
            client,
            "INSERT INTO activity_stretches (user_id, module_id, started_at, last_at)"
            " VALUES (?, 'intro', ?, ?)",
            (user_id, start, clock.now()),
        )
        result = lea.quiz("/paths/1h/intro", INTRO_ANSWERS)
        assert result.status_code == 200
        assert value(client, "SELECT count(*) FROM attempts") == 1
