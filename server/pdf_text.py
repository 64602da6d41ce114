"""Text in any script for the PDFs: a font per script, bidi order, HarfBuzz shaping.

reportlab draws one font at a time and neither reorders right-to-left text nor
shapes Indic or Arabic scripts by itself. Names reach the certificate in every
script the site accepts, so a line is cut into runs (one font, one direction),
put in visual order by the Unicode bidi algorithm (python-bidi), and each run
that needs it is shaped by HarfBuzz (uharfbuzz, through reportlab's own
`shapeStr`). DejaVu Sans (bundled) covers Latin, Greek and Cyrillic; the other
scripts use the Debian font packages that scripts/install-system-deps installs:
fonts-noto-core (Noto Sans Devanagari, Bengali, Tamil, Thai, Arabic, Hebrew)
and fonts-wqy-microhei (Chinese, Japanese, Korean; the Noto CJK fonts have
PostScript outlines, which reportlab cannot embed).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from bidi import algorithm as uba
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord

log = logging.getLogger("alliances.pdf")
BUNDLED = Path(__file__).parent / "fonts"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
    Path("/usr/local/share/fonts"),
)
BASE = "DejaVu"


@dataclass(frozen=True)
class Script:
    """A script the bundled font lacks, the font file that has it, whether it needs shaping."""

    key: str
    regular: str
    bold: str
    ranges: tuple[tuple[int, int], ...]
    shaped: bool = True


SCRIPTS = (
    Script(
        "Devanagari",
        "NotoSansDevanagari-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
        ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
    ),
    Script(
        "Bengali", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf", ((0x0980, 0x09FF),)
    ),
    Script("Tamil", "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf", ((0x0B80, 0x0BFF),)),
    Script("Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", ((0x0E00, 0x0E7F),)),
    Script(
        "Arabic",
        "NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    Script(
        "Hebrew",
        "NotoSansHebrew-Regular.ttf",
        "NotoSansHebrew-Bold.ttf",
        ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
    ),
    Script(
        "CJK",
        "wqy-microhei.ttc",
        "wqy-microhei.ttc",
        (
            (0x1100, 0x11FF),
            (0x2E80, 0x2FFF),
            (0x3000, 0x9FFF),
            (0xA960, 0xA97F),
            (0xAC00, 0xD7FF),
            (0xF900, 0xFAFF),
            (0xFF00, 0xFFEF),
            (0x20000, 0x3FFFF),
        ),
        shaped=False,
    ),
)
_lock = threading.Lock()
_available: dict[str, Script] = {}
_registered = False


def _find(filename: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    return None


def register() -> None:
    """Register every font once per process; a missing script font is logged, not fatal."""
    global _registered
    with _lock:
        if _registered:
            return
        pdfmetrics.registerFont(TTFont(BASE, str(BUNDLED / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(f"{BASE}-Bold", str(BUNDLED / "DejaVuSans-Bold.ttf")))
        for script in SCRIPTS:
            regular, bold = _find(script.regular), _find(script.bold)
            if regular is None or bold is None:
                log.warning("no font for %s (%s): run scripts/install-system-deps", *_why(script))
                continue
            pdfmetrics.registerFont(TTFont(script.key, str(regular)))
            pdfmetrics.registerFont(TTFont(f"{script.key}-Bold", str(bold)))
            _available[script.key] = script
        _registered = True


def _why(script: Script) -> tuple[str, str]:
    return script.key, script.regular


def missing_scripts() -> list[str]:
    """The scripts that will print as empty boxes on this machine (for `alliances check`)."""
    register()
    return [script.key for script in SCRIPTS if script.key not in _available]


def _script_of(char: str) -> str:
    code = ord(char)
    for key, script in _available.items():
        if any(low <= code <= high for low, high in script.ranges):
            return key
    return BASE


def _keys(text: str) -> list[str]:
    """The font of each character: marks, joiners and spaces stay with their neighbours."""
    keys: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "MZ" or category == "Cf":
            keys.append(keys[-1] if keys else "")
        else:
            keys.append(_script_of(char))
    following = BASE
    for index in range(len(keys) - 1, -1, -1):  # leading neutrals take the next font
        if keys[index]:
            following = keys[index]
        else:
            keys[index] = following
    return keys


def font_name(key: str, bold: bool) -> str:
    return f"{key}-Bold" if bold else key


@dataclass(frozen=True)
class Run:
    """A piece of a line in visual order: drawn with one font, `units` wide per 1 pt of size."""

    font: str
    text: str
    units: float


def _visual_order(text: str, base: str | None) -> list[tuple[int, int]]:
    """(logical index, embedding level) of each character, in visual order (UAX #9).

    `base` is "L" or "R" for a line whose direction is known, None to take its first letter's.
    """
    storage = uba.get_empty_storage()
    base_level = uba.get_base_level(text) if base is None else ("L", "R").index(base)
    storage["base_level"] = base_level
    storage["base_dir"] = ("L", "R")[base_level]
    uba.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    return [(char["index"], char["level"]) for char in storage["chars"]]


def layout(text: str, bold: bool = False, base: str | None = None) -> list[Run]:
    """One line of text as runs in visual order, shaped where the script needs it."""
    register()
    keys = _keys(text)
    groups: list[tuple[str, int, list[int]]] = []
    for index, level in _visual_order(text, base):
        if groups and groups[-1][0] == keys[index] and groups[-1][1] == level:
            groups[-1][2].append(index)
        else:
            groups.append((keys[index], level, [index]))
    runs = []
    for key, level, indices in groups:
        font = font_name(key, bold)
        rtl = level % 2 == 1 and any(
            unicodedata.bidirectional(text[i]) in ("R", "AL") for i in indices
        )
        # HarfBuzz takes logical order and gives glyphs in visual order.
        piece = "".join(text[i] for i in (reversed(indices) if rtl else indices))
        script = _available.get(key)
        if script is not None and (script.shaped or rtl):
            piece = _shape(piece, font)
        runs.append(Run(font, piece, _units(piece, font)))
    return runs


def _shape(piece: str, font: str) -> str:
    """HarfBuzz glyphs for one run; no discretionary ligatures: a name prints as typed."""
    word = [pdfmetrics.stringWidth(piece, font, 1000), (ABag(fontName=font, fontSize=1000), piece)]
    return shapeFragWord(word, features={"kern": True, "liga": True})[1][1]


def _units(piece: str, font: str) -> float:
    if isinstance(piece, ShapedStr):
        return sum(data.x_advance for data in piece.__shapeData__) / 1000
    return pdfmetrics.stringWidth(piece, font, 1)


def width(runs: list[Run], size: float) -> float:
    return sum(run.units for run in runs) * size


def draw(canvas: object, runs: list[Run], x: float, y: float, size: float) -> None:
    """Draw runs left to right from (x, y)."""
    for run in runs:
        canvas.setFont(run.font, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, run.text)  # type: ignore[attr-defined]
        x += run.units * size


def wrap(text: str, bold: bool, size: float, room: float) -> list[str]:
    """Cut text into lines that fit `room` points at `size`: at spaces, else anywhere."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if width(layout(candidate, bold), size) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # a word longer than the line (CJK has no spaces): cut it
            if current and width(layout(current + char, bold), size) > room:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines


def fit(
    text: str, bold: bool, size: float, room: float, smallest: float, max_lines: int
) -> tuple[float, list[str]]:
    """The largest size from `size` down to `smallest` at which text fits on `max_lines`.

    One line while shrinking keeps it readable; only below that size does it wrap.
    """
    runs = layout(text, bold)
    natural = width(runs, 1)
    if natural * smallest <= room:
        return min(size, room / natural if natural else size), [text]
    current = smallest
    while True:
        lines = wrap(text, bold, current, room)
        if len(lines) <= max_lines or current <= 4:
            return current, lines
        current -= 1


def markup(text: str, bold: bool = False) -> str:
    """Paragraph markup for text in logical order: escaped, each script in its own font."""
    register()
    keys = _keys(text)
    out: list[str] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or keys[index] != keys[start]:
            piece = escape(text[start:index])
            if keys[start] == BASE:
                out.append(piece)
            else:
                out.append(f'<font name="{font_name(keys[start], bold)}">{piece}</font>')
            start = index
    return "".join(out)


def needs_shaping(text: str) -> bool:
    """Whether a paragraph has a script that HarfBuzz must shape (slower: only then)."""
    register()
    return any(key in _available and _available[key].shaped for key in set(_keys(text)) - {BASE})
