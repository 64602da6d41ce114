"""Every URL of the site, written once: the route table declares these patterns, and views,
templates (as `urls`) and mails build their links with these functions.

Why not Starlette's `url_path_for`: it walks the whole route table on each call, and the module
page alone links some thirty modules. A function per URL costs one `str.format`; the patterns
stay the single source, and tests/test_urls.py checks each function against the route table.
"""

from __future__ import annotations

from urllib.parse import quote

# The learner's pages.
HOME = "/"
PATH = "/paths/{path_id}"
PATH_START = "/paths/{path_id}/start"
MODULE = "/paths/{path_id}/{module_id}"
MODULE_DONE = "/paths/{path_id}/{module_id}/done"
QUIZ_RESULT = "/paths/{path_id}/{module_id}/resultat"
REFLECTION = "/paths/{path_id}/{module_id}/reflections/{reflection_id}"
MODULE_PERMALINK = "/modules/{module_id}"
PAGE = "/pages/{page_id}"
TEMPLATES = "/modeles"
TEMPLATE_FILE = "/modeles/{template_id}.{extension}"
TEMPLATE = "/modeles/{template_id}"
CERTIFICATE_PDF = "/certificates/{certificate_id}.pdf"
CERTIFICATE = "/certificates/{certificate_id}"
MEDIA = "/media/{path:path}"

# Signing in and out, recovering an account.
SIGNUP = "/signup"
LOGIN = "/login"
LOGOUT = "/logout"
FORGOT = "/mot-de-passe-oublie"
FORGOT_SENT = "/mot-de-passe-oublie/envoye"
RESET_LINK = "/mot-de-passe/nouveau/{token}"
RESET = "/mot-de-passe/nouveau"
RESET_DONE = "/mot-de-passe/modifie"
CONFIRM_ADDRESS = "/adresse/confirmer/{token}"
RESEND_CONFIRMATION = "/adresse/renvoyer"

# The account and the learner's trainings.
ACCOUNT = "/compte"
MY_ADDRESS = "/compte/adresse"
ACCOUNT_NAME = "/compte/nom"
MY_REMINDERS = "/compte/relances"
ACCOUNT_PASSWORD = "/compte/mot-de-passe"
CLOSE_SESSION = "/compte/sessions/fermer"
END_OTHER_SESSIONS = "/compte/sessions/autres"
END_ALL_SESSIONS = "/compte/sessions/toutes"
MY_DATA = "/compte/donnees"
DELETE_ME = "/compte/supprimer"
PLAN = "/plan"
PLAN_MARKDOWN = "/plan.md"
PLAN_PDF = "/plan.pdf"
MY_TRAININGS = "/mes-formations"
SHARE_PLAN = "/mes-formations/{cohort_id}/partage"
LEAVE_COHORT = "/mes-formations/{cohort_id}/quitter"
ANSWER_INVITATION = "/mes-formations/invitations/{cohort_id}"
JOIN = "/join/{code}"
STOP_REMINDERS = "/relances/arret/{signed}"

# Trainers.
COHORTS = "/trainer/cohorts"
COHORT = "/trainer/cohorts/{cohort_id}"
COHORT_SETTINGS = "/trainer/cohorts/{cohort_id}/settings"
COHORT_JOIN_LINK = "/trainer/cohorts/{cohort_id}/join-link"
COHORT_TRAINERS = "/trainer/cohorts/{cohort_id}/trainers"
COHORT_RELAUNCH = "/trainer/cohorts/{cohort_id}/relances"
COHORT_INVITATION = "/trainer/cohorts/{cohort_id}/invitations/envoi"
COHORT_QUESTIONS = "/trainer/cohorts/{cohort_id}/questions"
COHORT_EXPORT = "/trainer/cohorts/{cohort_id}/export.csv"
COHORT_IMPORT = "/trainer/cohorts/{cohort_id}/import"
COHORT_IMPORT_SAMPLE = "/trainer/cohorts/{cohort_id}/import/exemple.csv"
COHORT_IMPORT_CONFIRM = "/trainer/cohorts/{cohort_id}/import/confirm"
LEARNER = "/trainer/cohorts/{cohort_id}/learners/{user_id}"
LEARNER_REMOVE = "/trainer/cohorts/{cohort_id}/learners/{user_id}/remove"
COHORT_PROGRESS = "/api/cohorts/{cohort_id}/progress"

