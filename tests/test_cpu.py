"""`alliances serve --cpu`: the server and the threads it starts run on one CPU."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from server.cli import main
from server.cpu import pin
from tests.conftest import FIXTURE_COURSE

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")


def test_threads_started_after_pinning_inherit_the_cpu() -> None:
    seen: dict[str, object] = {}

    def server() -> None:  # pinned in its own thread, so the test process is not
        seen["cpu"] = pin("auto")
        later = threading.Thread(target=lambda: seen.update(later=os.sched_getaffinity(0)))
        later.start()
        later.join()

    before = os.sched_getaffinity(0)
    thread = threading.Thread(target=server)
    thread.start()
    thread.join()
    assert seen["cpu"] == min(before) and seen["later"] == {seen["cpu"]}
    assert os.sched_getaffinity(0) == before


@pytest.mark.parametrize(
    ("choice", "message"),
    [("99999", "CPU 99999 is not available to this process"), ("un", "a CPU number or 'auto'")],
)
def test_a_cpu_that_cannot_be_used_is_refused_readably(
    choice: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ValueError, match=message):
        pin(choice)
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(FIXTURE_COURSE))
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "a.db"))
    monkeypatch.setenv("ALLIANCES_CPU", choice)
    assert main(["serve"]) == 2
    assert message in capsys.readouterr().err
