"""Satisfaction questionnaires (issue #18 §3): the learner's « à chaud » form, its thanks,
and the results pages of editors and trainers pass axe-core and the Nu Html Checker."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.pages import PASSWORD, Tour, vnu_errors
from tests.browser.test_staff_pages import create_user

QUIZ = {"intro-mode": ["a"], "intro-acteurs": ["a", "b"], "intro-classement": ["faux"]}


def test_satisfaction_pages_are_accessible_and_valid(
    browser, live_server: str, artifacts: Path
) -> None:
    create_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    create_user("editeur@example.fr", "Eddy Éditeur", "editor")
    tour = Tour(browser, live_server, artifacts, "satisfaction")
    context, page, pages, problems = tour.context, tour.page, tour.pages, tour.problems
    visit, login = tour.visit, tour.login

    login("formatrice@example.fr")
    page.goto("/trainer/cohorts")
    page.fill("#name", "Promo avis")
    page.select_option("#path_id", "1h")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")
    code = re.search(r"/join/([\w-]+)", page.content())[1]  # type: ignore[index]
    cohort = re.search(r"/trainer/cohorts/(\d+)", page.url)[1]  # type: ignore[index]
    context.clear_cookies()
    learner = f"sam-{code[:6].lower()}@example.fr"
    page.goto(f"/signup?next=/join/{code}")
    page.fill("#name", "Sam Satisfait")
    page.fill("#email", learner)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("form[action^='/join/'] button[type=submit]")
    page.goto("/paths/1h/intro")
    for name, values in QUIZ.items():
        for value in values:
            page.check(f"input[name='{name}'][value='{value}']")
    page.get_by_role("button", name="Valider mes réponses").click()
    page.goto("/paths/1h/lecture")
    page.get_by_role("button", name="Marquer comme terminé").click()
    page.wait_for_url("**/paths/1h?termine=1")
    page.get_by_role("link", name="Donner mon avis").click()
    visit("form")
    page.check("input[name='q-pertinence'][value='5']")
    page.fill("#q-commentaire", "Clair et concret.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/avis?merci=1")
    visit("thanks")

    login("editeur@example.fr")
    visit("editor-results", "/editor/satisfaction")
    assert "Clair et concret." in pages["editor-results"]
    login("formatrice@example.fr")
    visit("cohort-too-few", f"/trainer/cohorts/{cohort}/satisfaction")
    assert "Moins de 5" in pages["cohort-too-few"]
    context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    errors = vnu_errors(pages, artifacts / "html", prefix="satisfaction-")
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
