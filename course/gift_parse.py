"""Read Moodle GIFT text into the questions our quizzes can hold, or say why not.

Follows Moodle's own reader (question/format/gift/format.php) so a file Moodle
accepts reads the same here: blank lines separate questions, `//` lines are
comments, `\\` escapes `~ = # { } :` and `\\n` is a line break, `::title::` names
a question, `[markdown]`/`[html]`/`[plain]`/`[moodle]` say how a text is written,
and `$CATEGORY:` lines are dropped. Only multiple choice (one full-credit answer),
multiple answer (`~%N%` weights) and true/false fit our quizzes; every other question,
and any whose meaning would change here, comes back as `Skipped` with its line, so one
odd question never stops an import. docs/gift.md lists each case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from course.blocks import FENCE
from course.gift_text import ASCII_SPACE, BLANK, FORMAT, convert, one_line, trim
from course.models import Kind


class GiftError(Exception):
    """A GIFT import or export that cannot start (unknown module, unreadable file…)."""


@dataclass
class GiftChoice:
    text: str  # Markdown, one line
    correct: bool
    feedback: str = ""  # Markdown, may span lines


@dataclass
class GiftQuestion:
    line: int
    title: str
    kind: Kind
    prompt: str  # Markdown
    choices: list[GiftChoice]
    explanation: str  # Markdown, "" when the GIFT has no general feedback
    warnings: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    line: int
    reason: str


# Escaped characters become private-use placeholders while the structure is read,
# exactly like Moodle's escapedchar_pre/escapedchar_post.
_PLACEHOLDERS = {c: chr(0xE000 + i) for i, c in enumerate("\\~=#{}:n")}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _PLACEHOLDERS.items()}
_ESCAPED = re.compile(r"\\([\\~=#{}:n])")
# Moodle's own pattern ($giftanswerweightregex): « % 50 % » or « 33,3 » are not weights.
_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")
_LOOKS_LIKE_WEIGHT = re.compile(r"^%\s*-?\s*\d+(?:[.,]\d*)?\s*%")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
PARTIAL_NOTE = "crédit partiel ignoré : seule la réponse « = » est juste"
FULL_CREDIT = (
    "type non pris en charge (plusieurs réponses à 100 % dans un choix unique : Moodle accepte "
    "chacune, nos quiz n'ont qu'une bonne réponse par choix unique)"
)


def parse_gift(text: str) -> list[GiftQuestion | Skipped]:
    """Every question of a GIFT file, converted or skipped, in file order."""
    return [_question(numbers, block) for numbers, block in _blocks(text)]


def _blocks(text: str) -> Iterator[tuple[list[int], str]]:
    """Yield (file line of each kept line, text) of each question: Moodle's split,
    comments and categories out."""
    kept: list[str] = []
    numbers: list[int] = []
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = trim(raw)
        if not line:
            if kept:
                yield numbers, "\n".join(kept)
            kept, numbers = [], []
        elif line.startswith("//") or (not kept and line.startswith("$CATEGORY:")):
            continue
        else:
            kept.append(line)
            numbers.append(number)
    if kept:
        yield numbers, "\n".join(kept)


@dataclass
class _Text:
    """A slice of a question's escaped text, with the file line of each of its characters."""

    text: str
    lines: list[int]

    def __getitem__(self, cut: slice) -> _Text:
        return _Text(self.text[cut], self.lines[cut])

    def __add__(self, other: _Text) -> _Text:
        return _Text(self.text + other.text, self.lines + other.lines)


def _question(numbers: list[int], block: str) -> GiftQuestion | Skipped:
    line = numbers[0]
    escaped = _ESCAPED.sub(lambda m: _PLACEHOLDERS[m[1]], block)
    per_char, row = [], 0
    for char in escaped:
        per_char.append(numbers[row])
        row += char == "\n"
    text = _Text(escaped, per_char)
    title = ""
    if text.text.startswith("::"):
        end = text.text.find("::", 2)
        if end >= 0:
            title, text = one_line(_restore(text.text[2:end])), text[end + 2 :]
        else:
            text = text[2:]  # no closing "::": Moodle reads no title either
        text = text[len(text.text) - len(text.text.lstrip(ASCII_SPACE)) :]
    start, end = text.text.find("{"), text.text.find("}")
    if start < 0 and end < 0:
        return Skipped(line, "type non pris en charge (description, sans réponse)")
    if start < 0 or end < start:
        return Skipped(line, "accolade « { » ou « } » manquante")
    answer = trim(text.text[start + 1 : end])
    general = text[end:end]
    cut = answer.rfind("####")
    if cut >= 0:
        offset = text.text.index(answer, start + 1) + cut + 4
        general, answer = text[offset:end], trim(answer[:cut])
    kind = _kind(answer)
    if not isinstance(kind, Kind):
        return Skipped(line, f"type non pris en charge ({kind})")
    # Moodle's missing word: unless the text ends with "}", the answers leave a blank.
    gap = _Text("", []) if text.text.endswith("}") else _Text(BLANK, [text.lines[start]])
    stem = text[:start] + gap + text[end + 1 :]
    notes: list[str] = []
    prompt, fmt = markdown_text(stem.text, "moodle", notes)
    if not prompt.strip():
        return Skipped(line, "question sans énoncé")
    for part in (stem, general):
        fence = _open_fence(part, fmt)
        if fence:
            return Skipped(
                line,
                f"bloc de code « {fence[1]} » ouvert ligne {fence[0]} et jamais fermé : "
                "il avalerait la suite du module (fermez-le dans le fichier GIFT)",
            )
    if kind is Kind.TRUE_FALSE:
        choices: list[GiftChoice] | str = _true_false(answer, fmt, notes)
    else:
        choices = _choices(answer, fmt, notes)
    if isinstance(choices, str):
        return Skipped(line, choices)
    explanation = markdown_text(general.text, fmt, notes)[0] if trim(general.text) else ""
    return GiftQuestion(line, title, kind, prompt, choices, explanation, list(dict.fromkeys(notes)))


