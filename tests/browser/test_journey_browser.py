"""A learner's journey in Chromium at phone and desktop widths, checked by axe-core.

Sign up, start the 1 h path, answer the quiz with the keyboard only, mark the
second module done, reach the certificate. Every page type gets a screenshot in
test-artifacts/ and an axe-core run (WCAG 2.1 A and AA) in the light and dark themes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.credentials.baking import unbake_svg
from tests.browser.pages import (
    PASSWORD,
    check_accessibility,
    focus_problems,
    focused,
    tab_to,
)

QUIZ_ANSWERS = {"intro-mode": {"a"}, "intro-acteurs": {"a", "b"}, "intro-classement": {"faux"}}
CHOICES = ".quiz-form input[type=radio], .quiz-form input[type=checkbox]"


def answer_quiz_with_keyboard(page, answers: dict[str, set[str]]) -> None:
    """Tab through the quiz; Space ticks, arrow keys move within a radio group, Enter sends."""
    tab_to(page, CHOICES, limit=120)
    for _ in range(60):
        field = focused(page)
        if field["tag"] == "button":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        wanted = answers[field["name"]]
        if field["type"] == "checkbox":
            if (field["value"] in wanted) != field["checked"]:
                page.keyboard.press("Space")
        elif field["type"] == "radio":
            for _ in range(10):
                if field["value"] in wanted:
                    break
                page.keyboard.press("ArrowDown")  # moves to, and checks, the next radio
                field = focused(page)
            if not field["checked"]:
                page.keyboard.press("Space")
            assert focused(page)["checked"]
        page.keyboard.press("Tab")
    raise AssertionError("never reached the submit button")


def check_badge_offer(page, browser, base: str, certificate_url: str, problems: list[str]) -> None:
    """The holder downloads the badge image, which carries the signed credential, and gets
    LinkedIn's form in the same tab; anyone else reads one line, checked by axe-core too."""
    heading = page.get_by_role("heading", name="Votre badge numérique (Open Badges 3.0)")
    assert heading.count() == 1
    link = page.get_by_role("link", name=re.compile(r"^Télécharger le badge \(Open Badges 3\.0\)"))
    with page.expect_download() as download:
        link.click()
    baked = unbake_svg(Path(download.value.path()).read_text(encoding="utf-8"))
    assert baked is not None
    assert baked["credentialSubject"]["identifier"][0]["identityHash"] == "Léa Martin"
    linkedin = page.get_by_role("link", name="Ajouter à mon profil LinkedIn")
    assert (linkedin.get_attribute("href") or "").startswith(
        "https://www.linkedin.com/profile/add?"
    )
    assert linkedin.get_attribute("target") is None
    visitor = browser.new_context(base_url=base, viewport=page.viewport_size, locale="fr-FR")
    public = visitor.new_page()
    public.goto(certificate_url)
    assert public.get_by_text("existe aussi sous forme de badge vérifiable").count() == 1
    assert public.get_by_role("link", name="Ajouter à mon profil LinkedIn").count() == 0
    problems.extend(check_accessibility(public, "certificate-public"))
    visitor.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_journey_keyboard_quiz_and_accessibility(
    browser, live_server: str, artifacts: Path, width: int
) -> None:
    context = browser.new_context(
        base_url=live_server, viewport={"width": width, "height": 900}, locale="fr-FR"
    )
    page = context.new_page()
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")  # the 400 and 404 pages
            and console_errors.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    problems: list[str] = []
    titles: dict[str, str] = {}

    def visit(name: str) -> None:
        """Check the page on screen now, and keep its screenshot."""
        page.screenshot(path=artifacts / f"{width}-{name}.png", full_page=True)
        assert page.locator("h1").count() == 1, f"{name}: one h1"
        titles.setdefault(page.title(), name)
        assert titles[page.title()] == name, f"{name}: same title as {titles[page.title()]}"
        problems.extend(check_accessibility(page, name))
        problems.extend(focus_problems(page, name))

    page.goto("/")
    visit("home")
    page.goto("/login")
    visit("login")
    page.goto("/accessibilite")
    visit("accessibilite")
    page.goto("/mentions-legales")
    visit("mentions-legales")
    page.goto("/donnees-personnelles")
    visit("donnees-personnelles")
    page.goto("/plan-du-site")
    visit("plan-du-site")
    page.goto("/pages/glossaire")
    visit("glossaire")
    # « Mot de passe oublié »: the form, its error, the neutral answer, a dead link.
    page.goto("/mot-de-passe-oublie")
    visit("mot-de-passe-oublie")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    visit("mot-de-passe-oublie-erreur")
    page.get_by_label("Adresse électronique").fill("personne@example.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url("**/mot-de-passe-oublie/envoye")
    visit("mot-de-passe-oublie-envoye")
    page.goto("/mot-de-passe/nouveau/inconnu")
    visit("lien-expire")
    page.goto("/signup")
    visit("signup")

    page.get_by_role("button", name="Créer mon compte").click()
    assert page.title().startswith("Erreur")
    visit("signup-errors")
    page.get_by_label("Nom et prénom").fill("Léa Martin")
    page.get_by_label("Adresse électronique").fill(f"lea-{width}@example.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(live_server + "/")
    menu = page.locator("summary.nav-toggle")
    if width < 768:  # the navigation folds into a « Menu » disclosure, opened by keyboard
        assert menu.is_visible()
        assert not page.get_by_role("link", name="Glossaire").is_visible()
        menu.focus()
        page.keyboard.press("Enter")
        page.screenshot(path=artifacts / f"{width}-home-menu.png", full_page=True)
        problems.extend(check_accessibility(page, "home-menu"))
        navigation = page.get_by_role("navigation", name="Navigation principale")
        box = navigation.bounding_box()
        assert box and box["x"] + box["width"] <= width, box
    else:
        assert not menu.is_visible()
    assert page.get_by_role("link", name="Glossaire").is_visible()
    assert page.get_by_role("link", name="Mon compte").filter(has_text="Léa Martin").is_visible()
    assert page.get_by_role("button", name="Se déconnecter").count() == 1

    page.goto("/paths/1h")
    visit("path")
    page.get_by_role("button", name="Commencer ce parcours").click()
    page.wait_for_url("**/paths/1h/intro")
    visit("module-quiz")
    # The path's outline: a closed drawer on a phone, an open sidebar on a wide screen.
    outline = page.get_by_role("navigation", name="Modules du parcours")
    current = outline.get_by_role("link", name=re.compile("^Introduction"))
    if width < 768:
        assert not current.is_visible()
        outline.locator("summary").click()
        page.screenshot(path=artifacts / f"{width}-module-outline.png", full_page=True)
        problems.extend(check_accessibility(page, "module-outline"))
    assert current.is_visible() and current.get_attribute("aria-current") == "page"
    toc = page.get_by_role("navigation", name="Dans ce module")
    toc.get_by_role("link", name="Aller au quiz").click()
    assert page.evaluate("() => location.hash") == "#quiz"

    # Each quiz group is described by its own question (forms mode reads the description).
    groups = page.evaluate(
        """() => [...document.querySelectorAll('.quiz-form fieldset')].map(f => [
            (f.getAttribute('aria-describedby') || '').split(' ')
              .map(id => document.getElementById(id)?.textContent || '').join(' '),
            f.querySelector('.question-text').textContent])"""
    )
    assert groups and all(q.strip() and q.strip() in described for described, q in groups)
    # Sent with nothing ticked: the page lands on the summary, focused, which links
    # to each unanswered question.
    page.get_by_role("button", name="Valider mes réponses").click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.id") == "erreur-quiz"
    summary = page.locator("#erreur-quiz")
    assert summary.get_by_role("link").count() == len(QUIZ_ANSWERS)
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => location.hash").startswith("#q-")
    visit("quiz-incomplete")

    answer_quiz_with_keyboard(page, QUIZ_ANSWERS)
    assert "Module réussi" in page.locator("#resultat").inner_text()
    # The next step is the primary action of the score box.
    assert page.locator("#resultat .next-steps a.button").first.inner_text().startswith("Continuer")
    visit("quiz-result")

    page.goto("/paths/1h/lecture")
    visit("module-reflection")
    # With JavaScript the answer saves itself (static/autosave.js); the button stays.
    page.locator("textarea").first.fill("Rencontrer la mairie en janvier.")
    status = page.locator(".reflection .autosave-status").first
    status.filter(has_text="Enregistré").wait_for(timeout=10_000)
    page.reload()
    assert page.locator("textarea").first.input_value() == "Rencontrer la mairie en janvier."
    page.get_by_role("button", name="Enregistrer ma réponse").first.click()
    assert page.locator(".saved", has_text="Enregistré").count() == 1
    page.get_by_role("button", name="Marquer comme terminé").click()
    page.wait_for_url("**/paths/1h?termine=1")
    page.get_by_role("link", name="Voir mon attestation").click()
    page.wait_for_url("**/certificates/*")
    assert "Attestation valide" in page.content()
    visit("certificate")
    certificate_url = page.url
    check_badge_offer(page, browser, live_server, certificate_url, problems)
    # Printed, even from the dark theme: black on white, without the site's chrome.
    page.emulate_media(media="print", color_scheme="dark")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") == (
        "rgb(0, 0, 0)"
    )
    page.pdf(path=artifacts / f"{width}-certificate-print.pdf")
    page.emulate_media(media="screen", color_scheme="light")

    page.goto("/plan")
    assert "Rencontrer la mairie en janvier." in page.content()
    visit("plan")
    # « Mon compte »: the page, then a refused name with the focus on the error summary.
    page.goto("/compte")
    assert "cette session" in page.content()
    visit("compte")
    page.fill("#name", "")
    page.get_by_role("button", name="Modifier le nom").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.get_attribute("#name", "aria-describedby") == "name-error"
    visit("compte-erreur")
    page.goto("/compte/adresse")
    visit("compte-adresse")
    page.get_by_role("button", name="Envoyer le lien de confirmation").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    visit("compte-adresse-erreur")
    # Two reflections on one page: each field and each region has a name of its own.
    page.goto("/paths/12h/atelier")
    fields = page.locator(".reflection textarea")
    labels = fields.evaluate_all("els => els.map(e => e.labels[0].innerText)")
    regions = page.locator("section.reflection").evaluate_all(
        "els => els.map(e => document.getElementById(e.getAttribute('aria-labelledby')).innerText)"
    )
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert len(set(regions)) == 2, regions
    visit("module-two-reflections")
    response = page.goto("/pas-de-page-ici")
    assert response is not None and response.status == 404
    visit("404")

    # Personal data: the export page, the deletion page and its error, then the deletion.
    page.goto("/compte/donnees")
    visit("compte-donnees")
    page.goto("/compte/supprimer")
    visit("compte-supprimer")
    delete = page.get_by_role("button", name="Supprimer définitivement mon compte")
    page.get_by_label("Votre mot de passe").fill("pas le bon mot de passe")
    delete.click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.id") == "erreurs"
    visit("compte-supprimer-erreur")
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    delete.click()
    page.wait_for_load_state()
    assert "Votre compte a été supprimé" in page.content()
    visit("compte-supprime")
    page.goto(certificate_url)
    assert "retirée à la demande de son titulaire" in page.content()
    visit("certificate-retiree")

    context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    assert not console_errors, console_errors
