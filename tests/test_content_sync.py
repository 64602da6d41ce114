"""Content reloads reach every instance through one row they all watch (server/content_sync.py).

In process, on both backends: two `LiveContent`s stand for two instances; the
real two-process check is tests/test_instances.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.content import LiveContent, compile_snapshot
from server.content_sync import announcer, follow_content
from server.settings import Settings
from server.state import app_state
from server.storage import Storage, open_storage
from tests.test_reload import break_module, retitle


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    return Settings(
        database=tmp_path / "var" / "sync.db",
        database_url=url,
        content_dir=tmp_path,
        secret_key="k",
    )


def instance(content: Path, storage: Storage) -> LiveContent:
    live = LiveContent(content, compile_snapshot(content))
    live.announce = announcer(storage)
    return live


async def until(condition, seconds: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_the_row_holds_the_last_announced_version(backend: Settings) -> None:
    async def run() -> None:
        storage = open_storage(backend)
        await storage.open()
        try:
            assert await storage.content_state() is None
            await storage.announce_content("aaa", "2026-01-01T00:00:00+00:00")
            await storage.announce_content("bbb", "2026-01-01T00:00:02+00:00")
            assert await storage.content_state() == ("bbb", "2026-01-01T00:00:02+00:00")
        finally:
            await storage.close()

    asyncio.run(run())


def test_a_reload_on_one_instance_reaches_the_other(backend: Settings, content_dir: Path) -> None:
    async def run() -> None:
        storage = open_storage(backend)
        await storage.open()
        first, second = instance(content_dir, storage), instance(content_dir, storage)
        follower = asyncio.create_task(follow_content(second, storage, every=0.05))
        try:
            await asyncio.sleep(0.1)
            retitle(content_dir, "Titre venu d'ailleurs")
            assert await first.reload()  # the editor's button, or SIGHUP, on the first
            version = first.snapshot.course.version
            assert (await storage.content_state() or ("",))[0] == version
            await until(lambda: second.snapshot.course.version == version)
            assert second.snapshot.course.modules["intro"].title == "Titre venu d'ailleurs"
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            await storage.close()

    asyncio.run(run())


def test_followers_reload_only_for_a_new_announcement(
    backend: Settings, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their own version announced, or a broken copy refused once: no reload every poll."""

    async def run() -> None:
        storage = open_storage(backend)
        await storage.open()
        second = instance(content_dir, storage)
        reloads: list[bool] = []
        real = second.reload

        async def counted(*, announce: bool = True) -> bool:
            reloads.append(announce)
            return await real(announce=announce)

        monkeypatch.setattr(second, "reload", counted)
        follower = asyncio.create_task(follow_content(second, storage, every=0.02))
        try:
            await asyncio.sleep(0.05)
            await storage.announce_content(second.snapshot.course.version, "2026-01-01T00:00:00Z")
            await asyncio.sleep(0.2)
            assert reloads == []  # it serves that version already
            break_module(content_dir)
            await storage.announce_content("autre", "2026-01-01T00:00:05Z")
            await until(lambda: len(reloads) == 1)
            await asyncio.sleep(0.2)
            assert reloads == [False]  # tried once, refused, not announced, not retried
            assert second.errors  # the broken copy is reported as a local reload's would be
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            await storage.close()

    asyncio.run(run())


def test_the_editor_page_announces_its_reload(client, make_user, content_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sign_in

    make_user("editrice@example.fr", "Édith Éditrice", "editor")
    editor = sign_in(client, "editrice@example.fr")
    retitle(content_dir, "Titre annoncé")
    assert editor.post("/editor/content/reload").headers["location"].endswith("=ok")
    version = client.get("/healthz").json()["content_version"]
    state = client.portal.call(app_state(client.app).storage.content_state)
    assert state is not None and state[0] == version
