"""Questions to the cohort's trainers (issue #18 §2): asked, mailed, answered, read; who
may read a thread; the limits; the data export and the account's erasure."""

from __future__ import annotations

import asyncio
import re

from starlette.testclient import TestClient

from server.settings import Settings
from server.storage import open_storage
from tests import sql
from tests.conftest import Learner, sign_in
from tests.test_trainer import join_code, new_cohort, world  # noqa: F401  (fixture)

ASK = "/paths/1h/intro/questions"


def ask(client: TestClient, text: str = "Que veut dire « co-construction » ?"):
    return sign_in(client, "lea@example.fr").post(ASK, {"message": text})


def thread_id(client: TestClient) -> int:
    return int(sql.value(client, "SELECT max(id) FROM questions"))


def test_the_journey(client: TestClient, world: dict) -> None:  # noqa: F811
    sign_in(client, "lea@example.fr")
    assert "Poser une question au formateur" in client.get("/paths/1h/intro").text
    form = client.get(ASK).text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form)[1]  # type: ignore[index]
    assert token  # the form macro sees the page's token (an empty one was a 403)
    sent = ask(client)
    assert sent.status_code == 303 and sent.headers["location"] == ASK + "?envoyee=1"
    mail = sql.rows(client, "SELECT recipient, text_body FROM outbox WHERE kind = 'question_asked'")
    assert [m[0] for m in mail] == ["formatrice@example.fr"]  # not the other cohort's trainer
    assert "co-construction" in mail[0][1] and "/learners/" in mail[0][1]
    # The trainer sees it unread on the learner's page, reads it, answers.
    trainer = sign_in(client, "formatrice@example.fr")
    lea = sql.value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")
    detail = client.get(f"/trainer/cohorts/{world['cohort']}/learners/{lea}").text
    assert "Non lue" in detail and f"/questions/{thread_id(client)}" in detail
    page = client.get(f"/questions/{thread_id(client)}").text
    assert "co-construction" in page and "Répondre" in page
    detail = client.get(f"/trainer/cohorts/{world['cohort']}/learners/{lea}").text
    assert "Non lue" not in detail
    answered = trainer.post(f"/questions/{thread_id(client)}", {"message": "Agir ensemble."})
    assert answered.status_code == 303
    (to,) = sql.rows(client, "SELECT recipient FROM outbox WHERE kind = 'question_answered'")
    assert to == ("lea@example.fr",)
    # The learner reads the dated thread, with its module.
    sign_in(client, "lea@example.fr")
    page = client.get(ASK).text
    assert "Agir ensemble." in page and "Fanny Formatrice (formateur)" in page
    mine = client.get("/mes-formations").text
    assert f"/questions/{thread_id(client)}" in mine and "2\u00a0messages" in mine
    # A follow-up makes it unread for the trainer again.
    Learner(client).post(f"/questions/{thread_id(client)}", {"message": "Merci !"})
    assert sql.value(client, "SELECT trainer_unread FROM questions") == 1


def test_only_the_learner_and_the_cohorts_trainers_read_a_thread(
    client: TestClient,
    world: dict,  # noqa: F811
    make_user,
) -> None:
    ask(client)
    url = f"/questions/{thread_id(client)}"
    for email in ("autre@example.fr", "=cmd@example.fr", "editeur@example.fr"):
        sign_in(client, email)
        assert client.get(url).status_code == 404, email
        assert Learner(client).post(url, {"message": "intrus"}).status_code == 404, email
    sign_in(client, "admin@example.fr")
    assert client.get(url).status_code == 200
    client.cookies.clear()
    assert client.get(url, follow_redirects=False).status_code == 303  # to the login page


def test_a_learner_outside_a_cohort_cannot_ask(client: TestClient, world: dict) -> None:  # noqa: F811
    client.cookies.clear()
    Learner(client).signup(email="solo@example.fr", name="Solo")
    assert "Poser une question" not in client.get("/paths/1h/intro").text
    assert "aucun formateur" in client.get(ASK).text
    assert Learner(client).post(ASK, {"message": "Bonjour"}).status_code == 404
    assert sql.value(client, "SELECT count(*) FROM questions") == 0


def test_limits(client: TestClient, world: dict) -> None:  # noqa: F811
    empty = ask(client, "   ")
    assert empty.status_code == 400 and "Écrivez votre message." in empty.text
    long = ask(client, "x" * 4001)
    assert long.status_code == 400 and "4\u202f000\u00a0caractères" in long.text
    for _ in range(10):
        assert ask(client).status_code == 303
    refused = ask(client, "Encore une")
    assert refused.status_code == 429 and "réessayez dans" in refused.text
    assert "Retry-After" in refused.headers and "Encore une" in refused.text
    assert sql.value(client, "SELECT count(*) FROM questions") == 10
    # No CSRF token, no question.
    forged = client.post(ASK, data={"message": "forgée"}, follow_redirects=False)
    assert (
        forged.status_code in (400, 403)
        and sql.value(client, "SELECT count(*) FROM questions") == 10
    )


def test_export_and_erasure(client: TestClient, world: dict, settings: Settings) -> None:  # noqa: F811
    ask(client)
    trainer = sign_in(client, "formatrice@example.fr")
    trainer.post(f"/questions/{thread_id(client)}", {"message": "Agir ensemble."})
    lea = sql.value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")

    async def go(retain: bool) -> tuple[dict, int]:
        db = open_storage(settings)
        await db.open()
        try:
            data = await db.personal_data(lea)
            exchanges = await db.learner_exchanges(world["cohort"], lea)
            assert [(e.from_trainer, e.author_name) for e in exchanges] == [
                (False, "Léa"),
                (True, "Fanny Formatrice"),
            ]
            purge = "2999-01-01T00:00:00+00:00" if retain else None
            await db.delete_account(lea, "2026-11-27T10:00:00+00:00", purge)
            kept = len(await db.learner_exchanges(world["cohort"], lea))
            if retain:
                assert await db.purge_due("3000-01-01T00:00:00+00:00") == 1
                assert await db.learner_exchanges(world["cohort"], lea) == []
            return data, kept
        finally:
            await db.close()

    data, kept = asyncio.run(go(retain=True))
    messages = [q["message"] for q in data["questions"]]
    assert "Agir ensemble." in messages and any("co-construction" in m for m in messages)
    assert kept == 2  # kept, the learner's name gone with the account


def test_erasure_without_retention(client: TestClient, world: dict, settings: Settings) -> None:  # noqa: F811
    ask(client)
    lea = sql.value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")

    async def go() -> None:
        db = open_storage(settings)
        await db.open()
        try:
            await db.delete_account(lea, "2026-11-27T10:00:00+00:00", None)
        finally:
            await db.close()

    asyncio.run(go())
    assert sql.value(client, "SELECT count(*) FROM questions") == 0
    assert sql.value(client, "SELECT count(*) FROM question_messages") == 0
