"""The loyalty programme (issue 18, PRO 008 §5.5.1): benefit rules management defines, who qualifies (contracts,
years as a client, referrals that became clients), "Aplicar beneficio" on a draft quotation adding its line (a
discount lowering the total and its taxes to the cent, an additional service at no cost, priority marking the client
and its cases), audited, on the quotation's page and PDF, and the client's "Beneficios" tab."""

import subprocess
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.benefits import BenefitGrant, BenefitRule
from models.clients import Client
from models.commercial import Contract, Quotation, QuotationLine
from services.loyalty import benefits
from tests.factories import make_case, make_client

TODAY = date(2026, 6, 15)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.combine(TODAY, time(15, 0)), tick=True):
        yield


def _quotation(client, status="accepted", lines=((Decimal("12"), Decimal("800000"), Decimal("19")),
                                                 (Decimal("1"), Decimal("2500000"), Decimal("0")))):
    quotation = Quotation.create(client=client, number=Quotation.next_number(), status=status,
                                 valid_until=TODAY + timedelta(days=30), notes="")
    for i, (qty, price, rate) in enumerate(lines):
        QuotationLine.create(quotation=quotation, position=i, service=f"Servicio {i + 1}", quantity=qty,
                             unit_price=price, tax_rate=rate)
    return quotation


def _recurring(app, name="Comercializadora Andina SAS", contracts=2, since=date(2023, 3, 1)):
    """An active client with ``contracts`` contracts, the first starting on ``since``, and a new draft quotation."""
    with app.test_request_context():
        client = make_client(name=name)
        Client.update(status="active").where(Client.id == client.id).execute()
        for n in range(contracts):
            old = _quotation(client)
            start = since + timedelta(days=400 * n)
            Contract.create(client=client, quotation=old, status="expired" if n < contracts - 1 else "active",
                            start_date=start, end_date=start + timedelta(days=365))
        draft = _quotation(client, status="draft")
    return Client.get_by_id(client.id), draft


def _rule(**values):
    data = {"name": "Cliente recurrente", "kind": "discount", "percent": Decimal("10"), "service": "",
            "basis": "contracts", "threshold": 2, "active": True}
    data.update(values)
    return BenefitRule.create(**data)


# ----- who qualifies -----

def test_eligibility_by_contracts_years_and_referrals(app, frozen, make_user):
    with app.app_context():
        client, _draft = _recurring(app, since=date(2023, 6, 16))  # 2 years and a day short of 3
        Contract.create(client=client, quotation=_draft, status="draft", start_date=date(2020, 1, 1),
                        end_date=date(2021, 1, 1))  # a draft is no contract yet: neither counted nor "since"
        referred = [make_client(name=f"Referido {n}", document_number=f"7100{n}", email=f"r{n}@correo.test",
                                referred_by=None) for n in range(3)]
        for n, status in enumerate(("active", "rejected", "evaluating")):
            Client.update(referred_by=client.id, status=status).where(Client.id == referred[n].id).execute()
        figures = benefits.stats(client.id, TODAY)
        assert (figures["contracts"], figures["years"], figures["referrals"]) == (2, 2, 1)
        assert _rule(basis="contracts", threshold=2).qualifies(figures)
        assert not _rule(basis="contracts", threshold=3).qualifies(figures)
        assert not _rule(basis="years", threshold=3).qualifies(figures)
        assert _rule(basis="years", threshold=2).qualifies(figures)
        assert _rule(basis="referrals", threshold=1).qualifies(figures)
        assert not _rule(basis="referrals", threshold=2).qualifies(figures)
        newcomer, _ = _recurring(app, name="Nueva SAS", contracts=0)
        assert benefits.stats(newcomer.id, TODAY) == {"contracts": 0, "years": 0, "referrals": 0, "since": None}


# ----- applying a benefit on a quotation -----

