"""First use in a module: acronyms come with their expansion, glossary terms with a link.

A learner may open any module first, so each module introduces its own acronyms
(listed with their expansions in `content/sigles.yaml`) and links the first
mention of a glossary term (a `## Term` heading of `pages/glossaire.md`) to it.
Headings, the « Sources » section, code, URLs and link targets are not counted as uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

import yaml

from course.blocks import REFLECTION, Chunk, RawBlock
from course.errors import Problem

SIGLES_FILE = "sigles.yaml"
GLOSSARY_FILE = "glossaire.md"
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+$")
WINDOW = 150  # characters around an acronym where its expansion counts as « next to it »

_SKIP = re.compile(r"`[^`]*`|<https?:[^>]*>|https?://\S+|\]\([^)]*\)|\{#[^}]*\}")
_HEADING = re.compile(r"(?m)^#{1,6}[ \t].*$")
# A bibliography cites titles as they are: « Référentiel MSE » needs no expansion there.
_SOURCES = re.compile(r"(?ms)^##[ \t]+Sources\b.*?(?=^#{1,2}[ \t]|\Z)")
_FENCED = re.compile(r"(?ms)^\s*(```|~~~).*?^\s*\1[^\n]*$")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MARKUP = re.compile(r"[*_`]|\]\([^)]*\)|\[")


class Doc(Protocol):
    # Read-only, so the loader's mutable Doc (list parts) satisfies it.
    @property
    def rel(self) -> str: ...
    @property
    def file(self) -> Path: ...
    @property
    def parts(self) -> Sequence[Any]: ...


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def mask(text: str) -> str:
    """The text with sources, headings, code, URLs, link targets and ids blanked, offsets kept."""
    for pattern in (_FENCED, _SOURCES, _HEADING, _SKIP):
        text = pattern.sub(_blank, text)
    return text


def _normalise(text: str) -> str:
    text = _MARKUP.sub(" ", text).replace("'", "’")
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Passage:
    """A stretch of a module's Markdown and the line it starts on."""

    text: str
    line: int

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


def lesson(doc: Doc) -> Iterator[Passage]:
    for part in doc.parts:
        if isinstance(part, tuple) and isinstance(part[0], Chunk):
            yield Passage(part[0].text, part[0].line)


def _block(block: RawBlock) -> Passage:
    return Passage("\n".join(line for _, line in block.lines), block.line + 1)


def reading_order(doc: Doc) -> list[Passage]:
    """The lesson (with its reflection prompts) first, then the questions."""
    passages: list[Passage] = []
    questions: list[Passage] = []
    for part in doc.parts:
        if isinstance(part, RawBlock) and part.lines:
            (passages if part.kind == REFLECTION else questions).append(_block(part))
        elif isinstance(part, tuple) and isinstance(part[0], Chunk):
            passages.append(Passage(part[0].text, part[0].line))
    return passages + questions


# -- acronyms ---------------------------------------------------------------------------


