"""The content loader: the fixture course compiles; every editor mistake is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.errors import ContentError, Problem
from course.loader import load_course
from course.models import Kind
from course.typography import no_break
from tests.conftest import FIXTURE_COURSE

MODULE = """---
id: {id}
title: Un module
duration: 1
objectives:
  - Apprendre.
---

# Un module

Du texte.
{body}
"""
COURSE = """title: Essai
pass_threshold: 70
paths:
  - id: 1h
    title: Court
    target_minutes: {target}
    modules: [{modules}]
"""


def make(
    tmp_path: Path, modules: dict[str, str], course: str | None = None, target: int = 0
) -> Path:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    for name, text in modules.items():
        (root / "modules" / f"{name}.md").write_text(text, encoding="utf-8")
    if course is None:
        ids = ", ".join(modules)
        course = COURSE.format(target=target or len(modules), modules=ids)
    (root / "course.yaml").write_text(course, encoding="utf-8")
    return root


def module(ident: str = "m", body: str = "") -> str:
    return MODULE.format(id=ident, body=body)


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(root)
    return [str(p) for p in caught.value.problems]


def test_fixture_course_compiles() -> None:
    course = load_course(FIXTURE_COURSE)
    assert [p.id for p in course.paths] == ["1h", "4h", "12h"]
    intro = course.modules["intro"]
    assert [q.kind for q in intro.questions] == [Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE]
    assert intro.questions[0].correct_ids == {"a"}
    assert "point de départ" in intro.questions[0].choices[0].feedback_html
    assert course.modules["lecture"].reflections[0].minutes == 2
    assert course.path("12h").total_minutes == 21
    assert len(course.version) == 12


def test_lesson_html_is_compiled_once_with_callouts_and_rewritten_links() -> None:
    html = "".join(s.html for s in load_course(FIXTURE_COURSE).modules["intro"].segments)
    assert '<div class="callout callout-retenir" role="note">' in html
    assert 'href="/modules/lecture"' in html
    assert 'src="/media/images/schema.png"' in html
    assert "<h1" not in html  # the page prints the title as its only h1
    assert "Choix unique" not in html and "Le mécénat" not in html  # the quiz is apart
    assert "<table>" in html


def test_valid_minimal_course(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": module()})
    assert load_course(root).modules["m"].title == "Un module"


def test_raw_html_is_not_rendered(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": module(body="<script>alert(1)</script>\n\n<b>gras</b>")})
    html = load_course(root).modules["m"].segments[0].html
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[x](javascript:alert(1))", "m.md:12: lien interdit « javascript:alert(1) »"),
        ("[x](data:text/html,hi)", "m.md:12: lien interdit"),
        ("![](../images/a.png)", "m.md:12: image sans texte alternatif"),
        (
            "![Un schéma](../images/absent.png)",
            "m.md:12: fichier introuvable « ../images/absent.png »",
        ),
        ("[autre](autre.md)", "m.md:12: lien interne cassé « autre.md »"),
        ("[ancre](#nulle-part)", "m.md:12: ancre introuvable « #nulle-part »"),
    ],
)
def test_link_and_image_errors(tmp_path: Path, body: str, expected: str) -> None:
    root = make(tmp_path, {"m": module(body=body)})
    assert any(no_break(expected) in p for p in problems(root)), problems(root)


QUESTION = """
## Quiz

### {kind} {{#q1}}

Une question ?

{choices}