def test_a_recurring_client_gets_a_discount_on_its_quotation(app, http, login_as, frozen):
    user = login_as("commercial")
    with app.app_context():
        client, draft = _recurring(app)
        rule = _rule(name="Fidelidad 10 %")
        _rule(name="Tres contratos", threshold=3)  # not yet
        _rule(name="Retirada", active=False)
    page = http.get(f"/comercial/cotizaciones/{draft.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Fidelidad 10 %" in html and "Tres contratos" not in html and "Retirada" not in html
    assert 'name="rule"' in html
    # before: 12 × 800.000 at 19 % + 2.500.000 at 0 % = 9.600.000 + 1.824.000 + 2.500.000
    with app.app_context():
        before = Quotation.totals(Quotation.get_by_id(draft.id).lines_list())
    assert before["total"] == Decimal("13924000.00")
    answer = http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    assert answer.status_code == 303
    with app.app_context():
        quotation = Quotation.get_by_id(draft.id)
        lines = quotation.lines_list()
        totals = Quotation.totals(lines)
        benefit_lines = [ln for ln in lines if ln.benefit_id]
        # one discount line per tax rate: -960.000 at 19 % and -250.000 at 0 %
        assert sorted((ln.unit_price, ln.tax_rate) for ln in benefit_lines) == [
            (Decimal("-960000.00"), Decimal("19.00")), (Decimal("-250000.00"), Decimal("0.00"))]
        assert totals["subtotal"] == Decimal("10890000.00")
        assert totals["tax"] == Decimal("1641600.00")  # 19 % of 8.640.000
        assert totals["total"] == Decimal("12531600.00")  # 90 % of 13.924.000
        grant = BenefitGrant.get(BenefitGrant.quotation == draft.id)
        assert (grant.rule_id, grant.applied_by_id, grant.client_id, grant.kind) == (rule.id, user.id, client.id, "discount")
        assert "Fidelidad 10 %" in grant.description and "10 %" in grant.description
        event = AuditEvent.select().where(AuditEvent.action == "benefit_apply").get()
        assert event.object_id == str(draft.id) and event.actor_id == user.id
    page = http.get(f"/comercial/cotizaciones/{draft.id}").get_data(as_text=True)
    assert grant.description in page and 'name="rule"' not in page  # applied once; nothing left to offer
    again = http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    assert again.status_code == 303
    with app.app_context():
        assert BenefitGrant.select().count() == 1
    # the client's "Beneficios" tab shows its history
    tab = http.get(f"/fidelizacion/clientes/{client.id}/beneficios").get_data(as_text=True)
    assert grant.description in tab and quotation.code in tab and user.display_name in tab


def test_the_benefit_line_is_on_the_pdf(app, http, login_as, frozen):
    login_as("commercial")
    with app.app_context():
        _client, draft = _recurring(app)
        rule = _rule(name="Fidelidad 10 %")
        extra = _rule(name="Revisión anual", kind="service", percent=None, service="Revisión anual de contratos",
                      basis="years", threshold=2)
    http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": extra.id})
    body = http.get(f"/comercial/cotizaciones/{draft.id}/pdf").data
    assert body.startswith(b"%PDF")
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True,
                                   check=True).stdout.decode().split())
    assert "Fidelidad 10 %" in text
    assert "Revisión anual de contratos" in text
    assert "12.531.600" in text  # the discounted total
    assert "13.924.000" not in text


def test_editing_the_draft_recomputes_the_discount_and_a_new_version_keeps_it(app, http, login_as, frozen):
    user = login_as("commercial")
    with app.app_context():
        _client, draft = _recurring(app)
        rule = _rule(name="Fidelidad 10 %")
    http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id}, follow_redirects=True)
    form = http.get(f"/comercial/cotizaciones/{draft.id}/editar").get_data(as_text=True)
    assert "Fidelidad" not in form  # the benefit's lines are not edited by hand
    from services import commercial

    with app.test_request_context():
        quotation = Quotation.get_by_id(draft.id)
        commercial.update_quotation(quotation, {"valid_until": quotation.valid_until, "notes": ""},
                                    [{"service": "Asesoría", "quantity": Decimal("1"), "unit_price": Decimal("1000000"),
                                      "tax_rate": Decimal("19")}], user)
        totals = Quotation.totals(quotation.lines_list())
        assert totals["total"] == Decimal("1071000.00")  # 900.000 + 19 %
        commercial.change_quotation(quotation, "sent", "", user, TODAY)
        adjusted = commercial.adjust_quotation(Quotation.get_by_id(draft.id), user, TODAY)
        assert Quotation.totals(adjusted.lines_list())["total"] == Decimal("1071000.00")
        assert BenefitGrant.select().where(BenefitGrant.quotation == adjusted.id).count() == 1


