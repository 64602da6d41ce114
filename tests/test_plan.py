"""« Mon plan d'alliance »: assembled in course order, private, downloadable."""

from __future__ import annotations

from starlette.testclient import TestClient

from course import plan
from course.loader import load_course
from tests.conftest import FIXTURE_COURSE, Learner

COURSE = load_course(FIXTURE_COURSE)


def test_sections_follow_the_longest_path() -> None:
    sections = plan.sections(COURSE)
    assert [s.module.id for s in sections] == ["lecture", "atelier"]
    assert [r.id for r in sections[1].reflections] == ["atelier-diagnostic", "atelier-objectifs"]


def test_markdown_assembles_answers_under_workshop_headings() -> None:
    text = plan.markdown(
        COURSE, plan.sections(COURSE), {"atelier-objectifs": "Nos objectifs."}, "Léa", "1er mai"
    )
    assert text.startswith("# Mon plan d'alliance\n\n**Léa** — 1er mai")
    # The prompt's short title heads its answer, with its numbered sub-questions.
    assert (
        "## Atelier\n\n### Notre organisation\n\n1. Quelle est sa mission ?\n"
        "2. Qui la fait vivre ?\n\n*(pas encore de réponse)*"
    ) in text
    assert "### Nos objectifs\n\nNos objectifs." in text


def test_first_line_is_a_short_heading() -> None:
    assert plan.first_line("Rédigez la fiche. Puis le reste.") == "Rédigez la fiche."
    assert len(plan.first_line("mot " * 100)) <= 160


def test_plan_page_and_downloads(client: TestClient, learner: Learner) -> None:
    learner.post(
        "/paths/12h/atelier/reflections/atelier-diagnostic",
        {"answer": "Une <b>petite</b> association\nà Lille."},
    )
    page = client.get("/plan")
    assert page.status_code == 200 and "1\u00a0réponse sur 3" in page.text
    assert "Une &lt;b&gt;petite&lt;/b&gt; association" in page.text
    markdown = client.get("/plan.md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "attachment" in markdown.headers["content-disposition"]
    assert "Léa Martin" in markdown.text and "à Lille." in markdown.text
    pdf = client.get("/plan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_revised_answer_is_downloaded_again(client: TestClient, learner: Learner) -> None:
    url = "/paths/12h/atelier/reflections/atelier-objectifs"
    learner.post(url, {"answer": "Première version."})
    learner.post(url, {"answer": "Version revue."})
    text = client.get("/plan.md").text
    assert "Version revue." in text and "Première version." not in text


def test_plan_is_private(client: TestClient, learner: Learner) -> None:
    learner.post("/paths/12h/atelier/reflections/atelier-objectifs", {"answer": "Secret."})
    learner.post("/logout")
    assert client.get("/plan", follow_redirects=False).status_code == 303
    assert client.get("/plan.md", follow_redirects=False).status_code == 303
    Learner(client).signup(email="autre@example.fr")
    assert "Secret." not in client.get("/plan.md").text
