"""One link policy for every fragment the site renders (course.links).

Each kind of fragment gets the same forbidden links, reported at the fragment's own
file line, and the same relative links, rewritten to the same addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from course.errors import ContentError
from course.loader import load_course
from course.models import Course
from course.typography import no_break

MODULE = """---
id: m
title: Un module
duration: 4
objectives:
  - Apprendre.
---

# Un module

Du texte.
Encore @body@

## Une section

Suite.

## Quiz

### Choix unique {#q1}

Une question ?
Encore @prompt@

- [x] Oui @choice@ {#a}
  > Bien.
  > Encore @feedback@
- [ ] Non {#b}

**Indice.** Relisez la leçon.
Encore @hint@

**Explication.** Parce que.
Encore @explanation@

### Réflexion : Mon idée (2 min) {#r1}

Quelle idée ?
Encore @reflection@

**Grille d’autoévaluation.**

- [ ] Un critère @self_check@

**Exemple de réponse.** Un exemple.
Encore @example@
"""
OTHER = """---
id: autre
title: Un autre module
duration: 1
objectives:
  - Apprendre.
---

# Un autre module

## Sa section

Du texte.
"""
PAGE = """---
id: glossaire
title: Glossaire
---

# Glossaire

Un terme.
Encore @page@
"""
TEMPLATE = """---
id: fiche
title: Une fiche
description: Une fiche à remplir.
---

# Une fiche

Une rubrique.
Encore @template@
"""
COURSE_FILE = """title: Essai
pass_threshold: 70
paths:
  - id: 1h
    title: Court
    target_minutes: 5
    modules: [m, autre]
"""
KINDS = [
    "body",
    "prompt",
    "choice",
    "feedback",
    "hint",
    "explanation",
    "reflection",
    "self_check",
    "example",
    "page",
    "template",
]
# Where each kind's HTML ends up in the compiled course.
HTML: dict[str, Callable[[Course], str]] = {
    "body": lambda c: "".join(s.html for s in c.modules["m"].segments if not s.reflection),
    "prompt": lambda c: c.modules["m"].questions[0].prompt_html,
    "choice": lambda c: c.modules["m"].questions[0].choices[0].html,
    "feedback": lambda c: c.modules["m"].questions[0].choices[0].feedback_html,
    "hint": lambda c: c.modules["m"].questions[0].hint_html,
    "explanation": lambda c: c.modules["m"].questions[0].explanation_html,
    "reflection": lambda c: c.modules["m"].reflections[0].prompt_html,
    "self_check": lambda c: c.modules["m"].reflections[0].self_check_html,
    "example": lambda c: c.modules["m"].reflections[0].example_html,
    "page": lambda c: c.pages["glossaire"].html,
    "template": lambda c: c.templates["fiche"].html,
}
FILES = {"page": "pages/glossaire.md", "template": "templates/fiche.md"}


def make(tmp_path: Path, kind: str, markdown: str) -> tuple[Path, int]:
    """A course with `markdown` in one fragment of the given kind; (root, its file line)."""
    root = tmp_path / "content"
    for folder in ("modules", "pages", "templates", "images"):
        (root / folder).mkdir(parents=True)
    (root / "images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "course.yaml").write_text(COURSE_FILE, encoding="utf-8")
    (root / "modules" / "autre.md").write_text(OTHER, encoding="utf-8")
    texts = {"modules/m.md": MODULE, "pages/glossaire.md": PAGE, "templates/fiche.md": TEMPLATE}
    line = 0
    for name, text in texts.items():
        if name == FILES.get(kind, "modules/m.md"):
            line = text[: text.index(f"@{kind}@")].count("\n") + 1
            text = text.replace(f"@{kind}@", markdown)
        (root / name).write_text(re.sub(r"@\w+@", "", text), encoding="utf-8")
    return root, line


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(root)
    return [str(p) for p in caught.value.problems if not p.warning]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,salut",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//ailleurs.example/page",
        "/admin",
    ],
)
def test_forbidden_links_are_errors_at_their_line_in_every_fragment(
    tmp_path: Path, kind: str, url: str
) -> None:
    root, line = make(tmp_path, kind, f"[un lien]({url})")
    name = FILES.get(kind, "modules/m.md")
    assert problems(root) == [
        no_break(f"content/{name}:{line}: lien interdit « {url} » : ")
        + no_break("http(s), mailto ou lien relatif vers le cours seulement")
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_autolinks_and_images_follow_the_same_policy(tmp_path: Path, kind: str) -> None:
    root, line = make(
        tmp_path,
        kind,
        "<javascript:alert(1)> ![](../images/a.png) ![Un schéma](https://ailleurs.example/a.png)",
    )
    name = FILES.get(kind, "modules/m.md")
    assert sorted(problems(root)) == [
        no_break(f"content/{name}:{line}: {message}")
        for message in (
            "image externe « https://ailleurs.example/a.png » : placez-la sous content/",
            "image sans texte alternatif : ../images/a.png",
            "lien interdit « javascript:alert(1) » : "
            "http(s), mailto ou lien relatif vers le cours seulement",
        )
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_relative_links_are_rewritten_the_same_way_everywhere(tmp_path: Path, kind: str) -> None:
    root, _ = make(
        tmp_path,
        kind,
        "[autre](../modules/autre.md#sa-section) [terme](../pages/glossaire.md) "
        "[fiche](../templates/fiche.md) ![Un schéma](../images/a.png) "
        "[site](https://example.org) [écrire](mailto:contact@example.org)",
    )
    html = HTML[kind](load_course(root))
    for expected in (
        'href="/modules/autre#sa-section"',
        'href="/pages/glossaire"',
        'href="/modeles/fiche"',
        'src="/media/images/a.png" alt="Un schéma"',
        'href="https://example.org"',
        'href="mailto:contact@example.org"',
    ):
        assert expected in html, (kind, html)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in FILES])
def test_in_page_anchors_resolve_against_the_lesson(tmp_path: Path, kind: str) -> None:
    """A quiz or reflection fragment is also shown on the result page and in the plan:
    its `#anchor` leads to the module's lesson; in the lesson itself it stays on the page."""
    root, _ = make(tmp_path, kind, "[relire](#une-section)")
    html = HTML[kind](load_course(root))
    expected = "#une-section" if kind == "body" else "/modules/m#une-section"
    assert f'href="{expected}"' in html
    root, line = make(tmp_path / "absente", kind, "[relire](#nulle-part)")
    assert problems(root) == [
        no_break(f"content/modules/m.md:{line}: ancre introuvable « #nulle-part »")
    ]


def test_accented_anchors_and_file_names_are_found(tmp_path: Path) -> None:
    """markdown-it percent-encodes addresses; the headings' ids are not encoded."""
    root, _ = make(tmp_path, "hint", "[relire](#une-section) [autre](../modules/autre.md)")
    (root / "modules" / "m.md").write_text(
        (root / "modules" / "m.md")
        .read_text(encoding="utf-8")
        .replace("## Une section", "## Une section étoffée")
        .replace("(#une-section)", "(#une-section-étoffée)"),
        encoding="utf-8",
    )
    html = HTML["hint"](load_course(root))
    assert 'href="/modules/m#une-section-%C3%A9toff%C3%A9e"' in html


def test_nothing_but_the_link_policy_renders_markdown() -> None:
    """Every fragment goes through course.links: no other module may render Markdown.

    Save the mail composer: it renders the site's own message templates, never
    course content, with every value escaped (tests/test_outbox.py).
    """
    code = Path(__file__).parent.parent
    renders = re.compile(
        r"markdown\.render\(|MD\.render|renderInline|render_inline"
        r"|from course\.markdown import[^\n]*\brender\b"
    )
    offenders = [
        str(file.relative_to(code))
        for folder in ("course", "server")
        for file in sorted((code / folder).rglob("*.py"))
        if file.name not in ("markdown.py", "links.py", "compose.py")
        and renders.search(file.read_text("utf-8"))
    ]
    assert offenders == []


def test_a_tableau_paragraph_becomes_the_caption_of_the_table_below() -> None:
    from course.markdown import MD, uncaptioned_tables

    text = "Tableau\u00a0: Les *quatre* formes\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    html = MD.render(text)
    assert "<table>\n<caption>Les <em>quatre</em> formes</caption>" in html
    assert 'aria-label="Tableau\u00a0: Les quatre formes"' in html
    assert "<p>" not in html
    assert uncaptioned_tables(text) == []
    bare = "Texte.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    assert uncaptioned_tables(bare) == [3]
    assert "<caption>" not in MD.render(bare)
