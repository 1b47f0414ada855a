"""Client registry, intake with duplicate and conflict check, masking and reveal (issue: clients)."""

import re
from datetime import UTC

import pytest

from core.db import db
from models.audit import AuditEvent
from models.clients import Client, ClientStatusChange, ConflictCheck, Party
from tests.factories import PASSWORD, make_area, make_client, make_notice

SENTINEL = "79865432"  # a valid CC number that must never show in clear without a reveal


def _form(area_id, **overrides):
    form = {"kind": "person", "name": "Julián Andrés Cárdenas", "document_type": "CC", "document_number": SENTINEL,
            "email": "julian@correo.test", "phone": "300 765 4321", "country": "CO", "preferred_channel": "phone",
            "source": "web", "practice_area": str(area_id), "responsible": "0", "need": "Reclamo por horas extra.",
            "counterparties": "Constructora Andina S.A.S.; NIT 900123456-8"}
    form.update(overrides)
    return form


def test_intake_checks_then_registers_with_conflict_search_stored(app, http, login_as):
    user = login_as("commercial")
    with app.test_request_context():
        area = make_area()
        existing = make_client(name="Constructora Andina SAS", kind="company", document_type="NIT",
                               document_number="9001234568", email="", phone="")
    first = http.post("/clientes/nuevo", data=_form(area.id))
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and Client.select().count() == 1  # nothing written yet
    assert "Constructora Andina SAS" in body and 'name="confirm" type="hidden" value="1"' in body
    saved = http.post("/clientes/nuevo", data=_form(area.id, confirm="1"))
    assert saved.status_code == 303
    client = Client.get(Client.name == "Julián Andrés Cárdenas")
    assert client.status == "prospect" and client.phone == "+573007654321"
    assert client.document_last4 == "5432" and client.created_by_id == user.id
    check = ConflictCheck.get(ConflictCheck.client == client)
    assert check.decision is None
    assert any(h["ref_id"] == existing.id and h["reason"] == "document" for h in check.hit_list)
    assert Party.get(Party.client == client).name == "Constructora Andina S.A.S."
    assert AuditEvent.select().where(AuditEvent.action == "client_create").count() == 2


