"""Data-subject requests (issue 19; SECURITY.md PR4): registering one for a client with its legal deadline, the
requester's message encrypted at rest, Spanish errors beside the fields (422, nothing written), the lifecycle
(received → in progress → answered, or rejected) with the answer and its evidence, the one extension, every write
audited, the register's filters, escalation in the assignee's "Mi trabajo" and on the quality dashboard."""

import io
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.documents import Holiday
from models.privacy import DataSubjectRequest
from services import privacy as service
from services.home import work
from tests.factories import make_client

pytestmark = pytest.mark.usefixtures("clock")

MESSAGE = "Solicito conocer qué datos personales míos tiene la firma y con quién los ha compartido. CANARIO-7731"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def client(app):
    with app.test_request_context():
        return make_client(name="Ana María Ruiz", document_number="52987654")


def _form(handler, firm_today, **overrides):
    data = {"kind": "query", "channel": "email", "received_on": firm_today.isoformat(), "message": MESSAGE,
            "identity_method": "registered_contact", "identity_notes": "Escribió desde el correo registrado.",
            "assignee": str(handler.id)}
    data.update(overrides)
    return data


def _register(app, client, handler, received_on, kind="query", identity="registered_contact"):
    with app.test_request_context():
        return service.register(client, {"kind": kind, "channel": "phone", "received_on": received_on,
                                         "message": MESSAGE, "identity_method": identity,
                                         "identity_notes": "Llamó desde el teléfono registrado.",
                                         "assignee": handler.id}, handler)


def test_register_computes_the_deadline_and_encrypts_the_message(app, http, login_as, client, firm_today):
    with app.app_context():
        Holiday.create(region="CO", day=date(2026, 3, 23), name="Día de San José")
    handler = login_as("service")
    page = http.get(f"/privacidad/peticiones/nueva?cliente={client.id}").get_data(as_text=True)
    assert "Ana María Ruiz" in page and "Documento de identidad" in page  # the client's verification items
    response = http.post("/privacidad/peticiones/nueva", data={**_form(handler, firm_today), "cliente": str(client.id)})
    assert response.status_code == 303
    dsr = DataSubjectRequest.get()
    assert (dsr.client_id, dsr.kind, dsr.status, dsr.jurisdiction) == (client.id, "query", "received", "CO")
    assert dsr.due_on == date(2026, 3, 24) and dsr.escalate_from == date(2026, 3, 19)
    assert "CANARIO-7731" not in dsr.message and dsr.reveal("message") == MESSAGE
    event = AuditEvent.get(AuditEvent.action == "dsr_create")
    assert (event.actor_id, event.object_id) == (handler.id, str(dsr.id)) and "CANARIO" not in event.detail
    shown = http.get(f"/privacidad/peticiones/{dsr.id}").get_data(as_text=True)
    assert "CANARIO-7731" in shown and "24 mar 2026" in shown