def test_priority_marks_the_client_and_its_cases(app, http, login_as, frozen):
    login_as("management")
    with app.app_context():
        client, draft = _recurring(app)
        rule = _rule(name="Atención preferente", kind="priority", percent=None)
    with app.test_request_context():
        case = make_case(client=client)
    http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    with app.app_context():
        assert Client.get_by_id(client.id).priority
        [line] = [ln for ln in Quotation.get_by_id(draft.id).lines_list() if ln.benefit_id]
        assert line.unit_price == 0 and line.subtotal == 0
        assert AuditEvent.select().where(AuditEvent.action == "client_priority").count() == 1
    for url in (f"/clientes/{client.id}", f"/casos/{case.id}"):
        page = http.get(url)
        assert page.status_code == 200, url
        assert "Atención prioritaria" in page.get_data(as_text=True), url


def test_refused_when_not_a_draft_or_not_qualified(app, http, login_as, frozen):
    login_as("commercial")
    with app.app_context():
        _client, draft = _recurring(app, contracts=1)
        rule = _rule(threshold=2)
        sent = _quotation(_client, status="sent")
        easy = _rule(name="Uno basta", threshold=1)
    http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    http.post(f"/fidelizacion/cotizaciones/{sent.id}/beneficio", data={"rule": easy.id})
    assert http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": "x"}).status_code == 303
    assert http.post("/fidelizacion/cotizaciones/999999/beneficio", data={"rule": easy.id}).status_code == 404
    with app.app_context():
        assert BenefitGrant.select().count() == 0
        assert QuotationLine.select().where(QuotationLine.benefit.is_null(False)).count() == 0


# ----- the rules -----

def test_management_defines_rules_with_messages_beside_the_fields(app, http, login_as):
    login_as("management")
    bad = http.post("/fidelizacion/beneficios", data={"name": "Fi", "kind": "discount", "percent": "150",
                                                      "basis": "contracts", "threshold": "0"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for message in ("Dé un nombre al beneficio.", "Indique el descuento como un porcentaje entero de 1 a 100.",
                    "Indique un número entero de 1 a 100."):
        assert message in html
    missing = http.post("/fidelizacion/beneficios", data={"name": "Descuento", "kind": "discount", "percent": "",
                                                          "basis": "contracts", "threshold": "2"})
    assert missing.status_code == 422
    no_service = http.post("/fidelizacion/beneficios", data={"name": "Servicio", "kind": "service", "service": "",
                                                             "basis": "years", "threshold": "2"})
    assert no_service.status_code == 422
    with app.app_context():
        assert BenefitRule.select().count() == 0
    ok = http.post("/fidelizacion/beneficios", data={"name": "Fidelidad", "kind": "discount", "percent": "8",
                                                     "basis": "years", "threshold": "3"})
    assert ok.status_code == 303
    with app.app_context():
        rule = BenefitRule.get()
        assert (rule.percent, rule.basis, rule.threshold, rule.active) == (Decimal("8.00"), "years", 3, True)
        assert AuditEvent.select().where(AuditEvent.action == "benefit_rule_create").count() == 1
    assert http.post(f"/fidelizacion/beneficios/{rule.id}/desactivar").status_code == 303
    with app.app_context():
        assert not BenefitRule.get_by_id(rule.id).active


def test_only_management_defines_rules(app, http, login_as):
    login_as("commercial")
    assert http.get("/fidelizacion/beneficios").status_code == 200
    assert http.post("/fidelizacion/beneficios", data={"name": "Fidelidad", "kind": "discount", "percent": "5",
                                                       "basis": "years", "threshold": "3"}).status_code == 403
    with app.app_context():
        assert BenefitRule.select().count() == 0


# ----- query counts -----

def test_query_counts_do_not_grow_with_rules_contracts_or_grants(app, http, login_as, frozen):
    login_as("commercial")
    with app.app_context():
        client, draft = _recurring(app, contracts=1)
        _rule(name="Uno", threshold=1)

    def counted(url):
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        return counter.count

    urls = [f"/comercial/cotizaciones/{draft.id}", f"/fidelizacion/clientes/{client.id}/beneficios",
            "/fidelizacion/beneficios"]
    few = [counted(u) for u in urls]
    with app.app_context():
        for n in range(4):
            old = _quotation(client)
            Contract.create(client=client, quotation=old, status="expired", start_date=date(2019 + n, 1, 1),
                            end_date=date(2020 + n, 1, 1))
            _rule(name=f"Regla {n}", threshold=1, kind="service", percent=None, service=f"Servicio extra {n}")
    for rule in BenefitRule.select().where(BenefitRule.kind == "service"):
        http.post(f"/fidelizacion/cotizaciones/{draft.id}/beneficio", data={"rule": rule.id})
    with app.app_context():
        assert BenefitGrant.select().count() == 4
    many = [counted(u) for u in urls]
    assert many == few
