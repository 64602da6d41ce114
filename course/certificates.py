"""Certificate rules: when one is earned and what it freezes at issue."""

from __future__ import annotations

import secrets
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from course.models import Course, Path

ID_BYTES = 24  # 192 random bits: unguessable, so the id alone proves nothing leaked
MAX_NAME = 120


@dataclass(frozen=True)
class Certificate:
    """What was certified, frozen at issue: later content edits never change it."""

    id: str
    user_id: int
    path_id: str
    learner_name: str
    path_title: str
    duration_minutes: int
    course_title: str
    content_version: str
    issued_at: str
    revoked_at: str | None = None
    revoked_reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.revoked_at is None


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def earned(path: Path, completed: AbstractSet[str]) -> bool:
    """Every module of the path is complete (checked on each passed quiz, so kept cheap)."""
    return all(module_id in completed for module_id in path.module_ids)


def issue(course: Course, path: Path, user_id: int, learner_name: str, now: str) -> Certificate:
    return Certificate(
        id=new_id(),
        user_id=user_id,
        path_id=path.id,
        learner_name=learner_name,
        path_title=path.title,
        duration_minutes=path.target_minutes,
        course_title=course.title,
        content_version=course.version,
        issued_at=now,
    )


def format_duration(minutes: int) -> str:
    """« 1 h », « 12 h », « 1 h 30 », « 45 min »: French style, no-break space."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}\u00a0min"
    return f"{hours}\u00a0h" + (f"\u00a0{rest:02d}" if rest else "")
