"""A learner in a cohort and the words they read (issue #13, §3, §6 and §7's reflection names)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from course.progress import overdue
from tests.conftest import PASSWORD, Learner, sign_in
from tests.test_trainer import join_code, new_cohort

NBSP = "\u00a0"


def _cohort_learner(client: TestClient, make_user, due: str = "") -> tuple[Learner, int]:
    """Léa, who joined Fanny's group on the 1 h path through its link."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer, due=due)
    code = join_code(client, cohort)
    client.cookies.clear()
    lea = Learner(client)
    lea.signup(password=PASSWORD)
    joined = lea.post(f"/join/{code}")
    assert joined.status_code == 303
    return lea, cohort


def _finish_1h(lea: Learner) -> None:
    lea.pass_intro()
    assert lea.post("/paths/1h/lecture/done").status_code == 303


def test_the_lateness_rule_spares_the_due_day_and_finished_paths() -> None:
    assert overdue("2026-01-10", "2026-01-11", 1, 2)
    assert not overdue("2026-01-10", "2026-01-10", 1, 2)
    assert not overdue("2026-01-10", "2026-01-11", 2, 2)
    assert not overdue(None, "2026-01-11", 0, 2)


def test_joining_a_group_is_confirmed(client: TestClient, make_user) -> None:
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    code = join_code(client, new_cohort(trainer))
    client.cookies.clear()
    lea = Learner(client)
    lea.signup(password=PASSWORD)
    joined = lea.post(f"/join/{code}")
    assert joined.headers["location"] == "/mes-formations?groupe=rejoint"
    page = client.get(joined.headers["location"]).text
    assert "vous avez rejoint le groupe" in page


def test_home_shows_my_training_late_then_its_certificate(client: TestClient, make_user) -> None:
    lea, _ = _cohort_learner(client, make_user, due="2000-01-01")
    home = client.get("/").text
    block = home.split('id="ma-formation"')[1].split("</section>")[0]
    assert "Promo Lille" in block and "à terminer avant le" in block and "2000" in block
    assert "En retard" in block and f"0{NBSP}module terminé sur 2" in block
    assert 'href="/paths/1h/intro"' in block and "Commencer" in block
    _finish_1h(lea)
    block = client.get("/").text.split('id="ma-formation"')[1].split("</section>")[0]
    assert "En retard" not in block and "Reprendre" not in block
    assert re.search(r'href="/certificates/[\w-]+">Voir l’attestation', block)


def test_home_without_a_group_has_no_training_block(client: TestClient, learner: Learner) -> None:
    assert 'id="ma-formation"' not in client.get("/").text


def test_finished_path_links_the_certificate_and_hides_time_left(
    client: TestClient, learner: Learner
) -> None:
    learner.pass_intro()
    page = client.get("/paths/1h").text
    assert f"1{NBSP}module terminé sur 2" in page and "Temps restant estimé" in page
    _finish_1h(learner)
    page = client.get("/paths/1h").text
    assert f"2{NBSP}modules terminés sur 2" in page and "Temps restant estimé" not in page
    home = client.get("/").text
    assert re.search(r'href="/certificates/[\w-]+">Parcours terminé', home)
    mine = client.get("/mes-formations").text
    assert "Parcours terminé" not in mine  # no group: nothing to show there


def test_finished_group_path_says_see_the_certificate(client: TestClient, make_user) -> None:
    lea, _ = _cohort_learner(client, make_user)
    _finish_1h(lea)
    card = client.get("/mes-formations").text
    assert re.search(r'href="/certificates/[\w-]+">Voir l’attestation', card)
    assert ">Reprendre<" not in card


def test_empty_plan_explains_itself_without_downloads(client: TestClient, learner: Learner) -> None:
    page = client.get("/plan").text
    assert "Votre plan est encore vide" in page
    assert 'href="/plan.pdf"' not in page and 'href="/plan.md"' not in page


