"""« Mon plan d'alliance »: the learner's reflection answers, in course order.

The workshops of the longest path give the plan its structure; each module
with reflection prompts becomes a section titled after the module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from course.models import Course, Module, Reflection

NO_ANSWER = "(pas encore de réponse)"


@dataclass(frozen=True)
class Section:
    module: Module
    reflections: tuple[Reflection, ...]


def sections(course: Course) -> tuple[Section, ...]:
    """Modules with reflections: longest path's order first, then any others."""
    ordered: list[Module] = []
    for path in sorted(course.paths, key=lambda p: -p.target_minutes):
        ordered += [m for m in course.path_modules(path) if m not in ordered]
    ordered += [m for m in course.modules.values() if m not in ordered]
    return tuple(Section(m, m.reflections) for m in ordered if m.reflections)


def answered(plan: tuple[Section, ...], answers: Mapping[str, str]) -> int:
    return sum(1 for s in plan for r in s.reflections if answers.get(r.id, "").strip())


def markdown(
    course: Course, plan: tuple[Section, ...], answers: Mapping[str, str], name: str, date: str
) -> str:
    """The plan as a Markdown document the learner keeps and edits elsewhere."""
    lines = [
        "# Mon plan d'alliance",
        "",
        f"**{name}** — {date}",
        "",
        f"Rédigé dans le cadre de la formation « {course.title} ».",
        "",
    ]
    for section in plan:
        lines += [f"## {section.module.title}", ""]
        for reflection in section.reflections:
            lines += [f"### {heading(reflection)}", ""]
            asked = sub_questions(reflection)
            if asked:
                lines += [f"{n}. {q}" for n, q in enumerate(asked, 1)] + [""]
            lines += [answers.get(reflection.id, "").strip() or f"*{NO_ANSWER}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def heading(reflection: Reflection) -> str:
    """The prompt's short title; its first sentence for prompts written before titles."""
    return reflection.title or first_line(reflection.prompt_text)


_NUMBERED = re.compile(r"^\s{0,3}\d{1,2}[.)]\s+(?P<text>\S.*)$")


def sub_questions(reflection: Reflection) -> tuple[str, ...]:
    """The prompt's numbered sub-questions, exported with the answer so it reads alone."""
    found = []
    for line in reflection.prompt_text.splitlines():
        match = _NUMBERED.match(line)
        if match:
            found.append(re.sub(r"\*\*|__|`", "", match["text"]).strip())
    return tuple(found)


def first_line(text: str) -> str:
    """A prompt's first sentence, as a short heading."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    line = line.lstrip("#>*-_ ").replace("**", "")
    match = re.match(r"^(.+?[.?!])(\s|$)", line)
    line = match[1] if match else line
    return line if len(line) <= 160 else line[:157].rstrip() + "…"
