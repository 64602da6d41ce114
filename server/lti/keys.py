"""The tool's RSA keys, published as a JWKS for the platforms.

Kept like the badge keys (server/keyfiles.py): numbered PEM files under
`var/lti-keys/`, or the folder `ALLIANCES_LTI_KEYS` names; the highest is current.
After a rotation the previous key stays published for GRACE, so that a platform
which cached the keyset still verifies what the tool signed just before.
Each key's `kid` is its RFC 7638 thumbprint: stable, and the same on every instance.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key

from server.keyfiles import numbered_keys, read_private_key, write_numbered_key, written_at

LABEL = "ALLIANCES_LTI_KEYS"
KEY_BITS = 2048
GRACE = timedelta(days=7)  # longer than any platform caches a tool's keyset


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ToolKey:
    """One RSA key pair of the tool, and when it was made (its file's date)."""

    number: int
    private: RSAPrivateKey
    made_at: datetime

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        core = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
        canonical = json.dumps(core, separators=(",", ":"), sort_keys=True).encode()
        kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=")
        return {**core, "kid": kid.decode("ascii"), "alg": "RS256", "use": "sig"}

    @property
    def kid(self) -> str:
        return self.public_jwk()["kid"]


@dataclass(frozen=True)
class ToolKeys:
    """The current key and the earlier ones, oldest first."""

    folder: Path
    keys: tuple[ToolKey, ...]

    @property
    def current(self) -> ToolKey:
        return self.keys[-1]

    def published(self, at: datetime) -> list[ToolKey]:
        """The current key, and each earlier one replaced less than GRACE before `at`."""
        shown = [self.current]
        for older, newer in zip(self.keys, self.keys[1:], strict=False):
            if at - newer.made_at < GRACE:
                shown.insert(-1, older)
        return shown

    def jwks(self, at: datetime) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.published(at)]}


def load_tool_keys(folder: Path, *, create: bool) -> ToolKeys:
    """Read every key in `folder`; with `create`, make the first one when there is none.

    ValueError in one line for a damaged file, or an empty configured folder.
    """
    files = numbered_keys(folder, LABEL)
    if not files:
        if not create:
            raise ValueError(
                f"{LABEL}: no LTI key in {folder}: restore the folder from your backup,"
                " or run `alliances lti rotate-key` to start a new key"
            )
        try:
            write_numbered_key(folder, generate_private_key(65537, KEY_BITS), LABEL, first=True)
        except FileExistsError:
            pass  # another instance made it at the same moment: read theirs
        except OSError as exc:
            raise ValueError(f"cannot keep the LTI key in {folder}: {exc}") from exc
        files = numbered_keys(folder, LABEL)
    return ToolKeys(folder, tuple(_read(number, file) for number, file in files))


def check_tool_keys(folder: Path, *, configured: bool) -> None:
    """At start-up: a damaged key, or a configured folder without one, stops the server.

    The default folder may not exist yet: RSA key generation takes a moment, so the
    first key is made on first use (`tool_keys`), not by every start of every test.
    """
    if configured or folder.exists():
        load_tool_keys(folder, create=not configured)


def tool_keys(folder: Path, *, configured: bool) -> ToolKeys:
    """The keys now (a rotation by the CLI shows at once), made the first time if need be."""
    return load_tool_keys(folder, create=not configured)


def new_tool_key(folder: Path) -> Path:
    """A new RSA key, numbered after the highest: it becomes the current one."""
    return write_numbered_key(folder, generate_private_key(65537, KEY_BITS), LABEL)


def _read(number: int, file: Path) -> ToolKey:
    key = read_private_key(file, LABEL, "RSA")
    if not isinstance(key, RSAPrivateKey) or key.key_size < KEY_BITS:
        raise ValueError(f"{LABEL}: {file} is not an RSA key of {KEY_BITS} bits or more")
    return ToolKey(number, key, written_at(file))
