"""Read Moodle GIFT text into the questions our quizzes can hold, or say why not.

Follows Moodle's own reader (question/format/gift/format.php) so a file Moodle
accepts reads the same here: blank lines separate questions, `//` lines are
comments, `\\` escapes `~ = # { } :` and `\\n` is a line break, `::title::` names
a question, `[markdown]`/`[html]`/`[plain]`/`[moodle]` say how a text is written,
and `$CATEGORY:` lines are dropped. Only multiple choice (one `=`), multiple answer
(`~%N%` weights) and true/false fit our quizzes; every other question comes back
as `Skipped` with its line, so one odd question never stops an import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

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
_FORMAT = re.compile(r"^\[(markdown|html|plain|moodle)\]")
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:[.,]\d*)?)\s*%")
_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!--")
_INLINE = re.compile(r"[\\`*_\[\]~]|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(?:#|>|\||[-+](?=\s|$)|=+\s*$|-+\s*$)")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_ITEM = "\ue100"  # a list item opened by HTML, kept apart from escaping
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
HTML_NOTE = "texte HTML converti en texte brut : mise en forme à relire"
PARTIAL_NOTE = "crédit partiel ignoré : seule la réponse « = » est juste"


def parse_gift(text: str) -> list[GiftQuestion | Skipped]:
    """Every question of a GIFT file, converted or skipped, in file order."""
    return [_question(line, block) for line, block in _blocks(text)]


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line, text) of each question: Moodle's split, comments and categories out."""
    kept: list[str] = []
    start = 0
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if kept:
                yield start, "\n".join(kept)
            kept = []
        elif line.startswith("//") or (not kept and line.startswith("$CATEGORY:")):
            continue
        else:
            if not kept:
                start = number
            kept.append(line)
    if kept:
        yield start, "\n".join(kept)


def _question(line: int, text: str) -> GiftQuestion | Skipped:
    text = _ESCAPED.sub(lambda m: _PLACEHOLDERS[m[1]], text)
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            title, text = _restore(text[2:end]).strip(), text[end + 2 :]
        else:
            text = text[2:]  # no closing "::": Moodle reads no title either
        text = text.strip()
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        return Skipped(line, "type non pris en charge (description, sans réponse)")
    if start < 0 or end < start:
        return Skipped(line, "accolade « { » ou « } » manquante")
    answer = text[start + 1 : end].strip()
    general = ""
    cut = answer.rfind("####")
    if cut >= 0:
        general, answer = answer[cut + 4 :], answer[:cut].strip()
    kind = _kind(answer)
    if not isinstance(kind, Kind):
        return Skipped(line, f"type non pris en charge ({kind})")
    if text[end + 1 :].strip():
        return Skipped(line, "type non pris en charge (mot manquant)")
    notes: list[str] = []
    prompt, fmt = to_markdown(text[:start], "moodle", notes)
    if not prompt.strip():
        return Skipped(line, "question sans énoncé")
    if kind is Kind.TRUE_FALSE:
        choices: list[GiftChoice] | str = _true_false(answer, fmt, notes)
    else:
        choices = _choices(answer, fmt, notes)
    if isinstance(choices, str):
        return Skipped(line, choices)
    explanation = to_markdown(general, fmt, notes)[0] if general.strip() else ""
    return GiftQuestion(line, title, kind, prompt, choices, explanation, list(dict.fromkeys(notes)))


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
    if answer.split("#", 1)[0].strip() in TRUE_FALSE:
        return Kind.TRUE_FALSE
    return "réponse courte"


def _true_false(answer: str, fmt: str, notes: list[str]) -> list[GiftChoice]:
    """`{T#wrong#right}`: the first feedback is for a wrong answer, the second for a right one."""
    bits = [*answer.split("#", 2), "", ""]
    truth = TRUE_FALSE[bits[0].strip()]
    wrong, right = (to_markdown(b, fmt, notes)[0] for b in bits[1:3])
    return [
        GiftChoice("Vrai", truth, right if truth else wrong),
        GiftChoice("Faux", not truth, wrong if truth else right),
    ]


def _choices(answer: str, fmt: str, notes: list[str]) -> list[GiftChoice] | str:
    """Choices of a multiple choice; a string says why the question cannot be kept."""
    parts = re.split(r"([~=])", answer)
    pairs = list(zip(parts[1::2], parts[2::2], strict=True))
    if parts[0].strip():  # Moodle keeps text before the first marker as a wrong answer
        pairs.insert(0, ("~", parts[0]))
    singles = sum(marker == "=" for marker, _ in pairs)
    if singles > 1:
        return "type non pris en charge (plusieurs réponses « = » dans un choix unique)"
    choices = []
    for marker, body in pairs:
        body = body.strip()
        weight = 100.0 if marker == "=" else 0.0
        found = _WEIGHT.match(body) if marker == "~" else None
        if found:
            weight, body = float(found[1].replace(",", ".") or 0), body[found.end() :]
        raw_text, _, raw_feedback = body.partition("#")
        text = " ".join(to_markdown(raw_text, fmt, notes)[0].split())
        if not text:
            return "réponse vide"
        if singles and marker == "~" and weight > 0:
            notes.append(PARTIAL_NOTE)
        correct = marker == "=" if singles else weight > 0
        choices.append(GiftChoice(text, correct, to_markdown(raw_feedback, fmt, notes)[0]))
    if len(choices) < 2:
        return "au moins deux réponses attendues"
    if not any(c.correct for c in choices):
        return "aucune bonne réponse : « = » ou un poids positif « ~%50% » attendu"
    return choices


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


def to_markdown(raw: str, default: str, notes: list[str]) -> tuple[str, str]:
    """One GIFT text as our Markdown, with the format it was written in.

    `[markdown]` is kept; `[plain]` and Moodle's auto-format are escaped so they read
    as typed; HTML (ours renders none) is stripped to text and noted for review.
    """
    text, fmt = raw.strip(), default
    found = _FORMAT.match(text)
    if found:
        fmt, text = found[1], text[found.end() :]
    text = _restore(text).strip()
    if fmt == "markdown" or not text:
        return text, fmt
    if fmt == "html" or (fmt == "moodle" and _HTML.search(text)):
        notes.append(HTML_NOTE)
        return html_to_markdown(text), fmt
    return escape_markdown(text), fmt


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders the same characters, line by line."""
    return "\n".join(_escape_line(line) for line in text.split("\n")).strip()


def _escape_line(line: str) -> str:
    line = _INLINE.sub(lambda m: "\\" + m[0], line.strip(" \t"))
    if _BLOCK_START.match(line):
        return "\\" + line
    return _ORDERED.sub(r"\1\\\2", line, count=1)


class _TextOnly(HTMLParser):
    """Keeps text, paragraphs, line breaks and list items; drops every other tag."""

    BLOCKS = frozenset(
        {"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "tr"}
        | {"blockquote", "pre", "section", "article"}
    )
    HIDDEN = frozenset(("script", "style", "head", "title"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n" + _ITEM)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.parts.append(f" {alt} " if alt.strip() else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_markdown(html: str) -> str:
    """HTML as plain Markdown text: conservative, since our renderer shows no raw HTML."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    for line in "".join(parser.parts).split("\n"):
        line = re.sub(" {2,}", " ", line.strip(" \t"))
        if line.startswith(_ITEM):
            lines.append("- " + _escape_line(line[1:]))
        elif line or (lines and lines[-1]):
            lines.append(_escape_line(line))
    return "\n".join(lines).replace(_ITEM, "").strip()
