"""SQL for the editors' item analysis: part of the storage layer.

Mixed into `server.storage.Storage`. One read query returns each learner's
first attempt at each module asked for; course/item_analysis.py judges them
in one pass. (Judging in SQL with json_each was tried and measured: sorting
1.6 million unpacked answers for the GROUP BY took several times longer than
judging the few distinct attempts in Python; see docs/PERFORMANCE.md.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import aiosqlite

from server.storage.base import Database


class ItemQueries(Database):
    """Learners' first attempts, for per-question statistics."""

    async def attempts_stamp(self) -> tuple[int, int]:
        """(highest id, count) of the attempts: changes whenever one is added or deleted.

        Read from the table's b-tree alone (a few milliseconds for 400,000 rows),
        it tells whether tallies computed earlier still hold.
        """
        row = await self._all("SELECT ifnull(max(id), 0), count(*) FROM attempts")
        return int(row[0][0]), int(row[0][1])

    async def first_attempts(self, module_ids: Iterable[str]) -> list[aiosqlite.Row]:
        """(module id, answers JSON) of every learner's first attempt at these modules.

        The lowest attempt id per learner and module comes from the covering
        index attempts_user_module (the rowid is in it): no table scan, no sort.
        The rows are handed over as they come (a row is a hashable pair): copying
        280,000 of them into tuples would cost a fifth of the whole page.
        """
        return await self._all(
            "SELECT a.module_id, a.answers FROM (SELECT min(id) AS id FROM attempts"
            f" WHERE module_id IN ({self._json_texts.format('?')}) GROUP BY user_id, module_id) f"
            " JOIN attempts a ON a.id = f.id",
            (json.dumps(list(module_ids)),),
        )
