"""Every domain method of the storage layer, in one class both backends inherit.

The methods are written once, in SQL both databases read (SQLite's spelling,
rewritten for PostgreSQL by server/storage/dialect.py); a backend adds its
plumbing and overrides only what its dialect cannot share.
"""

from __future__ import annotations

from server.storage.account import AccountQueries
from server.storage.activity import ActivityQueries
from server.storage.certificates import CertificateQueries
from server.storage.cohorts import CohortQueries
from server.storage.content_state import ContentStateQueries
from server.storage.impact import ImpactQueries
from server.storage.invitations import InvitationQueries
from server.storage.items import ItemQueries
from server.storage.learning import LearningQueries
from server.storage.logins import LoginQueries
from server.storage.lti import LtiQueries
from server.storage.lti_accounts import LtiAccountQueries
from server.storage.lti_contexts import LtiContextQueries
from server.storage.lti_grades import LtiGradeQueries
from server.storage.outbox import OutboxQueries
from server.storage.personal import PersonalDataQueries
from server.storage.questions import QuestionQueries
from server.storage.rates import RateQueries
from server.storage.realisation import RealisationQueries
from server.storage.reminders import ReminderQueries
from server.storage.satisfaction import SatisfactionQueries
from server.storage.sessions import SessionQueries
from server.storage.signing_keys import SigningKeyQueries
from server.storage.tokens import TokenQueries


class Queries(
    AccountQueries,
    ActivityQueries,
    CertificateQueries,
    CohortQueries,
    ContentStateQueries,
    ImpactQueries,
    InvitationQueries,
    ItemQueries,
    LearningQueries,
    LoginQueries,
    LtiQueries,
    LtiAccountQueries,
    LtiContextQueries,
    LtiGradeQueries,
    OutboxQueries,
    PersonalDataQueries,
    QuestionQueries,
    RateQueries,
    RealisationQueries,
    ReminderQueries,
    SatisfactionQueries,
    SessionQueries,
    SigningKeyQueries,
    TokenQueries,
):
    """The domain methods; no connection of its own."""
