"""Flag runs of 12+ consecutive words shared between the course and its sources.

The course must be written in our own words: facts and figures come from the
source documents, sentences never do. `alliances check --sources DIR` runs it.
URLs are ignored: citing a source's address is not copying its prose.
"""

from __future__ import annotations

import re
from pathlib import Path

RUN = 12
WORD = re.compile(r"[0-9a-zà-öø-ÿœæ]+", re.IGNORECASE)


URL = re.compile(r"https?://\S+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(URL.sub(" ", text.replace("’", "'")))]


def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def overlaps(content_dir: Path, sources_dir: Path) -> list[str]:
    """Every place in the content's Markdown that repeats 12 words of a source."""
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
