"""When a later version of a quotation is accepted, the earlier ones still open are superseded (issue 11, item 7)."""

from datetime import timedelta

from core.i18n import today_local
from models.audit import AuditEvent
from models.clients import Client
from models.commercial import Quotation
from tests.factories import make_client


def _lines(service="Asesoría", price="1000000"):
    return {"lines-0-service": service, "lines-0-quantity": "1", "lines-0-unit_price": price, "lines-0-tax_rate": "19"}


def _two_versions(app, http):
    """v1 sent, then adjusted into v2 and sent: the client has both offers."""
    with app.test_request_context():
        client = make_client()
        Client.update(status="accepted").where(Client.id == client.id).execute()
        valid = (today_local() + timedelta(days=30)).isoformat()
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva", data={**_lines(), "valid_until": valid})
    first = Quotation.get()
    http.post(f"/comercial/cotizaciones/{first.id}/enviar")
    http.post(f"/comercial/cotizaciones/{first.id}/ajustar")
    second = Quotation.get(Quotation.version == 2)
    http.post(f"/comercial/cotizaciones/{second.id}/editar", data={**_lines(price="900000"), "valid_until": valid})
    http.post(f"/comercial/cotizaciones/{second.id}/enviar")
    return client, first, second


def test_accepting_a_later_version_supersedes_the_earlier_one(app, http, login_as):
    login_as("commercial")
    client, first, second = _two_versions(app, http)
    assert Quotation.get_by_id(first.id).status == "sent"
    assert http.post(f"/comercial/cotizaciones/{second.id}/aceptar").status_code == 303
    assert Quotation.get_by_id(second.id).status == "accepted"
    assert Quotation.get_by_id(first.id).status == "superseded"
    event = AuditEvent.get(AuditEvent.action == "quotation_superseded")
    assert event.object_id == str(first.id) and event.detail == "v2"
    page = http.get(f"/comercial/cotizaciones/{first.id}").get_data(as_text=True)
    assert '<span class="badge badge-muted">Sustituida</span>' in page and ">Enviada</span>" not in page
    tab = http.get(f"/comercial/clientes/{client.id}").get_data(as_text=True)
    assert '<span class="badge badge-muted">Sustituida</span>' in tab and ">Enviada</span>" not in tab
    versions = http.get(f"/comercial/cotizaciones/{second.id}").get_data(as_text=True)
    assert "v1</a> · Sustituida" in versions


def test_an_earlier_version_cannot_be_accepted_once_a_later_one_exists(app, http, login_as):
    login_as("commercial")
    _client, first, second = _two_versions(app, http)
    http.post(f"/comercial/cotizaciones/{first.id}/aceptar")
    assert Quotation.get_by_id(first.id).status == "sent" and Quotation.get_by_id(second.id).status == "sent"


def test_a_rejected_earlier_version_keeps_the_clients_decision(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
        Client.update(status="accepted").where(Client.id == client.id).execute()
        valid = (today_local() + timedelta(days=30)).isoformat()
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva", data={**_lines(), "valid_until": valid})
    first = Quotation.get()
    http.post(f"/comercial/cotizaciones/{first.id}/enviar")
    http.post(f"/comercial/cotizaciones/{first.id}/rechazar", data={"reason": "Precio alto"})
    http.post(f"/comercial/cotizaciones/{first.id}/ajustar")
    second = Quotation.get(Quotation.version == 2)
    http.post(f"/comercial/cotizaciones/{second.id}/enviar")
    http.post(f"/comercial/cotizaciones/{second.id}/aceptar")
    assert Quotation.get_by_id(first.id).status == "rejected"


def test_the_migration_supersedes_existing_earlier_versions(app):
    """Data from before the fix: v2 accepted while v1 still says sent; the migration corrects it, and back."""
    from core import migrate
    from core.db import db

    with app.test_request_context():
        client = make_client()
        today = today_local()
        v1 = Quotation.create(client=client, number=41, version=1, is_current=False, status="sent", valid_until=today)
        v2 = Quotation.create(client=client, number=41, version=2, status="accepted", valid_until=today)
        other = Quotation.create(client=client, number=42, version=1, status="sent", valid_until=today)
    db.connect(reuse_if_open=True)
    runner = migrate.runner()
    name = next(m.name for m in runner.status() if m.name.startswith("0009_"))
    runner.down(name)
    # The status alone: columns added by later migrations (0024's renews_id) are not there while rolled back.
    assert Quotation.select(Quotation.status).where(Quotation.id == v1.id).scalar() == "sent"
    runner.up()
    assert Quotation.get_by_id(v1.id).status == "superseded"
    assert Quotation.get_by_id(v2.id).status == "accepted" and Quotation.get_by_id(other.id).status == "sent"
    db.close()
