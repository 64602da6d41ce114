"""The credential against 1EdTech's Open Badges 3.0 JSON schema (bundled, see its $comment)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from starlette.testclient import TestClient

from tests.badges_support import earn_certificate
from tests.conftest import Learner

SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "ob_v3p0_achievementcredential_schema.json").read_text(
        encoding="utf-8"
    )
)
XSD_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def errors(document: dict[str, Any]) -> list[str]:
    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(document)]


@pytest.fixture
def badge(client: TestClient, learner: Learner) -> dict[str, Any]:
    certificate_id = earn_certificate(client, learner)
    found: dict[str, Any] = client.get(f"/certificates/{certificate_id}/badge.json").json()
    return found


def test_the_schema_itself_is_valid() -> None:
    Draft201909Validator.check_schema(SCHEMA)


def test_an_issued_credential_matches_the_schema(badge: dict[str, Any]) -> None:
    assert errors(badge) == []
    assert XSD_DATETIME.match(badge["validFrom"]) and XSD_DATETIME.match(badge["proof"]["created"])


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b["credentialSubject"]["achievement"].pop("criteria"),
        lambda b: b["credentialSubject"]["identifier"][0].update(email="lea@example.fr"),
        lambda b: b.update(type=["VerifiableCredential"]),
        lambda b: b.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
        lambda b: b.pop("validFrom"),
        # AchievementSubject is closed: the learner's name goes in as an identity object.
        lambda b: b["credentialSubject"].update(name="Léa Martin"),
    ],
    ids=[
        "no criteria",
        "open identity",
        "not a badge",
        "no OB context",
        "no date",
        "name outside the identities",
    ],
)
def test_the_schema_catches_a_broken_credential(badge: dict[str, Any], damage: Any) -> None:
    broken = copy.deepcopy(badge)
    damage(broken)
    assert errors(broken)