def test_intake_bad_input_messages_beside_fields(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        area = make_area()
    response = http.post("/clientes/nuevo", data=_form(area.id, document_number="12AB", email="no-es", phone="12",
                                                       practice_area="0", need="", counterparties="; NIT 1"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("document_number", "email", "phone", "practice_area", "need", "counterparties"):
        assert f'id="{field}-error"' in body, field
    assert Client.select().count() == 0


def test_company_needs_a_company_document(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        area = make_area()
    response = http.post("/clientes/nuevo", data=_form(area.id, kind="company", name="Andes Ltda."))
    assert response.status_code == 422 and 'id="document_number-error"' in response.get_data(as_text=True)


def test_duplicate_by_similar_name_and_email(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        area = make_area()
        make_client(name="Julian Andres Cardenas", document_number="", document_type="", email="julian@correo.test")
    body = http.post("/clientes/nuevo", data=_form(area.id, name="Cárdenas, Julián Andrés")).get_data(as_text=True)
    assert "posible" in body.lower() and "Julian Andres Cardenas" in body


def test_conflict_when_prospect_is_a_counterparty_elsewhere(app, login_as):
    from services import clients as service
    from tests.factories import client_data

    login_as("commercial")
    with app.test_request_context():
        make_client(name="Inversiones El Roble", kind="company", document_type="NIT", document_number="8001972684",
                    counterparties=[{"name": "Gonzalo Pérez Restrepo", "kind": "counterparty", "document_type": "",
                                     "document_number": ""}])
        hits = service.search_hits(client_data(name="Gonzalo Perez Restrepo", document_number="", document_type=""), [])
    assert hits["conflicts"] and hits["conflicts"][0].source == "party"
    assert "Inversiones El Roble" in hits["conflicts"][0].detail


def test_acceptance_requires_decision_fit_verification_and_consent(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
        make_notice()
    assert http.post(f"/clientes/{client.id}/estado", data={"to": "evaluating"}).status_code == 303
    refused = http.post(f"/clientes/{client.id}/estado", data={"to": "accepted"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for reason in ("decisión", "áreas de práctica", "verificación", "consentimiento"):
        assert reason in body, reason
    assert http.post(f"/clientes/{client.id}/conflictos", data={"decision": "waived", "reason": ""}).status_code == 422
    assert http.post(f"/clientes/{client.id}/conflictos", data={"decision": "clear"}).status_code == 303
    assert http.post(f"/clientes/{client.id}/evaluacion", data={
        "specialty_fit": "yes", "consultation_date": "2026-11-20", "consultation_time": "10:30",
        "consultation_mode": "video", "attendees": "María Rojas; abogada", "expectations": "Respuesta en 15 días"}
    ).status_code == 303
    for item in ("identity_document", "case_authenticity"):
        http.post(f"/clientes/{client.id}/verificacion", data={"item": item, "state": "verified", "notes": "Original"})
    http.post(f"/clientes/{client.id}/verificacion", data={"item": "power_of_attorney", "state": "not_applicable"})
    assert http.post(f"/clientes/{client.id}/estado", data={"to": "accepted"}).status_code == 422  # consent missing
    assert http.post(f"/clientes/{client.id}/consentimiento", data={
        "purposes": ["service", "surveys"], "method": "written", "given_on": "2026-11-20"}).status_code == 303
    assert http.post(f"/clientes/{client.id}/estado", data={"to": "accepted"}).status_code == 303
    assert Client.get_by_id(client.id).status == "accepted"
    assert [c.to_status for c in ClientStatusChange.history(client)] == ["accepted", "evaluating", "prospect"]


def test_reject_needs_reason_and_can_be_reopened(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
    response = http.post(f"/clientes/{client.id}/estado", data={"to": "rejected", "reason": ""})
    assert response.status_code == 422 and Client.get_by_id(client.id).status == "prospect"
    http.post(f"/clientes/{client.id}/estado", data={"to": "rejected", "reason": "Fuera de nuestra especialidad"})
    assert Client.get_by_id(client.id).status == "rejected"
    http.post(f"/clientes/{client.id}/estado", data={"to": "evaluating", "reason": "Aportó nuevos documentos"})
    assert Client.get_by_id(client.id).status == "evaluating"


def test_list_search_by_name_prefix_document_and_filters(app, http, login_as):
    login_as("service")
    with app.test_request_context():
        make_client(name="Ana Lucía Gómez", document_number="1020304050", email="ana@correo.test")
        make_client(name="Pedro Gómez Ruiz", document_number="1122334455", email="pedro@correo.test")
    assert "Ana Lucía Gómez" in http.get("/clientes?q=gom ana").get_data(as_text=True)
    assert "Pedro" not in http.get("/clientes?q=gom ana").get_data(as_text=True)
    by_doc = http.get("/clientes?q=1.122.334.455").get_data(as_text=True)
    assert "Pedro Gómez Ruiz" in by_doc and "Ana Lucía" not in by_doc
    assert "Ana Lucía" not in http.get("/clientes?q=10203").get_data(as_text=True)  # documents match whole only
    partial = http.get("/clientes?status=prospect", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="clients-list"' in partial and "<html" not in partial


def test_list_queries_constant(app, http, login_as, make_user):
    from playhouse.test_utils import count_queries

    login_as("commercial")
    with app.test_request_context():
        make_client(name="Primero Uno")
    with count_queries() as few:
        http.get("/clientes")
    with app.test_request_context():
        for i in range(12):  # each with its own responsible: a person read per row would show here
            lawyer = make_user(roles=("operations",), name=f"Abogada {i}")
            make_client(name=f"Cliente Número {i}", document_number=str(60000000 + i), email=f"c{i}@correo.test",
                        responsible=lawyer.id)
    with count_queries() as many:
        http.get("/clientes")
    assert few.count == many.count


def test_masking_everywhere_until_reveal_then_one_audit_event(app, http, login_as, make_user):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id, document_number=SENTINEL)
    raw = " ".join(str(v) for v in db.execute_sql("SELECT * FROM client").fetchone())
    assert SENTINEL not in raw
    for url in ("/clientes", f"/clientes/{client.id}", f"/clientes/{client.id}/admision",
                f"/clientes/{client.id}/editar"):
        for headers in ({}, {"HX-Request": "true"}):
            assert SENTINEL not in http.get(url, headers=headers).get_data(as_text=True), url
    assert "•••• 5432" in http.get(f"/clientes/{client.id}").get_data(as_text=True)
    missing_reason = http.post(f"/clientes/{client.id}/revelar", data={"reason": ""}, headers={"HX-Request": "true"})
    assert missing_reason.status_code == 422 and SENTINEL not in missing_reason.get_data(as_text=True)
    shown = http.post(f"/clientes/{client.id}/revelar", data={"reason": "Redactar el poder"}, headers={"HX-Request": "true"})
    assert SENTINEL in shown.get_data(as_text=True) and "<html" not in shown.get_data(as_text=True)
    events = list(AuditEvent.select().where(AuditEvent.action == "sensitive_read"))
    assert len(events) == 1 and events[0].fields == "document_number" and events[0].detail == "Redactar el poder"
    assert SENTINEL not in " ".join(str(v) for e in AuditEvent.select() for v in e.__data__.values())
    assert SENTINEL not in http.get(f"/clientes/{client.id}").get_data(as_text=True)  # only for that response


def test_reveal_needs_team_membership_outside_management(app, login_as, make_user):
    with app.test_request_context():
        client = make_client(document_number=SENTINEL)
    outsider = app.test_client()
    login_as("commercial", client=outsider)
    response = outsider.post(f"/clientes/{client.id}/revelar", data={"reason": "curiosidad"})
    assert response.status_code == 404
    boss = app.test_client()
    login_as("management", client=boss)
    assert SENTINEL in boss.post(f"/clientes/{client.id}/revelar", data={"reason": "Revisión"}).get_data(as_text=True)


def test_reveal_needs_fresh_authentication(app, http, login_as):
    from datetime import datetime

    import time_machine

    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        owner = login_as("commercial")
        with app.test_request_context():
            client = make_client(responsible=owner.id, document_number=SENTINEL)
        traveller.shift(6 * 60)
        http.get("/")
        traveller.shift(5 * 60)
        response = http.post(f"/clientes/{client.id}/revelar", data={"reason": "Poder"}, headers={"HX-Request": "true",
                             "Referer": f"http://localhost/clientes/{client.id}"})
        assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/confirmar")
        assert SENTINEL not in response.get_data(as_text=True)
        http.post("/confirmar", data={"password": PASSWORD})
        assert SENTINEL in http.post(f"/clientes/{client.id}/revelar", data={"reason": "Poder"}).get_data(as_text=True)


def test_edit_keeps_document_when_left_blank(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client(document_number=SENTINEL)
    form = http.get(f"/clientes/{client.id}/editar").get_data(as_text=True)
    assert SENTINEL not in form
    data = {"kind": "person", "name": "María Fernanda Rojas Díaz", "document_type": "CC", "document_number": "",
            "email": "maria.rojas@correo.test", "phone": "+573001234567", "country": "CO", "preferred_channel": "email",
            "source": "web", "practice_area": str(client.practice_area_id), "responsible": "0", "need": "Despido."}
    assert http.post(f"/clientes/{client.id}/editar", data=data).status_code == 303
    saved = Client.get_by_id(client.id)
    assert saved.name == "María Fernanda Rojas Díaz" and saved.reveal_document() == SENTINEL
    assert re.search("name", AuditEvent.get(AuditEvent.action == "client_update").fields)


def test_customer_type_advice_on_the_client_page(app, http, login_as):
    login_as("service")
    with app.test_request_context():
        client = make_client(customer_type="impatient")
    body = http.get(f"/clientes/{client.id}").get_data(as_text=True)
    assert "Evitar tantos detalles" in body


def test_admin_manages_practice_areas_but_not_clients(app, http, login_as):
    login_as("admin")
    assert http.post("/admin/areas", data={"name": "Derecho penal", "description": "Defensa"}).status_code == 303
    assert http.post("/admin/areas", data={"name": "Derecho penal"}).status_code == 422
    assert http.get("/clientes").status_code == 403


def test_evaluation_stores_consultation_in_utc_and_shows_it_local(app, http, login_as):
    from models.intake import IntakeEvaluation

    login_as("commercial")
    with app.test_request_context():
        client = make_client()
    bad = http.post(f"/clientes/{client.id}/evaluacion", data={"consultation_time": "10:30", "consultation_date": ""})
    assert bad.status_code == 422 and 'id="consultation_time-error"' in bad.get_data(as_text=True)
    impossible = http.post(f"/clientes/{client.id}/evaluacion", data={"consultation_date": "2026-02-30"})
    assert impossible.status_code == 422
    http.post(f"/clientes/{client.id}/evaluacion", data={"specialty_fit": "no", "consultation_date": "2026-11-20",
                                                         "consultation_time": "10:30"})
    stored = IntakeEvaluation.get(IntakeEvaluation.client == client)
    assert stored.specialty_fit is False and stored.consultation_at.hour == 15  # 10:30 in Bogotá
    page = http.get(f"/clientes/{client.id}/admision").get_data(as_text=True)
    assert 'value="10:30"' in page


def test_consent_is_append_only_bound_to_the_notice_and_withdrawal_stops_processing(app, http, login_as):
    from peewee import DatabaseError

    from core.db import transaction
    from models.consent import Consent

    login_as("commercial")
    with app.test_request_context():
        client = make_client()
        notice = make_notice()
    future = http.post(f"/clientes/{client.id}/consentimiento", data={"purposes": ["service"], "method": "oral",
                                                                     "given_on": "2999-01-01"})
    assert future.status_code == 422 and Consent.select().count() == 0
    http.post(f"/clientes/{client.id}/consentimiento", data={"purposes": ["service", "newsletter", "sensitive_data"],
                                                             "method": "written", "given_on": "2026-11-01"})
    given = Consent.get(Consent.purpose == "service")
    assert given.notice_sha256 == notice.sha256 and given.granted
    with pytest.raises(DatabaseError), transaction():
        Consent.update(granted=False).where(Consent.id == given.id).execute()
    with pytest.raises(DatabaseError), transaction():
        Consent.delete().where(Consent.id == given.id).execute()
    http.post(f"/clientes/{client.id}/datos-sensibles", data={"sensitive_data": "Diabetes tipo 2"})
    assert Client.get_by_id(client.id).reveal_sensitive() == "Diabetes tipo 2"
    http.post(f"/clientes/{client.id}/consentimiento/retirar", data={"purpose": "sensitive_data", "method": "written"})
    http.post(f"/clientes/{client.id}/consentimiento/retirar", data={"purpose": "newsletter", "method": "oral"})
    fresh = Client.get_by_id(client.id)
    assert fresh.sensitive_data is None and not Consent.has(fresh, "newsletter")
    assert not Consent.has(fresh, "sensitive_data") and Consent.has(fresh, "service")
    assert Consent.select().count() == 5  # three given, two withdrawn: nothing overwritten


def test_sensitive_data_needs_explicit_consent_and_is_never_shown_in_clear(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
        make_notice()
    refused = http.post(f"/clientes/{client.id}/datos-sensibles", data={"sensitive_data": "Asma"})
    assert refused.status_code == 422 and Client.get_by_id(client.id).sensitive_data is None
    http.post(f"/clientes/{client.id}/consentimiento", data={"purposes": ["sensitive_data"], "method": "written",
                                                             "given_on": "2026-11-01"})
    http.post(f"/clientes/{client.id}/datos-sensibles", data={"sensitive_data": "Asma bronquial severa"})
    raw = " ".join(str(v) for v in db.execute_sql("SELECT sensitive_data FROM client").fetchone())
    assert "Asma" not in raw
    for tab in ("", "/admision", "/consentimiento"):
        assert "Asma" not in http.get(f"/clientes/{client.id}{tab}").get_data(as_text=True)
    shown = http.post(f"/clientes/{client.id}/revelar", data={"field": "sensitive_data", "reason": "Ajuste razonable"},
                      headers={"HX-Request": "true"})
    assert "Asma bronquial severa" in shown.get_data(as_text=True)
    assert AuditEvent.get(AuditEvent.action == "sensitive_read").fields == "sensitive_data"


def test_admin_publishes_privacy_notice_versions(app, http, login_as):
    from models.consent import PrivacyNotice

    login_as("admin")
    text = "Aviso de privacidad de prueba con texto suficientemente largo para ser válido aquí."
    assert http.post("/admin/aviso-privacidad", data={"text": text}).status_code == 303
    assert http.post("/admin/aviso-privacidad", data={"text": text}).status_code == 422  # same text
    assert http.post("/admin/aviso-privacidad", data={"text": text + " Versión dos."}).status_code == 303
    assert [n.version for n in PrivacyNotice.select().order_by(PrivacyNotice.id)] == ["1.0", "2.0"]
    assert PrivacyNotice.current().sha256 == PrivacyNotice.digest(text + " Versión dos.")


@pytest.mark.parametrize("role", ["quality", "service", "operations", "commercial", "admin"])
def test_sentinel_never_shown_on_any_page_without_a_reveal(app, role):
    """Every GET route, full page and partial, for a role that has not revealed (SECURITY.md A4, L1)."""
    from datetime import datetime

    from flask import url_for

    from services import cases, interactions
    from tests.factories import make_case, make_user, sign_in

    secret = "SECRETO-DEL-CASO-5521"
    with app.test_request_context():
        client = make_client(document_number=SENTINEL, email="centinela@correo.test")
        me = make_user(roles=(role,))
        case = make_case(client=client)
        cases.save_planning(case, {"strategy": secret, "legal_analysis": secret}, None)
        interactions.log(client, {"occurred_at": datetime.utcnow(), "channel": "phone", "direction": "in", "kind": "concern",
                                  "summary": secret, "confidential": True}, None, case=case)
    browser = app.test_client()
    sign_in(browser, me)
    values = {"client_id": client.id, "user_id": me.id, "session_id": 1, "area_id": 1, "token": "x",
              "quotation_id": 1, "contract_id": 1, "fmt": "csv", "file_id": 1, "case_id": case.id}
    explicit_reveals = {"cases.confidential", "cases.planning", "interactions.reveal"}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "step" in rule.arguments:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: values.get(a, 1) for a in rule.arguments})
        for headers in ({}, {"HX-Request": "true"}):  # each tab of the client page is a route of its own
            response = browser.get(url, headers=headers)
            assert SENTINEL.encode() not in response.data, (role, url)
            if rule.endpoint not in explicit_reveals:
                assert secret.encode() not in response.data, (role, url)


def test_name_inside_a_longer_name_is_not_a_match_for_two_words(app):
    from models.conflict_search import similar_clients

    with app.test_request_context():
        make_client(name="María Fernanda González Martínez", document_number="", email="")
        assert similar_clients("María Martínez") == []
        assert [c.name for c, _ in similar_clients("Gonzales Martinez, Maria Fernanda")] == ["María Fernanda González Martínez"]


def test_list_filters_mine_and_unassigned(app, http, login_as):
    me = login_as("commercial")
    with app.test_request_context():
        make_client(name="Cliente Mío", responsible=me.id, document_number="", email="")
        make_client(name="Cliente Sin Asignar", document_number="", email="")
    mine = http.get("/clientes?responsible=me").get_data(as_text=True)
    nobody = http.get("/clientes?responsible=none").get_data(as_text=True)
    assert "Cliente Mío" in mine and "Sin Asignar" not in mine
    assert "Cliente Sin Asignar" in nobody and "Cliente Mío" not in nobody


def test_referred_by_is_found_by_document_or_exact_name(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        area = make_area()
        referrer = make_client(name="Rocío Salamanca", document_number="1020304050", email="rocio@correo.test")
        make_client(name="Pedro Páez", document_number="", email="p1@correo.test")
        make_client(name="Pedro Paez", document_number="", email="p2@correo.test")
    unknown = http.post("/clientes/nuevo", data=_form(area.id, referred_by="Nadie Conocido"))
    assert unknown.status_code == 422 and 'id="referred_by-error"' in unknown.get_data(as_text=True)
    several = http.post("/clientes/nuevo", data=_form(area.id, referred_by="pedro paez"))
    assert "Varios clientes" in several.get_data(as_text=True)
    http.post("/clientes/nuevo", data=_form(area.id, referred_by="1.020.304.050", confirm="1"))
    assert Client.get(Client.name == "Julián Andrés Cárdenas").referred_by_id == referrer.id


def test_intake_responsible_picker_offers_the_writer_and_takes_anyone_who_may_be_responsible(app, http, login_as,
                                                                                            make_user):
    """2,000 staff made the intake's picker a third of the page: it offers nobody and the one writing, and the
    search under it (/casos/personal) finds the rest; the server still refuses whoever may not be responsible."""
    from playhouse.test_utils import count_queries

    me = login_as("commercial")
    other = make_user(roles=("operations",), name="Íñigo Lejano")
    admin = make_user(roles=("admin",), name="Íñigo Administra")
    retired = make_user(roles=("commercial",), name="Íñigo Retirado", active=False)
    with app.test_request_context():
        area = make_area()
    body = http.get("/clientes/nuevo").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="responsible".*?</select>', body, re.S).group(0)
    assert {int(v) for v in re.findall(r'value="(\d+)"', select)} == {0, me.id}
    assert "Lejano" not in body and 'hx-target="#responsible optgroup:last-of-type"' in body
    with count_queries() as few:
        http.get("/clientes/nuevo")
    for n in range(5):
        make_user(roles=("service",), name=f"Más Personal {n}")
    with count_queries() as more:
        http.get("/clientes/nuevo")
    assert more.count == few.count
    for someone in (admin.id, retired.id, 10**30, -1):
        refused = http.post("/clientes/nuevo", data=_form(area.id, responsible=str(someone), confirm="1"))
        assert refused.status_code == 422 and 'id="responsible-error"' in refused.get_data(as_text=True)
    assert Client.select().count() == 0
    checked = http.post("/clientes/nuevo", data=_form(area.id, responsible=str(other.id)))
    assert checked.status_code == 200 and f'<option selected value="{other.id}">' in checked.get_data(as_text=True)
    assert http.post("/clientes/nuevo", data=_form(area.id, responsible=str(other.id), confirm="1")).status_code == 303
    client = Client.get()
    assert client.responsible_id == other.id
    edit = http.get(f"/clientes/{client.id}/editar").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="responsible".*?</select>', edit, re.S).group(0)
    assert {int(v) for v in re.findall(r'value="(\d+)"', select)} == {0, me.id, other.id}
    assert f'<option selected value="{other.id}">' in select
