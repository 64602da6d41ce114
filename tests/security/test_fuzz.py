"""Property-based fuzz of every route: hostile path parameters, query strings and form
fields never give a server error (5xx).

Two hypothesis profiles: « ci » (the default, 25 cases per route, part of `make test`)
and « fuzz » (`make fuzz`, 2,000 cases per route; figures in docs/SECURITY.md). Forms
carry a valid CSRF token, so that the fuzz reaches the code behind the check; the
check itself is tested in test_csrf.py.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from server.app import create_app
from server.rate_limits import unlimited as no_account_limits
from server.settings import Settings
from server.state import app_state
from server.throttle import LoginLimits, LoginThrottle
from tests.conftest import ATTEMPT, FIXTURE_COURSE, PASSWORD, csrf
from tests.security.site import Site, fill, parameters, populate, route_table

COMMON = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ci", max_examples=25, **COMMON)
settings.register_profile("fuzz", max_examples=2000, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The fields each form reads (a new POST route without its entry fails below).
FIELDS: dict[str, list[str]] = {
    "/paths/{path_id}/start": [],
    # The « à froid » questionnaire from its e-mailed link.
    "/avis/{token}": ["q-mise-en-oeuvre", "q-utilite", "q-exemple"],
    # The « à chaud » questionnaire: a field per question of content/satisfaction.yaml.
    "/paths/{path_id}/avis": [
        "q-pertinence",
        "q-clarte",
        "q-charge",
        "q-recommandation",
        "q-commentaire",
        "decline",
    ],
    "/paths/{path_id}/{module_id}": [
        "tentative",
        "intro-mode",
        "intro-acteurs",
        "intro-classement",
    ],
    "/paths/{path_id}/{module_id}/done": [],
    "/paths/{path_id}/{module_id}/reflections/{reflection_id}": ["answer"],
    "/paths/{path_id}/{module_id}/questions": ["message"],
    "/questions/{question_id}": ["message"],
    "/paths/{path_id}/{module_id}/presence": [],
    "/signup": ["email", "name", "password", "next"],
    "/login": ["email", "password", "next"],
    "/logout": [],
    "/mot-de-passe-oublie": ["email"],
    "/mot-de-passe/nouveau": ["password", "password_again"],
    "/adresse/renvoyer": [],
    "/compte/adresse": ["email", "password"],
    "/compte/nom": ["name"],
    "/compte/mot-de-passe": ["current_password", "new_password"],
    "/compte/sessions/fermer": ["session"],
    "/compte/sessions/autres": [],
    "/compte/sessions/toutes": [],
    "/compte/donnees": [],
    "/compte/supprimer": ["password", "confirmation"],
    "/mes-formations/{cohort_id}/partage": ["share"],
    "/mes-formations/{cohort_id}/quitter": [],
    "/mes-formations/invitations/{cohort_id}": ["reponse"],
    "/join/{code}": [],
    "/trainer/cohorts": ["name", "path_id", "due_date", "past_ok"],
    "/trainer/cohorts/{cohort_id}/learners/{user_id}/realisation": ["employer", "funder_file"],
    "/trainer/cohorts/{cohort_id}/settings": [
        "name",
        "due_date",
        "archived",
        "remind_not_started_days",
        "remind_inactive_days",
        "remind_before_due_days",
        "remind_digest",
    ],
    "/trainer/cohorts/{cohort_id}/relances": [],
    "/trainer/cohorts/{cohort_id}/invitations/envoi": ["email"],
    "/relances/arret/{signed}": ["List-Unsubscribe", "action"],
    "/compte/relances": ["reminders"],
    "/trainer/cohorts/{cohort_id}/join-link": ["action"],
    "/trainer/cohorts/{cohort_id}/trainers": ["email"],
    "/trainer/cohorts/{cohort_id}/import": ["file"],
    "/trainer/cohorts/{cohort_id}/import/confirm": ["payload", "send_email"],
    "/trainer/cohorts/{cohort_id}/import/plateforme": [],
    "/trainer/cohorts/{cohort_id}/learners/{user_id}/remove": [],
    "/editor/content/reload": [],
    "/admin/users/{user_id}/roles": ["role", "action", "back"],
    "/admin/mail/{message_id}/retry": [],
    "/lti/login": [
        "iss",
        "login_hint",
        "target_link_uri",
        "lti_message_hint",
        "lti_deployment_id",
        "client_id",
        "lti_storage_target",
    ],
    "/lti/launch": ["id_token", "state", "error"],
    "/lti/launch/storage": ["id_token", "state"],
    "/lti/open": ["ticket"],
    "/lti/deep-link": ["request", "choice"],
    "/admin/lti": [
        "name",
        "issuer",
        "client_id",
        "deployments",
        "auth_url",
        "token_url",
        "keyset_url",
    ],
    "/admin/lti/{platform_id}/supprimer": [],
    "/admin/lti/lien-enregistrement": [],
    "/admin/lti/notes/{grade_id}/renvoyer": [],
}
# The query parameters any page reads; each GET draws some of them.
QUERY = [
    "q",
    "page",
    "tri",
    "sens",
    "filtre",
    "parcours",
    "module",
    "next",
    "enregistre",
    "envoyee",  # a question or an answer sent (issue #18)
    "rechargement",
    "invites",
    "courriels",
    "relances",
    "invitation",
    "groupe",
    "v",
    "fait",
    "compte",
    "role",
    "merci",
    "questionnaire",
    "message",
    # The LTI login initiation's, read by name from the query (server/lti/flow.py).
    "iss",
    "login_hint",
    "target_link_uri",
    "client_id",
    "lti_storage_target",  # the platform's postMessage storage (server/views/lti_storage.py)
    # LTI Dynamic Registration's, sent by the platform (server/views/lti_registration.py).
    "openid_configuration",
    "registration_token",
]
# Forms that change who is signed in: sent signed out, by a new visitor each time.
SIGNED_OUT = {"/signup", "/login", "/logout"}
VIEWS = Path(__file__).parents[2] / "server"
READ = re.compile(
    r'(?:query_params|params|form)\.get(?:list)?\("([\w-]+)"|text_field\(form, "([\w-]+)"'
)
NASTY = [
    "",
    "0",
    "-1",
    "00",
    "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
    "1e309",
    "NaN",
    "../../../../etc/passwd",
    "..",
    "\x00",
    "a\x00.png",
    "x" * 300 + ".png",
    "é" * 3000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7 * 7 }}",
    "%00",
    "%",
    "２０２６-０１-０１",
    "2026-02-30",
    "9999-99-99",
    "١٢٣",
    "\u202etxt.exe",
    "lea@example.fr",
    "=HYPERLINK(1)",
]
TEXT = st.text(st.characters(codec="utf-8"), max_size=80)
VALUE = st.one_of(TEXT, st.sampled_from(NASTY), st.integers().map(str))
FIELD_VALUE = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
FILENAME = st.sampled_from(["liste.csv", "", "x" * 300 + ".csv", "liste élèves.csv", "a.exe"])
CASES: dict[str, int] = {}


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One populated site for the whole fuzz: built once, then hammered route by route."""
    import io
    import shutil

    from server.cli import main

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURE_COURSE, root / "content")
    config = Settings(
        database=root / "var" / "fuzz.db",
        content_dir=root / "content",
        secret_key="fuzz-secret-" + "x" * 32,
        base_url="https://formation.example.org",
    )
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALLIANCES_DATABASE", str(config.database))
        patch.setenv("ALLIANCES_SECRET_KEY", config.secret_key)

        def make_user(email: str, name: str, *roles: str) -> None:
            patch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
            args = ["create-user", email, "--name", name, "--password-stdin"]
            for role in roles:
                args += ["--role", role]
            assert main(args) == 0

        with TestClient(create_app(config), base_url="http://testserver") as client:
            # Fuzzed logins all come from one address: the throttle would soon answer
            # every sign-in with 429. Its rules have their own tests (test_auth_throttle.py).
            unlimited = LoginLimits(pair_free=10**9, address_free=10**9, account_free=10**9)
            app_state(client.app).login_throttle = LoginThrottle(unlimited)
            app_state(client.app).account_limits = no_account_limits()  # sign-ups, resets
            yield populate(client, config.database, make_user)
    report = os.environ.get("FUZZ_REPORT")
    if report:
        seconds = round(time.monotonic() - started, 1)
        summary = {"routes": len(CASES), "cases": sum(CASES.values()), "seconds": seconds}
        Path(report).write_text(json.dumps({**summary, "per_route": CASES}, indent=1))


