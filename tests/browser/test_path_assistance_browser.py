"""The path page's « Évaluations et accompagnement » section in Chromium: what Code du
travail art. D6313-3-1 asks a distance course to tell the learner (issue #18 §2) — the
activities and their average duration, the assessments, who assists them and how to
reach them — is visible, a named region, reachable with the keyboard, and passes
axe-core and the Nu Html Checker, with and without a cohort."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.pages import PASSWORD, Tour, tab_to, vnu_errors
from tests.browser.test_staff_pages import create_user

SECTION = "Évaluations et accompagnement"


def check_section(page, narrow: bool = False) -> str:
    """The section, as a sighted reader and a screen reader find it; its text."""
    region = page.get_by_role("region", name=SECTION)
    assert region.count() == 1
    region.scroll_into_view_if_needed()
    assert region.is_visible()
    assert page.get_by_role("heading", name=SECTION, level=2).is_visible()
    box = region.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["width"] > 0 and box["x"] >= 0
    assert box["x"] + box["width"] <= width + 1, "the section overflows the page"
    if narrow:  # no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    text = " ".join(region.inner_text().split())
    # The activities and their average duration, and the assessments.
    assert "la durée moyenne de chaque module est indiquée ci-dessus" in text
    assert re.search(r"par \d+ quiz", text) and "% de bonnes réponses" in text
    return text


def test_the_path_page_says_what_d6313_3_1_requires(
    browser, live_server: str, artifacts: Path
) -> None:
    create_user("paula@example.fr", "Paula Pédagogue", "trainer")
    tour = Tour(browser, live_server, artifacts, "assistance")
    context, page, pages, problems = tour.context, tour.page, tour.pages, tour.problems
    visit, login = tour.visit, tour.login

    # Signed out, and signed in without a cohort: no trainer named, no one invented.
    visit("path-anonymous", "/paths/1h")
    assert "accompagné·e par" not in check_section(page)
    login("paula@example.fr")
    page.goto("/trainer/cohorts")
    page.fill("#name", "Promo accompagnement")
    page.select_option("#path_id", "1h")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")
    code = re.search(r"/join/([\w-]+)", page.content())[1]  # type: ignore[index]
    context.clear_cookies()
    page.goto("/signup?next=/paths/1h")
    page.fill("#name", "Alix Apprenante")
    page.fill("#email", f"alix-{code[:6].lower()}@example.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    visit("path-alone", "/paths/1h")
    assert "accompagné·e par" not in check_section(page)

    # In a cohort: its trainers, and a link to write to them.
    page.goto(f"/join/{code}")
    page.click("form[action^='/join/'] button[type=submit]")
    visit("path-cohort", "/paths/1h")
    text = check_section(page)
    assert "Dans le groupe « Promo accompagnement », vous êtes accompagné·e par" in text
    assert "Paula Pédagogue" in text

    # The keyboard reaches the link from the top of the page, shows where the focus is,
    # and Enter opens the question form of the module to do next.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    link = "section[aria-labelledby=accompagnement] a[href$='/questions']"
    tab_to(page, link)
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    assert page.locator(link).is_visible()
    assert page.evaluate("document.activeElement.textContent").startswith(
        "Poser une question au formateur"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/paths/1h/intro/questions")
    visit("questions-form")
    assert page.locator("#message").count() == 1

    # On a phone the section reads without sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 740})
    visit("path-cohort-narrow", "/paths/1h")
    check_section(page, narrow=True)

    context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    errors = vnu_errors(pages, artifacts / "html", prefix="assistance-")
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
