"""The « relevé d'activité » as an A4 PDF, beside its CSV (server/views/releve.py).

Funders and quality auditors want a document they can file, not only a spreadsheet
(issue #18 §2). It says what the CSV says, row for row: the rows come from the same
`learner_rows` (course/activity_report.py), grouped here by kind into tables for each
learner, with the provider's name, the cohort, the path, the date it was made and, at
the bottom, how time is measured. The layout is the template pdf/releve.html, rendered
as tagged PDF/UA by the PDFs' shared renderer (server/pdf_render.py); names typed by
people print in any script there, as on the other documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from course.activity_report import EXCHANGE, METHOD, MODULE, STRETCH, TOTAL

TITLE = "Relevé d’activité"
PURPOSE = (
    "Justificatif de réalisation d’une action de formation à distance (articles D6313-3-1"
    " et R6313-3 du Code du travail)."
)


@dataclass(frozen=True)
class Provider:
    """The training provider, as the attestation names it (settings)."""

    name: str
    address: str
    nda: str


@dataclass(frozen=True)
class LearnerReleve:
    """One learner's part: the CSV's rows of each kind, without the name columns."""

    name: str
    email: str
    stretches: tuple[tuple[str, ...], ...]  # module, start, end
    exchanges: tuple[tuple[str, ...], ...]  # module, when, who and what was said
    modules: tuple[tuple[str, ...], ...]  # module, measured, declared, validated, best, mark, done
    total: tuple[str, ...]  # path, first, last, measured, declared, validated, completed


@dataclass(frozen=True)
class ReleveFacts:
    provider: Provider
    course_title: str
    path_title: str
    cohort_name: str
    trainers: tuple[str, ...]
    made_at: str
    learners: tuple[LearnerReleve, ...]
    about: str  # who the document is about, in its title: the cohort, or the one learner
    method: str = METHOD


def _text(value: object) -> str:
    return "" if value is None else str(value)


def learner_part(rows: Iterable[Sequence[object]]) -> LearnerReleve:
    """One learner's `learner_rows`, sorted into the PDF's tables (columns as in HEADER)."""
    name = email = ""
    stretches: list[tuple[str, ...]] = []
    exchanges: list[tuple[str, ...]] = []
    modules: list[tuple[str, ...]] = []
    total: tuple[str, ...] = ()
    for row in rows:
        cells = [_text(v) for v in row] + [""] * 13
        name, email, kind = cells[0], cells[1], cells[2]
        if kind == STRETCH:
            stretches.append((cells[3], moment_fr(cells[4]), moment_fr(cells[5])))
        elif kind == EXCHANGE:
            exchanges.append((cells[3], moment_fr(cells[4]), cells[12]))
        elif kind == MODULE:
            modules.append((cells[3], *cells[6:11], moment_fr(cells[11])))
        elif kind == TOTAL:
            first, last, completed = (moment_fr(cells[i]) for i in (4, 5, 11))
            total = (cells[3], first, last, cells[6], cells[7], cells[8], completed)
    return LearnerReleve(name, email, tuple(stretches), tuple(exchanges), tuple(modules), total)


def moment_fr(value: str) -> str:
    """« 2026-01-05 10:00 » (the CSV's Paris time) as French readers write it.

    « 05/01/2026 10:00 »; a value of another shape stays as it is.
    """
    day, _, time = value.partition(" ")
    parts = day.split("-")
    if len(parts) != 3:
        return value
    return f"{parts[2]}/{parts[1]}/{parts[0]} {time}".strip()


def minutes_fr(value: str) -> str:
    """« 75 » minutes as the relevé prints them: « 1 h 15 »; empty stays empty."""
    if not value.isdigit():
        return value
    total = int(value)
    return f"{total // 60}\u00a0h\u00a0{total % 60:02d}"


def releve_pdf(facts: ReleveFacts) -> bytes:
    """The document: one section per learner, each from a new page."""
    from server.pdf_render import render  # WeasyPrint loads on first use

    return render(
        "releve.html",
        title=f"{TITLE} — {facts.path_title} — {facts.about}",
        author=facts.provider.name,
        subject=f"{TITLE} du parcours {facts.path_title}, groupe {facts.cohort_name}",
        heading=TITLE,
        purpose=PURPOSE,
        r=facts,
        hm=minutes_fr,
    )