# Editors and administrators.
EDITOR_CONTENT = "/editor/content"
EDITOR_RELOAD = "/editor/content/reload"
EDITOR_QUESTIONS = "/editor/questions"
EDITOR_QUESTIONS_CSV = "/editor/questions.csv"
PREVIEW_STATUS = "/preview/status"
ANSWER_KEY = "/preview/corrige"
ADMIN_USERS = "/admin/users"
USER_ROLES = "/admin/users/{user_id}/roles"
ADMIN_MAIL = "/admin/mail"
MAIL_RETRY = "/admin/mail/{message_id}/retry"

# The site's own pages.
ACCESSIBILITY = "/accessibilite"
LEGAL_NOTICE = "/mentions-legales"
PERSONAL_DATA = "/donnees-personnelles"
SITE_MAP = "/plan-du-site"
HEALTHZ = "/healthz"
PLAINTEXT = "/plaintext"


def _with_next(url: str, next: str | None) -> str:
    """`next` quoted as the `urlencode` filter and the login redirect always did."""
    return f"{url}?next={quote(next)}" if next else url


def home() -> str:
    return HOME


def path(path_id: str) -> str:
    return PATH.format(path_id=path_id)


def path_start(path_id: str) -> str:
    return PATH_START.format(path_id=path_id)


def module(path_id: str, module_id: str) -> str:
    """The module page (GET) and its quiz (POST): the learner's hot path, hence no router walk."""
    return MODULE.format(path_id=path_id, module_id=module_id)


def module_done(path_id: str, module_id: str) -> str:
    return MODULE_DONE.format(path_id=path_id, module_id=module_id)


def quiz_result(path_id: str, module_id: str) -> str:
    return QUIZ_RESULT.format(path_id=path_id, module_id=module_id)


def reflection(path_id: str, module_id: str, reflection_id: str) -> str:
    return REFLECTION.format(path_id=path_id, module_id=module_id, reflection_id=reflection_id)


def module_permalink(module_id: str) -> str:
    return MODULE_PERMALINK.format(module_id=module_id)


def page(page_id: str) -> str:
    return PAGE.format(page_id=page_id)


def templates() -> str:
    return TEMPLATES


def template_file(template_id: str, extension: str) -> str:
    return TEMPLATE_FILE.format(template_id=template_id, extension=extension)


def template(template_id: str) -> str:
    return TEMPLATE.format(template_id=template_id)


def certificate_pdf(certificate_id: str) -> str:
    return CERTIFICATE_PDF.format(certificate_id=certificate_id)


def certificate(certificate_id: str) -> str:
    return CERTIFICATE.format(certificate_id=certificate_id)


def media(path: str) -> str:
    """A file under the media folder; `path` may hold slashes (the `:path` convertor)."""
    return MEDIA.replace("{path:path}", path)


def signup(next: str | None = None) -> str:
    return _with_next(SIGNUP, next)


def login(next: str | None = None) -> str:
    return _with_next(LOGIN, next)


def logout() -> str:
    return LOGOUT


def forgot() -> str:
    return FORGOT


def forgot_sent() -> str:
    return FORGOT_SENT


def reset_link(token: str) -> str:
    return RESET_LINK.format(token=token)


def reset() -> str:
    return RESET


def reset_done() -> str:
    return RESET_DONE


def confirm_address(token: str) -> str:
    return CONFIRM_ADDRESS.format(token=token)


def resend_confirmation() -> str:
    return RESEND_CONFIRMATION


def account() -> str:
    return ACCOUNT


def my_address() -> str:
    return MY_ADDRESS


def account_name() -> str:
    return ACCOUNT_NAME


def my_reminders() -> str:
    return MY_REMINDERS


def account_password() -> str:
    return ACCOUNT_PASSWORD


