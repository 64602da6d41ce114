"""The optional LTI Advantage claims a launch carries (issue #17 §3): the context, the
Assignment and Grade Services endpoint and the Names and Roles service, read into
`Launch`; a malformed claim reads as absent and never refuses the launch."""

from __future__ import annotations

from typing import Any

import pytest

from server.lti.launch import AGS_CLAIM, CLAIM, NRPS_CLAIM, _launch
from server.storage.lti import LtiPlatform

PLATFORM = LtiPlatform(
    1, "https://lms.example", "outil", "LMS", "https://lms.example/auth",
    "https://lms.example/token", "https://lms.example/certs", ("1",), "2026-01-01",
)  # fmt: skip
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def claims(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "u-1",
        "nonce": "n",
        CLAIM + "deployment_id": "1",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "resource_link": {"id": "lien-1"},
    }
    return base | extra


def test_the_services_claims_are_read() -> None:
    launch = _launch(
        claims(
            **{
                CLAIM + "context": {"id": "cours-3", "title": " Coopérer "},
                AGS_CLAIM: {
                    "scope": [SCORE, 7],
                    "lineitem": "https://lms.example/ags/items/4?type_id=2",
                    "lineitems": "https://lms.example/ags/items?type_id=2",
                },
                NRPS_CLAIM: {"context_memberships_url": "https://lms.example/nrps/3"},
            }
        ),
        PLATFORM,
    )
    assert (launch.context_id, launch.context_title) == ("cours-3", "Coopérer")
    assert launch.ags_scopes == (SCORE,)
    assert launch.ags_lineitem == "https://lms.example/ags/items/4?type_id=2"
    assert launch.ags_lineitems == "https://lms.example/ags/items?type_id=2"
    assert launch.nrps_url == "https://lms.example/nrps/3"


def test_absent_services_leave_the_fields_empty() -> None:
    launch = _launch(claims(), PLATFORM)
    assert (launch.context_id, launch.context_title, launch.nrps_url) == ("", "", "")
    assert (launch.ags_scopes, launch.ags_lineitem, launch.ags_lineitems) == ((), "", "")


@pytest.mark.parametrize(
    "extra",
    [
        {CLAIM + "context": "cours-3", AGS_CLAIM: ["x"], NRPS_CLAIM: 3},
        {CLAIM + "context": {"id": 5, "title": None}, AGS_CLAIM: {"scope": "x", "lineitem": 4}},
        {AGS_CLAIM: {"lineitem": "javascript:alert(1)", "lineitems": {"a": 1}}},
        {NRPS_CLAIM: {"context_memberships_url": ["https://x"]}},
    ],
)
def test_malformed_services_claims_are_ignored(extra: dict[str, Any]) -> None:
    launch = _launch(claims(**extra), PLATFORM)
    assert launch.subject == "u-1"
    assert (launch.ags_scopes, launch.ags_lineitem, launch.ags_lineitems) == ((), "", "")
    assert launch.nrps_url == "" and launch.context_id == ""
