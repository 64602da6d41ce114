"""pyproject.toml never allows a release with a known advisory, and the installed ones obey it.

The table below is the last version affected by each advisory we know of; a floor
at or below it would let an install pick a vulnerable release.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"
# package: (first safe version, advisories closed by it)
SAFE_FROM = {
    "starlette": ("1.3.1", "CVE-2026-48710, CVE-2026-48817, CVE-2026-54282, CVE-2026-54283"),
    "jinja2": ("3.1.6", "CVE-2024-56201, CVE-2024-56326, CVE-2025-27516"),
    "python-multipart": ("0.0.31", "CVE-2026-24486, CVE-2026-53538, -53539, -53540"),
    "h11": ("0.16", "CVE-2025-43859"),
    "markdown-it-py": ("2.2", "CVE-2023-26302, CVE-2023-26303"),
    "pyyaml": ("5.4", "CVE-2020-14343"),
    "python-docx": ("0.8.6", "XXE, GHSA-34wj-p5jm-2p96"),
    "lxml": ("4.9.1", "CVE-2021-43818, CVE-2022-2309"),
    "uvicorn": ("0.11.7", "CVE-2020-7694, CVE-2020-7695"),
    "weasyprint": ("70.0", "CVE-2026-55073 (SSRF), CVE-2024-28184"),
}


def requirements() -> dict[str, Requirement]:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    found = [Requirement(text) for text in data["project"]["dependencies"]]
    return {r.name.lower(): r for r in found}


@pytest.mark.parametrize("name", sorted(SAFE_FROM))
def test_the_floor_excludes_every_vulnerable_release(name: str) -> None:
    requirement = requirements()[name]
    floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    safe, advisories = SAFE_FROM[name]
    assert floors and floors[0] >= Version(safe), (
        f"{name}: raise the floor to {safe} ({advisories})"
    )


def test_the_installed_packages_satisfy_the_floors() -> None:
    for name, requirement in requirements().items():
        installed = version(name)
        assert requirement.specifier.contains(installed, prereleases=True), (name, installed)
