"""Flag runs of 12+ consecutive words shared between the course and its sources.

The course must be written in our own words: facts and figures come from the
source documents, sentences never do. Usage: python scripts/check_overlap.py [CONTENT] [SOURCES]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

RUN = 12
WORD = re.compile(r"[0-9a-zà-öø-ÿœæ]+", re.IGNORECASE)


URL = re.compile(r"https?://\S+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(URL.sub(" ", text.replace("’", "'")))]


def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def overlaps(content_dir: Path, sources_dir: Path) -> list[str]:
    source = set()
    for f in sorted(sources_dir.rglob("*")):
        if f.is_file():
            source |= shingles(words(f.read_text(encoding="utf-8", errors="replace")))
    found = []
    for f in sorted(content_dir.rglob("*.md")):
        text = URL.sub(lambda m: " " * len(m.group()), f.read_text(encoding="utf-8"))
        text = text.replace("’", "'")
        matches = list(WORD.finditer(text))
        tokens = [m.group().lower() for m in matches]
        i = 0
        while i <= len(tokens) - RUN:
            if tuple(tokens[i : i + RUN]) in source:
                lineno = text.count("\n", 0, matches[i].start()) + 1
                found.append(f"{f}:{lineno}: « {' '.join(tokens[i : i + RUN])} »")
                i += RUN
            else:
                i += 1
    return found


def main() -> int:
    content = Path(sys.argv[1] if len(sys.argv) > 1 else "content")
    sources = Path(sys.argv[2] if len(sys.argv) > 2 else "../shared/seeds")
    found = overlaps(content, sources)
    print("\n".join(found) or "no shared run of 12 words")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
