"""`alliances badge-key`: the Open Badges signing keys (see README « Open Badges »)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from server.credentials.keys import load_keys, write_new_key
from server.settings import database_setting


def key_folder() -> Path:
    """ALLIANCES_BADGE_KEYS, or var/badge-keys beside the database: read without the rest
    of the settings, so that a lost key can be replaced by the command that says so."""
    configured = os.environ.get("ALLIANCES_BADGE_KEYS", "").strip()
    if configured:
        return Path(configured)
    try:
        database, _ = database_setting(os.environ.get("ALLIANCES_DATABASE", ""))
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return database.parent / "badge-keys"


def cmd_badge_key_rotate(args: argparse.Namespace) -> int:
    """A new current key; the old ones stay, so their status lists are still signed."""
    folder = key_folder()
    try:
        load_keys(folder, create=False)  # a damaged key is restored, not rotated past
    except ValueError as exc:
        if "no signing key" not in str(exc):
            print(f"alliances: {exc}", file=sys.stderr)
            return 2
    try:
        written = write_new_key(folder)
    except OSError as exc:
        print(f"alliances: cannot write a key in {folder}: {exc.strerror}", file=sys.stderr)
        return 2
    current = load_keys(folder, create=False).current
    print(f"new signing key {written.name}: {current.did}")
    print("restart the server to sign with it; keep every key file (back up the folder)")
    return 0


def cmd_badge_key_list(args: argparse.Namespace) -> int:
    folder = key_folder()
    try:
        ring = load_keys(folder, create=False)
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    for key in ring.keys:
        mark = "current" if key is ring.current else "retired"
        print(f"{key.number:04d} {mark} {key.did}")
    return 0
