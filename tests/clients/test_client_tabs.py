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


def test_the_admission_tab_reads_the_intake_record_once_however_much_is_recorded(app, http, login_as):
    """The conflict check, the evaluation and the checklist are read once for what the tab shows and for why
    "accepted" is not possible yet: the same statements for a client with nothing recorded and one with all."""
    from playhouse.test_utils import count_queries

    from models.clients import ConflictCheck
    from models.intake import IntakeEvaluation, VerificationCheck

    me = login_as("commercial")
    with app.test_request_context():
        bare = make_client(name="Ana Sin Registros", document_number="70000001", email="ana@correo.test")
        full = make_client(name="Berta Con Todo", document_number="70000002", email="berta@correo.test")
        Client.update(status="evaluating").where(Client.id.in_([bare.id, full.id])).execute()
        ConflictCheck.latest_for(full).decide("clear", "", me)
        IntakeEvaluation.create(client=full, specialty_fit=True, updated_by=me)
        for item in VerificationCheck.items_for(full):
            VerificationCheck.record(full, item, "verified", "Cédula original cotejada", me)
    counts, pages = [], []
    for client in (bare, full):
        with count_queries() as counted:
            pages.append(http.get(f"/clientes/{client.id}/admision").get_data(as_text=True))
        counts.append(counted.count)
    assert counts == [11, 11]
    assert "Primero registra la decisión de la verificación de conflictos." in pages[0]
    assert "Completa la verificación de identidad y antecedentes." in pages[0]
    assert "Primero registra la decisión" not in pages[1] and "Completa la verificación" not in pages[1]
    assert me.display_name in pages[1]  # who decided the check and checked each item
    assert "Registra el consentimiento del cliente" in pages[1]  # the one step left before "accepted"
