"""Content problems, reported as `file:line: message` so editors can jump to them."""

from __future__ import annotations

from dataclasses import dataclass

from course.typography import no_break


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "avertissement : " if self.warning else ""
        return f"{self.file}:{self.line}: {no_break(prefix + self.message)}"


class ContentError(Exception):
    """Raised with every problem found, so an editor fixes them all in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
