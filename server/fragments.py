"""HTML fragments that depend only on the content, rendered once at start-up.

Rendering a quiz through Jinja per request would cost more than the rest of the
page. Each question is rendered once per content version with a placeholder for
its number; a request only joins the questions its attempt draws, each with its
options in the attempt's order (course/attempt.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from course.attempt import Arrangement, ShownQuestion
from course.models import Course
from server.templating import ENV

NUMBER = "\x00n\x00"  # survives HTML escaping; never in content (the loader reads text)


@dataclass(frozen=True)
class QuestionParts:
    head: str  # the fieldset up to its first option, with NUMBER
    choices: dict[str, str]  # each option unchecked, by choice id
    tail: str


def quiz_parts(course: Course) -> dict[str, QuestionParts]:
    macros = _macros()
    parts = {}
    for module in course.modules.values():
        for question in module.questions:
            whole = str(macros.question(ShownQuestion(question, ()), NUMBER))
            head, _, tail = whole.rpartition("\n</fieldset>")
            parts[question.id] = QuestionParts(
                head,
                {c.id: str(macros.choice(question, c)) for c in question.choices},
                "\n</fieldset>" + tail,
            )
    return parts


def quiz_fields(
    parts: Mapping[str, QuestionParts],
    arrangement: Arrangement,
    chosen: Mapping[str, Collection[str]] | None = None,
    missing: Collection[str] = (),
) -> Markup:
    """The attempt's questions; a form sent back with errors is rendered in full."""
    if chosen or missing:
        macros, chosen = _macros(), chosen or {}
        return Markup(
            "".join(
                str(macros.question(shown, n, chosen.get(shown.id, ()), shown.id in missing))
                for n, shown in enumerate(arrangement.questions, 1)
            )
        )
    out = []
    for n, shown in enumerate(arrangement.questions, 1):
        question = parts[shown.id]
        out.append(question.head.replace(NUMBER, str(n)))
        out += [question.choices[c.id] for c in shown.choices]
        out.append(question.tail)
    return Markup("".join(out))


def _macros() -> Any:
    return ENV.get_template("_quiz.html").module
