"""« Formulaire expiré »: a stale or foreign CSRF token, told as such, with a way back."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request

TITLE = "Formulaire expiré"
MESSAGE = (
    "Ce formulaire a expiré ou ne provient pas de ce site\u00a0: rien n’a été enregistré. "
    "Revenez à la page avec le bouton Retour de votre navigateur, qui garde en général "
    "ce que vous aviez saisi, puis envoyez-le de nouveau."
)

QUIZ_MESSAGE = (
    "Formulaire expiré : ce quiz n’a pas été enregistré. Vos réponses sont conservées "
    "ci-dessous ; validez-les de nouveau."
)


class FormExpired(HTTPException):
    """403 for a form whose CSRF token no longer matches the browser's cookie."""

    def __init__(self) -> None:
        super().__init__(403, MESSAGE)


def way_back(request: Request) -> str | None:
    """The page the form came from, when it is on this site: a fresh copy of the form.

    Only the path and query of a same-host Referer are kept, so the link can never
    lead elsewhere.
    """
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    if parts.netloc and parts.netloc != request.headers.get("host", ""):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