def read_sigles(file: Path, rel: str) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """The acronyms editors list, each with one or more accepted expansions."""
    if not file.is_file():
        return {}, []
    try:
        root = yaml.compose(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return {}, [Problem(rel, line, f"fichier des sigles illisible : {exc.__class__.__name__}")]
    if root is None:
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, [Problem(rel, 1, "sigles : une liste « SIGLE: forme développée » attendue")]
    sigles: dict[str, tuple[str, ...]] = {}
    problems = []
    for key, value in root.value:
        line = key.start_mark.line + 1
        name = str(key.value)
        if not ACRONYM.match(name):
            problems.append(Problem(rel, line, f"sigle invalide « {name} » : majuscules attendues"))
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        forms = tuple(
            str(item.value).strip()
            for item in items
            if isinstance(item, yaml.ScalarNode) and str(item.value).strip()
        )
        if not forms or len(forms) != len(items):
            problems.append(
                Problem(rel, line, f"sigle « {name} » : forme développée manquante ou invalide")
            )
        elif name in sigles:
            problems.append(Problem(rel, line, f"sigle « {name} » listé deux fois"))
        else:
            sigles[name] = forms
    return sigles, problems


def _paragraph(text: str, start: int, end: int) -> str:
    """The text around an occurrence, within its paragraph."""
    begin = max(text.rfind("\n\n", 0, start) + 1, start - WINDOW)
    stop = text.find("\n\n", end)
    stop = len(text) if stop < 0 else stop
    return text[begin : min(stop, end + WINDOW)]


def acronym_problems(doc: Doc, sigles: dict[str, tuple[str, ...]]) -> list[Problem]:
    patterns = {name: re.compile(rf"(?<!\w){name}(?!\w)") for name in sigles}
    found = []
    seen: set[str] = set()
    for passage in reading_order(doc):
        masked = mask(passage.text)
        for name, pattern in patterns.items():
            match = None if name in seen else pattern.search(masked)
            if match is None:
                continue
            seen.add(name)
            around = _normalise(_paragraph(passage.text, match.start(), match.end()))
            if any(_normalise(form) in around for form in sigles[name]):
                continue
            form = sigles[name][0]
            found.append(
                Problem(
                    doc.rel,
                    passage.line_of(match.start()),
                    f"sigle « {name} » sans sa forme développée à sa première apparition "
                    f"dans le module : écrivez « {form} ({name}) » ou « {name} ({form}) »",
                    warning=True,
                )
            )
    return found


# -- glossary terms ---------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    name: str
    anchor: str
    pattern: re.Pattern[str]


def glossary_terms(doc: Doc) -> list[Term]:
    """The glossary's `## Term` headings, without a trailing « (ADASI) », with their ids."""
    terms = []
    for part in doc.parts:
        if not (isinstance(part, tuple) and isinstance(part[0], Chunk)):
            continue
        tokens = part[1]
        for token, inline in pairwise(tokens):
            if token.type != "heading_open" or token.tag != "h2" or "id" not in token.attrs:
                continue
            name = re.sub(r"\s*\([^)]*\)\s*$", "", inline.content).strip(" *_")
            words = [re.escape(w).replace("’", "[’']").replace("'", "[’']") for w in name.split()]
            if words:
                body = r"\s+".join(words)
                pattern = re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)
                terms.append(Term(name, str(token.attrs["id"]), pattern))
    return terms


def _links_to(text: str, anchor: str) -> list[tuple[int, int]]:
    """Where link texts pointing at the glossary entry `anchor` sit."""
    spans = []
    for link in _LINK.finditer(text):
        target, _, fragment = link[2].partition("#")
        if target.endswith(GLOSSARY_FILE) and unquote(fragment) == anchor:
            spans.append((link.start(1), link.end(1)))
    return spans


def glossary_problems(doc: Doc, terms: list[Term]) -> list[Problem]:
    found = []
    seen: set[str] = set()
    for passage in lesson(doc):
        masked = mask(passage.text)
        hits = [(m.start(), m.end(), t) for t in terms for m in t.pattern.finditer(masked)]
        taken: list[tuple[int, int, Term]] = []
        for hit in sorted(hits, key=lambda h: h[0] - h[1]):  # longest first claims its words
            if all(hit[1] <= s or hit[0] >= e for s, e, _ in taken):
                taken.append(hit)
        for start, end, term in sorted(taken, key=lambda h: h[0]):
            if term.name in seen:
                continue
            seen.add(term.name)
            if any(s <= start and end <= e for s, e in _links_to(passage.text, term.anchor)):
                continue
            found.append(
                Problem(
                    doc.rel,
                    passage.line_of(start),
                    f"« {passage.text[start:end]} » : première mention du terme du glossaire "
                    f"« {term.name} » dans ce module, faites-en un lien "
                    f"[{passage.text[start:end]}](../pages/{GLOSSARY_FILE}#{term.anchor})",
                    warning=True,
                )
            )
    return found


def audit(
    root: Path, sigles_rel: str, modules: Iterable[Doc], pages: Iterable[Doc]
) -> list[Problem]:
    """Every first-use problem of the course's modules, and those of the acronym list."""
    sigles, problems = read_sigles(root / SIGLES_FILE, sigles_rel)
    glossary = next((p for p in pages if p.file.name == GLOSSARY_FILE), None)
    terms = glossary_terms(glossary) if glossary else []
    for doc in modules:
        problems += acronym_problems(doc, sigles) + glossary_problems(doc, terms)
    return problems
