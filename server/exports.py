"""Cohort progress as CSV (for French Excel) and as JSON, from the same reports.

Every CSV export goes through `spreadsheet_writer` and `neutralise`: `;`-separated,
every cell quoted, UTF-8 with a BOM (so Excel reads the accents), no cell a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from course.models import Course, Path
from course.reporting import STATES, LearnerReport

if TYPE_CHECKING:
    from _csv import Writer

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 100  # a few tens of KiB per write: streamed, without a send per learner
# A plain figure (French decimal comma or not): a leading minus there is a sign, not a formula.
NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
# A formula start just after a `;`: safe inside our quotes, but not in a tool that splits
# lines on `;` without reading quotes; an apostrophe disarms it there too.
AFTER_SEMICOLON = re.compile(r";(?=[=+\-@\t\r])")


def neutralise(value: Any) -> str:
    """Cells starting with = + - @ tab or CR are formulas to a spreadsheet: disarm them."""
    text = "" if value is None else str(value)
    if NUMBER.fullmatch(text):
        return text
    text = AFTER_SEMICOLON.sub(";'", text)
    return "'" + text if text.startswith(DANGEROUS) else text


def spreadsheet_writer(buffer: io.StringIO) -> Writer:
    """French Excel splits on `;` (the comma is its decimal mark): every cell quoted."""
    return csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def csv_rows(course: Course, path: Path, reports: list[LearnerReport]) -> Iterator[str]:
    """`;`-separated lines with a UTF-8 BOM, yielded in chunks of learners (flat memory)."""
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    modules = course.path_modules(path)
    header = ["Nom", "Adresse électronique", "Progression (%)", "État", "En retard"]
    header += ["Dernière activité", "Attestation"]
    for module in modules:
        header += [f"{module.title} — statut", f"{module.title} — meilleur score"]
        header += [f"{module.title} — tentatives"]
    writer.writerow([neutralise(h) for h in header])
    yield "\ufeff" + flush()
    for count, r in enumerate(reports, 1):
        row: list[Any] = [r.name, r.email, r.percent, STATES[r.state], "oui" if r.late else "non"]
        row += [r.last_activity or "", r.certificate_id or ""]
        for cell in r.cells:
            row += [cell.status.value, "" if cell.best_score is None else cell.best_score]
            row += [cell.attempts]
        writer.writerow([neutralise(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield flush()
    yield flush()


def json_report(cohort: Any, path: Path, reports: list[LearnerReport]) -> dict[str, Any]:
    return {
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "path": path.id,
            "due_date": cohort.due_date,
        },
        "learners": [
            {
                "user_id": r.user_id,
                "name": r.name,
                "email": r.email,
                "percent": r.percent,
                "state": r.state,
                "late": r.late,
                "last_activity": r.last_activity,
                "certificate_id": r.certificate_id,
                "modules": [
                    {
                        "id": c.module_id,
                        "status": c.status.value,
                        "best_score": c.best_score,
                        "attempts": c.attempts,
                    }
                    for c in r.cells
                ],
            }
            for r in reports
        ],
    }
