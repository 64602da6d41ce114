"""« Mon compte » for an account a platform launch made (LTI 1.3, issue #17).

Such an account has no password and no address of its own here (its address is a
placeholder): the platform vouches for who it is, at each launch. So the forms that
ask for a password or change the address are not offered to it, and say why if
reached; and its owner proves themselves for the account's deletion differently:
the session must come from a launch made moments ago (a session stolen days ago is
not enough), and the word SUPPRIMER typed (no click by mistake), with the CSRF token
every form checks.

Every session of such an account was opened by a launch (it cannot sign in any
other way), so the session's own `created_at` is when its owner last launched it.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server import clock
from server.storage import User
from server.storage.lti_accounts import LtiIdentity
from server.web import session_hash, storage

FRESH_LAUNCH = timedelta(minutes=10)
CONFIRM_WORD = "SUPPRIMER"
NO_PASSWORD = (
    "Ce compte n’a pas de mot de passe sur ce site\u00a0: vous vous connectez en lançant "
    "l’activité depuis votre plateforme de formation, qui garantit votre identité. "
    "C’est sur la plateforme que se change votre mot de passe."
)
NO_ADDRESS = (
    "Ce compte n’a pas d’adresse électronique propre sur ce site\u00a0: c’est votre "
    "plateforme de formation qui vous identifie, à chaque lancement, et vous vous "
    "connectez depuis elle. C’est sur la plateforme que se change votre adresse."
)
RELAUNCH = (
    "Relancez l’activité depuis votre plateforme pour confirmer qu’il s’agit bien de "
    f"vous, puis revenez ici dans les {FRESH_LAUNCH.seconds // 60}\u00a0minutes qui suivent."
)
TYPE_THE_WORD = f"Tapez {CONFIRM_WORD} pour confirmer\u00a0: votre compte n’a pas été supprimé."


async def identity(request: Request, user: User) -> LtiIdentity | None:
    """The platform the account comes from, read once per request; None: a local account."""
    if not hasattr(request.state, "lti_identity"):
        request.state.lti_identity = await storage(request).lti_identity(user.id)
    found: LtiIdentity | None = request.state.lti_identity
    return found


async def refuse_if_launched(request: Request, user: User, why: str) -> None:
    """A form that makes no sense without a password or an address of one's own: 403."""
    if await identity(request, user) is not None:
        raise HTTPException(403, why)


async def launched_recently(request: Request, user: User) -> bool:
    """Whether this request's session was opened (by a launch) less than FRESH_LAUNCH ago."""
    current = session_hash(request)
    if current is None:
        return False
    sessions = await storage(request).active_sessions(user.id)
    started = next((s.created_at for s in sessions if s.token_hash == current), None)
    return started is not None and started >= clock.stamp(clock.moment() - FRESH_LAUNCH)


def confirmed(typed: object) -> bool:
    """The word typed, give or take case and spaces: a guard against a slip, not a secret."""
    return isinstance(typed, str) and typed.strip().upper() == CONFIRM_WORD
