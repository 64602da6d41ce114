"""Finding one's way in a path: its modules by section, a lesson's table of contents.

Pure functions the templates call, so that every page showing a path groups it alike.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup

from course.models import Module, Path
from course.progress import Step

# The lesson's h2 headings, as the Markdown anchors plugin compiled them.
HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)


def lesson_headings(module: Module) -> tuple[tuple[str, str], ...]:
    """(anchor, plain text) of each h2 of the lesson, for its table of contents.

    Asked by every module page: found once per compiled module (a new content
    version brings new Module objects), not by scanning the lesson per request.
    """
    known = _HEADINGS.get(id(module))
    if known is not None and known[0] is module:
        return known[1]
    found = tuple(
        (anchor, str(Markup(inner).striptags()))
        for segment in module.segments
        for anchor, inner in HEADING.findall(segment.html)
    )
    if len(_HEADINGS) > 4096:  # many reloads in one process: start afresh
        _HEADINGS.clear()
    _HEADINGS[id(module)] = (module, found)
    return found


_HEADINGS: dict[int, tuple[Module, tuple[tuple[str, str], ...]]] = {}


def section_runs(path: Path, steps: tuple[Step, ...]) -> list[tuple[str, tuple[Step, ...]]]:
    """The steps grouped by the path's sections; one untitled run when it has none."""
    if not path.sections:
        return [("", steps)]
    by_id = {step.module.id: step for step in steps}
    return [
        (section.title, tuple(by_id[m] for m in section.module_ids if m in by_id))
        for section in path.sections
    ]


def letter_index(html: str) -> list[tuple[str, str]]:
    """(letter, anchor of its first h2) for each initial present, for a glossary's A–Z index.

    Accents fold to their letter (« Évaluation » under E), so the index stays A to Z.
    """
    found: dict[str, str] = {}
    for anchor, inner in HEADING.findall(html):
        text = Markup(inner).striptags().strip()
        initial = unicodedata.normalize("NFD", text[:1]).encode("ascii", "ignore").decode()
        letter = initial.upper()
        if letter.isalpha() and letter not in found:
            found[letter] = anchor
    return sorted(found.items())
