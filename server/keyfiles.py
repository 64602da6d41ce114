"""Numbered private keys kept as PEM files in one folder (badge keys, LTI keys).

Files are `0001.pem`, `0002.pem`…: the highest is the current key, the others were
current before a rotation and are kept. Each file is PKCS#8, unencrypted, mode 0600,
written under a temporary name then linked in place, so a reader never sees half a
key and two processes never both write the same number.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

_KEY_FILE = re.compile(r"^(\d{4,})\.pem$")


def numbered_keys(folder: Path, label: str) -> list[tuple[int, Path]]:
    """The key files of `folder`, oldest first; none when the folder does not exist.

    `label` names the setting in error messages (e.g. ALLIANCES_BADGE_KEYS).
    """
    if not folder.is_dir():
        if folder.exists():
            raise ValueError(f"{label}: {folder} is not a folder")
        return []
    found = []
    for entry in folder.iterdir():
        match = _KEY_FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry))
    return sorted(found)


def write_numbered_key(
    folder: Path, key: PrivateKeyTypes, label: str, *, first: bool = False
) -> Path:
    """Write `key` numbered after the highest: it becomes the current one.

    With `first`, it can only be key 1: FileExistsError when another process made
    that one meanwhile (then read theirs), never a second key beside it.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = [] if first else numbered_keys(folder, label)
    number = files[-1][0] + 1 if files else 1
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target = folder / f"{number:04d}.pem"
    # Named for this process and call: workers starting together on a new folder each
    # write their own partial file, and only the first link to the number wins.
    partial = folder / f".{number:04d}.pem.{os.getpid()}.{secrets.token_hex(4)}.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(partial, target)  # refuses to overwrite a key another process just wrote
    finally:
        partial.unlink()
    return target


def read_private_key(file: Path, label: str, kind: str) -> PrivateKeyTypes:
    """The key in `file`, or a ValueError saying to restore it (never a traceback)."""
    try:
        return serialization.load_pem_private_key(file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(
            f"{label}: {file} is not a readable {kind} private key (PEM):"
            " restore it from your backup"
        ) from exc


def written_at(file: Path) -> datetime:
    """When the key file was written: a rotation's date, for grace periods."""
    return datetime.fromtimestamp(file.stat().st_mtime, UTC)
