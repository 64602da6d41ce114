"""Trainers' and admins' pages say what they show and ask before what cannot be undone (#13)."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

from starlette.testclient import TestClient

from course.option_counts import option_counts
from server.state import app_state
from tests.conftest import sign_in
from tests.test_trainer import join_code, world  # noqa: F401 (world is a fixture)


def dashboard_url(world: dict) -> str:  # noqa: F811 (the fixture's value, not the fixture)
    return f"/trainer/cohorts/{world['cohort']}"


def test_dashboard_names_each_module_in_the_page_not_in_a_title(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world)).text
    legend = re.search(r'<ul class="module-key".*?</ul>', page, re.S)[0]
    course = app_state(client.app).content.snapshot.course
    titles = [m.title for m in course.path_modules(course.path("1h"))]
    for number, title in enumerate(titles, 1):
        assert f"<strong>M{number}</strong>&nbsp;: {title}" in unescape(legend).replace(
            "\u00a0", "&nbsp;"
        )
    assert 'title="' not in re.search(r"<thead>.*?</thead>", page, re.S)[0]


def test_replacing_the_join_link_is_confirmed_then_reported(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world)).text
    step = re.search(r'<details class="confirm">.*?</details>', page, re.S)[0]
    assert "cessera de fonctionner" in step and 'value="rotate"' in step
    done = trainer.post(dashboard_url(world) + "/join-link", {"action": "rotate"})
    assert "fait=lien-remplace" in done.headers["location"]
    after = client.get(done.headers["location"]).text
    assert "l’ancien ne fonctionne plus" in after
    assert client.get(f"/join/{world['code']}").status_code == 404


def test_invitation_message_is_ready_to_copy(client: TestClient, world) -> None:  # noqa: F811
    sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world)).text
    code = join_code(client, world["cohort"])
    message = re.search(r'<textarea id="invitation-message"[^>]*>(.*?)</textarea>', page, re.S)
    assert message and "readonly" in message[0]
    assert f"/join/{code}" in message[1] and "Promo Lille" in message[1]
    assert 'for="invitation-message"' in page


def test_pending_invitations_show_who_when_and_status(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    url = dashboard_url(world) + "/import"
    preview = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("l.csv", b"email;nom\nnina@example.fr;Nina\n", "text/csv")},
    )
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    trainer.post(url + "/confirm", {"payload": payload})
    page = client.get(dashboard_url(world)).text
    table = re.search(r'<table class="data invitations">.*?</table>', page, re.S)[0]
    assert "<caption>Personnes invitées (1)</caption>" in table
    assert "nina@example.fr (Nina)" in table and "En attente de réponse" in table


def test_removing_a_learner_is_confirmed_then_reported(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world)).text
    learner_url = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)">Léa<', page)[1]
    detail = client.get(learner_url).text
    step = re.search(r'<details class="confirm">.*?</details>', detail, re.S)[0]
    assert 'action="' + learner_url + '/remove"' in step and "Confirmer le retrait" in step
    done = trainer.post(learner_url + "/remove")
    assert done.headers["location"].endswith("?fait=retire")
    assert "a été retirée du groupe" in client.get(done.headers["location"]).text


def test_learner_detail_lists_their_attempts(client: TestClient, world) -> None:  # noqa: F811
    sign_in(client, "lea@example.fr").quiz(
        "/paths/1h/intro", {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "faux"}
    )
    sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world)).text
    learner_url = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)">Léa<', page)[1]
    detail = client.get(learner_url).text
    table = re.search(r"<caption>Tentatives de Léa</caption>.*?</table>", detail, re.S)[0]
    rows = re.findall(r"<tr><td>", table)
    assert len(rows) == 2  # the fixture's pass, then this failed attempt, newest first
    assert table.index("Non réussi") < table.index(">Réussi<")


def test_a_past_due_date_is_questioned_at_creation(client: TestClient, world) -> None:  # noqa: F811
    trainer = sign_in(client, "formatrice@example.fr")
    form = {"name": "Promo passée", "path_id": "1h", "due_date": "2001-05-04"}
    asked = trainer.post("/trainer/cohorts", form)
    assert asked.status_code == 400
    assert "déjà passée" in asked.text and 'name="past_ok"' in asked.text
    assert 'aria-describedby="due_date-error"' in asked.text
    kept = trainer.post("/trainer/cohorts", {**form, "past_ok": "1"})
    assert kept.status_code == 303
    future = trainer.post("/trainer/cohorts", {**form, "due_date": "2999-01-01"})
    assert future.status_code == 303


def test_cohort_form_errors_sit_under_their_fields(client: TestClient, world) -> None:  # noqa: F811
    trainer = sign_in(client, "formatrice@example.fr")
    bad = trainer.post("/trainer/cohorts", {"name": "", "path_id": "9h", "due_date": ""})
    assert bad.status_code == 400
    summary = re.search(r'<div class="alert alert-error"[^>]*>', bad.text)[0]
    assert "data-focus" in summary and 'tabindex="-1"' in summary
    assert re.search(r'id="name"[^>]*aria-invalid="true" aria-describedby="name-error"', bad.text)
    assert '<p class="field-error" id="name-error">Donnez un nom au groupe.</p>' in bad.text
    assert 'id="path_id-error">Choisissez le parcours du groupe.</p>' in bad.text
    assert '<a href="#path_id">' in bad.text


def test_co_trainer_error_shows_under_the_field(client: TestClient, world) -> None:  # noqa: F811
    trainer = sign_in(client, "formatrice@example.fr")
    url = dashboard_url(world)
    bad = trainer.post(url + "/trainers", {"email": "lea@example.fr"})
    assert bad.status_code == 400
    assert "<h1>Promo Lille" in bad.text  # the dashboard, not an error page
    assert 'aria-describedby="trainer-email-error"' in bad.text
    assert 'id="trainer-email-error">Aucun formateur ne correspond' in bad.text
    assert 'value="lea@example.fr"' in bad.text
    added = trainer.post(url + "/trainers", {"email": "autre@example.fr"})
    assert "fait=formateur" in added.headers["location"]
    assert "Co-formateur ajouté" in client.get(added.headers["location"]).text


def test_role_changes_are_confirmed_then_reported(client: TestClient, world) -> None:  # noqa: F811
    admin = sign_in(client, "admin@example.fr")
    page = client.get("/admin/users?q=lea").text
    assert "<caption>Comptes correspondant à" in page
    user_id = re.search(r"/admin/users/(\d+)/roles", page)[1]
    step = re.search(r'<details class="confirm">.*?</details>', page, re.S)[0]
    assert "Donner le rôle formateur à Léa" in step.replace("\u00a0", " ")
    done = admin.post(
        f"/admin/users/{user_id}/roles",
        {"role": "trainer", "action": "grant", "back": "/admin/users?q=lea&page=1"},
    )
    location = done.headers["location"]
    assert location.startswith("/admin/users?q=lea&page=1&fait=grant")
    assert "Rôle formateur donné à Léa." in client.get(location).text
    bogus = client.get("/admin/users?fait=grant&role=trainer&compte=x")
    assert bogus.status_code == 200 and "alert-success" not in bogus.text


def test_per_question_page_shows_whole_question_and_option_counts(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    sign_in(client, "lea@example.fr").quiz(
        "/paths/1h/intro", {"intro-mode": "b", "intro-acteurs": "a", "intro-classement": "faux"}
    )
    sign_in(client, "formatrice@example.fr")
    page = client.get(dashboard_url(world) + "/questions").text
    assert "<caption>Réussite et options choisies</caption>" in page
    row = re.search(r"<tr>\s*<th scope=\"row\">Quel mode de relation.*?</tr>", page, re.S)[0]
    picks = unescape(row).replace("\u00a0", " ")
    # two attempts: the fixture's (a, right) and this one (b, wrong)
    assert 'Le mécénat</strong> : 1 fois (50 %) <span class="tag">bonne réponse</span>' in picks
    assert "L'innovation sociétale : 1 fois (50 %)" in picks
    assert "La coopération économique : 0 fois (0 %)" in picks


def test_option_counts_ignore_unknown_and_malformed_answers() -> None:
    known = {"intro": frozenset({"q1"})}
    attempts = [
        ("intro", '{"q1": ["a", "a", "b"], "gone": ["a"]}'),
        ("intro", '{"q1": "a"}'),
        ("intro", "[1, 2]"),
        ("removed", '{"q1": ["a"]}'),
        ("intro", '{"q1": ["b", 3]}'),
    ]
    assert option_counts(known, attempts) == {"q1": Counter({"b": 2, "a": 1})}


def test_cohort_list_shows_progress_and_late_counts(client: TestClient, world) -> None:  # noqa: F811
    sign_in(client, "formatrice@example.fr")
    page = client.get("/trainer/cohorts").text
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/trainer/cohorts/\d+\">Promo Lille.*?</tr>", page, re.S
    )
    cells = re.findall(r"<td>(.*?)</td>", row[0].replace("\u00a0", " "))
    # Léa is halfway, the other learner has not started: median 25 %, nobody done, both late
    assert cells[2:6] == ["2", "25 %", "0", '<span class="badge badge-late">2</span>'], cells


def test_sample_csv_is_offered_and_reads_back_as_three_invitations(
    client: TestClient,
    world,  # noqa: F811
) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    url = dashboard_url(world) + "/import"
    assert f'href="{url}/exemple.csv"' in client.get(url).text
    sample = client.get(url + "/exemple.csv")
    assert sample.status_code == 200 and sample.headers["content-type"].startswith("text/csv")
    assert "attachment" in sample.headers["content-disposition"]
    preview = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("exemple.csv", sample.content, "text/csv")},
    )
    assert preview.status_code == 200 and preview.text.count("sera invité") == 3
    assert "Léa Dubois" in preview.text
    sign_in(client, "autre@example.fr")
    assert client.get(url + "/exemple.csv").status_code == 404  # not their cohort
