"""Load `content/` into a compiled, immutable Course, or report every problem at once.

Markdown is compiled to HTML here, once, so requests only read prepared strings.
The passes live beside this module: documents.py reads every file, links.py
checks and rewrites every link, quizzes.py builds the quizzes and reflections,
paths.py assembles the paths; the Loader runs them in order.
"""

from __future__ import annotations

import hashlib
from pathlib import Path as FsPath

from course import first_use, markdown, quiz_audit, satisfaction, style_rules, templates
from course.blocks import (
    RawBlock,
)
from course.course_file import read_course_file
from course.documents import Doc, DocumentPass
from course.errors import ContentError, Problem
from course.links import Fragment, LinkPolicy
from course.models import (
    Course,
    Module,
    Page,
    Question,
    Segment,
)
from course.paths import PathPass
from course.quizzes import WORDS_PER_MINUTE, QuizPass

MODULE_TOLERANCE = 0.25
UNCAPTIONED = (
    "tableau sans titre\u00a0: écrivez « Tableau\u00a0: … » seul sur la ligne juste"
    " au-dessus (RGAA 5.4)"
)

__all__ = ["Doc", "Loader", "load_course"]


class Loader(DocumentPass, QuizPass, PathPass):
    def __init__(self, root: FsPath, require_hints: bool = True) -> None:
        super().__init__(root)
        # A GIFT import is checked without: Moodle has no hints, the editor adds them.
        self.require_hints = require_hints
        self.question_ids = {}
        self.reflection_ids = {}
        self.links = LinkPolicy(root, self.error)

    def compile_doc(self, doc: Doc) -> tuple[list[Segment], list[Question], int]:
        segments: list[Segment] = []
        questions: list[Question] = []
        lesson_words = 0
        first = True
        for part in doc.parts:
            if isinstance(part, RawBlock):
                if not self.check_block_id(doc, part):
                    continue
                if doc.kind != "module":
                    self.error(doc.rel, part.line, "pages et modèles : ni quiz ni réflexion")
                elif part.kind == "Réflexion":
                    reflection = self.build_reflection(doc, part)
                    if reflection:
                        segments.append(Segment(reflection=reflection))
                else:
                    question = self.build_question(doc, part)
                    if question:
                        questions.append(question)
                continue
            chunk, tokens = part
            html = self.links.render(
                doc,
                Fragment.BODY,
                chunk.text,
                chunk.line,
                tokens,
                markdown.drop_title if first else None,
            )
            first = False
            lesson_words += markdown.words(chunk.text)
            segments.append(Segment(html=html))
        return segments, questions, lesson_words

    def build_module(self, doc: Doc) -> Module | None:
        segments, questions, lesson_words = self.compile_doc(doc)
        meta = doc.meta
        if not isinstance(meta.get("duration"), int):
            return None
        reflections = [s.reflection for s in segments if s.reflection]
        draw = self.check_draw(doc, len(questions))
        shown = draw / len(questions) if draw and questions else 1
        estimate = (
            lesson_words / WORDS_PER_MINUTE
            + shown * sum(q.minutes for q in questions)
            + sum(r.minutes for r in reflections)
        )
        duration = int(meta["duration"])
        if duration > 0 and abs(estimate - duration) > MODULE_TOLERANCE * duration:
            self.error(
                doc.rel,
                meta.get("__line__", 2),
                f"durée déclarée {duration} min, estimée {estimate:.0f} min "
                f"({lesson_words} mots, {len(questions)} questions, "
                f"{len(reflections)} réflexions) : écart de plus de 25 %",
                warning=True,
            )
        return Module(
            id=doc.id,
            title=str(meta.get("title", "")).strip(),
            duration=duration,
            objectives=tuple(str(o) for o in meta.get("objectives") or ()),
            segments=tuple(segments),
            questions=tuple(questions),
            source=doc.rel,
            estimated_minutes=round(estimate, 1),
            words=lesson_words,
            draw=draw,
        )

    def load(self) -> Course:
        if not self.root.is_dir():
            raise ContentError([Problem(str(self.root), 0, "dossier de contenu introuvable")])
        module_docs = self.read_docs("modules", "module")
        page_docs = self.read_docs("pages", "page")
        seen_modules: dict[str, str] = {}
        seen_pages: dict[str, str] = {}
        for doc in module_docs:
            self.check_meta(doc, seen_modules)
        for doc in page_docs:
            self.check_meta(doc, seen_pages)
        template_docs = self.read_docs(templates.FOLDER, "template")
        seen_templates: dict[str, str] = {}
        for doc in template_docs:
            self.check_meta(doc, seen_templates)
        self.links.targets = {
            doc.file.resolve(): doc for doc in module_docs + page_docs + template_docs
        }
        modules: dict[str, Module] = {}
        for doc in module_docs:
            module = self.build_module(doc)
            if module and module.id:
                modules.setdefault(module.id, module)
        pages = {}
        for doc in page_docs:
            segments, _, _ = self.compile_doc(doc)
            pages[doc.id] = Page(
                doc.id, str(doc.meta.get("title", "")), "".join(s.html for s in segments)
            )
        fillable = templates.build_templates(self, template_docs)
        header, specs = read_course_file(
            self.root / "course.yaml", self.rel, seen_modules, self.problems
        )
        paths = self.build_paths(specs, modules, seen_modules)
        questionnaires, problems = satisfaction.read_satisfaction(
            self.root / satisfaction.FILE, self.rel(self.root / satisfaction.FILE)
        )
        self.problems += problems
        self.problems += quiz_audit.audit(
            module_docs, modules.values(), self.rel(self.root / "course.yaml")
        )
        self.problems += style_rules.audit(
            [(d.file, d.rel) for d in module_docs + page_docs + template_docs]
            + [(f, self.rel(f)) for f in (self.root / "course.yaml", self.root / "sigles.yaml")]
            + [(self.root / satisfaction.FILE, self.rel(self.root / satisfaction.FILE))]
        )
        self.problems += [
            Problem(doc.rel, line, UNCAPTIONED, warning=True)
            for doc in module_docs + page_docs
            for line in markdown.uncaptioned_tables(doc.file.read_text(encoding="utf-8"))
        ]
        self.problems += first_use.audit(
            self.root, self.rel(self.root / first_use.SIGLES_FILE), module_docs, page_docs
        )
        errors = [p for p in self.problems if not p.warning]
        if errors or header is None:
            raise ContentError(self.problems)
        return Course(
            title=header["title"],
            language=header["language"],
            description=header["description"],
            pass_threshold=header["pass_threshold"],
            paths=paths,
            modules=modules,
            pages=pages,
            templates=fillable,
            satisfaction=questionnaires,
            version=self.version(),
            warnings=tuple(str(p) for p in sorted(self.problems)),
        )

    def version(self) -> str:
        digest = hashlib.sha256()
        for file in sorted(self.root.rglob("*")):
            if file.is_file():
                digest.update(file.relative_to(self.root).as_posix().encode())
                digest.update(b"\0")
                digest.update(file.read_bytes())
        return digest.hexdigest()[:12]


def load_course(root: FsPath | str, *, require_hints: bool = True) -> Course:
    """Compile the content folder; raise ContentError listing every problem."""
    return Loader(FsPath(root), require_hints).load()
