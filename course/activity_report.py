"""The « relevé d'activité »: a learner's measured and validated time, row by row.

Distance-learning evidence for funders and quality audits (Code du travail, art.
D6313-3-1; issue #18 §2). Two times are kept apart: the *measured* time, from the
learner's working stretches (course/activity.py), and the *validated* time, the
declared duration of each module the learner completed, which funders' forms usually
count. The rows are plain values: server/views/releve.py writes them as CSV.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from course.activity import Stretch, measure, minutes, span
from course.models import Course, Path

PARIS = ZoneInfo("Europe/Paris")  # French funders read French local time

METHOD = (
    "Temps mesuré\u00a0: périodes de travail sur les pages des modules, reconstituées à partir "
    "des requêtes (page du module, quiz, réflexions) et, quand JavaScript est actif, d’un "
    "signal envoyé chaque minute tant que la page est affichée\u00a0; une période se termine "
    "après 10\u00a0minutes sans activité et compte jusqu’à sa dernière activité "
    "plus 1\u00a0minute\u00a0; les onglets ouverts en même temps ne comptent qu’une fois. "
    "Temps validé\u00a0: durée annoncée de chaque module terminé. Heures de Paris."
)

HEADER = (
    "Nom",
    "Adresse électronique",
    "Ligne",
    "Module",
    "Début",
    "Fin",
    "Temps mesuré (min)",
    "Durée annoncée (min)",
    "Temps validé (min)",
    "Meilleur score (%)",
    "Seuil de réussite (%)",
    "Terminé le",
    "Échange",
)

STRETCH, MODULE, TOTAL = "Période de travail", "Module", "Total du parcours"
EXCHANGE = "Échange avec le formateur"

# A learner–trainer message (server/storage/questions.py, issue #18 §2), as the relevé
# reads it: module id, when (stored UTC), author's name, from a trainer, the text.
Message = tuple[str, str, str, bool, str]


def local(moment: datetime | str | None) -> str:
    """A stored UTC moment as Paris reads it: « 2026-11-27 10:05 »."""
    if moment is None or moment == "":
        return ""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def learner_rows(
    course: Course,
    path: Path,
    learner: tuple[str, str],
    progress: Mapping[str, tuple[int, int | None, str | None]],
    stretches: Sequence[Stretch],
    now: datetime,
    exchanges: Sequence[Message] = (),
) -> Iterator[list[object]]:
    """One learner's rows: each stretch on the path's modules, each dated message
    exchanged with the cohort's trainers, each module, the total.

    `progress` maps a module id to (attempts, best score, completed at).
    """
    name, email = learner
    mine = [s for s in stretches if s.module_id in path.module_ids]
    measured = measure(mine, now)
    modules = course.path_modules(path)
    titles = {m.id: m.title for m in modules}
    for stretch in mine:
        start, end = span(stretch, now)
        yield [name, email, STRETCH, titles[stretch.module_id], local(start), local(end)]
    for module_id, at, author, from_trainer, body in exchanges:
        who = f"{'Réponse' if from_trainer else 'Question'} de {author or 'compte supprimé'}"
        title = titles.get(module_id, module_id)
        yield [name, email, EXCHANGE, title, local(at), "", *[""] * 6, f"{who}\u00a0: {body}"]
    validated = 0
    done: list[str] = []
    for module in modules:
        _, best, completed = progress.get(module.id, (0, None, None))
        credit = module.duration if completed else 0
        validated += credit
        if completed:
            done.append(completed)
        yield [
            name,
            email,
            MODULE,
            module.title,
            "",
            "",
            minutes(measured.by_module.get(module.id, timedelta())),
            module.duration,
            credit,
            "" if best is None else best,
            course.pass_threshold if module.has_quiz else "",
            local(completed),
        ]
    finished = max(done) if len(done) == len(modules) else None
    first = local(span(mine[0], now)[0]) if mine else ""
    last = local(max(span(s, now)[1] for s in mine)) if mine else ""
    yield [
        name,
        email,
        TOTAL,
        path.title,
        first,
        last,
        minutes(measured.total),
        path.total_minutes,
        validated,
        "",
        "",
        local(finished),
    ]
