"""CSRF on every POST route of the route table: refused with 403, and nothing changes.

Sent by the admin, who may use every form, so that only the missing or foreign
token can be the reason for the refusal; once more signed out, for the forms an
anonymous visitor may send (sign-up, login).
"""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.conftest import CSRF
from tests.security.site import Site, fill, route_table, snapshot
from tests.security.test_access import MODULE_OF, PAYLOADS, UPLOADS

# The signed token in the URL authorises these, not a session: a mail client's one-click
# unsubscribe (RFC 8058) has neither cookie nor form token (server/views/reminders.py).
TOKEN_IN_URL = {"/relances/arret/{signed}"}
# LTI 1.3 (server/views/lti.py): the platform's own page posts these from its own site, so
# they can carry no form token. The launch is authorised by the platform's signed id_token,
# its nonce used once and the state bound to this browser by a signed cookie; the login
# only starts that flow. Their refusals are tested in tests/test_lti_launch.py.
# /lti/deep-link is authorised by the signed request token its picking page carries (that
# page answers a cross-site POST: a form token made there is bound to no session), see
# server/views/lti_deep_linking.py and tests/test_lti_deep_linking.py.
# /lti/launch/storage and /lti/open (a launch inside the platform's frame, without cookie)
# are posted by this site's own frame page, which has no session either: the id_token and
# the one-time login record, or the signed one-time ticket, and the browser's Origin
# authorise them (server/views/lti_storage.py, tests/test_lti_storage.py).
CROSS_SITE_BY_DESIGN = {
    "/lti/login",
    "/lti/launch",
    "/lti/launch/storage",
    "/lti/open",
    "/lti/deep-link",
}
POSTS = [
    template
    for method, template in route_table()
    if method == "POST" and template not in TOKEN_IN_URL | CROSS_SITE_BY_DESIGN
]
REFUSED = re.compile(r"expiré")


def foreign_token(site: Site) -> str:
    """A valid token of another browser, with its own CSRF cookie.

    No `with`: the other browser shares the running app instead of starting it again.
    """
    other = TestClient(site.client.app, base_url="http://testserver")
    match = CSRF.search(other.get("/login").text)
    assert match and "at_csrf" in other.cookies
    return match[1]


@pytest.mark.parametrize("visitor", ["admin", "anonymous"])
def test_every_post_route_refuses_a_missing_or_foreign_token(site: Site, visitor: str) -> None:
    site.sign_in(visitor)
    stolen = foreign_token(site)
    before = snapshot(site)
    for template in POSTS:
        values = {**site.values, "module_id": MODULE_OF.get(template, site.values["module_id"])}
        url = fill(template, values)
        payload = PAYLOADS.get(template, {})
        for token in ({}, {"csrf_token": stolen}, {"csrf_token": "forged"}):
            response = site.client.post(
                url,
                data={**payload, **token},
                files=UPLOADS.get(template),
                follow_redirects=False,
            )
            if visitor == "anonymous" and response.status_code == 303:
                # A page that needs an account sends anonymous visitors to log in first.
                assert response.headers["location"].startswith("/login?next="), url
                continue
            assert response.status_code == 403, (url, token, response.status_code)
            assert REFUSED.search(response.text), url
    assert snapshot(site) == before
