"""Course-wide quiz rules: the shape of the options must not give the answer away."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.loader import load_course
from course.quiz_audit import position_references
from course.typography import no_break

COURSE = """title: Essai
pass_threshold: 70
paths:
  - id: 1h
    title: Court
    target_minutes: {target}
    modules: [{modules}]
"""
MODULE = """---
id: {id}
title: Un module
duration: 1
objectives:
  - Apprendre.
---

# Un module

Du texte.

## Quiz
{questions}"""


def question(
    ident: str, choices: list[tuple[str, bool]], kind: str = "Choix unique", extra: str = ""
) -> str:
    """A question block; choices are (text, right), ids a, b, c… in order."""
    lines = [f"\n### {kind} {{#{ident}}}\n", "Une question\u00a0?\n"]
    for letter, (text, right) in zip("abcdefgh", choices, strict=False):
        lines.append(f"- [{'x' if right else ' '}] {text} {{#{letter}}}")
    lines += ["", f"**Indice.** Relisez la leçon.{extra}", "", "**Explication.** Parce que.", ""]
    return "\n".join(lines)


def true_false(ident: str, answer: bool) -> str:
    return question(ident, [("Vrai", answer), ("Faux", not answer)], "Vrai ou faux")


def make(tmp_path: Path, modules: dict[str, list[str]]) -> Path:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    for ident, questions in modules.items():
        text = MODULE.format(id=ident, questions="".join(questions))
        (root / "modules" / f"{ident}.md").write_text(text, encoding="utf-8")
    course = COURSE.format(target=len(modules), modules=", ".join(modules))
    (root / "course.yaml").write_text(course, encoding="utf-8")
    return root


def warnings(root: Path) -> list[str]:
    return list(load_course(root).warnings)


def matching(found: list[str], text: str) -> list[str]:
    return [w for w in found if no_break(text) in w]


BALANCED = [("Premier", False), ("Deuxième", True), ("Troisième", False)]
LONGEST = [("Une réponse bien plus longue", True), ("Courte", False), ("Brève", False)]


def test_right_option_strictly_longest_too_often(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": [question("q1", LONGEST), question("q2", BALANCED)]})
    found = matching(warnings(root), "strictement l’option la plus longue")
    assert len(found) == 1, found
    assert "m.md:15:" in found[0]  # the offending question's heading
    assert no_break("1 sur 2 questions à choix unique du cours, soit 50\u00a0%") in found[0]


def test_longest_within_the_ceiling_is_fine(tmp_path: Path) -> None:
    tied = [("Égale", True), ("Égale", False), ("Court", False)]
    balanced = [question(f"q{i}", BALANCED) for i in range(2)]
    root = make(tmp_path, {"m": [question("q", LONGEST), question("t", tied), *balanced]})
    # 1 of 4 strictly longest (25 %): a tie does not count as strictly longest.
    assert not matching(warnings(root), "strictement l’option la plus longue")


def test_right_option_strictly_shortest_too_often(tmp_path: Path) -> None:
    shortest = [("Oui", True), ("Une réponse nettement plus longue", False), ("Brève", False)]
    root = make(tmp_path, {"m": [question("q1", shortest), question("q2", BALANCED)]})
    found = matching(warnings(root), "strictement l’option la plus courte")
    assert len(found) == 1 and "m.md:15:" in found[0], found
    assert not matching(warnings(root), "strictement l’option la plus longue")


def test_true_false_always_false(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": [true_false("t1", False), true_false("t2", False)]})
    found = matching(warnings(root), "« Vrai » est la bonne réponse de 0 sur 2")
    assert found and found[0].startswith("content/course.yaml:1:"), warnings(root)


def test_true_false_balanced(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": [true_false("t1", False), true_false("t2", True)]})
    assert not matching(warnings(root), "« Vrai » est la bonne réponse")


def test_all_but_one_too_often(tmp_path: Path) -> None:
    three = [("Un", True), ("Deux", True), ("Trois", True), ("Quatre", False)]
    two = [("Un", True), ("Deux", True), ("Trois", False), ("Quatre", False)]
    many = make(tmp_path / "a", {"m": [question(f"q{i}", three, "Choix multiple") for i in "12"]})
    assert matching(
        warnings(many), "« toutes les options sauf une » est la bonne réponse de 2 sur 2"
    )
    half = make(
        tmp_path / "b",
        {"m": [question("q1", three, "Choix multiple"), question("q2", two, "Choix multiple")]},
    )
    assert not matching(warnings(half), "toutes les options sauf une")  # 50 % is the ceiling


def test_option_repeated_in_a_module(tmp_path: Path) -> None:
    first = [("Le mécénat", True), ("La subvention", False)]
    again = [("La commande publique", True), ("La  *subvention*", False)]
    other = [("Le mécénat", True), ("Le don", False)]
    root = make(
        tmp_path,
        {"m": [question("q1", first), question("q2", again)], "n": [question("q3", other)]},
    )
    found = matching(warnings(root), "déjà proposée")
    assert len(found) == 1, found  # « Le mécénat » in another module is not a repeat
    assert "m.md:26:" in found[0] and no_break("option « La subvention »") in found[0]
    assert no_break("question « q1 » (ligne 15)") in found[0]


@pytest.mark.parametrize(
    ("line", "cited"),
    [
        ("Il ne s’agit pas de mécénat (a), car chacun y gagne.", "(a)"),
        ("Elles transforment une opinion en pratique (a, c) ou en preuve (d).", "(a, c)"),
        ("Les deux bonnes réponses (b et d) décrivent une offre.", "(b et d)"),
        ("**Explication.** Les réponses a et c sont justes.", "réponses a"),
        ("La réponse a transforme une pratique en règle.", "réponse a"),
        ("La réponse b est fausse.", "réponse b"),
        ("C’est pourquoi la proposition c convient.", "proposition c"),
        ("Le choix d oublie le financeur.", "choix d"),
        ("L’option a suppose un contrat.", "option a"),
        (
            "Comme le dit la première proposition, tout commence par le mécénat.",
            "première proposition",
        ),
        ("La dernière réponse oublie les bénévoles.", "dernière réponse"),
        ("- [ ] Toutes les réponses ci-dessus {#d}", "réponses ci-dessus"),
        ("  > Non : contrairement à la formulation b, celle-ci est datée.", "formulation b"),
        ("En revanche, (c) est faux.", "(c)"),
    ],
)
def test_option_cited_by_letter_or_position(line: str, cited: str | None) -> None:
    found = position_references(line)
    assert found, line
    if cited:
        assert found[0] == cited


@pytest.mark.parametrize(
    "line",
    [
        "La subvention va à l’association, non à la mairie.",
        "On peut, a priori, commencer par un mécénat (a priori le plus simple).",
        "Les salarié(e)s engagé(e)s en mécénat de compétences.",
        "Trois étapes : (a) le diagnostic, (b) la convention, (c) l’évaluation.",
        "(a) Le diagnostic vient d’abord.",
        "La réponse a été donnée par la mairie.",
        "Le choix a un coût pour l’association.",
        "Le choix d’un partenaire dépend des objectifs.",
        "Le choix dépend des objectifs.",
        "La première réponse d’une collectivité est souvent la subvention.",
        "La dernière proposition de la mairie a été retenue.",
        "Parmi les propositions suivantes, laquelle est juste\u00a0?",
        "C’est la réponse à la question posée, c’est-à-dire le mécénat.",
        "- [x] Le mécénat de compétences {#a}",
        "Voir [l’autre module](autre.md#choix-b) et `choix b` dans le code.",
    ],
)
def test_ordinary_french_is_not_a_citation(line: str) -> None:
    assert position_references(line) == []


def test_citations_are_reported_at_their_line(tmp_path: Path) -> None:
    cited = question("q1", BALANCED, extra=" Comparez avec la réponse b.")
    root = make(tmp_path, {"m": [cited, question("q2", [("Un", True), ("Deux", False)])]})
    found = matching(warnings(root), "désigne une option par sa lettre ou sa place")
    assert [w.split(" ")[0] for w in found] == ["content/modules/m.md:23:"], found
    assert no_break("« réponse b »") in found[0]


def test_lesson_text_is_not_checked_for_citations(tmp_path: Path) -> None:
    root = make(tmp_path, {"m": [question("q1", BALANCED)]})
    text = (root / "modules" / "m.md").read_text(encoding="utf-8")
    text = text.replace("Du texte.", "Trois cas : le mécénat (a) et le don (b).")
    (root / "modules" / "m.md").write_text(text, encoding="utf-8")
    assert not matching(warnings(root), "désigne une option")
