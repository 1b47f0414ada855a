"""The complaints register: registering (form and service), the owner's email, numbering under concurrency,
the status machine with its rules (resolve needs the root cause and actions, close needs the client informed),
reopen and owner change, the register and its filters, the client's tab, the work queue, and access by role."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from flask_babel import gettext
from playhouse.test_utils import count_queries

from core import mail
from core.db import utcnow
from models.audit import AuditEvent
from models.complaints import Complaint, ComplaintCategory, ComplaintStatusChange
from services import complaints as service
from services.home import work
from tests.complaints.conftest import local
from tests.factories import make_case, make_client, run_concurrently

NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")  # Friday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def _form(who, **overrides):
    data = {"kind": "claim", "client": "0", "case": "0", "channel": "phone", "severity": "high", "category": "0",
            "description": "Cobraron dos veces la consulta inicial.", "received_on": "2026-11-20",
            "received_time": "09:15", "owner": str(who.id), "walk_in_name": "", "walk_in_contact": ""}
    data.update(overrides)
    return data


def test_register_a_complaint_of_a_client_with_case_and_the_owner_gets_the_link(app, http, login_as, make_user,
                                                                               mailbox, frozen):
    me = login_as("operations")
    owner = make_user(roles=("service",), name="Sofía Atención")
    with app.test_request_context():
        client = make_client(name="Héctor Salcedo", document_number="80111222", email="hector@correo.test")
        case = make_case(client=client, responsible=me)
        other = make_case(client=make_client(name="Otro Cliente", document_number="80333444", email="o@correo.test"),
                          responsible=me)
    category = ComplaintCategory.create(name="Facturación y cobros")
    page = http.get(f"/quejas/nueva?cliente={client.id}").get_data(as_text=True)
    assert "Héctor Salcedo" in page and case.code in page and other.code not in page
    response = http.post("/quejas/nueva", data=_form(owner, client=str(client.id), case=str(case.id),
                                                     category=str(category.id)))
    assert response.status_code == 303
    complaint = Complaint.get()
    assert re.fullmatch(r"Q-2026-00001", complaint.number)
    assert (complaint.client_id, complaint.case_id, complaint.owner_id, complaint.category_id) == (
        client.id, case.id, owner.id, category.id)
    assert complaint.practice_area_id == case.practice_area_id and complaint.created_by_id == me.id
    assert complaint.received_at == datetime(2026, 11, 20, 14, 15)
    (message,) = mailbox.to(owner.email)
    link = f"https://traza.example.test/quejas/{complaint.id}"
    assert complaint.number in message["Subject"] and link in mailbox.text(message) and link in mailbox.html(message)
    assert AuditEvent.select().where(AuditEvent.action == "complaint_open", AuditEvent.object_id == str(complaint.id)).exists()
    assert [h.to_status for h in ComplaintStatusChange.history(complaint)] == ["received"]
    shown = http.get(f"/quejas/{complaint.id}").get_data(as_text=True)
    assert "Cobraron dos veces la consulta inicial." in shown and case.code in shown


def test_register_an_anonymous_walk_in(app, http, login_as, make_user, frozen):
    me = login_as("service")
    response = http.post("/quejas/nueva", data=_form(me, kind="suggestion", severity="low", walk_in_name="",
                                                     description="Pongan más sillas en la sala de espera."))
    assert response.status_code == 303
    complaint = Complaint.get()
    assert complaint.client_id is None and complaint.walk_in_name == "" and complaint.kind == "suggestion"


def test_bad_input_is_refused_beside_each_field(app, http, login_as, make_user, frozen):
    me = login_as("service")
    with app.test_request_context():
        client = make_client(name="Cliente Uno", document_number="80555666", email="uno@correo.test")
        foreign = make_case(client=make_client(name="Cliente Dos", document_number="80777888", email="d@correo.test"),
                            responsible=me)
    response = http.post("/quejas/nueva", data=_form(me, description="", received_on="2026-11-21", kind="nonsense",
                                                     owner="999999", client=str(client.id), case=str(foreign.id)))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and not Complaint.select().exists()
    for field in ("description", "received_time", "kind", "owner", "case"):
        assert f'id="{field}-error"' in body, field
    with app.test_request_context():
        assert gettext("Describe the complaint or request.") in body
        assert gettext("It cannot have been received in the future.") in body
    assert http.post("/quejas/nueva", data=_form(me, client="999999")).status_code == 404


def test_numbers_are_unique_per_year_even_when_registered_at_once(app, make_user):
    owner = make_user(roles=("service",))

    def register():
        with app.test_request_context():
            return service.open_complaint(kind="query", description="¿En qué va mi proceso?", owner=owner.id,
                                          received_at=local(2026, 3, 2, 9)).number

    numbers = run_concurrently(app, register, n=8)
    assert sorted(numbers) == [f"Q-2026-{i:05d}" for i in range(1, 9)]
    with app.test_request_context():
        next_year = service.open_complaint(kind="query", description="Otra", owner=owner.id,
                                           received_at=local(2027, 1, 4, 9))
    assert next_year.number == "Q-2027-00001"


def _walk(app, complaint, user, *steps):
    with app.test_request_context():
        for to in steps:
            service.change_status(complaint, to, user)


def test_status_machine_close_refused_until_the_client_is_informed_then_reopen(app, http, login_as, open_one, a_client,
                                                                               frozen):
    me = login_as("service")
    complaint = open_one(me, client=a_client, received_at=utcnow() - timedelta(hours=2))
    with app.test_request_context():
        with pytest.raises(service.ComplaintError):
            service.change_status(complaint, "resolved", me)  # not from "received"
    _walk(app, complaint, me, "analysis")
    assert complaint.first_response_at is not None
    response = http.post(f"/quejas/{complaint.id}/estado", data={"to": "resolved"})
    assert response.status_code == 303 and Complaint.get_by_id(complaint.id).status == "analysis"  # no root cause yet
    analysis = http.post(f"/quejas/{complaint.id}/analisis", data={"root_cause": "", "actions_taken": ""})
    assert analysis.status_code == 422 and 'id="root_cause-error"' in analysis.get_data(as_text=True)
    http.post(f"/quejas/{complaint.id}/analisis", data={"root_cause": "El abogado estuvo de vacaciones sin reemplazo.",
                                                         "actions_taken": "Se asignó un abogado suplente y se llamó al cliente."})
    assert http.post(f"/quejas/{complaint.id}/estado", data={"to": "resolved"}).status_code == 303
    # Closing without informing the client is refused, with the reason on the page.
    refused = http.post(f"/quejas/{complaint.id}/estado", data={"to": "closed"}, follow_redirects=True)
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.status == "resolved" and complaint.closed_at is None
    with app.test_request_context():
        reason = gettext("The complaint cannot be closed until the client has been informed of the actions taken: "
                         "record when and how they were told.")
    assert reason in refused.get_data(as_text=True)
    partial = http.post(f"/quejas/{complaint.id}/estado", data={"to": "closed"}, headers={"HX-Request": "true"})
    assert partial.status_code == 422 and "<html" not in partial.get_data(as_text=True)
    future = http.post(f"/quejas/{complaint.id}/cliente-informado",
                       data={"informed_on": "2026-11-21", "informed_time": "10:00", "informed_channel": "phone",
                             "client_agreement": "agreed"})
    assert future.status_code == 422 and 'id="informed_time-error"' in future.get_data(as_text=True)
    assert http.post(f"/quejas/{complaint.id}/cliente-informado",
                     data={"informed_on": "2026-11-20", "informed_time": "10:00", "informed_channel": "phone",
                           "client_agreement": "agreed"}).status_code == 303
    assert http.post(f"/quejas/{complaint.id}/estado", data={"to": "closed"}).status_code == 303
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.status == "closed" and complaint.informed_channel == "phone" and complaint.client_agreement == "agreed"
    # Reopen: back to analysis, counted, the client must be told again, the history keeps every step.
    assert http.post(f"/quejas/{complaint.id}/reabrir", data={"reason": ""}).status_code == 422
    assert http.post(f"/quejas/{complaint.id}/reabrir", data={"reason": "El cliente dice que nadie lo llamó."}).status_code == 303
    complaint = Complaint.get_by_id(complaint.id)
    assert (complaint.status, complaint.reopened, complaint.informed_at, complaint.closed_at) == ("analysis", 1, None, None)
    assert [(h.from_status, h.to_status) for h in ComplaintStatusChange.history(complaint)] == [
        ("", "received"), ("received", "analysis"), ("analysis", "resolved"), ("resolved", "closed"),
        ("closed", "analysis")]
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "complaint").order_by(AuditEvent.id)]
    assert actions == ["complaint_open", "complaint_status", "complaint_analysis", "complaint_status",
                       "complaint_informed", "complaint_status", "complaint_reopen"]


def test_anonymous_without_contact_may_be_closed_as_not_reachable(app, open_one, make_user, frozen):
    me = make_user(roles=("service",))
    complaint = open_one(me, kind="suggestion", received_at=utcnow())
    with_contact = open_one(me, walk_in_name="Pedro", walk_in_contact="3001112233", received_at=utcnow())
    with app.test_request_context():
        for c in (complaint, with_contact):
            service.change_status(c, "analysis", me)
            service.save_analysis(c, "Sala de espera pequeña.", "Se compraron sillas.", me)
            service.change_status(c, "resolved", me)
        service.record_informed(complaint, utcnow(), "anonymous", "", me)
        service.change_status(complaint, "closed", me)
        with pytest.raises(service.ComplaintError):
            service.record_informed(with_contact, utcnow(), "anonymous", "", me)


def test_change_owner_tells_the_new_owner(app, http, login_as, make_user, open_one, mailbox, frozen):
    me = login_as("quality")
    complaint = open_one(me, received_at=utcnow())
    other = make_user(roles=("service",))
    mailbox.clear()
    assert http.post(f"/quejas/{complaint.id}/responsable", data={"owner": str(other.id), "note": "Es de atención"}).status_code == 303
    assert Complaint.get_by_id(complaint.id).owner_id == other.id
    assert len(mailbox.to(other.email)) == 1
    bad = http.post(f"/quejas/{complaint.id}/responsable", data={"owner": "999999"})
    assert bad.status_code == 422 and 'id="owner-error"' in bad.get_data(as_text=True)


def test_htmx_actions_answer_with_the_detail_partial(app, http, login_as, open_one, frozen):
    me = login_as("service")
    complaint = open_one(me, received_at=utcnow())
    response = http.post(f"/quejas/{complaint.id}/estado", data={"to": "analysis"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and f'id="complaint-{complaint.id}"' in body
    assert "HX-Trigger" in response.headers


def test_register_filters_badges_and_paging(app, http, login_as, make_user, open_one, a_client, frozen):
    me = login_as("service")
    other = make_user(roles=("quality",))
    breached = open_one(me, client=a_client, received_at=local(2026, 11, 10, 9))
    near = open_one(me, received_at=local(2026, 11, 19, 9), walk_in_name="Rosa Pinzón")  # response due today
    fine = open_one(other, kind="request", severity="low", received_at=utcnow())  # answer by Tuesday 24
    body = http.get("/quejas").get_data(as_text=True)
    for c in (breached, near, fine):
        assert c.number in body
    assert body.count('data-sla="breached"') == 1 and body.count('data-sla="near"') == 1 and 'data-sla="ok"' in body
    with app.app_context():
        states = {c.number: service.sla_state(c, utcnow()) for c in (breached, near, fine)}
    assert states == {breached.number: "breached", near.number: "near", fine.number: "ok"}
    only_late = http.get("/quejas?vencidas=1").get_data(as_text=True)
    assert breached.number in only_late and near.number not in only_late and fine.number not in only_late
    assert 'data-sla="breached"' in only_late
    by_owner = http.get(f"/quejas?responsable={other.id}").get_data(as_text=True)
    assert fine.number in by_owner and breached.number not in by_owner
    by_text = http.get("/quejas?q=Quintero").get_data(as_text=True)
    assert breached.number in by_text and near.number not in by_text
    assert near.number in http.get("/quejas?q=Rosa").get_data(as_text=True)
    by_kind = http.get("/quejas?tipo=request").get_data(as_text=True)
    assert fine.number in by_kind and breached.number not in by_kind
    partial = http.get("/quejas?estado=", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="complaints-list"' in partial


def _bulk(owner, n, client=None, start=None):
    start = start or utcnow() - timedelta(days=3)
    stamp = {"created_at": utcnow(), "updated_at": utcnow()}
    Complaint.insert_many([{"number": f"Q-2025-{90000 + i + (owner.id * 1000)}", "kind": "complaint", "owner": owner.id,
                            "client": client.id if client else None, "description": f"Queja {i}",
                            "received_at": start + timedelta(hours=i), "response_due_at": start + timedelta(days=1),
                            "due_at": start + timedelta(days=5 + i % 3), "status": ("received", "analysis", "resolved")[i % 3],
                            **stamp} for i in range(n)]).execute()


def test_register_query_count_does_not_grow(app, http, login_as, make_user, a_client):
    me = login_as("quality")
    _bulk(me, 3, a_client)
    with count_queries() as few:
        http.get("/quejas?estado=")
    _bulk(make_user(roles=("service",)), 40, a_client)
    with count_queries() as many:
        http.get("/quejas?estado=")
    assert few.count == many.count


def test_client_tab_lists_their_complaints(app, http, login_as, open_one, a_client, frozen):
    me = login_as("service")
    complaint = open_one(me, client=a_client, received_at=utcnow())
    page = http.get(f"/quejas/clientes/{a_client.id}").get_data(as_text=True)
    assert complaint.number in page and f"/quejas/nueva?cliente={a_client.id}" in page
    partial = http.get(f"/quejas/clientes/{a_client.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and complaint.number in partial


def test_work_queue_lists_my_open_complaints_soonest_first(app, http, login_as, make_user, open_one, frozen):
    me = login_as("service")
    someone = make_user(roles=("service",))
    late = open_one(me, received_at=local(2026, 11, 10, 9))
    soon = open_one(me, received_at=utcnow())
    theirs = open_one(someone, received_at=utcnow())
    done = open_one(me, received_at=utcnow())
    Complaint.update(status="closed").where(Complaint.id == done.id).execute()
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert 'id="work-complaints"' in page and late.number in page and soon.number in page
    assert theirs.number not in page and done.number not in page
    assert page.index(late.number) < page.index(soon.number)
    with app.test_request_context():
        (section,) = [s for s in work.queue_for(me, date(2026, 11, 20), limit=0) if s.key == "complaints"]
    assert (section.count, section.overdue) == (2, 1)


def test_access_by_role_a2(app, login_as, open_one, make_user, frozen):
    owner = make_user(roles=("service",))
    complaint = open_one(owner, received_at=utcnow())
    expectations = {
        "operations": {"/quejas": 200, "/quejas/nueva": 200, f"/quejas/{complaint.id}": 200, "/quejas/analisis": 403,
                       "/quejas/configuracion/sla": 403},
        "commercial": {"/quejas": 200, "/quejas/analisis": 403},
        "quality": {"/quejas": 200, "/quejas/analisis": 200, "/quejas/configuracion/categorias": 200},
        "admin": {"/quejas": 403, f"/quejas/{complaint.id}": 403},
    }
    for role, urls in expectations.items():
        browser = app.test_client()
        login_as(role, client=browser)
        for url, status in urls.items():
            assert browser.get(url).status_code == status, (role, url)
        if role in ("operations", "commercial"):
            assert browser.post(f"/quejas/{complaint.id}/estado", data={"to": "analysis"}).status_code == 403
            page = browser.get(f"/quejas/{complaint.id}").get_data(as_text=True)
            assert f"/quejas/{complaint.id}/estado" not in page  # no handling controls
    assert Complaint.get_by_id(complaint.id).status == "received"


def test_categories_catalog(app, http, login_as):
    login_as("management")
    assert http.post("/quejas/configuracion/categorias", data={"name": "Demora en la respuesta"}).status_code == 303
    duplicate = http.post("/quejas/configuracion/categorias", data={"name": "demora en la  respuesta"})
    assert duplicate.status_code == 422 and 'id="name-error"' in duplicate.get_data(as_text=True)
    category = ComplaintCategory.get()
    assert http.post(f"/quejas/configuracion/categorias/{category.id}/estado", data={}).status_code == 303
    assert ComplaintCategory.get_by_id(category.id).is_active is False


def test_mail_delivery_is_not_needed_for_the_register(app, make_user):
    """Without SMTP the complaint is still registered; the notice waits in the outbox."""
    owner = make_user(roles=("service",))
    app.config["SMTP_HOST"] = ""
    with app.test_request_context():
        complaint = service.open_complaint(kind="query", description="¿Cuándo es la audiencia?", owner=owner)
        assert mail.deliver_pending() == 0
    assert Complaint.get_by_id(complaint.id).number.startswith("Q-")


def test_demo_has_complaints_in_every_status(app):
    from models.users import User
    from services import demo
    from tests.factories import sign_in

    with app.test_request_context():
        demo.load()
        now = utcnow()
        complaints = list(Complaint.select())
        states = {service.sla_state(c, now) for c in complaints}
    assert {"received", "analysis", "resolution", "resolved", "closed"} <= {c.status for c in complaints}
    assert {"breached", "near"} <= states and ComplaintCategory.select().count() >= 5
    closed = [c for c in complaints if c.status == "closed"]  # this month's and the past year's
    assert all(c.informed_at and c.informed_channel and c.client_agreement == "agreed" for c in closed)
    closed = max(closed, key=lambda c: c.received_at)
    from core import auth

    quality = User.get(User.email == f"calidad@{demo.DOMAIN}")
    secret = auth.new_totp_secret()
    User.update(totp_secret=auth.seal_totp(quality, secret), totp_enrolled_at=utcnow()).where(User.id == quality.id).execute()
    quality.plain_password, quality.totp_plain = demo.DEMO_PASSWORD, secret
    browser = app.test_client()
    sign_in(browser, quality)
    for url in ("/quejas", "/quejas?estado=", f"/quejas/{closed.id}", "/quejas/analisis", "/quejas/configuracion/sla",
                "/quejas/configuracion/categorias", "/quejas/nueva", f"/quejas/clientes/{closed.client_id}", "/mi-trabajo"):
        assert browser.get(url).status_code == 200, url


def test_owner_pickers_offer_a_few_and_find_the_rest_whatever_the_staff(app, http, login_as, make_user, a_client,
                                                                      frozen):
    """The register's owner filter, the new complaint's owner and the change of owner listed everyone who may own a
    complaint (750 at full size) on each page: they offer the one looking, the owner so far or filtered, and (when
    registering) who usually gets complaints; anyone else who may own one is found by name."""
    me = login_as("commercial")  # may register complaints, may not own them
    usual = make_user(roles=("service",), name="Sofía Atención Habitual")
    quality = make_user(roles=("quality",), name="Íñigo Calidad Vélez")
    _bulk(usual, 3, a_client)

    def options(url, select_id, client=http):
        body = client.get(url).get_data(as_text=True)
        select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', body, re.S).group(0)
        return {int(v) for v in re.findall(r'value="(\d+)"', select)} - {0}

    assert options("/quejas?estado=", "responsable") == set()  # "everyone's" only: the one looking owns none
    assert options(f"/quejas?estado=&responsable={usual.id}", "responsable") == {usual.id}
    assert options("/quejas/nueva", "owner") == {usual.id}
    found = http.get("/casos/personal?persona=inigo&campo=owner&quienes=quejas").get_data(as_text=True)
    assert f'value="{quality.id}" selected' in found  # quality owns complaints, though it works no case
    assert str(quality.id) not in http.get("/casos/personal?persona=inigo&campo=owner").get_data(as_text=True)

    done = http.post("/quejas/nueva", data=_form(quality, client=str(a_client.id)))
    assert done.status_code == 303
    complaint = Complaint.select().where(Complaint.owner == quality.id).get()
    refused = http.post("/quejas/nueva", data=_form(me))  # the one writing is not someone who handles complaints
    assert refused.status_code == 422 and 'id="owner-error"' in refused.get_data(as_text=True)

    handler = app.test_client()
    login_as(user=quality, client=handler)
    assert options(f"/quejas/{complaint.id}", "owner", handler) == {quality.id}
    urls = ("/quejas?estado=", f"/quejas/{complaint.id}", "/quejas/nueva")
    with count_queries() as few:
        for url in urls:
            handler.get(url)
    for n in range(5):
        make_user(roles=("service",), name=f"Más Personal {n}")
    with count_queries() as more:
        for url in urls:
            handler.get(url)
    assert more.count == few.count
