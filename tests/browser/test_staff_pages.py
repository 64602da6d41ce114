"""Trainers', editors' and admins' pages pass axe-core and the Nu Html Checker too."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.browser.conftest import FIXTURE_COURSE, LIVE, _free_port
from tests.browser.pages import PASSWORD, Tour, check_accessibility, vnu_errors
from tests.browser.registering_platform import registering_platform

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_user(email: str, name: str, role: str) -> None:
    alliances = Path(sys.executable).with_name("alliances")
    env = {**os.environ, "ALLIANCES_DATABASE": str(LIVE["database"])}
    args = [str(alliances), "create-user", email, "--name", name, "--role", role]
    done = subprocess.run(
        [*args, "--password-stdin"], input=PASSWORD + "\n", env=env, capture_output=True, text=True
    )
    assert done.returncode in (0, 1), done.stderr  # 1: already created by another width


def record_intro_attempts() -> None:
    """First attempts at the intro quiz by the learner and the trainer, as stored by the server."""
    answers = {
        "lea-%": {"intro-mode": ["a"], "intro-acteurs": ["a", "b"], "intro-classement": ["faux"]},
        "formatrice@example.fr": {
            "intro-mode": ["b"],
            "intro-acteurs": ["a"],
            "intro-classement": ["faux"],
        },
    }
    with sqlite3.connect(LIVE["database"], timeout=10) as conn:
        for email, given in answers.items():
            conn.execute(
                "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
                " content_version, created_at) SELECT id, '1h', 'intro', 0, 0, ?, 'v',"
                " '2026-11-27T10:00:00+00:00' FROM users WHERE email LIKE ?",
                (json.dumps(given), email),
            )
    conn.close()


def confirm_addresses() -> None:
    """Reminders go to confirmed addresses only: confirm them as the link would have."""
    with sqlite3.connect(LIVE["database"], timeout=10) as conn:
        conn.execute("UPDATE users SET email_confirmed_at = created_at, reminders_off = 0")
    conn.close()


def stop_link() -> str:
    """The unsubscribe link of the last reminder recorded, as its recipient reads it."""
    with sqlite3.connect(LIVE["database"], timeout=10) as conn:
        (text,) = conn.execute(
            "SELECT text_body FROM outbox WHERE kind = 'reminder_late' ORDER BY id DESC"
        ).fetchone()
    conn.close()
    return re.search(r"/relances/arret/[\w.-]+", text)[0]  # type: ignore[index]


def record_failed_message() -> None:
    """A message the relay refused, so that /admin/mail shows its table and « Réessayer »."""
    with sqlite3.connect(LIVE["database"], timeout=10) as conn:
        conn.execute(
            "INSERT INTO outbox (kind, recipient, recipient_name, subject, text_body, html_body,"
            " status, attempts, next_attempt_at, last_error, created_at) VALUES ('test',"
            " 'perdu@example.fr', 'Zoé', 'Essai', 'Bonjour', '<p>Bonjour</p>', 'failed', 8,"
            " '2026-11-27T10:00:00+00:00', '550 5.1.1 No such user', '2026-11-27T10:00:00+00:00')"
        )
    conn.close()


def record_grades() -> None:
    """Grades for a platform: one refused, one waiting, so /admin/lti shows both tables."""
    at = "2026-11-27T10:00:00+00:00"
    with sqlite3.connect(LIVE["database"], timeout=10) as conn:
        conn.execute(
            "INSERT INTO lti_platforms (issuer, client_id, name, auth_url, token_url, keyset_url,"
            " created_at) VALUES ('https://lms.example', 'outil', 'LMS de test',"
            " 'https://lms.example/auth', 'https://lms.example/token', 'https://lms.example/certs',"
            " ?)",
            (at,),
        )
        for link, status, error in (
            ("l1", "refused", "HTTP 403 User not gradable"),
            ("l2", "waiting", None),
        ):
            conn.execute(
                "INSERT INTO lti_grade_links (user_id, platform_id, resource_link_id, subject,"
                " lineitem_url, target_kind, target_id, label, launched_at) SELECT u.id, p.id, ?,"
                " 'sub-1', 'https://lms.example/items/1', 'module', 'intro', 'Introduction', ?"
                " FROM users u, lti_platforms p WHERE u.email = 'admin@example.fr'"
                " AND p.issuer = 'https://lms.example'",
                (link, at),
            )
            conn.execute(
                "INSERT INTO lti_grades (user_id, platform_id, resource_link_id, score, completed,"
                " scored_at, status, attempts, next_try, last_error, created_at, updated_at)"
                " SELECT user_id, platform_id, resource_link_id, 90, 1, ?, ?, 1, ?, ?, ?, ?"
                " FROM lti_grade_links WHERE resource_link_id = ?",
                (at, status, "2030-01-01T00:00:00+00:00", error, at, at, link),
            )
    conn.close()


def test_staff_pages_are_accessible_and_valid(
    browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    create_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    create_user("admin@example.fr", "Ada Admin", "admin")
    tour = Tour(browser, live_server, artifacts, "staff")
    context, page, pages, problems = tour.context, tour.page, tour.pages, tour.problems
    visit, login = tour.visit, tour.login

    login("formatrice@example.fr")
    visit("trainer-cohorts", "/trainer/cohorts")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")  # empty: server errors
    page.wait_for_load_state()
    visit("trainer-cohorts-errors")
    assert page.evaluate("document.activeElement.id") == "erreurs"  # focus on the summary
    page.fill("#name", "Promo accessibilité")
    page.select_option("#path_id", "1h")
    page.click("form[action='/trainer/cohorts'] button[type=submit]")
    dashboard = page.url
    code = re.search(r"/join/([\w-]+)", page.content())[1]
    csv = tmp_path / "liste.csv"
    nina = f"nina-{code[:6].lower()}@example.fr"
    csv.write_text(f"email;nom\n{nina};Nina\npas-un-email;X\n", encoding="utf-8")

    context.clear_cookies()
    visit("join", f"/join/{code}")
    page.goto(f"/signup?next=/join/{code}")
    page.fill("#name", "Léa Apprenante")
    page.fill("#email", f"lea-{code[:6]}@example.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("form[action^='/join/'] button[type=submit]")
    visit("mes-formations")

    login("formatrice@example.fr")
    visit("trainer-dashboard", dashboard)
    page.fill("#trainer-email", "personne@example.fr")
    page.click("form[action$='/trainers#erreurs'] button[type=submit]")
    page.wait_for_load_state()
    visit("trainer-dashboard-error")
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.get_attribute("#trainer-email", "aria-describedby") == "trainer-email-error"
    page.goto(dashboard)
    page.click("#invitation details.confirm > summary")
    page.click("button[value=rotate]")
    page.wait_for_url("**fait=lien-remplace**")
    assert "Nouveau lien créé" in page.locator(".alert-success").inner_text()
    visit("trainer-questions", dashboard + "/questions")
    learner = re.search(r'href="(/trainer/cohorts/\d+/learners/\d+)"', pages["trainer-dashboard"])
    visit("trainer-learner", learner[1])
    # The certificat de réalisation: the form, refused (over 150 characters), then issued.
    visit("trainer-realisation", learner[1] + "/realisation")
    page.evaluate("document.querySelector('#employer').removeAttribute('maxlength')")
    page.fill("#employer", "E" * 151)
    page.click("form[action$='/realisation#erreurs'] button[type=submit]")
    page.wait_for_load_state()
    visit("trainer-realisation-errors")
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.get_attribute("#employer", "aria-describedby") == "employer-error"
    page.fill("#employer", "Mairie de Lille")
    page.click("form[action$='/realisation#erreurs'] button[type=submit]")
    page.wait_for_load_state()
    visit("trainer-realisation-issued")
    assert "Certificat délivré le" in pages["trainer-realisation-issued"]
    visit("trainer-import", dashboard + "/import")
    page.set_input_files("#file", str(csv))
    page.click("form[enctype] button[type=submit]")
    visit("trainer-import-preview")
    page.check("#send_email")  # an invitation by e-mail to each new person
    page.click("form[action$='/import/confirm'] button[type=submit]")
    visit("trainer-dashboard-invitations")
    assert nina in pages["trainer-dashboard-invitations"]
    assert "Renvoyer" in pages["trainer-dashboard-invitations"]
    # A late cohort, a confirmed learner: « Relancer les retardataires » and its record.
    confirm_addresses()
    page.goto(dashboard + "#reglages")
    page.fill("#due_date", "2000-01-01")
    page.fill("#remind_inactive_days", "10")
    page.click("form[action$='/settings'] button[type=submit]")
    page.click("form[action$='/relances'] button[type=submit]")
    visit("trainer-dashboard-relances")
    assert "relance envoyée" in pages["trainer-dashboard-relances"]
    context.clear_cookies()
    visit("relances-arret", stop_link())
    page.click("form[action^='/relances/arret/'] button[type=submit]")
    visit("relances-arret-fait")
    assert "Relances arrêtées" in pages["relances-arret-fait"]

    context.clear_cookies()
    page.goto("/signup")
    page.fill("#name", "Nina Invitée")
    page.fill("#email", nina)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    visit("mes-formations-invitation", "/mes-formations")
    assert "Invitations en attente" in pages["mes-formations-invitation"]

    login("admin@example.fr")
    visit("admin-users", "/admin/users")
    record_failed_message()
    visit("admin-mail", "/admin/mail")
    page.click("form[action$='/retry'] button[type=submit]")
    visit("admin-mail-retried")
    assert "de nouveau en attente" in pages["admin-mail-retried"]
    visit("admin-lti", "/admin/lti")
    page.click("form[action='/admin/lti'] button[type=submit]")  # empty: server errors
    page.wait_for_load_state()
    visit("admin-lti-errors")
    assert page.evaluate("document.activeElement.id") == "erreurs"
    moodle = "https://moodle.example.net"
    page.fill("#name", "Moodle du réseau")
    page.fill("#issuer", moodle)
    page.fill("#client_id", "outil-7")
    page.fill("#deployments", "1")
    for field, end in (("auth_url", "auth"), ("token_url", "token"), ("keyset_url", "certs")):
        page.fill(f"#{field}", f"{moodle}/mod/lti/{end}.php")
    page.click("form[action='/admin/lti'] button[type=submit]")
    visit("admin-lti-added")
    assert "La plateforme est enregistrée" in pages["admin-lti-added"]
    visit("lti-refused", "/lti/login")  # a launch refused: the learner's French page
    # LTI Dynamic Registration: a one-time link, a platform registering, the link used again.
    page.goto("/admin/lti")
    page.click("form[action='/admin/lti/lien-enregistrement'] button[type=submit]")
    visit("admin-lti-link")
    link = re.search(r"<code>(http[^<]+/lti/enregistrement/[\w-]+)</code>", pages["admin-lti-link"])
    assert link, pages["admin-lti-link"]
    with registering_platform() as config:
        opened = f"{link[1]}?{urlencode({'openid_configuration': config})}"
        visit("lti-registered", opened)
        assert "L’outil est enregistré" in pages["lti-registered"]
        visit("lti-registration-refused", opened)
        assert "a déjà servi" in pages["lti-registration-refused"]
    record_grades()  # grades sent to a platform: waiting, refused, « Réessayer »
    visit("admin-lti-grades", "/admin/lti")
    assert "User not gradable" in pages["admin-lti-grades"]
    page.click("form[action$='/renvoyer'] button[type=submit]")
    visit("admin-lti-grade-retried")
    assert "La note est remise en attente" in pages["admin-lti-grade-retried"]
    visit("editor-content", "/editor/content")
    record_intro_attempts()
    visit("editor-questions", "/editor/questions?tri=discrimination&sens=asc")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/editor/questions")
    page.screenshot(path=artifacts / "staff-editor-questions-320.png", full_page=True)
    problems.extend(check_accessibility(page, "editor-questions-320"))
    widths = page.evaluate(
        """() => { const box = document.querySelector('.table-wrap[role=region]');
        return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                table: box.scrollWidth, box: box.clientWidth}; }"""
    )
    # at 320 px the table scrolls inside its own box, never the page
    assert widths["page"] <= widths["view"] < widths["table"], widths
    assert widths["box"] <= widths["view"], widths
    # Léa deletes her account: the dashboard then says « compte supprimé » on her row.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(f"lea-{code[:6]}@example.fr")
    page.goto("/compte/supprimer")
    page.fill("#password", PASSWORD)
    page.click("form[action^='/compte/supprimer'] button[type=submit]")
    page.wait_for_load_state()
    login("formatrice@example.fr")
    visit("trainer-dashboard-deleted", dashboard)
    assert "compte supprimé" in pages["trainer-dashboard-deleted"]
    context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)

    errors = vnu_errors(pages, artifacts / "html", prefix="staff-")
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)


def test_preview_banner_and_answer_key_are_accessible(
    browser, artifacts: Path, tmp_path: Path
) -> None:
    """`alliances preview`: the « Aperçu » banner on every page, the quizzes' answer key."""
    port = _free_port()
    alliances = Path(sys.executable).with_name("alliances")
    log = (tmp_path / "preview.log").open("w")
    server = subprocess.Popen(
        [str(alliances), "preview", str(FIXTURE_COURSE), "--port", str(port)],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no preview"
                time.sleep(0.2)
        pages: dict[str, str] = {}
        problems: list[str] = []
        for width in (320, 375, 1280):
            context = browser.new_context(base_url=base, viewport={"width": width, "height": 800})
            page = context.new_page()
            for name, url in (("module", "/paths/1h/intro"), ("corrige", "/preview/corrige")):
                page.goto(url)
                shot = artifacts / f"preview-{name}-{width}.png"
                page.screenshot(path=shot, full_page=True)
                assert page.locator(".preview-banner").is_visible(), (name, width)
                wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                assert not wide, f"{name} scrolls sideways at {width} px"
                if width == 1280:
                    pages[name] = page.content()
                    problems.extend(check_accessibility(page, f"preview-{name}"))
            page.goto("/paths/1h/intro")
            assert page.evaluate("() => { window.scrollTo(0, 1500); return window.scrollY; }") > 0
            top = page.locator(".preview-banner").bounding_box()
            assert top is not None and -1 <= top["y"] <= 1, f"the banner leaves view: {top}"
            context.close()
        assert "Bonne réponse" in pages["corrige"]
        assert not problems, "axe-core violations:\n" + "\n".join(problems)
        errors = vnu_errors(pages, artifacts / "html", prefix="preview-")
        assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
