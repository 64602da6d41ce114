"""The module page's heartbeat: the open, visible page extends its working stretch.

static/presence.js posts here every 60 s while `document.visibilityState` is
visible (issue #18 §2; the method: course/activity.py). The answer is cheap: the
form's CSRF check, an in-memory rate limit, then one UPDATE that checks the session
inside it; a beat never starts a stretch, only a request of the page does.
"""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response

from server.state import state
from server.views.learning import module_of, path_of
from server.web import read_form, session_hash, storage


async def heartbeat(request: Request) -> Response:
    module = module_of(request, path_of(request))
    await read_form(request)
    session = session_hash(request)
    if session is None:
        return Response("Connectez-vous pour que votre temps soit compté.", 401)
    wait = state(request).activity.beat_wait(session)
    if wait:
        return Response(status_code=429, headers={"Retry-After": str(math.ceil(wait))})
    await storage(request).heartbeat(session, module.id)
    return Response(status_code=204)