def test_every_form_and_query_field_is_fuzzed() -> None:
    posts = {template for method, template in route_table() if method == "POST"}
    assert posts <= set(FIELDS), f"POST routes without their fields here: {posts - set(FIELDS)}"
    fuzzed = {name for names in FIELDS.values() for name in names} | set(QUERY)
    read = set()
    for module in VIEWS.rglob("*.py"):
        read |= {a or b for a, b in READ.findall(module.read_text(encoding="utf-8"))}
    assert read - {"csrf_token"} <= fuzzed, f"fields read but never fuzzed: {read - fuzzed}"


def url_value(draw: st.DrawFn, site: Site, name: str) -> str:
    """A real identifier half the time, so that the fuzz reaches the page behind it."""
    value = draw(st.one_of(st.just(site.values.get(name, "x")), VALUE))
    return quote(value, safe="/" if name == "path" else "")


@pytest.mark.parametrize("method,template", route_table())
def test_no_server_error(fuzz_site: Site, method: str, template: str) -> None:
    site = fuzz_site
    client = site.client
    site.sign_in("anonymous" if template in SIGNED_OUT else "admin")
    token = csrf(client)
    shown = ATTEMPT.search(client.get("/paths/1h/intro").text)
    attempt = shown[1] if shown else ""
    key = f"{method} {template}"

    @given(st.data())
    def request_never_fails(data: st.DataObject) -> None:
        CASES[key] = CASES.get(key, 0) + 1
        form_token = token
        if template in SIGNED_OUT:  # a new visitor: the last one may have signed in
            client.cookies.delete("at_session")
            form_token = csrf(client)
        url = fill(
            template, {name: url_value(data.draw, site, name) for name in parameters(template)}
        )
        names = data.draw(st.lists(st.sampled_from(QUERY), max_size=3, unique=True))
        query = {name: data.draw(VALUE) for name in names}
        if method == "GET":
            response = client.get(url, params=query, follow_redirects=False)
        else:
            form = {name: data.draw(FIELD_VALUE) for name in FIELDS[template] if name != "file"}
            if "tentative" in form and data.draw(st.booleans()):
                form["tentative"] = attempt
            if data.draw(st.integers(0, 9)):  # sometimes a forged token
                form["csrf_token"] = form_token
            files = None
            if "file" in FIELDS[template]:
                content = data.draw(st.one_of(st.binary(max_size=2000), TEXT.map(str.encode)))
                files = {"file": (data.draw(FILENAME), content, "text/csv")}
            response = client.post(url, data=form, files=files, follow_redirects=False)
        assert response.status_code < 500, (method, url, query, response.text[:300])

    request_never_fails()


COOKIE = st.text(st.characters(codec="utf-8", exclude_characters=";\r\n"), max_size=80)


@pytest.mark.parametrize("method,url", [("GET", "/"), ("POST", "/login"), ("POST", "/logout")])
def test_hostile_cookies_never_fail(fuzz_site: Site, method: str, url: str) -> None:
    """Cookies are input too: the campaign's non-ASCII `at_csrf` gave a 500 on every POST."""
    site = fuzz_site
    site.sign_in("anonymous")
    token = csrf(site.client)

    @given(csrf_cookie=COOKIE, session_cookie=COOKIE)
    def cookies_never_fail(csrf_cookie: str, session_cookie: str) -> None:
        CASES[f"{method} {url} (cookies)"] = CASES.get(f"{method} {url} (cookies)", 0) + 1
        header = f"at_csrf={csrf_cookie}; at_session={session_cookie}".encode()
        client = TestClient(site.client.app, base_url="http://testserver")
        response = client.request(
            method,
            url,
            data={"csrf_token": token} if method == "POST" else None,
            headers=[(b"cookie", header)],
            follow_redirects=False,
        )
        assert response.status_code < 500, (method, url, header)

    cookies_never_fail()
