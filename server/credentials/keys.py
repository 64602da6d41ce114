"""The Ed25519 keys that sign the Open Badges credentials, and their did:key names.

Keys live as PEM files (PKCS#8, unencrypted, mode 0600) in one folder, by default
`var/badge-keys/` beside the database, or the folder `ALLIANCES_BADGE_KEYS` names.
Files are numbered: the highest is the current key, the others are kept after a
rotation. A verifier needs none of them: a did:key *is* the public key, so a
credential signed with a retired key still verifies on its own.
A damaged file, or a configured folder without a key, stops start-up: the server
never signs with a key it made up in place of a lost one it was told to use.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ED25519_PUB_MULTICODEC = b"\xed\x01"
_KEY_FILE = re.compile(r"^(\d{4,})\.pem$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, as multibase `z` uses (leading zero bytes as `1`)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key pair and the names a verifier resolves it by."""

    number: int
    private: Ed25519PrivateKey

    @property
    def public_multibase(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return "z" + base58btc(ED25519_PUB_MULTICODEC + raw)

    @property
    def did(self) -> str:
        return f"did:key:{self.public_multibase}"

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.public_multibase}"

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


@dataclass(frozen=True)
class KeyRing:
    """The current key and the retired ones, oldest first."""

    folder: Path
    keys: tuple[SigningKey, ...]

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    @property
    def retired(self) -> tuple[SigningKey, ...]:
        return self.keys[:-1]


def load_keys(folder: Path, *, create: bool) -> KeyRing:
    """Read every key in `folder`; with `create`, make the first one when there is none.

    Raises ValueError with one readable line when a file is damaged, or when the
    folder holds no key and `create` is false (a configured folder that lost it).
    """
    files = _key_files(folder)
    if not files:
        if not create:
            raise ValueError(
                f"ALLIANCES_BADGE_KEYS: no signing key in {folder}: restore the folder from"
                " your backup, or run `alliances badge-key rotate` to start a new key"
            )
        try:
            write_new_key(folder)
        except OSError as exc:
            raise ValueError(f"cannot keep the badge signing key in {folder}: {exc}") from exc
        files = _key_files(folder)
    return KeyRing(folder, tuple(_read(number, file) for number, file in files))


def write_new_key(folder: Path) -> Path:
    """A new key, numbered after the highest: it becomes the current one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = _key_files(folder)
    number = files[-1][0] + 1 if files else 1
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target = folder / f"{number:04d}.pem"
    partial = folder / f".{number:04d}.pem.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    os.link(partial, target)  # refuses to overwrite a key another process just wrote
    partial.unlink()
    return target


def _key_files(folder: Path) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        if folder.exists():
            raise ValueError(f"ALLIANCES_BADGE_KEYS: {folder} is not a folder")
        return []
    found = []
    for entry in folder.iterdir():
        match = _KEY_FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry))
    return sorted(found)


def _read(number: int, file: Path) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(
            f"ALLIANCES_BADGE_KEYS: {file} is not a readable Ed25519 private key (PEM):"
            " restore it from your backup"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"ALLIANCES_BADGE_KEYS: {file} is not an Ed25519 key")
    return SigningKey(number, key)
