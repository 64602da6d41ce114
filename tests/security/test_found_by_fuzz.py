"""Server errors the fuzz of test_fuzz.py found, each kept as a plain test."""

from __future__ import annotations

import pytest

from course.roster import RosterError, read_roster
from tests.security.site import Site


def test_a_roster_with_mac_line_endings_is_read_row_by_row() -> None:
    """Excel for Mac ends CSV rows with a bare CR: it raised csv.Error, a 500 page."""
    rows = read_roster(b"email;nom\rnina@example.fr;Nina\rzoe@example.fr;Zo\xc3\xa9\r", set())
    assert [(row.email, row.name, row.outcome) for row in rows] == [
        ("nina@example.fr", "Nina", "invite"),
        ("zoe@example.fr", "Zoé", "invite"),
    ]


def test_a_cell_over_the_csv_field_limit_is_a_clear_error() -> None:
    with pytest.raises(RosterError, match="CSV lisible"):
        read_roster(b'email\n"' + b"x" * 140_000 + b'"\n', set())


def test_the_import_page_judges_the_fuzzed_file_instead_of_failing(site: Site) -> None:
    """The fuzz's own case: two bytes, CR and NUL, answered 500."""
    trainer = site.sign_in("trainer")
    response = site.client.post(
        f"/trainer/cohorts/{site.values['cohort_id']}/import",
        data={"csrf_token": trainer.token},
        files={"file": ("liste.csv", b"\r\x00", "text/csv")},
    )
    assert response.status_code == 200, response.status_code
    assert "adresse électronique invalide" in response.text  # the NUL of the second row
