"""The client page's tabs: each at a URL of its own, served by the blueprint that owns it inside one frame
(header, crisis flag, customer-type advice, periodic-update notice, tabs), the tab alone under htmx; the old
``/clientes/<id>?tab=<key>`` URLs (bookmarks, links in mail already sent) redirect to them."""

import re

from models.clients import Client
from tests.factories import make_client

TABS = {"perfil": "/clientes/{id}", "admision": "/clientes/{id}/admision",
        "consentimiento": "/clientes/{id}/consentimiento", "comercial": "/comercial/clientes/{id}",
        "interacciones": "/interacciones/clientes/{id}", "quejas": "/quejas/clientes/{id}"}
HX = {"HX-Request": "true"}
BENEFITS = "/fidelizacion/clientes/{id}/beneficios"  # the loyalty programme's tab (no old ?tab= URL)
WHO_VIEWED = "/clientes/{id}/quien-consulto"  # management, quality and the responsible only (no old ?tab= URL)


def test_an_old_tab_url_redirects_to_the_tab_s_own_url(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
    for key, path in TABS.items():
        for headers in ({}, HX):
            response = http.get(f"/clientes/{client.id}?tab={key}", headers=headers)
            assert response.status_code == 301, key
            assert response.headers["Location"] == path.format(id=client.id), key
    filtered = http.get(f"/clientes/{client.id}?tab=interacciones&canal=email&antes=9")
    assert filtered.headers["Location"] == f"/interacciones/clientes/{client.id}?canal=email&antes=9"
    followed = http.get(f"/clientes/{client.id}?tab=admision", follow_redirects=True)
    assert followed.status_code == 200 and 'id="conflict-check"' in followed.get_data(as_text=True)
    assert http.get(f"/clientes/{client.id}?tab=nada").status_code == 404
    assert http.get("/clientes/999999?tab=admision").status_code == 404


def test_every_tab_is_the_frame_with_its_tab_marked_and_the_tab_alone_under_htmx(app, http, login_as):
    me = login_as("management")
    with app.test_request_context():
        client = make_client(name="Rodrigo Peña Salas", customer_type="impatient")
        Client.update(status="active").where(Client.id == client.id).execute()  # never updated: the notice shows
        from services.complaints import crisis

        crisis.open_incident(client, me)
    urls = {key: path.format(id=client.id) for key, path in {**TABS, "beneficios": BENEFITS, "quien-consulto": WHO_VIEWED}.items()}
    for key, url in urls.items():
        page = http.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "<html" in html, key
        assert re.search(r"<title>[^<]*Rodrigo Peña Salas", html) and "Activo" in html, key
        assert 'data-testid="crisis-flag"' in html and 'data-testid="customer-advice"' in html, key
        assert 'class="notice notice-warning update-notice"' in html, key
        nav = html.split('class="tabs client-tabs"')[1].split("</nav>")[0]
        assert re.findall(r'href="([^"]+)"', nav) == list(urls.values()), key
        assert re.findall(r'href="([^"]+)"[^>]*aria-current="page"', nav) == [url], key
        assert html.count('id="client-tab"') == 1, key
        partial = http.get(url, headers=HX)
        body = partial.get_data(as_text=True)
        assert partial.status_code == 200 and "<html" not in body and "crisis-flag" not in body, key
        assert body.lstrip().startswith('<div id="client-tab"'), key
