"""Bad input in the complaints register and the crisis protocol never answers 500: ids past 64 bits in query
strings and forms, far dates (refused beside the field, or ignored in filters), and garbage in every form and
every query string."""

from datetime import timedelta

import pytest

from core.db import utcnow
from models.complaints import Complaint, CrisisIncident
from services import complaints as service
from tests.complaints.crisis_helpers import opened_incident
from tests.factories import make_case

BIG = 2**63  # one past the largest 64-bit id


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
    incident_id = opened_incident(http.post(f"/crisis/clientes/{world['client']}"))
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
