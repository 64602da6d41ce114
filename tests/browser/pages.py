"""What the browser tests share: axe-core in the page, keyboard helpers, the page types."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.browser.conftest import AXE, VNU

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "un mot de passe sûr"


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (evaluated through the driver: the CSP stays on)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "async (options) => (await window.axe.run(document, options)).violations", options
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n["failureSummary"]} for n in v["nodes"]],
        }
        for v in result
    ]


def check_accessibility(page, name: str) -> list[str]:
    """axe in the light and the dark theme; returns readable problems, empty when clean."""
    problems = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for violation in axe_violations(page):
            problems.append(
                f"{name} ({scheme}) {page.url}: {violation['id']} — {violation['help']}\n"
                + json.dumps(violation["nodes"][:5], ensure_ascii=False, indent=1)
            )
    page.emulate_media(color_scheme="light")
    return problems


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
                value: e.value || '', checked: !!e.checked, id: e.id}; }"""
    )


def focus_problems(page, name: str, limit: int = 80) -> list[str]:
    """Tab through the page: every element that takes the focus shows a visible outline."""
    problems = []
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    seen = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement;
            if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            const path = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
              + (e.name ? '[name=' + e.name + ']' : '') + (e.value ? '=' + e.value : '')
              + ' ' + (e.textContent || '').trim().slice(0, 30)
              + ' ' + (e.getAttribute('href') || '');
            const visible = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            return {path, visible}; }"""
        )
        if info is None or info["path"] in seen:
            break
        seen.add(info["path"])
        if not info["visible"]:
            problems.append(f"{name}: no visible focus on {info['path']}")
    return problems


def vnu_errors(pages: dict[str, str], folder: Path, prefix: str = "") -> list[str]:
    """Save the pages' HTML and check it in one Nu Html Checker run; errors as text."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, html in pages.items():
        file = folder / f"{prefix}{name}.html"
        file.write_text(html, encoding="utf-8")
        files.append(str(file))
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stdout or "{}").get("messages", [])
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']} "
        f"[{m.get('extract', '').strip()}]"
        for m in messages
    ]
    if not errors and run.returncode != 0:
        errors.append(run.stderr)
    return errors


class Tour:
    """One browser context walking pages as one person after another.

    Each `visit` saves a screenshot, checks the page has one `h1`, keeps its HTML
    (for the Nu checker afterwards) and adds what axe-core finds to `problems`.
    """

    def __init__(self, browser: Any, base_url: str, artifacts: Path, prefix: str) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.artifacts, self.prefix = artifacts, prefix
        self.pages: dict[str, str] = {}
        self.problems: list[str] = []

    def visit(self, name: str, url: str | None = None) -> None:
        if url:
            self.page.goto(url)
        self.page.screenshot(path=self.artifacts / f"{self.prefix}-{name}.png", full_page=True)
        assert self.page.locator("h1").count() == 1, name
        self.pages[name] = self.page.content()
        self.problems.extend(check_accessibility(self.page, name))

    def login(self, email: str) -> None:
        self.context.clear_cookies()
        self.page.goto("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
