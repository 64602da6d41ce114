"""PDFs are bounded: their own small pool, one per learner, cached, 503 when full."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from starlette.testclient import TestClient

from server.pdf_pool import PdfPool, PoolFull
from server.state import app_state
from server.views.learning import MAX_REFLECTION
from tests.conftest import Learner

REFLECTION = "/paths/12h/atelier/reflections/atelier-diagnostic"


class Builds:
    """A PDF builder that counts its calls and how many ran at once, and can be held."""

    def __init__(self) -> None:
        self.calls = 0
        self.running = 0
        self.most = 0
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, label: str) -> bytes:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(5)
        with self.lock:
            self.running -= 1
        return f"%PDF {label}".encode()


async def started(builds: Builds, calls: int) -> None:
    for _ in range(200):
        if builds.calls >= calls:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the build never started")


def test_same_learner_same_version_shares_one_build() -> None:
    async def scenario() -> None:
        pool, builds = PdfPool(workers=2, backlog=2), Builds()
        first = asyncio.create_task(pool.get(1, "k", builds, "a"))
        second = asyncio.create_task(pool.get(1, "k", builds, "a"))
        await started(builds, 1)
        builds.release.set()
        assert await first == await second == b"%PDF a"
        assert builds.calls == 1
        assert await pool.get(1, "k", builds, "a") == b"%PDF a"  # cached
        assert builds.calls == 1 and pool.busy == 0

    asyncio.run(scenario())


def test_one_build_at_a_time_per_learner() -> None:
    async def scenario() -> None:
        pool, builds = PdfPool(workers=2, backlog=2), Builds()
        old = asyncio.create_task(pool.get(1, "v1", builds, "old"))
        new = asyncio.create_task(pool.get(1, "v2", builds, "new"))
        await started(builds, 1)
        await asyncio.sleep(0.05)
        assert builds.calls == 1  # the newer version waits although a worker is free
        builds.release.set()
        assert (await old, await new) == (b"%PDF old", b"%PDF new")
        assert builds.most == 1

    asyncio.run(scenario())


def test_full_pool_refuses_at_once() -> None:
    async def scenario() -> None:
        pool, builds = PdfPool(workers=1, backlog=1), Builds()
        running = [asyncio.create_task(pool.get(n, n, builds, str(n))) for n in (1, 2)]
        await started(builds, 1)
        with pytest.raises(PoolFull) as refused:
            await pool.get(3, 3, builds, "3")
        assert refused.value.status_code == 503
        assert refused.value.headers == {"Retry-After": "10"}
        builds.release.set()
        await asyncio.gather(*running)
        assert await pool.get(3, 3, builds, "3") == b"%PDF 3"  # room again

    asyncio.run(scenario())


def test_cache_is_bounded() -> None:
    async def scenario() -> None:
        pool, builds = PdfPool(cached=2), Builds()
        builds.release.set()
        for key in "abc":
            await pool.get(1, key, builds, key)
        await pool.get(1, "a", builds, "a")
        assert builds.calls == 4  # "a" had been dropped for "c"

    asyncio.run(scenario())


def test_plan_pdf_answers_503_in_french_when_full(client: TestClient, learner: Learner) -> None:
    pool = app_state(client.app).pdf_pool
    pool._busy = pool._slots
    response = client.get("/plan.pdf")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "10"
    assert "Réessayez dans quelques secondes" in response.text
    pool._busy = 0
    assert client.get("/plan.pdf").status_code == 200


def test_plan_pdf_is_cached_until_the_plan_changes(client: TestClient, learner: Learner) -> None:
    first = client.get("/plan.pdf").content
    started_at = time.perf_counter()
    assert client.get("/plan.pdf").content == first
    assert time.perf_counter() - started_at < 0.5
    assert learner.post(REFLECTION, {"answer": "Une nouvelle idée."}).status_code == 303
    assert client.get("/plan.pdf").content != first


def test_reflection_length_is_limited(client: TestClient, learner: Learner) -> None:
    too_long = learner.post(REFLECTION, {"answer": "x" * (MAX_REFLECTION + 1)})
    assert too_long.status_code == 400
    assert "5\u202f001 caractères, au-delà de la limite de 5\u202f000" in too_long.text
    assert learner.post(REFLECTION, {"answer": "x" * MAX_REFLECTION}).status_code == 303
    page = client.get("/paths/12h/atelier").text
    assert f'maxlength="{MAX_REFLECTION}"' in page
