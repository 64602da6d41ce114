"""Settings read once from the environment, with local defaults.

Every variable is documented in the README; a test checks that the table and
this list agree.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from server.mail.smtp_config import check_mail_from, default_mail_from, parse_smtp_url

ENV_VARS = {
    "ALLIANCES_ENV": "`development` (default) or `production`",
    "ALLIANCES_DATABASE": (
        "SQLite file (a path or `sqlite:///path`; default `var/alliances.db`), or a"
        " PostgreSQL URL `postgresql://user:password@host:5432/name`"
    ),
    "ALLIANCES_CONTENT_DIR": "course content folder (default `content`)",
    "ALLIANCES_SECRET_KEY": "signing key; required in production (default: generated in `var/`)",
    "ALLIANCES_BASE_URL": "public URL, printed on certificates; required in production",
    "ALLIANCES_DEBUG": "`1` shows tracebacks; refused in production (default `0`)",
    "ALLIANCES_MAX_BODY": "largest accepted request body in bytes (default `262144`)",
    "PORT": "port for `alliances serve` and the Procfile, 1 to 65535 (default `8000`)",
    "FORWARDED_ALLOW_IPS": "proxies trusted for `X-Forwarded-*` headers: `*`, or addresses"
    " and networks separated by commas (default `127.0.0.1`)",
    "ALLIANCES_CPU": "default for `serve --cpu`: a CPU number or `auto` (unset: no pinning)",
    "ALLIANCES_SMTP_URL": "mail relay, `smtp://user:pass@host:587` (STARTTLS) or `smtps://host:465`"
    " (unset: messages are written to `var/mail/`)",
    "ALLIANCES_MAIL_FROM": "sender of the site's messages"
    " (default `Alliances & Territoires <ne-pas-repondre@HOST>`, HOST from the base URL)",
    "ALLIANCES_RETENTION_DAYS": "days a deleted learner's training records are kept,"
    " pseudonymised, as evidence of a funded training (default `0`: erased at once)",
    "ALLIANCES_INACTIVE_DAYS": "days without sign-in after which `alliances purge-inactive`"
    " deletes an account, warned 30 days before (default `1095`, 3 years)",
    "ALLIANCES_BADGE_KEYS": "folder of the Ed25519 keys that sign the Open Badges credentials"
    " (default `var/badge-keys/`, its first key made at start-up)",
    "ALLIANCES_LTI_KEYS": "folder of the RSA keys the LTI 1.3 tool publishes at `/lti/jwks.json`"
    " (default `var/lti-keys/`, its first key made at start-up)",
    "ALLIANCES_ORGANISATION": "name of the organisation running the site, the badges' issuer"
    " (default `Alliances & Territoires`); also the training provider named on the"
    " attestation de fin de formation",
    "ALLIANCES_PROVIDER_ADDRESS": "the training provider's postal address, printed on the"
    " attestation de fin de formation (one line; unset: not printed)",
    "ALLIANCES_PROVIDER_NDA": "the provider's numéro de déclaration d'activité, 11 digits"
    " (spaces allowed), printed on the attestation when set",
    "ALLIANCES_SUPPORT_CONTACT": "an e-mail address or https URL where learners get technical"
    " and pedagogical assistance, shown on each path page when they have no cohort trainer"
    " (Code du travail art. D6313-3-1; unset: not shown)",
}


@dataclass(frozen=True)
class Settings:
    database: Path  # SQLite's file; with PostgreSQL, only its folder is used (var/)
    content_dir: Path
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    debug: bool = False
    production: bool = False
    max_body: int = 256 * 1024
    database_url: str = ""  # postgresql://…: the PostgreSQL backend instead of SQLite
    preview: bool = False  # `alliances preview`: no accounts, live reload, localhost only
    # Mail (issue #14): unset, messages are written as .eml files under var/mail/.
    smtp_url: str = ""
    mail_from: str = ""
    # Personal data (issue #14): 0 erases a deleted learner's records at once.
    retention_days: int = 0
    inactive_days: int = 1095
    # The sender task's pace (server/mail/sender.py); tests shorten them.
    mail_poll_seconds: float = 5.0
    mail_backoff: tuple[float, ...] = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
    # `alliances serve`: the defaults of --port and --cpu, and uvicorn's trusted proxies.
    port: int = 8000
    cpu: str | None = None  # a CPU number or "auto"; None: no pinning
    forwarded_allow_ips: str = "127.0.0.1"
    # Open Badges (issue #16): the signing keys' folder (None: var/badge-keys beside the
    # database) and the issuer's name.
    badge_keys: Path | None = None
    organisation: str = "Alliances & Territoires"
    # LTI 1.3 (issue #17): the tool's RSA keys' folder (None: var/lti-keys).
    lti_keys: Path | None = None
    # Training provider (issue #18): printed on the attestation de fin de formation;
    # its name is `organisation`.
    provider_address: str = ""
    provider_nda: str = ""  # 11 digits, or empty
    # Who assists a learner without a cohort (art. D6313-3-1): an e-mail address or https URL.
    support_contact: str = ""

    @property
    def badge_keys_dir(self) -> Path:
        return self.badge_keys or self.database.parent / "badge-keys"

    @property
    def lti_keys_dir(self) -> Path:
        return self.lti_keys or self.database.parent / "lti-keys"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        mode = env.get("ALLIANCES_ENV", "development").strip().lower()
        if mode not in ("development", "production"):
            raise ValueError(f"ALLIANCES_ENV must be development or production, not {mode!r}")
        production = mode == "production"
        database, database_url = database_setting(env.get("ALLIANCES_DATABASE", ""))
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
        retention_days = _days(env, "ALLIANCES_RETENTION_DAYS", 0, minimum=0)
        inactive_days = _days(env, "ALLIANCES_INACTIVE_DAYS", 1095, minimum=31)
        debug = env.get("ALLIANCES_DEBUG", "0").strip().lower() in ("1", "true", "yes")
        base_url = env.get("ALLIANCES_BASE_URL", "").strip().rstrip("/")
        if production:
            _check_production(debug, base_url)
        smtp_url = env.get("ALLIANCES_SMTP_URL", "").strip()
        if smtp_url:
            parse_smtp_url(smtp_url)  # a ValueError saying what to write
        mail_from = env.get("ALLIANCES_MAIL_FROM", "").strip()
        mail_from = check_mail_from(mail_from) if mail_from else ""
        badge_keys = _badge_keys(env.get("ALLIANCES_BADGE_KEYS", ""), database.parent)
        organisation = " ".join(env.get("ALLIANCES_ORGANISATION", "").split())
        lti_keys = _lti_keys(env.get("ALLIANCES_LTI_KEYS", ""), database.parent)
        return cls(
            database=database,
            database_url=database_url,
            content_dir=Path(env.get("ALLIANCES_CONTENT_DIR", "content")),
            secret_key=secret,
            base_url=base_url or "http://127.0.0.1:8000",
            debug=debug,
            production=production,
            max_body=max_body,
            retention_days=retention_days,
            inactive_days=inactive_days,
            smtp_url=smtp_url,
            mail_from=mail_from or default_mail_from(base_url or "http://127.0.0.1:8000"),
            port=_port(env.get("PORT", "")),
            cpu=_cpu(env.get("ALLIANCES_CPU", "")),
            forwarded_allow_ips=_trusted_proxies(env.get("FORWARDED_ALLOW_IPS", "")),
            badge_keys=badge_keys,
            organisation=organisation or "Alliances & Territoires",
            lti_keys=lti_keys,
            provider_address=" ".join(env.get("ALLIANCES_PROVIDER_ADDRESS", "").split())[:300],
            provider_nda=_nda(env.get("ALLIANCES_PROVIDER_NDA", "")),
            support_contact=_contact(env.get("ALLIANCES_SUPPORT_CONTACT", "")),
        )


def _contact(raw: str) -> str:
    """An e-mail address or an https URL; anything else stops start-up, loudly."""
    value = raw.strip()
    if not value or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return value
    if re.fullmatch(r"https://[^\s]+", value):
        return value
    raise ValueError(
        f"ALLIANCES_SUPPORT_CONTACT must be an e-mail address or https URL, not {raw!r}"
    )


def _days(env: dict[str, str], name: str, default: int, minimum: int) -> int:
    """A whole number of days, at least `minimum`: a typo stops start-up, loudly."""
    raw = env.get(name, "").strip()
    try:
        days = int(raw) if raw else default
    except ValueError:
        days = -1
    if days < minimum:
        raise ValueError(f"{name} must be a whole number of days, at least {minimum}, not {raw!r}")
    return days


def _nda(raw: str) -> str:
    """The numéro de déclaration d'activité: 11 digits, a typo stops start-up."""
    digits = "".join(raw.split())
    if digits and (len(digits) != 11 or not digits.isascii() or not digits.isdigit()):
        raise ValueError(
            f"ALLIANCES_PROVIDER_NDA must be the 11 digits of the numéro de déclaration"
            f" d'activité, not {raw.strip()!r}"
        )
    return digits


