"""Read a trainer's list of learners (CSV from a spreadsheet) and judge every row.

French Excel writes semicolons and may add a BOM; others write commas. Nothing
is imported from here: this only says what would happen to each row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OUTCOMES = {
    "invite": "sera invité",
    "member": "déjà membre ou invité",
    "invalid": "adresse électronique invalide",
    "duplicate": "ligne en double",
}
MAX_ROWS = 5000


class RosterError(ValueError):
    """The file as a whole cannot be read; the message is for the trainer."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    outcome: str

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome]


def read_roster(data: bytes, known: set[str]) -> list[RosterRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError("Le fichier doit être enregistré en UTF-8 (CSV UTF-8).") from exc
    if not text.strip():
        raise RosterError("Le fichier est vide.")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        # newline="": a bare CR ends a row too (Excel for Mac), never a crash mid-row.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a cell over the csv module's field limit
        raise RosterError(
            "Ce fichier n’est pas un CSV lisible\u00a0: enregistrez-le depuis votre tableur "
            "au format «\u00a0CSV UTF-8\u00a0»."
        ) from exc
    if len(rows) > MAX_ROWS:
        raise RosterError(f"Le fichier dépasse {MAX_ROWS} lignes\u00a0: découpez-le.")
    start = 1 if rows and rows[0] and not EMAIL.match(rows[0][0].strip()) else 0
    seen: set[str] = set()
    result = []
    for number, cells in enumerate(rows[start:], start + 1):
        if not any(cell.strip() for cell in cells):
            continue
        email = cells[0].strip().lower()
        name = " ".join(cells[1].split()) if len(cells) > 1 else ""
        if not EMAIL.match(email) or len(email) > 254:
            outcome = "invalid"
        elif email in seen:
            outcome = "duplicate"
        elif email in known:
            outcome = "member"
        else:
            outcome = "invite"
        seen.add(email)
        result.append(RosterRow(number, email, name[:120], outcome))
    if start == 1 and not result:
        raise RosterError("Le fichier ne contient que la ligne d'en-tête.")
    return result
