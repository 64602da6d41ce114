"""Instances on one database sign with the same keys, or the newcomer does not start.

Badge and LTI keys are files on each machine (server/key_agreement.py): a second
app server that made its own « key 1 » would sign credentials and messages that
the first one's status list and keyset cannot vouch for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from server.cli import main
from server.credentials.keys import write_new_key
from server.lti.keys import new_tool_key
from tests.conftest import FIXTURE_COURSE


def serve(
    database: str, keys: Path, monkeypatch: pytest.MonkeyPatch, lti: Path | None = None
) -> int:
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(FIXTURE_COURSE))
    monkeypatch.setenv("ALLIANCES_DATABASE", database)
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(keys))
    if lti is not None:
        monkeypatch.setenv("ALLIANCES_LTI_KEYS", str(lti))
    ran: list[bool] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: ran.append(True))
    code = main(["serve"])
    assert code != 0 or ran == [True]
    return code


def first_key_only(keys: Path, tmp_path: Path) -> Path:
    """The folder as a machine has it when the rotation's new key was not copied to it."""
    behind = tmp_path / "behind"
    behind.mkdir()
    (behind / "0001.pem").write_bytes((keys / "0001.pem").read_bytes())
    return behind


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "site.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_a_second_instance_with_other_badge_keys_refuses_to_start(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, copy, other = tmp_path / "first", tmp_path / "copy", tmp_path / "other"
    write_new_key(first)
    copy.mkdir()
    (copy / "0001.pem").write_bytes((first / "0001.pem").read_bytes())
    write_new_key(other)
    assert serve(database, first, monkeypatch) == 0
    assert serve(database, copy, monkeypatch) == 0  # the same key, copied: welcome
    capsys.readouterr()
    assert serve(database, other, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "badge signing keys in" in err and "key 1 differs from theirs" in err
    assert "copy their key folder here" in err
    assert len(err.strip().splitlines()) == 1


def test_a_rotation_on_one_instance_must_reach_the_others(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = tmp_path / "keys"
    write_new_key(keys)
    lti = tmp_path / "lti"
    new_tool_key(lti)
    assert serve(database, keys, monkeypatch, lti) == 0
    write_new_key(keys)  # rotated here: key 2 is recorded by the next start
    assert serve(database, keys, monkeypatch, lti) == 0
    elsewhere = tmp_path / "elsewhere-lti"
    new_tool_key(elsewhere)
    capsys.readouterr()
    assert serve(database, keys, monkeypatch, elsewhere) == 2
    assert "LTI keys in" in capsys.readouterr().err
    capsys.readouterr()
    assert serve(database, first_key_only(keys, tmp_path), monkeypatch, lti) == 2
    assert "key 2 is missing here" in capsys.readouterr().err


def test_the_app_itself_refuses_to_start_with_other_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started without the CLI (a test client, another ASGI server): the lifespan checks."""
    from server.app import create_app
    from server.settings import Settings

    def settings(keys: Path) -> Settings:
        write_new_key(keys)
        return Settings.from_env(
            {
                "ALLIANCES_DATABASE": str(tmp_path / "site.db"),
                "ALLIANCES_CONTENT_DIR": str(FIXTURE_COURSE),
                "ALLIANCES_BADGE_KEYS": str(keys),
                "ALLIANCES_SECRET_KEY": "k" * 40,
            }
        )

    async def start(make: Callable[[], Settings]) -> None:
        app = create_app(make())
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start(lambda: settings(tmp_path / "a")))
    with pytest.raises(RuntimeError, match="key 1 differs from theirs"):
        asyncio.run(start(lambda: settings(tmp_path / "b")))
