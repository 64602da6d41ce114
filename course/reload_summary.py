"""What a reload changed, in words an editor reads at a glance on « Contenu ».

course/diff.py lists what hurts learners (removals, regradings); this lists
everything that moved, so an editor can check that the reload did what they
meant. A question that only moved in its file (same text, new line number)
does not count as changed. Pure Python: no Starlette.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from course.models import Course, Question


@dataclass(frozen=True)
class ReloadSummary:
    modules_added: tuple[str, ...]
    modules_removed: tuple[str, ...]
    modules_changed: tuple[str, ...]
    questions_added: int
    questions_removed: int
    questions_changed: int

    def sentences(self) -> list[str]:
        """French sentences, one per kind of change; one sentence when nothing changed."""
        said = []
        for label, titles in (
            ("ajouté", self.modules_added),
            ("retiré", self.modules_removed),
            ("modifié", self.modules_changed),
        ):
            if titles:
                noun = "Module" if len(titles) == 1 else "Modules"
                verb = label if len(titles) == 1 else label + "s"
                said.append(f"{noun} {verb}\u00a0: {', '.join(titles)}.")
        counts = [
            _count(n, adjective)
            for n, adjective in (
                (self.questions_added, "ajoutée"),
                (self.questions_removed, "retirée"),
                (self.questions_changed, "modifiée"),
            )
            if n
        ]
        if counts:
            said.append("Questions\u00a0: " + ", ".join(counts) + ".")
        return said or ["Aucun changement\u00a0: le contenu est identique à la version précédente."]


def _count(n: int, adjective: str) -> str:
    return f"{n}\u00a0{adjective}" if n == 1 else f"{n}\u00a0{adjective}s"


def _same(old: Question, new: Question) -> bool:
    return replace(old, line=0) == replace(new, line=0)


def summarize(old: Course, new: Course) -> ReloadSummary:
    """Modules by title, questions by count, from the old course to the new one."""
    before, after = old.modules, new.modules
    kept = [m for m in after if m in before]
    old_questions = {(m.id, q.id): q for m in before.values() for q in m.questions}
    new_questions = {(m.id, q.id): q for m in after.values() for q in m.questions}
    return ReloadSummary(
        modules_added=tuple(after[m].title for m in after if m not in before),
        modules_removed=tuple(before[m].title for m in before if m not in after),
        modules_changed=tuple(
            after[m].title
            for m in kept
            if replace(before[m], source="") != replace(after[m], source="")
        ),
        questions_added=sum(1 for q in new_questions if q not in old_questions),
        questions_removed=sum(1 for q in old_questions if q not in new_questions),
        questions_changed=sum(
            1
            for q, new_q in new_questions.items()
            if q in old_questions and not _same(old_questions[q], new_q)
        ),
    )
