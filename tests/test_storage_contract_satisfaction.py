"""The satisfaction storage contract (issue #18 §3), on both backends: answers kept with no
link to their author, one answer per learner, path and phase however often it is sent, and
an à-froid link used once and refused once expired."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from server.storage import Storage
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)

AT = "2026-11-02T10:00:00Z"


def test_answers_are_stored_apart_from_their_author(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        lea, _ = await learner(a)
        cohort = await a.create_cohort("Groupe", "1h", None, lea, "CODE1", AT)
        assert await a.satisfaction_state(lea, "1h", "hot") is None
        await a.offer_satisfaction(lea, "1h", "hot", cohort, AT)
        await b.offer_satisfaction(lea, "1h", "hot", cohort, AT)  # once
        assert await b.satisfaction_state(lea, "1h", "hot") == "invited"
        answers = {"pertinence": 5, "commentaire": "Très clair"}
        assert await a.record_satisfaction(lea, "1h", "hot", cohort, answers, "2026-11")
        again = await asyncio.gather(
            a.record_satisfaction(lea, "1h", "hot", cohort, {"pertinence": 1}, "2026-11"),
            b.record_satisfaction(lea, "1h", "hot", cohort, None, "2026-11"),
        )
        assert again == [False, False]
        assert await b.satisfaction_state(lea, "1h", "hot") == "answered"
        stored = await b.satisfaction_answers("hot", "1h")
        assert [(s.cohort_id, s.month, s.answers) for s in stored] == [(cohort, "2026-11", answers)]
        assert await a.satisfaction_answers("hot", "1h", [cohort + 1]) == []
        assert await a.satisfaction_answers("hot", "1h", []) == []
        assert await a.satisfaction_answers("cold") == []
        reach = await a.satisfaction_reach("hot", "1h", cohort)
        assert (reach.asked, reach.answered) == (1, 1)
        assert await a.satisfaction_asked_rows(lea) == [("1h", "hot", "answered")]

    contract(scenario)


def test_the_answer_row_names_nobody(tmp_path: Path) -> None:
    """No column of the answers table can hold who answered, nor an ordered id."""
    from server.storage.sqlite import SqliteStorage

    async def main() -> None:
        db = SqliteStorage(tmp_path / "a.db")
        await db.open()
        try:
            lea, _ = await learner(db)
            await db.record_satisfaction(lea, "1h", "hot", None, {"pertinence": 4}, "2026-11")
            await db.record_satisfaction(lea, "4h", "hot", None, {"pertinence": 2}, "2026-11")
        finally:
            await db.close()

    asyncio.run(main())
    with sqlite3.connect(tmp_path / "a.db") as raw:
        columns = [r[1] for r in raw.execute("PRAGMA table_info(satisfaction_answers)")]
        rows = raw.execute("SELECT id, month, answers FROM satisfaction_answers").fetchall()
    assert columns == ["id", "path_id", "cohort_id", "phase", "month", "answers"]
    assert len(rows) == 2
    assert all(len(r[0]) == 32 and r[1] == "2026-11" for r in rows)
    assert all("lea" not in r[2] and "Martin" not in r[2] for r in rows)


def test_declining_counts_as_asked_not_answered(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        lea, _ = await learner(a)
        assert await a.record_satisfaction(lea, "4h", "hot", None, None, "2026-11")
        assert not await b.record_satisfaction(lea, "4h", "hot", None, {"a": 3}, "2026-11")
        assert await b.satisfaction_state(lea, "4h", "hot") == "declined"
        assert await a.satisfaction_answers("hot") == []
        reach = await b.satisfaction_reach("hot")
        assert (reach.asked, reach.answered) == (1, 0)

    contract(scenario)


def test_the_asked_records_are_exported_and_go_with_the_account(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        lea, _ = await learner(a)
        await a.offer_satisfaction(lea, "1h", "hot", None, AT)
        await a.record_satisfaction(lea, "1h", "hot", None, {"pertinence": 4}, "2026-11")
        data = await b.personal_data(lea)
        assert data["satisfaction"] == [
            {
                "path_id": "1h",
                "questionnaire": "hot",
                "state": "answered",
                "invited_at": AT,
                "reminded_at": None,
            }
        ]
        assert "pertinence" not in json.dumps(data)  # the answers are not theirs to export
        await b.delete_account(lea, AT)
        assert await a.satisfaction_asked_rows(lea) == []
        assert len(await a.satisfaction_answers("hot")) == 1  # anonymous: it stays

    contract(scenario)
