"""The Open Badges storage contract (issue #16), on both backends: one status index per
certificate whoever asks first, the first signed credential kept, and the revoked bits."""

from __future__ import annotations

import asyncio

from course.certificates import Certificate
from server.clock import now
from server.storage import Storage
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)


def _certificate(user_id: int, number: int, path_id: str) -> Certificate:
    return Certificate(
        id=f"cert-{number}",
        user_id=user_id,
        path_id=path_id,
        learner_name="Léa Martin",
        path_title="Découvrir",
        duration_minutes=60,
        course_title="Alliances",
        content_version="c1",
        issued_at=now(),
    )


def test_status_index_is_given_once_and_the_first_credential_stays(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, _ = await learner(a)
        first = await a.issue_certificate(_certificate(user_id, 1, "1h"))
        second = await a.issue_certificate(_certificate(user_id, 2, "4h"))
        slots = await asyncio.gather(*(db.badge_slot(first.id) for db in (a, b, a, b)))
        assert len(set(slots)) == 1 and slots[0][1] is None
        other, _ = await b.badge_slot(second.id)
        assert other != slots[0][0]
        kept = await asyncio.gather(
            a.keep_badge(first.id, '{"n": 1}'), b.keep_badge(first.id, "{}")
        )
        assert kept[0] == kept[1]  # both callers serve the one stored
        assert await b.badge_slot(first.id) == (slots[0][0], kept[0])
        assert await a.badge_statuses() == (max(other, slots[0][0]), [])
        assert await a.revoke_certificate(second.id, "erreur")
        assert await b.badge_statuses() == (max(other, slots[0][0]), [other])

    contract(scenario)


def test_account_deletion_revokes_and_erases_the_credential(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, _ = await learner(a)
        issued = await a.issue_certificate(_certificate(user_id, 1, "1h"))
        index, _ = await a.badge_slot(issued.id)
        await a.keep_badge(issued.id, '{"name": "Léa Martin"}')
        await a.delete_account(user_id, now(), None, None)
        assert await b.badge_slot(issued.id) == (index, None)  # the name is gone
        assert (await b.badge_statuses())[1] == [index]  # and the bit says revoked

    contract(scenario)


def test_the_data_export_holds_the_signed_credentials(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        user_id, _ = await learner(a)
        other, _ = await learner(a, "paul@example.fr")
        signed = await a.issue_certificate(_certificate(user_id, 1, "1h"))
        unsigned = await a.issue_certificate(_certificate(user_id, 2, "4h"))
        theirs = await a.issue_certificate(_certificate(other, 3, "1h"))
        for certificate in (signed, unsigned, theirs):
            await a.badge_slot(certificate.id)
        credential = '{"type": ["VerifiableCredential"], "proof": [{"proofValue": "z1"}]}'
        await a.keep_badge(signed.id, credential)
        await a.keep_badge(theirs.id, '{"name": "Paul"}')
        (badge,) = (await b.personal_data(user_id))["badges"]
        assert badge["certificate_id"] == signed.id and badge["signed_at"]
        # The JSON as signed, as an object: not a string to decode a second time.
        assert badge["credential"] == {
            "type": ["VerifiableCredential"],
            "proof": [{"proofValue": "z1"}],
        }
        await a.delete_account(user_id, now(), None, None)
        assert (await b.personal_data(user_id))["badges"] == []

    contract(scenario)
