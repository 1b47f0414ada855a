"""A contract saved without its signature is a draft one can finish, edit or discard (issue 11, item 4)."""

from datetime import timedelta

from core.i18n import today_local
from models.audit import AuditEvent
from models.clients import Client
from models.commercial import Contract, Quotation
from tests.factories import make_client


def _accepted_quotation(app):
    with app.test_request_context():
        client = make_client()
        Client.update(status="accepted").where(Client.id == client.id).execute()
        today = today_local()
        quotation = Quotation.create(client=client, number=Quotation.next_number(), status="accepted",
                                     valid_until=today + timedelta(days=30))
    return client, quotation, today


def _contract_form(today, **overrides):
    return {"conditions": "Asesoría laboral permanente", "frequency": "monthly", "duration_months": "12",
            "start_date": today.isoformat(), "end_date": (today + timedelta(days=365)).isoformat(),
            "firm_duties": "Atender consultas en 48 horas.", "client_duties": "Entregar la información a tiempo.",
            "signed_on": "", "signer": "", "renews": "0", **overrides}


def _field_error(body: str, field_id: str) -> str:
    """The error text shown beside one field (the markup of _macros/forms.html)."""
    marker = f'id="{field_id}-error">'
    assert marker in body, f"no error beside {field_id}"
    return body.split(marker, 1)[1].split("</p>", 1)[0]


def test_activation_without_signature_asks_for_it_beside_its_fields(app, http, login_as):
    login_as("commercial")
    client, quotation, today = _accepted_quotation(app)
    assert http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data=_contract_form(today)).status_code == 303
    contract = Contract.get()
    page = http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert 'name="signed_on"' in page and 'name="signer"' in page  # the activation asks for what is missing
    refused = http.post(f"/comercial/contratos/{contract.id}/activar", data={"signed_on": "", "signer": " "})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Indica la fecha en que firmó el cliente" in _field_error(body, "signed_on")
    assert "Indica el nombre de quien firmó por el cliente" in _field_error(body, "signer")
    assert Contract.get_by_id(contract.id).status == "draft" and Client.get_by_id(client.id).status == "accepted"
    future = http.post(f"/comercial/contratos/{contract.id}/activar",
                       data={"signed_on": (today + timedelta(days=1)).isoformat(), "signer": "María Rojas"})
    assert future.status_code == 422 and "futura" in _field_error(future.get_data(as_text=True), "signed_on")
    done = http.post(f"/comercial/contratos/{contract.id}/activar",
                     data={"signed_on": today.isoformat(), "signer": "María Rojas"})
    assert done.status_code == 303
    active = Contract.get_by_id(contract.id)
    assert (active.status, active.signed_on, active.signer) == ("active", today, "María Rojas")
    assert Client.get_by_id(client.id).status == "active"
    event = AuditEvent.get(AuditEvent.action == "contract_activate")
    assert event.fields == "signed_on,signer,status"


def test_a_draft_is_editable_and_only_while_it_is_a_draft(app, http, login_as):
    login_as("commercial")
    _client, quotation, today = _accepted_quotation(app)
    http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data=_contract_form(today))
    contract = Contract.get()
    form = http.get(f"/comercial/contratos/{contract.id}/editar")
    assert form.status_code == 200 and "Asesoría laboral permanente" in form.get_data(as_text=True)
    bad = http.post(f"/comercial/contratos/{contract.id}/editar",
                    data=_contract_form(today, end_date=(today - timedelta(days=1)).isoformat()))
    assert bad.status_code == 422 and Contract.get_by_id(contract.id).end_date == today + timedelta(days=365)
    saved = http.post(f"/comercial/contratos/{contract.id}/editar",
                      data=_contract_form(today, conditions="Asesoría laboral y de seguridad social",
                                          signed_on=today.isoformat(), signer="María Rojas"))
    assert saved.status_code == 303 and saved.headers["Location"] == f"/comercial/contratos/{contract.id}"
    edited = Contract.get_by_id(contract.id)
    assert edited.conditions == "Asesoría laboral y de seguridad social" and edited.signer == "María Rojas"
    assert AuditEvent.get(AuditEvent.action == "contract_update").fields == "conditions,signed_on,signer"
    # Signed now: activating takes what the draft holds.
    assert http.post(f"/comercial/contratos/{contract.id}/activar",
                     data={"signed_on": today.isoformat(), "signer": "María Rojas"}).status_code == 303
    assert Contract.get_by_id(contract.id).status == "active"
    assert http.get(f"/comercial/contratos/{contract.id}/editar").status_code == 404
    assert http.post(f"/comercial/contratos/{contract.id}/editar", data=_contract_form(today)).status_code == 404
    assert http.post(f"/comercial/contratos/{contract.id}/descartar").status_code == 404
    assert Contract.get_by_id(contract.id).conditions == "Asesoría laboral y de seguridad social"


def test_a_second_contract_from_the_quotation_leads_to_the_draft(app, http, login_as):
    login_as("commercial")
    _client, quotation, today = _accepted_quotation(app)
    http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data=_contract_form(today))
    draft = Contract.get()
    again = http.get(f"/comercial/cotizaciones/{quotation.id}/contrato")
    assert again.status_code == 303 and again.headers["Location"] == f"/comercial/contratos/{draft.id}/editar"
    posted = http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data=_contract_form(today))
    assert posted.status_code == 303 and posted.headers["Location"] == f"/comercial/contratos/{draft.id}/editar"
    assert Contract.select().count() == 1  # no orphan draft


def test_a_draft_can_be_discarded_and_the_quotation_offers_a_new_contract(app, http, login_as):
    login_as("commercial")
    client, quotation, today = _accepted_quotation(app)
    http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data=_contract_form(today))
    contract = Contract.get()
    page = http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert f"/comercial/contratos/{contract.id}/descartar" in page and "data-confirm=" in page
    gone = http.post(f"/comercial/contratos/{contract.id}/descartar")
    assert gone.status_code == 303 and gone.headers["Location"] == f"/comercial/cotizaciones/{quotation.id}"
    assert Contract.select().count() == 0
    event = AuditEvent.get(AuditEvent.action == "contract_discard")
    assert event.object_type == "contract" and event.object_id == str(contract.id)
    assert "Preparar el contrato de servicio" in http.get(f"/comercial/cotizaciones/{quotation.id}").get_data(as_text=True)
    assert http.get(f"/comercial/cotizaciones/{quotation.id}/contrato").status_code == 200
    assert "Aún no hay contratos" in http.get(f"/comercial/clientes/{client.id}").get_data(as_text=True)


def test_operations_see_a_draft_but_cannot_edit_or_discard_it(app, http, login_as):
    login_as("operations")
    _client, quotation, today = _accepted_quotation(app)
    with app.test_request_context():
        contract = Contract.create(client=quotation.client_id, quotation=quotation, start_date=today,
                                   end_date=today + timedelta(days=30))
    assert http.post(f"/comercial/contratos/{contract.id}/descartar").status_code == 403
    assert http.get(f"/comercial/contratos/{contract.id}/editar").status_code == 403
    page = http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert "/descartar" not in page and "/editar" not in page
