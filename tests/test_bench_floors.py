"""The floors render inside the same base layout as Traza (DESIGN.md §8): the floor's shell for an account is the
markup templates/base.html gives it, so a page's ratio to its floor weighs the page's own work."""

import re

import pytest

from bench import floors
from bench.pages import PAGES

ROLE_SETS = [("admin",), ("management",), ("commercial",), ("operations",), ("service",), ("quality",),
             ("admin", "management", "quality", "commercial", "operations", "service")]


def _same_markup(html: str, tokens) -> str:
    for token in tokens:
        html = html.replace(token, "TOKEN")
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*>\s*", ">", re.sub(r"\s*<", "<", html))


def _floor(page, user_id, path=None):
    floors.shell.cache_clear()  # test databases reuse ids
    app, urls = floors.make_app([page], {page.role: user_id})
    url = urls[page.name]
    if path:  # the shell as it marks where the page is
        app.view_functions[url.partition("?")[0]] = floors._view(page.floor, user_id, path)
    return app.test_client().get(url).get_data(as_text=True)


@pytest.mark.parametrize("roles", ROLE_SETS, ids="+".join)
def test_the_fixed_cost_floor_is_traza_empty_page_markup(app, login_as, roles):
    client = app.test_client()
    user = login_as(*roles, client=client)
    real = client.get("/confirmar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', real).group(1)
    page = next(p for p in PAGES if p.url == "/confirmar")
    floor = _floor(page, user.id)
    assert _same_markup(floor, [floors.shell(user.id).csrf]) == _same_markup(real, [token])
    assert "aria-current" in floor and "Persona" in floor  # the account's own menu and name, not a generic one


@pytest.mark.parametrize("path", ["/casos/agenda", "/documentos/casos/7/plazos", "/clientes", "/admin/auditoria",
                                  "/privacidad/peticiones", "/mi-trabajo", "/"])
def test_the_floor_marks_where_the_page_is_as_traza_does(app, login_as, path):
    """The menu's current link (and the administration group) for the floor of a page at ``path``, against Traza's
    own menu on that page; the page's content is left out."""
    client = app.test_client()
    user = login_as("admin", "management", "quality", client=client)
    real = client.get(path).get_data(as_text=True)
    page = next(p for p in PAGES if p.url == "/confirmar")
    floor = _floor(page, user.id, path)

    def menu(html):
        return _same_markup(html.split('<nav class="mainnav"')[1].split('<span class="nav-sep"')[0], [])

    assert menu(floor) == menu(real)
