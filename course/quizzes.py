"""The loader's quiz pass: questions, reflections and draws, checked and rendered.

Each rule of a kind of question comes from the registry (course/kinds.py); every
fragment is rendered through the one link policy (course/links.py).
"""

from __future__ import annotations

import re

from course import markdown
from course.blocks import (
    EXAMPLE,
    EXPLANATION,
    HINT,
    ID,
    SELF_CHECK,
    RawBlock,
    block_text,
    parse_question,
    parse_reflection,
)
from course.documents import Doc, Reporter
from course.kinds import KINDS
from course.links import Fragment, LinkPolicy, feedback_line, marked, start
from course.models import (
    KINDS_BY_LABEL,
    Choice,
    Question,
    Reflection,
)

WORDS_PER_MINUTE = 180
QUESTION_OVERHEAD_MINUTES = 0.5
DRAW_MARGIN = 2  # a pool holds at least this many questions more than one attempt shows
_UNTICKED = re.compile(r"^[-*]\s+\[[ xX]\]\s+", re.MULTILINE)  # a grid reads as a plain list


class QuizPass(Reporter):
    links: LinkPolicy
    require_hints: bool
    question_ids: dict[str, str]
    reflection_ids: dict[str, str]

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
