"""Write our quizzes as Moodle GIFT, from the Markdown source so texts stay Markdown.

The compiled Question objects only keep HTML, so each module file is read again
with the loader's own block parser. Every text is written as `[markdown]` with
GIFT's special characters escaped; multiple choice weights use values from
Moodle's fixed list of grades, since Moodle refuses any other.
"""

from __future__ import annotations

from pathlib import Path

from course.blocks import KINDS, RawBlock, RawChoice, RawQuestion, parse_question, split_body
from course.frontmatter import split
from course.gift_parse import GiftError
from course.gift_text import FORMAT
from course.models import Course, Module, Question

# Moodle's grades (question_bank::fraction_options), in percent.
MOODLE_PERCENTS = (
    100,
    90,
    83.33333,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
)


def export_gift(
    course: Course, content_dir: Path, path_id: str | None = None
) -> tuple[str, list[str]]:
    """The GIFT text of a path's modules (all, in course order, without path_id), and warnings.

    A module without questions gets no `$CATEGORY:` line: Moodle would make an empty category.
    """
    if path_id is None:
        modules = course_order(course)
    else:
        path = course.path(path_id)
        if path is None:
            known = ", ".join(p.id for p in course.paths)
            raise GiftError(f"parcours inconnu « {path_id} » (parcours : {known})")
        modules = course.path_modules(path)
    warnings: list[str] = []
    out = [f"// {course.title} : questions exportées au format GIFT (Moodle)"]
    for module in modules:
        if not module.questions:
            continue
        raws = raw_questions(content_dir, module)
        out += [f"$CATEGORY: $course$/{_category(course.title)}/{_category(module.title)}", ""]
        for question in module.questions:
            out += [write_question(question, raws[question.id], warnings), ""]
    return "\n".join(out).rstrip("\n") + "\n", warnings


def course_order(course: Course) -> list[Module]:
    """Every module once, in the order the paths meet them (shortest path first)."""
    ids = [m for path in course.paths for m in path.module_ids] + list(course.modules)
    return [course.modules[m] for m in dict.fromkeys(ids) if m in course.modules]


def raw_questions(content_dir: Path, module: Module) -> dict[str, RawQuestion]:
    """The Markdown of a module's questions, by id, read again from its source file."""
    text = (content_dir.parent / module.source).read_text(encoding="utf-8")
    _, body, body_line = split(text)
    return {
        part.id: parse_question(part)
        for part in split_body(body, body_line)
        if isinstance(part, RawBlock) and part.kind in KINDS
    }


def write_question(question: Question, raw: RawQuestion, warnings: list[str]) -> str:
    """One question: `::id::[markdown]text{answers ####explanation}`."""
    head = f"::{question.id}::[markdown]{escape(raw.prompt)}"
    general = f"####{text_of(raw.explanation)}" if raw.explanation.strip() else ""
    if question.spec.gift == "truefalse":
        return head + "{" + _true_false(raw.choices) + general + "}"
    markers = _markers(question, raw.choices, warnings)
    lines = [head + "{"]
    for marker, choice in zip(markers, raw.choices, strict=True):
        text = text_of(choice.text)
        if marker == "~" and text.startswith("%"):
            marker = "~%0%"  # or Moodle would read the text's own "%…%" as a weight
        lines.append(f"\t{marker}{text}{_feedback(choice)}")
    if general:
        lines.append(f"\t{general}")
    return "\n".join([*lines, "}"])


def _markers(question: Question, choices: list[RawChoice], warnings: list[str]) -> list[str]:
    if question.spec.gift == "single":
        return ["=" if c.correct else "~" for c in choices]
    right = sum(c.correct for c in choices)
    wrong = len(choices) - right
    good, exact = moodle_share(right)
    if not exact:
        warnings.append(
            f"« {question.id} » : {right} bonnes réponses, poids arrondi à {good} % "
            "(Moodle n'accepte que certaines valeurs)"
        )
    bad = moodle_share(wrong)[0] if wrong else "0"
    return [f"~%{good}%" if c.correct else f"~%-{bad}%" for c in choices]


def moodle_share(count: int) -> tuple[str, bool]:
    """100 % split in `count` equal parts, as a grade Moodle accepts, and whether exact."""
    share = 100 / count
    for percent in MOODLE_PERCENTS:
        if abs(percent - share) < 0.001:
            return _number(percent), True
    below = [p for p in MOODLE_PERCENTS if p < share]
    return _number(max(below) if below else MOODLE_PERCENTS[-1]), False


def _number(percent: float) -> str:
    return f"{percent:.5f}".rstrip("0").rstrip(".")


def _true_false(choices: list[RawChoice]) -> str:
    """`{T#feedback if wrong#feedback if right}`, as Moodle writes it."""
    true = next(
        (c for c in choices if c.id == "vrai" or c.text.strip().lower().startswith("vrai")),
        choices[0],
    )
    false = next(c for c in choices if c is not true)
    right, wrong = (true, false) if true.correct else (false, true)
    answer = "T" if true.correct else "F"
    right_text, wrong_text = _feedback(right)[1:], _feedback(wrong)[1:]
    if wrong_text or right_text:
        answer += f"#{wrong_text}"
    if right_text:
        answer += f"#{right_text}"
    return answer


def _feedback(choice: RawChoice) -> str:
    text = "\n".join(choice.feedback).strip()
    return f"#{text_of(text)}" if text else ""


def text_of(text: str) -> str:
    """An answer, feedback or explanation: escaped, and kept Markdown even when it starts
    with something Moodle would read as a format marker (`[html]`…)."""
    text = escape(text.strip())
    return f"[markdown]{text}" if FORMAT.match(text) else text


def escape(text: str) -> str:
    """GIFT text: backslash-escape `\\ ~ = # { } :`, and write line breaks as `\\n`."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _category(title: str) -> str:
    """A category name: one line, with `/` doubled as Moodle's path syntax wants."""
    return " ".join(title.split()).replace("/", "//")
