"""The platform simulator's gradebook (Assignment and Grade Services 2.0, issue #17 §3):
line items and scores endpoints as Moodle serves them, behind the token endpoint of
tests/lti_platform.py. It checks what Moodle checks (the bearer token and its scope,
the media types, every field a score needs) and can refuse a user or be down."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.lti_platform import Platform, bearer_scopes

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_FIELDS = {"userId", "scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress"}


@dataclass
class Gradebook:
    """One platform course's gradebook: its line items, and every score received."""

    platform: Platform
    course: str = "3"
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # id URL -> line item
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (item, score)
    refused_users: set[str] = field(default_factory=set)  # answered 403 « not gradable »
    down: int = 0  # how many more requests answer 503
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, URL) served

    def __post_init__(self) -> None:
        self.platform.handlers.append(self.handle)

    @property
    def base(self) -> str:
        return f"{self.platform.issuer}/mod/lti/services.php/{self.course}"

    @property
    def lineitems_url(self) -> str:
        return f"{self.base}/lineitems?type_id=2"

    def add_item(self, resource_link_id: str, label: str = "Module") -> str:
        """A line item, as Moodle makes one for a deep-linked activity: its id URL."""
        number = len(self.items) + 9
        url = f"{self.base}/lineitems/{number}/lineitem?type_id=2"
        self.items[url] = {
            "id": url,
            "scoreMaximum": 100,
            "label": label,
            "resourceLinkId": resource_link_id,
            "tag": "alliances-territoires",
        }
        return url

    def claim(self, lineitem: str | None, scopes: tuple[str, ...] = ()) -> dict[str, Any]:
        """The AGS claim of a launch of the link (no `lineitem` when None)."""
        value: dict[str, Any] = {
            "scope": list(scopes or (AGS + "lineitem", AGS + "result.readonly", AGS + "score")),
            "lineitems": self.lineitems_url,
        }
        if lineitem is not None:
            value["lineitem"] = lineitem
        return value

    def scores_of(self, user: str) -> list[dict[str, Any]]:
        return [score for _, score in self.scores if score["userId"] == user]

    # -- the endpoints ----------------------------------------------------------------

    def handle(self, request: httpx2.Request) -> httpx2.Response | None:
        url = str(request.url)
        if not url.startswith(self.base + "/"):
            return None
        self.requests.append((request.method, url))
        if self.down:
            self.down -= 1
            return httpx2.Response(503, text="Service Unavailable")
        scopes = bearer_scopes(self.platform, request)
        if scopes is None:
            return httpx2.Response(401, json={"error": "invalid_token"})
        parts = urlsplit(url)
        if parts.path == urlsplit(self.lineitems_url).path:
            if AGS + "lineitem" not in scopes:
                return httpx2.Response(403, json={"reason": "scope lineitem missing"})
            if request.method == "GET":
                return self._list(parse_qs(parts.query))
            if request.method == "POST":
                return self._create(request)
        if parts.path.endswith("/lineitem/scores") and request.method == "POST":
            if AGS + "score" not in scopes:
                return httpx2.Response(403, json={"reason": "scope score missing"})
            item = url.replace("/lineitem/scores", "/lineitem", 1)
            if item not in self.items:
                return httpx2.Response(404, json={"reason": "No line item"})
            return self._score(item, request)
        return httpx2.Response(404, json={"reason": "not found"})

    def _list(self, query: dict[str, list[str]]) -> httpx2.Response:
        link = query.get("resource_link_id", [None])[0]
        found = [i for i in self.items.values() if link is None or i["resourceLinkId"] == link]
        return httpx2.Response(200, json=found)

    def _create(self, request: httpx2.Request) -> httpx2.Response:
        if request.headers.get("content-type") != LINEITEM_TYPE:
            return httpx2.Response(415)
        body = json.loads(request.content)
        if body.get("scoreMaximum") != 100 or not body.get("label"):
            return httpx2.Response(400, json={"reason": "scoreMaximum and label required"})
        url = self.add_item(body.get("resourceLinkId", ""), body["label"])
        return httpx2.Response(201, json=self.items[url])

    def _score(self, item: str, request: httpx2.Request) -> httpx2.Response:
        if request.headers.get("content-type") != SCORE_TYPE:
            return httpx2.Response(415, json={"reason": "media type"})
        score = json.loads(request.content)
        missing = SCORE_FIELDS - set(score) | ({"timestamp"} - set(score))
        if missing:
            return httpx2.Response(400, json={"reason": f"missing {sorted(missing)}"})
        if datetime.fromisoformat(score["timestamp"]).tzinfo is None:
            return httpx2.Response(400, json={"reason": "timestamp without timezone"})
        if score["userId"] in self.refused_users:
            return httpx2.Response(403, json={"reason": "User not gradable in this course"})
        self.scores.append((item, score))
        return httpx2.Response(200, json={})
