"""Finding one's way (issue #13 §2): the site map, the sign-in reason, the header."""

from __future__ import annotations

from starlette.testclient import TestClient

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


def test_header_names_the_signed_in_person_and_links_to_their_trainings(learner: Learner) -> None:
    header = learner.client.get("/").text.split("</header>")[0]
    assert '<summary class="nav-toggle">Menu</summary>' in header
    assert (
        '<a class="nav-user-name" href="/mes-formations">'
        '<span class="visually-hidden">Mes formations de </span>Léa Martin</a>'
    ) in header
    mine = learner.client.get("/mes-formations").text.split("</header>")[0]
    assert 'href="/mes-formations" aria-current="page"' in mine


def test_header_of_a_visitor_has_the_menu_but_no_name(client: TestClient) -> None:
    header = client.get("/").text.split("</header>")[0]
    assert '<summary class="nav-toggle">Menu</summary>' in header
    assert "nav-user-name" not in header
