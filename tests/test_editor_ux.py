"""Editors see what a reload changed and reach each module's preview from « Contenu » (#13 §5)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from starlette.testclient import TestClient

from course.reload_summary import summarize
from server.app import create_app
from server.settings import Settings
from server.state import app_state
from tests.test_reload import editor, retitle  # noqa: F401 (editor is a fixture)


def test_content_page_links_each_module_to_its_preview(
    client: TestClient,
    editor,  # noqa: F811
) -> None:
    page = client.get("/editor/content").text
    table = re.search(r"<caption>Modules et leur aperçu</caption>.*?</table>", page, re.S)
    assert table and '<a href="/paths/1h/intro">Introduction aux alliances</a>' in table[0]
    assert "Dernier rechargement" not in page  # nothing reloaded yet


def test_a_reload_says_what_changed_and_when(
    client: TestClient,
    editor,  # noqa: F811
    content_dir: Path,
) -> None:
    retitle(content_dir, "Titre revu")
    question = content_dir / "modules" / "intro.md"
    text = question.read_text(encoding="utf-8")
    question.write_text(text.replace("Quel mode de relation", "Quel type de relation"), "utf-8")
    editor.post("/editor/content/reload")
    page = client.get("/editor/content?rechargement=ok").text
    summary = re.search(r'<section aria-labelledby="dernier-rechargement".*?</section>', page, re.S)
    assert summary, page
    said = summary[0].replace("\u00a0", " ").replace("&nbsp;", " ")
    assert re.search(r"Le \d+ \w+ \d{4} à \d\d h \d\d \(UTC\) :", said)
    assert "Module modifié : Titre revu." in said
    assert "Questions : 1 modifiée." in said
    editor.post("/editor/content/reload")
    again = client.get("/editor/content").text
    assert "le contenu est identique à la version précédente" in again


def test_summary_counts_added_removed_and_moved_questions(client: TestClient) -> None:
    old = app_state(client.app).content.snapshot.course
    intro = old.modules["intro"]
    moved = replace(intro, questions=tuple(replace(q, line=q.line + 5) for q in intro.questions))
    assert summarize(old, replace(old, modules={**old.modules, "intro": moved})).sentences() == [
        "Module modifié\u00a0: Introduction aux alliances."
    ]  # the questions only moved in their file
    fewer = replace(intro, questions=intro.questions[1:])
    extra = replace(intro, id="bis", title="Bis")
    new = replace(old, modules={**old.modules, "intro": fewer, "bis": extra})
    new.modules.pop("lecture")
    said = summarize(old, new)
    assert said.modules_added == ("Bis",) and said.modules_removed == ("Une lecture sans quiz",)
    assert said.questions_added == len(intro.questions) and said.questions_removed == 1
    assert said.sentences()[-1] == (
        f"Questions\u00a0: {len(intro.questions)}\u00a0ajoutées, 1\u00a0retirée."
    )


def test_preview_shows_a_banner_and_the_answer_key(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, preview=True))) as client:
        page = client.get("/paths/1h/intro").text
        banner = re.search(r'<aside class="preview-banner" aria-label="Aperçu">.*?</aside>', page)
        assert banner and "<strong>Aperçu</strong>" in banner[0]
        key = client.get(re.search(r'href="(/preview/corrige)"', banner[0])[1])
        assert key.status_code == 200
        section = re.search(r'<section[^>]*id="corrige-intro".*?</section>', key.text, re.S)[0]
        right = re.findall(r"<li><strong>✓ Bonne réponse&nbsp;:</strong> (.*?)</li>", section, re.S)
        assert "Le mécénat" in right[0] and "point de départ le plus fréquent" in right[0]
        assert "✗ Mauvaise réponse&nbsp;: L’innovation sociétale" in section.replace("'", "’")
        assert "Le mécénat est le mode le plus simple." in section  # the explanation
        assert "lecture" not in re.findall(r'id="corrige-(\w+)"', key.text)  # no quiz there


def test_answer_key_and_banner_are_absent_outside_preview(client: TestClient) -> None:
    assert client.get("/preview/corrige").status_code == 404
    assert "preview-banner" not in client.get("/").text
