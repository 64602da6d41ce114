"""The real course in content/: valid, honest durations, enough practice, our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.loader import load_course
from course.originality import overlaps

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"
COURSE = load_course(CONTENT)

# Issues #3 and #11: minimum volume per path — modules, questions, reflection prompts
# (practice in every path: at least one prompt in 1 h, four in 4 h).
MINIMA = {"1h": (4, 15, 1), "4h": (10, 50, 4), "12h": (24, 120, 12)}
TARGETS = {"1h": 60, "4h": 240, "12h": 720}


def test_course_checks_without_error_or_warning() -> None:
    assert COURSE.warnings == ()


@pytest.mark.parametrize("path_id", ["1h", "4h", "12h"])
def test_paths_have_their_duration_and_volume(path_id: str) -> None:
    path = COURSE.path(path_id)
    modules = COURSE.path_modules(path)
    assert path.target_minutes == TARGETS[path_id]
    assert abs(path.total_minutes - path.target_minutes) <= 0.1 * path.target_minutes
    counts = (
        len(modules),
        sum(len(m.questions) for m in modules),
        sum(len(m.reflections) for m in modules),
    )
    assert all(have >= need for have, need in zip(counts, MINIMA[path_id], strict=True)), counts


def test_every_module_teaches_checks_and_cites() -> None:
    for module in COURSE.modules.values():
        html = "".join(segment.html for segment in module.segments)
        assert module.objectives, module.id
        assert 3 <= module.questions_per_attempt <= 8, module.id
        assert len(module.questions) <= 12, module.id  # a pool, not a question bank
        assert "callout-retenir" in html, module.id
        assert ">Sources</h2>" in html, module.id


def test_4h_path_contains_the_whole_of_what_12h_builds_on() -> None:
    assert set(COURSE.path("4h").module_ids) <= set(COURSE.path("12h").module_ids)


def test_glossary_and_resources_pages_exist() -> None:
    assert {"glossaire", "ressources"} <= set(COURSE.pages)


@pytest.mark.skipif(
    not SEEDS.is_dir() and not __import__("os").environ.get("CI"),
    reason="the source documents (../shared/seeds) are not beside this checkout",
)
def test_no_sentence_is_copied_from_the_sources() -> None:
    assert SEEDS.is_dir(), "CI must have ../shared/seeds beside the checkout"
    assert overlaps(CONTENT, SEEDS) == []
