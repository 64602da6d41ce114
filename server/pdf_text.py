"""The fonts that print text in any script in the PDFs, as CSS for WeasyPrint.

Names reach the certificate in every script the site accepts. WeasyPrint lays
text out with Pango and HarfBuzz, which order right-to-left text (Unicode bidi)
and shape Indic and Arabic scripts themselves; what they need is a font with
the glyphs. DejaVu Sans (bundled) covers Latin, Greek and Cyrillic; the other
scripts use the Debian font packages that scripts/install-system-deps installs:
fonts-noto-core (Noto Sans Devanagari, Bengali, Tamil, Thai, Arabic, Hebrew)
and fonts-wqy-microhei (Chinese, Japanese, Korean). Each file is named in an
@font-face rule, so a PDF prints with the same fonts on every machine whatever
else fontconfig knows; Pango takes each character from the first family of the
stack that has it, each script's family limited to its script by `unicode-range`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("alliances.pdf")
BUNDLED = Path(__file__).parent / "fonts"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
    Path("/usr/local/share/fonts"),
)
BASE = "DejaVu"
# The bundled faces: (file, CSS font-weight, CSS font-style).
BASE_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)


@dataclass(frozen=True)
class Script:
    """A script the bundled font lacks or draws poorly, the font files that have it, its ranges.

    The ranges become the faces' `unicode-range`, so these fonts draw their script and
    only it: DejaVu Sans has some Arabic and Hebrew letters too, but Noto's are complete.
    """

    key: str
    regular: str
    bold: str
    ranges: tuple[tuple[int, int], ...]


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
    ),
)
_warned: set[str] = set()


def _find(filename: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    return None


def missing_scripts() -> list[str]:
    """The scripts that will print as empty boxes on this machine (for `alliances check`)."""
    return [s.key for s in SCRIPTS if _find(s.regular) is None or _find(s.bold) is None]


def font_files() -> frozenset[Path]:
    """Every font file a PDF may read: the only local files the renderer may open."""
    found = [BUNDLED / name for name, _, _ in BASE_FACES]
    for script in SCRIPTS:
        found += [p for p in (_find(script.regular), _find(script.bold)) if p is not None]
    return frozenset(path.resolve() for path in found)


def _face(family: str, path: Path, weight: str, style: str = "normal", ranges: str = "") -> str:
    return (
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}");'
        f" font-weight: {weight}; font-style: {style};{ranges} }}"
    )


def _ranges(script: Script) -> str:
    return (
        " unicode-range: " + ", ".join(f"U+{low:X}-{high:X}" for low, high in script.ranges) + ";"
    )


def font_css() -> str:
    """@font-face rules for every font found, and the font stack that uses them.

    The stack is set on `html`, not `body`, so that page margin boxes (footers) use it too.
    """
    rules = [_face(f"Doc {BASE}", BUNDLED / name, w, s) for name, w, s in BASE_FACES]
    families = []
    for script in SCRIPTS:
        regular, bold = _find(script.regular), _find(script.bold)
        if regular is None or bold is None:
            if script.key not in _warned:
                _warned.add(script.key)
                log.warning(
                    "no font for %s (%s): run scripts/install-system-deps",
                    script.key,
                    script.regular,
                )
            continue
        rules += [
            _face(f"Doc {script.key}", regular, "normal", ranges=_ranges(script)),
            _face(f"Doc {script.key}", bold, "bold", ranges=_ranges(script)),
        ]
        families.append(f'"Doc {script.key}"')
    families.append(f'"Doc {BASE}"')  # last: each script font draws only its own ranges
    rules.append(f"html {{ font-family: {', '.join(families)}; }}")
    return "\n".join(rules)
