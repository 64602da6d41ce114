"""A populated site per test, on the fixtures of tests/conftest.py."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from server.settings import Settings
from tests.security.site import Site, populate


@pytest.fixture
def site(client: TestClient, settings: Settings, make_user) -> Site:
    return populate(client, settings.database, make_user)
