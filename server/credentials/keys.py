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

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.keyfiles import numbered_keys, read_private_key, write_numbered_key

ED25519_PUB_MULTICODEC = b"\xed\x01"
LABEL = "ALLIANCES_BADGE_KEYS"
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
            write_numbered_key(folder, Ed25519PrivateKey.generate(), LABEL, first=True)
        except FileExistsError:
            pass  # another worker made it at the same moment: read theirs
        except OSError as exc:
            raise ValueError(f"cannot keep the badge signing key in {folder}: {exc}") from exc
        files = _key_files(folder)
    return KeyRing(folder, tuple(_read(number, file) for number, file in files))


def write_new_key(folder: Path) -> Path:
    """A new key, numbered after the highest: it becomes the current one."""
    return write_numbered_key(folder, Ed25519PrivateKey.generate(), LABEL)


def _key_files(folder: Path) -> list[tuple[int, Path]]:
    return numbered_keys(folder, LABEL)


def _read(number: int, file: Path) -> SigningKey:
    key = read_private_key(file, LABEL, "Ed25519")
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{LABEL}: {file} is not an Ed25519 key")
    return SigningKey(number, key)
