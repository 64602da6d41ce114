"""Every instance signs with the same keys, or does not start.

Badge keys (server/credentials/keys.py) and LTI keys (server/lti/keys.py) are
files on each machine's disk. Several app servers on one PostgreSQL database must
hold the same files: a credential signed with one machine's « key 1 » would be
checked against a status list another machine signed with a different « key 1 »,
and a platform would fetch a keyset that does not hold the key a message was
signed with. The first instance records its public keys in the database; an
instance whose key of the same number differs says so in one line and stops.
"""

from __future__ import annotations

from server.credentials.keys import KeyRing, load_keys
from server.lti.keys import load_tool_keys
from server.settings import Settings
from server.storage import Storage


async def key_problem(
    storage: Storage, settings: Settings, badge: KeyRing | None = None
) -> str | None:
    """What stops this instance from signing as the others do, or None.

    `badge`: the keys the app already loaded and signs with (read from disk when None).
    """
    if badge is None:
        badge = load_keys(settings.badge_keys_dir, create=settings.badge_keys is None)
    problem = await _compare(
        storage,
        "badge",
        [(k.number, k.did) for k in badge.keys],
        f"badge signing keys in {settings.badge_keys_dir} (ALLIANCES_BADGE_KEYS)",
    )
    lti_folder = settings.lti_keys_dir
    if problem or (settings.lti_keys is None and not lti_folder.exists()):
        return problem  # the LTI key is made on first use (server/lti/keys.py)
    lti = load_tool_keys(lti_folder, create=settings.lti_keys is None)
    return await _compare(
        storage,
        "lti",
        [(k.number, k.public_jwk()["kid"]) for k in lti.keys],
        f"LTI keys in {lti_folder} (ALLIANCES_LTI_KEYS)",
    )


async def _compare(
    storage: Storage, kind: str, mine: list[tuple[int, str]], where: str
) -> str | None:
    recorded = await storage.record_keys(kind, mine)
    local = dict(mine)
    differ = sorted(n for n, public in local.items() if recorded[n] != public)
    missing = sorted(set(recorded) - set(local))
    if not differ and not missing:
        return None
    what = "; ".join(
        part
        for part in (
            differ and f"key {_numbers(differ)} differs from theirs",
            missing and f"key {_numbers(missing)} is missing here",
        )
        if part
    )
    return (
        f"this instance's {where} are not those of the other instances on this database"
        f" ({what}): copy their key folder here and start again"
    )


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
