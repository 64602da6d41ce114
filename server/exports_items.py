"""The editors' item analysis in French figures, on the page and as CSV for French Excel.

Same conventions as the cohort export (server/exports.py): UTF-8 with a BOM,
`;`-separated quoted cells, cells that a spreadsheet would run as formulas neutralised.
"""

from __future__ import annotations

import io

from markupsafe import Markup

from course.item_analysis import ItemStats
from server.exports import neutralise, spreadsheet_writer


def percent(share: float | None) -> str:
    """« 83 % » (no-break space), or « — » when there is nothing to count."""
    return "—" if share is None else f"{round(share * 100)}\u00a0%"


def decimal(value: float | None) -> str:
    """« 0,42 », « −0,10 », or « — » when undefined."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace("-", "\u2212").replace(".", ",")


def plain(html: str) -> str:
    """The text of a rendered fragment, for a spreadsheet cell."""
    return " ".join(Markup(html).striptags().split())


def csv_text(items: list[ItemStats]) -> str:
    """One row per question, the options side by side: what the page shows, as numbers."""
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer)
    width = max((len(i.options) for i in items), default=0)
    header = ["Module", "Identifiant du module", "Question", "Identifiant de la question"]
    header += ["Tentatives", "Facilité (%)", "Discrimination", "Signalements"]
    for n in range(1, width + 1):
        header += [f"Option {n}", f"Option {n} — bonne réponse", f"Option {n} — choisie (%)"]
    writer.writerow([neutralise(h) for h in header])
    for i in items:
        # Every cell is neutralised; a figure keeps its minus sign (`neutralise` knows numbers).
        row = [i.module.title, i.module.id, plain(i.question.prompt_html), i.question.id]
        row += [str(i.attempts), _percent(i.facility), _decimal(i.discrimination)]
        row += [", ".join(i.flags)]
        for o in i.options:
            row += [plain(o.choice.html), "oui" if o.choice.correct else "non"]
            row += [_percent(o.share)]
        writer.writerow([neutralise(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _percent(share: float | None) -> str:
    """A whole percentage, rounded as on the page; empty when undefined."""
    return "" if share is None else str(round(share * 100))


def _decimal(value: float | None) -> str:
    """A French decimal for a spreadsheet (comma, ASCII minus); empty when undefined."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")