def close_session() -> str:
    return CLOSE_SESSION


def end_other_sessions() -> str:
    return END_OTHER_SESSIONS


def end_all_sessions() -> str:
    return END_ALL_SESSIONS


def my_data() -> str:
    return MY_DATA


def delete_me() -> str:
    return DELETE_ME


def plan() -> str:
    return PLAN


def plan_markdown() -> str:
    return PLAN_MARKDOWN


def plan_pdf() -> str:
    return PLAN_PDF


def my_trainings() -> str:
    return MY_TRAININGS


def share_plan(cohort_id: int) -> str:
    return SHARE_PLAN.format(cohort_id=cohort_id)


def leave_cohort(cohort_id: int) -> str:
    return LEAVE_COHORT.format(cohort_id=cohort_id)


def answer_invitation(cohort_id: int) -> str:
    return ANSWER_INVITATION.format(cohort_id=cohort_id)


def join(code: str) -> str:
    return JOIN.format(code=code)


def stop_reminders(signed: str) -> str:
    return STOP_REMINDERS.format(signed=signed)


def cohorts() -> str:
    return COHORTS


def cohort(cohort_id: int) -> str:
    return COHORT.format(cohort_id=cohort_id)


def cohort_settings(cohort_id: int) -> str:
    return COHORT_SETTINGS.format(cohort_id=cohort_id)


def cohort_join_link(cohort_id: int) -> str:
    return COHORT_JOIN_LINK.format(cohort_id=cohort_id)


def cohort_trainers(cohort_id: int) -> str:
    return COHORT_TRAINERS.format(cohort_id=cohort_id)


def cohort_relaunch(cohort_id: int) -> str:
    return COHORT_RELAUNCH.format(cohort_id=cohort_id)


def cohort_invitation(cohort_id: int) -> str:
    return COHORT_INVITATION.format(cohort_id=cohort_id)


def cohort_questions(cohort_id: int) -> str:
    return COHORT_QUESTIONS.format(cohort_id=cohort_id)


def cohort_export(cohort_id: int) -> str:
    return COHORT_EXPORT.format(cohort_id=cohort_id)


def cohort_import(cohort_id: int) -> str:
    return COHORT_IMPORT.format(cohort_id=cohort_id)


def cohort_import_sample(cohort_id: int) -> str:
    return COHORT_IMPORT_SAMPLE.format(cohort_id=cohort_id)


def cohort_import_confirm(cohort_id: int) -> str:
    return COHORT_IMPORT_CONFIRM.format(cohort_id=cohort_id)


def learner(cohort_id: int, user_id: int) -> str:
    return LEARNER.format(cohort_id=cohort_id, user_id=user_id)


def learner_remove(cohort_id: int, user_id: int) -> str:
    return LEARNER_REMOVE.format(cohort_id=cohort_id, user_id=user_id)


def cohort_progress(cohort_id: int) -> str:
    return COHORT_PROGRESS.format(cohort_id=cohort_id)


def editor_content() -> str:
    return EDITOR_CONTENT


def editor_reload() -> str:
    return EDITOR_RELOAD


def editor_questions() -> str:
    return EDITOR_QUESTIONS


def editor_questions_csv() -> str:
    return EDITOR_QUESTIONS_CSV


def preview_status() -> str:
    return PREVIEW_STATUS


def answer_key() -> str:
    return ANSWER_KEY


def admin_users() -> str:
    return ADMIN_USERS


def user_roles(user_id: int) -> str:
    return USER_ROLES.format(user_id=user_id)


def admin_mail() -> str:
    return ADMIN_MAIL


def mail_retry(message_id: int) -> str:
    return MAIL_RETRY.format(message_id=message_id)


def accessibility() -> str:
    return ACCESSIBILITY


def legal_notice() -> str:
    return LEGAL_NOTICE


def personal_data() -> str:
    return PERSONAL_DATA


def site_map() -> str:
    return SITE_MAP


def healthz() -> str:
    return HEALTHZ


def plaintext() -> str:
    return PLAINTEXT