def _badge_keys(raw: str, var_dir: Path) -> Path | None:
    """Check the badge keys now, so a damaged or lost key stops start-up in one line.

    The default folder gets its first key here; a configured one must already hold it.
    """
    from server.credentials.keys import load_keys

    folder = Path(raw.strip()) if raw.strip() else None
    load_keys(folder or var_dir / "badge-keys", create=folder is None)
    return folder


def _lti_keys(raw: str, var_dir: Path) -> Path | None:
    """As for the badge keys: a damaged or lost configured LTI key stops start-up.

    The default folder's first key is made when first needed (server/lti/keys.py).
    """
    from server.lti.keys import check_tool_keys

    folder = Path(raw.strip()) if raw.strip() else None
    check_tool_keys(folder or var_dir / "lti-keys", configured=folder is not None)
    return folder


def _port(raw: str) -> int:
    """PORT, set by hosting platforms: a typo would otherwise surface as a bind error."""
    raw = raw.strip()
    if not raw:
        return 8000
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"PORT must be a port number from 1 to 65535, not {raw!r}")
    return int(raw)


def _cpu(raw: str) -> str | None:
    """ALLIANCES_CPU's form; whether that CPU exists is checked when pinning (server/cpu.py)."""
    raw = raw.strip().lower()
    if not raw:
        return None
    if raw != "auto" and not raw.isdigit():
        raise ValueError(f"ALLIANCES_CPU must be a CPU number or 'auto', not {raw!r}")
    return raw


