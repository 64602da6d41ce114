"""What every group of domain methods needs from a backend, typed for mypy.

Each backend (SQLite, PostgreSQL) provides these; the domain mixins only call them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from server.storage.records import Step

Params = Sequence[Any] | Mapping[str, Any]


class Database:
    """The plumbing the domain methods call: read, write, write atomically."""

    # The values of a JSON array passed as one parameter (`{}` is its placeholder), as
    # a subquery: text values, and integer ids. PostgreSQL has its own spelling.
    _json_texts = "SELECT value FROM json_each({})"
    _json_ids = "SELECT value FROM json_each({})"

    if TYPE_CHECKING:

        async def _all(self, sql: str, params: Params = ()) -> list[Any]: ...
        async def _one(self, sql: str, params: Params = ()) -> Any | None: ...
        async def _write(self, sql: str, params: Params = ()) -> list[Any]: ...
        async def _write_if_any(self, sql: str, params: Params = ()) -> list[Any]: ...
        async def _transaction(self, steps: Sequence[Step]) -> list[list[Any]]: ...
        async def _serialized(self, key: str, steps: Sequence[Step]) -> list[list[Any]]: ...
