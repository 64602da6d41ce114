"""`Storage`: every domain method of the storage layer, typed, in one place.

The views, the mail sender, the reminders and the CLI depend on this, never on
a backend: `open_storage(settings)` returns a SQLite or a PostgreSQL backend,
and mypy checks that each one provides all of it. The contract tests
(tests/test_storage_contract.py) check that both behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from course.activity import Stretch
    from course.certificates import Certificate
    from course.progress import ModuleProgress
    from server.attempt_limits import AttemptLimits
    from server.mail.compose import Message
    from server.storage.lti import LtiLogin, LtiPlatform
    from server.storage.lti_accounts import LtiAccount, LtiIdentity
    from server.storage.lti_contexts import LtiContext, RosterCounts
    from server.storage.lti_grades import Grade, GradeTarget
    from server.storage.questions import Exchange, Question
    from server.storage.realisation import PathCohort, Realisation
    from server.storage.records import (
        ActiveSession,
        AddressStatus,
        Cohort,
        Confirmation,
        InactiveAccount,
        LastAttempt,
        MemberRow,
        OutboxMessage,
        Profile,
        RecordedAttempt,
        ReminderRules,
        Send,
        Step,
        User,
    )
    from server.storage.satisfaction import Answers, SatisfactionAnswer, SatisfactionReach
    from server.throttle import LoginLimits


class Storage(Protocol):
    """A database holding the site's accounts, learning records and messages."""

    outbox_listener: Callable[[], None] | None  # the mail sender's wake-up, if running

    async def add_lti_platform(self, platform: LtiPlatform) -> int | None:
        """The new platform's id; None when its (issuer, client id) is registered."""
        ...

    async def create_lti_user(
        self, issuer: str, subject: str, placeholder: str, name: str, email: str, at: str
    ) -> int:
        """The account of a platform's user (issuer, subject), made without a password."""
        ...

    async def lti_login(self, state_hash: str, at: str) -> LtiLogin | None:
        """An OIDC login the tool started, as recorded (not used by reading it)."""
        ...

    async def lti_platform(self, platform_id: int) -> LtiPlatform | None: ...

    async def lti_platforms(self, issuer: str | None = None) -> list[LtiPlatform]:
        """The registered platforms, or one issuer's, oldest first."""
        ...

    async def lti_user(self, issuer: str, subject: str) -> int | None:
        """The live account a platform's user launched into before."""
        ...

    async def lti_account(self, issuer: str, subject: str) -> LtiAccount | None:
        """That live account, with the name and e-mail claims its link last stored."""
        ...

    async def lti_identity(self, user_id: int) -> LtiIdentity | None:
        """The platform an account was launched from; None for a local account."""
        ...

    async def lti_relaunched(
        self,
        user_id: int,
        issuer: str,
        subject: str,
        at: str,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> None:
        """A later launch: the account active again, renamed or its platform e-mail
        replaced when those claims changed (None: unchanged), in one transaction."""
        ...

    async def open(self) -> None:
        """Connect and apply the missing migrations."""
        ...

    async def close(self) -> None: ...

    async def open_read_only(self) -> None:
        """Connect to an existing database for reading only (the CLI's content check)."""
        ...

    async def ping(self) -> bool: ...

    async def remove_lti_platform(self, platform_id: int) -> bool:
        """Forget a platform (its launches stop; the accounts stay)."""
        ...

    async def set_lti_deployments(self, platform_id: int, deployments: tuple[str, ...]) -> None:
        """The deployment ids a platform may launch from."""
        ...

    async def start_lti_login(
        self,
        state_hash: str,
        nonce: str,
        platform_id: int,
        params: dict[str, str],
        expires_at: str,
        at: str,
        storage_target: str | None = None,
    ) -> None:
        """Record the login the tool sends to the platform (expired ones are cleared);
        `storage_target` for one whose state went to the platform's postMessage storage."""
        ...

    async def use_lti_login(self, state_hash: str, nonce: str, at: str) -> bool:
        """Use a login once: False if unknown, used, expired or of another nonce."""
        ...

    async def open_lti_login(self, state_hash: str, at: str) -> bool:
        """Spend a used storage-mode launch's one-time ticket: False if spent or expired."""
        ...

    async def add_lti_registration_link(
        self, token_hash: str, created_at: str, expires_at: str
    ) -> None:
        """A one-time LTI Dynamic Registration link (its token hashed)."""
        ...

    async def claim_lti_registration_link(self, token_hash: str, at: str) -> str:
        """Use a registration link once: "ok", else "unknown", "used" or "expired"."""
        ...

    async def release_lti_registration_link(self, token_hash: str) -> None:
        """Make a claimed link usable again (its registration failed)."""
        ...

    # LTI grades (server/storage/lti_grades.py, issue #17 §3).
    grade_listener: Callable[[], None] | None  # the grade sender's wake-up, if running

    async def record_grade_target(self, target: GradeTarget, at: str) -> None:
        """Where a launched learner's grades for a resource link go."""
        ...

    async def record_scores(
        self,
        user_id: int,
        scores: Sequence[tuple[str, str, int, bool]],
        at: str,
        *,
        check_first: bool = False,
    ) -> int:
        """Queue (kind, target, score, completed) for the learner's links; only raises."""
        ...

    async def claim_grades(self, now: datetime, lease_seconds: float, limit: int) -> list[Grade]:
        """Take due grades for this sender under a lease."""
        ...

    async def mark_grade_sent(
        self, grade_id: int, score: int, completed: bool, at: datetime
    ) -> None: ...

    async def mark_grade_retry(self, grade_id: int, next_try: datetime, error: str) -> None: ...

    async def mark_grade_stopped(self, grade_id: int, status: str, error: str) -> None: ...

    async def set_grade_lineitem(
        self, platform_id: int, resource_link_id: str, url: str
    ) -> None: ...

    async def retry_grade(self, grade_id: int, now: datetime) -> bool | None:
        """Requeue a refused or failed grade (None: no such grade)."""
        ...

    async def grades_list(self, statuses: Sequence[str], limit: int) -> list[Grade]: ...

    async def grade_counts(self) -> dict[str, int]: ...

    async def write_problem(self) -> str | None:
        """Why a write would fail now (for /healthz), or None."""
        ...

    async def _transaction(self, steps: Sequence[Step]) -> list[list[Any]]: ...

    async def accept_invitation(self, cohort_id: int, user_id: int, at: str) -> bool:
        """Join the cohort if a pending invitation says so; False if there is none."""
        ...

    async def active_sessions(self, user_id: int) -> list[ActiveSession]:
        """The account's unexpired sessions, the most recently seen first."""
        ...

    async def add_invitations(self, cohort_id: int, people: list[dict[str, str]], at: str) -> None:
        """All rows or none: one statement over a JSON array."""
        ...

    async def add_invitations_with_messages(
        self, cohort_id: int, people: list[dict[str, str]], messages: list[Message], at: str
    ) -> int:
        """The import's invitations and their messages, all or nothing; messages recorded."""
        ...

    async def add_trainer(self, cohort_id: int, user_id: int) -> None: ...

    async def address_status(self, user_id: int) -> AddressStatus | None: ...

    async def announce_content(self, version: str, at: str) -> None:
        """Record the content version just installed: every instance follows it."""
        ...

    async def attempt_times(self, user_id: int, module_id: str, since: str) -> list[str]:
        """When the learner's attempts at a module since `since` were made (at most a day's)."""
        ...

    async def attempts_stamp(self) -> tuple[int, int]:
        """(highest id, count) of the attempts: changes whenever one is added or deleted."""
        ...

    async def certificate(self, certificate_id: str) -> Certificate | None: ...

    async def certificates_for(self, user_id: int) -> dict[str, Certificate]: ...

    async def path_activity(
        self, user_id: int, path_id: str, module_ids: tuple[str, ...]
    ) -> tuple[str | None, str | None]:
        """The first and last dated activity on a path (attestation de fin de formation)."""
        ...

    async def realisation(self, user_id: int, path_id: str) -> Realisation | None:
        """The certificat de réalisation issued for this learner and path, if any."""
        ...

    async def issue_realisation(
        self, user_id: int, path_id: str, employer: str, funder_file: str, by: int, at: str
    ) -> None:
        """Issue (or issue again) a certificat de réalisation with the trainer's details."""
        ...

    async def path_cohorts(self, user_id: int, path_id: str) -> list[PathCohort]:
        """The learner's cohorts on a path, oldest membership first, with trainers' names."""
        ...

    async def change_role(
        self, actor_id: int | None, user_id: int, role: str, grant: bool, at: str
    ) -> None:
        """Grant or remove a role; the log entry and the change are one statement."""
        ...

    async def claim_messages(
        self, now: datetime, lease_seconds: float, limit: int
    ) -> list[OutboxMessage]:
        """Take up to `limit` due messages for this sender, in one atomic statement."""
        ...

    async def cohort(self, cohort_id: int) -> Cohort | None: ...

    async def cohort_answers(self, cohort_id: int, module_ids: tuple[str, ...]) -> list[Any]:
        """Every attempt's answers by the cohort's learners, for per-question rates."""
        ...

    async def cohort_by_code(self, code: str) -> Cohort | None: ...

    async def cohort_certificates(self, cohort_id: int, path_id: str) -> dict[int, str]: ...

    async def cohort_reminders(self, cohort_id: int, limit: int = 100) -> list[Any]:
        """The reminders a cohort's learners received, newest first, with their delivery."""
        ...

    async def cohort_trainers(self, cohort_id: int) -> list[Any]: ...

    async def cohorts_with_rules(self) -> list[tuple[int, ReminderRules]]:
        """Cohorts still running whose trainers turned some rule on, for the runner."""
        ...

    async def complete_module(self, user_id: int, path_id: str, module_id: str) -> None:
        """Mark a module without a quiz as done (and the learner as enrolled in the path)."""
        ...

    # Platform courses and their cohorts (server/storage/lti_contexts.py, issue #17 §3).
    async def lti_context_cohort(
        self,
        platform_id: int,
        context_id: str,
        title: str,
        memberships_url: str,
        cohort: tuple[str, str, str],
        at: str,
    ) -> int:
        """The cohort of a platform course; the first launch creates it, once."""
        ...

    async def lti_context_of_cohort(self, cohort_id: int) -> LtiContext | None: ...

    async def lti_users(self, issuer: str, subjects: list[str]) -> dict[str, int]:
        """The accounts of these platform users, by their platform user id."""
        ...

    async def add_cohort_learners(
        self, cohort_id: int, path_id: str, user_ids: list[int], at: str
    ) -> int:
        """Members of the cohort and enrolled in its path; how many are new members."""
        ...

    async def add_cohort_trainers(self, cohort_id: int, user_ids: list[int]) -> int:
        """Trainers of the cohort; how many are new trainers."""
        ...

    async def drop_cohort_trainer(self, cohort_id: int, user_id: int) -> None: ...

    async def record_roster_import(
        self, cohort_id: int, at: str, counts: RosterCounts, error: str | None
    ) -> None:
        """The last roster import's date, counts and error, for the cohort's page."""
        ...

    async def record_keys(self, kind: str, keys: Sequence[tuple[int, str]]) -> dict[int, str]:
        """Record public signing keys not yet known; every recorded key of `kind`, by number."""
        ...

    # Satisfaction questionnaires (server/storage/satisfaction.py, issue #18 §3).
    async def satisfaction_state(self, user_id: int, path_id: str, phase: str) -> str | None:
        """'invited', 'answered', 'declined', or None when never asked."""
        ...

    async def offer_satisfaction(
        self, user_id: int, path_id: str, phase: str, cohort_id: int | None, at: str
    ) -> None:
        """Note that the questionnaire was offered (counted in the response rate), once."""
        ...

    async def record_satisfaction(
        self,
        user_id: int,
        path_id: str,
        phase: str,
        cohort_id: int | None,
        answers: Answers | None,
        month: str,
    ) -> bool:
        """Record anonymous answers (None: declined) apart from the user; False if done."""
        ...

    async def record_satisfaction_by_link(
        self, token_hash: str, issued_after: str, answers: Answers, month: str
    ) -> bool:
        """Record answers through an à-froid link: once, and only before it expires."""
        ...

    async def satisfaction_link_path(self, token_hash: str, issued_after: str) -> str | None: ...

    async def satisfaction_answers(
        self, phase: str, path_id: str | None = None, cohort_ids: Sequence[int] | None = None
    ) -> list[SatisfactionAnswer]: ...

    async def satisfaction_reach(
        self, phase: str, path_id: str | None = None, cohort_id: int | None = None
    ) -> SatisfactionReach: ...

    async def satisfaction_asked_rows(self, user_id: int) -> list[tuple[str, str, str]]: ...

    async def cold_invitations_due(
        self, path_id: str, completed_before: str
    ) -> list[tuple[int, str, str, int | None]]: ...

    async def invite_cold(
        self,
        user_id: int,
        path_id: str,
        cohort_id: int | None,
        token_hash: str,
        at: str,
        message: Message,
    ) -> bool:
        """Record an « à froid » invitation and its message together, once."""
        ...

    async def cold_reminders_due(self, invited_before: str) -> list[tuple[int, str, str, str]]: ...

    async def remind_cold(
        self, user_id: int, path_id: str, token_hash: str, at: str, message: Message
    ) -> bool:
        """The one reminder: a new link replaces the first, with its message, once."""
        ...

    async def content_state(self) -> tuple[str, str] | None:
        """(version, reloaded_at) of the last announced content reload, or None."""
        ...

    async def confirm_address(self, token_hash: str) -> Confirmation:
        """Follow a confirmation link: confirm the address, or move the account to it."""
        ...

    async def create_cohort(
        self, name: str, path_id: str, due_date: str | None, trainer_id: int, code: str, at: str
    ) -> int: ...

    async def create_session(
        self, user_id: int, token_hash: str, days: int, user_agent: str = ""
    ) -> None: ...

    async def create_user(
        self, email: str, name: str, password_hash: str, *, confirmed: bool = False
    ) -> User | None:
        """The new user, or None when the email is already registered."""
        ...

    async def create_user_with_confirmation(
        self, name: str, password_hash: str, token_hash: str, message: Message
    ) -> int | None:
        """A new account, its confirmation link and the message carrying it, all or nothing."""
        ...

    async def credentials(self, email: str) -> tuple[User, str] | None: ...

    async def decline_invitation(self, cohort_id: int, user_id: int, at: str) -> bool:
        """Keep the answer, so that a new import of the same address does not ask again."""
        ...

    async def delete_account(
        self, user_id: int, at: str, purge_after: str | None = None, actor_id: int | None = None
    ) -> bool:
        """Erase an account in one transaction; False if it was already deleted."""
        ...

    async def email_taken(self, email: str) -> bool: ...

    async def end_session(self, token_hash: str) -> None: ...

    async def end_session_of(self, user_id: int, token_hash: str) -> bool:
        """End one session, only if it is this account's; False when it was already gone."""
        ...

    async def end_sessions_of(self, user_id: int, keep: str | None = None) -> None:
        """Sign a user out everywhere, or everywhere but the session `keep` (a token hash)."""
        ...

    async def enqueue(
        self, message: Message, *, user_id: int | None = None, cohort_id: int | None = None
    ) -> int:
        """Record one message on its own; its id in the outbox."""
        ...

    async def enrol(self, user_id: int, path_id: str) -> None: ...

    async def enrolments(self, user_id: int) -> set[str]: ...

    async def first_attempts(self, module_ids: Iterable[str]) -> list[Any]:
        """(module id, answers JSON) of every learner's first attempt at these modules."""
        ...

    async def forget_login_attempts(self, before: float) -> None:
        """Attempts older than the throttle's window count no more: drop them."""
        ...

    async def forget_returned_warnings(self) -> int:
        """Warnings of accounts seen since: void, so a later absence is warned again."""
        ...

    async def inactive_accounts(
        self, warn_before: str, warned_before: str
    ) -> tuple[list[InactiveAccount], list[InactiveAccount]]:
        """Accounts to warn (unseen since `warn_before`, not warned yet) and to delete
        (warned before `warned_before` and unseen since the warning)."""
        ...

    async def invitation_messages(self, cohort_id: int) -> dict[str, tuple[str, str]]:
        """Per invited address (lower case): the last message's status and date."""
        ...

    async def issue_certificate(self, certificate: Certificate) -> Certificate:
        """Store a certificate, unless this learner already has one for the path."""
        ...

    async def join_cohort(self, cohort_id: int, user_id: int, at: str) -> bool: ...

    async def last_attempt(self, user_id: int, module_id: str) -> LastAttempt | None:
        """The learner's latest attempt at a module's quiz, if any."""
        ...

    async def learner_attempts(self, user_id: int, module_ids: tuple[str, ...]) -> list[Any]:
        """One learner's quiz attempts on a path, newest first, for their trainer's page."""
        ...

    async def learner_cohorts(self, user_id: int) -> list[tuple[Cohort, list[str], bool]]:
        """The learner's cohorts, their trainers' names, and whether the plan is shared."""
        ...

    async def learner_invitations(self, user_id: int) -> list[tuple[Cohort, list[str]]]:
        """For the learner: the cohorts that invite them, with their trainers' names."""
        ...

    async def list_users(self, query: str, offset: int, limit: int) -> tuple[list[User], int]: ...

    async def login_succeeded(self, address: str, account: str) -> None:
        """The account's owner is back: their earlier failures from here no longer count."""
        ...

    async def login_wait(
        self, address: str, account: str, now: float, limits: LoginLimits
    ) -> float:
        """Seconds before this address may try this account again (0 or less: now)."""
        ...

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Given up: the reason stays for the admin page, which can requeue it."""
        ...

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        """A temporary failure: waiting again, until `next_attempt_at`."""
        ...

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        """Delivered; a message carrying a one-time link loses its body now."""
        ...

    async def member_emails(self, cohort_id: int) -> set[str]: ...

    async def members(self, cohort_id: int, module_ids: tuple[str, ...]) -> list[MemberRow]:
        """Every learner of the cohort with their progress on the cohort's path."""
        ...

    async def only_admin(self, user_id: int) -> bool:
        """Whether this account is the site's only admin (who alone can grant roles)."""
        ...

    async def outbox_counts(self) -> dict[str, int]:
        """How many messages in each status (all four keys, zeros included)."""
        ...

    async def outbox_list(self, statuses: Sequence[str], limit: int) -> list[OutboxMessage]:
        """The latest messages in these statuses, newest first (the admin page)."""
        ...

    async def outbox_message(self, message_id: int) -> OutboxMessage | None: ...

    async def pending_invitations(self, cohort_id: int) -> list[Any]:
        """For the trainer: only what they typed; never whether an account exists."""
        ...

    async def personal_data(self, user_id: int) -> dict[str, Any]:
        """Everything the site holds about an account, by section, secrets left out."""
        ...

    async def profile(self, user_id: int) -> Profile | None: ...

    async def progress(self, user_id: int) -> dict[str, ModuleProgress]: ...

    async def purge_due(self, at: str) -> int:
        """Purge the kept records of deleted accounts whose retention ended; how many accounts."""
        ...

    async def purges_due(self, at: str) -> int:
        """How many deleted accounts' kept records `purge_due` would purge (a dry run)."""
        ...

    async def learners_touched(
        self, kind: str, subject_id: str, module_id: str, path_id: str, choice_ids: list[str]
    ) -> int | None:
        """How many learners recorded something a content change touches (None: not counted)."""
        ...

    async def record_attempt(
        self,
        session: str,
        path_id: str,
        module_id: str,
        score: int,
        passed: bool,
        answers: dict[str, list[str]],
        content_version: str,
        quiz_signature: str | None = None,
        *,
        user_id: int | None = None,
        attempt_no: int | None = None,
        limits: AttemptLimits | None = None,
    ) -> RecordedAttempt | None:
        """Store an attempt by the session's learner, in one statement."""
        ...

    async def record_confirmation(
        self, user_id: int, token_hash: str, message: Message, notice: Message | None = None
    ) -> None:
        """A confirmation link for `message.to`, the message carrying it, and maybe a notice."""
        ...

    async def record_reminders(
        self, cohort_id: int | None, sends: list[Send], at: str, cutoff: str
    ) -> list[int]:
        """Record each reminder with its message, or nothing for it; who was recorded."""
        ...

    async def record_reset(
        self, user_id: int | None, token_hash: str, message: Message | None
    ) -> None:
        """The reset token and its message, or (unknown address) the same commit without them."""
        ...

    async def reflections(self, user_id: int) -> dict[str, tuple[str, str]]:
        """Every reflection answer of a learner: id -> (answer, updated_at)."""
        ...

    async def record_hits(self, hits: Sequence[tuple[int, str, str, str]]) -> None:
        """Record hits (user id, module id, first, last) into working stretches (issue #18)."""
        ...

    async def heartbeat(self, token_hash: str, module_id: str) -> bool:
        """Extend the session learner's current stretch on a module; False if none."""
        ...

    async def stretches_of(self, user_ids: Sequence[int]) -> dict[int, list[Stretch]]:
        """Every working stretch of these learners, in order."""
        ...

    async def reminder_reach(
        self, cohort_id: int, user_ids: Iterable[int], cutoff: str
    ) -> dict[int, str]:
        """Per learner: `ok`, `recent` (reminded since cutoff) or `unreachable`."""
        ...

    async def reminder_rules(self, cohort_id: int) -> ReminderRules: ...

    async def reminders_off(self, user_id: int) -> bool: ...

    async def remove_member(self, cohort_id: int, user_id: int) -> None: ...

    async def rename_user(self, user_id: int, name: str) -> None:
        """The account's name from now on; certificates keep the name they were issued with."""
        ...

    async def reserve_login(
        self, address: str, account: str, now: float, limits: LoginLimits
    ) -> bool:
        """Record an attempt if the limits allow one now; False (nothing recorded) if not."""
        ...

    async def reserve_rate(
        self, bucket: str, key: str, now: float, count: int, window: float
    ) -> float:
        """Record an event if fewer than `count` happened within `window`; else seconds to wait."""
        ...

    async def reset_account(self, email: str) -> User | None:
        """The account a reset request names (a deleted one has no address left)."""
        ...

    async def reset_owner(self, token_hash: str) -> User | None:
        """The account a reset link is for, while it is valid (not used, not expired)."""
        ...

    async def forget_old_messages(self, bodies_before: str, rows_before: str) -> int:
        """Empty delivered messages' text after a while, delete finished ones later."""
        ...

    async def retry_message(self, message_id: int, now: datetime) -> bool | None:
        """Requeue a failed message with a fresh count of attempts."""
        ...

    async def revoke_certificate(self, certificate_id: str, reason: str) -> bool: ...

    async def badge_slot(self, certificate_id: str) -> tuple[int, str | None]:
        """The certificate's status-list index (given once, for good) and its credential."""
        ...

    async def keep_badge(self, certificate_id: str, credential: str) -> str:
        """Store a signed credential unless one is already kept: the first one stays."""
        ...

    async def badge_statuses(self) -> tuple[int, list[int]]:
        """The highest status index given and the revoked ones."""
        ...

    async def role_history(self, limit: int = 50) -> list[Any]: ...

    async def save_cohort_settings(
        self,
        cohort_id: int,
        name: str,
        due_date: str | None,
        archived_at: str | None,
        rules: ReminderRules,
    ) -> None:
        """The settings form in one statement: name, due date, archive and reminder rules."""
        ...

    async def save_reflection(
        self, user_id: int, module_id: str, reflection_id: str, answer: str
    ) -> None:
        """Save an answer; the module then shows as started (its own small write)."""
        ...

    async def send_invitation(
        self, cohort_id: int, email: str, message: Message, cutoff: str
    ) -> str:
        """Record the message of a pending invitation: `sent`, `recent` or `missing`."""
        ...

    async def session_learner_state(
        self, token_hash: str, module_id: str
    ) -> tuple[User | None, dict[str, ModuleProgress], dict[str, str], list[tuple[int, str]]]:
        """The signed-in user, their progress in every module, their answers in this one,
        and their open cohorts as (id, path id)."""
        ...

    # Learner–trainer questions (server/storage/questions.py, issue #18 §2).
    async def ask_question(
        self,
        cohort_id: int,
        user_id: int,
        path_id: str,
        module_id: str,
        body: str,
        at: str,
        mail: Sequence[tuple[Message, int]] = (),
    ) -> int:
        """Open a thread with its first message and queue its e-mails; the thread's id."""
        ...

    async def answer_question(
        self,
        question_id: int,
        author_id: int,
        from_trainer: bool,
        body: str,
        at: str,
        mail: Sequence[tuple[Message, int]] = (),
        cohort_id: int | None = None,
    ) -> None:
        """Add a message to a thread (unread for trainers when the learner wrote it)."""
        ...

    async def question(self, question_id: int) -> Question | None: ...

    async def question_messages(self, question_id: int) -> list[Exchange]: ...

    async def learner_questions(
        self, user_id: int, module_id: str | None = None
    ) -> list[Question]: ...

    async def cohort_learner_questions(self, cohort_id: int, user_id: int) -> list[Question]: ...

    async def mark_question_read(self, question_id: int) -> None: ...

    async def learner_exchanges(self, cohort_id: int, user_id: int) -> list[Exchange]:
        """Every message between a learner and a cohort's trainers, oldest first (dated,
        module, who wrote): for the « relevé d'activité »."""
        ...

    async def session_user(self, token_hash: str) -> User | None: ...

    async def set_join_link(self, cohort_id: int, code: str, enabled: bool) -> None: ...

    async def set_plan_shared(self, cohort_id: int, user_id: int, shared: bool) -> None: ...

    async def set_reminders_off(self, user_id: int, off: bool) -> None: ...

    async def signed_in(self, user_id: int, at: str) -> None:
        """A sign-in: the account is active again, and an inactivity warning void."""
        ...

    async def stop_reminders(self, user_id: int, what: str, *, stop: bool = True) -> bool:
        """The unsubscribe link: `r` stops reminders, `d` the trainers' digest (or resumes)."""
        ...

    async def touch_session(self, token_hash: str, user_id: int, stamp: str) -> None:
        """Mark the session and its account as seen now: one hop, both or neither."""
        ...

    async def trainer_cohort(self, cohort_id: int, trainer_id: int) -> Cohort | None:
        """The cohort if this user trains it: one query decides access and loads it."""
        ...

    async def trainer_cohorts(self, trainer_id: int) -> list[Cohort]: ...

    async def update_cohort(
        self, cohort_id: int, name: str, due_date: str | None, archived_at: str | None
    ) -> None: ...

    async def update_password_hash(self, user_id: int, password_hash: str) -> None: ...

    async def use_reset_token(self, token_hash: str, password_hash: str) -> int | None:
        """Set the password a valid reset link is for; the account's id, or None."""
        ...

    async def user_by_email(self, email: str) -> User | None: ...

    async def user_by_id(self, user_id: int) -> User | None: ...

    async def warn_inactive(self, user_id: int, message: Message, at: str) -> None:
        """Record the warning and its message together: never one without the other."""
        ...
