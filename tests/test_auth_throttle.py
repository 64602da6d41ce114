"""The login throttle (issue #12, items 2 and 3): counted before the password is
checked, in the database, per address and per account, with growing delays."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from server import security
from server.app import create_app
from server.settings import Settings
from server.storage import SqliteStorage
from server.throttle import LoginLimits, LoginThrottle, wait_message
from tests.conftest import PASSWORD, Learner

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NBSP = "\u00a0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def _signed_up(app, email: str = "lea@example.fr") -> None:
    async with _browser(app, "10.0.0.1") as browser:
        token = await _token(browser)
        data = {"csrf_token": token, "email": email, "name": "Léa", "password": PASSWORD}
        assert (await browser.post("/signup", data=data)).status_code == 303


def _browser(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _token(browser: httpx.AsyncClient) -> str:
    match = CSRF.search((await browser.get("/login")).text)
    assert match
    return match[1]


async def _login(browser: httpx.AsyncClient, token: str, email: str, password: str) -> int:
    data = {"csrf_token": token, "email": email, "password": password}
    return (await browser.post("/login", data=data)).status_code


def test_concurrent_guesses_cannot_overtake_the_limit(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 wrong passwords and the right one, all at once: at most the free ones are checked."""
    checked = 0
    verify = security.verify_password

    def counting_verify(password_hash: str | None, password: str) -> bool:
        nonlocal checked
        checked += 1
        return verify(password_hash, password)

    async def scenario() -> list[int]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await _signed_up(app)
            monkeypatch.setattr(security, "verify_password", counting_verify)
            async with _browser(app, "10.0.0.66") as attacker:
                token = await _token(attacker)
                guesses = [
                    _login(attacker, token, "lea@example.fr", f"mauvais-{n:04d}") for n in range(40)
                ]
                right = _login(attacker, token, "lea@example.fr", PASSWORD)
                return list(await asyncio.gather(*guesses, right))

    statuses = asyncio.run(scenario())
    free = LoginLimits().pair_free
    assert checked <= free, f"{checked} passwords checked"
    assert statuses[-1] == 429, "the right password got in through the race"
    assert statuses.count(400) == checked and statuses.count(429) == len(statuses) - checked


def test_spraying_many_accounts_from_one_address_is_slowed(settings: Settings) -> None:
    async def scenario() -> tuple[list[int], int, int]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await _signed_up(app)
            async with _browser(app, "10.0.0.66") as sprayer, _browser(app, "10.0.0.7") as other:
                token = await _token(sprayer)
                statuses = [
                    await _login(sprayer, token, f"compte{n}@example.fr", "azerty12345")
                    for n in range(LoginLimits().address_free + 1)
                ]
                # Someone else, elsewhere, is not held back by the sprayer.
                elsewhere = await _login(other, await _token(other), "lea@example.fr", PASSWORD)
                # Nor the sprayer's victim from their own address.
                return statuses, elsewhere, 0

    statuses, elsewhere, _ = asyncio.run(scenario())
    assert statuses[:-1] == [400] * LoginLimits().address_free
    assert statuses[-1] == 429
    assert elsewhere == 303


def test_someone_elses_failures_do_not_lock_the_owner_out(settings: Settings) -> None:
    async def scenario() -> tuple[list[int], int]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await _signed_up(app)
            async with _browser(app, "10.0.0.66") as attacker, _browser(app, "10.0.0.1") as owner:
                token = await _token(attacker)
                statuses = [
                    await _login(attacker, token, "lea@example.fr", f"mauvais-{n}")
                    for n in range(30)
                ]
                return statuses, await _login(
                    owner, await _token(owner), "lea@example.fr", PASSWORD
                )

    statuses, owner = asyncio.run(scenario())
    assert 429 in statuses
    assert owner == 303


def test_paused_login_says_how_long_in_french_with_retry_after(client: TestClient) -> None:
    person = Learner(client)
    assert person.signup().status_code == 303
    person.post("/logout")
    for _ in range(LoginLimits().pair_free):
        assert person.login(password="pas le bon mot de passe").status_code == 400
    paused = person.login()
    assert paused.status_code == 429
    assert int(paused.headers["retry-after"]) >= 1
    assert f"Réessayez dans 1{NBSP}seconde." in paused.text


