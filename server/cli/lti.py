"""`alliances lti`: the platforms that may launch the course, and the tool's key."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from server.settings import Settings
from server.storage import Storage


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `lti` command and its subcommands, on the root parser's `sub`."""
    lti = sub.add_parser("lti", help="LTI 1.3: the platforms (Moodle…) that launch the course")
    lti_sub = lti.add_subparsers(dest="lti_command", required=True)
    add = lti_sub.add_parser("add-platform", help="register a platform by hand")
    add.add_argument("--issuer", required=True, help="the platform's issuer (its URL)")
    add.add_argument("--client-id", required=True, help="the client ID the platform gave")
    add.add_argument(
        "--deployment", action="append", required=True, help="a deployment ID (repeatable)"
    )
    add.add_argument("--auth-url", required=True, help="OIDC authentication endpoint")
    add.add_argument("--token-url", required=True, help="access token endpoint")
    add.add_argument("--keyset-url", required=True, help="the platform's public keyset URL")
    add.add_argument("--name", default="", help="a name to know it by")
    add.set_defaults(func=cmd_add_platform)
    lti_sub.add_parser(
        "list", help="the registered platforms, and the URLs to enter on their side"
    ).set_defaults(func=cmd_list)
    remove = lti_sub.add_parser("remove", help="forget a platform (its accounts stay)")
    remove.add_argument("platform_id", type=int)
    remove.set_defaults(func=cmd_remove)
    lti_sub.add_parser(
        "rotate-key", help="a new tool key; the previous one stays published for 7 days"
    ).set_defaults(func=cmd_rotate_key)


def _settings() -> Settings | None:
    try:
        return Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return None


def _with_storage(settings: Settings, work: Callable[[Storage], Awaitable[int]]) -> int:
    async def run() -> int:
        from server.storage import open_storage

        storage = open_storage(settings)
        await storage.open()
        try:
            return await work(storage)
        finally:
            await storage.close()

    return asyncio.run(run())


def cmd_add_platform(args: argparse.Namespace) -> int:
    from server.lti.registration import parse_platform

    settings = _settings()
    if settings is None:
        return 2
    values = {
        "issuer": args.issuer,
        "client_id": args.client_id,
        "auth_url": args.auth_url,
        "token_url": args.token_url,
        "keyset_url": args.keyset_url,
        "name": args.name,
    }
    platform, errors = parse_platform(values, args.deployment, allow_http=not settings.production)
    if platform is None:
        for message in errors.values():
            print(f"alliances: {message}", file=sys.stderr)
        return 2

    async def add(storage: Storage) -> int:
        platform_id = await storage.add_lti_platform(platform)
        if platform_id is None:
            print(
                f"alliances: {platform.issuer} is already registered with client ID"
                f" {platform.client_id}",
                file=sys.stderr,
            )
            return 1
        print(f"registered platform {platform_id}: {platform.issuer} ({platform.client_id})")
        return 0

    return _with_storage(settings, add)


def cmd_list(args: argparse.Namespace) -> int:
    from server.lti.registration import tool_config

    settings = _settings()
    if settings is None:
        return 2

    async def show(storage: Storage) -> int:
        for p in await storage.lti_platforms():
            deployments = ", ".join(p.deployments)
            print(f"{p.id}\t{p.issuer}\tclient {p.client_id}\tdeployments {deployments}\t{p.name}")
        config = tool_config(settings.base_url)
        print(f"tool URL: {config.tool_url}")
        print(f"initiate login URL: {config.login_url}")
        print(f"redirection URI: {' '.join(config.redirect_uris)}")
        print(f"public keyset URL: {config.keyset_url}")
        print(f"deep linking (content selection) URL: {config.deep_linking_url}")
        return 0

    return _with_storage(settings, show)


def cmd_remove(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2

    async def remove(storage: Storage) -> int:
        if not await storage.remove_lti_platform(args.platform_id):
            print(f"alliances: no platform {args.platform_id}", file=sys.stderr)
            return 1
        print(f"removed platform {args.platform_id}: its launches are refused from now on")
        return 0

    return _with_storage(settings, remove)


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from server.lti.keys import GRACE, new_tool_key, tool_keys

    settings = _settings()
    if settings is None:
        return 2
    folder = settings.lti_keys_dir
    try:
        tool_keys(folder, configured=settings.lti_keys is not None)  # a damaged key stops here
        written = new_tool_key(folder)
        current = tool_keys(folder, configured=True).current
    except (ValueError, OSError) as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    print(f"new LTI key {written.name}, kid {current.kid}")
    print(f"the previous key stays in /lti/jwks.json for {GRACE.days} days; keep every key file")
    return 0
