"""Cohort progress as CSV (for French Excel) and as JSON, from the same reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from course.models import Course, Path
from course.reporting import STATES, LearnerReport

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 100  # a few tens of KiB per write: streamed, without a send per learner


def neutralise(value: Any) -> str:
    """Cells starting with = + - @ are formulas to a spreadsheet: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_rows(course: Course, path: Path, reports: list[LearnerReport]) -> Iterator[str]:
    """RFC 4180 lines with a UTF-8 BOM, yielded in chunks of learners (flat memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

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
