"""One link policy for every fragment of Markdown the site renders.

Lesson and page bodies, question prompts, choices, choice feedback, hints,
explanations, reflection prompts, self-check grids and worked examples all become
HTML through `LinkPolicy.render`: parse, check and rewrite every link and image,
render. Nothing else in the code renders Markdown (a test keeps it so), so no kind of
fragment can skip the policy:

- `http(s)://` and `mailto:` links pass as they are; any other scheme (`javascript:`,
  `data:`, `vbscript:`, `file:`…), a protocol-relative `//host` or an absolute `/path`
  is an error at its `file:line`;
- `other.md#anchor` becomes `/modules/<id>#anchor`, `/pages/<id>#anchor` or the
  template's address; a file under content/ (an image, a figure) becomes `/media/…`;
- `#anchor` must name a heading of the document's lesson; in a lesson or page body it
  stays as it is (same page), in a quiz or reflection fragment, which is also shown
  on the result page and in the learner's plan, it becomes the document's address;
- an image needs alt text, and must be a file under content/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from markdown_it.token import Token

from course import markdown, svg, templates
from course.blocks import FEEDBACK, RawBlock

if TYPE_CHECKING:
    from course.documents import Doc


class Fragment(Enum):
    """What a piece of Markdown is, which says how it renders and where it is shown."""

    BODY = "body"  # a lesson, page or template body: shown on its own page only
    PROMPT = "prompt"
    CHOICE = "choice"  # one line, rendered inline
    FEEDBACK = "feedback"
    HINT = "hint"
    EXPLANATION = "explanation"
    REFLECTION = "reflection"
    SELF_CHECK = "self_check"
    EXAMPLE = "example"

    @property
    def inline(self) -> bool:
        return self is Fragment.CHOICE

    @property
    def stays_on_page(self) -> bool:
        """Whether `#anchor` can stay relative: only bodies are never shown elsewhere."""
        return self is Fragment.BODY


class Report(Protocol):
    def __call__(self, rel: str, line: int, message: str, warning: bool = False) -> None: ...


FORBIDDEN = "lien interdit « {url} » : http(s), mailto ou lien relatif vers le cours seulement"
ADDRESSES = {"module": "/modules/", "page": "/pages/", "template": templates.URL_PREFIX}


class LinkPolicy:
    """Checks and rewrites the links of one course's fragments; reports through `error`."""

    def __init__(self, root: Path, error: Report) -> None:
        self.root = root.resolve()
        self.error = error
        self.targets: dict[Path, Doc] = {}  # every document, by resolved file

    def render(
        self,
        doc: Doc,
        kind: Fragment,
        text: str,
        line: int,
        tokens: list[Token] | None = None,
        prepare: Callable[[list[Token]], list[Token]] | None = None,
    ) -> str:
        """The one way a fragment becomes HTML: parse, check and rewrite links, render.

        `line` is the file line of the fragment's first line; `tokens` are given when
        the fragment was parsed before (a body, for its anchors), `prepare` changes the
        checked tokens before rendering (dropping a body's title).
        """
        if tokens is None:
            tokens = markdown.parse_inline(text) if kind.inline else markdown.parse(text)
        self.check(doc, kind, tokens, line)
        return markdown.render(prepare(tokens) if prepare else tokens)

    def check(self, doc: Doc, kind: Fragment, tokens: list[Token], first_line: int) -> None:
        for ref in markdown.links(tokens, first_line):
            url = str(ref.token.attrs.get(ref.attr, ""))
            if ref.is_image and not ref.alt.strip():
                self.error(doc.rel, ref.line, f"image sans texte alternatif : {url}")
            if markdown.is_external(url) and not ref.is_image:
                continue
            if markdown.is_external(url):
                self.error(doc.rel, ref.line, f"image externe « {url} » : placez-la sous content/")
            elif markdown.has_scheme(url) or url.startswith(("/", "\\")):
                self.error(doc.rel, ref.line, FORBIDDEN.format(url=url))
            else:
                self.resolve(doc, kind, ref, url)

    def resolve(self, doc: Doc, kind: Fragment, ref: markdown.LinkRef, url: str) -> None:
        # markdown-it percent-encodes addresses; headings' ids and file names are not.
        target, _, encoded = url.partition("#")
        fragment, target = unquote(encoded), unquote(target)
        if not target:
            if fragment not in doc.anchors:
                self.error(doc.rel, ref.line, f"ancre introuvable « #{fragment} »")
            elif not kind.stays_on_page:
                ref.token.attrSet(ref.attr, f"{ADDRESSES[doc.kind]}{doc.id}#{encoded}")
            return
        file = (doc.file.parent / target).resolve()
        if ref.is_image or not target.endswith(".md"):
            self.media(doc, ref, target, file)
            return
        linked = self.targets.get(file)
        if linked is None:
            self.error(
                doc.rel, ref.line, f"lien interne cassé « {target} » : aucun module, page ni modèle"
            )
            return
        if fragment and fragment not in linked.anchors:
            self.error(doc.rel, ref.line, f"ancre introuvable « #{fragment} » dans {target}")
        address = ADDRESSES.get(linked.kind, "/pages/") + linked.id
        ref.token.attrSet(ref.attr, address + (f"#{encoded}" if encoded else ""))

    def media(self, doc: Doc, ref: markdown.LinkRef, target: str, file: Path) -> None:
        """A file of the content folder, served under /media/; an SVG is checked too."""
        if not file.is_file() or self.root not in file.parents:
            self.error(doc.rel, ref.line, f"fichier introuvable « {target} »")
            return
        ref.token.attrSet(ref.attr, f"/media/{file.relative_to(self.root).as_posix()}")
        if file.suffix.lower() == ".svg":
            for problem in svg.problems(file):
                self.error(doc.rel, ref.line, f"figure « {target} », {problem}")


def start(block: RawBlock, after: int = 0, marker: re.Pattern[str] | None = None) -> int:
    """File line of a fragment's first line of text in a block: the first line from `after`
    on that holds text once `marker` (« **Explication.** »…) is taken off it."""
    for number, line in block.lines:
        if number < after:
            continue
        if marker is not None and number == after:
            line = marker.sub("", line)
        if line.strip():
            return number
    return after or block.line


def marked(block: RawBlock, marker: re.Pattern[str], after: int = 0) -> int:
    """File line where a marked fragment starts: its marker's line, or the next with text."""
    for number, line in block.lines:
        if number > after and marker.match(line):
            return start(block, number, marker)
    return block.line


def feedback_line(block: RawBlock, choice_line: int) -> int:
    """File line of a choice's first feedback line (`  > …`)."""
    return next(
        (n for n, line in block.lines if n > choice_line and FEEDBACK.match(line)), choice_line
    )
