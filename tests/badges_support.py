"""Shared by the Open Badges tests: a learner's issued certificate and its credential."""

from __future__ import annotations

import base64
import gzip
import re

from starlette.testclient import TestClient

from tests.conftest import Learner

CERT = re.compile(r'href="/certificates/([\w-]+)"')


def earn_certificate(client: TestClient, learner: Learner) -> str:
    """Léa completes the fixture course's 1 h path: the id of her certificate."""
    learner.pass_intro()
    learner.post("/paths/1h/lecture/done")
    page = client.get("/paths/1h").text
    assert "Votre attestation a été délivrée" in page
    return CERT.search(page)[1]  # type: ignore[index]


def status_bit(status_list: dict, index: int) -> bool:
    """Read one bit of a BitstringStatusListCredential (index 0 is the leftmost bit)."""
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_length_bytes(status_list: dict) -> int:
    raw = status_list["credentialSubject"]["encodedList"][1:]
    return len(gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))))
