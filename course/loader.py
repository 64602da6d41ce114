"""Load `content/` into a compiled, immutable Course, or report every problem at once.

Markdown is compiled to HTML here, once, so requests only read prepared strings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from markdown_it.token import Token

from course import first_use, markdown, quiz_audit, style_rules, templates, typography
from course.blocks import (
    EXAMPLE,
    EXPLANATION,
    HINT,
    ID,
    SELF_CHECK,
    Chunk,
    RawBlock,
    block_text,
    parse_question,
    parse_reflection,
    split_body,
)
from course.course_file import PathSpec, read_course_file
from course.errors import ContentError, Problem
from course.frontmatter import load_yaml, split
from course.kinds import KINDS
from course.links import Fragment, LinkPolicy, feedback_line, marked, start
from course.models import (
    KINDS_BY_LABEL,
    Choice,
    Course,
    Module,
    Page,
    Path,
    Question,
    Reflection,
    Segment,
)

WORDS_PER_MINUTE = 180
QUESTION_OVERHEAD_MINUTES = 0.5
MODULE_TOLERANCE = 0.25
PATH_TOLERANCE = 0.10
DRAW_MARGIN = 2  # a pool holds at least this many questions more than one attempt shows


@dataclass
class Doc:
    """A module or page between the two passes: parsed, not yet rendered."""

    file: FsPath
    rel: str
    kind: str  # "module", "page" or "template"
    meta: dict[str, Any]
    parts: list[tuple[Chunk, list[Token]] | RawBlock]
    anchors: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or "")


class Loader:
    def __init__(self, root: FsPath, require_hints: bool = True) -> None:
        self.root = root
        # A GIFT import is checked without: Moodle has no hints, the editor adds them.
        self.require_hints = require_hints
        self.problems: list[Problem] = []
        self.question_ids: dict[str, str] = {}
        self.reflection_ids: dict[str, str] = {}
        self.links = LinkPolicy(root, self.error)

    def error(self, rel: str, line: int, message: str, warning: bool = False) -> None:
        self.problems.append(Problem(rel, line, message, warning))

    def rel(self, file: FsPath) -> str:
        try:
            return str(file.relative_to(self.root.parent))
        except ValueError:
            return str(file)

    # -- pass 1 -------------------------------------------------------------

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

    # -- pass 2 -------------------------------------------------------------

    def render(self, doc: Doc, kind: Fragment, text: str, line: int) -> str:
        """Every fragment of a module or page becomes HTML through the one link policy."""
        return self.links.render(doc, kind, text, line) if text else ""

    def build_question(self, doc: Doc, block: RawBlock) -> Question | None:
        raw = parse_question(block)
        kind = KINDS_BY_LABEL[block.kind]
        problems = list(raw.problems)
        if not raw.prompt:
            problems.append((block.line, "question sans énoncé"))
        if not raw.choices:
            problems.append((block.line, "question sans choix (« - [ ] texte {#id} »)"))
        ids = [c.id for c in raw.choices]
        for choice in raw.choices:
            if not choice.text.strip():
                problems.append((choice.line, "choix vide"))
            if choice.id and not ID.match(choice.id):
                problems.append((choice.line, f"identifiant de choix invalide « {choice.id} »"))
            if choice.id and ids.count(choice.id) > 1:
                problems.append((choice.line, f"identifiant de choix en double « {choice.id} »"))
        correct = sum(c.correct for c in raw.choices)
        if raw.choices and correct == 0:
            problems.append((block.line, "aucune bonne réponse : cochez au moins un choix [x]"))
        rules = KINDS[kind]
        if not rules.several_right and correct > 1:
            problems.append(
                (block.line, f"{block.kind} : une seule bonne réponse, {correct} cochées")
            )
        fewest, most = rules.choices
        if fewest == most and raw.choices and len(raw.choices) != fewest:
            problems.append((block.line, f"{block.kind} : exactement {fewest} choix attendus"))
        elif 0 < len(raw.choices) < fewest:
            problems.append((block.line, f"au moins {fewest} choix attendus"))
        elif most is not None and len(raw.choices) > most:
            problems.append((block.line, f"{block.kind} : au plus {most} choix"))
        if not raw.explanation:
            problems.append((block.line, "explication manquante (« **Explication.** … »)"))
        if not raw.hint:
            missing = (
                "indice manquant : « **Indice.** » l’idée testée et la section à relire, "
                "sans donner la réponse"
            )
            if self.require_hints:
                problems.append((block.line, missing))
            else:
                self.error(doc.rel, block.line, missing, warning=True)
        for line, message in problems:
            self.error(doc.rel, line, message)
        if problems:
            return None
        words = markdown.words(block_text(block))
        return Question(
            id=block.id,
            kind=kind,
            prompt_html=self.render(doc, Fragment.PROMPT, raw.prompt, start(block)),
            choices=tuple(
                Choice(
                    c.id,
                    self.render(doc, Fragment.CHOICE, c.text, c.line),
                    c.correct,
                    self.render(
                        doc, Fragment.FEEDBACK, "\n".join(c.feedback), feedback_line(block, c.line)
                    )
                    if c.feedback
                    else "",
                )
                for c in raw.choices
            ),
            explanation_html=self.render(
                doc, Fragment.EXPLANATION, raw.explanation, marked(block, EXPLANATION)
            ),
            minutes=words / WORDS_PER_MINUTE + QUESTION_OVERHEAD_MINUTES,
            line=block.line,
            hint_html=self.render(doc, Fragment.HINT, raw.hint, start(block, raw.hint_line, HINT)),
        )

    def build_reflection(self, doc: Doc, block: RawBlock) -> Reflection | None:
        raw = parse_reflection(block)
        text = raw.prompt
        ok = True
        if not block.title:
            self.error(
                doc.rel,
                block.line,
                "réflexion sans titre : « ### Réflexion : Titre court (15 min) {#id} » "
                "(le titre sert de rubrique dans « Mon plan d’alliance »)",
            )
        if not raw.self_check and not raw.example:
            self.error(
                doc.rel,
                block.line,
                "réflexion sans « **Grille d’autoévaluation.** » ni « **Exemple de réponse.** » "
                "à montrer après l’enregistrement",
            )
        if block.minutes is None:
            self.error(
                doc.rel, block.line, "réflexion sans durée : « ### Réflexion (15 min) {#id} »"
            )
            ok = False
        if not text:
            self.error(doc.rel, block.line, "réflexion sans consigne")
            ok = False
        if not ok:
            return None
        return Reflection(
            block.id,
            doc.id,
            self.render(doc, Fragment.REFLECTION, text, start(block)),
            text,
            block.minutes or 0,
            block.line,
            title=block.title,
            self_check_html=self.render(
                doc,
                Fragment.SELF_CHECK,
                _UNTICKED.sub("- ", raw.self_check),
                marked(block, SELF_CHECK),
            ),
            example_html=self.render(doc, Fragment.EXAMPLE, raw.example, marked(block, EXAMPLE)),
        )

    def check_block_id(self, doc: Doc, block: RawBlock) -> bool:
        if not block.kind:
            self.error(
                doc.rel,
                block.line,
                "type de bloc inconnu : Choix unique, Choix multiple, Vrai ou faux ou Réflexion",
            )
            return False
        registry = self.reflection_ids if block.kind == "Réflexion" else self.question_ids
        if not block.id:
            self.error(doc.rel, block.line, f"{block.kind} sans identifiant : terminez par {{#id}}")
            return False
        if not ID.match(block.id):
            self.error(doc.rel, block.line, f"identifiant invalide « {block.id} »")
            return False
        if block.id in registry:
            self.error(
                doc.rel,
                block.line,
                f"identifiant « {block.id} » déjà utilisé ({registry[block.id]})",
            )
            return False
        registry[block.id] = f"{doc.rel}:{block.line}"
        return True

    def compile_doc(self, doc: Doc, targets: dict) -> tuple[list[Segment], list[Question], int]:
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

    def build_module(self, doc: Doc, targets: dict) -> Module | None:
        segments, questions, lesson_words = self.compile_doc(doc, targets)
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

    def check_draw(self, doc: Doc, pool: int) -> int | None:
        """A draw needs a pool at least two larger, so that a retry meets new questions."""
        draw = doc.meta.get("draw")
        if not isinstance(draw, int) or isinstance(draw, bool) or draw < 1:
            return None
        if pool < draw + DRAW_MARGIN:
            self.error(
                doc.rel,
                doc.meta.get("__line__", 2),
                f"« draw: {draw} » : la réserve ne compte que {pool} questions ; "
                f"il en faut au moins {draw + DRAW_MARGIN} pour qu’une nouvelle tentative "
                "pose d’autres questions",
            )
            return None
        return draw

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
        targets = {doc.file.resolve(): doc for doc in module_docs + page_docs + template_docs}
        self.links.targets = targets
        modules: dict[str, Module] = {}
        for doc in module_docs:
            module = self.build_module(doc, targets)
            if module and module.id:
                modules.setdefault(module.id, module)
        pages = {}
        for doc in page_docs:
            segments, _, _ = self.compile_doc(doc, targets)
            pages[doc.id] = Page(
                doc.id, str(doc.meta.get("title", "")), "".join(s.html for s in segments)
            )
        fillable = templates.build_templates(self, template_docs, targets)
        header, specs = read_course_file(
            self.root / "course.yaml", self.rel, seen_modules, self.problems
        )
        paths = self.build_paths(specs, modules, seen_modules)
        self.problems += quiz_audit.audit(
            module_docs, modules.values(), self.rel(self.root / "course.yaml")
        )
        self.problems += style_rules.audit(
            [(d.file, d.rel) for d in module_docs + page_docs + template_docs]
            + [(f, self.rel(f)) for f in (self.root / "course.yaml", self.root / "sigles.yaml")]
        )
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
            version=self.version(),
            warnings=tuple(str(p) for p in sorted(self.problems)),
        )

    def read_docs(self, folder: str, kind: str) -> list[Doc]:
        docs = []
        for file in sorted((self.root / folder).glob("*.md")):
            doc = self.read_doc(file, kind)
            if doc:
                docs.append(doc)
        return docs

    def build_paths(
        self, specs: list[PathSpec], modules: dict[str, Module], module_files: dict[str, str]
    ) -> tuple[Path, ...]:
        paths = []
        for spec in specs:
            total = sum(modules[m].duration for m in spec.module_ids if m in modules)
            if abs(total - spec.target_minutes) > PATH_TOLERANCE * spec.target_minutes:
                self.error(
                    self.rel(self.root / "course.yaml"),
                    spec.line,
                    f"parcours « {spec.id} » : {total} min au total pour une cible de "
                    f"{spec.target_minutes} min (écart de plus de 10 %)",
                )
            paths.append(
                Path(
                    id=spec.id,
                    title=spec.title,
                    target_minutes=spec.target_minutes,
                    description=spec.description,
                    audience=spec.audience,
                    outcomes=spec.outcomes,
                    module_ids=spec.module_ids,
                    total_minutes=total,
                )
            )
        used = {m for spec in specs for m in spec.module_ids}
        for ident, rel in sorted(module_files.items()):
            if ident not in used:
                self.error(rel, 2, f"le module « {ident} » n'appartient à aucun parcours")
        return tuple(paths)

    def version(self) -> str:
        digest = hashlib.sha256()
        for file in sorted(self.root.rglob("*")):
            if file.is_file():
                digest.update(file.relative_to(self.root).as_posix().encode())
                digest.update(b"\0")
                digest.update(file.read_bytes())
        return digest.hexdigest()[:12]


_UNTICKED = re.compile(r"^[-*]\s+\[[ xX]\]\s+", re.MULTILINE)  # a grid reads as a plain list


def load_course(root: FsPath | str, *, require_hints: bool = True) -> Course:
    """Compile the content folder; raise ContentError listing every problem."""
    return Loader(FsPath(root), require_hints).load()
