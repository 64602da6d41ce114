"""Frozen objects for a compiled course.

Everything here is built once by the loader and shared read-only by every request.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from course.kinds import KINDS, Kind, KindSpec
from course.satisfaction import Satisfaction

MAX_PERMUTED = 6  # 720 orders; a question with more options is shuffled on the fly

KIND_LABELS = {kind: spec.label for kind, spec in KINDS.items()}
KINDS_BY_LABEL = {spec.label: kind for kind, spec in KINDS.items()}


@dataclass(frozen=True)
class Choice:
    id: str
    html: str
    correct: bool
    feedback_html: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    prompt_html: str
    choices: tuple[Choice, ...]
    explanation_html: str
    minutes: float
    line: int = 0
    # Shown after a failed attempt: the idea tested and where to re-read, not the answer.
    hint_html: str = ""

    @property
    def spec(self) -> KindSpec:
        return KINDS[self.kind]

    @cached_property
    def orders(self) -> tuple[tuple[Choice, ...], ...]:
        """Every order its options may be shown in (course/attempt.py picks one)."""
        if not self.spec.shuffled or len(self.choices) > MAX_PERMUTED:
            return (self.choices,)
        return tuple(itertools.permutations(self.choices))

    @cached_property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)

    @cached_property
    def choice_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices)


@dataclass(frozen=True)
class Reflection:
    id: str
    module_id: str
    prompt_html: str
    prompt_text: str
    minutes: int
    line: int = 0
    title: str = ""
    # Shown once the learner has saved an answer, so they write before they compare.
    self_check_html: str = ""
    example_html: str = ""


@dataclass(frozen=True)
class Segment:
    """A piece of a lesson: compiled HTML, or a reflection prompt shown in place."""

    html: str = ""
    reflection: Reflection | None = None


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    duration: int
    objectives: tuple[str, ...]
    segments: tuple[Segment, ...]
    questions: tuple[Question, ...]
    source: str
    estimated_minutes: float
    words: int
    # Questions shown per attempt, drawn from the pool; None shows every question.
    draw: int | None = None

    @property
    def reflections(self) -> tuple[Reflection, ...]:
        return tuple(s.reflection for s in self.segments if s.reflection)

    @property
    def has_quiz(self) -> bool:
        return bool(self.questions)

    @cached_property
    def draws(self) -> tuple[tuple[Question, ...], ...]:
        """Every set of questions one attempt may draw, each in the module's order."""
        if not self.draw or self.draw >= len(self.questions):
            return (self.questions,)
        return tuple(itertools.combinations(self.questions, self.draw))

    @property
    def questions_per_attempt(self) -> int:
        return min(self.draw, len(self.questions)) if self.draw else len(self.questions)

    @cached_property
    def quiz_signature(self) -> str:
        """Changes when questions, choices or right answers change, not on rewording."""
        shape: list[list[object]] = [
            [q.id, q.kind.value, sorted(q.choice_ids), sorted(q.correct_ids)]
            for q in self.questions
        ]
        if self.draw:
            shape.append(["draw", self.draw])
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question | None:
        """Looked up for every field of every submitted quiz form."""
        return self._questions_by_id.get(question_id)


@dataclass(frozen=True)
class Section:
    """A titled run of consecutive modules in a path, to find one's way in a long one."""

    title: str
    module_ids: tuple[str, ...]


@dataclass(frozen=True)
class Path:
    id: str
    title: str
    target_minutes: int
    description: str
    audience: str
    outcomes: tuple[str, ...]
    module_ids: tuple[str, ...]
    total_minutes: int
    sections: tuple[Section, ...] = ()
    # Share (%) of each module's duration the learner's measured time must reach before
    # its quiz counts (course.yaml `min_time_percent`, issue #18 §2); 0: off.
    min_time_percent: int = 0

    def index(self, module_id: str) -> int:
        return self.module_ids.index(module_id)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    html: str


@dataclass(frozen=True)
class Template:
    """A document learners fill in: shown as a page, downloaded as PDF and DOCX.

    `blocks` is the body as plain blocks (course.document), so the office
    writers never parse Markdown themselves.
    """

    id: str
    title: str
    description: str
    html: str
    blocks: tuple[Any, ...]
    source: str


@dataclass(frozen=True)
class Course:
    title: str
    language: str
    description: str
    pass_threshold: int
    paths: tuple[Path, ...]
    modules: dict[str, Module] = field(hash=False)
    pages: dict[str, Page] = field(hash=False)
    version: str
    warnings: tuple[str, ...] = ()
    templates: dict[str, Template] = field(default_factory=dict, hash=False)
    satisfaction: Satisfaction | None = field(default=None, hash=False)

    def path(self, path_id: str) -> Path | None:
        return next((p for p in self.paths if p.id == path_id), None)

    def path_modules(self, path: Path) -> list[Module]:
        return [self.modules[m] for m in path.module_ids]
