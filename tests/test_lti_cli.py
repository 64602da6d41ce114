"""`alliances lti` (issue #17): add-platform checks its fields, refuses a duplicate, list
shows the platforms and what to enter on their side, remove forgets one."""

from __future__ import annotations

import pytest

from server.cli import main
from server.settings import Settings
from tests.lti_platform import Platform


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCES_DATABASE", str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_BASE_URL", settings.base_url)


def test_add_list_remove(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    platform = Platform()
    assert main(platform.cli_args()) == 0
    assert "registered platform 1" in capsys.readouterr().out
    assert main(platform.cli_args()) == 1
    assert "already registered" in capsys.readouterr().err
    assert main(["lti", "list"]) == 0
    out = capsys.readouterr().out
    assert "1\thttps://moodle.example.net\tclient alliances-outil\tdeployments 1" in out
    assert "public keyset URL: https://formation.example.org/lti/jwks.json" in out
    assert main(["lti", "remove", "1"]) == 0
    assert main(["lti", "remove", "1"]) == 1
    assert "no platform 1" in capsys.readouterr().err


def test_wrong_fields_are_named(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    args = Platform().cli_args()
    args[args.index("--keyset-url") + 1] = "moodle.example.net/certs"
    args[args.index("--auth-url") + 1] = "https://[moodle/auth.php"  # not a URL at all
    args[args.index("--deployment") + 1] = " "
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "adresse des clés publiques" in err and "déploiement" in err
    assert "adresse d’authentification" in err
    assert main(["lti", "list"]) == 0
    assert "moodle.example.net\t" not in capsys.readouterr().out
