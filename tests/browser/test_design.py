"""The design holds on every page type: reflow at 320 px, 3:1 field borders, distinct buttons.

WCAG 1.4.10 (reflow) and 1.4.11 (non-text contrast) are not checked by axe-core,
and the button kinds (primary, secondary, danger) are a matter of computed styles:
this walks the learner, trainer and editor journeys and measures them in Chromium.
Screenshots of every page type at 320, 375 and 1280 px land in test-artifacts/design/.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.pages import PASSWORD
from tests.browser.test_staff_pages import create_user

WIDTHS = (320, 375, 1280)

# Relative luminance and contrast ratio (WCAG 2.x), computed in the page: colours
# come back from getComputedStyle as rgb()/rgba(); transparent backgrounds are
# resolved by walking up to the first ancestor that paints one.
FIELD_CONTRASTS = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const opaque = (c) => { const v = rgb(c); return v.length === 3 || v[3] > 0; };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea');
  return [...fields].filter((f) => f.offsetParent !== null).map((f) => {
    const s = getComputedStyle(f);
    return {field: f.outerHTML.slice(0, 80), border: s.borderTopColor,
            background: behind(f), ratio: ratio(s.borderTopColor, behind(f))};
  });
}"""

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1
                   && !e.closest('.table-scroll, .table-wrap'))
    .map((e) => e.tagName.toLowerCase() + '.' + e.className).slice(0, 5);
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""

BUTTON_KINDS = {
    "primary": "button.button:not(.button-secondary):not(.button-danger):not(:disabled)",
    "secondary": "button.button-secondary",
    "danger": "button.button-danger",
}
BUTTON_STYLE = """(selector) => {
  const button = document.querySelector(selector);
  if (!button) return null;
  const s = getComputedStyle(button);
  return [s.backgroundColor, s.borderTopColor, s.color].join(' / ');
}"""


