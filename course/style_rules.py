"""Language rules of the course, line by line: apostrophes, « du RAMEAU », ordinals.

Reported as warnings with file:line. Code, URLs, link targets and ids are not text,
so they are blanked out before the rules run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from course.errors import Problem

# Not French text: code, autolinks and URLs, link targets, ids.
SKIP = re.compile(r"`[^`]*`|<https?:[^>]*>|https?://\S+|\]\([^)]*\)|\{#[^}]*\}")
FENCE = re.compile(r"^\s*(```|~~~)")

_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# « de Le RAMEAU », « à Le Havre », « de Les Mureaux » before a capitalised name.
_ARTICLE = re.compile(r"(?<![\w’'])([Dd]e|[Àà])[ \u00a0](Les?)[ \u00a0]([A-ZÀ-Ý][\w’'-]*)")
_CONTRACTED = {
    ("de", "Le"): "du",
    ("de", "Les"): "des",
    ("à", "Le"): "au",
    ("à", "Les"): "aux",
}
_END = r"(?![\w’'-])"
_FIRST = re.compile(rf"(?<![\w.,])1(er|re|ère)(s?){_END}")
_NTH = re.compile(rf"(?<![\w.,])(\d+)(e|è|ème|eme|ième|ieme)(s?){_END}")
_ROMAN = re.compile(rf"(?<![\w.,])([IVXLC]{{2,}}|V(?=e[ \u00a0]République))(e|ème|eme|ième){_END}")
SUP_E, SUP_R, SUP_S = "\u1d49", "\u02b3", "\u02e2"  # ᵉ ʳ ˢ


def _ordinal(number: str, plural: str, feminine: bool | None) -> str:
    """11 → 11ᵉ ; 1 → 1ᵉʳ or 1ʳᵉ, as French typography writes ordinals."""
    if number == "1":
        forms = {True: SUP_R + SUP_E, False: SUP_E + SUP_R}
        if feminine is None:
            return f"1{forms[False]} ou 1{forms[True]}"
        return "1" + forms[feminine] + (SUP_S if plural else "")
    return number + SUP_E + (SUP_S if plural else "")


def check_line(line: str) -> list[str]:
    """The language problems of one line of French text, as messages."""
    text = SKIP.sub(lambda m: " " * len(m.group()), line)
    found = []
    if _APOSTROPHE.search(text):
        found.append("apostrophe droite « ' » : écrivez l’apostrophe typographique « ’ »")
    for match in _ARTICLE.finditer(text):
        preposition, article, name = match.groups()
        right = _CONTRACTED[(preposition.lower(), article)]
        if preposition[0].isupper():
            right = right.capitalize()
        found.append(f"« {match.group()} » : écrivez « {right} {name} »")
    for match in _FIRST.finditer(text):
        found.append(
            f"« {match.group()} » : écrivez « {_ordinal('1', match[2], match[1] != 'er')} »"
        )
    for match in _NTH.finditer(text):
        number = match[1]
        suggestion = _ordinal(number, match[3], None if number == "1" else False)
        found.append(f"« {match.group()} » : écrivez « {suggestion} »")
    for match in _ROMAN.finditer(text):
        found.append(f"« {match.group()} » : écrivez « {match[1]}{SUP_E} »")
    return found


def check_text(text: str, yaml_file: bool = False) -> list[tuple[int, str]]:
    """Every problem of a whole file (front matter and body, or YAML), as (line, message)."""
    found = []
    in_fence = False
    front = yaml_file or text.startswith("---")
    for number, line in enumerate(text.splitlines(), 1):
        if number > 1 and front and not yaml_file and line.strip() == "---":
            front = False
            continue
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or (front and line.lstrip().startswith("#")):
            continue  # code, or a YAML comment
        found += [(number, message) for message in check_line(line)]
    return found


def audit(files: Iterable[tuple[Path, str]]) -> list[Problem]:
    """Check each (file, name shown in messages): Markdown, or YAML such as course.yaml.

    Unreadable files are reported elsewhere.
    """
    problems = []
    for file, rel in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found = check_text(text, yaml_file=file.suffix == ".yaml")
        problems += [Problem(rel, line, msg, warning=True) for line, msg in found]
    return problems
