"""The Nu Html Checker (vnu-jar) finds no error in the HTML of any page type.

The pages are fetched over HTTP from the real server, as a learner goes through
the 1 h path, then checked in a single vnu run.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.browser.conftest import LIVE
from tests.browser.pages import PASSWORD, vnu_errors

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CERT = re.compile(r'href="/certificates/([\w-]+)"')
FORM = {"content-type": "application/x-www-form-urlencoded"}


ATTEMPT = re.compile(r'name="tentative" value="([^"]+)"')


class HttpLearner:
    """A learner over plain HTTP, with its own cookies (Playwright's request context)."""

    def __init__(self, request) -> None:
        self.request = request
        self.pages: dict[str, str] = {}

    def get(self, name: str, url: str, status: int = 200) -> str:
        response = self.request.get(url)
        assert response.status == status, (url, response.status)
        self.pages[name] = response.text()
        return self.pages[name]

    def post(self, url: str, fields: list[tuple[str, str]], name: str = "", status: int = 200):
        token = CSRF.search(self.request.get("/login").text())[1]
        response = self.request.post(
            url, data=urlencode([("csrf_token", token), *fields]), headers=FORM
        )
        assert response.status == status, (url, response.status)
        if name:
            self.pages[name] = response.text()
        return response


def mail_link(subject: str) -> str:
    """The path of the first link in the message the server wrote to var/mail/ (no SMTP)."""
    folder = Path(LIVE["database"]).parent / "mail"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for file in sorted(folder.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            if str(message["Subject"]).startswith(subject):
                body = message.get_body(("plain",))  # type: ignore[attr-defined]
                link = re.search(r"<(https?://[^>\s]+)>", body.get_content())
                assert link, body.get_content()
                return urlsplit(link[1]).path
        time.sleep(0.1)
    raise AssertionError(f"no message « {subject} » in {folder}")


def test_every_page_type_is_valid_html(
    playwright_session, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    request = playwright_session.request.new_context(base_url=live_server)
    learner = HttpLearner(request)
    learner.get("home", "/")
    learner.get("login", "/login")
    learner.get("signup", "/signup")
    learner.get("accessibilite", "/accessibilite")
    learner.get("mentions-legales", "/mentions-legales")
    learner.get("donnees-personnelles", "/donnees-personnelles")
    learner.get("plan-du-site", "/plan-du-site")
    learner.get("glossaire", "/pages/glossaire")
    learner.get("login-module", "/login?next=/paths/1h/intro")
    learner.get("404", "/pas-de-page-ici", status=404)
    learner.post("/signup", [("name", ""), ("email", "x")], name="signup-errors", status=400)
    learner.post(
        "/signup", [("name", "Jean Valide"), ("email", "jean@example.fr"), ("password", PASSWORD)]
    )
    learner.get("home-signed-in", "/")
    learner.get("path", "/paths/1h")
    learner.post("/paths/1h/start", [])
    attempt = ATTEMPT.search(learner.get("module-quiz", "/paths/1h/intro"))[1]
    learner.post(
        "/paths/1h/intro",
        [("tentative", attempt), ("intro-mode", "b")],
        name="quiz-incomplete",
        status=400,
    )
    failing = [("intro-mode", "b"), ("intro-acteurs", "a"), ("intro-classement", "vrai")]
    learner.post("/paths/1h/intro", [("tentative", attempt), *failing], name="quiz-failed")
    attempt = ATTEMPT.search(learner.get("module-quiz-again", "/paths/1h/intro"))[1]
    answers = [
        ("intro-mode", "a"),
        ("intro-acteurs", "a"),
        ("intro-acteurs", "b"),
        ("intro-classement", "faux"),
    ]
    learner.post("/paths/1h/intro", [("tentative", attempt), *answers], name="quiz-result")
    learner.get("module-reflection", "/paths/1h/lecture")
    learner.post("/paths/1h/lecture/reflections/lecture-idee", [("answer", "Une idée.")])
    learner.post("/paths/1h/lecture/done", [])
    certificate = CERT.search(learner.get("path-done", "/paths/1h"))[1]
    learner.get("certificate", f"/certificates/{certificate}")
    learner.get("plan", "/plan")
    # The address and the password, through the links of the messages the site wrote.
    learner.get("compte-adresse", "/compte/adresse")
    learner.get("mot-de-passe-oublie", "/mot-de-passe-oublie")
    learner.post("/mot-de-passe-oublie", [("email", "x")], name="oublie-erreur", status=400)
    learner.post("/mot-de-passe-oublie", [("email", "jean@example.fr")], name="oublie-envoye")
    learner.get("lien-expire", "/mot-de-passe/nouveau/inconnu", status=410)
    learner.get("mot-de-passe-nouveau", mail_link("Réinitialiser votre mot de passe"))
    mismatch = [("password", PASSWORD), ("password_again", "autre chose")]
    learner.post("/mot-de-passe/nouveau", mismatch, name="mot-de-passe-erreur", status=400)
    # The same password again: the rest of the journey signs in with it.
    learner.post("/mot-de-passe/nouveau", [("password", PASSWORD), ("password_again", PASSWORD)])
    learner.get("mot-de-passe-modifie", "/mot-de-passe/modifie")
    learner.get("adresse-confirmee", mail_link("Confirmez votre adresse"))
    learner.get("compte", "/compte")
    learner.post("/compte/nom", [("name", "")], name="compte-erreur", status=400)
    learner.post("/compte/sessions/autres", [])
    learner.get("compte-confirmation", "/compte?fait=autres-sessions")
    learner.get("compte-donnees", "/compte/donnees")
    archive = learner.post("/compte/donnees", [])
    with zipfile.ZipFile(io.BytesIO(archive.body())) as export:
        learner.pages["compte-donnees-resume"] = export.read("resume.html").decode()
    learner.get("compte-supprimer", "/compte/supprimer")
    wrong = [("password", "pas le bon mot de passe")]
    learner.post("/compte/supprimer", wrong, name="compte-supprimer-erreur", status=400)
    learner.post("/compte/supprimer", [("password", PASSWORD)], name="compte-supprime")
    learner.get("certificate-retiree", f"/certificates/{certificate}")
    request.dispose()

    errors = vnu_errors(learner.pages, artifacts / "html")
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
