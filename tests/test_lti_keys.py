"""The LTI tool's RSA keys (issue #17): made once, published with a kid, the previous key
kept in the keyset for a grace period after a rotation, a damaged key refused."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from server.clock import moment
from server.lti.keys import GRACE, check_tool_keys, new_tool_key, tool_keys


def test_first_key_is_made_once_and_published_with_its_thumbprint(tmp_path: Path) -> None:
    folder = tmp_path / "lti-keys"
    check_tool_keys(folder, configured=False)
    assert not folder.exists()  # made on first use, not by every start
    keys = tool_keys(folder, configured=False)
    assert keys.current.private.key_size >= 2048
    assert oct((folder / "0001.pem").stat().st_mode & 0o777) == "0o600"
    assert tool_keys(folder, configured=False).current.kid == keys.current.kid
    (jwk,) = keys.jwks(moment())["keys"]
    assert jwk["kid"] == keys.current.kid and jwk["alg"] == "RS256" and "d" not in jwk
    # The kid is the RFC 7638 thumbprint: PyJWT's own reading of the key gives the same.
    public = jwt.PyJWK(jwk).key
    assert public.public_numbers() == keys.current.private.public_key().public_numbers()


def test_rotation_keeps_the_previous_key_published_for_the_grace_period(tmp_path: Path) -> None:
    folder = tmp_path / "lti-keys"
    first = tool_keys(folder, configured=False).current
    new_tool_key(folder)
    keys = tool_keys(folder, configured=False)
    assert keys.current.kid != first.kid
    now = moment()
    assert [k["kid"] for k in keys.jwks(now)["keys"]] == [first.kid, keys.current.kid]
    later = now + GRACE + timedelta(minutes=1)
    assert [k["kid"] for k in keys.jwks(later)["keys"]] == [keys.current.kid]


def test_a_damaged_or_missing_configured_key_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    with pytest.raises(ValueError, match="no LTI key"):
        check_tool_keys(folder, configured=True)
    tool_keys(folder, configured=False)
    (folder / "0001.pem").write_text("not a key")
    with pytest.raises(ValueError, match="not a readable RSA private key"):
        check_tool_keys(folder, configured=False)
    os.remove(folder / "0001.pem")


def test_a_configured_folder_without_a_key_stops_start_up(tmp_path: Path) -> None:
    from server.settings import Settings

    env = {
        "ALLIANCES_DATABASE": str(tmp_path / "var" / "site.db"),
        "ALLIANCES_LTI_KEYS": str(tmp_path / "perdues"),
    }
    with pytest.raises(ValueError, match="ALLIANCES_LTI_KEYS: no LTI key"):
        Settings.from_env(env)
    tool_keys(tmp_path / "perdues", configured=False)
    assert Settings.from_env(env).lti_keys_dir == tmp_path / "perdues"
