"""SVG figures: the checker refuses unsafe or broken ones, at the line that shows them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.errors import ContentError
from course.loader import load_course
from tests.conftest import FIXTURE_COURSE

GOOD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10">\n<defs><circle id="c" r="2"/></defs>\n'
    '<use href="#c"/><use xlink:href="#c"/>\n<text font-family="sans-serif">Oui</text>\n</svg>\n'
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n{}\n</svg>'
REFERENCE = "\n\n![Une figure d’essai](../images/figure.svg)\n"


def course_with_figure(tmp_path: Path, svg: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "images" / "figure.svg").write_text(svg, encoding="utf-8")
    add_after_title(root / "modules" / "lecture.md", REFERENCE)
    return root


def add_after_title(module: Path, text: str) -> None:
    """Into the lesson itself: the module may end with a reflection block."""
    lines = module.read_text(encoding="utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines.insert(title + 1, text)
    module.write_text("\n".join(lines), encoding="utf-8")


def reference_line(root: Path) -> int:
    lines = (root / "modules" / "lecture.md").read_text(encoding="utf-8").splitlines()
    return lines.index(REFERENCE.strip()) + 1


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(root)
    return [str(p) for p in caught.value.problems if not p.warning]


def test_a_clean_figure_is_served_from_media(tmp_path: Path) -> None:
    course = load_course(course_with_figure(tmp_path, GOOD))
    html = "".join(s.html for s in course.modules["lecture"].segments)
    assert '<img src="/media/images/figure.svg" alt="Une figure d’essai" />' in html


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("<script>alert(1)</script>", "ligne 2\u00a0: élément <script> interdit"),
        (
            '<rect onclick="alert(1)"/>',
            "ligne 2\u00a0: attribut d’événement «\u00a0onclick\u00a0» interdit",
        ),
        (
            '<image href="https://example.org/x.png"/>',
            "ligne 2\u00a0: référence externe «\u00a0https://example.org/x.png\u00a0» interdite",
        ),
        (
            '<use xlink:href="autre.svg#a"/>',
            "ligne 2\u00a0: référence externe «\u00a0autre.svg#a\u00a0» interdite",
        ),
        ("<foreignObject><p>x</p></foreignObject>", "élément <foreignObject> interdit"),
        ('<rect style="fill: url(https://x.org/a)"/>', "style avec une ressource externe"),
        ("<style>@import 'https://x.org/a.css';</style>", "style avec une ressource externe"),
        ("<rect>", "XML mal formé"),
    ],
)
def test_unsafe_or_broken_figure_is_an_error_at_its_reference(
    tmp_path: Path, inner: str, expected: str
) -> None:
    root = course_with_figure(tmp_path, SVG.format(inner))
    found = errors(root)
    assert len(found) == 1, found
    line = reference_line(root)
    prefix = f"content/modules/lecture.md:{line}: figure «\u00a0../images/figure.svg\u00a0», "
    assert found[0].startswith(prefix), found[0]
    assert expected in found[0]


def test_a_doctype_is_refused(tmp_path: Path) -> None:
    svg = '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "b">]>\n<svg>&a;</svg>'
    found = errors(course_with_figure(tmp_path, svg))
    assert any("déclaration DOCTYPE interdite" in p for p in found), found


def test_root_must_be_svg(tmp_path: Path) -> None:
    found = errors(course_with_figure(tmp_path, "<html><body/></html>"))
    assert any("l’élément racine doit être <svg>, pas <html>" in p for p in found), found


def test_figure_description_folds_away(tmp_path: Path) -> None:
    root = course_with_figure(tmp_path, GOOD)
    text = "\n> **Description de la figure**\n>\n> Deux cercles se recoupent.\n"
    add_after_title(root / "modules" / "lecture.md", text)
    html = "".join(s.html for s in load_course(root).modules["lecture"].segments)
    assert (
        '<details class="figure-description">\n<summary><strong>Description de la figure</strong>'
        "</summary>\n<p>Deux cercles se recoupent.</p>\n</details>"
    ) in html


def test_every_figure_of_the_course_is_clean() -> None:
    """The bundled figures pass the same checks; each is shown somewhere, with a description."""
    from course import svg

    root = Path(__file__).resolve().parents[1] / "content"
    figures = sorted((root / "images").glob("*.svg"))
    assert len(figures) >= 6
    modules = "".join(f.read_text(encoding="utf-8") for f in (root / "modules").glob("*.md"))
    for figure in figures:
        assert svg.problems(figure) == [], figure.name
        text = figure.read_text(encoding="utf-8")
        assert "<text" in text and "sans-serif" in text and "<title" in text, figure.name
        assert f"../images/{figure.name})\n\n> **Description de la figure**" in modules, figure.name
