"""Renewals (issue 18, PRO 008 §5.5.3): the reminder emails on each threshold before a contract ends, once per
contract and threshold ever; "Renovar" makes a quotation with the contract's lines that becomes a contract renewing
the old one; a decision not to renew (or a loss) takes its reason and is audited; ended contracts without a decision
are overdue on the renewals page and in Mi trabajo; the retention indicator counts renewals only."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from playhouse.test_utils import count_queries

from core.i18n import today_local
from models.audit import AuditEvent
from models.clients import Client
from models.commercial import Contract, Quotation, QuotationLine
from models.loyalty import RenewalDecision
from services import loyalty
from services.home import work
from tests.factories import make_client


def _at(day: date, hour: int = 15):
    return time_machine.travel(datetime.combine(day, time(hour, 0)), tick=True)


def _contract(app, responsible, end_date, name="Comercializadora Andina SAS", start=None):
    with app.test_request_context():
        client = make_client(name=name)
        Client.update(status="active", responsible=responsible.id).where(Client.id == client.id).execute()
        quotation = Quotation.create(client=client, number=Quotation.next_number(), status="accepted",
                                     valid_until=end_date, notes="Asesoría laboral permanente")
        QuotationLine.create(quotation=quotation, position=0, service="Acompañamiento mensual", quantity=Decimal("12"),
                             unit_price=Decimal("800000"), tax_rate=Decimal("19"))
        QuotationLine.create(quotation=quotation, position=1, service="Auditoría laboral", quantity=Decimal("1"),
                             unit_price=Decimal("2500000"), tax_rate=Decimal("19"))
        return Contract.create(client=client, quotation=quotation, status="active",
                               start_date=start or end_date - timedelta(days=365), end_date=end_date,
                               signed_on=end_date - timedelta(days=365), signer="María Rojas")


def _run(app):
    return app.test_cli_runner().invoke(args=["jobs", "run"])


def test_reminders_on_each_threshold_once_ever(app, make_user, mailbox):
    owner = make_user(roles=("commercial",), name="Laura Gómez", email="laura@firma.test")
    with _at(date(2026, 3, 1)):
        contract = _contract(app, owner, date(2026, 6, 30))  # 121 days away: nothing yet
        far = _run(app)
    assert far.exit_code == 0, far.output
    assert "avisos_renovaciones: 0" in far.output and mailbox.to("laura@firma.test") == []
    with _at(date(2026, 5, 1)):  # 60 days before its end
        assert "avisos_renovaciones: 1" in _run(app).output
    [first] = mailbox.to("laura@firma.test")
    assert contract.code in first["Subject"] and "60" in first["Subject"]
    assert f"/comercial/contratos/{contract.id}" in mailbox.text(first)
    with _at(date(2026, 5, 1), 20):  # the same day again
        assert "avisos_renovaciones: 0" in _run(app).output
    with _at(date(2026, 5, 20)):  # 41 days: still the 60-day threshold, already sent
        assert "avisos_renovaciones: 0" in _run(app).output
    with _at(date(2026, 5, 31)):  # 30 days: the second threshold
        assert "avisos_renovaciones: 1" in _run(app).output
    with _at(date(2026, 6, 15)):
        assert "avisos_renovaciones: 0" in _run(app).output
    assert len(mailbox.to("laura@firma.test")) == 2
    assert AuditEvent.select().where(AuditEvent.action == "renewal_reminder").count() == 2


def test_no_reminder_once_decided_or_renewed(app, make_user, mailbox):
    owner = make_user(roles=("commercial",), name="Laura Gómez", email="laura@firma.test")
    with _at(date(2026, 3, 1)):
        decided = _contract(app, owner, date(2026, 4, 20), name="Decidida SAS")
        with app.test_request_context():
            loyalty.decide(decided, "lost", "Se fue con otra firma.", owner, today_local())
        renewed = _contract(app, owner, date(2026, 4, 20), name="Renovada SAS")
        Contract.create(client=renewed.client_id, quotation=renewed.quotation_id, status="active",
                        start_date=date(2026, 4, 21), end_date=date(2027, 4, 20), renews=renewed)
        assert "avisos_renovaciones: 0" in _run(app).output
    assert mailbox.to("laura@firma.test") == []


@pytest.mark.usefixtures("clock")
def test_renew_makes_a_quotation_that_becomes_a_linked_contract(app, http, login_as, firm_today):
    me = login_as("commercial")
    old = _contract(app, me, firm_today + timedelta(days=20))
    page = http.get(f"/comercial/contratos/{old.id}").get_data(as_text=True)
    assert f'href="/fidelizacion/contratos/{old.id}/renovacion"' in page  # the contract leads to its renewal
    response = http.post(f"/fidelizacion/contratos/{old.id}/renovar")
    quotation = Quotation.get(Quotation.renews == old.id)
    assert response.status_code == 303 and response.headers["Location"] == f"/comercial/cotizaciones/{quotation.id}"
    assert [(ln.service, ln.quantity) for ln in quotation.lines_list()] == [
        ("Acompañamiento mensual", Decimal("12")), ("Auditoría laboral", Decimal("1"))]
    assert quotation.status == "draft" and quotation.number != old.quotation.number
    again = http.post(f"/fidelizacion/contratos/{old.id}/renovar")  # the quotation already started
    assert again.headers["Location"] == f"/comercial/cotizaciones/{quotation.id}" and Quotation.select().count() == 2
    http.post(f"/comercial/cotizaciones/{quotation.id}/enviar")
    http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar")
    form = http.get(f"/comercial/cotizaciones/{quotation.id}/contrato").get_data(as_text=True)
    assert f'<option selected value="{old.id}">' in form or f'value="{old.id}" selected' in form
    start = old.end_date + timedelta(days=1)
    http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data={
        "conditions": "Asesoría laboral permanente", "frequency": "monthly", "duration_months": "12",
        "start_date": start.isoformat(), "end_date": (start + timedelta(days=364)).isoformat(),
        "firm_duties": "Atender consultas.", "client_duties": "Entregar la información.",
        "signed_on": firm_today.isoformat(), "signer": "María Rojas", "renews": str(old.id)})
    new = Contract.get(Contract.quotation == quotation.id)
    http.post(f"/comercial/contratos/{new.id}/activar")
    assert Contract.get_by_id(new.id).status == "active" and new.renews_id == old.id
    assert Contract.get_by_id(old.id).status == "renewed"
    assert f"CON-{old.id:05d}" not in http.get("/comercial/renovaciones").get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "renewal_start").count() == 1


@pytest.mark.usefixtures("clock")
def test_decision_needs_its_reason_beside_the_field(app, http, login_as, firm_today):
    me = login_as("commercial")
    contract = _contract(app, me, firm_today - timedelta(days=3))
    bad = http.post(f"/fidelizacion/contratos/{contract.id}/decision", data={"outcome": "not_renewed", "reason": " "})
    assert bad.status_code == 422 and "Di por qué no se renueva el contrato." in bad.get_data(as_text=True)
    assert RenewalDecision.select().count() == 0
    worse = http.post(f"/fidelizacion/contratos/{contract.id}/decision", data={"outcome": "renewed", "reason": "x"})
    assert worse.status_code == 422 and RenewalDecision.select().count() == 0
    ok = http.post(f"/fidelizacion/contratos/{contract.id}/decision",
                   data={"outcome": "not_renewed", "reason": "El cliente cerró la sede."})
    assert ok.status_code == 303
    decision = RenewalDecision.get()
    assert (decision.outcome, decision.reason, decision.decided_by_id) == ("not_renewed", "El cliente cerró la sede.", me.id)
    event = AuditEvent.get(AuditEvent.action == "renewal_not_renewed")
    assert event.object_id == str(contract.id)
    twice = http.post(f"/fidelizacion/contratos/{contract.id}/decision", data={"outcome": "lost", "reason": "Otra."})
    assert twice.status_code == 303 and RenewalDecision.select().count() == 1
    assert http.post(f"/fidelizacion/contratos/{contract.id}/renovar").status_code == 303
    assert Quotation.select().where(Quotation.renews == contract.id).count() == 0  # decided: no renewal


@pytest.mark.usefixtures("clock")
def test_ended_without_decision_is_overdue_on_the_page_and_in_my_work(app, http, login_as, make_user, firm_today):
    me = login_as("commercial")
    ended = _contract(app, me, firm_today - timedelta(days=10), name="Terminada SAS")
    soon = _contract(app, me, firm_today + timedelta(days=20), name="Pronto SAS")
    _contract(app, me, firm_today + timedelta(days=90), name="Lejana SAS")
    decided = _contract(app, me, firm_today - timedelta(days=5), name="Decidida SAS")
    with app.test_request_context():
        loyalty.decide(decided, "lost", "Se fue con otra firma.", me, firm_today)
    body = http.get("/comercial/renovaciones").get_data(as_text=True)
    assert "Terminada SAS" in body and "Pronto SAS" in body and "Lejana SAS" not in body and "Decidida SAS" not in body
    assert body.index("Terminada SAS") < body.index("Pronto SAS") and "Terminó sin decisión" in body
    # each row's links and its renew form lead to its own contract and client
    assert f'action="/fidelizacion/contratos/{ended.id}/renovar"' in body
    assert f'href="/fidelizacion/contratos/{soon.id}/renovacion"' in body
    assert f'href="/comercial/contratos/{ended.id}"' in body and f'href="/comercial/clientes/{soon.client_id}"' in body
    with app.test_request_context():
        [section] = [s for s in work.queue_for(me, firm_today) if s.key == "renewals"]
    assert (section.count, section.overdue) == (2, 1) and [r.id for r in section.rows] == [ended.id, soon.id]
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert "Contratos por renovar" in page and f"/comercial/contratos/{soon.id}" in page
    other = make_user(roles=("commercial",))  # not their clients: nothing
    with app.test_request_context():
        assert [s.count for s in work.queue_for(other, firm_today) if s.key == "renewals"] == [0]


@pytest.mark.usefixtures("clock")
def test_retention_counts_renewals_not_decisions(app, make_user, firm_today):
    from services.quality import indicators

    owner = make_user(roles=("commercial",))
    ending = firm_today - timedelta(days=2)
    renewed = _contract(app, owner, ending, name="Renovada SAS")
    lost = _contract(app, owner, ending, name="Perdida SAS")
    _contract(app, owner, ending, name="Sin decisión SAS")
    with app.test_request_context():
        Contract.create(client=renewed.client_id, quotation=renewed.quotation_id, status="active",
                        start_date=ending + timedelta(days=1), end_date=ending + timedelta(days=366), renews=renewed)
        loyalty.decide(lost, "lost", "Se fue con otra firma.", owner, firm_today)
        figure = indicators.retention(indicators.Period(ending - timedelta(days=5), ending + timedelta(days=5)),
                                      indicators.Filters())
    assert figure.numerator == 1 and figure.denominator == 3


def test_renewals_page_queries_are_pinned(app, http, login_as, clock, firm_today):
    me = login_as("commercial")
    for n in range(3):
        _contract(app, me, firm_today + timedelta(days=10 + n), name=f"Cliente {n} SAS")
    http.get("/comercial/renovaciones")
    with count_queries() as counter:
        assert http.get("/comercial/renovaciones").status_code == 200
    few = counter.count
    for n in range(5):
        _contract(app, me, firm_today - timedelta(days=1 + n), name=f"Vencido {n} SAS")
    with count_queries() as counter:
        assert http.get("/comercial/renovaciones").status_code == 200
    assert counter.count == few


def test_the_renewals_page_goes_on_a_page_at_a_time_without_skipping_contracts_ending_the_same_day(
        app, http, login_as, clock, firm_today, monkeypatch):
    me = login_as("commercial")
    made = [_contract(app, me, firm_today + timedelta(days=10), name=f"Mismo Día {n} SAS") for n in range(3)]
    made.append(_contract(app, me, firm_today + timedelta(days=12), name="Después SAS"))
    monkeypatch.setattr(loyalty, "BOARD_PAGE", 2)
    seen, url = [], "/comercial/renovaciones"
    for _page in range(2):
        html = http.get(url).get_data(as_text=True)
        seen += [c.id for c in made if f'href="/comercial/contratos/{c.id}"' in html]
        found = re.search(r'href="(/comercial/renovaciones\?tras=[^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if _page == 1:
            assert url is None and "Los más urgentes" in html
    assert seen == [c.id for c in made]  # each once, in order
    assert "Los siguientes" not in http.get("/comercial/renovaciones?tras=9999-01-01.1").get_data(as_text=True)
    assert "No hay más contratos por renovar." in http.get("/comercial/renovaciones?tras=9999-01-01.1").get_data(as_text=True)


def test_the_board_merges_both_open_states_by_end_date_up_to_its_limit(app, make_user, firm_today, monkeypatch):
    """Expired and still-active contracts come in one order, by the day they end, cut at the board's limit (each
    state is read in index order and stops there)."""
    owner = make_user(roles=("commercial",))
    made = {}
    for days, status in ((-30, "expired"), (-10, "expired"), (-20, "active"), (5, "active"), (15, "active")):
        contract = _contract(app, owner, firm_today + timedelta(days=days), name=f"Cliente {days} SAS")
        Contract.update(status=status).where(Contract.id == contract.id).execute()
        made[days] = contract.id
    with app.test_request_context():
        assert [c.id for c in loyalty.board(firm_today, 60).rows] == [made[d] for d in (-30, -20, -10, 5, 15)]
        monkeypatch.setattr(loyalty, "BOARD_PAGE", 3)
        first = loyalty.board(firm_today, 60)
        assert [c.id for c in first.rows] == [made[d] for d in (-30, -20, -10)] and first.after == ""
        assert first.next_after == f"{(firm_today - timedelta(days=10)).isoformat()}.{made[-10]}"
        rest = loyalty.board(firm_today, 60, after=first.next_after)
        assert [c.id for c in rest.rows] == [made[d] for d in (5, 15)] and rest.next_after == ""
        assert [c.id for c in loyalty.board(firm_today, 60, responsible_id=owner.id).rows] == [made[d] for d in (-30, -20, -10)]
        assert loyalty.board(firm_today, 60, responsible_id=owner.id + 1000).rows == []
        for nonsense in ("ayer", "2026-13-01.5", "2026-12-01", "2026-12-01.-4", "2026-12-01.99999999999999999999"):
            assert [c.id for c in loyalty.board(firm_today, 60, after=nonsense).rows] == [c.id for c in first.rows]