def _trusted_proxies(raw: str) -> str:
    """FORWARDED_ALLOW_IPS: `*`, or addresses and networks separated by commas.

    uvicorn silently keeps a malformed entry as a name no client ever has: the
    proxy's `X-Forwarded-For` would then be ignored, and every visitor would get
    the proxy's address (one rate limit for the whole site). Refused here instead.
    """
    raw = raw.strip()
    if not raw:
        return "127.0.0.1"
    if raw == "*":
        return raw
    entries = [entry.strip() for entry in raw.split(",")]
    for entry in entries:
        try:
            if "/" in entry:
                ipaddress.ip_network(entry)  # strict, as uvicorn reads it
            else:
                ipaddress.ip_address(entry)
        except ValueError:
            raise ValueError(
                "FORWARDED_ALLOW_IPS must be * or IP addresses and networks separated by"
                f" commas (e.g. 10.0.0.10,192.168.1.0/24), not {entry!r}"
            ) from None
    return ",".join(entries)


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


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def database_setting(raw: str) -> tuple[Path, str]:
    """ALLIANCES_DATABASE as (SQLite file, PostgreSQL URL): one of the two is used.

    With PostgreSQL the local folder `var/` still holds the secret key and the
    mail files of a development setup.
    """
    raw = raw.strip()
    if raw.startswith(POSTGRES_SCHEMES):
        from urllib.parse import urlsplit

        parts = urlsplit(raw)
        if not parts.hostname and not parts.path.strip("/"):
            raise ValueError(
                "ALLIANCES_DATABASE is not a usable PostgreSQL URL: write it as "
                "postgresql://user:password@host:5432/database"
            )
        return Path("var/alliances.db"), raw
    if raw.startswith("sqlite://"):
        if not raw.startswith("sqlite:///") or raw == "sqlite:///":
            raise ValueError(
                "ALLIANCES_DATABASE: write a SQLite URL as sqlite:///relative/path.db "
                "or sqlite:////absolute/path.db"
            )
        return Path(raw.removeprefix("sqlite:///")), ""
    if "://" in raw:
        scheme = raw.split("://", 1)[0]
        raise ValueError(
            f"ALLIANCES_DATABASE: unknown database {scheme!r}: use a SQLite file path, "
            "sqlite:///path or postgresql://…"
        )
    return Path(raw or "var/alliances.db"), ""


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