def test_every_page_type_reflows_and_keeps_its_contrasts(
    browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    create_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    create_user("admin@example.fr", "Ada Admin", "admin")
    folder = artifacts / "design"
    folder.mkdir(exist_ok=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    seen: list[str] = []
    buttons: dict[str, dict[str, str]] = {"light": {}, "dark": {}}

    def check(name: str, url: str | None = None) -> None:
        """Screenshots at three widths; at 320 px no sideways scroll and 3:1 field borders."""
        if url:
            page.goto(url)
        seen.append(name)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 320, "height": 800})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            if scheme == "dark":
                page.screenshot(path=folder / f"{name}-320-dark.png", full_page=True)
            for kind, selector in BUTTON_KINDS.items():
                style = page.evaluate(BUTTON_STYLE, selector)
                if style and kind not in buttons[scheme]:
                    buttons[scheme][kind] = style
            sizes = page.evaluate(OVERFLOW)
            if sizes["scroll"] > sizes["client"]:
                problems.append(f"{name} ({scheme}) scrolls sideways at 320 px: {sizes}")
            for field in page.evaluate(FIELD_CONTRASTS):
                if field["ratio"] < 3:
                    problems.append(f"{name} ({scheme}) field border below 3:1: {field}")
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 900})

    def login(email: str) -> None:
        context.clear_cookies()
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")

    check("home-visitor", "/")
    check("login", "/login")
    check("signup", "/signup")
    check("accessibilite", "/accessibilite")

    login("formatrice@example.fr")
    check("trainer-cohorts", "/trainer/cohorts")
    page.fill("#name", "Promo design, un nom de groupe assez long pour passer à la ligne")
    page.select_option("#path_id", "1h")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")
    dashboard = page.url
    code = re.search(r"/join/([\w-]+)", page.content())[1]

    context.clear_cookies()
    check("join", f"/join/{code}")
    page.goto(f"/signup?next=/join/{code}")
    page.fill("#name", "Léa Design")
    page.fill("#email", f"lea-design-{code[:6].lower()}@example.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("form[action^='/join/'] button[type=submit]")
    check("mes-formations")
    check("home-learner", "/")
    check("path", "/paths/1h")
    page.goto("/paths/1h/intro")
    check("module-quiz")
    for name, value in (("intro-mode", "a"), ("intro-acteurs", "a"), ("intro-acteurs", "b")):
        page.check(f"input[name='{name}'][value='{value}']")
    page.check("input[name='intro-classement'][value='faux']")
    page.get_by_role("button", name="Valider mes réponses").click()
    page.wait_for_load_state()
    check("quiz-result")
    page.goto("/paths/1h/intro/questions")  # a question to the cohort's trainer (issue #18)
    page.fill("#message", "Une question assez longue pour passer à la ligne à 320 px\u00a0?")
    page.click("form[action$='/questions'] button[type=submit]")
    check("module-questions")
    thread = re.search(r'href="(/questions/\d+)"', page.content())[1]
    check("question-thread", thread)
    check("module-reflection", "/paths/1h/lecture")
    page.get_by_role("button", name="Marquer comme terminé").click()
    page.wait_for_url("**/paths/1h?termine=1")
    page.get_by_role("link", name="Voir mon attestation").first.click()
    page.wait_for_url("**/certificates/*")
    check("certificate")
    certificate_url = page.url
    check("plan", "/plan")
    check("compte", "/compte")
    check("modeles", "/modeles")
    check("modele", "/modeles/fiche-partenaire")

    login("formatrice@example.fr")
    check("certificate-public", certificate_url)  # someone else's: the badge's one line
    check("trainer-dashboard", dashboard)
    # The progress table scrolls in its box, with a shadow at the edge that hides more.
    cue = page.locator(".table-wrap").first.evaluate("e => getComputedStyle(e).backgroundImage")
    assert cue.count("radial-gradient") == 2, cue
    assert "button-danger" in page.locator("button[value=disable]").get_attribute("class")
    check("trainer-questions", dashboard + "/questions")
    page.goto(dashboard)
    learner = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)"', page.content())
    check("trainer-learner", learner[1])
    check("trainer-realisation", learner[1] + "/realisation")
    page.goto(learner[1])
    assert page.locator("form[action$='/remove'] .button-danger").count() == 1
    check("trainer-import", dashboard + "/import")
    csv = tmp_path / "liste.csv"
    long = "une-adresse-vraiment-tres-longue-pour-la-mise-en-page@exemple-de-domaine.fr"
    csv.write_text(f"email;nom\n{long};Nina\npas-un-email;X\n", encoding="utf-8")
    page.set_input_files("#file", str(csv))
    page.click("form[enctype] button[type=submit]")
    check("trainer-import-preview")
    # Nothing valid to import: the confirmation button is disabled and looks it.
    page.goto(dashboard + "/import")
    csv.write_text("email;nom\npas-un-email;X\n", encoding="utf-8")
    page.set_input_files("#file", str(csv))
    page.click("form[enctype] button[type=submit]")
    disabled = page.locator("button:disabled.button")
    assert disabled.count() == 1
    look = disabled.evaluate(
        "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderTopStyle,"
        " s.color, s.cursor].join(' / '); }"
    )
    assert "dashed" in look and "not-allowed" in look, look
    assert look.split(" / ")[0] not in buttons["light"]["primary"], (look, buttons)

    login("admin@example.fr")
    check("admin-users", "/admin/users")
    revoke = page.locator("button[value=revoke]").first
    grant = page.locator("button[value=grant]").first
    # « Oui » (the role is held) and « Non » no longer look alike.
    assert revoke.evaluate("e => getComputedStyle(e).backgroundColor") != grant.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    check("editor-content", "/editor/content")
    check("editor-questions", "/editor/questions")
    context.close()
    assert len(seen) == len(set(seen)) == 29, seen
    assert not problems, "\n".join(problems)
    # Primary, secondary and danger buttons are told apart by sight, in both themes.
    for scheme, styles in buttons.items():
        assert set(styles) == set(BUTTON_KINDS), (scheme, styles)
        assert len(set(styles.values())) == 3, (scheme, styles)
