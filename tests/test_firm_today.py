"""The firm's today, not the machine's (issue 11): a date typed in a form is judged against the firm's calendar
(core.i18n.today_local, America/Bogota by default). At 21:30 in Bogotá a server in UTC, or east of it, is already
on tomorrow: today must still be allowed, and tomorrow must still be the future."""

from datetime import UTC, datetime, timedelta

import pytest

from models.clients import Client
from models.commercial import Contract, Quotation
from models.consent import Consent
from tests.conftest import AWKWARD_HOUR
from tests.factories import make_client, make_notice

pytestmark = pytest.mark.usefixtures("clock")


def _accepted_client(app):
    with app.test_request_context():
        client = make_client()
    Client.update(status="accepted").where(Client.id == client.id).execute()
    return client


def _quotation(http, client, valid_until):
    return http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva", data={
        "lines-0-service": "Asesoría laboral", "lines-0-quantity": "1", "lines-0-unit_price": "1000000",
        "lines-0-tax_rate": "19", "valid_until": valid_until.isoformat()})


def test_the_clock_stands_where_the_machine_and_the_firm_disagree(firm_today):
    """The premise of every test that uses the clock: the machine's UTC date is one day ahead of the firm's."""
    assert datetime.now(UTC) == pytest.approx(AWKWARD_HOUR, abs=timedelta(minutes=5))
    assert datetime.now(UTC).date() == firm_today + timedelta(days=1)


def test_a_quotation_may_be_valid_until_the_firms_today_and_not_yesterday(app, http, login_as, firm_today):
    login_as("commercial")
    client = _accepted_client(app)
    refused = _quotation(http, client, firm_today - timedelta(days=1))
    assert refused.status_code == 422 and "La validez no puede terminar en el pasado" in refused.get_data(as_text=True)
    assert _quotation(http, client, firm_today).status_code == 303
    assert Quotation.get().valid_until == firm_today


def test_a_contract_signed_tomorrow_in_the_firm_is_refused_and_today_is_not(app, http, login_as, firm_today):
    login_as("commercial")
    client = _accepted_client(app)
    _quotation(http, client, firm_today + timedelta(days=30))
    quotation = Quotation.get()
    http.post(f"/comercial/cotizaciones/{quotation.id}/enviar")
    http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar")

    def contract(signed_on):
        return http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data={
            "conditions": "Asesoría laboral permanente", "frequency": "monthly", "duration_months": "12",
            "start_date": firm_today.isoformat(), "end_date": (firm_today + timedelta(days=365)).isoformat(),
            "firm_duties": "Atender consultas en 48 horas.", "client_duties": "Entregar la información a tiempo.",
            "signed_on": signed_on.isoformat(), "signer": "María Rojas", "renews": "0"})

    tomorrow = contract(firm_today + timedelta(days=1))
    assert tomorrow.status_code == 422 and "La fecha de firma no puede ser futura" in tomorrow.get_data(as_text=True)
    assert Contract.select().count() == 0
    assert contract(firm_today).status_code == 303
    assert Contract.get().signed_on == firm_today


def test_a_consent_given_tomorrow_in_the_firm_is_refused_and_today_is_not(app, http, login_as, firm_today):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
        make_notice()

    def consent(given_on):
        return http.post(f"/clientes/{client.id}/consentimiento", data={
            "purposes": ["service"], "method": "written", "given_on": given_on.isoformat()})

    tomorrow = consent(firm_today + timedelta(days=1))
    assert tomorrow.status_code == 422 and "La fecha no puede ser futura" in tomorrow.get_data(as_text=True)
    assert Consent.select().count() == 0
    assert consent(firm_today).status_code == 303
    assert Consent.get().given_on == firm_today
