"""Bad input gets a clear French message and the right status, never a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Learner


@pytest.mark.parametrize(
    "url",
    [
        "/paths/2h",
        "/paths/1h/inconnu",
        "/paths/1h/approfondir",
        "/certificates/xyz",
        "/certificates/xyz.pdf",
        "/pages/absente",
        "/modules/absent",
        "/nulle-part",
        "/media/modules/intro.md",
        "/media/../../etc/passwd",
        "/media/course.yaml",
        "/certificates/" + "a" * 300,
    ],
)
def test_unknown_urls_give_a_friendly_404(client: TestClient, learner: Learner, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>" in response.text and "Retour à l'accueil" in response.text


def test_unknown_certificate_message(client: TestClient) -> None:
    assert "Aucune attestation ne correspond" in client.get("/certificates/abc").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"intro-mode": "a"}, "Répondez à toutes les questions"),
        ({"intro-mode": "z", "intro-acteurs": "a", "intro-classement": "faux"}, "aucun choix"),
        (
            {"intro-mode": ["a", "b"], "intro-acteurs": "a", "intro-classement": "faux"},
            "plusieurs réponses",
        ),
        (
            {"intro-mode": "a", "intro-acteurs": "a", "intro-classement": "faux", "hack": "1"},
            "question inconnue",
        ),
    ],
)
def test_bad_quiz_submissions_record_nothing(learner: Learner, fields: dict, message: str) -> None:
    attempt = learner.attempt("/paths/1h/intro")
    response = learner.post("/paths/1h/intro", {"tentative": attempt, **fields})
    assert response.status_code == 400 and message in response.text
    assert "quiz de 3 questions" in learner.client.get("/paths/1h").text
    assert "meilleur score" not in learner.client.get("/paths/1h").text
    assert "À faire" in learner.client.get("/paths/1h").text


def test_bad_submission_keeps_the_ticked_answers(learner: Learner) -> None:
    attempt = learner.attempt("/paths/1h/intro")
    response = learner.post("/paths/1h/intro", {"tentative": attempt, "intro-mode": "a"})
    assert 'value="a" checked' in response.text


def test_unanswered_questions_are_named_linked_and_marked(learner: Learner) -> None:
    attempt = learner.attempt("/paths/1h/intro")
    response = learner.post("/paths/1h/intro", {"tentative": attempt, "intro-mode": "a"})
    assert response.status_code == 400
    summary = response.text.split('id="erreur-quiz"')[1].split("</div>")[0]
    assert 'href="#q-intro-acteurs"' in summary and 'href="#q-intro-classement"' in summary
    assert 'href="#q-intro-mode"' not in summary  # answered
    assert 'id="erreur-quiz" tabindex="-1" data-focus' in response.text  # focus lands there
    assert 'id="q-intro-acteurs-erreur"' in response.text
    assert response.text.count('aria-invalid="true"') == 3 + 2  # the options of both groups
    assert 'value="a" checked' in response.text  # what was answered is kept


def test_a_quiz_form_without_its_attempt_is_refused_plainly(learner: Learner) -> None:
    response = learner.post(
        "/paths/1h/intro", {"intro-mode": "a", "intro-acteurs": "a", "intro-classement": "faux"}
    )
    assert response.status_code == 400 and "n&#39;est pas valide" in response.text
    assert 'name="tentative"' in response.text  # a fresh form to answer
    assert "À faire" in learner.client.get("/paths/1h").text


def test_duplicate_signup_gets_a_clear_message(client: TestClient, learner: Learner) -> None:
    learner.post("/logout")
    response = Learner(client).signup(email="LEA@example.fr")
    assert response.status_code == 400 and "Un compte existe déjà" in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"email": "pas-un-email", "name": "A", "password": "assez long ici"},
            "adresse électronique valide",
        ),
        ({"email": "a@b.fr", "name": "  ", "password": "assez long ici"}, "Indiquez votre nom"),
        ({"email": "a@b.fr", "name": "A", "password": "court"}, "au moins 10 caractères"),
        (
            {"email": "a@b.fr", "name": "x" * 500, "password": "assez long ici"},
            "ne doit pas dépasser",
        ),
    ],
)
def test_signup_validation(client: TestClient, fields: dict, message: str) -> None:
    response = Learner(client).post("/signup", fields)
    assert response.status_code == 400 and message in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_does_not_reveal_whether_an_email_exists(
    client: TestClient, learner: Learner
) -> None:
    learner.post("/logout")
    wrong_password = learner.login(password="mauvais mot de passe")
    unknown = learner.login(email="personne@example.fr")
    assert wrong_password.status_code == unknown.status_code == 400
    assert "Adresse électronique ou mot de passe incorrect." in wrong_password.text
    assert "Adresse électronique ou mot de passe incorrect." in unknown.text


def test_unusual_names_are_escaped_everywhere(client: TestClient) -> None:
    learner = Learner(client)
    name = "<script>alert('x')</script> Åsa Øre-Ñúñez 山田 \u202e"
    assert learner.signup(name=name).status_code == 303
    learner.pass_intro()
    page = learner.post("/paths/1h/lecture/done")
    text = client.get(page.headers["location"]).text
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    cert = text.split('href="/certificates/')[1].split('"')[0]
    public = client.get(f"/certificates/{cert}")
    assert "&lt;script&gt;" in public.text and "山田" in public.text and "\u202e" not in public.text
    assert client.get(f"/certificates/{cert}.pdf").status_code == 200


def test_post_without_csrf_token_is_refused(client: TestClient, learner: Learner) -> None:
    response = client.post("/paths/1h/start", data={}, follow_redirects=False)
    assert response.status_code == 403 and "Formulaire expiré" in response.text
    forged = client.post("/paths/1h/start", data={"csrf_token": "forged"})
    assert forged.status_code == 403


def test_csrf_token_is_bound_to_the_browser(client: TestClient, settings) -> None:
    from server.app import create_app

    token = Learner(client).token
    with TestClient(create_app(settings)) as other:
        other.get("/")
        response = other.post(
            "/signup",
            data={"csrf_token": token, "email": "a@b.fr", "name": "A", "password": "x" * 12},
        )
        assert response.status_code == 403


def test_anonymous_posts_redirect_to_login(client: TestClient) -> None:
    token = Learner(client).token
    response = client.post("/paths/1h/intro", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_request_body_is_capped(client: TestClient, learner: Learner) -> None:
    response = learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "x" * 400_000})
    assert response.status_code == 413 and "trop volumineux" in response.text


def test_too_long_reflection(learner: Learner) -> None:
    response = learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "x" * 5_001})
    assert response.status_code == 400 and "5\u202f001 caractères" in response.text


def test_unknown_reflection_and_quizless_submit(learner: Learner) -> None:
    assert (
        learner.post("/paths/1h/lecture/reflections/inconnue", {"answer": "x"}).status_code == 404
    )
    assert learner.post("/paths/1h/lecture", {"x": "y"}).status_code == 404
    assert learner.post("/paths/1h/intro/done").status_code == 400


def test_open_redirect_is_refused(client: TestClient) -> None:
    learner = Learner(client)
    response = learner.post(
        "/signup",
        {"email": "z@b.fr", "name": "Z", "password": "x" * 12, "next": "//evil.example"},
    )
    assert response.headers["location"] == "/"


def test_malformed_cookies_are_ignored(client: TestClient) -> None:
    client.cookies.set("at_session", "garbage.value")
    assert client.get("/").status_code == 200
    response = client.get("/", headers={"cookie": 'at_csrf="\\x; bad'})
    assert response.status_code == 200


def test_wrong_method(client: TestClient) -> None:
    assert client.delete("/").status_code == 405


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_session_cookie_flags(client: TestClient) -> None:
    response = Learner(client).signup()
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_logout_works_from_an_error_page(client: TestClient, learner: Learner) -> None:
    page = client.get("/paths/inconnu")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert token
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_static_assets_are_fingerprinted_and_cached_for_a_year(client: TestClient) -> None:
    page = client.get("/").text
    css = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert css.startswith("/static/site.css?v=")
    cached = client.get(css)
    assert cached.status_code == 200 and "immutable" in cached.headers["cache-control"]
    assert client.get("/static/site.css?v=old").headers["cache-control"] == "no-cache"
    assert client.get("/").headers["cache-control"] == "no-store"
    assert client.get("/static/absent.css").status_code == 404


def test_repeated_failed_logins_pause_the_address(client: TestClient, learner: Learner) -> None:
    learner.post("/logout")
    for _ in range(5):  # LoginLimits.pair_free; tests/test_auth_throttle.py tests the rest
        assert learner.login(password="pas le bon mot de passe").status_code == 400
    paused = learner.login()  # even the right password waits now
    assert paused.status_code == 429 and "Trop de tentatives" in paused.text
    assert learner.login(email="autre@example.fr").status_code == 400  # other addresses unaffected


def test_a_file_in_place_of_a_choice_is_refused_plainly(learner: Learner) -> None:
    attempt = learner.attempt("/paths/1h/intro")
    response = learner.client.post(
        "/paths/1h/intro",
        data={"csrf_token": learner.token, "tentative": attempt, "intro-acteurs": "a"},
        files={"intro-mode": ("a.txt", b"a", "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 400 and "Traceback" not in response.text
    assert "À faire" in learner.client.get("/paths/1h").text  # nothing recorded


def test_the_quiz_parser_refuses_a_value_that_is_not_text() -> None:
    from course.grading import AnswerError, parse_answers
    from course.loader import load_course
    from tests.conftest import FIXTURE_COURSE

    module = load_course(FIXTURE_COURSE).modules["intro"]
    with pytest.raises(AnswerError, match="aucun choix"):
        parse_answers(module, [("intro-mode", object())])
