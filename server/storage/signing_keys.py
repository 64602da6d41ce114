"""SQL for the public signing keys the instances must share: part of the storage layer.

Badge keys (issue #16) and LTI keys (issue #17) are files on each machine's disk.
Two machines that each made their own « key 1 » would sign credentials the other's
status list or keyset cannot vouch for; the first instance records its public keys
and every later one compares (server/key_agreement.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.storage.base import Database
from server.storage.records import Step


class SigningKeyQueries(Database):
    """Which public key each (kind, number) is, as the first instance recorded it."""

    async def record_keys(self, kind: str, keys: Sequence[tuple[int, str]]) -> dict[int, str]:
        """Record the keys not yet known; every recorded key of `kind`, by number.

        One transaction: two instances starting together record one set, and the
        second reads it back to compare.
        """
        steps: list[Step] = [
            (
                "INSERT INTO signing_keys (kind, number, public_key) VALUES (?, ?, ?)"
                " ON CONFLICT (kind, number) DO NOTHING",
                (kind, number, public),
            )
            for number, public in keys
        ]
        steps.append(("SELECT number, public_key FROM signing_keys WHERE kind = ?", (kind,)))
        *_, rows = await self._transaction(steps)
        return {int(row[0]): str(row[1]) for row in rows}