def test_bad_input_answers_422_beside_the_fields_and_writes_nothing(app, http, login_as, client, firm_today):
    handler = login_as("quality")
    response = http.post("/privacidad/peticiones/nueva", data={
        **_form(handler, firm_today, message="", received_on=(firm_today + timedelta(days=3)).isoformat(),
                identity_method="document", identity_notes=""), "cliente": str(client.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Anota lo que pide" in page or 'id="message-error"' in page
    assert 'id="received_on-error"' in page and 'id="identity_notes-error"' in page
    # "Verification items" for a client without any verified item is refused beside that field.
    response = http.post("/privacidad/peticiones/nueva", data={
        **_form(handler, firm_today, identity_method="verification"), "cliente": str(client.id)})
    assert response.status_code == 422 and 'id="identity_method-error"' in response.get_data(as_text=True)
    # No client chosen.
    response = http.post("/privacidad/peticiones/nueva", data={**_form(handler, firm_today), "cliente": "0"})
    assert response.status_code == 422 and 'data-testid="client-error"' in response.get_data(as_text=True)
    # A kind outside the list, a client that does not exist.
    assert http.post("/privacidad/peticiones/nueva", data={
        **_form(handler, firm_today, kind="borrar_todo"), "cliente": str(client.id)}).status_code == 422
    assert http.post("/privacidad/peticiones/nueva", data={
        **_form(handler, firm_today), "cliente": "99999999"}).status_code == 404
    assert DataSubjectRequest.select().count() == 0


def test_lifecycle_start_extend_answer_with_evidence(app, http, login_as, client, firm_today):
    handler = login_as("service")
    dsr = _register(app, client, handler, firm_today, kind="erasure")
    assert dsr.due_on == date(2026, 3, 30)  # 15 business days (no holidays loaded)
    assert http.post(f"/privacidad/peticiones/{dsr.id}/iniciar").status_code == 303
    assert DataSubjectRequest.get_by_id(dsr.id).status == "in_progress"
    # The extension needs a reason; then the deadline moves 8 business days, once.
    response = http.post(f"/privacidad/peticiones/{dsr.id}/prorrogar", data={"extension_reason": "corto"})
    assert response.status_code == 422 and 'id="extension_reason-error"' in response.get_data(as_text=True)
    assert http.post(f"/privacidad/peticiones/{dsr.id}/prorrogar", data={
        "extension_reason": "Hay que revisar contratos archivados en papel; se informó al titular."}).status_code == 303
    dsr = DataSubjectRequest.get_by_id(dsr.id)
    assert dsr.extended_due_on == date(2026, 4, 9) and dsr.escalate_from == date(2026, 4, 7)
    assert http.post(f"/privacidad/peticiones/{dsr.id}/prorrogar", data={
        "extension_reason": "Una segunda prórroga que la ley no permite."}).status_code == 422
    # Answering needs the answer and evidence.
    response = http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={"outcome": "answered", "answer": "Hecho."})
    assert response.status_code == 422 and 'id="evidence_note-error"' in response.get_data(as_text=True)
    response = http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={
        "outcome": "answered", "answer": "Se suprimieron los datos de contacto; el contrato se conserva por ley.",
        "evidence_note": "Respuesta enviada por correo.", "evidence": (io.BytesIO(PDF), "respuesta.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    dsr = DataSubjectRequest.get_by_id(dsr.id)
    assert (dsr.status, dsr.answered_by_id) == ("answered", handler.id) and dsr.answered_at is not None
    assert dsr.evidence_id and "contrato" not in dsr.answer and "contrato" in dsr.reveal("answer")
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "data_subject_request")
               .order_by(AuditEvent.id)]
    assert actions == ["dsr_create", "dsr_update", "dsr_extend", "dsr_answer"]
    # A closed request takes no more changes.
    assert http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={
        "outcome": "rejected", "answer": "Otra", "evidence_note": "x"}).status_code == 422
    assert http.get(f"/privacidad/peticiones/{dsr.id}/editar").status_code == 303
    # The evidence is downloaded with its audit row, which then shows on the client's "Quién consultó".
    download = http.get(f"/privacidad/peticiones/{dsr.id}/evidencia")
    assert download.status_code == 200 and download.data == PDF
    read = AuditEvent.get(AuditEvent.action == "sensitive_read")
    assert read.object_type == "data_subject_request"


def test_answering_needs_the_identity_checked_but_rejecting_does_not(app, http, login_as, client, firm_today):
    handler = login_as("service")
    dsr = _register(app, client, handler, firm_today, identity="pending")
    response = http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={
        "outcome": "answered", "answer": "Sus datos son…", "evidence_note": "Correo enviado."})
    assert response.status_code == 422 and DataSubjectRequest.get_by_id(dsr.id).status == "received"
    assert http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={
        "outcome": "rejected", "answer": "No pudimos verificar su identidad.",
        "evidence_note": "Correo enviado."}).status_code == 303
    assert DataSubjectRequest.get_by_id(dsr.id).status == "rejected"


