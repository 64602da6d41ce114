"""Find quiz questions and reflection prompts in a module's Markdown body.

Blocks are level-3 headings that start with a kind (« Choix unique »,
« Choix multiple », « Vrai ou faux », « Réflexion ») and end with `{#id}`; a block
runs until the next heading of level 1 to 3. The rest of the body is the lesson.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from course.kinds import BY_LABEL, Kind

HEADING = re.compile(r"^(#{1,3})\s")
REFLECTION = "Réflexion"
BLOCK = re.compile(
    rf"^###\s+(?P<kind>{'|'.join(map(re.escape, [*BY_LABEL, REFLECTION]))})\b"
    r"(?P<rest>.*?)(?:\{#(?P<id>[^}]*)\})?\s*$"
)
TAGGED = re.compile(r"^###\s.*\{#[^}]*\}\s*$")
QUIZ_HEADING = re.compile(r"^##\s+Quiz\s*$", re.IGNORECASE)
MINUTES = re.compile(r"\(\s*(\d+)\s*min\s*\)")
CHOICE = re.compile(r"^[-*]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*?)\s*(?:\{#(?P<id>[^}]*)\})?\s*$")
FEEDBACK = re.compile(r"^\s+>\s?(?P<text>.*)$")
EXPLANATION = re.compile(r"^\*\*Explication\s*[.:]?\s*\*\*\s*[.:]?\s*")
HINT = re.compile(r"^\*\*Indice\s*[.:]?\s*\*\*\s*[.:]?\s*")
# What a reflection shows once its answer is saved: a self-check grid, a worked example.
SELF_CHECK = re.compile(r"^\*\*Grille d[’']auto-?évaluation\s*[.:]?\s*\*\*\s*[.:]?\s*", re.I)
EXAMPLE = re.compile(r"^\*\*Exemple de réponse\s*[.:]?\s*\*\*\s*[.:]?\s*", re.I)
TITLE_SEPARATORS = " :\u00a0\u202f—–-"
FENCE = re.compile(r"^\s*(```|~~~)")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

KINDS: dict[str, Kind] = {label: spec.kind for label, spec in BY_LABEL.items()}


@dataclass
class RawChoice:
    id: str
    text: str
    correct: bool
    line: int
    feedback: list[str] = field(default_factory=list)


@dataclass
class RawBlock:
    kind: str
    id: str
    line: int
    minutes: int | None
    lines: list[tuple[int, str]]
    title: str = ""  # « ### Réflexion : Mon titre (15 min) {#id} »


@dataclass
class RawQuestion:
    prompt: str
    choices: list[RawChoice]
    explanation: str
    problems: list[tuple[int, str]]
    hint: str = ""
    hint_line: int = 0


@dataclass
class RawReflection:
    """A reflection block cut into its prompt and what is shown after saving."""

    prompt: str
    self_check: str
    example: str


@dataclass
class Chunk:
    """Consecutive lesson lines, starting at an absolute line number."""

    line: int
    text: str


def split_body(body: str, first_line: int) -> list[Chunk | RawBlock]:
    """Cut the body into lesson chunks and blocks, in document order."""
    parts: list[Chunk | RawBlock] = []
    lesson: list[str] = []
    lesson_start = first_line
    block: RawBlock | None = None
    in_fence = False

    def flush_lesson(next_line: int) -> None:
        nonlocal lesson, lesson_start
        if any(line.strip() for line in lesson):
            parts.append(Chunk(lesson_start, "\n".join(lesson) + "\n"))
        lesson, lesson_start = [], next_line

    for offset, line in enumerate(body.splitlines()):
        number = first_line + offset
        if FENCE.match(line):
            in_fence = not in_fence
        heading = not in_fence and HEADING.match(line)
        if heading:
            match = BLOCK.match(line) if line.startswith("### ") else None
            if match or TAGGED.match(line):
                flush_lesson(number + 1)
                block = _open_block(match, line, number)
                parts.append(block)
                continue
            block = None
            if QUIZ_HEADING.match(line):
                flush_lesson(number + 1)
                continue
        if block is not None:
            block.lines.append((number, line))
        else:
            if not lesson:
                lesson_start = number
            lesson.append(line)
    flush_lesson(first_line)
    return parts


def _open_block(match: re.Match[str] | None, line: str, number: int) -> RawBlock:
    if match is None:
        return RawBlock("", "", number, None, [])
    rest = match["rest"] or ""
    minutes = MINUTES.search(rest)
    title = MINUTES.sub("", rest).strip(TITLE_SEPARATORS + " ")
    return RawBlock(
        match["kind"],
        (match["id"] or "").strip(),
        number,
        int(minutes[1]) if minutes else None,
        [],
        title,
    )


def parse_question(block: RawBlock) -> RawQuestion:
    """Read the prompt, the task-list choices and the explanation of a question block."""
    prompt: list[str] = []
    choices: list[RawChoice] = []
    explanation: list[str] = []
    hint: list[str] = []
    hint_line = 0
    problems: list[tuple[int, str]] = []
    stage = "prompt"
    for number, line in block.lines:
        if stage != "prompt" and HINT.match(line):
            stage, hint_line = "hint", number
            hint.append(HINT.sub("", line))
            continue
        choice = CHOICE.match(line)
        if stage in ("prompt", "choices") and choice:
            stage = "choices"
            choices.append(
                RawChoice(
                    (choice["id"] or "").strip(), choice["text"], choice["mark"] != " ", number
                )
            )
            if not choice["id"]:
                problems.append((number, "choix sans identifiant : terminez la ligne par {#id}"))
            continue
        if stage == "choices" and choices and FEEDBACK.match(line):
            choices[-1].feedback.append(FEEDBACK.match(line)["text"])  # type: ignore[index]
            continue
        if EXPLANATION.match(line):
            stage = "explanation"
            explanation.append(EXPLANATION.sub("", line))
            continue
        if stage == "prompt":
            prompt.append(line)
        elif stage == "explanation":
            explanation.append(line)
        elif stage == "hint":
            hint.append(line)
        elif line.strip():
            problems.append(
                (
                    number,
                    "ligne inattendue après les choix : attendu « **Indice.** » "
                    "ou « **Explication.** »",
                )
            )
    return RawQuestion(
        "\n".join(prompt).strip(),
        choices,
        "\n".join(explanation).strip(),
        problems,
        "\n".join(hint).strip(),
        hint_line,
    )


def parse_reflection(block: RawBlock) -> RawReflection:
    """The prompt, then an optional self-check grid and worked example, in any order."""
    parts: dict[str, list[str]] = {"prompt": [], "self_check": [], "example": []}
    stage = "prompt"
    for _, line in block.lines:
        for name, marker in (("self_check", SELF_CHECK), ("example", EXAMPLE)):
            if marker.match(line):
                stage, line = name, marker.sub("", line)
                break
        parts[stage].append(line)
    text = {name: "\n".join(lines).strip() for name, lines in parts.items()}
    return RawReflection(text["prompt"], text["self_check"], text["example"])


def block_text(block: RawBlock) -> str:
    return "\n".join(line for _, line in block.lines).strip()
