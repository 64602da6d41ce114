"""Baking (Open Badges 3.0 § Baking): the credential goes into the badge SVG and comes back
out intact, whatever its strings hold, and the image stays a clean, well-formed SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import svg as svg_checks
from server.credentials.baking import NAMESPACE, BakingError, bake_svg, unbake_svg

BADGES = Path(__file__).parents[1] / "static" / "badges"
CREDENTIAL = f"{{{NAMESPACE}}}credential"


def credential(name: str = "Léa Martin") -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {"type": ["AchievementSubject"], "name": name},
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"},
    }


def badge() -> str:
    return (BADGES / "1h.svg").read_text(encoding="utf-8")


def test_round_trip_keeps_the_credential_and_the_picture(tmp_path: Path) -> None:
    baked = bake_svg(badge(), credential())
    assert unbake_svg(baked) == credential()
    root = ET.fromstring(baked.encode("utf-8"))  # still plain, well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root[0].tag == CREDENTIAL  # right inside the root, as the specification shows
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert root.get("role") == "img"
    assert f'xmlns:openbadges="{NAMESPACE}"' in baked.split(">", 2)[1]  # on the <svg> tag
    assert "<![CDATA[{" in baked
    file = tmp_path / "baked.svg"
    file.write_text(baked, encoding="utf-8")
    assert svg_checks.problems(file) == []  # still inert: no script, nothing external


def test_a_name_holding_the_cdata_end_cannot_break_out() -> None:
    hostile = credential('Eve ]]></openbadges:credential><script>alert("x")</script>]]>')
    baked = bake_svg(badge(), hostile)
    root = ET.fromstring(baked.encode("utf-8"))
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags
    assert len(root.findall(CREDENTIAL)) == 1
    assert unbake_svg(baked) == hostile


def test_baking_again_replaces_the_credential() -> None:
    twice = bake_svg(bake_svg(badge(), credential("Avant")), credential("Après"))
    assert len(ET.fromstring(twice.encode("utf-8")).findall(CREDENTIAL)) == 1
    assert unbake_svg(twice) == credential("Après")


def test_characters_xml_forbids_still_round_trip() -> None:
    odd = credential("Zoé \ufffe\uffff \x00 \ud800 中文 👩‍🎓")
    baked = bake_svg(badge(), odd)
    assert not {"\ufffe", "\uffff", "\x00"} & set(baked)
    ET.fromstring(baked.encode("utf-8"))
    assert unbake_svg(baked) == odd


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=12),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_any_json_object_round_trips(document: dict[str, Any]) -> None:
    assert unbake_svg(bake_svg(badge(), document)) == document


def test_an_image_without_a_credential_gives_none() -> None:
    assert unbake_svg(badge()) is None
    jwt_only = badge().replace(
        'font-family="sans-serif">',
        f'font-family="sans-serif" xmlns:openbadges="{NAMESPACE}">'
        '<openbadges:credential verify="eyJhbGciOi.e30.c2ln"/>',
        1,
    )
    assert unbake_svg(jwt_only) is None  # a VC-JWT is not read here


@pytest.mark.parametrize(
    "bad",
    [
        "<svg xmlns='http://www.w3.org/2000/svg'>",  # not well formed
        "<html xmlns='http://www.w3.org/1999/xhtml'/>",  # not an SVG
        "<svg/>",  # no SVG namespace
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<svg xmlns='http://www.w3.org/2000/svg'><text>&x;</text></svg>",
    ],
)
def test_what_is_not_a_plain_svg_is_refused(bad: str) -> None:
    with pytest.raises(BakingError):
        bake_svg(bad, credential())
    with pytest.raises(BakingError):
        unbake_svg(bad)


def test_a_damaged_baked_credential_is_an_error_not_a_crash() -> None:
    damaged = bake_svg(badge(), credential()).replace('"type":', '"type"', 1)
    with pytest.raises(BakingError):
        unbake_svg(damaged)
