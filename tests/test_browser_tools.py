"""Missing browser tools: a clear skip on a developer's machine, a failure in CI."""

from __future__ import annotations

import pytest

from tests.browser import conftest as browser


def test_missing_tools_skip_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(browser, "missing_tools", lambda: ["/usr/bin/chromium (Debian package)"])
    with pytest.raises(pytest.skip.Exception, match=r"chromium.*`make test` installs them"):
        browser.require_tools()


def test_missing_tools_fail_when_ci_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(browser, "missing_tools", lambda: ["java"])
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        browser.require_tools()


def test_nothing_happens_when_the_tools_are_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "missing_tools", lambda: [])
    browser.require_tools()
