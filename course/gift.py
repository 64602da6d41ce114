"""Moodle GIFT interoperability: import questions into a module, export quizzes.

Import (`alliances gift import FILE --module ID`) converts what our quizzes can
hold (see course.gift_parse), reports every other question with its line, and
adds the converted ones for an editor to review:

- at the end of the module's `## Quiz` section (which ends at the next level 1
  or 2 heading); when the module has none, a `## Quiz` section is opened just
  before `## Sources`, or at the end of the file when there is no `## Sources`;
- question ids are the slug of the GIFT `::title::`, else `<module-id>-gift-N`,
  made unique across the course with `-2`, `-3`…; choice ids are a, b, c… and
  `vrai`/`faux`; a question without general feedback gets « À compléter. »;
- the module file is written (atomically) only when at least one question was
  converted and the whole course, with the new file, still loads: an import is
  all or nothing, never a half-written module.

Export lives in course.gift_write.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from course.blocks import FENCE, HEADING, QUIZ_HEADING
from course.errors import ContentError
from course.frontmatter import split
from course.gift_parse import GiftError, GiftQuestion, Skipped, parse_gift
from course.gift_text import one_line, trim
from course.gift_write import export_gift
from course.loader import load_course
from course.models import KIND_LABELS, Course, Kind

__all__ = [
    "GiftError",
    "ImportResult",
    "cannot_write",
    "export_gift",
    "import_gift",
    "write_atomic",
]

TODO_EXPLANATION = "À compléter."
SOURCES = re.compile(r"^##\s+Sources\s*$", re.IGNORECASE)
SECTION_END = re.compile(r"^#{1,2}\s")
# Lines that would end a block, start the choices or the explanation if left as they are.
STRUCTURE = re.compile(r"^(?:#{1,3}\s|#{1,3}$|[-*]\s+\[[ xX]\])")
# « **Explication.** » or « **Indice.** » would start the explanation or the hint; its first
# letter as a character reference keeps the bold text and no longer reads as a marker.
MARKER = re.compile(r"^\*\*(?=Explication|Indice)")
SLUG_MAX = 60


@dataclass
class ImportResult:
    report: list[str] = field(default_factory=list)  # one line per question, and warnings
    imported: list[str] = field(default_factory=list)  # ids of the converted questions
    problems: list[str] = field(default_factory=list)  # why nothing was written
    written: Path | None = None


def import_gift(source: Path, module_id: str, content_dir: Path) -> ImportResult:
    """Convert a GIFT file and add its questions to a module, all or nothing.

    Raises GiftError when the import cannot start, ContentError when the course
    does not load as it is.
    """
    course = load_course(content_dir, require_hints=False)
    module = course.modules.get(module_id)
    if module is None:
        raise GiftError(f"module inconnu « {module_id} » (modules : {', '.join(course.modules)})")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GiftError(
            f"{source} : fichier illisible ({exc.__class__.__name__}), UTF-8 attendu"
        ) from exc
    taken = used_ids(course)
    converted: list[tuple[int, str, GiftQuestion]] = []
    skipped: dict[int, str] = {}
    for item in parse_gift(text):
        if isinstance(item, Skipped):
            skipped[item.line] = item.reason
            continue
        ident = new_id(item.title, module_id, taken)
        taken.add(ident)
        converted.append((item.line, ident, item))
    result = ImportResult()
    if converted:
        target = content_dir.parent / module.source
        raw = target.read_bytes().decode("utf-8")
        newline = "\r\n" if "\r\n" in raw else "\n"
        blocks = [render_question(question, ident) for _, ident, question in converted]
        updated = insert_questions(raw.replace("\r\n", "\n"), blocks).replace("\n", newline)
        added = {ident: question.kind for _, ident, question in converted}
        result.problems = check_import(content_dir, target, updated, module_id, added)
        if not result.problems:
            write_atomic(target, updated)
            result.imported, result.written = list(added), target
    result.report = _report(str(source), converted, skipped, bool(result.written))
    return result


def _report(
    name: str, converted: list[tuple[int, str, GiftQuestion]], skipped: dict[int, str], done: bool
) -> list[str]:
    """One line per question in file order, then its warnings; « importée » only once written."""
    lines: dict[int, list[str]] = {
        n: [f"{name}:{n}: ignorée : {why}"] for n, why in skipped.items()
    }
    for number, ident, question in converted:
        status = f"importée « {ident} »" if done else f"convertie « {ident} », non écrite"
        notes = list(question.warnings)
        if not question.explanation:
            notes.append(f"pas de retour général « #### » : explication « {TODO_EXPLANATION} »")
        lines[number] = [f"{name}:{number}: {status}"]
        lines[number] += [f"{name}:{number}: avertissement : « {ident} » : {n}" for n in notes]
    return [line for number in sorted(lines) for line in lines[number]]


def used_ids(course: Course) -> set[str]:
    """Question and reflection ids already in the course: new ids must avoid them all."""
    return {
        ident
        for module in course.modules.values()
        for ident in [q.id for q in module.questions] + [r.id for r in module.reflections]
    }


def new_id(title: str, module_id: str, taken: set[str]) -> str:
    """The slug of the title, else `<module>-gift-N`; `-2`, `-3`… when already taken."""
    base = slugify(title)
    if not base:
        number = 1
        while f"{module_id}-gift-{number}" in taken:
            number += 1
        return f"{module_id}-gift-{number}"
    ident, number = base, 1
    while ident in taken:
        number += 1
        ident = f"{base}-{number}"
    return ident


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by hyphens: « Cœur d'été ! » -> coeur-d-ete."""
    text = title.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def render_question(question: GiftQuestion, ident: str) -> str:
    """The question in our quiz syntax (docs/content-format.md)."""
    if question.kind is Kind.TRUE_FALSE:
        ids = ["vrai", "faux"]
    else:
        ids = [_choice_id(i) for i in range(len(question.choices))]
    lines = [f"### {KIND_LABELS[question.kind]} {{#{ident}}}", "", _guard(question.prompt), ""]
    for choice_id, choice in zip(ids, question.choices, strict=True):
        mark = "x" if choice.correct else " "
        lines.append(f"- [{mark}] {one_line(choice.text)} {{#{choice_id}}}")
        if choice.feedback:
            lines += [f"  > {line}".rstrip() for line in choice.feedback.split("\n")]
    explanation = _guard(question.explanation) or TODO_EXPLANATION
    # A fence must start its own line, or the module splitter would see only its closing one.
    separator = "\n" if FENCE.match(explanation) else " "
    return "\n".join([*lines, "", f"**Explication.**{separator}{explanation}"])