def test_editing_recomputes_the_deadline(app, http, login_as, client, firm_today):
    handler = login_as("management")
    dsr = _register(app, client, handler, firm_today)
    form = http.get(f"/privacidad/peticiones/{dsr.id}/editar").get_data(as_text=True)
    assert "CANARIO-7731" in form and "v1." not in form  # the message in clear, never its ciphertext
    assert f'<option selected value="{handler.id}">' in form or f'value="{handler.id}" selected' in form
    response = http.post(f"/privacidad/peticiones/{dsr.id}/editar", data=_form(handler, firm_today, kind="objection"))
    assert response.status_code == 303
    dsr = DataSubjectRequest.get_by_id(dsr.id)
    assert dsr.kind == "objection" and dsr.due_on == date(2026, 3, 30)
    event = AuditEvent.select().where(AuditEvent.action == "dsr_update").get()
    assert "kind" in event.fields.split(",")


def test_escalation_in_my_work_and_on_the_dashboard(app, http, login_as, make_user, client, firm_today):
    handler = make_user(roles=("service",), name="Sofía Atención")
    calm = _register(app, client, handler, firm_today)  # due in 10 business days
    late = _register(app, client, handler, firm_today - timedelta(days=14))  # due on 9 March: today
    with app.test_request_context(), count_queries() as few:
        sections = work.queue_for(handler, firm_today)
    section = next(s for s in sections if s.key == "privacy")
    assert (section.count, section.overdue) == (2, 1)
    assert [r.id for r in section.rows] == [late.id, calm.id]  # the escalated one first
    for _ in range(3):
        _register(app, client, handler, firm_today)
    with app.test_request_context(), count_queries() as more:
        work.queue_for(handler, firm_today)
    assert more.count == few.count
    login_as(user=handler)
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert f"/privacidad/peticiones/{late.id}" in page and "Escalada" in page
    # Answered, it leaves the queue and the count.
    with app.test_request_context():
        service.close(DataSubjectRequest.get_by_id(calm.id), "answered", "Respuesta.", "Correo.", handler)
    lead = app.test_client()
    login_as("quality", client=lead)
    dashboard = lead.get("/calidad").get_data(as_text=True)
    assert "1 petición de titular escalada" in dashboard
    assert DataSubjectRequest.escalated_count(firm_today) == 1
    listing = lead.get("/privacidad/peticiones?escaladas=1").get_data(as_text=True)
    assert late.code in listing and calm.code not in listing


def test_register_filters(app, http, login_as, make_user, client, firm_today):
    handler = login_as("service")
    other = make_user(roles=("quality",), name="Otra Persona")
    query = _register(app, client, handler, firm_today)
    erasure = _register(app, client, other, firm_today, kind="erasure")
    page = http.get("/privacidad/peticiones?tipo=erasure").get_data(as_text=True)
    assert erasure.code in page and query.code not in page
    page = http.get(f"/privacidad/peticiones?responsable={handler.id}").get_data(as_text=True)
    assert query.code in page and erasure.code not in page
    partial = http.get("/privacidad/peticiones?estado=answered", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and query.code not in partial
    # the count (without the joins) is the register's, whatever the filters
    with app.app_context():
        for filters in ({}, {"status": ""}, {"status": "answered"}, {"kind": "erasure"}, {"assignee": handler.id},
                        {"client": client.id, "status": ""}, {"escalated_on": firm_today + timedelta(days=30)}):
            assert DataSubjectRequest.count_register(**filters) == DataSubjectRequest.register(**filters).count(), filters
        assert DataSubjectRequest.count_register(status="") == 2 and DataSubjectRequest.count_register(kind="erasure") == 1


def test_roles(app, http, login_as, client, firm_today):
    login_as("operations")
    assert http.get("/privacidad/peticiones").status_code == 403
    assert http.get("/privacidad/peticiones/nueva").status_code == 403