def test_wait_message() -> None:
    assert wait_message(1) == f"Trop de tentatives de connexion. Réessayez dans 1{NBSP}seconde."
    assert wait_message(59).endswith(f"59{NBSP}secondes.")
    assert wait_message(60).endswith(f"1{NBSP}minute.")
    assert wait_message(61).endswith(f"2{NBSP}minutes.")


@pytest.fixture
def storage(tmp_path: Path):
    async def opened() -> SqliteStorage:
        store = SqliteStorage(tmp_path / "throttle.db")
        await store.open()
        return store

    return opened


LIMITS = LoginLimits(
    pair_free=2, address_free=5, account_free=8, base_delay=1, max_delay=8, window=100
)


def test_delays_grow_then_stop_growing_and_expire_by_time(storage) -> None:
    async def scenario() -> list[int]:
        store = await storage()
        clock = Clock()
        throttle = LoginThrottle(LIMITS, clock)
        waits = []
        try:
            for _ in range(8):
                waits.append(await throttle.reserve(store, "a", "lea"))
                if waits[-1]:
                    clock.now += waits[-1]  # wait as told, then try again
                    waits.append(await throttle.reserve(store, "a", "lea"))
            clock.now += LIMITS.window  # all of them are old now
            waits.append(await throttle.reserve(store, "a", "lea"))
            await throttle.failed(store)
            rows = await store._all("SELECT count(*) FROM login_attempts")
            waits.append(rows[0][0])
        finally:
            await store.close()
        return waits

    waits = asyncio.run(scenario())
    refused = [w for w in waits[:-2] if w]
    assert refused == [1, 2, 4, 8, 8, 8]  # doubling, then capped at max_delay
    assert waits[-2] == 0  # past the window: free again
    assert waits[-1] == 1  # the old attempts were deleted, the last one stays


def test_other_addresses_do_not_flush_a_count(storage) -> None:
    """Junk from many addresses leaves a victim's own count where it was."""

    async def scenario() -> tuple[int, int]:
        store = await storage()
        clock = Clock()
        throttle = LoginThrottle(LIMITS, clock)
        try:
            for _ in range(LIMITS.pair_free):
                assert await throttle.reserve(store, "attaquant", "lea") == 0
            for n in range(300):
                clock.now += 0.001  # 0.3 s in all: less than the 1 s delay
                await throttle.reserve(store, f"junk-{n}", f"junk-{n}")
            return (
                await throttle.reserve(store, "attaquant", "lea"),
                await throttle.reserve(store, "ailleurs", "marc"),
            )
        finally:
            await store.close()

    held, other = asyncio.run(scenario())
    assert held > 0 and other == 0


def test_a_success_clears_its_own_failures_only(storage) -> None:
    async def scenario() -> tuple[int, int]:
        store = await storage()
        throttle = LoginThrottle(LIMITS, Clock())
        try:
            for address in ("maison", "maison", "ailleurs", "ailleurs"):
                assert await throttle.reserve(store, address, "lea") == 0
            await throttle.succeeded(store, "maison", "lea")
            return (
                await throttle.reserve(store, "maison", "lea"),
                await throttle.reserve(store, "ailleurs", "lea"),
            )
        finally:
            await store.close()

    home, elsewhere = asyncio.run(scenario())
    assert home == 0 and elsewhere > 0


def test_the_account_ceiling_holds_across_addresses(storage) -> None:
    async def scenario() -> int:
        store = await storage()
        throttle = LoginThrottle(LIMITS, Clock())
        try:
            for n in range(LIMITS.account_free):
                assert await throttle.reserve(store, f"adresse-{n}", "lea") == 0
            return await throttle.reserve(store, "encore-une-autre", "lea")
        finally:
            await store.close()

    assert asyncio.run(scenario()) == 1


def test_the_privacy_page_says_how_long_attempts_are_kept(client: TestClient) -> None:
    """Addresses and e-mails are personal data: the page must match the window."""
    assert LoginLimits().window == 3600
    page = client.get("/donnees-personnelles").text
    assert "Les tentatives de connexion" in page and "une heure au plus" in page
    assert "<code>__Host-</code>" in page
