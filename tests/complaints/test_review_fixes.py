"""Regressions from the review of the complaints register and the crisis protocol: supervisor notes are never
erased and a closed incident refuses every write; bad input never answers 500 (ids past 64 bits, far dates,
garbage in every form); the work queue's overdue count follows the current due date; mails and stored texts
in the right language; the client must be told again after the actions change, and not before the
resolution; duplicate categories and SLA rules; the survey answer's link on a low-score complaint."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine

from core import mail
from core.db import utcnow
from models.complaints import Complaint, ComplaintCategory, CrisisIncident, CrisisStep, SlaRule
from models.surveys import SurveyResponse
from models.users import User
from services import complaints as service
from services.complaints import crisis
from services.home import work
from tests.complaints.conftest import local
from tests.factories import make_case, make_client

BIG = 2**63  # one past the largest 64-bit id
NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")  # Friday, 10:00 in Bogotá


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def client_row(app):
    with app.test_request_context():
        return make_client(name="Rodrigo Peña Salas")


def _incident_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return int(re.search(r"/crisis/(\d+)$", response.headers["Location"]).group(1))


def _signed_in(app, login_as, user):
    browser = app.test_client()
    login_as(user=user, client=browser)
    return browser


# ----- 1. supervisor notes survive a new escalation; a closed incident takes no write -----

def test_re_escalation_keeps_the_first_supervisors_note_and_adds_the_second(app, http, login_as, make_user,
                                                                            client_row, mailbox):
    login_as("service")
    first = make_user(roles=("quality",), name="Beatriz Primera")
    second = make_user(roles=("management",), name="Carlos Segundo")
    incident_id = _incident_id(http.post(f"/crisis/clientes/{client_row.id}"))
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": first.id}).status_code == 303
    a = _signed_in(app, login_as, first)
    assert a.post(f"/crisis/{incident_id}/intervencion", data={"note": "Calmé al cliente en mi oficina."}).status_code == 303
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": second.id}).status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.supervisor_id == second.id and incident.supervisor_at is None  # waiting for the second one
    assert "Calmé al cliente en mi oficina." in incident.reveal("supervisor_note")  # not erased
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert "Calmé al cliente en mi oficina." in page  # still shown while the second supervisor is awaited
    b = _signed_in(app, login_as, second)
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Ofrecí una reunión con el socio."}).status_code == 303
    note = CrisisIncident.get_by_id(incident_id).reveal("supervisor_note")
    assert re.fullmatch(r"— Beatriz Primera, [^\n]+:\nCalmé al cliente en mi oficina\.\n\n"
                        r"— Carlos Segundo, [^\n]+:\nOfrecí una reunión con el socio\.", note), note
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert "Calmé al cliente en mi oficina." in page and "Ofrecí una reunión con el socio." in page


def test_a_second_intervention_is_added_not_written_over(app, http, login_as, make_user, client_row, mailbox):
    login_as("service")
    boss = make_user(roles=("management",), name="Diana Gerente")
    incident_id = _incident_id(http.post(f"/crisis/clientes/{client_row.id}"))
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": boss.id})
    b = _signed_in(app, login_as, boss)
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Primera intervención."}).status_code == 303
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Llamé de nuevo."}).status_code == 303
    note = CrisisIncident.get_by_id(incident_id).reveal("supervisor_note")
    assert "Primera intervención." in note and "Llamé de nuevo." in note


def test_a_closed_incident_refuses_every_write_even_from_a_stale_copy(app, http, login_as, make_user, client_row,
                                                                      mailbox):
    me = login_as("management")
    boss = make_user(roles=("quality",), name="Elena Calidad")
    other = make_user(roles=("service",), name="Fabio Servicio")
    incident_id = _incident_id(http.post(f"/crisis/clientes/{client_row.id}"))
    http.post(f"/crisis/{incident_id}/registro", data={"behaviour": "Gritó en recepción."})
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": boss.id})
    stale = CrisisIncident.get_by_id(incident_id)  # read before the close, as a concurrent request would
    assert http.post(f"/crisis/{incident_id}/cerrar", data={
        "outcome": "Se calmó y se fue.", "reason": "Se fue antes de completar el protocolo."}).status_code == 303
    with app.test_request_context():
        attempts = [
            lambda: crisis.save_record(stale, crisis.Record("Otra versión", [], "", True), me),
            lambda: crisis.escalate(stale, other, me),
            lambda: crisis.record_intervention(stale, "Después del cierre", me),
            lambda: crisis.tick_step(stale, 8, me),
        ]
        for attempt in attempts:
            with pytest.raises(crisis.CrisisError, match="closed|cerrado"):
                attempt()
    after = CrisisIncident.get_by_id(incident_id)
    assert after.reveal("behaviour") == "Gritó en recepción." and not after.security_called
    assert after.supervisor_id == boss.id and after.reveal("supervisor_note") == "" and after.supervisor_at is None
    assert 8 not in CrisisStep.of_incident(incident_id)
    # Through the pages too: the management user may record an intervention, but not on a closed incident.
    response = http.post(f"/crisis/{incident_id}/intervencion", data={"note": "Después del cierre"})
    assert response.status_code == 422
    assert CrisisIncident.get_by_id(incident_id).supervisor_at is None
    assert len(mailbox.to(other.email)) == 0


# ----- 2. bad input never answers 500 -----

def test_ids_past_64_bits_in_query_strings_and_forms(app, http, login_as, make_user, frozen):
    me = login_as("management")
    for url in (f"/quejas?responsable={BIG}&categoria={BIG}", "/quejas?responsable=-1&categoria=x",
                f"/quejas?responsable={2**64}&vencidas=1"):
        assert http.get(url).status_code == 200, url
    assert http.get(f"/quejas/nueva?client={BIG}").status_code == 404
    assert http.get(f"/quejas/nueva?cliente={BIG}").status_code == 404
    assert http.get(f"/quejas/nueva?cliente={2**70}").status_code == 404
    assert http.get(f"/crisis/nuevo?cliente={BIG}").status_code == 404
    data = {"kind": "claim", "client": str(BIG), "case": "0", "channel": "phone", "severity": "high",
            "category": "0", "description": "Cobraron dos veces la consulta.", "received_on": "2026-11-20",
            "received_time": "09:15", "owner": str(me.id)}
    assert http.post("/quejas/nueva", data=data).status_code == 404  # no such client: nothing registered
    for field in ("case", "category", "owner"):
        assert http.post("/quejas/nueva", data={**data, "client": "0", field: str(BIG)}).status_code == 422, field
    assert Complaint.select().count() == 0


def test_far_dates_are_refused_beside_the_field_or_ignored_in_filters(app, http, login_as, client_row, open_one,
                                                                      frozen):
    me = login_as("management")
    page = http.get("/quejas/analisis?desde=9999-01-01&hasta=9999-12-31")
    assert page.status_code == 422 and "Esa fecha no es posible." in page.get_data(as_text=True)
    assert http.get("/quejas/analisis?desde=0001-01-01&hasta=2026-01-01").status_code == 422
    assert http.get("/quejas/analisis?desde=1900-01-01&hasta=1901-01-01").status_code == 200
    for day in ("9999-12-31", "0001-01-01", "1899-12-31"):
        response = http.post(f"/crisis/clientes/{client_row.id}", data={"occurred_on": day, "occurred_time": "10:00"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="occurred_on-error"' in html and "Esa fecha no es posible." in html
        response = http.post("/quejas/nueva", data={
            "kind": "claim", "client": "0", "case": "0", "channel": "phone", "severity": "high", "category": "0",
            "description": "Cobraron dos veces la consulta.", "received_on": day, "received_time": "09:15",
            "owner": str(me.id)})
        assert response.status_code == 422 and 'id="received_on-error"' in response.get_data(as_text=True)
    assert CrisisIncident.select().count() == 0 and Complaint.select().count() == 0
    complaint = open_one(me, client=client_row, received_at=utcnow() - timedelta(hours=1))
    with app.test_request_context():
        service.change_status(complaint, "analysis", me)
        service.save_analysis(complaint, "Falta de control.", "Se revisó el cobro.", me)
        service.change_status(complaint, "resolution", me)
    for day in ("9999-12-31", "0001-01-01"):
        response = http.post(f"/quejas/{complaint.id}/cliente-informado", data={
            "informed_on": day, "informed_time": "23:59", "informed_channel": "phone", "client_agreement": "agreed"})
        assert response.status_code == 422 and 'id="informed_on-error"' in response.get_data(as_text=True)


GARBAGE = ("", " ", "x", "-1", "0", "1.5", "1e999", str(BIG), str(2**64), "9999-12-31", "0001-01-01", "25:61",
           "\u00e9\u0301" * 3, "<script>", "a" * 9000)


@pytest.fixture
def world(app, make_user, client_row, open_one):
    """One of everything the complaints and crisis forms act on, for the management user to post garbage to."""
    owner = make_user(roles=("service",), name="Gina Servicio")
    supervisor = make_user(roles=("quality",), name="Hugo Calidad")
    with app.test_request_context():
        case = make_case(client=client_row)
        category = service.add_category("Demora en la respuesta", owner)
    complaint = open_one(owner, client=client_row, case=case, received_at=utcnow() - timedelta(hours=3))
    return {"client": client_row.id, "complaint": complaint.id, "category": category.id, "owner": owner,
            "supervisor": supervisor}


# (url with {placeholders}, the form's fields)
POSTS = {
    "complaint_new": ("/quejas/nueva", ("kind", "client", "walk_in_name", "walk_in_contact", "case", "channel",
                                        "description", "category", "severity", "received_on", "received_time", "owner")),
    "complaint_step": ("/quejas/{complaint}/estado", ("to", "note")),
    "complaint_analysis": ("/quejas/{complaint}/analisis", ("root_cause", "actions_taken")),
    "complaint_inform": ("/quejas/{complaint}/cliente-informado", ("informed_on", "informed_time", "informed_channel",
                                                                   "client_agreement")),
    "complaint_reopen": ("/quejas/{complaint}/reabrir", ("reason",)),
    "complaint_owner": ("/quejas/{complaint}/responsable", ("owner", "note")),
    "sla": ("/quejas/configuracion/sla", ("complaint_high_response", "complaint_high_resolution",
                                          "query_low_response", "query_low_resolution")),
    "categories": ("/quejas/configuracion/categorias", ("name",)),
    "category_toggle": ("/quejas/configuracion/categorias/{category}/estado", ("x",)),
    "crisis_open": ("/crisis/clientes/{client}", ("case", "channel", "occurred_on", "occurred_time")),
    "crisis_tick": ("/crisis/{incident}/pasos", ("step",)),
    "crisis_record": ("/crisis/{incident}/registro", ("behaviour", "actions", "solution", "security_called")),
    "crisis_escalate": ("/crisis/{incident}/supervisor", ("supervisor",)),
    "crisis_intervene": ("/crisis/{incident}/intervencion", ("note",)),
    "crisis_close": ("/crisis/{incident}/cerrar", ("outcome", "as_complaint", "reason")),
}


@pytest.mark.parametrize("name", sorted(POSTS))
def test_garbage_never_answers_500(app, http, login_as, world, name, frozen):
    login_as("management")
    incident_id = _incident_id(http.post(f"/crisis/clientes/{world['client']}"))
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": world["supervisor"].id})
    url_template, fields = POSTS[name]
    url = url_template.format(incident=incident_id, **{k: world[k] for k in ("client", "complaint", "category")})
    for value in GARBAGE:
        attempts = [{f: value for f in fields}] + [{f: value} for f in fields]
        for data in attempts:
            for headers in ({}, {"HX-Request": "true"}):
                response = http.post(url, data=data, headers=headers)
                assert response.status_code < 500, (name, data, response.status_code)


def test_garbage_in_query_strings_never_answers_500(http, login_as, world):
    login_as("management")
    for value in GARBAGE[:-1]:
        for get in ("/quejas?estado={v}&tipo={v}&responsable={v}&categoria={v}&vencidas={v}&q={v}&pagina={v}",
                    "/quejas/nueva?client={v}&buscar={v}", "/quejas/nueva?cliente={v}",
                    "/quejas/analisis?desde={v}&hasta={v}", "/crisis?estado={v}&pagina={v}",
                    "/crisis/nuevo?cliente={v}&q={v}"):
            assert http.get(get.format(v=value)).status_code < 500, (get, value)


# ----- 3. the work queue counts a complaint overdue by its current due date -----

def test_work_queue_counts_a_received_complaint_past_its_response_due_as_overdue(app, http, login_as, open_one, frozen):
    me = login_as("service")
    late_answer = open_one(me, received_at=local(2026, 11, 16, 9))  # response due Tue 17, resolution Mon 23
    assert late_answer.response_due_at < utcnow() < late_answer.due_at
    with app.test_request_context():
        (section,) = work.queue_for(me, NOW.date(), only="complaints")
    assert (section.count, section.overdue) == (1, 1)
    html = http.get("/mi-trabajo?ver=complaints").get_data(as_text=True)
    item = html[html.index(late_answer.number) - 400:html.index(late_answer.number) + 800]
    assert "is-overdue" in item and "Respuesta vencida" in item


def test_work_queue_lists_the_soonest_current_due_first(app, login_as, open_one, frozen):
    me = login_as("service")
    in_analysis = open_one(me, received_at=local(2026, 11, 19, 9), severity="low")  # resolution due 3 Dec
    with app.test_request_context():
        service.change_status(in_analysis, "analysis", me)
    received = open_one(me, received_at=local(2026, 11, 20, 9), severity="low")  # response due Tue 24, resolution 4 Dec
    assert received.response_due_at < in_analysis.due_at < received.due_at
    with app.test_request_context():
        (section,) = work.queue_for(me, NOW.date(), only="complaints")
    assert [r.id for r in section.rows] == [received.id, in_analysis.id]


# ----- 4. languages: the reader's for mail, the firm's for stored text -----

def test_an_english_user_escalating_sends_a_spanish_mail_to_a_spanish_supervisor(app, http, login_as, make_user,
                                                                                 client_row, mailbox):
    me = make_user(roles=("service",), name="Iván Inglés")
    me.set_locale("en")
    login_as(user=me)
    spanish = make_user(roles=("quality",), name="Juana Española", email="juana@firma.test")
    english = make_user(roles=("management",), name="Kevin English", email="kevin@firma.test")
    User.update(locale="en").where(User.id == english.id).execute()
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert 'lang="en"' in page  # the actor's own pages are in English
    incident_id = _incident_id(http.post(f"/crisis/clientes/{client_row.id}"))
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": spanish.id}).status_code == 303
    (message,) = mailbox.to("juana@firma.test")
    assert message["Subject"] == "Incidente de crisis: se necesita tu ayuda ahora"
    assert "Hola, Juana Española:" in mailbox.text(message)
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": english.id}).status_code == 303
    (message,) = mailbox.to("kevin@firma.test")
    assert message["Subject"] == "Crisis incident: your help is needed now"
    # The complaint the English user registers on closing is written in the firm's language.
    assert http.post(f"/crisis/{incident_id}/cerrar", data={"outcome": "Calm again.", "as_complaint": "y",
                                                          "reason": "Left before the protocol ended."}).status_code == 303
    complaint = Complaint.get_by_id(CrisisIncident.get_by_id(incident_id).complaint_id)
    assert complaint.description.startswith("Cliente en crisis el ")
    assert f"n.º {incident_id}" in complaint.description


def test_complaint_mails_are_in_each_recipients_language(app, http, login_as, make_user, mailbox, frozen):
    me = make_user(roles=("operations",), name="Laura English")
    me.set_locale("en")
    login_as(user=me)
    owner = make_user(roles=("service",), name="Mateo Dueño", email="mateo@firma.test")
    response = http.post("/quejas/nueva", data={
        "kind": "claim", "client": "0", "case": "0", "channel": "phone", "severity": "high", "category": "0",
        "description": "Cobraron dos veces la consulta.", "received_on": "2026-11-20", "received_time": "09:15",
        "owner": str(owner.id), "walk_in_name": "", "walk_in_contact": ""})
    assert response.status_code == 303
    (message,) = mailbox.to("mateo@firma.test")
    assert message["Subject"].startswith("Nueva queja asignada: Q-2026-")
    mailbox.clear()
    User.update(locale="en").where(User.id == owner.id).execute()
    Complaint.update(response_due_at=utcnow() - timedelta(hours=1)).execute()
    with app.app_context():
        assert service.escalation_digests(utcnow()) >= 1
        mail.deliver_pending()
    (digest,) = mailbox.to("mateo@firma.test")
    assert digest["Subject"] == "Complaints needing attention: 1"


# ----- 5. the client is told again after the actions change, and not before the resolution -----

def _resolved(app, open_one, me, client):
    complaint = open_one(me, client=client, received_at=utcnow() - timedelta(hours=5))
    with app.test_request_context():
        service.change_status(complaint, "analysis", me)
        service.save_analysis(complaint, "Falta de seguimiento.", "Se llamó al cliente.", me)
        service.change_status(complaint, "resolved", me)
    return Complaint.get_by_id(complaint.id)


def test_changing_the_actions_after_informing_the_client_asks_to_inform_again(app, http, login_as, open_one,
                                                                               client_row, frozen):
    me = login_as("service")
    complaint = _resolved(app, open_one, me, client_row)
    with app.test_request_context():
        service.record_informed(complaint, utcnow(), "phone", "agreed", me)
        service.save_analysis(complaint, "Falta de seguimiento.", "Se llamó al cliente.", me)  # unchanged: kept
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.informed_at is not None and complaint.informed_channel == "phone"
    response = http.post(f"/quejas/{complaint.id}/analisis", data={
        "root_cause": "Falta de seguimiento.", "actions_taken": "Se llamó al cliente y se devolvió el pago."})
    assert response.status_code == 303
    complaint = Complaint.get_by_id(complaint.id)
    assert (complaint.informed_at, complaint.informed_channel, complaint.client_agreement) == (None, "", "")
    http.post(f"/quejas/{complaint.id}/estado", data={"to": "closed"})
    assert Complaint.get_by_id(complaint.id).status == "resolved"  # cannot close until told of the new actions


def test_informed_before_the_resolution_is_refused(app, http, login_as, open_one, client_row, frozen):
    me = login_as("service")
    complaint = _resolved(app, open_one, me, client_row)  # resolved now, 10:00
    response = http.post(f"/quejas/{complaint.id}/cliente-informado", data={
        "informed_on": "2026-11-20", "informed_time": "09:00", "informed_channel": "phone", "client_agreement": "agreed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="informed_on-error"' in html
    with app.test_request_context():
        with pytest.raises(service.ComplaintError):
            service.record_informed(complaint, utcnow() - timedelta(hours=1), "phone", "agreed", me)
        with pytest.raises(service.ComplaintError):  # nor before it arrived, whatever the state
            service.record_informed(complaint, complaint.received_at - timedelta(hours=1), "phone", "agreed", me)
    assert Complaint.get_by_id(complaint.id).informed_at is None
    assert http.post(f"/quejas/{complaint.id}/cliente-informado", data={
        "informed_on": "2026-11-20", "informed_time": "10:00", "informed_channel": "phone",
        "client_agreement": "agreed"}).status_code == 303


# ----- 6. duplicates that slip past the check -----

def test_a_duplicate_category_the_check_misses_is_said_beside_the_field(app, http, login_as):
    login_as("quality")
    ComplaintCategory.create(name="Ética profesional")  # SQLite's LOWER() leaves "É" as it is: the check misses it
    response = http.post("/quejas/configuracion/categorias", data={"name": "Ética profesional"})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
    assert ComplaintCategory.select().where(ComplaintCategory.name == "Ética profesional").count() == 1


def test_an_sla_rule_created_meanwhile_is_refused_not_a_500(app, http, login_as):
    me = login_as("quality")
    seen = SlaRule.matrix()  # what the form showed: no rule yet
    SlaRule.create(kind="complaint", severity="high", response_days=2, resolution_days=4)  # someone else, meanwhile
    with app.test_request_context():
        with pytest.raises(service.SlaConflict) as refused:
            service.save_sla({("complaint", "high"): (1, 3), ("query", "low"): (2, 9)}, me, seen)
    assert refused.value.field == "complaint_high_response"
    rules = SlaRule.matrix()
    assert (rules[("complaint", "high")].response_days, ("query", "low") in rules) == (2, False)  # nothing saved


# ----- 7. the survey answer behind a low-score complaint -----

def test_a_low_score_complaint_links_to_its_survey_answer_for_those_who_read_results(app, http, login_as, make_user):
    from tests.surveys.survey_helpers import answers_for, make_invitation

    with app.test_request_context():
        make_user(roles=("quality",), name="Nora Calidad")
        invitation, token = make_invitation()
    assert http.post(f"/e/{token}", data=answers_for(invitation.template, rating=1, nps=2)).status_code == 303
    response = SurveyResponse.get()
    complaint = Complaint.get(Complaint.survey_response == response.id)
    link = f'href="/encuestas/resultados/respuestas/{response.id}"'
    login_as("quality")
    assert link in http.get(f"/quejas/{complaint.id}").get_data(as_text=True)
    assert http.get(f"/encuestas/resultados/respuestas/{response.id}").status_code == 200
    operations = _signed_in(app, login_as, make_user(roles=("operations",)))  # the register, not the results
    page = operations.get(f"/quejas/{complaint.id}").get_data(as_text=True)
    assert link not in page
