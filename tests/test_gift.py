"""Moodle GIFT import and export: every case of Moodle's GIFT documentation we meet.

Imports run on a private copy of the fixture course (`content_dir`), never on content/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from course.gift import insert_questions, slugify, write_atomic
from course.gift_parse import GiftQuestion, Skipped, parse_gift
from course.gift_write import moodle_share
from course.loader import load_course
from course.models import Kind, Question
from course.typography import no_break
from server.cli import main
from tests.conftest import FIXTURE_COURSE

GIFT = Path(__file__).parent / "fixtures" / "gift"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return (exit code, stdout, stderr) with fixture paths shortened."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.replace(f"{GIFT}/", ""), err.replace(f"{GIFT}/", "")


def gift_import(
    capsys: pytest.CaptureFixture[str], content: Path, gift: str | Path, module: str = "lecture"
) -> tuple[int, str, str]:
    source = gift if isinstance(gift, Path) else GIFT / gift
    return run(capsys, "gift", "import", str(source), "--module", module, "--content", str(content))


def module_file(content: Path, name: str = "lecture") -> Path:
    return content / "modules" / f"{name}.md"


def question(content: Path, ident: str, module: str = "lecture") -> Question:
    found = load_course(content, require_hints=False).modules[module].question(ident)
    assert found is not None, ident
    return found


def feedback(q: Question) -> dict[str, str]:
    return {c.id: c.feedback_html for c in q.choices}


# -- import: escapes, titles, comments, categories, layout ---------------------


def test_every_escape(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    code, out, _ = gift_import(capsys, content_dir, "escapes.gift")
    assert code == 0
    assert "escapes.gift:2: importée « echappements »" in out  # line 1 is a comment
    text = module_file(content_dir).read_text(encoding="utf-8")
    assert "Dans {a} : b = c, faut-il ~ ou #\nune seconde ligne ?" in text  # \{ \} \: \= \~ \# \n
    assert "- [x] Le tilde ~ et l'égal = {#a}\n  > Bien : { et } sont gardés." in text
    assert "- [ ] Une barre \\ oblique {#b}\n  > Deux lignes\n  > de retour" in text  # \\
    assert "**Explication.** Les six caractères ~ = # { } : et \\n." in text  # \\n is not \n
    q = question(content_dir, "echappements")
    assert q.correct_ids == {"a"}
    assert "Bien : { et } sont gardés." in feedback(q)["a"]


def test_titles_comments_categories_and_blank_lines(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    code, out, _ = gift_import(capsys, content_dir, "structure.gift")
    assert code == 0
    assert "structure.gift:5: importée « plusieurs-lignes »" in out
    assert "structure.gift:14: importée « lecture-gift-1 »" in out  # no title
    assert "structure.gift:16: importée « plusieurs-lignes-2 »" in out  # same title again
    assert "structure.gift:20: importée « intro-mode-2 »" in out  # id taken in the course
    text = module_file(content_dir).read_text(encoding="utf-8")
    assert "commentaire" not in text and "CATEGORY" not in text
    q = question(content_dir, "plusieurs-lignes")
    # two lines, comment gone; Moodle's own format shows the line break (nl2br)
    assert q.prompt_html == "<p>Quel est<br />\nle bon choix ?</p>\n"
    assert [c.id for c in q.choices] == ["a", "b"] and q.correct_ids == {"a"}
    assert len(load_course(content_dir, require_hints=False).modules["lecture"].questions) == 4


def test_formats(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    code, out, _ = gift_import(capsys, content_dir, "formats.gift")
    assert code == 0
    html_note = "texte HTML converti en texte brut"
    assert f"formats.gift:7: avertissement : « html » : {html_note}" in out
    assert f"formats.gift:14: avertissement : « moodle » : {html_note}" in out
    assert f"« markdown » : {html_note}" not in out
    assert f"« plain » : {html_note}" not in out
    assert f"« sans-format » : {html_note}" not in out
    markdown = question(content_dir, "markdown")
    assert "<strong>gras</strong>" in markdown.prompt_html
    assert "<li>un</li>" in markdown.prompt_html
    assert markdown.choices[0].html == "<em>Oui</em>"
    assert "<em>italique</em>" in markdown.choices[0].feedback_html
    assert '<a href="https://example.org">le site</a>' in markdown.explanation_html
    html = question(content_dir, "html")
    assert "<b>" not in html.prompt_html and "Un texte &amp; une image schéma" in html.prompt_html
    assert "<li>premier</li>" in html.prompt_html
    assert html.choices[0].html == "Oui" and "Bien<br />\nvu" in html.choices[0].feedback_html
    plain = question(content_dir, "plain")  # shown as typed: no emphasis, no heading
    assert plain.prompt_html == (
        "<p>Un *astérisque*, un _tiret bas_ et # dièse<br />\n# en début de ligne.</p>\n"
    )
    assert "<b>" not in question(content_dir, "moodle").prompt_html
    assert "[crochets]" in question(content_dir, "sans-format").prompt_html


# -- import: the three supported types -----------------------------------------


def test_single_choice_with_feedback(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    assert gift_import(capsys, content_dir, "types.gift")[0] == 0
    q = question(content_dir, "choix-unique")
    assert q.kind is Kind.SINGLE
    assert [c.id for c in q.choices] == ["a", "b", "c"] and q.correct_ids == {"a"}
    assert "Oui, c'est un don." in feedback(q)["a"]
    assert "engage davantage" in feedback(q)["b"] and feedback(q)["c"] == ""
    assert "la forme la plus simple" in q.explanation_html


def test_multiple_answer_weights(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    assert gift_import(capsys, content_dir, "types.gift")[0] == 0
    q = question(content_dir, "choix-multiple")
    assert q.kind is Kind.MULTIPLE and q.correct_ids == {"a", "b"}  # positive weights
    assert "Oui aussi." in feedback(q)["b"] and "Non." in feedback(q)["c"]
    assert "Associations et entreprises." in q.explanation_html


@pytest.mark.parametrize(
    ("ident", "truth", "vrai", "faux", "explanation"),
    [
        ("vrai-t", "vrai", "Exact.", "Si, elle demande du temps.", "Le temps compte."),
        ("faux-f", "faux", "", "", "À compléter."),
        ("vrai-true", "vrai", "", "", "Oui, le plus simple."),
        ("faux-false", "faux", "Non, pas toujours.", "", "À compléter."),
    ],
)
def test_true_false(
    capsys: pytest.CaptureFixture[str],
    content_dir: Path,
    ident: str,
    truth: str,
    vrai: str,
    faux: str,
    explanation: str,
) -> None:
    """`{T#if wrong#if right}`: the first feedback goes to the wrong choice."""
    assert gift_import(capsys, content_dir, "types.gift")[0] == 0
    q = question(content_dir, ident)
    assert q.kind is Kind.TRUE_FALSE and [c.id for c in q.choices] == ["vrai", "faux"]
    assert q.correct_ids == {truth}
    assert [c.html for c in q.choices] == ["Vrai", "Faux"]
    assert feedback(q) == {
        "vrai": f"<p>{vrai}</p>\n" if vrai else "",
        "faux": f"<p>{faux}</p>\n" if faux else "",
    }
    assert explanation in q.explanation_html


def test_missing_explanation_and_partial_credit_warnings(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    _, out, _ = gift_import(capsys, content_dir, "types.gift")
    assert "types.gift:19: avertissement : « faux-f » : pas de retour général" in out
    assert "types.gift:25: avertissement : « credit-partiel » : crédit partiel ignoré" in out
    assert "« choix-unique » : pas de retour général" not in out
    assert "**Explication.** À compléter." in module_file(content_dir).read_text(encoding="utf-8")
    assert question(content_dir, "credit-partiel").correct_ids == {"a"}


# -- import: unsupported questions, all-or-nothing writes ----------------------


def test_unsupported_types_are_reported_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    before = module_file(content_dir).read_bytes()
    code, out, err = gift_import(capsys, content_dir, "unsupported.gift")
    assert code == 1
    for line, reason in [
        (2, "type non pris en charge (numérique)"),
        (4, "type non pris en charge (appariement)"),
        (9, "type non pris en charge (réponse courte)"),
        (11, "type non pris en charge (réponse courte)"),
        (13, "type non pris en charge (composition)"),
        (15, "type non pris en charge (réponse courte)"),
        (17, "type non pris en charge (description, sans réponse)"),
        (19, "accolade « { » ou « } » manquante"),
        (21, "aucune bonne réponse"),
        (23, "type non pris en charge (plusieurs réponses à 100 % dans un choix unique"),
        (25, "type non pris en charge (plusieurs réponses à 100 % dans un choix unique"),
        (27, "aucune bonne réponse : « = » ou un poids positif « ~%50% » attendu (« % 50 % »"),
    ]:
        assert f"unsupported.gift:{line}: ignorée : {reason}" in out
    assert "importée" not in out
    assert "le module n'a pas été modifié" in err
    assert module_file(content_dir).read_bytes() == before


def test_skipped_questions_do_not_stop_the_others(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "mixte.gift"
    source.write_text("Année ?{#1822}\n\n::Bonne::Oui ?{=Oui ~Non}\n", encoding="utf-8")
    code, out, _ = gift_import(capsys, content_dir, source)
    assert code == 0
    assert f"{source}:1: ignorée : type non pris en charge (numérique)" in out
    assert f"{source}:3: importée « bonne »" in out


def test_import_that_breaks_the_course_writes_nothing(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    before = module_file(content_dir).read_bytes()
    code, out, err = gift_import(capsys, content_dir, "invalid.gift")
    assert code == 1
    assert "invalid.gift:1: convertie « identifiant », non écrite" in out
    assert re.search(
        no_break(r"content/modules/lecture\.md:\d+: identifiant de choix invalide « a \{#a »"), err
    )
    assert "Import annulé : rien n'a été écrit." in err
    assert module_file(content_dir).read_bytes() == before
    assert sorted(p.name for p in module_file(content_dir).parent.iterdir()) == [
        "approfondir.md",
        "atelier.md",
        "intro.md",
        "lecture.md",
    ]


def test_unclosed_code_fence_is_reported_at_its_line(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    """An open fence would swallow the next headings: the question that opens it is skipped,
    named by the file line of the fence, and the questions after it are imported."""
    code, out, _ = gift_import(capsys, content_dir, "fence.gift")
    assert code == 0
    reason = "et jamais fermé : il avalerait la suite du module"
    assert f"fence.gift:1: ignorée : bloc de code « ``` » ouvert ligne 1 {reason}" in out
    assert f"fence.gift:5: ignorée : bloc de code « ~~~ » ouvert ligne 8 {reason}" in out
    assert f"fence.gift:11: ignorée : bloc de code « ``` » ouvert ligne 13 {reason}" in out
    assert "fence.gift:3: importée « suite »" in out
    assert "fence.gift:17: importée « ferme »" in out
    closed = question(content_dir, "ferme")
    assert "<code>print(4)\n</code>" in closed.prompt_html
    assert closed.explanation_html == "<pre><code>ok\n</code></pre>\n"
    assert [
        q.id for q in load_course(content_dir, require_hints=False).modules["lecture"].questions
    ] == [
        "suite",
        "ferme",
    ]


def test_unknown_module_broken_course_and_unreadable_file(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    code, _, err = gift_import(capsys, content_dir, "types.gift", module="absent")
    assert code == 1 and "module inconnu « absent »" in err
    bad = tmp_path / "latin1.gift"
    bad.write_bytes("Été ?{=Oui ~Non}".encode("latin-1"))
    code, _, err = gift_import(capsys, content_dir, bad)
    assert code == 1 and "UTF-8 attendu" in err
    (content_dir / "modules" / "atelier.md").write_text("pas d'en-tête\n", encoding="utf-8")
    code, _, err = gift_import(capsys, content_dir, "types.gift")
    assert code == 1 and "corrigez-le avant d'importer" in err
    assert "Quiz" not in module_file(content_dir).read_text(encoding="utf-8")


def test_bom_crlf_gift_and_crlf_module(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "windows.gift"
    source.write_bytes("\ufeff// note\r\n::Fenêtre::Oui ?{\r\n=Oui\r\n~Non\r\n}\r\n".encode())
    target = module_file(content_dir)
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = gift_import(capsys, content_dir, source)
    assert code == 0 and f"{source}:2: importée « fenetre »" in out
    data = target.read_bytes()
    assert b"### Choix unique {#fenetre}\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


# -- import: where the questions go ---------------------------------------------


def test_appended_at_the_end_of_the_quiz_section(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    assert gift_import(capsys, content_dir, "types.gift", module="intro")[0] == 0
    text = module_file(content_dir, "intro").read_text(encoding="utf-8")
    assert text.count("## Quiz") == 1
    order = ["{#intro-classement}", "{#choix-unique}", "{#credit-partiel}", "## Sources"]
    assert [text.index(mark) for mark in order] == sorted(text.index(mark) for mark in order)
    assert "**Explication.** À compléter.\n\n## Sources\n\n- Fiche faits du projet.\n" in text
    assert [q.id for q in load_course(content_dir, require_hints=False).modules["intro"].questions][
        :3
    ] == [
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
    ]


def test_quiz_section_opened_before_sources(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    atelier = module_file(content_dir, "atelier")
    before = atelier.read_text(encoding="utf-8")
    atelier.write_text(before + "\n## Sources\n\n- Une source.\n", encoding="utf-8")
    assert gift_import(capsys, content_dir, "escapes.gift", module="atelier")[0] == 0
    text = atelier.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n") + "\n\n## Quiz\n\n### Choix unique {#echappements}")
    assert text.endswith("et \\n.\n\n## Sources\n\n- Une source.\n")


def test_quiz_section_opened_at_the_end(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    before = module_file(content_dir).read_text(encoding="utf-8")
    assert "## Quiz" not in before
    assert gift_import(capsys, content_dir, "escapes.gift")[0] == 0
    text = module_file(content_dir).read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n") + "\n\n## Quiz\n\n### Choix unique {#echappements}")
    assert (
        load_course(content_dir, require_hints=False).modules["lecture"].reflections[0].id
        == "lecture-idee"
    )


def test_insert_ignores_headings_in_code_and_stops_at_the_next_section() -> None:
    text = "---\nid: m\n---\n\n# T\n\n## Quiz\n\n```\n## Sources\n```\n\n## Après\n\nFin.\n"
    assert insert_questions(text, ["### Q {#q}"]) == (
        "---\nid: m\n---\n\n# T\n\n## Quiz\n\n```\n## Sources\n```\n\n### Q {#q}\n\n"
        "## Après\n\nFin.\n"
    )


# -- export ----------------------------------------------------------------------


def test_export_path(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    code, out, _ = run(capsys, "gift", "export", "--path", "4h", "--content", str(content_dir))
    assert code == 0
    assert out == (
        "// Cours d'essai : questions exportées au format GIFT (Moodle)\n"
        "$CATEGORY: $course$/Cours d'essai/Introduction aux alliances\n"
        "\n"
        "::intro-mode::[markdown]Quel mode de relation est le plus simple ?{\n"
        "\t=Le mécénat#Oui, c'est le point de départ le plus fréquent.\n"
        "\t~L'innovation sociétale\n"
        "\t~La coopération économique\n"
        "\t####Le mécénat est le mode le plus simple.\n"
        "}\n"
        "\n"
        "::intro-acteurs::[markdown]Quels acteurs peuvent faire alliance ?{\n"
        "\t~%50%Les associations\n"
        "\t~%50%Les entreprises\n"
        "\t~%-100%Personne\n"
        "\t####Associations et entreprises peuvent faire alliance.\n"
        "}\n"
        "\n"
        "::intro-classement::[markdown]Les modes de relation forment un classement du "
        "meilleur au moins bon.{F####Ce n'est pas un classement.}\n"
        "\n"
        "$CATEGORY: $course$/Cours d'essai/Approfondir\n"
        "\n"
        "::approfondir-q::[markdown]Combien de préalables ?{\n"
        "\t~Un\n"
        "\t=Trois\n"
        "\t####Il y a trois préalables.\n"
        "}\n"
    )


def test_export_all_in_course_order_to_a_file(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    assert gift_import(capsys, content_dir, "types.gift")[0] == 0
    target = tmp_path / "quiz.gift"
    code, out, err = run(capsys, "gift", "export", "-o", str(target), "--content", str(content_dir))
    assert code == 0 and out == "" and str(target) in err
    text = target.read_text(encoding="utf-8")
    categories = re.findall(r"^\$CATEGORY: .*/(.*)$", text, re.MULTILINE)
    assert categories == ["Introduction aux alliances", "Une lecture sans quiz", "Approfondir"]
    assert (
        "::vrai-t::[markdown]Une alliance se construit dans la durée."
        "{T#Si, elle demande du temps.#Exact.####Le temps compte.}\n"
    ) in text
    assert "{F####À compléter.}" in text  # faux-f: no feedback
    assert "{F#Non, pas toujours.####À compléter.}" in text  # feedback for the wrong choice
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"


def test_export_escapes_special_characters(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    assert gift_import(capsys, content_dir, "escapes.gift")[0] == 0
    _, out, _ = run(capsys, "gift", "export", "--path", "1h", "--content", str(content_dir))
    assert (
        "::echappements::[markdown]Dans \\{a\\} \\: b \\= c, faut-il \\~ ou \\#\\n"
        "une seconde ligne ?{\n"
        "\t=Le tilde \\~ et l'égal \\=#Bien \\: \\{ et \\} sont gardés.\n"
        "\t~Une barre \\\\ oblique#Deux lignes\\nde retour\n"
        "\t~Rien\n"
        "\t####Les six caractères \\~ \\= \\# \\{ \\} \\: et \\\\n.\n"
        "}\n"
    ) in out


def test_export_unknown_path(capsys: pytest.CaptureFixture[str], content_dir: Path) -> None:
    code, _, err = run(capsys, "gift", "export", "--path", "2h", "--content", str(content_dir))
    assert code == 1 and "parcours inconnu « 2h » (parcours : 1h, 4h, 12h)" in err


@pytest.mark.parametrize(
    ("count", "share", "exact"),
    [
        (1, "100", True),
        (2, "50", True),
        (3, "33.33333", True),
        (4, "25", True),
        (5, "20", True),
        (6, "16.66667", True),
        (7, "14.28571", True),
        (8, "12.5", True),
        (9, "11.11111", True),
        (10, "10", True),
        (11, "5", False),
        (20, "5", True),
    ],
)
def test_moodle_share(count: int, share: str, exact: bool) -> None:
    assert moodle_share(count) == (share, exact)


def test_export_warns_when_weights_cannot_be_equal(
    capsys: pytest.CaptureFixture[str], content_dir: Path
) -> None:
    choices = "".join(f"~%100%C{i} " for i in range(11))
    source = content_dir.parent / "onze.gift"
    source.write_text(f"::Onze::Toutes ?{{{choices}~Aucune}}\n", encoding="utf-8")
    assert gift_import(capsys, content_dir, source)[0] == 0
    code, out, err = run(capsys, "gift", "export", "--content", str(content_dir))
    assert code == 0 and "~%5%C10" in out and "~%-100%Aucune" in out
    assert "« onze » : 11 bonnes réponses, poids arrondi à 5 %" in err


# -- import → export → import ------------------------------------------------------


def test_import_export_import_is_stable(
    capsys: pytest.CaptureFixture[str], content_dir: Path, tmp_path: Path
) -> None:
    for name in ("types.gift", "escapes.gift", "formats.gift"):
        assert gift_import(capsys, content_dir, name)[0] == 0
    first = tmp_path / "first.gift"
    assert run(capsys, "gift", "export", "-o", str(first), "--content", str(content_dir))[0] == 0
    fresh = tmp_path / "fresh" / "content"
    fresh.parent.mkdir()
    shutil.copytree(FIXTURE_COURSE, fresh)
    code, out, _ = gift_import(capsys, fresh, first)
    assert code == 0 and "ignorée" not in out
    before, after = (
        load_course(content_dir, require_hints=False),
        load_course(fresh, require_hints=False),
    )
    pairs = [(q, q.id) for q in before.modules["lecture"].questions]
    pairs += [
        (q, f"{q.id}-2") for m in ("intro", "approfondir") for q in before.modules[m].questions
    ]
    assert len(after.modules["lecture"].questions) == len(pairs)
    for old, new_id in pairs:
        new = after.modules["lecture"].question(new_id)
        assert new is not None, new_id
        assert (new.kind, new.prompt_html, new.choices, new.explanation_html) == (
            old.kind,
            old.prompt_html,
            old.choices,
            old.explanation_html,
        )
    second = tmp_path / "second.gift"
    assert run(capsys, "gift", "export", "-o", str(second), "--content", str(fresh))[0] == 0
    first_blocks, second_blocks = gift_blocks(first), gift_blocks(second)
    assert {q.id for q in before.modules["lecture"].questions} <= second_blocks.keys()
    for ident, block in second_blocks.items():
        if ident in first_blocks:
            assert block == first_blocks[ident]  # the same GIFT, byte for byte


def gift_blocks(file: Path) -> dict[str, str]:
    """Exported questions by id."""
    blocks = file.read_text(encoding="utf-8").split("\n\n")
    return {b.split("::")[1]: b for b in blocks if b.startswith("::")}


# -- units -------------------------------------------------------------------------


def test_parser_details() -> None:
    (a, b, c, d, e) = parse_gift(
        "::Sans fin de titre {=Oui ~Non}\n\n"
        "[inconnu]Texte ?{=A ~B}\n\n"
        "Double barre \\\\{=A ~B}\n\n"
        "Minuscules ?{true}\n\n"
        "$CATEGORY: tout seul\n// et un commentaire\n"
        "Texte après la catégorie ?{~%33.3%A ~%66.7%B ~%-50%C}\n"
    )
    assert isinstance(a, GiftQuestion) and a.title == "" and a.prompt == "Sans fin de titre"
    assert isinstance(b, GiftQuestion) and b.prompt == "\\[inconnu\\]Texte ?"  # not a format
    assert isinstance(c, GiftQuestion) and c.prompt == "Double barre \\\\"  # \\ then a real {
    assert isinstance(d, Skipped) and "réponse courte" in d.reason  # Moodle: T/F is uppercase
    assert isinstance(e, GiftQuestion) and e.line == 11 and e.kind is Kind.MULTIPLE
    assert [ch.correct for ch in e.choices] == [True, True, False]


def test_slugify() -> None:
    assert slugify("Cœur d'été : l'ÉQUIPE n°1 !") == "coeur-d-ete-l-equipe-n1"
    assert slugify("!!!") == ""
    assert len(slugify("mot " * 40)) <= 60 and not slugify("mot " * 40).endswith("-")


def test_write_atomic_keeps_mode_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "m.md"
    target.write_text("avant\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "après\n")
    assert target.read_text(encoding="utf-8") == "après\n"
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in tmp_path.iterdir()] == ["m.md"]
