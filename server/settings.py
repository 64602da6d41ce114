"""Settings read once from the environment, with local defaults.

Every variable is documented in the README; a test checks that the table and
this list agree.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ENV_VARS = {
    "ALLIANCES_ENV": "`development` (default) or `production`",
    "ALLIANCES_DATABASE": "SQLite database file (default `var/alliances.db`)",
    "ALLIANCES_CONTENT_DIR": "course content folder (default `content`)",
    "ALLIANCES_SECRET_KEY": "signing key; required in production (default: generated in `var/`)",
    "ALLIANCES_BASE_URL": "public URL, printed on certificates; required in production",
    "ALLIANCES_DEBUG": "`1` shows tracebacks; refused in production (default `0`)",
    "ALLIANCES_MAX_BODY": "largest accepted request body in bytes (default `262144`)",
    "PORT": "port for `alliances serve` and the Procfile (default `8000`)",
    "FORWARDED_ALLOW_IPS": "proxies trusted for `X-Forwarded-*` headers (default `127.0.0.1`)",
    "ALLIANCES_CPU": "default for `serve --cpu`: a CPU number or `auto` (unset: no pinning)",
}


@dataclass(frozen=True)
class Settings:
    database: Path
    content_dir: Path
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    debug: bool = False
    production: bool = False
    max_body: int = 256 * 1024
    preview: bool = False  # `alliances preview`: no accounts, live reload, localhost only
    # Mail (issue #14): unset, messages are written as .eml files under var/mail/.
    smtp_url: str = ""
    mail_from: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        mode = env.get("ALLIANCES_ENV", "development").strip().lower()
        if mode not in ("development", "production"):
            raise ValueError(f"ALLIANCES_ENV must be development or production, not {mode!r}")
        production = mode == "production"
        database = Path(env.get("ALLIANCES_DATABASE", "var/alliances.db"))
        secret = env.get("ALLIANCES_SECRET_KEY", "").strip()
        if not secret:
            if production:
                raise ValueError(
                    "ALLIANCES_SECRET_KEY is required in production: set it to a long random "
                    'string, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            try:
                secret = local_secret(database.parent)
            except OSError as exc:
                raise ValueError(
                    f"cannot keep a local secret key in {database.parent}: {exc.strerror}"
                ) from exc
        elif production and len(secret) < 32:
            raise ValueError("ALLIANCES_SECRET_KEY is too short: use at least 32 characters")
        try:
            max_body = int(env.get("ALLIANCES_MAX_BODY", 256 * 1024))
        except ValueError as exc:
            raise ValueError("ALLIANCES_MAX_BODY must be a number of bytes") from exc
        debug = env.get("ALLIANCES_DEBUG", "0").strip().lower() in ("1", "true", "yes")
        base_url = env.get("ALLIANCES_BASE_URL", "").strip().rstrip("/")
        if production:
            _check_production(debug, base_url)
        return cls(
            database=database,
            content_dir=Path(env.get("ALLIANCES_CONTENT_DIR", "content")),
            secret_key=secret,
            base_url=base_url or "http://127.0.0.1:8000",
            debug=debug,
            production=production,
            max_body=max_body,
        )


def _check_production(debug: bool, base_url: str) -> None:
    """Tracebacks shown to visitors, or certificates whose QR codes lead to 127.0.0.1:
    both are mistakes a production server must refuse to start with."""
    if debug:
        raise ValueError(
            "ALLIANCES_DEBUG must not be set in production: it shows tracebacks to visitors"
        )
    if not base_url:
        raise ValueError(
            "ALLIANCES_BASE_URL is required in production: set it to the site's public "
            "address, e.g. https://formation.example.org (certificates and QR codes use it)"
        )
    if not base_url.startswith(("https://", "http://")):
        raise ValueError(
            f"ALLIANCES_BASE_URL must start with https:// or http://, not {base_url!r}"
        )


def local_secret(var_dir: Path) -> str:
    """A random key generated once and kept, so local sessions survive restarts."""
    file = var_dir / "secret_key"
    if file.exists():
        return file.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key