**Explication.** Parce que.
"""


@pytest.mark.parametrize(
    ("kind", "choices", "expected"),
    [
        ("Choix unique", "- [ ] A {#a}\n- [ ] B {#b}", "m.md:15: aucune bonne réponse"),
        (
            "Choix unique",
            "- [x] A {#a}\n- [x] B {#b}",
            "m.md:15: Choix unique : une seule bonne réponse",
        ),
        ("Choix unique", "- [x] A {#a}\n- [ ]  {#b}", "m.md:20: choix vide"),
        ("Choix unique", "- [x] A {#a}\n- [ ] B", "m.md:20: choix sans identifiant"),
        ("Choix unique", "- [x] A {#a}\n- [ ] B {#a}", "m.md:20: identifiant de choix en double"),
        ("Choix multiple", "", "m.md:15: question sans choix"),
        ("Vrai ou faux", "- [x] Vrai {#vrai}", "m.md:15: Vrai ou faux : exactement 2 choix"),
        ("Choix uniques", "- [x] A {#a}", "m.md:15: type de bloc inconnu"),
    ],
)
def test_question_errors(tmp_path: Path, kind: str, choices: str, expected: str) -> None:
    body = QUESTION.format(kind=kind, choices=choices)
    root = make(tmp_path, {"m": module(body=body)})
    assert any(no_break(expected) in p for p in problems(root)), problems(root)


def test_question_without_explanation_or_id(tmp_path: Path) -> None:
    body = "\n### Choix unique\n\nQ ?\n\n- [x] A {#a}\n- [ ] B {#b}\n"
    found = problems(make(tmp_path, {"m": module(body=body)}))
    assert any("m.md:13: Choix unique sans identifiant" in p for p in found), found
    body = "\n### Choix unique {#q}\n\nQ ?\n\n- [x] A {#a}\n- [ ] B {#b}\n"
    found = problems(make(tmp_path / "b", {"m": module(body=body)}))
    assert any("m.md:13: explication manquante" in p for p in found), found


def test_duplicate_ids_across_modules(tmp_path: Path) -> None:
    body = "\n### Réflexion (2 min) {#r}\n\nPensez-y.\n"
    root = make(tmp_path, {"a": module("m", body), "b": module("m", body)})
    found = problems(root)
    assert any(no_break("b.md:2: identifiant « m » déjà utilisé") in p for p in found), found
    assert any(no_break("b.md:13: identifiant « r » déjà utilisé") in p for p in found), found


def test_reflection_needs_minutes(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": module(body="\n### Réflexion {#r}\n\nPensez-y.\n")})
    assert any("m.md:13: réflexion sans durée" in p for p in problems(root))


def test_front_matter_errors(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "a": "pas d'en-tête\n",
            "b": "---\nid: [oops\n---\n",
            "c": "---\ntitle: Sans id\nduration: 1\nobjectives: [x]\n---\n",
            "d": "---\nid: d\ntitle: D\nduration: -3\n---\n",
        },
        course=COURSE.format(target=1, modules="d"),
    )
    found = problems(root)
    assert any("a.md:1: en-tête YAML manquant" in p for p in found), found
    assert any(p.startswith("content/modules/b.md:2: en-tête YAML invalide") for p in found), found
    assert any("c.md:2: identifiant manquant" in p for p in found), found
    assert any("d.md:2: durée manquante ou invalide" in p for p in found), found
    assert any("d.md:2: objectifs manquants" in p for p in found), found


def test_course_file_errors(tmp_path: Path) -> None:
    course = COURSE.format(target=1, modules="m, inconnu, m")
    found = problems(make(tmp_path, {"m": module(), "seul": module("seul")}, course=course))
    assert any(
        no_break("course.yaml:7: parcours « 1h » : module inconnu « inconnu »") in p for p in found
    )
    assert any(no_break("module « m » listé deux fois") in p for p in found), found
    assert any(
        no_break("seul.md:2: le module « seul » n'appartient à aucun parcours") in p for p in found
    )


def test_malformed_course_yaml(tmp_path: Path) -> None:
    found = problems(make(tmp_path, {"m": module()}, course="title: [\n"))
    assert any("course.yaml:2: YAML invalide" in p for p in found), found


def test_path_duration_must_be_near_target(tmp_path: Path) -> None:
    found = problems(make(tmp_path, {"m": module()}, target=60))
    assert any("1 min au total pour une cible de 60 min" in p for p in found), found


def test_module_duration_far_from_estimate_is_a_warning(tmp_path: Path) -> None:
    long = module(body=" ".join(["mot"] * 900))  # five minutes of reading, one declared
    course = load_course(make(tmp_path, {"m": long}))
    assert any("durée déclarée 1 min, estimée 5 min" in w for w in course.warnings)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    body = "[x](javascript:void(0))\n\n![](nope.png)\n" + QUESTION.format(
        kind="Choix unique", choices="- [ ] A {#a}\n- [ ] B {#b}"
    )
    assert len(problems(make(tmp_path, {"m": module(body=body)}))) >= 4


def test_pages_are_compiled(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(FIXTURE_COURSE, root)
    assert "Une coopération" in load_course(root).pages["glossaire"].html


def test_problems_are_spaced_as_french_typography_wants() -> None:
    problem = Problem("m.md", 3, "titre manquant : ajoutez « title: » !", warning=True)
    assert str(problem) == (
        "m.md:3: avertissement\u00a0: titre manquant\u00a0: ajoutez «\u00a0title:\u00a0»\u00a0!"
    )


def test_a_question_needs_a_hint_except_in_a_gift_draft(tmp_path: Path) -> None:
    body = QUESTION.format(kind="Choix unique", choices="- [x] A {#a}\n- [ ] B {#b}")
    root = make(tmp_path, {"m": module(body=body)})
    assert any(no_break("m.md:15: indice manquant") in p for p in problems(root))
    draft = load_course(root, require_hints=False)  # what `gift import` checks
    assert any(no_break("m.md:15: avertissement : indice manquant") in w for w in draft.warnings)


def test_hint_draw_and_reflection_parts_are_read(tmp_path: Path) -> None:
    questions = "".join(
        QUESTION.format(kind="Choix unique", choices=f"- [x] A{n} {{#a}}\n- [ ] B{n} {{#b}}")
        .replace("{#q1}", f"{{#q{n}}}")
        .replace("**Explication.**", f"**Indice.** Idée {n}.\n\n**Explication.**")
        for n in range(5)
    )
    reflection = (
        "\n### Réflexion\u00a0: Mon titre (5 min) {#r1}\n\nConsigne.\n\n1. Première ?\n"
        "\n**Grille d’autoévaluation.**\n\n- [ ] Un critère.\n\n"
        "**Exemple de réponse.** Un exemple.\n"
    )
    text = module(body=reflection + questions).replace("duration: 1", "duration: 1\ndraw: 3")
    course = load_course(make(tmp_path, {"m": text}), require_hints=True)
    m = course.modules["m"]
    assert m.draw == 3 and m.questions_per_attempt == 3 and len(m.questions) == 5
    assert "Idée 2." in m.questions[2].hint_html
    r = m.reflections[0]
    assert r.title == "Mon titre" and "Consigne." in r.prompt_html
    assert "Un critère." in r.self_check_html and "[ ]" not in r.self_check_html
    assert "Un exemple." in r.example_html and "Un exemple." not in r.prompt_html


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        ("draw: 4", "la réserve ne compte que 5 questions"),
        ("draw: 0", "« draw: » doit être un nombre entier"),
        ("draw: trois", "« draw: » doit être un nombre entier"),
    ],
)
def test_a_draw_needs_a_pool_two_larger(tmp_path: Path, draw: str, expected: str) -> None:
    questions = "".join(
        QUESTION.format(kind="Choix unique", choices="- [x] A {#a}\n- [ ] B {#b}")
        .replace("{#q1}", f"{{#q{n}}}")
        .replace("**Explication.**", "**Indice.** Idée.\n\n**Explication.**")
        for n in range(5)
    )
    text = module(body=questions).replace("duration: 1", f"duration: 1\n{draw}")
    found = problems(make(tmp_path, {"m": text}))
    assert any(no_break(expected) in p for p in found), found


def test_a_reflection_needs_a_title_and_something_to_compare_with(tmp_path: Path) -> None:
    body = "\n### Réflexion (5 min) {#r1}\n\nConsigne.\n"
    found = problems(make(tmp_path, {"m": module(body=body)}))
    assert any(no_break("m.md:13: réflexion sans titre") in p for p in found), found
    assert any("Grille d’autoévaluation" in p for p in found), found


def test_a_table_without_its_caption_is_a_warning_with_its_line(tmp_path: Path) -> None:
    table = "| A | B |\n| --- | --- |\n| 1 | 2 |\n"
    captioned = "Tableau\u00a0: Deux colonnes\n\n" + table
    body = "\n" + captioned + "\nTexte.\n\n" + table
    course = load_course(make(tmp_path, {"m": module(body=body)}))
    found = [w for w in course.warnings if "tableau sans titre" in w]
    assert len(found) == 1, course.warnings
    assert found[0].startswith("content/modules/m.md:21: ") and "(RGAA 5.4)" in found[0]


def test_path_objectives_say_what_the_learner_can_do(tmp_path: Path) -> None:
    """The attestation prints them after « est capable de »: each opens on an infinitive."""
    outcomes = (
        "    outcomes:\n      - Expliquer le mécénat.\n      - S’appuyer sur les preuves.\n"
        "      - Tout le parcours, approfondi.\n"
    )
    course = COURSE.format(target=1, modules="m").replace("    modules:", outcomes + "    modules:")
    found = problems(make(tmp_path, {"m": module()}, course=course))
    wrong = [p for p in found if "l’objectif" in p]
    assert len(wrong) == 1, found
    assert no_break("course.yaml:10: parcours « 1h » : l’objectif « Tout le parcours") in wrong[0]
    listed = COURSE.format(target=1, modules="m") + "    outcomes: Expliquer.\n"
    found = problems(make(tmp_path / "b", {"m": module()}, course=listed))
    assert any(no_break("« outcomes » doit être une liste de phrases") in p for p in found), found
    fine = course.replace("      - Tout le parcours, approfondi.\n", "")
    loaded = load_course(make(tmp_path / "c", {"m": module()}, course=fine)).path("1h")
    assert loaded is not None
    assert loaded.outcomes == ("Expliquer le mécénat.", "S’appuyer sur les preuves.")
