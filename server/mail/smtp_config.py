"""`ALLIANCES_SMTP_URL` read into the few facts a mail client needs.

`smtp://user:pass@host:587` talks plain SMTP and upgrades with STARTTLS: when
credentials are given STARTTLS is required (a password never crosses the
network in clear), without them it is used whenever the server offers it (a
local relay on 127.0.0.1 often does not). `smtps://host:465` is TLS from the
first byte. User and password are percent-decoded, so `@`, `:` or `/` in a
password are written `%40`, `%3A`, `%2F`.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

TlsMode = Literal["implicit", "starttls", "starttls-if-offered"]
TLS_LABELS: dict[str, str] = {
    "implicit": "TLS",
    "starttls": "STARTTLS",
    "starttls-if-offered": "STARTTLS if offered",
}
TLS_LABELS_FR: dict[str, str] = {
    "implicit": "TLS dès la connexion (smtps)",
    "starttls": "STARTTLS obligatoire",
    "starttls-if-offered": "STARTTLS si le serveur le propose",
}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: TlsMode
    user: str = ""
    password: str = ""

    @property
    def address(self) -> str:
        """What may be printed or shown: never the password."""
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def tls_label(self) -> str:
        return TLS_LABELS[self.tls]

    @property
    def tls_label_fr(self) -> str:
        return TLS_LABELS_FR[self.tls]


def parse_smtp_url(url: str) -> SmtpConfig:
    """The configuration in `url`, or a ValueError saying what to write instead."""
    example = "e.g. smtp://user:password@smtp.example.org:587 or smtps://smtp.example.org:465"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"ALLIANCES_SMTP_URL is not a valid URL ({exc}): {example}") from exc
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"ALLIANCES_SMTP_URL must start with smtp:// or smtps://: {example}")
    if not parts.hostname:
        raise ValueError(f"ALLIANCES_SMTP_URL names no host: {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"ALLIANCES_SMTP_URL takes no path or query: {example}")
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if bool(user) != bool(password):
        raise ValueError(
            "ALLIANCES_SMTP_URL gives a user without a password (or the reverse): write both,"
            " percent-encoded, as smtp://user:password@host:587"
        )
    if parts.scheme == "smtps":
        tls: TlsMode = "implicit"
        default_port = 465
    else:
        tls = "starttls" if user else "starttls-if-offered"
        default_port = 587 if user else 25
    if port == 0:
        raise ValueError("ALLIANCES_SMTP_URL: the port must be between 1 and 65535")
    return SmtpConfig(parts.hostname, port or default_port, tls, user, password)


def check_mail_from(value: str) -> str:
    """`value` if it is an address, with or without a name; else a ValueError."""
    _, address = parseaddr(value)
    if "@" not in address or any(c in value for c in "\r\n"):
        raise ValueError(
            "ALLIANCES_MAIL_FROM must be an address, e.g."
            " 'Alliances & Territoires <ne-pas-repondre@formation.example.org>'"
        )
    return value


def default_mail_from(base_url: str) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    return f"Alliances & Territoires <ne-pas-repondre@{host}>"
