"""What the app holds for its whole life, typed, in one place.

`create_app` builds one `AppState` and keeps it as `app.state.alliances`; views
reach it through `state(request)`, so mypy checks every use and a misspelt
name fails at once instead of reading a missing attribute. The per-request
bits (the signed-in user, the CSRF cookie) stay on `request.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2
from starlette.requests import Request

from server.activity_log import ActivityLog
from server.attempt_limits import AttemptLimits
from server.credentials.keys import KeyRing
from server.lti.keyset import KeysetCache
from server.lti.service_token import TokenCache
from server.pdf_pool import PdfPool
from server.rate_limits import AccountLimits
from server.security import Signer
from server.settings import Settings
from server.storage import Storage, User
from server.template_files import TemplateFiles
from server.throttle import LoginThrottle

if TYPE_CHECKING:  # the content and the views import this module: only mypy needs theirs
    from course.reload_summary import ReloadSummary
    from server.content import LiveContent, Snapshot
    from server.lti.grade_sender import GradeSender
    from server.mail.sender import MailSender
    from server.views.items import TallyCache


@dataclass(slots=True, eq=False)
class AppState:
    """Everything shared by the requests; slots keep each access one attribute read."""

    settings: Settings
    content: LiveContent  # the compiled course, swapped whole on reload
    signer: Signer
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    account_limits: AccountLimits = field(default_factory=AccountLimits)  # sign-ups, resets
    pdf_pool: PdfPool = field(default_factory=PdfPool)  # PDFs never take the requests' threads
    attempt_limits: AttemptLimits = field(default_factory=AttemptLimits)  # quiz submissions
    template_files: TemplateFiles = field(default_factory=TemplateFiles)  # built once a version
    activity: ActivityLog = field(default_factory=ActivityLog)  # module-page hits, batched
    # Opened by the lifespan: reading it before start-up raises AttributeError.
    storage: Storage = field(init=False)
    mail_sender: MailSender | None = None  # none in the editor's preview
    preview_user: User | None = None  # the editor's preview only: everyone is this user
    preview_session: str | None = None
    item_tallies: TallyCache | None = None  # the editors' item analysis, per attempts' stamp
    last_reload: tuple[str, ReloadSummary] | None = None  # shown on the editors' page
    badge_keys: KeyRing | None = None  # Open Badges signing keys, loaded by create_app
    lti_keysets: KeysetCache = field(default_factory=KeysetCache)  # platforms' public keys
    lti_transport: httpx2.AsyncBaseTransport | None = None  # tests: a simulated platform
    lti_tokens: TokenCache = field(default_factory=TokenCache)  # AGS/NRPS access tokens
    lti_grade_sender: GradeSender | None = None  # posts grades to platforms (none in preview)


def state(request: Request) -> AppState:
    """The app's state, from a request (the views' one way in)."""
    found: AppState = request.app.state.alliances
    return found


def snapshot(request: Request) -> Snapshot:
    """The compiled content this request is served from, read once from the live holder.

    Kept in the request's scope state (SecurityMiddleware sets it up for every
    HTTP request): a reload while the request awaits cannot mix two courses.
    """
    pinned = request.scope["state"]
    found: Snapshot | None = pinned.get("snapshot")
    if found is None:
        found = pinned["snapshot"] = state(request).content.snapshot
    return found


def app_state(app: Any) -> AppState:
    """The state of an app made by `create_app`, for tests and benches.

    They hold the app as a bare ASGI callable (`TestClient.app`), hence `Any`.
    """
    found = app.state.alliances
    assert isinstance(found, AppState), "not an app made by server.app.create_app"
    return found