def _open_fence(part: _Text, fmt: str) -> tuple[int, str] | None:
    """(file line, marker) of a code fence left open in a Markdown text, else None.

    Checked as the module splitter will read the text once imported, where an open
    fence hides every heading after it.
    """
    if markdown_format(part.text, fmt)[0] != "markdown":
        return None
    text = part.text
    found = FORMAT.match(trim(text))
    begin = len(text) - len(text.lstrip(ASCII_SPACE)) + (found.end() if found else 0)
    opened: tuple[int, str] | None = None
    newline = _PLACEHOLDERS["n"]
    for match in re.finditer(f"[^\\n{newline}]*", text[begin:]):
        fence = FENCE.match(_restore(match[0]))
        if fence and match[0].strip():
            where = part.lines[begin + match.start()]
            opened = None if opened else (where, fence[1])
    return opened


def _kind(answer: str) -> Kind | str:
    """The question type, following Moodle's order of tests; a string names an unsupported one."""
    if not answer:
        return "composition"
    if answer.startswith("#"):
        return "numérique"
    if "~" in answer:
        return Kind.SINGLE if "=" in answer else Kind.MULTIPLE
    if "=" in answer and "->" in answer:
        return "appariement"
    if trim(answer.split("#", 1)[0]) in TRUE_FALSE:
        return Kind.TRUE_FALSE
    return "réponse courte"


def _true_false(answer: str, fmt: str, notes: list[str]) -> list[GiftChoice]:
    """`{T#wrong#right}`: the first feedback is for a wrong answer, the second for a right one."""
    bits = [*answer.split("#", 2), "", ""]
    truth = TRUE_FALSE[trim(bits[0])]
    wrong, right = (markdown_text(b, fmt, notes)[0] for b in bits[1:3])
    return [
        GiftChoice("Vrai", truth, right if truth else wrong),
        GiftChoice("Faux", not truth, wrong if truth else right),
    ]


def _choices(answer: str, fmt: str, notes: list[str]) -> list[GiftChoice] | str:
    """Choices of a multiple choice; a string says why the question cannot be kept."""
    parts = re.split(r"([~=])", answer)
    pairs = list(zip(parts[1::2], parts[2::2], strict=True))
    if trim(parts[0]):  # Moodle keeps text before the first marker as a wrong answer
        pairs.insert(0, ("~", parts[0]))
    single = any(marker == "=" for marker, _ in pairs)
    choices: list[GiftChoice] = []
    weights: list[float] = []
    lookalikes: list[str] = []
    for marker, raw in pairs:
        body = trim(raw)
        weight = 100.0 if marker == "=" else 0.0
        if marker == "~" and _WEIGHT.match(body):
            spelled, body = body[1:].split("%", 1)
            try:
                weight = float(spelled)
            except ValueError:
                return f"poids « %{spelled}% » illisible (Moodle refuse la question)"
        elif marker == "~" and _LOOKS_LIKE_WEIGHT.match(body):
            lookalikes.append(_LOOKS_LIKE_WEIGHT.match(body)[0])  # type: ignore[index]
        raw_text, _, raw_feedback = body.partition("#")
        text = markdown_text(raw_text, fmt, notes, single_line=True)[0]
        if not text:
            return "réponse vide"
        weights.append(weight)
        choices.append(GiftChoice(text, weight > 0, markdown_text(raw_feedback, fmt, notes)[0]))
    for spelled in lookalikes:
        notes.append(
            f"« {spelled} » n'est pas un poids pour Moodle (écrire « %50% », point décimal) : "
            "lu comme le début du texte de la réponse"
        )
    if len(choices) < 2:
        return "au moins deux réponses attendues"
    if single:
        if sum(w >= 100 for w in weights) > 1:
            return FULL_CREDIT
        if any(0 < w < 100 for w in weights):
            notes.append(PARTIAL_NOTE)
        for choice, weight in zip(choices, weights, strict=True):
            choice.correct = weight >= 100
    elif not any(c.correct for c in choices):
        missing = "aucune bonne réponse : « = » ou un poids positif « ~%50% » attendu"
        return missing + (f" (« {lookalikes[0]} » n'est pas un poids)" if lookalikes else "")
    else:
        uneven = _uneven(weights)
        if uneven:
            notes.append(uneven)
    return choices


def _uneven(weights: list[float]) -> str:
    """A warning when the positive weights are not an even split of 100 %, else ""."""
    right = [w for w in weights if w > 0]
    if max(right) - min(right) <= 0.5 and abs(sum(right) - 100) <= 0.5:
        return ""
    shown = ", ".join(f"{w:g} %".replace(".", ",") for w in right)
    return (
        f"poids des bonnes réponses ({shown}) : pas un partage égal de 100 % ; nos quiz "
        "notent tout ou rien (toutes les bonnes réponses et aucune mauvaise), le barème est perdu"
    )


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


def markdown_format(raw: str, default: str) -> tuple[str, str]:
    """(format, text without its `[format]` marker), as Moodle's parse_text_with_format."""
    text = trim(raw)
    found = FORMAT.match(text)
    return (found[1], text[found.end() :]) if found else (default, text)


def markdown_text(
    raw: str, default: str, notes: list[str], single_line: bool = False
) -> tuple[str, str]:
    """One escaped GIFT text as our Markdown, with the format it was written in."""
    fmt, text = markdown_format(raw, default)
    return convert(trim(_restore(text)), fmt, notes, single_line), fmt
