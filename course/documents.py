"""Pass 1 of the loader: read each module, page and template, its front matter and its parts.

Nothing is rendered here: links can only be checked once every document is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from markdown_it.token import Token

from course import markdown, templates, typography
from course.blocks import (
    ID,
    Chunk,
    RawBlock,
    split_body,
)
from course.errors import Problem
from course.frontmatter import load_yaml, split


@dataclass
class Doc:
    """A module, page or template between the two passes: parsed, not yet rendered."""

    file: FsPath
    rel: str
    kind: str  # "module", "page" or "template"
    meta: dict[str, Any]
    parts: list[tuple[Chunk, list[Token]] | RawBlock]
    anchors: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or "")


class Reporter:
    """What every pass shares: the content root and the list of problems found."""

    def __init__(self, root: FsPath) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def error(self, rel: str, line: int, message: str, warning: bool = False) -> None:
        self.problems.append(Problem(rel, line, message, warning))

    def rel(self, file: FsPath) -> str:
        try:
            return str(file.relative_to(self.root.parent))
        except ValueError:
            return str(file)


class DocumentPass(Reporter):
    def read_docs(self, folder: str, kind: str) -> list[Doc]:
        docs = []
        for file in sorted((self.root / folder).glob("*.md")):
            doc = self.read_doc(file, kind)
            if doc:
                docs.append(doc)
        return docs

    def read_doc(self, file: FsPath, kind: str) -> Doc | None:
        rel = self.rel(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(rel, 1, f"fichier illisible ({exc.__class__.__name__}) : UTF-8 attendu")
            return None
        front, body, body_line = split(text)
        if front is None:
            self.error(rel, 1, "en-tête YAML manquant : le fichier doit commencer par « --- »")
            return None
        try:
            meta = load_yaml(front)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            last = front.count("\n") + 1  # a mark past the end points at the closing ---
            line = min(mark.line + 2, last) if mark else 1
            self.error(rel, line, f"en-tête YAML invalide : {getattr(exc, 'problem', exc)}")
            return None
        if not isinstance(meta, dict):
            self.error(rel, 2, "l'en-tête YAML doit être un dictionnaire (clé : valeur)")
            return None
        meta["__line__"] = meta.get("__line__", 1) + 1  # the front matter starts on line 2
        for line, message in typography.check(body, body_line):
            self.error(rel, line, message, warning=True)
        parts: list[tuple[Chunk, list[Token]] | RawBlock] = []
        anchors: set[str] = set()
        for part in split_body(body, body_line):
            if isinstance(part, Chunk):
                tokens = markdown.parse(part.text)
                anchors |= markdown.anchors(tokens)
                parts.append((part, tokens))
            else:
                parts.append(part)
        return Doc(file, rel, kind, meta, parts, anchors)

    def check_meta(self, doc: Doc, seen: dict[str, str]) -> None:
        meta, rel = doc.meta, doc.rel
        line = meta.get("__line__", 2)
        ident = meta.get("id")
        if not ident:
            self.error(rel, line, "identifiant manquant : ajoutez « id: » dans l'en-tête")
        elif not isinstance(ident, str) or not ID.match(ident):
            self.error(
                rel, line, f"identifiant invalide « {ident} » : minuscules, chiffres, tirets"
            )
        elif ident in seen:
            self.error(rel, line, f"identifiant « {ident} » déjà utilisé par {seen[ident]}")
        else:
            seen[ident] = rel
        if not isinstance(meta.get("title"), str) or not meta["title"].strip():
            self.error(rel, line, "titre manquant : ajoutez « title: » dans l'en-tête")
        if doc.kind == "template":
            templates.check_description(self, doc)
        if doc.kind != "module":
            return
        duration = meta.get("duration")
        if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
            self.error(rel, line, "durée manquante ou invalide : « duration: » en minutes (entier)")
        draw = meta.get("draw")
        if draw is not None and (not isinstance(draw, int) or isinstance(draw, bool) or draw < 1):
            self.error(rel, line, "« draw: » doit être un nombre entier de questions (au moins 1)")
        objectives = meta.get("objectives")
        if (
            not isinstance(objectives, list)
            or not objectives
            or not all(isinstance(o, str) and o.strip() for o in objectives)
        ):
            self.error(rel, line, "objectifs manquants : « objectives: » liste de phrases")
