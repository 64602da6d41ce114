"""Templates learners fill in: checked like content, served as a page, a PDF and a DOCX."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pypdf
import pytest
from starlette.testclient import TestClient

from course.errors import ContentError
from course.loader import load_course
from server.state import app_state
from tests.conftest import FIXTURE_COURSE

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATE = """---
id: {id}
{title}description: Une fiche.
---

# Fiche

{body}
"""


def course_with(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "templates" / name).write_text(text, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(root)
    return [str(p) for p in caught.value.problems if not p.warning]


def test_fixture_template_is_compiled_with_boxes_and_rewritten_links() -> None:
    course = load_course(FIXTURE_COURSE)
    template = course.templates["fiche-partenaire"]
    assert template.title == "Fiche partenaire"
    assert '<li class="task">☐\u00a0Ses enjeux sont notés.</li>' in template.html
    assert 'href="/modules/lecture"' in template.html
    assert "<h1" not in template.html  # the page prints the title once
    # Tables scroll in a region the keyboard reaches, named by their headers.
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Tableau' in (
        template.html
    )
    intro = "".join(s.html for s in course.modules["intro"].segments)
    assert 'aria-label="Tableau\u00a0: Ce qu’on attend de chaque partenaire"' in intro
    assert "<caption>Ce qu’on attend de chaque partenaire</caption>" in intro
    assert 'href="/modeles/fiche-partenaire"' in intro


def test_template_with_bad_link_is_reported_at_its_line(tmp_path: Path) -> None:
    text = TEMPLATE.format(id="f", title="title: Fiche\n", body="Voir [ailleurs](nulle-part.md).")
    root = course_with(tmp_path, "f.md", text)
    assert problems(root) == [
        "content/templates/f.md:9: lien interne cassé «\u00a0nulle-part.md\u00a0»\u00a0: "
        "aucun module, page ni modèle"
    ]


def test_template_with_forbidden_link_is_reported(tmp_path: Path) -> None:
    text = TEMPLATE.format(id="f", title="title: Fiche\n", body="\n[clic](javascript:alert(1))")
    found = problems(course_with(tmp_path, "f.md", text))
    assert len(found) == 1 and found[0].startswith("content/templates/f.md:10: lien interdit")


def test_template_without_title_or_description_is_reported(tmp_path: Path) -> None:
    text = "---\nid: f\n---\n\n# Fiche\n"
    found = problems(course_with(tmp_path, "f.md", text))
    assert sorted(found, reverse=True) == [
        "content/templates/f.md:2: titre manquant\u00a0: "
        "ajoutez «\u00a0title:\u00a0» dans l'en-tête",
        "content/templates/f.md:2: description manquante\u00a0: ajoutez «\u00a0description:\u00a0» "
        "(une phrase) dans l’en-tête",
    ]


def test_template_may_not_hold_a_quiz(tmp_path: Path) -> None:
    body = "### Réflexion (5 min) {#r}\n\nÉcrivez."
    text = TEMPLATE.format(id="f", title="title: Fiche\n", body=body)
    found = problems(course_with(tmp_path, "f.md", text))
    assert found == ["content/templates/f.md:9: pages et modèles\u00a0: ni quiz ni réflexion"]


def test_template_typography_is_a_warning(tmp_path: Path) -> None:
    text = TEMPLATE.format(id="f", title="title: Fiche\n", body="Prêt ?")
    course = load_course(course_with(tmp_path, "f.md", text))
    assert any(w.startswith("content/templates/f.md:9: avertissement") for w in course.warnings)


def test_pages_list_and_show_templates(client: TestClient) -> None:
    index = client.get("/modeles")
    assert index.status_code == 200
    assert 'href="/modeles/fiche-partenaire"' in index.text
    page = client.get("/modeles/fiche-partenaire")
    assert page.status_code == 200
    assert "<h1>Fiche partenaire</h1>" in page.text
    assert 'href="/modeles/fiche-partenaire.pdf"' in page.text
    assert 'href="/modeles/fiche-partenaire.docx"' in page.text


def test_pdf_opens_and_holds_the_template(client: TestClient) -> None:
    response = client.get("/modeles/fiche-partenaire.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="fiche-partenaire.pdf"' in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "Fiche partenaire"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Fiche partenaire" in text and "Avant le rendez-vous" in text
    links = [
        a["/A"]["/URI"]
        for page in reader.pages
        for a in (x.get_object() for x in page.get("/Annots", []))
        if "/A" in a
    ]
    assert "https://formation.example.org/modules/lecture" in links  # absolute in a file


def test_docx_opens_and_holds_the_headings_and_tables(client: TestClient) -> None:
    response = client.get("/modeles/fiche-partenaire.docx")
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX_TYPE
    document = docx.Document(io.BytesIO(response.content))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings == ["Fiche partenaire", "Le partenaire", "Avant le rendez-vous"]
    assert document.core_properties.title == "Fiche partenaire"
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["Nom", ""]
    assert any(p.text.startswith("☐") for p in document.paragraphs)


@pytest.mark.parametrize(
    "url", ["/modeles/inconnu", "/modeles/inconnu.pdf", "/modeles/fiche-partenaire.exe"]
)
def test_unknown_template_is_a_french_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Ce modèle n’existe pas." in response.text


def test_files_are_built_once_per_content_version(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import template_files

    calls: list[str] = []
    real = template_files.build

    def counting(*args: object) -> bytes:
        calls.append("built")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("server.views.course_templates.build", counting)
    first = client.get("/modeles/fiche-partenaire.pdf").content
    assert client.get("/modeles/fiche-partenaire.pdf").content == first
    assert calls == ["built"]


def test_new_content_version_rebuilds_the_files(client: TestClient, content_dir: Path) -> None:
    before = client.get("/modeles/fiche-partenaire.docx").content
    source = content_dir / "templates" / "fiche-partenaire.md"
    source.write_text(source.read_text("utf-8").replace("## Le partenaire", "## Qui"), "utf-8")
    assert client.portal.call(app_state(client.app).content.reload)
    after = client.get("/modeles/fiche-partenaire.docx").content
    assert after != before
    assert "Qui" in [p.text for p in docx.Document(io.BytesIO(after)).paragraphs]
