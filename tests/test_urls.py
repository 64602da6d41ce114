"""server/urls.py against the route table (issue #15 §6): each URL function builds a path that
the router sends to the route of the same name (not to an earlier route that shadows it), and
each route has its function. That the addresses themselves never move (bookmarks, mails
already sent) is the access matrix's guard: tests/security lists every route pattern."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import FunctionType
from typing import Any

import pytest
from starlette.routing import Match, Mount, Route, Router

from course.links import ADDRESSES
from server import urls
from server.routes import routes
from server.templating import ENV

ROUTES = routes()
ROUTER = Router(routes=ROUTES)
SAMPLES: dict[str, Any] = {"extension": "pdf", "path": "figures/carte.png"}


def url_functions() -> dict[str, Callable[..., str]]:
    """The module's public functions (not what it imports)."""
    return {
        name: value
        for name, value in vars(urls).items()
        if isinstance(value, FunctionType)
        and value.__module__ == urls.__name__
        and not name.startswith("_")
    }


def arguments(function: Callable[..., str]) -> dict[str, Any]:
    """One value per parameter, of its annotated type; an optional `next` is left out."""
    values: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            continue
        annotation = str(parameter.annotation)
        values[name] = SAMPLES.get(name, 7 if annotation == "int" else f"{name}-1")
    return values


def first_full_match(path: str, method: str) -> Route:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in ROUTES:
        if isinstance(route, Route) and route.matches(scope)[0] is Match.FULL:
            return route
    raise AssertionError(f"{method} {path}: no route")


NAMED = [route for route in ROUTES if isinstance(route, Route)]


def test_every_route_has_a_name_and_its_function() -> None:
    functions = url_functions()
    missing = [route.path for route in NAMED if route.name not in functions]
    assert not missing, f"routes whose name is no function of server/urls.py: {missing}"


def test_every_function_names_a_route() -> None:
    names = {route.name for route in NAMED}
    assert not set(url_functions()) - names


@pytest.mark.parametrize("route", NAMED, ids=lambda route: f"{route.name}-{sorted(route.methods)}")
def test_the_function_builds_a_path_that_reaches_its_route(route: Route) -> None:
    function = url_functions()[route.name]
    values = arguments(function)
    built = function(**values)
    assert built == ROUTER.url_path_for(route.name, **values)
    for method in route.methods or {"GET"}:
        assert first_full_match(built, method).endpoint is route.endpoint, (method, built)


def test_static_files_stay_with_the_assets_helper() -> None:
    assert [route.name for route in ROUTES if isinstance(route, Mount)] == ["static"]


def test_login_and_signup_keep_where_to_go_back_quoted_as_before() -> None:
    assert urls.login() == "/login"
    assert urls.signup(None) == "/signup"
    assert urls.login("/paths/1h/atelier?x=1") == "/login?next=/paths/1h/atelier%3Fx%3D1"
    assert urls.signup("/join/ab c") == "/signup?next=/join/ab%20c"


def test_the_hot_path_urls_are_plain_strings() -> None:
    assert urls.module("12h", "atelier") == "/paths/12h/atelier"
    assert urls.cohort(3) == "/trainer/cohorts/3"
    assert urls.template_file("fiche", "docx") == "/modeles/fiche.docx"
    assert urls.media("a/b.png") == "/media/a/b.png"


def test_templates_get_fixed_addresses_folded_into_their_text() -> None:
    """`urls.PLAN` costs nothing per render: it is part of the compiled template's text."""
    source = '<a href="{{ urls.PLAN }}"{% if here == urls.PLAN %} aria-current="page"{% endif %}>'
    compiled = ENV.compile(source, raw=True)
    assert "yield '<a href=\"/plan\"'" in compiled
    assert "getattr" not in compiled
    assert ENV.from_string(source).render(here="/plan") == '<a href="/plan" aria-current="page">'


def test_templates_call_the_functions_with_parameters() -> None:
    source = "{{ urls.module(p, m) }}|{{ urls.login(urls.path(p)) }}|{{ urls.Plan }}"
    assert (
        ENV.from_string(source).render(p="1h", m="intro")
        == "/paths/1h/intro|/login?next=/paths/1h|"
    )


def test_links_in_lessons_use_the_same_addresses() -> None:
    """The course compiler, which knows nothing of the server, writes these prefixes."""
    assert ADDRESSES["module"] + "intro" == urls.module_permalink("intro")
    assert ADDRESSES["page"] + "glossaire" == urls.page("glossaire")
    assert ADDRESSES["template"] + "fiche" == urls.template("fiche")
