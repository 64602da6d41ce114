"""GIFT import and export against what Moodle itself does with its own example files.

Each test pins one difference a test with Moodle's files found (issue #11 §5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.gift_parse import GiftQuestion, parse_gift
from course.gift_write import export_gift
from course.loader import load_course
from tests.test_gift import gift_import, module_file, question, run


def imported(capsys: pytest.CaptureFixture[str], content_dir: Path) -> str:
    code, out, _ = gift_import(capsys, content_dir, "moodle.gift")
    assert code == 0, out
    return out


def test_no_break_spaces_in_choices_are_kept(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    imported(capsys, content_dir)
    text = module_file(content_dir).read_text(encoding="utf-8")
    assert "- [x] Le point d'exclamation\u00a0! {#a}" in text
    assert "- [ ] Le point\u202f. {#b}" in text
    q = question(content_dir, "insecables")
    assert [c.html for c in q.choices][:2] == ["Le point d'exclamation\u00a0!", "Le point\u202f."]


def test_text_after_the_answers_is_a_missing_word(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    """Moodle's « Grant is {…} in Grant's tomb. »: a single choice with a blank in its text."""
    out = imported(capsys, content_dir)
    assert "moodle.gift:8: importée « grant »" in out
    grant = question(content_dir, "grant")
    assert grant.prompt_html == "<p>Grant is _____ in Grant's tomb.</p>\n"
    assert [c.html for c in grant.choices] == ["buried", "entombed", "living"]
    assert grant.correct_ids == {"b"}
    true_false = question(content_dir, "grant-vrai")
    assert true_false.prompt_html == "<p>Grant is _____ buried in Grant's tomb.</p>\n"
    assert true_false.correct_ids == {"vrai"}


def test_weights_moodle_refuses_are_text_and_reported(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    out = imported(capsys, content_dir)
    assert (
        "moodle.gift:12: avertissement : « poids-mal-ecrits » : « % 50 % » n'est pas un poids "
        "pour Moodle"
    ) in out
    q = question(content_dir, "poids-mal-ecrits")
    assert q.choices[0].html == "% 50 %Les associations" and q.correct_ids == {"b", "c"}
    (skipped,) = [i for i in parse_gift("Lesquels ?{~%33,3%A ~%33,3%B ~C}")]
    assert not isinstance(skipped, GiftQuestion)
    assert "aucune bonne réponse" in skipped.reason and "« %33,3% »" in skipped.reason


def test_uneven_multiple_answer_weights_are_warned(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    out = imported(capsys, content_dir)
    assert (
        "moodle.gift:14: avertissement : « poids-inegaux » : poids des bonnes réponses "
        "(70 %, 30 %) : pas un partage égal de 100 %"
    ) in out
    assert question(content_dir, "poids-inegaux").correct_ids == {"a", "b"}
    assert "poids des bonnes réponses" not in out.split("moodle.gift:14")[0]
    (even,) = parse_gift("Lesquels ?{~%33.3%A ~%33.3%B ~%33.3%C ~%-100%D}")
    assert isinstance(even, GiftQuestion) and even.warnings == []


def test_html_links_are_kept_as_markdown_links(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    out = imported(capsys, content_dir)
    assert "« lien » : lien « javascript:alert(1) » non repris : http(s) ou mailto seulement" in out
    q = question(content_dir, "lien")
    assert q.prompt_html == (
        '<p>Lire <a href="https://example.org/guide%20%282%29.html">le guide</a>, '
        '<a href="mailto:contact@example.org">contact@example.org</a> et ceci.</p>\n'
    )


def test_plain_and_moodle_text_keep_line_breaks_and_entities(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    """As Moodle shows them: `[plain]` decodes numeric references only; its own format all."""
    imported(capsys, content_dir)
    assert question(content_dir, "brut").prompt_html == (
        "<p>Ligne un<br />\nLigne deux été &amp;amp; *fin*</p>\n"
    )
    assert question(content_dir, "auto").prompt_html == (
        "<p>Café &amp; thé<br />\npuis une autre ligne</p>\n"
    )


def test_second_full_credit_answer_is_reported_not_marked_wrong() -> None:
    """Moodle accepts each 100 % answer of a single choice; ours holds one: never import it
    with one of them silently wrong."""
    for text in ("Laquelle ?{=A ~%100%B ~C}", "Laquelle ?{=A =B ~C}"):
        (item,) = parse_gift(text)
        assert not isinstance(item, GiftQuestion)
        assert "plusieurs réponses à 100 % dans un choix unique" in item.reason
    (partial,) = parse_gift("Laquelle ?{=A ~%50%B ~C}")
    assert isinstance(partial, GiftQuestion) and [c.correct for c in partial.choices] == [
        True,
        False,
        False,
    ]


def test_format_markers_at_the_start_of_a_text_are_guarded_on_export(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "marqueurs.gift"
    source.write_text(
        "::Marqueurs::[markdown]Quel texte ?{\n=[markdown][html] un marqueur"
        "#[markdown][plain] un retour\n~Rien\n####[markdown][moodle] une explication\n}\n",
        encoding="utf-8",
    )
    assert gift_import(capsys, content_dir, source)[0] == 0
    assert question(content_dir, "marqueurs").choices[0].html == "[html] un marqueur"
    code, out, _ = run(capsys, "gift", "export", "--content", str(content_dir))
    assert code == 0
    assert "\t=[markdown][html] un marqueur#[markdown][plain] un retour\n" in out
    assert "\t####[markdown][moodle] une explication\n" in out
    block = out[out.index("::marqueurs::") :].split("\n\n")[0]
    (again,) = parse_gift(block)
    assert isinstance(again, GiftQuestion)
    assert again.choices[0].text == "[html] un marqueur"
    assert again.choices[0].feedback == "[plain] un retour"
    assert again.explanation == "[moodle] une explication"


@pytest.mark.parametrize("where", ["absent/quiz.gift", "dossier", "fichier/quiz.gift"])
def test_export_to_a_missing_folder_or_a_directory_is_one_line(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path, where: str
) -> None:
    (tmp_path / "dossier").mkdir()
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    target = tmp_path / where
    code, out, err = run(capsys, "gift", "export", "-o", str(target), "--content", str(content_dir))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"alliances: {target}")
    assert "Traceback" not in err
    expected = "est un dossier" if where == "dossier" else "n'existe pas, créez-le d'abord"
    assert expected in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "content") == [
        "dossier",
        "fichier",
    ]


def test_the_moodle_file_survives_an_export_and_a_new_import(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    imported(capsys, content_dir)
    target = tmp_path / "retour.gift"
    assert run(capsys, "gift", "export", "-o", str(target), "--content", str(content_dir))[0] == 0
    items = parse_gift(target.read_text(encoding="utf-8"))
    assert all(isinstance(i, GiftQuestion) for i in items)
    again = {i.title: i for i in items if isinstance(i, GiftQuestion)}
    before = load_course(content_dir, require_hints=False).modules["lecture"]
    for ident in ("insecables", "grant", "lien", "brut", "auto"):
        old = before.question(ident)
        assert old is not None
        assert [c.correct for c in again[ident].choices] == [c.correct for c in old.choices]
    assert again["insecables"].choices[0].text == "Le point d'exclamation\u00a0!"
    assert again["grant"].prompt == "Grant is \\_\\_\\_\\_\\_ in Grant's tomb."


def test_the_bundled_course_exports_to_gift_that_reads_back_whole() -> None:
    """Every question of content/ comes back from its own export, with the same right answers."""
    content = Path(__file__).parent.parent / "content"
    course = load_course(content, require_hints=False)
    text, _ = export_gift(course, content)
    items = parse_gift(text)
    assert [i for i in items if not isinstance(i, GiftQuestion)] == []
    read = {i.title: i for i in items if isinstance(i, GiftQuestion)}
    questions = [q for m in course.modules.values() for q in m.questions]
    assert len(read) == len(questions)
    for q in questions:
        assert (read[q.id].kind, [c.correct for c in read[q.id].choices]) == (
            q.kind,
            [c.correct for c in q.choices],
        ), q.id


def test_an_imported_text_never_reads_as_a_hint(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    """A line « **Indice.** » in an explanation would start the question's hint."""
    source = tmp_path / "indice.gift"
    source.write_text(
        "::Indice::[markdown]Une question ?{=Oui ~Non####Parce que.\\n**Indice.** Ceci aussi.}\n",
        encoding="utf-8",
    )
    assert gift_import(capsys, content_dir, source)[0] == 0
    q = question(content_dir, "indice")
    assert q.hint_html == ""
    assert "<strong>Indice.</strong> Ceci aussi." in q.explanation_html
