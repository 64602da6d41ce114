"""The badge images (static/badges/): one per path of the course, inert, accessible and
readable, served at the address every credential's achievement names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from course import svg as svg_checks
from server.views.badges import BADGES

ROOT = Path(__file__).parents[1]
FOLDER = ROOT / "static" / "badges"
COURSE = yaml.safe_load((ROOT / "content" / "course.yaml").read_text(encoding="utf-8"))
PATHS = {path["id"]: path for path in COURSE["paths"]}
SVG = "{http://www.w3.org/2000/svg}"
WHITE = "#ffffff"


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of `#rrggbb`."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_path_of_the_course_has_its_badge() -> None:
    assert set(PATHS) <= set(BADGES)
    assert {file.stem for file in FOLDER.glob("*.svg")} == set(BADGES)


@pytest.mark.parametrize("path_id", sorted(PATHS))
def test_a_badge_is_inert_named_and_says_what_it_certifies(path_id: str) -> None:
    file = FOLDER / f"{path_id}.svg"
    assert svg_checks.problems(file) == []
    root = ET.fromstring(file.read_bytes())
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") in (root.get("aria-labelledby") or "").split()
    texts = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    hours = PATHS[path_id]["target_minutes"] // 60
    assert f"{hours}\u00a0h" in texts  # the duration, with its no-break space
    assert COURSE["title"] in texts and PATHS[path_id]["title"] in texts
    assert f"«\u00a0{PATHS[path_id]['title']}\u00a0»" in (title.text or "")
    assert not re.search(r" [;:!?»]|« ", (title.text or "") + texts)  # French spacing


@pytest.mark.parametrize("path_id", sorted(PATHS))
def test_every_colour_stands_out_from_white(path_id: str) -> None:
    """The badge is drawn in one colour and white: white text on the colour, the colour's
    text on the white ribbon. 4.5:1 covers text and, a fortiori, 3:1 for the shapes."""
    source = (FOLDER / f"{path_id}.svg").read_text(encoding="utf-8")
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', source)) - {WHITE}
    assert colours, "a badge has a colour of its own"
    for colour in colours:
        assert contrast(colour, WHITE) >= 4.5, (path_id, colour)


def test_the_badges_tell_the_paths_apart() -> None:
    fills = {
        path_id: re.search(r'<circle [^>]*fill="(#[0-9a-f]{6})"', svg)[1]  # type: ignore[index]
        for path_id, svg in BADGES.items()
    }
    assert len(set(fills.values())) == len(fills)


def test_the_badge_is_served_where_the_credential_points(client: TestClient) -> None:
    response = client.get("/badges/4h.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.text == (FOLDER / "4h.svg").read_text(encoding="utf-8")


def test_an_unknown_badge_is_the_sites_404_page(client: TestClient) -> None:
    response = client.get("/badges/inconnu.svg")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Aucun badge ne correspond à ce parcours" in response.text


@pytest.mark.parametrize("path_id", ["..%2Fsite.css", "..%2F..%2Fpyproject.toml%00", "%2e%2e"])
def test_no_other_file_comes_out_of_the_badge_folder(client: TestClient, path_id: str) -> None:
    response = client.get(f"/badges/{path_id}.svg")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
