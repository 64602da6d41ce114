"""Editors' item analysis: the figures on hand-made first attempts, and the page around them.

The data set (fixture course, module « intro »: intro-mode a✓ b c; intro-acteurs
a✓ b✓ c; intro-classement vrai faux✓; module « approfondir »: a, b✓), first
attempts only:

    learner  intro-mode  intro-acteurs  intro-classement   approfondir-q
    L1       a  ✓        a b  ✓         faux ✓             b ✓
    L2       a  ✓        a    ✗         faux ✓             b ✓
    L3       b  ✗        a b  ✓         vrai ✗             b ✓
    L4       b  ✗        a c  ✗         faux ✓             b ✓
    L5       c  ✗        b a  ✓         (not drawn)        —

L3 and L1 try « intro » again afterwards, all right: those attempts must not count.
Worked by hand (x = the item, y = share of the attempt's other questions right):
  intro-mode        x 1 1 0 0 0, y 1 ½ ½ ½ 1 : facility 2/5, r = 0.02 / 0.12 = 1/6
  intro-acteurs     x 1 0 1 0 1, y 1 1 0 ½ 0 : facility 3/5, r = −0.1 / √0.048 ≈ −0.4564
  intro-classement  x 1 1 0 1,   y 1 ½ ½ 0   : facility 3/4, r = 0 (cov 0.375 − 0.375)
  approfondir-q     all right, a lone question: facility 1, r undefined
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import statistics
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from course import item_analysis
from course.item_analysis import NO_DISCRIMINATION, TOO_EASY, UNUSED_DISTRACTOR
from course.loader import load_course
from server.exports_items import csv_text
from server.settings import Settings
from server.state import app_state
from tests import sql
from tests.conftest import FIXTURE_COURSE, sign_in

STAMP = "2026-11-20T10:00:00+00:00"
FIRST = {
    "L1": {"intro-mode": ["a"], "intro-acteurs": ["a", "b"], "intro-classement": ["faux"]},
    "L2": {"intro-mode": ["a"], "intro-acteurs": ["a"], "intro-classement": ["faux"]},
    "L3": {"intro-mode": ["b"], "intro-acteurs": ["a", "b"], "intro-classement": ["vrai"]},
    "L4": {"intro-mode": ["b"], "intro-acteurs": ["a", "c"], "intro-classement": ["faux"]},
    "L5": {"intro-mode": ["c"], "intro-acteurs": ["b", "a"]},
}
ALL_RIGHT = {"intro-mode": ["a"], "intro-acteurs": ["a", "b"], "intro-classement": ["faux"]}
# (learner, module, answers) in the order they were made
ATTEMPTS = [(who, "intro", answers) for who, answers in FIRST.items()]
ATTEMPTS += [(who, "approfondir", {"approfondir-q": ["b"]}) for who in ("L1", "L2", "L3", "L4")]
ATTEMPTS += [("L3", "intro", ALL_RIGHT), ("L1", "intro", ALL_RIGHT), ("L3", "intro", ALL_RIGHT)]


@pytest.fixture(scope="module")
def course():
    return load_course(FIXTURE_COURSE)


def seed(client: TestClient) -> None:
    """Write the learners and their attempts as the server would have stored them."""
    ids = {}
    for n, who in enumerate(FIRST, 1):
        email = f"{who.lower()}@example.fr"
        sql.write(
            client,
            "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, 'x', ?)",
            (email, f"Apprenant {n}", STAMP),
        )
        ids[who] = sql.value(client, "SELECT id FROM users WHERE email = ?", (email,))
    for who, module_id, answers in ATTEMPTS:
        sql.write(
            client,
            "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
            " content_version, created_at) VALUES (?, '12h', ?, 0, 0, ?, 'v', ?)",
            (ids[who], module_id, json.dumps(answers), STAMP),
        )


def by_id(items: list[item_analysis.ItemStats]) -> dict[str, item_analysis.ItemStats]:
    return {i.question.id: i for i in items}


def first_rows() -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    rows = []
    for who, module_id, answers in ATTEMPTS:
        if (who, module_id) not in seen:
            seen.add((who, module_id))
            rows.append((module_id, json.dumps(answers)))
    return rows


# -- the computation --------------------------------------------------------------


def test_figures_match_the_hand_computation(course) -> None:
    modules = item_analysis.select_modules(course)
    items = by_id(item_analysis.analyse(modules, first_rows()))
    mode, acteurs, classement = (
        items["intro-mode"],
        items["intro-acteurs"],
        items["intro-classement"],
    )
    assert (mode.attempts, mode.right, mode.facility) == (5, 2, 0.4)
    assert mode.discrimination == pytest.approx(1 / 6)
    assert (acteurs.attempts, acteurs.facility) == (5, 0.6)  # « b a » is « a b »
    assert acteurs.discrimination == pytest.approx(-0.1 / math.sqrt(0.048))
    assert (classement.attempts, classement.facility) == (4, 0.75)  # L5 was not asked it
    assert classement.discrimination == pytest.approx(0, abs=1e-12)
    # the same as the textbook Pearson correlation on the hand-written columns
    assert mode.discrimination == pytest.approx(
        statistics.correlation([1, 1, 0, 0, 0], [1, 0.5, 0.5, 0.5, 1])
    )
    assert acteurs.discrimination == pytest.approx(
        statistics.correlation([1, 0, 1, 0, 1], [1, 1, 0, 0.5, 0])
    )
    shares = {
        q: {o.choice.id: o.share for o in items[q].options}
        for q in ("intro-mode", "intro-acteurs", "intro-classement")
    }
    assert shares == {
        "intro-mode": {"a": 0.4, "b": 0.4, "c": 0.2},
        "intro-acteurs": {"a": 1.0, "b": 0.6, "c": 0.2},
        "intro-classement": {"vrai": 0.25, "faux": 0.75},
    }


def test_flags(course) -> None:
    items = by_id(item_analysis.analyse(item_analysis.select_modules(course), first_rows()))
    assert items["intro-mode"].flags == ()
    assert items["intro-acteurs"].flags == (NO_DISCRIMINATION,)
    assert items["intro-classement"].flags == (NO_DISCRIMINATION,)  # r = 0 is « ≤ 0 »
    easy = items["approfondir-q"]
    assert (easy.facility, easy.discrimination) == (1.0, None)
    assert easy.flags == (TOO_EASY, UNUSED_DISTRACTOR)
    assert [o.unused_distractor for o in easy.options] == [True, False]


def test_a_question_nobody_answered_has_no_figures_and_no_flags(course) -> None:
    items = item_analysis.analyse(item_analysis.select_modules(course), [])
    assert {i.question.id for i in items} == {
        "approfondir-q",
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
    }
    for i in items:
        assert (i.attempts, i.facility, i.discrimination, i.flags) == (0, None, None, ())
        assert all(o.share is None for o in i.options)


def test_discrimination_needs_two_attempts_and_some_spread(course) -> None:
    modules = item_analysis.select_modules(course, module_id="intro")
    one = by_id(item_analysis.analyse(modules, first_rows()[:1]))
    assert one["intro-mode"].discrimination is None
    same_rest = [("intro", json.dumps(FIRST["L1"])), ("intro", json.dumps(FIRST["L3"]))]
    # L1 and L3 differ on every item, but for intro-acteurs (right in both): no spread
    assert by_id(item_analysis.analyse(modules, same_rest))["intro-acteurs"].discrimination is None


def test_answers_to_removed_questions_or_other_modules_are_left_out(course) -> None:
    modules = item_analysis.select_modules(course, module_id="intro")
    rows = [*first_rows(), ("intro", json.dumps({"supprimee": ["a"], "intro-mode": ["a"]}))]
    rows += [("ailleurs", json.dumps({"intro-mode": ["b"]})), ("intro", "[]")]
    items = by_id(item_analysis.analyse(modules, rows))
    assert set(items) == {"intro-mode", "intro-acteurs", "intro-classement"}
    assert (items["intro-mode"].attempts, items["intro-mode"].right) == (6, 3)


def test_filters_select_modules_in_path_order(course) -> None:
    assert [m.id for m in item_analysis.select_modules(course)] == ["approfondir", "intro"]
    assert [m.id for m in item_analysis.select_modules(course, "4h")] == ["intro", "approfondir"]
    assert [m.id for m in item_analysis.select_modules(course, "1h")] == ["intro"]
    assert item_analysis.select_modules(course, "1h", "approfondir") == []
    for path_id, module_id in (("9h", ""), ("", "inconnu")):
        with pytest.raises(LookupError):
            item_analysis.select_modules(course, path_id, module_id)


def test_sort_keeps_undefined_figures_last(course) -> None:
    modules = item_analysis.select_modules(course, "4h")
    items = item_analysis.analyse(modules, first_rows())
    ids = [i.question.id for i in items]
    assert ids == ["intro-mode", "intro-acteurs", "intro-classement", "approfondir-q"]

    def order(sort: str, descending: bool) -> list[str]:
        return [i.question.id for i in item_analysis.sort_items(items, sort, descending)]

    assert order("facilite", False) == [
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
        "approfondir-q",
    ]
    assert order("discrimination", False)[:3] == ["intro-acteurs", "intro-classement", "intro-mode"]
    assert order("discrimination", True) == [
        "intro-mode",
        "intro-classement",
        "intro-acteurs",
        "approfondir-q",  # undefined: last either way
    ]
    most = order("tentatives", True)
    assert most == ["intro-mode", "intro-acteurs", "intro-classement", "approfondir-q"]
    assert order("ordre", True) == ids[::-1]


# -- the storage: first attempts only ---------------------------------------------


def test_storage_returns_each_learners_first_attempt_only(client: TestClient) -> None:
    seed(client)
    storage = app_state(client.app).storage
    found = client.portal.call(storage.first_attempts, ["intro", "approfondir"])
    rows = [tuple(r) for r in found]
    assert sorted(rows) == sorted(first_rows())
    assert len(rows) == 9 < len(ATTEMPTS)  # 5 learners × intro, 4 × approfondir; no retry


# -- the page and its CSV ---------------------------------------------------------


@pytest.fixture
def editor(client: TestClient, settings: Settings, make_user) -> TestClient:
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    seed(client)
    sign_in(client, "editeur@example.fr")
    return client


def rows_of(html: str) -> list[str]:
    """The question ids of the table, top to bottom."""
    return re.findall(r"<code>([\w-]+)</code></th>", html)


def test_page_shows_the_figures_and_flags(editor: TestClient) -> None:
    page = editor.get("/editor/questions")
    assert page.status_code == 200
    html = page.text
    assert rows_of(html) == ["approfondir-q", "intro-mode", "intro-acteurs", "intro-classement"]
    row = html[html.index("<code>intro-acteurs</code>") :].split("</tr>")[0]
    assert "<td>5</td><td>60\u00a0%</td><td>\u22120,46</td>" in row.replace("\n    ", "")
    assert "Personne" in row and "20\u00a0%" in row and "<li>ne discrimine pas</li>" in row
    easy = html[html.index("<code>approfondir-q</code>") :].split("</tr>")[0]
    assert "<li>trop facile</li>" in easy and "<li>distracteur jamais choisi</li>" in easy
    assert '<span class="tag">jamais choisi</span>' in easy and "<td>—</td>" in easy
    assert (
        '<caption id="questions-caption">' in html and 'aria-labelledby="questions-caption"' in html
    )
    assert 'aria-sort="ascending"' in html  # the course order


def test_page_counts_an_attempt_made_after_it_was_shown(
    editor: TestClient, settings: Settings
) -> None:
    def attempts(html: str) -> str:
        return html[html.index("<code>approfondir-q</code>") :].split("<td>")[1].split("<")[0]

    assert attempts(editor.get("/editor/questions").text) == "4"
    assert attempts(editor.get("/editor/questions?tri=facilite").text) == "4"  # from the cache
    sql.write(
        editor,
        "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
        " content_version, created_at) SELECT id, '4h', 'approfondir', 0, 0, ?, 'v', ?"
        " FROM users WHERE email = 'l5@example.fr'",
        (json.dumps({"approfondir-q": ["a"]}), STAMP),
    )
    html = editor.get("/editor/questions").text
    assert attempts(html) == "5"
    assert "<li>distracteur jamais choisi</li>" not in html


def test_quizzes_submitted_through_the_site_are_counted(client: TestClient, make_user) -> None:
    """The answers as the quiz page records them, first attempt only."""
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    for email, mode in (("a@example.fr", "b"), ("b@example.fr", "a")):
        make_user(email, email[0].upper())
        person = sign_in(client, email)
        wrong = {"intro-mode": mode, "intro-acteurs": ["b", "a"], "intro-classement": "vrai"}
        assert person.quiz("/paths/1h/intro", wrong).status_code == 200
        assert person.pass_intro().status_code == 200  # a second attempt: not counted
    sign_in(client, "editeur@example.fr")
    html = client.get("/editor/questions?module=intro").text
    for question, figures in (
        ("intro-mode", "<td>2</td><td>50\u00a0%</td>"),
        ("intro-acteurs", "<td>2</td><td>100\u00a0%</td>"),
        ("intro-classement", "<td>2</td><td>0\u00a0%</td>"),
    ):
        row = html[html.index(f"<code>{question}</code>") :].split("</tr>")[0]
        assert figures in re.sub(r"\s*\n\s*", "", row), question


def test_page_filters_by_path_and_module(editor: TestClient) -> None:
    assert rows_of(editor.get("/editor/questions?parcours=1h").text) == [
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
    ]
    assert rows_of(editor.get("/editor/questions?module=approfondir").text) == ["approfondir-q"]
    empty = editor.get("/editor/questions?parcours=1h&module=approfondir")
    assert empty.status_code == 200 and "Aucune question ne correspond" in empty.text
    for query in ("parcours=9h", "module=inconnu"):
        bad = editor.get(f"/editor/questions?{query}")
        assert bad.status_code == 400 and "n’existe pas" in bad.text


def test_page_sorts_with_links_and_aria_sort(editor: TestClient) -> None:
    html = editor.get("/editor/questions?tri=discrimination&sens=asc").text
    assert rows_of(html) == ["intro-acteurs", "intro-classement", "intro-mode", "approfondir-q"]
    header = re.search(
        r'<th scope="col" aria-sort="ascending"><a href="([^"]+)">Discrimination', html
    )
    assert header and header[1] == "?tri=discrimination&amp;sens=desc"
    assert html.count("aria-sort=") == 1
    assert 'href="?tri=facilite&amp;sens=desc"' in html
    descending = editor.get("/editor/questions?tri=facilite&sens=desc&parcours=4h").text
    assert rows_of(descending) == [
        "approfondir-q",
        "intro-classement",
        "intro-acteurs",
        "intro-mode",
    ]
    assert 'aria-sort="descending"' in descending
    fallback = editor.get("/editor/questions?tri=nimporte&sens=quoi")
    assert fallback.status_code == 200 and rows_of(fallback.text)[0] == "approfondir-q"


def test_csv_has_the_same_rows_with_the_same_filters(editor: TestClient) -> None:
    response = editor.get("/editor/questions.csv?parcours=4h&tri=facilite&sens=asc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "statistiques-questions-4h.csv" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:8] == [
        "Module",
        "Identifiant du module",
        "Question",
        "Identifiant de la question",
        "Tentatives",
        "Facilité (%)",
        "Discrimination",
        "Signalements",
    ]
    assert header[8:11] == ["Option 1", "Option 1 — bonne réponse", "Option 1 — choisie (%)"]
    assert [r[3] for r in body] == [
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
        "approfondir-q",
    ]
    acteurs = body[1]
    assert acteurs[4:8] == ["5", "60", "-0,46", "ne discrimine pas"]
    assert acteurs[8:17] == [
        "Les associations",
        "oui",
        "100",
        "Les entreprises",
        "oui",
        "60",
        "Personne",
        "non",
        "20",
    ]
    easy = body[3]
    assert easy[5:8] == ["100", "", "trop facile, distracteur jamais choisi"]
    assert easy[8:14] == ["Un", "non", "0", "Trois", "oui", "100"]
    assert editor.get("/editor/questions.csv?module=inconnu").status_code == 400


def test_csv_neutralises_text_that_a_spreadsheet_would_run(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, content)
    module = content / "modules" / "intro.md"
    module.write_text(
        module.read_text(encoding="utf-8").replace("Personne {#c}", "=HYPERLINK(1) {#c}"),
        encoding="utf-8",
    )
    modules = item_analysis.select_modules(load_course(content), module_id="intro")
    text = csv_text(item_analysis.analyse(modules, first_rows()))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[2][14] == "'=HYPERLINK(1)"
    assert rows[2][6] == "-0,46"  # a figure keeps its minus sign


def test_only_editors_and_admins_see_it(client: TestClient, make_user) -> None:
    for url in ("/editor/questions", "/editor/questions.csv"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("apprenante@example.fr", "Léa")
    make_user("admin@example.fr", "Ada Admin", "admin")
    for email, expected in (
        ("formatrice@example.fr", 403),
        ("apprenante@example.fr", 403),
        ("admin@example.fr", 200),
    ):
        sign_in(client, email)
        for url in ("/editor/questions", "/editor/questions.csv"):
            response = client.get(url)
            assert response.status_code == expected, (email, url)
            if expected == 403:  # and says who may, not « formateurs » (a trainer was refused)
                assert "réservée aux éditeurs et administrateurs" in response.text


def test_editors_find_the_page_from_their_pages(client: TestClient, make_user) -> None:
    make_user("editeur@example.fr", "Eddy Éditeur", "editor")
    make_user("apprenante@example.fr", "Léa")
    sign_in(client, "editeur@example.fr")
    content = client.get("/editor/content").text
    assert content.count('href="/editor/questions"') == 2  # the menu and the page
    sign_in(client, "apprenante@example.fr")
    assert 'href="/editor/questions"' not in client.get("/").text