def _choice_id(index: int) -> str:
    letter = chr(ord("a") + index % 26)
    return letter if index < 26 else f"{letter}{index // 26}"


def _guard(text: str) -> str:
    """Escape lines that would cut the block short or read as choices, hint or explanation."""
    return trim("\n".join(_guard_line(line) for line in text.split("\n")))


def _guard_line(line: str) -> str:
    if STRUCTURE.match(line):
        return "\\" + line
    if MARKER.match(line):
        return f"**&#{ord(line[2])};{line[3:]}"
    return line


def insert_questions(text: str, blocks: list[str]) -> str:
    """Append blocks at the end of `## Quiz`; else open it before `## Sources`, else at the end."""
    lines = text.split("\n")
    _, _, body_line = split(text)
    quiz = sources = None
    end = len(lines)
    in_fence = False
    for index in range(body_line - 1, len(lines)):
        line = lines[index]
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not HEADING.match(line):
            continue
        if quiz is not None and SECTION_END.match(line):
            end = index
            break
        if quiz is None and QUIZ_HEADING.match(line):
            quiz = index
        elif quiz is None and sources is None and SOURCES.match(line):
            sources = index
    if quiz is None:
        blocks = ["## Quiz", *blocks]
        end = len(lines) if sources is None else sources
    head, tail = lines[:end], lines[end:]
    while head and not head[-1].strip():
        head.pop()
    while tail and not tail[-1].strip():
        tail.pop()
    out = "\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n"
    return out + ("\n" + "\n".join(tail) + "\n" if tail else "")


def check_import(
    content_dir: Path, target: Path, text: str, module_id: str, added: dict[str, Kind]
) -> list[str]:
    """Problems of the course as it would be with the new module text; [] if it loads whole."""
    root = content_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="alliances-gift-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy)
        (copy / target.resolve().relative_to(root)).write_bytes(text.encode("utf-8"))
        try:
            course = load_course(copy, require_hints=False)
        except ContentError as exc:
            return [str(p) for p in exc.problems if not p.warning]
    module = course.modules.get(module_id)
    loaded = {q.id: q.kind for q in module.questions} if module else {}
    where = module.source if module else target
    return [
        f"{where}: la question « {ident} » ne se lirait pas comme importée "
        "(bloc de code non fermé dans un texte ?)"
        for ident, kind in added.items()
        if loaded.get(ident) != kind
    ]


def cannot_write(target: Path, exc: OSError) -> str:
    """Why a file could not be written, in one French line for the console."""
    if exc.errno == errno.EISDIR or target.is_dir():
        return f"{target} est un dossier : donnez un nom de fichier, par exemple {target}/quiz.gift"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"{target} : le dossier {target.parent} n'existe pas, créez-le d'abord"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{target} : écriture refusée (droits du dossier ou disque en lecture seule)"
    if exc.errno == errno.ENOSPC:
        return f"{target} : plus de place sur le disque"
    return f"{target} : écriture impossible ({errno.errorcode.get(exc.errno or 0, 'erreur')})"


def write_atomic(target: Path, text: str) -> None:
    """Write through a temporary file and os.replace, so readers never see half a file."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
