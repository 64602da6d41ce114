"""Workers starting together on a new site make ONE first key, and all of them use it.

`alliances serve --workers 2` starts its workers at the same moment; each loads
the badge keys (and the LTI keys on first use) and makes the first key when the
folder has none. Before: each wrote the same partial file (one lost it under the
other: « No such file »), or saw the other's key appear and wrote key 2 beside it,
so two workers signed with two different keys.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from server.credentials.keys import load_keys
from server.lti.keys import load_tool_keys

WORKERS = 6


def _badge_key(folder: str) -> str:
    return load_keys(Path(folder), create=True).current.did


def _lti_key(folder: str) -> str:
    return str(load_tool_keys(Path(folder), create=True).current.public_jwk()["kid"])


def _start(load: Callable[[str], str], folder: str, barrier: Any, answers: Any) -> None:
    barrier.wait()
    try:
        answers.put(load(folder))
    except Exception as exc:  # reported to the test, which fails with it
        answers.put(f"error: {exc!r}")


@pytest.mark.parametrize("load", [_badge_key, _lti_key], ids=["badge", "lti"])
def test_workers_starting_together_share_one_first_key(
    load: Callable[[str], str], tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    for trial in range(3):
        folder = tmp_path / f"keys-{trial}"
        barrier, answers = context.Barrier(WORKERS), context.Queue()
        workers = [
            context.Process(target=_start, args=(load, str(folder), barrier, answers))
            for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        seen = {answers.get(timeout=5) for _ in workers}
        assert len(seen) == 1, seen  # one key, and no error
        assert [p.name for p in sorted(folder.glob("*.pem"))] == ["0001.pem"]
        assert not list(folder.glob(".*partial"))  # nothing left half-written
