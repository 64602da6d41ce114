"""Every CSV export opens in French Excel as columns, and no cell is ever a formula.

French Excel splits on `;`; the tests read each file the way it does (the csv
module with delimiter ';'), then again the way a careless tool does (a plain split
on `;`, quotes ignored), and check that no cell starts a formula either way.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from server.exports import neutralise
from tests.conftest import PASSWORD, Learner, sign_in

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
HOSTILE = ["Bob;=2+5;", "+33 6 00", "-1+1", "@SUM(A1)", "\tTab", "\rRetour", "Zoé;@x;-y"]


def assert_spreadsheet_safe(body: bytes) -> list[list[str]]:
    """The rows as French Excel sees them, after checking no cell is a formula."""
    assert body.startswith("\ufeff".encode())  # UTF-8 with a BOM: Excel reads the accents
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    for row in rows:
        for cell in row:
            assert NUMBER.fullmatch(cell) or not cell.startswith(FORMULA_START), cell
    for line in text.split("\r\n"):
        assert line == "" or (line.startswith('"') and line.endswith('"')), line  # all quoted
        for piece in line.split(";"):
            assert not piece.lstrip('"').startswith(FORMULA_START), piece
    return rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("Bob;=2+5;", "Bob;'=2+5;"),
        ("-0,46", "-0,46"),
        ("-0.5", "-0.5"),
        ("42", "42"),
        (7, "7"),
        (None, ""),
        ("-", "'-"),
        ("-1+1", "'-1+1"),
        ("\r=x", "'\r=x"),
        ("Léa Martin", "Léa Martin"),
    ],
)
def test_neutralise(value: object, expected: str) -> None:
    assert neutralise(value) == expected


def test_cohort_export_is_semicolon_separated_quoted_and_safe(
    client: TestClient, make_user
) -> None:
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    response = trainer.post("/trainer/cohorts", {"name": "=Promo", "path_id": "1h"})
    cohort = int(response.headers["location"].rsplit("/", 1)[1])
    code = re.search(r"/join/([\w-]+)</code>", client.get(f"/trainer/cohorts/{cohort}").text)[1]  # type: ignore[index]
    for n, name in enumerate(HOSTILE):
        client.cookies.clear()
        person = Learner(client)
        assert person.signup(f"p{n}@example.fr", name, PASSWORD).status_code == 303
        assert person.post(f"/join/{code}").status_code == 303
    sign_in(client, "formatrice@example.fr")
    response = client.get(f"/trainer/cohorts/{cohort}/export.csv")
    assert response.status_code == 200
    rows = assert_spreadsheet_safe(response.content)
    assert rows[0][:3] == ["Nom", "Adresse électronique", "Progression (%)"]
    width = len(rows[0])
    assert all(len(row) == width for row in rows)  # a `;` in a name stays in its cell
    names = {row[0] for row in rows[1:]}
    assert "Bob;'=2+5;" in names and "'+33 6 00" in names and "Zoé;'@x;'-y" in names
    assert "Léa" not in names and len(names) == len(HOSTILE)


def test_question_statistics_export_is_semicolon_separated_and_safe(
    client: TestClient, make_user
) -> None:
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    learner = Learner(client)
    learner.signup("lea@example.fr", "Léa", PASSWORD)
    learner.pass_intro()
    sign_in(client, "editeur@example.fr")
    response = client.get("/editor/questions.csv")
    assert response.status_code == 200
    rows = assert_spreadsheet_safe(response.content)
    assert rows[0][:2] == ["Module", "Identifiant du module"]
    assert len(rows) > 1 and all(len(row) >= 8 for row in rows)  # options vary in number
