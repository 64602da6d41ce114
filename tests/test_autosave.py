"""Reflection autosave is an external script (the CSP forbids inline ones) over the no-JS form."""

from __future__ import annotations

import re

from tests.conftest import Learner


def test_pages_load_autosave_as_an_external_deferred_script(learner: Learner) -> None:
    html = learner.client.get("/paths/1h/lecture").text
    assert re.search(r'<script src="/static/autosave.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html), "no inline script"
    assert 'action="/paths/1h/lecture/reflections/lecture-idee"' in html  # the no-JS form
    script = learner.client.get("/static/autosave.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert 'redirect: "manual"' in script.text and "Enregistré" in script.text
