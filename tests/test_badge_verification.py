"""Issued credentials checked by a verifier this project did not write (issue #16 § 3).

tests/verify/verify.mjs runs Digital Bazaar's @digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite, did:key resolution and the Bitstring Status List
check, offline. Without node or the npm packages (`npm ci --ignore-scripts`) the
tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from course.certificates import Certificate
from server.app import create_app
from server.credentials.keys import write_new_key
from server.state import app_state
from tests.badges_support import earn_certificate
from tests.conftest import Learner

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "tests" / "verify" / "verify.mjs"
BASE = "https://formation.example.org"


def _node() -> str:
    node = shutil.which("node")
    missing = (
        "node is not installed"
        if node is None
        else "npm packages missing: run npm ci --ignore-scripts"
        if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir()
        else ""
    )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the independent verifier cannot run under CI: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


def verify(
    client: TestClient, credentials: list[dict[str, Any]], extra: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run the independent verifier; status lists are fetched from the site first."""
    lists = {}
    for credential in credentials:
        url = credential["credentialStatus"]["statusListCredential"]
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        lists[url] = response.json()
    lists.update(extra or {})
    run = subprocess.run(
        [_node(), str(SCRIPT)],
        input=json.dumps({"credentials": credentials, "statusLists": lists}),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    results: list[dict[str, Any]] = json.loads(run.stdout)
    return results


@pytest.fixture
def badge(client: TestClient, learner: Learner) -> dict[str, Any]:
    _node()  # skip before the learner's whole journey when the verifier is missing
    certificate_id = earn_certificate(client, learner)
    found: dict[str, Any] = client.get(f"/certificates/{certificate_id}/badge.json").json()
    return found


def test_a_fresh_credential_verifies_and_is_not_revoked(
    client: TestClient, badge: dict[str, Any]
) -> None:
    [result] = verify(client, [badge])
    assert result == {"verified": True, "revoked": False, "error": "", "statusError": ""}


def test_a_changed_name_date_or_achievement_fails(
    client: TestClient, badge: dict[str, Any]
) -> None:
    name, date, achievement = (copy.deepcopy(badge) for _ in range(3))
    name["credentialSubject"]["identifier"][0]["identityHash"] = "Quelqu’un d’autre"
    date["validFrom"] = "2020-01-01T00:00:00Z"
    achievement["credentialSubject"]["achievement"]["name"] = "Piloter et essaimer"
    results = verify(client, [name, date, achievement])
    assert [r["verified"] for r in results] == [False, False, False]
    assert all("Invalid signature" in r["error"] for r in results)


def test_a_revoked_credential_reports_revoked(
    client: TestClient, badge: dict[str, Any], settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.cli import main

    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    certificate_id = badge["evidence"][0]["id"].rsplit("/", 1)[-1]
    assert main(["revoke-certificate", "--reason", "Erreur", "--", certificate_id]) == 0
    [result] = verify(client, [badge])
    assert result["verified"] is True and result["revoked"] is True


def test_a_status_list_from_another_key_is_refused(
    client: TestClient, badge: dict[str, Any], tmp_path: Path
) -> None:
    """The status list must come from the credential's issuer: a list signed by any
    other key (here a stranger's, at the same address) does not count."""
    url = badge["credentialStatus"]["statusListCredential"]
    genuine = client.get(url.removeprefix(BASE)).json()
    forged = copy.deepcopy(genuine)
    forged["proof"]["proofValue"] = genuine["proof"]["proofValue"][:-4] + "1111"
    [result] = verify(client, [badge], {url: forged})
    assert result["verified"] is False and result["revoked"] is None


def test_a_credential_signed_by_a_rotated_out_key_still_verifies(
    client: TestClient, badge: dict[str, Any], settings
) -> None:
    write_new_key(settings.badge_keys_dir)  # `alliances badge-key rotate`, then a restart
    with TestClient(create_app(settings), base_url="http://testserver") as restarted:
        old = restarted.get(badge["id"].removeprefix(BASE)).json()
        assert old == badge  # frozen: not signed again with the new key
        shared = app_state(restarted.app)
        assert shared.badge_keys is not None and shared.badge_keys.current.number == 2
        assert shared.badge_keys.current.did != badge["issuer"]["id"]
        user = restarted.portal.call(shared.storage.user_by_email, "lea@example.fr")
        assert user is not None
        later = Certificate(
            id="signee-par-la-nouvelle-cle",
            user_id=user.id,
            path_id="4h",
            learner_name="Léa Martin",
            path_title="Construire",
            duration_minutes=240,
            course_title="Alliances & Territoires",
            content_version="v2",
            issued_at="2026-02-03T04:05:06+00:00",
        )
        restarted.portal.call(shared.storage.issue_certificate, later)
        new = restarted.get(f"/certificates/{later.id}/badge.json").json()
        assert new["issuer"]["id"] == shared.badge_keys.current.did
        assert new["credentialStatus"]["statusListCredential"].endswith("/badges/status/2.json")
        fine = {"verified": True, "revoked": False, "error": "", "statusError": ""}
        assert verify(restarted, [old, new]) == [fine, fine]