def test_plan_shows_only_the_prompts_of_the_followed_path(
    client: TestClient, learner: Learner
) -> None:
    learner.post("/paths/1h/start")
    page = client.get("/plan").text
    assert "Mon idée d’alliance" in page and "Notre organisation" not in page
    assert f"1{NBSP}réflexion" in page and 'href="/plan.pdf"' not in page
    learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Un jardin partagé."})
    page = client.get("/plan").text
    assert f"1{NBSP}réponse sur 1" in page and 'href="/plan.pdf"' in page
    assert "Notre organisation" not in client.get("/plan.md").text


def test_reflection_fields_have_their_own_labels(client: TestClient, learner: Learner) -> None:
    page = client.get("/paths/12h/atelier").text
    labels = re.findall(r'<label for="atelier-[\w-]+-reponse">(.*?)</label>', page, re.S)
    assert len(labels) == 2 and labels[0] != labels[1]
    assert "Notre organisation" in labels[0] and "Nos objectifs" in labels[1]
    assert all("visible par vous seul" in label for label in labels)
    names = re.findall(r'<h3 id="atelier-[\w-]+-titre">(.*?)</h3>', page, re.S)
    assert len(set(names)) == 2


def test_reflection_label_follows_the_plan_sharing(client: TestClient, make_user) -> None:
    lea, cohort = _cohort_learner(client, make_user)
    lea.post(f"/mes-formations/{cohort}/partage", {"share": "1"})
    label = re.search(
        r'<label for="lecture-idee-reponse">(.*?)</label>',
        client.get("/paths/1h/lecture").text,
        re.S,
    )[1]
    assert "visible par vous et les formateurs du groupe" in label and "Promo Lille" in label
    assert "vous seul" not in label


def test_expired_form_says_so_and_leads_back(client: TestClient, learner: Learner) -> None:
    back = "http://testserver/paths/1h/intro"
    response = client.post(
        "/paths/1h/start", data={"csrf_token": "périmé"}, headers={"referer": back}
    )
    assert response.status_code == 403
    assert "<h1>Formulaire expiré</h1>" in response.text
    assert 'href="/paths/1h/intro">Revenir à la page du formulaire' in response.text
    foreign = client.post(
        "/paths/1h/start",
        data={"csrf_token": "x"},
        headers={"referer": "https://ailleurs.example/a"},
    )
    assert "Formulaire expiré" in foreign.text and "ailleurs" not in foreign.text
    assert "Revenir à la page du formulaire" not in foreign.text


def test_dashboard_counts_invitations_with_real_plurals(client: TestClient, make_user) -> None:
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer)
    one = client.get(f"/trainer/cohorts/{cohort}?invites=1").text
    three = client.get(f"/trainer/cohorts/{cohort}?invites=3").text
    assert f"1{NBSP}invitation enregistrée," in one
    assert f"3{NBSP}invitations enregistrées," in three
    assert "(s)" not in one + three
    assert (
        "invitation"
        not in client.get(f"/trainer/cohorts/{cohort}?invites=abc").text.split("Synthèse")[0]
    )


def test_course_guillemets_hold_their_words() -> None:
    text = (Path(__file__).parents[1] / "content" / "course.yaml").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "« " not in body and " »" not in body


def test_expired_quiz_keeps_the_answers_and_records_nothing(
    client: TestClient, learner: Learner
) -> None:
    url = "/paths/1h/intro"
    token = learner.attempt(url)
    response = client.post(
        url,
        data={
            "csrf_token": "périmé",
            "tentative": token,
            "intro-mode": "a",
            "intro-acteurs": ["a", "b"],
            "intro-classement": "faux",
        },
        follow_redirects=False,
    )
    assert response.status_code == 403 and "Formulaire expiré" in response.text
    assert re.search(r'<input[^>]*name="intro-mode"[^>]*value="a"[^>]*checked', response.text)
    assert f'value="{token}"' in response.text
    assert "badge-done" not in client.get("/paths/1h").text  # nothing was recorded
    assert (
        "badge-done" in learner.pass_intro().text or "badge-done" in client.get("/paths/1h").text
    )  # the same answers, sent with a good token, do pass
    forged = client.post(url, data={"csrf_token": "x", "tentative": "faux", "intro-mode": "a"})
    assert forged.status_code == 403 and "<h1>Formulaire expiré</h1>" in forged.text
