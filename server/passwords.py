"""What a new password must be: long enough, not too long, not common, not the user's own.

The common passwords are zxcvbn's ranked list (30,000 passwords from leaked
sets), shipped with the package: checked offline, nothing leaves the server.
A password over the maximum is refused, never silently cut: the hash must be
of what the person typed.
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _squeezed(text: str) -> str:
    """Case and spaces aside, the way someone would retype it."""
    return "".join(text.casefold().split())


def too_long(password: str) -> str | None:
    if len(password) > MAX_PASSWORD:
        return f"Le mot de passe ne doit pas dépasser {MAX_PASSWORD} caractères."
    return None


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, in French, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"Choisissez un mot de passe d’au moins {MIN_PASSWORD} caractères."
    if problem := too_long(password):
        return problem
    squeezed = _squeezed(password)
    own = {_squeezed(email), _squeezed(email.partition("@")[0]), _squeezed(name)} - {""}
    if squeezed in own:
        return "Choisissez un mot de passe différent de votre adresse électronique et de votre nom."
    if squeezed in common_passwords() or password.casefold() in common_passwords():
        return (
            "Ce mot de passe figure parmi les plus courants\u00a0: "
            "choisissez-en un autre, par exemple une phrase de plusieurs mots."
        )
    return None
