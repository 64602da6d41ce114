"""Finding one's way (issue #13 §2): the site map, the sign-in reason, the header."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from course.outline import letter_index
from server.app import create_app
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner, sign_in


def test_site_map_is_public_and_lists_every_kind_of_page(client: TestClient) -> None:
    html = client.get("/plan-du-site").text
    for link in (
        "/",
        "/paths/1h",
        "/paths/12h/atelier",
        "/pages/glossaire",
        "/modeles",
        "/modeles/fiche-partenaire",
        "/signup",
        "/login",
        "/plan",
        "/mes-formations",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
    ):
        assert f'href="{link}"' in html, link
    assert "Plan du site" in html
    assert 'href="/trainer/cohorts"' not in html.split("<main")[1]


def test_footer_links_to_the_site_map_on_every_page(client: TestClient) -> None:
    for url in ("/", "/login", "/pages/glossaire"):
        assert 'href="/plan-du-site"' in client.get(url).text, url
    assert 'href="/plan-du-site" aria-current="page"' in client.get("/plan-du-site").text


def test_site_map_shows_staff_pages_to_staff_only(client: TestClient, make_user) -> None:
    make_user("ed@example.fr", "Édith Rédac", "editor")
    sign_in(client, "ed@example.fr")
    main = client.get("/plan-du-site").text.split("<main")[1]
    assert 'href="/editor/content"' in main
    assert 'href="/admin/users"' not in main
    assert 'href="/signup"' not in main


def test_site_map_for_a_learner_hides_sign_up(learner: Learner) -> None:
    main = learner.client.get("/plan-du-site").text.split("<main")[1]
    assert 'href="/signup"' not in main
    assert 'href="/editor/content"' not in main


def test_a_shared_module_link_says_why_one_must_sign_in(client: TestClient) -> None:
    response = client.get("/paths/1h/lecture", follow_redirects=False)
    assert response.status_code == 303
    html = client.get(response.headers["location"]).text
    assert "Connectez-vous pour suivre ce module&nbsp;: «&nbsp;" in html
    title = client.get("/plan-du-site").text.split('href="/paths/1h/lecture">')[1].split("<")[0]
    assert f"«&nbsp;{title}&nbsp;»" in html


def test_the_reason_stays_after_a_wrong_password(learner: Learner) -> None:
    learner.client.cookies.clear()
    response = learner.client.post(
        "/login",
        data={
            "csrf_token": learner.token,
            "email": "lea@example.fr",
            "password": "pas le bon",
            "next": "/modules/intro",
        },
    )
    assert response.status_code == 400
    assert "Connectez-vous pour suivre ce module" in response.text


def test_no_reason_for_other_pages_or_unknown_modules(client: TestClient) -> None:
    for target in ("/plan", "/paths/1h/inconnu", "/paths/1h/atelier", "/paths/zz/intro"):
        html = client.get(f"/login?next={target}").text
        assert "Connectez-vous pour suivre ce module" not in html, target
    assert "Connectez-vous pour suivre" not in client.get("/login").text


def test_header_names_the_signed_in_person_and_links_to_their_account(learner: Learner) -> None:
    header = learner.client.get("/").text.split("</header>")[0]
    assert '<summary class="nav-toggle">Menu</summary>' in header
    assert (
        '<a class="nav-user-name" href="/compte">'
        '<span class="visually-hidden">Mon compte&nbsp;: </span>Léa Martin</a>'
    ) in header
    assert '<a href="/mes-formations">Mes formations</a>' in header
    mine = learner.client.get("/mes-formations").text.split("</header>")[0]
    assert 'href="/mes-formations" aria-current="page"' in mine
    account = learner.client.get("/compte").text.split("</header>")[0]
    assert 'href="/compte" aria-current="page"' in account


def test_header_of_a_visitor_has_the_menu_but_no_name(client: TestClient) -> None:
    header = client.get("/").text.split("</header>")[0]
    assert '<summary class="nav-toggle">Menu</summary>' in header
    assert "nav-user-name" not in header


def test_module_page_has_the_path_outline_with_statuses(learner: Learner) -> None:
    learner.pass_intro("12h")
    html = learner.client.get("/paths/12h/lecture").text
    outline = html.split('<nav class="course-outline" aria-label="Modules du parcours">')[1]
    outline = outline.split("</nav>")[0]
    assert "<summary>Modules du parcours" in outline
    assert "(1 sur 4 terminé)" in outline
    assert 'href="/paths/12h/lecture" aria-current="page"' in outline
    assert 'class="outline-done"' in outline and "(terminé)" in outline
    assert outline.count("<li") == 4
    result = learner.client.get("/paths/12h/intro/resultat").text
    outline = result.split('<nav class="course-outline" aria-label="Modules du parcours">')[1]
    assert 'href="/paths/12h/intro" aria-current="page"' in outline.split("</nav>")[0]


def test_module_page_lists_its_h2_headings_and_the_quiz(learner: Learner) -> None:
    html = learner.client.get("/paths/1h/intro").text
    toc = html.split('<nav class="lesson-toc"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors[-1] == "quiz"
    assert len(anchors) >= 2
    for anchor in anchors[:-1]:
        assert f'<h2 id="{anchor}">' in html, anchor
    assert "Aller au quiz" in toc


def test_a_path_and_its_outline_group_the_modules_by_section(
    settings: Settings, content_dir: Path
) -> None:
    course_file = content_dir / "course.yaml"
    listed = "    modules: [intro, lecture, approfondir, atelier]"
    sections = (
        "    sections:\n"
        "      - {title: Premiers pas, from: intro}\n"
        "      - {title: Pour aller loin, from: approfondir}\n"
    )
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace(listed, sections + listed), encoding="utf-8")
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        page = client.get("/paths/12h").text
        first = page.index('id="section-1">Premiers pas')
        second = page.index('id="section-2">Pour aller loin')
        assert first < page.index('href="/paths/12h/lecture"') < second
        assert second < page.index('href="/paths/12h/atelier"')
        assert '<ol class="module-list" start="3">' in page
        assert "section-1" not in client.get("/paths/4h").text
        Learner(client).signup()
        module = client.get("/paths/12h/intro").text
        assert 'id="partie-2">Pour aller loin</p>' in module
        assert 'aria-labelledby="partie-2" start="3"' in module
        site_map = client.get("/plan-du-site").text
        assert site_map.index("<li>Pour aller loin") < site_map.index('href="/paths/12h/atelier"')


def test_letter_index_folds_accents_and_keeps_the_first_term_of_each_letter() -> None:
    html = (
        '<h2 id="evaluation">Évaluation</h2><h2 id="ecosysteme">Écosystème</h2>'
        '<h2 id="alliance">Alliance <abbr title="x">AIG</abbr></h2><h3 id="b">Bilan</h3>'
        '<h2 id="odd-17">« ODD » 17</h2><h2 id="zone">zone</h2>'
    )
    assert letter_index(html) == [("A", "alliance"), ("E", "evaluation"), ("Z", "zone")]


def test_glossary_has_an_a_to_z_index(client: TestClient) -> None:
    html = client.get("/pages/glossaire").text
    index = html.split('<nav class="letter-index" aria-label="Index alphabétique du glossaire">')[1]
    assert '<li><a href="#alliance">A</a></li>' in index.split("</nav>")[0]
    assert '<h2 id="alliance">' in html


def test_the_module_page_reads_the_outline_in_its_one_query(learner: Learner, monkeypatch) -> None:
    """The most requested page makes one database round trip, outline included."""
    learner.pass_intro()
    backend = type(app_state(learner.client.app).storage)
    calls: list[str] = []
    original = backend._all

    async def counted(self: object, sql: str, params: tuple = ()) -> list:
        if "content_state" not in sql and "outbox" not in sql:  # not a background task's
            calls.append(sql)
        return await original(self, sql, params)

    monkeypatch.setattr(backend, "_all", counted)
    monkeypatch.setattr(backend, "_one", None)  # any other read would fail loudly
    page = learner.client.get("/paths/1h/intro").text  # a module without reflections
    assert len(calls) == 1, calls
    outline = page.split('class="course-outline"')[1].split("</nav>")[0]
    assert 'class="outline-done"' in outline  # intro, passed, shows as done


def test_the_outline_follows_the_learners_progress(learner: Learner) -> None:
    """Rendered once per state of the path (server/views/outline_cache.py), never stale."""

    def intro_item() -> str:
        page = learner.client.get("/paths/1h/lecture").text
        outline = page.split('class="course-outline"')[1].split("</nav>")[0]
        return next(li for li in outline.split("<li") if "/paths/1h/intro" in li)

    assert "outline-done" not in intro_item()
    learner.pass_intro()
    assert "outline-done" in intro_item()


def test_a_quiz_sent_back_incomplete_keeps_the_outline_around_it(learner: Learner) -> None:
    """The outline and the lesson's surroundings do not vanish with a form error."""
    learner.pass_intro("12h")
    page = learner.quiz("/paths/12h/intro", {"intro-mode": "a"})  # two questions left blank
    assert page.status_code == 400
    outline = page.text.split('<nav class="course-outline" aria-label="Modules du parcours">')
    assert len(outline) == 2, "no outline on the quiz sent back"
    assert 'href="/paths/12h/intro" aria-current="page"' in outline[1].split("</nav>")[0]
    assert "(1 sur 4 terminé)" in outline[1]
