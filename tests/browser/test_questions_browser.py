"""Questions to the trainer (issue #18 §2): the learner's form, its refusal, the thread
and the trainer's answer pass axe-core and the Nu Html Checker."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.pages import PASSWORD, Tour, vnu_errors
from tests.browser.test_staff_pages import create_user


def test_question_pages_are_accessible_and_valid(
    browser, live_server: str, artifacts: Path
) -> None:
    create_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    tour = Tour(browser, live_server, artifacts, "questions")
    context, page, pages, problems = tour.context, tour.page, tour.pages, tour.problems
    visit, login = tour.visit, tour.login

    login("formatrice@example.fr")
    page.goto("/trainer/cohorts")
    page.fill("#name", "Promo questions")
    page.select_option("#path_id", "1h")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")
    code = re.search(r"/join/([\w-]+)", page.content())[1]  # type: ignore[index]
    context.clear_cookies()
    learner = f"quentin-{code[:6].lower()}@example.fr"
    page.goto(f"/signup?next=/join/{code}")
    page.fill("#name", "Quentin Questionneur")
    page.fill("#email", learner)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("form[action^='/join/'] button[type=submit]")
    page.goto("/paths/1h/intro")
    page.click("text=Poser une question au formateur")
    visit("form")
    page.click("form[action$='/questions'] button[type=submit]")  # empty: refused
    page.wait_for_load_state()
    visit("form-error")
    assert page.evaluate("document.activeElement.id") == "erreurs"
    page.fill("#message", "Que veut dire « co-construction »\u00a0?")
    page.click("form[action$='/questions'] button[type=submit]")
    visit("sent")
    assert "Question envoyée" in pages["sent"]
    thread = re.search(r'href="(/questions/\d+)"', pages["sent"])[1]  # type: ignore[index]

    login("formatrice@example.fr")
    page.goto("/trainer/cohorts")
    page.click("text=Promo questions")
    page.click("text=Quentin Questionneur")
    assert "Non lue" in page.content()
    visit("thread-trainer", thread)
    page.fill("#message", "C’est construire ensemble, dès le départ.")
    page.click(f"form[action='{thread}'] button[type=submit]")
    visit("thread-answered")

    login(learner)
    visit("thread-learner", thread)
    assert "dès le départ" in pages["thread-learner"]
    context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    errors = vnu_errors(pages, artifacts / "html", prefix="questions-")
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
