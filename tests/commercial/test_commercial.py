"""Quotations with versions, contracts that activate the client, renewals (issue: clients, PRO-008 §5.2)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.i18n import today_local
from models.audit import AuditEvent
from models.clients import Client
from models.commercial import Contract, Quotation, QuotationLine
from tests.factories import make_client

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


@pytest.fixture
def valid_until(firm_today):
    return (firm_today + timedelta(days=30)).isoformat()


def _lines(*rows):
    data = {}
    for i, (service, qty, price, tax) in enumerate(rows):
        data.update({f"lines-{i}-service": service, f"lines-{i}-quantity": qty, f"lines-{i}-unit_price": price,
                     f"lines-{i}-tax_rate": tax})
    return data


def _accepted_client(app):
    with app.test_request_context():
        client = make_client()
        Client.update(status="accepted").where(Client.id == client.id).execute()
    return client


def test_quotation_totals_validation_and_lifecycle(app, http, login_as, valid_until):
    login_as("commercial")
    client = _accepted_client(app)
    bad = http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva",
                    data={**_lines(("Consulta", "-1", "100", "19"), ("", "", "5", "")), "valid_until": "2020-01-01"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and Quotation.select().count() == 0
    assert "mayor que cero" in body and "pasado" in body and "Describe el servicio" in body
    ok = http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva", data={
        **_lines(("Demanda laboral ordinaria", "1", "2500000", "19"), ("Audiencias", "3", "350000.50", "0")),
        "valid_until": valid_until, "notes": "Incluye dos audiencias."})
    assert ok.status_code == 303
    quotation = Quotation.get()
    assert quotation.status == "draft" and len(quotation.lines_list()) == 2
    totals = Quotation.totals(quotation.lines_list())
    assert totals == {"subtotal": Decimal("3550001.50"), "tax": Decimal("475000.00"), "total": Decimal("4025001.50")}
    page = http.get(f"/comercial/cotizaciones/{quotation.id}").get_data(as_text=True)
    assert "4.025.001,50" in page  # Spanish number format
    assert http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar").status_code == 303
    assert Quotation.get_by_id(quotation.id).status == "draft"  # a draft cannot be accepted
    http.post(f"/comercial/cotizaciones/{quotation.id}/enviar")
    assert Quotation.get_by_id(quotation.id).status == "sent"
    assert http.get(f"/comercial/cotizaciones/{quotation.id}/editar").status_code == 404  # sent: no edits
    http.post(f"/comercial/cotizaciones/{quotation.id}/rechazar", data={"reason": ""})
    assert Quotation.get_by_id(quotation.id).status == "sent"  # a rejection needs a reason
    http.post(f"/comercial/cotizaciones/{quotation.id}/rechazar", data={"reason": "Precio alto"})
    assert Quotation.get_by_id(quotation.id).status == "rejected"


def test_adjusting_creates_a_new_version_and_keeps_the_first(app, http, login_as, valid_until):
    login_as("commercial")
    client = _accepted_client(app)
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva",
              data={**_lines(("Asesoría", "1", "1000000", "19")), "valid_until": valid_until})
    first = Quotation.get()
    http.post(f"/comercial/cotizaciones/{first.id}/enviar")
    response = http.post(f"/comercial/cotizaciones/{first.id}/ajustar")
    second = Quotation.get(Quotation.version == 2)
    assert response.headers["Location"] == f"/comercial/cotizaciones/{second.id}/editar"
    assert second.number == first.number and second.status == "draft" and second.is_current
    assert not Quotation.get_by_id(first.id).is_current and Quotation.get_by_id(first.id).status == "sent"
    http.post(f"/comercial/cotizaciones/{second.id}/editar",
              data={**_lines(("Asesoría", "1", "900000", "19")), "valid_until": valid_until})
    assert QuotationLine.get(QuotationLine.quotation == first.id).unit_price == Decimal("1000000")
    assert QuotationLine.get(QuotationLine.quotation == second.id).unit_price == Decimal("900000")


def test_expired_quotation_cannot_be_accepted(app, http, login_as):
    login_as("commercial")
    client = _accepted_client(app)
    with app.test_request_context():
        quotation = Quotation.create(client=client, number=1, status="sent", valid_until=today_local() - timedelta(days=1))
    http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar")
    assert Quotation.get_by_id(quotation.id).status == "sent"
    assert "Vencida" in http.get(f"/comercial/cotizaciones/{quotation.id}").get_data(as_text=True)


def test_quotation_pdf(app, http, login_as, valid_until):
    login_as("commercial")
    client = _accepted_client(app)
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva",
              data={**_lines(("Revisión de contrato — urgente", "2", "450000", "19")), "valid_until": valid_until})
    response = http.get(f"/comercial/cotizaciones/{Quotation.get().id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]


def test_contract_from_accepted_quotation_activates_the_client(app, http, login_as, valid_until, firm_today):
    login_as("commercial")
    client = _accepted_client(app)
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva",
              data={**_lines(("Acompañamiento mensual", "12", "800000", "19")), "valid_until": valid_until})
    quotation = Quotation.get()
    assert http.get(f"/comercial/cotizaciones/{quotation.id}/contrato").status_code == 404  # not accepted yet
    http.post(f"/comercial/cotizaciones/{quotation.id}/enviar")
    http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar")
    start = firm_today
    bad = http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data={
        "conditions": "Asesoría laboral", "frequency": "monthly", "duration_months": "12", "start_date": start.isoformat(),
        "end_date": (start - timedelta(days=1)).isoformat(), "firm_duties": "x", "client_duties": "y",
        "signed_on": (start + timedelta(days=3)).isoformat(), "renews": "0"})
    assert bad.status_code == 422 and Contract.select().count() == 0
    created = http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data={
        "conditions": "Asesoría laboral permanente", "frequency": "monthly", "duration_months": "12",
        "start_date": start.isoformat(), "end_date": (start + timedelta(days=365)).isoformat(),
        "firm_duties": "Atender consultas en 48 horas.", "client_duties": "Entregar la información a tiempo.",
        "signed_on": "", "signer": "", "renews": "0"})
    contract = Contract.get()
    assert created.headers["Location"] == f"/comercial/contratos/{contract.id}"
    http.post(f"/comercial/contratos/{contract.id}/activar")
    assert Contract.get_by_id(contract.id).status == "draft"  # no signature recorded yet
    Contract.update(signed_on=start, signer="María Rojas").where(Contract.id == contract.id).execute()
    http.post(f"/comercial/contratos/{contract.id}/activar")
    assert Contract.get_by_id(contract.id).status == "active"
    assert Client.get_by_id(client.id).status == "active"
    assert AuditEvent.select().where(AuditEvent.action == "contract_activate").count() == 1


def test_renewal_queue_lists_contracts_ending_soon(app, http, login_as):
    login_as("commercial")
    client = _accepted_client(app)
    with app.test_request_context():
        quotation = Quotation.create(client=client, number=7, status="accepted", valid_until=today_local())
        today = today_local()
        for days, status in ((5, "active"), (45, "active"), (90, "active"), (10, "terminated")):
            Contract.create(client=client, quotation=quotation, status=status, start_date=today - timedelta(days=300),
                            end_date=today + timedelta(days=days), conditions=f"c{days}")
    body = http.get("/comercial/renovaciones").get_data(as_text=True)
    assert body.count("CON-0") == 2
    assert "en 5 días" in body and "en 45 días" in body and "en 90 días" not in body


def test_quotations_not_for_prospects(app, http, login_as, valid_until):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
    response = http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva",
                         data={**_lines(("Asesoría", "1", "1", "0")), "valid_until": valid_until})
    assert response.status_code == 303 and Quotation.select().count() == 0


def test_active_contract_past_its_end_shows_expired(app, http, login_as):
    login_as("commercial")
    client = _accepted_client(app)
    with app.test_request_context():
        quotation = Quotation.create(client=client, number=9, status="accepted", valid_until=today_local())
        contract = Contract.create(client=client, quotation=quotation, status="active",
                                   start_date=today_local() - timedelta(days=400), end_date=today_local() - timedelta(days=1))
    assert "Vencido" in http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert "Vencido" in http.get(f"/comercial/clientes/{client.id}").get_data(as_text=True)


def test_client_page_queries_do_not_grow_with_records(app, http, login_as):
    from playhouse.test_utils import count_queries

    login_as("commercial")
    client = _accepted_client(app)
    with count_queries() as few:
        http.get(f"/comercial/clientes/{client.id}")
    with app.test_request_context():
        for n in range(10):
            quotation = Quotation.create(client=client, number=100 + n, status="accepted", valid_until=today_local())
            Contract.create(client=client, quotation=quotation, start_date=today_local(), end_date=today_local())
    with count_queries() as many:
        http.get(f"/comercial/clientes/{client.id}")
    assert few.count == many.count
