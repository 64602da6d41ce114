"""What a sign-up sends: a confirmation link to a new account, a warning to an existing one.

The sign-up form says when an address already has an account (learners
start at once, without waiting for a message). So that it is no cheap way to
test addresses, sign-ups are limited per client address, and the owner of the
address is told that someone tried, with the way to reset the password.
"""

from __future__ import annotations

from starlette.requests import Request

from server import security, urls
from server.mail.compose import compose
from server.state import state
from server.web import storage


async def signup_wait(request: Request) -> int:
    """0 if this client may sign up now (the attempt is counted), else seconds to wait."""
    address = request.client.host if request.client else ""
    limits = state(request).account_limits
    return int(await limits.reserve(storage(request), "signup_per_address", address))


async def create_account(request: Request, email: str, name: str, password_hash: str) -> int | None:
    """The new account's id, with its confirmation message; None if the address is taken.

    For a taken address, its owner gets « someone tried to create an account »
    (at most once an hour, so the form cannot be used to flood a mailbox).
    """
    db = storage(request)
    base_url = state(request).settings.base_url
    token = security.new_token()
    link = f"{base_url}{urls.confirm_address(token)}"
    message = compose("confirm", email, name, {"link": link}, base_url=base_url, secret=True)
    user_id = await db.create_user_with_confirmation(
        name, password_hash, security.token_hash(token), message
    )
    if user_id is not None:
        return user_id
    owner = await db.reset_account(email)
    limits = state(request).account_limits
    if owner is not None and not await limits.reserve(db, "signup_notice_per_email", email):
        notice = compose(
            "signup_existing",
            owner.email,
            owner.name,
            {"link": f"{base_url}{urls.forgot()}"},
            base_url=base_url,
        )
        await db.enqueue(notice, user_id=owner.id)
    return None
