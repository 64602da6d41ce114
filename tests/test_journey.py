"""The learner's whole journey through the HTTP client, as a person would use it."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.conftest import Learner

CERT = re.compile(r'href="/certificates/([\w-]+)"')


def test_sign_up_follow_1h_and_get_a_verifiable_certificate(client: TestClient) -> None:
    learner = Learner(client)
    home = client.get("/")
    assert home.status_code == 200 and "Découvrir" in home.text and "Créer un compte" in home.text

    assert learner.signup(name="Léa Martin").headers["location"] == "/"
    assert "Se déconnecter" in client.get("/").text

    page = client.get("/paths/1h")
    assert "Commencer ce parcours" in page.text and "À faire" in page.text
    started = learner.post("/paths/1h/start")
    assert started.headers["location"] == "/paths/1h/intro"

    lesson = client.get("/paths/1h/intro")
    assert lesson.status_code == 200
    assert 'name="intro-acteurs" value="a"' in lesson.text and 'type="checkbox"' in lesson.text
    assert "bonne réponse" not in lesson.text  # answers never reach the browser first

    failed = learner.quiz(
        "/paths/1h/intro", {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "vrai"}
    )
    assert (
        failed.status_code == 200
        and "0&nbsp;%" in failed.text
        and "Réponse incorrecte" in failed.text
    )
    # A failed attempt shows the hints, never the right options nor the explanations.
    assert "Pensez à l’échelle des modes de relation." in failed.text
    assert "Le mécénat est le mode le plus simple." not in failed.text
    assert "bonne réponse</span>" not in failed.text
    assert "Refaire le quiz" in failed.text and "Relire la leçon" in failed.text

    passed = learner.pass_intro()
    assert "100&nbsp;%" in passed.text and "Module réussi" in passed.text
    assert "Oui, c'est le point de départ" in passed.text  # feedback of the chosen choice
    assert "Le mécénat est le mode le plus simple." in passed.text  # explanations, once passed
    assert "Continuer&nbsp;: " in passed.text  # the next step is the primary action
    assert "Terminé" in client.get("/paths/1h").text

    home = client.get("/")
    assert 'href="/paths/1h/lecture">Reprendre' in home.text

    done = learner.post("/paths/1h/lecture/done")
    assert done.headers["location"] == "/paths/1h?termine=1"
    path_page = client.get("/paths/1h")
    certificate_id = CERT.search(path_page.text)[1]
    assert "vous avez terminé ce parcours" in path_page.text

    client.cookies.clear()  # anyone can verify, without an account
    public = client.get(f"/certificates/{certificate_id}")
    assert public.status_code == 200
    for fact in ("Léa Martin", "Découvrir", "Attestation valide", "6\u00a0min"):
        assert fact in public.text
    assert f"https://formation.example.org/certificates/{certificate_id}" in public.text
    pdf = client.get(f"/certificates/{certificate_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_last_quiz_issues_the_certificate_on_the_spot(learner: Learner) -> None:
    learner.post("/paths/1h/lecture/done")
    result = learner.pass_intro()
    assert "Parcours terminé" in result.text and CERT.search(result.text)


def test_retry_keeps_the_best_score(learner: Learner) -> None:
    learner.pass_intro()
    learner.post(
        "/paths/1h/intro", {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "vrai"}
    )
    assert "meilleur score&nbsp;: 100&nbsp;%" in learner.client.get("/paths/1h").text


def test_longer_path_keeps_completed_modules(learner: Learner) -> None:
    learner.pass_intro()
    learner.post("/paths/1h/lecture/done")
    page = learner.client.get("/paths/12h")
    assert "2\u00a0modules terminés sur 4" in page.text
    assert page.text.count('<span class="badge badge-done">Terminé</span>') == 2
    assert '<span class="badge badge-todo">À faire</span>' in page.text
    started = learner.post("/paths/12h/start")
    assert started.headers["location"] == "/paths/12h/approfondir"


def test_reflection_answers_are_saved_and_private(client: TestClient, learner: Learner) -> None:
    saved = learner.post(
        "/paths/1h/lecture/reflections/lecture-idee", {"answer": "Une alliance locale."}
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Une alliance locale." in page.text and "Enregistré." in page.text
    assert "En cours" in client.get("/paths/1h").text
    learner.post("/logout")
    other = Learner(client)
    other.signup(email="autre@example.fr")
    assert "Une alliance locale." not in client.get("/paths/1h/lecture").text


def test_module_permalink_prefers_the_learners_path(learner: Learner) -> None:
    learner.post("/paths/12h/start")
    found = learner.client.get("/modules/intro", follow_redirects=False)
    assert found.headers["location"] == "/paths/12h/intro"


def test_logout_really_ends_the_session(client: TestClient, learner: Learner) -> None:
    cookie = client.cookies.get("at_session")
    learner.post("/logout")
    client.cookies.set("at_session", cookie)  # replay the old cookie
    assert "Se déconnecter" not in client.get("/").text
    assert client.get("/paths/1h/intro", follow_redirects=False).status_code == 303


def test_a_replayed_session_cannot_submit_a_quiz(client: TestClient, learner: Learner) -> None:
    """The attempt's write checks the session itself: nothing is recorded after logout."""
    cookie = client.cookies.get("at_session")
    learner.post("/logout")
    client.cookies.set("at_session", cookie)
    answers = {"intro-mode": "a", "intro-acteurs": ["a", "b"], "intro-classement": "faux"}
    refused = learner.post("/paths/1h/intro", answers)
    assert refused.status_code == 303
    assert refused.headers["location"] == "/login?next=/paths/1h/intro"
    client.cookies.delete("at_session")
    assert learner.login().status_code == 303
    no_attempt = client.get("/paths/1h/intro/resultat", follow_redirects=False)
    assert no_attempt.headers["location"] == "/paths/1h/intro"


def test_login_after_signup(client: TestClient, learner: Learner) -> None:
    learner.post("/logout")
    assert learner.login().status_code == 303
    assert "Se déconnecter" in client.get("/").text


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_pages_and_media(client: TestClient) -> None:
    assert "Une coopération" in client.get("/pages/glossaire").text
    assert client.get("/media/images/schema.png").status_code == 200


def test_revoked_certificate_says_so_publicly(
    client: TestClient, learner: Learner, settings, monkeypatch
) -> None:
    from server.cli import main

    learner.pass_intro()
    learner.post("/paths/1h/lecture/done")
    certificate_id = CERT.search(client.get("/paths/1h").text)[1]
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    url = f"https://formation.example.org/certificates/{certificate_id}"  # ids may start with "-"
    assert main(["revoke-certificate", url, "--reason", "Erreur d'identité"]) == 0
    assert main(["revoke-certificate", "--reason", "Encore", "--", certificate_id]) == 1
    page = client.get(f"/certificates/{certificate_id}").text
    assert "Attestation révoquée" in page and "Erreur d&#39;identité" in page
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == 200


def test_reloading_the_result_page_does_not_submit_again(learner: Learner) -> None:
    result = learner.pass_intro()
    again = learner.client.get("/paths/1h/intro/resultat")
    assert again.status_code == 200 and "100&nbsp;%" in again.text
    assert (
        "quiz de 3 questions · meilleur score&nbsp;: 100&nbsp;%"
        in learner.client.get("/paths/1h").text
    )
    assert result.status_code == 200


def test_result_page_without_an_attempt_leads_to_the_quiz(learner: Learner) -> None:
    response = learner.client.get("/paths/1h/intro/resultat", follow_redirects=False)
    assert response.headers["location"] == "/paths/1h/intro"
