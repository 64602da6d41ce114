"""The route table, top to bottom: every URL of the site in one place."""

from __future__ import annotations

from starlette.routing import Mount, Route

from server.assets import ASSETS
from server.views import (
    admin,
    auth,
    certificates,
    cohorts,
    course_templates,
    editor,
    imports,
    invitations,
    items,
    learning,
    misc,
    plan,
    quiz,
    sitemap,
    trainer,
)
from server.views import legal as legal_pages


def routes() -> list[Route | Mount]:
    # Starlette tries routes in order: the learner's pages, the most requested, come first.
    return [
        Route("/", learning.home, name="home"),
        Route("/paths/{path_id}", learning.path_page, name="path"),
        Route("/paths/{path_id}/start", learning.start_path, methods=["POST"]),
        Route("/paths/{path_id}/{module_id}", learning.module_page, methods=["GET"]),
        Route("/paths/{path_id}/{module_id}", quiz.submit_quiz, methods=["POST"]),
        Route("/paths/{path_id}/{module_id}/done", learning.mark_done, methods=["POST"]),
        Route("/paths/{path_id}/{module_id}/resultat", quiz.quiz_result),
        Route(
            "/paths/{path_id}/{module_id}/reflections/{reflection_id}",
            learning.save_reflection,
            methods=["POST"],
        ),
        Route("/signup", auth.signup_form, methods=["GET"], name="signup"),
        Route("/signup", auth.signup, methods=["POST"]),
        Route("/login", auth.login_form, methods=["GET"], name="login"),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"], name="logout"),
        Route("/plan", plan.plan_page, name="plan"),
        Route("/plan.md", plan.plan_markdown),
        Route("/plan.pdf", plan.plan_pdf),
        Route("/mes-formations", cohorts.my_trainings, name="my_trainings"),
        Route("/mes-formations/{cohort_id}/partage", cohorts.share_plan, methods=["POST"]),
        Route("/mes-formations/{cohort_id}/quitter", invitations.leave_cohort, methods=["POST"]),
        Route(
            "/mes-formations/invitations/{cohort_id}",
            invitations.answer_invitation,
            methods=["POST"],
        ),
        Route("/join/{code}", cohorts.join_page, methods=["GET"]),
        Route("/join/{code}", cohorts.join, methods=["POST"]),
        Route("/trainer/cohorts", trainer.cohorts_page, methods=["GET"]),
        Route("/trainer/cohorts", trainer.create_cohort, methods=["POST"]),
        Route("/trainer/cohorts/{cohort_id}", trainer.dashboard),
        Route("/trainer/cohorts/{cohort_id}/settings", trainer.update_cohort, methods=["POST"]),
        Route("/trainer/cohorts/{cohort_id}/join-link", trainer.join_link, methods=["POST"]),
        Route("/trainer/cohorts/{cohort_id}/trainers", trainer.add_trainer, methods=["POST"]),
        Route("/trainer/cohorts/{cohort_id}/questions", trainer.questions),
        Route("/trainer/cohorts/{cohort_id}/export.csv", trainer.export_csv),
        Route("/trainer/cohorts/{cohort_id}/import", imports.import_form, methods=["GET"]),
        Route("/trainer/cohorts/{cohort_id}/import/exemple.csv", imports.sample_csv),
        Route("/trainer/cohorts/{cohort_id}/import", imports.import_preview, methods=["POST"]),
        Route(
            "/trainer/cohorts/{cohort_id}/import/confirm", imports.import_confirm, methods=["POST"]
        ),
        Route("/trainer/cohorts/{cohort_id}/learners/{user_id}", trainer.learner_detail),
        Route(
            "/trainer/cohorts/{cohort_id}/learners/{user_id}/remove",
            trainer.remove_member,
            methods=["POST"],
        ),
        Route("/api/cohorts/{cohort_id}/progress", trainer.api_progress),
        Route("/editor/content", editor.content_page),
        Route("/editor/content/reload", editor.reload_content, methods=["POST"]),
        Route("/editor/questions", items.questions_page),
        Route("/editor/questions.csv", items.questions_csv),
        Route("/preview/status", editor.preview_status),
        Route("/preview/corrige", editor.answer_key),
        Route("/admin/users", admin.users),
        Route("/admin/users/{user_id}/roles", admin.change_role, methods=["POST"]),
        Route("/modules/{module_id}", misc.module_permalink),
        Route("/pages/{page_id}", misc.page, name="page"),
        Route("/modeles", course_templates.templates_index, name="templates"),
        Route("/modeles/{template_id}.{extension}", course_templates.template_download),
        Route("/modeles/{template_id}", course_templates.template_page, name="template"),
        Route("/certificates/{certificate_id}.pdf", certificates.certificate_download),
        Route("/certificates/{certificate_id}", certificates.certificate_page),
        Route("/accessibilite", legal_pages.accessibility, name="accessibility"),
        Route("/mentions-legales", legal_pages.legal_notice, name="legal_notice"),
        Route("/donnees-personnelles", legal_pages.personal_data, name="personal_data"),
        Route("/plan-du-site", sitemap.site_map, name="site_map"),
        Route("/media/{path:path}", misc.media),
        Route("/healthz", misc.healthz),
        Route("/plaintext", misc.plaintext),
        Mount("/static", ASSETS, name="static"),
    ]
