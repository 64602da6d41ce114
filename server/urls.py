"""Every URL of the site, written once: a function per URL, which views, templates (as
`urls`) and mails call, and the route patterns derived from those functions, which
server/routes.py declares. tests/test_urls.py checks each function against the route table.

Why not Starlette's `url_path_for`: it walks the whole route table on each call (about 17 µs),
and the module page alone has some twenty links; an f-string costs a tenth of a microsecond.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from urllib.parse import quote


def _with_next(url: str, next: str | None) -> str:
    """`next` quoted as the `urlencode` filter and the login redirect always did."""
    return f"{url}?next={quote(next)}" if next else url


def home() -> str:
    return "/"


def path(path_id: str) -> str:
    return f"/paths/{path_id}"


def path_start(path_id: str) -> str:
    return f"/paths/{path_id}/start"


def satisfaction(path_id: str) -> str:
    """The « à chaud » questionnaire, once the path is complete (issue #18 §3)."""
    return f"/paths/{path_id}/avis"


def satisfaction_link(token: str) -> str:
    """The « à froid » questionnaire from its e-mailed, single-use link: no sign-in."""
    return f"/avis/{token}"


def module(path_id: str, module_id: str) -> str:
    """The module page (GET) and its quiz (POST): the learner's hot path, hence no router walk."""
    return f"/paths/{path_id}/{module_id}"


def module_done(path_id: str, module_id: str) -> str:
    return f"/paths/{path_id}/{module_id}/done"


def quiz_result(path_id: str, module_id: str) -> str:
    return f"/paths/{path_id}/{module_id}/resultat"


def reflection(path_id: str, module_id: str, reflection_id: str) -> str:
    return f"/paths/{path_id}/{module_id}/reflections/{reflection_id}"


def module_presence(path_id: str, module_id: str) -> str:
    """The open module page's heartbeat (measured learning time, issue #18 §2)."""
    return f"/paths/{path_id}/{module_id}/presence"


def module_questions(path_id: str, module_id: str) -> str:
    """A module's questions to the cohort's trainers: the learner's threads and the form."""
    return f"/paths/{path_id}/{module_id}/questions"


def question(question_id: int) -> str:
    """One thread, for its learner and the cohort's trainers (issue #18)."""
    return f"/questions/{question_id}"


def module_permalink(module_id: str) -> str:
    return f"/modules/{module_id}"


def page(page_id: str) -> str:
    return f"/pages/{page_id}"


def templates() -> str:
    return "/modeles"


def template_file(template_id: str, extension: str) -> str:
    return f"/modeles/{template_id}.{extension}"


def template(template_id: str) -> str:
    return f"/modeles/{template_id}"


def certificate_pdf(certificate_id: str) -> str:
    return f"/certificates/{certificate_id}.pdf"


def certificate(certificate_id: str) -> str:
    return f"/certificates/{certificate_id}"


def attestation_pdf(certificate_id: str) -> str:
    """The attestation de fin de formation (Code du travail art. L6353-1): holder and trainers."""
    return f"/certificates/{certificate_id}/attestation-fin-de-formation.pdf"


def certificate_badge(certificate_id: str) -> str:
    """The certificate's signed Open Badges 3.0 credential (its `id`, so it never moves)."""
    return f"/certificates/{certificate_id}/badge.json"


def badge_status_list(key_number: int | str) -> str:
    """The revocation status list signed by one issuing key (its number in the key folder):
    a credential points to its own key's list, so the list's issuer is always its issuer."""
    return f"/badges/status/{key_number}.json"


def certificate_badge_svg(certificate_id: str) -> str:
    """The learner's badge image, the signed credential baked in (Open Badges 3.0)."""
    return f"/certificates/{certificate_id}/badge.svg"


def badge(path_id: str) -> str:
    """A path's badge image: the credential's achievement points here, so it never moves."""
    return f"/badges/{path_id}.svg"


def media(path: str) -> str:
    """A file under the media folder; `path` may hold slashes (the `:path` convertor)."""
    return f"/media/{path}"


def signup(next: str | None = None) -> str:
    return _with_next("/signup", next)


def login(next: str | None = None) -> str:
    return _with_next("/login", next)


def logout() -> str:
    return "/logout"


def forgot() -> str:
    return "/mot-de-passe-oublie"


def forgot_sent() -> str:
    return "/mot-de-passe-oublie/envoye"


def reset_link(token: str) -> str:
    return f"/mot-de-passe/nouveau/{token}"


def reset() -> str:
    return "/mot-de-passe/nouveau"


def reset_done() -> str:
    return "/mot-de-passe/modifie"


def confirm_address(token: str) -> str:
    return f"/adresse/confirmer/{token}"


def resend_confirmation() -> str:
    return "/adresse/renvoyer"


def account() -> str:
    return "/compte"


def my_address() -> str:
    return "/compte/adresse"


def account_name() -> str:
    return "/compte/nom"


def my_reminders() -> str:
    return "/compte/relances"


def account_password() -> str:
    return "/compte/mot-de-passe"


def close_session() -> str:
    return "/compte/sessions/fermer"


def end_other_sessions() -> str:
    return "/compte/sessions/autres"


def end_all_sessions() -> str:
    return "/compte/sessions/toutes"


def my_data() -> str:
    return "/compte/donnees"


def delete_me() -> str:
    return "/compte/supprimer"


def plan() -> str:
    return "/plan"


def plan_markdown() -> str:
    return "/plan.md"


def plan_pdf() -> str:
    return "/plan.pdf"


def my_trainings() -> str:
    return "/mes-formations"


def share_plan(cohort_id: int) -> str:
    return f"/mes-formations/{cohort_id}/partage"


def leave_cohort(cohort_id: int) -> str:
    return f"/mes-formations/{cohort_id}/quitter"


def answer_invitation(cohort_id: int) -> str:
    return f"/mes-formations/invitations/{cohort_id}"


def join(code: str) -> str:
    return f"/join/{code}"


def stop_reminders(signed: str) -> str:
    return f"/relances/arret/{signed}"


def cohorts() -> str:
    return "/trainer/cohorts"


def cohort(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}"


def cohort_settings(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/settings"


def cohort_join_link(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/join-link"


def cohort_trainers(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/trainers"


def cohort_relaunch(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/relances"


def cohort_invitation(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/invitations/envoi"


def cohort_questions(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/questions"


def cohort_satisfaction(cohort_id: int) -> str:
    """The cohort's satisfaction results: shown from five respondents on."""
    return f"/trainer/cohorts/{cohort_id}/satisfaction"


def cohort_export(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/export.csv"


def cohort_releve(cohort_id: int) -> str:
    """The cohort's relevé d'activité: measured and validated time (issue #18 §2)."""
    return f"/trainer/cohorts/{cohort_id}/releve-activite.csv"


def cohort_releve_pdf(cohort_id: int) -> str:
    """The same relevé as a PDF to file with the funder's papers."""
    return f"/trainer/cohorts/{cohort_id}/releve-activite.pdf"


def cohort_import(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/import"


def cohort_import_sample(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/import/exemple.csv"


def cohort_import_confirm(cohort_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/import/confirm"


def cohort_platform_import(cohort_id: int) -> str:
    """POST: import the roster of the platform course the cohort is tied to (NRPS)."""
    return f"/trainer/cohorts/{cohort_id}/import/plateforme"


def learner(cohort_id: int, user_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}"


def learner_releve(cohort_id: int, user_id: int) -> str:
    """One learner's relevé d'activité, for the cohort's trainers."""
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}/releve-activite.csv"


def learner_releve_pdf(cohort_id: int, user_id: int) -> str:
    """One learner's relevé d'activité as a PDF."""
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}/releve-activite.pdf"


def realisation(cohort_id: int, user_id: int) -> str:
    """The certificat de réalisation's form (GET, POST) for one learner of a cohort."""
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}/realisation"


def realisation_pdf(cohort_id: int, user_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}/certificat-realisation.pdf"


def learner_remove(cohort_id: int, user_id: int) -> str:
    return f"/trainer/cohorts/{cohort_id}/learners/{user_id}/remove"


def cohort_progress(cohort_id: int) -> str:
    return f"/api/cohorts/{cohort_id}/progress"


def editor_content() -> str:
    return "/editor/content"


def editor_reload() -> str:
    return "/editor/content/reload"


def editor_questions() -> str:
    return "/editor/questions"


def editor_questions_csv() -> str:
    return "/editor/questions.csv"


def editor_satisfaction() -> str:
    return "/editor/satisfaction"


def editor_satisfaction_csv() -> str:
    return "/editor/satisfaction.csv"


def preview_status() -> str:
    return "/preview/status"


def answer_key() -> str:
    return "/preview/corrige"


def admin_users() -> str:
    return "/admin/users"


def user_roles(user_id: int) -> str:
    return f"/admin/users/{user_id}/roles"


def admin_mail() -> str:
    return "/admin/mail"


def mail_retry(message_id: int) -> str:
    return f"/admin/mail/{message_id}/retry"


def admin_lti() -> str:
    return "/admin/lti"


def lti_platform_remove(platform_id: int) -> str:
    return f"/admin/lti/{platform_id}/supprimer"


def lti_grade_retry(grade_id: int) -> str:
    """POST: send a grade the platform refused, or whose retries ran out, again."""
    return f"/admin/lti/notes/{grade_id}/renvoyer"


def lti_registration_link() -> str:
    """An administrator makes a one-time Dynamic Registration link here."""
    return "/admin/lti/lien-enregistrement"


def lti_register(token: str) -> str:
    """The Dynamic Registration URL a platform opens (one-time token in the path)."""
    return f"/lti/enregistrement/{token}"


def lti_jwks() -> str:
    """The tool's public keyset, which the platforms fetch."""
    return "/lti/jwks.json"


def lti_login() -> str:
    """OIDC third-party-initiated login: the platform's first request of a launch."""
    return "/lti/login"


def lti_launch() -> str:
    """The redirection URI: the platform posts the signed id_token here."""
    return "/lti/launch"


def lti_launch_storage() -> str:
    """The launch again, posted by the tool's own page once the platform's postMessage
    storage gave back its state (a launch inside a frame, without cookie)."""
    return "/lti/launch/storage"


def lti_open() -> str:
    """A storage-mode launch's one-time ticket: the course in a new window, signed in."""
    return "/lti/open"


def lti_deep_link() -> str:
    """A teacher's choice of path or module, answered to the platform (Deep Linking)."""
    return "/lti/deep-link"


def accessibility() -> str:
    return "/accessibilite"


def legal_notice() -> str:
    return "/mentions-legales"


def personal_data() -> str:
    return "/donnees-personnelles"


def site_map() -> str:
    return "/plan-du-site"


def healthz() -> str:
    return "/healthz"


def plaintext() -> str:
    return "/plaintext"


def _pattern(function: Callable[..., str], **convertors: str) -> str:
    """The route pattern of a URL function: each required parameter as its `{name}`."""
    parameters = inspect.signature(function).parameters.values()
    placeholders = {
        p.name: convertors.get(p.name, "{" + p.name + "}")
        for p in parameters
        if p.default is inspect.Parameter.empty
    }
    return function(**placeholders)


# The patterns server/routes.py declares, grouped as the site is.

# The learner's pages.
HOME = _pattern(home)
PATH = _pattern(path)
PATH_START = _pattern(path_start)
SATISFACTION = _pattern(satisfaction)
SATISFACTION_LINK = _pattern(satisfaction_link)
MODULE = _pattern(module)
MODULE_DONE = _pattern(module_done)
QUIZ_RESULT = _pattern(quiz_result)
REFLECTION = _pattern(reflection)
MODULE_PRESENCE = _pattern(module_presence)
MODULE_QUESTIONS = _pattern(module_questions)
QUESTION = _pattern(question)
MODULE_PERMALINK = _pattern(module_permalink)
PAGE = _pattern(page)
TEMPLATES = _pattern(templates)
TEMPLATE_FILE = _pattern(template_file)
TEMPLATE = _pattern(template)
CERTIFICATE_PDF = _pattern(certificate_pdf)
ATTESTATION_PDF = _pattern(attestation_pdf)
CERTIFICATE = _pattern(certificate)
CERTIFICATE_BADGE = _pattern(certificate_badge)
BADGE_STATUS_LIST = _pattern(badge_status_list)
CERTIFICATE_BADGE_SVG = _pattern(certificate_badge_svg)
BADGE = _pattern(badge)
MEDIA = _pattern(media, path="{path:path}")

# Signing in and out, recovering an account.
SIGNUP = _pattern(signup)
LOGIN = _pattern(login)
LOGOUT = _pattern(logout)
FORGOT = _pattern(forgot)
FORGOT_SENT = _pattern(forgot_sent)
RESET_LINK = _pattern(reset_link)
RESET = _pattern(reset)
RESET_DONE = _pattern(reset_done)
CONFIRM_ADDRESS = _pattern(confirm_address)
RESEND_CONFIRMATION = _pattern(resend_confirmation)

# The account and the learner's trainings.
ACCOUNT = _pattern(account)
MY_ADDRESS = _pattern(my_address)
ACCOUNT_NAME = _pattern(account_name)
MY_REMINDERS = _pattern(my_reminders)
ACCOUNT_PASSWORD = _pattern(account_password)
CLOSE_SESSION = _pattern(close_session)
END_OTHER_SESSIONS = _pattern(end_other_sessions)
END_ALL_SESSIONS = _pattern(end_all_sessions)
MY_DATA = _pattern(my_data)
DELETE_ME = _pattern(delete_me)
PLAN = _pattern(plan)
PLAN_MARKDOWN = _pattern(plan_markdown)
PLAN_PDF = _pattern(plan_pdf)
MY_TRAININGS = _pattern(my_trainings)
SHARE_PLAN = _pattern(share_plan)
LEAVE_COHORT = _pattern(leave_cohort)
ANSWER_INVITATION = _pattern(answer_invitation)
JOIN = _pattern(join)
STOP_REMINDERS = _pattern(stop_reminders)

# Trainers.
COHORTS = _pattern(cohorts)
COHORT = _pattern(cohort)
COHORT_SETTINGS = _pattern(cohort_settings)
COHORT_JOIN_LINK = _pattern(cohort_join_link)
COHORT_TRAINERS = _pattern(cohort_trainers)
COHORT_RELAUNCH = _pattern(cohort_relaunch)
COHORT_INVITATION = _pattern(cohort_invitation)
COHORT_QUESTIONS = _pattern(cohort_questions)
COHORT_SATISFACTION = _pattern(cohort_satisfaction)
COHORT_EXPORT = _pattern(cohort_export)
COHORT_RELEVE = _pattern(cohort_releve)
COHORT_RELEVE_PDF = _pattern(cohort_releve_pdf)
COHORT_IMPORT = _pattern(cohort_import)
COHORT_IMPORT_SAMPLE = _pattern(cohort_import_sample)
COHORT_IMPORT_CONFIRM = _pattern(cohort_import_confirm)
COHORT_PLATFORM_IMPORT = _pattern(cohort_platform_import)
LEARNER = _pattern(learner)
LEARNER_RELEVE = _pattern(learner_releve)
LEARNER_RELEVE_PDF = _pattern(learner_releve_pdf)
LEARNER_REMOVE = _pattern(learner_remove)
REALISATION = _pattern(realisation)
REALISATION_PDF = _pattern(realisation_pdf)
COHORT_PROGRESS = _pattern(cohort_progress)

# Editors and administrators.
EDITOR_CONTENT = _pattern(editor_content)
EDITOR_RELOAD = _pattern(editor_reload)
EDITOR_QUESTIONS = _pattern(editor_questions)
EDITOR_QUESTIONS_CSV = _pattern(editor_questions_csv)
EDITOR_SATISFACTION = _pattern(editor_satisfaction)
EDITOR_SATISFACTION_CSV = _pattern(editor_satisfaction_csv)
PREVIEW_STATUS = _pattern(preview_status)
ANSWER_KEY = _pattern(answer_key)
ADMIN_USERS = _pattern(admin_users)
USER_ROLES = _pattern(user_roles)
ADMIN_MAIL = _pattern(admin_mail)
MAIL_RETRY = _pattern(mail_retry)
ADMIN_LTI = _pattern(admin_lti)
LTI_PLATFORM_REMOVE = _pattern(lti_platform_remove)
LTI_REGISTRATION_LINK = _pattern(lti_registration_link)
LTI_GRADE_RETRY = _pattern(lti_grade_retry)

# LTI 1.3: what the platforms call (issue #17).
LTI_JWKS = _pattern(lti_jwks)
LTI_LOGIN = _pattern(lti_login)
LTI_LAUNCH = _pattern(lti_launch)
LTI_LAUNCH_STORAGE = _pattern(lti_launch_storage)
LTI_OPEN = _pattern(lti_open)
LTI_DEEP_LINK = _pattern(lti_deep_link)
LTI_REGISTER = _pattern(lti_register)

# The site's own pages.
ACCESSIBILITY = _pattern(accessibility)
LEGAL_NOTICE = _pattern(legal_notice)
PERSONAL_DATA = _pattern(personal_data)
SITE_MAP = _pattern(site_map)
HEALTHZ = _pattern(healthz)
PLAINTEXT = _pattern(plaintext)
