"""The interaction log and virtual meetings (issue 5, "Comunicación y Seguimiento"; the protocol for virtual
meetings of servicio-al-cliente-presentacion)."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from icalendar import Calendar

from core.db import db, utcnow
from core.i18n import to_local
from models.audit import AuditEvent
from models.clients import Client
from models.interactions import Interaction, Meeting
from models.tasks import Task
from services import interactions as service
from tests.factories import make_case, make_client, sign_in

HX = {"HX-Request": "true"}
SECRET = "CANARIO-acuerdo-privado-8841"


def _world(app, user, team=()):
    """A case (and its active client) with ``user`` responsible."""
    with app.test_request_context():
        return make_case(responsible=user, team=list(team))


def _local(app, delta=timedelta(0)):
    with app.app_context():
        return to_local(utcnow() + delta)


def _form(app, when=None, **over):
    when = when or _local(app, -timedelta(hours=1))
    data = {"occurred_on": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"), "channel": "phone",
            "direction": "out", "kind": "update", "summary": "Le contamos el avance de la demanda.", "case": "0"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _add(app, client, user, n, case=None, **data):
    """n entries through the service (as the form would), varied."""
    with app.test_request_context():
        for i in range(n):
            values = {"occurred_at": utcnow() - timedelta(hours=n - i), "channel": ("email", "phone", "video")[i % 3],
                      "direction": ("in", "out")[i % 2], "kind": ("question", "update", "concern", "other")[i % 4],
                      "summary": f"Entrada {i}", "confidential": i % 5 == 0, "case": None, "follow_up_on": None}
            values.update(data)
            service.log(client, values, user, case=case)


def _audit(action, object_type="interaction"):
    return list(AuditEvent.select().where(AuditEvent.action == action, AuditEvent.object_type == object_type))


# ----- pages and partials -----

def test_pages_and_partials_for_each_get(app, http, login_as, mailbox):
    user = login_as("operations")
    case = _world(app, user)
    _add(app, case.client, user, 2, case=case)
    entry = Interaction.select().first()
    pages = [f"/interacciones/clientes/{case.client_id}", f"/interacciones/casos/{case.id}",
             f"/interacciones/{entry.id}"]
    for url in pages:
        page = http.get(url)
        assert page.status_code == 200 and "<html" in page.get_data(as_text=True), url
        partial = http.get(url, headers=HX)
        assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True), url
    tab = http.get(pages[0], headers=HX).get_data(as_text=True)
    assert 'id="client-tab"' in tab and 'id="interaction-form"' in tab and 'id="timeline"' in tab
    only_list = http.get(pages[0] + "?canal=email", headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    assert only_list.lstrip().startswith('<section id="timeline"') and "interaction-form" not in only_list
    case_list = http.get(pages[1], headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    assert case_list.lstrip().startswith('<section id="timeline"')
    assert http.get(f"/interacciones/clientes/{case.client_id}/reuniones/nueva?caso={case.id}").status_code == 200
    http.post(f"/interacciones/clientes/{case.client_id}/reuniones/nueva", data=_meeting_form(app))
    meeting = Meeting.get()
    assert "<html" in http.get(f"/interacciones/reuniones/{meeting.id}").get_data(as_text=True)
    ics = http.get(f"/interacciones/reuniones/{meeting.id}/invitacion.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and "attachment" in ics.headers["Content-Disposition"]
    assert http.get("/interacciones/999999").status_code == 404
    assert http.get("/interacciones/reuniones/999999").status_code == 404


def test_a2_forbidden_roles_get_403(app, http, login_as, make_user):
    owner = make_user(roles=("operations",))
    case = _world(app, owner)
    _add(app, case.client, owner, 1, case=case)
    entry = Interaction.get()
    login_as("admin")  # no case work at all
    assert http.get(f"/interacciones/casos/{case.id}").status_code == 403
    assert http.get(f"/interacciones/{entry.id}").status_code == 403
    other = app.test_client()
    sign_in(other, make_user(roles=("quality",)))  # reads, never writes
    assert other.get(f"/interacciones/casos/{case.id}").status_code == 200
    assert other.post(f"/interacciones/casos/{case.id}", data=_form(app)).status_code == 403
    assert other.post(f"/interacciones/{entry.id}/respondida").status_code == 403
    assert other.get(f"/interacciones/clientes/{case.client_id}/reuniones/nueva").status_code == 403
    assert Interaction.select().count() == 1


# ----- confidential entries (A3, L1, E1) -----

def test_a3_l1_confidential_entry_encrypted_team_only_one_audit_per_read(app, http, login_as, make_user):
    owner = login_as("operations")
    case = _world(app, owner)
    response = http.post(f"/interacciones/casos/{case.id}", data=_form(app, summary=SECRET, confidential="y", kind="concern",
                                                                       direction="in"))
    assert response.status_code == 303
    entry = Interaction.get()
    assert entry.confidential and SECRET not in entry.summary
    raw = " ".join(str(v) for row in db.execute_sql("SELECT * FROM interaction").fetchall() for v in row)
    assert SECRET not in raw  # encrypted at rest
    timeline = http.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)
    assert SECRET not in timeline and f'hx-get="/interacciones/{entry.id}"' in timeline
    assert "Entrada confidencial" in timeline and ">Ver</a>" in timeline

    before = len(_audit("sensitive_read"))
    revealed = http.get(f"/interacciones/{entry.id}", headers=HX)
    assert revealed.status_code == 200 and SECRET in revealed.get_data(as_text=True)
    assert len(_audit("sensitive_read")) == before + 1  # exactly one row for one read

    outsider = app.test_client()
    sign_in(outsider, make_user(roles=("operations",)))
    page = outsider.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)
    assert SECRET not in page and f'hx-get="/interacciones/{entry.id}"' not in page  # no "View" button off the team
    fails = len(_audit("authz_fail"))
    denied = outsider.get(f"/interacciones/{entry.id}", headers=HX)
    assert denied.status_code == 404 and SECRET not in denied.get_data(as_text=True)
    assert len(_audit("authz_fail")) == fails + 1
    assert outsider.post(f"/interacciones/{entry.id}/respondida").status_code == 404
    assert len(_audit("sensitive_read")) == before + 1

    boss = app.test_client()
    sign_in(boss, make_user(roles=("management",)))
    assert SECRET in boss.get(f"/interacciones/{entry.id}").get_data(as_text=True)  # management always passes
    every_row = " ".join(f"{e.detail} {e.fields}" for e in AuditEvent.select())
    assert SECRET not in every_row


def test_a3_case_team_member_sees_confidential_entry(app, http, login_as, make_user):
    member = make_user(roles=("service",))
    owner = make_user(roles=("operations",))
    case = _world(app, owner, team=[member])
    _add(app, case.client, owner, 1, case=case, confidential=True, summary=SECRET)
    login_as(user=member)
    entry = Interaction.get()
    assert SECRET in http.get(f"/interacciones/{entry.id}").get_data(as_text=True)


# ----- logging -----

def test_validation_refuses_and_stores_nothing(app, http, login_as):
    user = login_as("service")
    case = _world(app, user)
    url = f"/interacciones/clientes/{case.client_id}"
    post = f"/interacciones/clientes/{case.client_id}"
    future = _form(app, when=_local(app, timedelta(hours=3)))
    empty = _form(app, summary="   ")
    past_follow_up = _form(app, follow_up_on=(_local(app).date() - timedelta(days=1)).isoformat(),
                               follow_up_owner=str(user.id))
    for data, field in ((future, "occurred_time"), (empty, "summary"), (past_follow_up, "follow_up_on")):
        response = http.post(post, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and f'id="{field}-error"' in body, field
        assert "<html" in body and 'id="client-tab"' in body  # without JavaScript: the whole page again
        htmx = http.post(post, data=data, headers=HX)
        assert htmx.status_code == 422 and "<html" not in htmx.get_data(as_text=True)
        assert htmx.get_data(as_text=True).lstrip().startswith('<section id="interaction-form"')
    too_long = http.post(post, data=_form(app, summary="x" * 4001))
    assert too_long.status_code == 422
    foreign = _world(app, user)  # a case of another client cannot be attached
    assert http.post(post, data=_form(app, case=str(foreign.id))).status_code == 422
    assert Interaction.select().count() == 0 and Task.select().count() == 0
    assert http.get(url).status_code == 200


def test_follow_up_creates_a_task_for_its_owner(app, http, login_as, make_user):
    user = login_as("commercial")
    colleague = make_user(roles=("service",), name="Zoe Colega")
    case = _world(app, user)
    due = _local(app).date() + timedelta(days=2)
    response = http.post(f"/interacciones/clientes/{case.client_id}",
                         data=_form(app, kind="question", direction="in", case=str(case.id), follow_up_on=due.isoformat(),
                                    follow_up_owner=str(colleague.id)))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/interacciones/clientes/{case.client_id}"
    entry = Interaction.get()
    task = Task.get()
    assert (task.kind, task.owner_id, task.due_on, task.interaction_id) == ("follow_up", colleague.id, due, entry.id)
    assert task.client_id == case.client_id and task.case_id == case.id == entry.case_id
    assert _audit("interaction_log")[0].fields.split(",").count("follow_up") == 1


def test_htmx_log_answers_fresh_form_entry_on_top_and_toast(app, http, login_as):
    user = login_as("operations")
    case = _world(app, user)
    _add(app, case.client, user, 2, case=case)
    response = http.post(f"/interacciones/casos/{case.id}", data=_form(app, summary="Llamada de hoy"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="interaction-form"') and "Llamada de hoy" in body
    assert 'hx-swap-oob="afterbegin:#timeline-items"' in body and 'id="update-notice" hx-swap-oob="true"' in body
    assert "toast" in response.headers["HX-Trigger"]
    form_part = body.split("</section>")[0]
    assert "Llamada de hoy" not in form_part  # the form is empty again


def test_outgoing_update_sets_last_update_and_the_notice_follows_the_clock(app, http, login_as):
    user = login_as("operations")
    case = _world(app, user)
    client_page = f"/clientes/{case.client_id}"
    assert "update-notice" in http.get(client_page).get_data(as_text=True)
    assert 'class="notice notice-warning update-notice"' in http.get(client_page).get_data(as_text=True)
    http.post(f"/interacciones/casos/{case.id}", data=_form(app, direction="in"))  # incoming: not an update sent
    assert Client.get_by_id(case.client_id).last_update_at is None
    http.post(f"/interacciones/casos/{case.id}", data=_form(app))
    last = Client.get_by_id(case.client_id).last_update_at
    assert last is not None
    http.post(f"/interacciones/casos/{case.id}", data=_form(app, when=_local(app, -timedelta(days=3))))
    assert Client.get_by_id(case.client_id).last_update_at == last  # an older update does not move it back
    assert 'notice-warning update-notice' not in http.get(client_page).get_data(as_text=True)
    assert 'notice-warning update-notice' not in http.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)

    with time_machine.travel(datetime.now(UTC) + timedelta(days=16), tick=False):
        later = app.test_client()
        sign_in(later, user)
        page = later.get(client_page).get_data(as_text=True)
        assert "Sin actualización al cliente desde hace 16 días" in page.split('id="update-notice"')[1][:600]
        assert 'notice-warning update-notice' in later.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)
        later.post(f"/interacciones/casos/{case.id}", data=_form(app, when=_local(app, -timedelta(minutes=5))))
        assert 'notice-warning update-notice' not in later.get(client_page).get_data(as_text=True)


def test_answering_a_question_records_the_response_time(app, http, login_as):
    user = login_as("service")
    case = _world(app, user)
    asked = _local(app, -timedelta(hours=3))
    http.post(f"/interacciones/casos/{case.id}", data=_form(app, when=asked, kind="question", direction="in"))
    http.post(f"/interacciones/casos/{case.id}", data=_form(app, kind="update"))
    question, update = Interaction.select().order_by(Interaction.id)
    page = http.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)
    assert f"/interacciones/{question.id}/respondida" in page and f"/interacciones/{update.id}/respondida" not in page
    response = http.post(f"/interacciones/{question.id}/respondida", headers=HX)
    assert response.status_code == 200 and f'id="interaction-{question.id}"' in response.get_data(as_text=True)
    question = Interaction.get_by_id(question.id)
    assert question.answered_by_id == user.id
    assert timedelta(hours=2, minutes=58) < question.response_time < timedelta(hours=3, minutes=2)
    again = question.answered_at
    no_js = http.post(f"/interacciones/{question.id}/respondida", data={"vista": "caso"})
    assert no_js.status_code == 303 and no_js.headers["Location"] == f"/interacciones/casos/{case.id}"
    assert Interaction.get_by_id(question.id).answered_at == again  # answered once
    assert Interaction.get_by_id(update.id).answered_at is None
    http.post(f"/interacciones/{update.id}/respondida")
    assert Interaction.get_by_id(update.id).answered_at is None  # only questions and concerns


def test_filters_and_keyset_paging(app, http, login_as):
    user = login_as("operations")
    case = _world(app, user)
    other = _world(app, user)
    _add(app, case.client, user, 25, case=case)
    _add(app, other.client, user, 2, case=other)  # another client's entries never show
    base = f"/interacciones/clientes/{case.client_id}"
    first = http.get(base, headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    ids = [int(x) for x in _entry_ids(first)]
    assert len(ids) == service.PAGE_SIZE and ids == sorted(ids, reverse=True)
    newest = Interaction.select().where(Interaction.client == case.client_id).order_by(Interaction.id.desc()).first()
    assert ids[0] == newest.id
    older = f"antes={ids[-1]}"
    assert older in first
    second = http.get(f"{base}?{older}", headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    assert len(_entry_ids(second)) == 5 and "antes=" not in second.split("Newest")[-1]
    phone = http.get(f"{base}?canal=phone").get_data(as_text=True)
    expected = Interaction.select().where(Interaction.client == case.client_id, Interaction.channel == "phone").count()
    assert len(_entry_ids(phone)) == expected and "Correo" not in phone.split('id="timeline"')[1].split("</section>")[0]
    questions_in = http.get(f"{base}?tipo=question&sentido=in", headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    assert len(_entry_ids(questions_in)) == Interaction.select().where(
        Interaction.client == case.client_id, Interaction.kind == "question", Interaction.direction == "in").count() > 0
    by_case = http.get(f"{base}?caso={case.id}", headers={**HX, "HX-Target": "timeline"}).get_data(as_text=True)
    assert len(_entry_ids(by_case)) == service.PAGE_SIZE
    nonsense = http.get(f"{base}?canal=fax&caso=999999&antes=-4")
    assert nonsense.status_code == 200 and len(_entry_ids(nonsense.get_data(as_text=True))) == service.PAGE_SIZE
    case_page = http.get(f"/interacciones/casos/{case.id}?sentido=out").get_data(as_text=True)
    assert len(_entry_ids(case_page)) == 12  # 25 alternating in, out, in…: 12 outgoing


def test_the_tab_as_it_opens_reads_its_prepared_first_page(app, http, login_as):
    """Unfiltered and with no cursor, both tabs read their first page from a prepared statement: the same entries,
    in the same order, as the timeline's own query; another case's entries and another client's never show."""
    user = login_as("operations")
    case = _world(app, user)
    with app.test_request_context():
        other_case = make_case(client=case.client, responsible=user)
    other = _world(app, user)
    _add(app, case.client, user, 22, case=case)
    _add(app, case.client, user, 6, case=other_case)
    _add(app, other.client, user, 3, case=other)
    size = service.PAGE_SIZE + 1
    with app.app_context():
        for scope in ({"client": case.client}, {"case": case}):
            built = [(e.id, e.created_by.display_name, e.case.title if e.case_id else None)
                     for e in Interaction.timeline(**scope).limit(size)]
            prepared = [(e.id, e.created_by.display_name, e.case.title if e.case_id else None)
                        for e in Interaction.newest(size, **scope)]
            assert prepared == built and len(built) == size
    client_tab = _entry_ids(http.get(f"/interacciones/clientes/{case.client_id}").get_data(as_text=True))
    case_tab = _entry_ids(http.get(f"/interacciones/casos/{case.id}").get_data(as_text=True))
    in_case = [e.id for e in Interaction.select().where(Interaction.case == case.id).order_by(Interaction.id.desc())]
    assert [int(i) for i in case_tab] == in_case[:service.PAGE_SIZE]
    assert len(client_tab) == service.PAGE_SIZE and set(client_tab) != set(case_tab)


def _entry_ids(html):
    import re

    return re.findall(r'<li class="entry entry-\w+" id="interaction-(\d+)"', html)


def test_query_counts_constant_on_client_tab_and_case_tab(app, http, login_as, make_user):
    from playhouse.test_utils import count_queries

    user = login_as("operations")
    case = _world(app, user)
    authors = [make_user(roles=("service",)) for _ in range(3)]
    pages = (f"/interacciones/clientes/{case.client_id}", f"/interacciones/casos/{case.id}")

    def add(n):
        for i in range(n):
            _add(app, case.client, authors[i % 3], 1, case=case if i % 2 else None, kind="question", direction="in")
        with app.test_request_context():
            every_third = [i for (i,) in Interaction.select(Interaction.id).order_by(Interaction.id).tuples()][::3]
            Interaction.update(answered_at=utcnow()).where(Interaction.id.in_(every_third)).execute()  # not `%`: LIKE

    add(3)
    http.get(pages[0]), http.get(pages[1])  # warm: the session's last-activity write
    few = []
    for url in pages:
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        few.append(counter.count)
    add(27)
    for url, before in zip(pages, few, strict=True):
        with count_queries() as counter:
            http.get(url)
        assert counter.count == before, url


# ----- meetings -----

def _meeting_form(app, days=5, **over):
    when = _local(app, timedelta(days=days))
    data = {"agenda": "Revisar la estrategia y los próximos pasos.", "starts_on": when.date().isoformat(),
            "starts_time": "10:00", "duration_minutes": "60", "channel": "video",
            "location": "https://meet.example.test/abc-defg", "case": "0"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_recording_needs_the_clients_consent(app, http, login_as):
    user = login_as("commercial")
    case = _world(app, user)
    url = f"/interacciones/clientes/{case.client_id}/reuniones/nueva"
    refused = http.post(url, data=_meeting_form(app, recording="y"))
    assert refused.status_code == 422 and 'id="recording_consent-error"' in refused.get_data(as_text=True)
    assert Meeting.select().count() == 0
    assert http.post(url, data=_meeting_form(app, starts_on=_local(app, -timedelta(days=1)).date().isoformat())).status_code == 422
    assert http.post(url, data=_meeting_form(app, duration_minutes="10")).status_code == 422
    assert http.post(url, data=_meeting_form(app, location="")).status_code == 422  # a video call needs its link
    assert http.post(url, data=_meeting_form(app, agenda=" ")).status_code == 422
    assert Meeting.select().count() == 0
    ok = http.post(url, data=_meeting_form(app, recording="y", recording_consent="y"))
    assert ok.status_code == 303
    meeting = Meeting.get()
    assert meeting.recording and meeting.recording_consent


def test_protocol_warnings_need_confirmation(app, http, login_as, mailbox):
    user = login_as("service")
    case = _world(app, user)
    url = f"/interacciones/clientes/{case.client_id}/reuniones/nueva"
    soon = http.post(url, data=_meeting_form(app, days=1))
    assert soon.status_code == 422 and 'id="confirm"' in soon.get_data(as_text=True)
    long = http.post(url, data=_meeting_form(app, duration_minutes="150"))
    assert long.status_code == 422 and 'id="confirm-error"' in long.get_data(as_text=True)
    assert Meeting.select().count() == 0 and mailbox.messages == []
    assert http.post(url, data=_meeting_form(app, days=1, confirm="y")).status_code == 303
    assert http.post(url, data=_meeting_form(app, duration_minutes="150", confirm="y")).status_code == 303
    assert http.post(url, data=_meeting_form(app, days=6)).status_code == 303  # nothing to warn about
    assert Meeting.select().count() == 3


def test_invitation_email_with_ics_then_cancellation(app, http, login_as, mailbox):
    user = login_as("operations")
    case = _world(app, user)
    client = Client.get_by_id(case.client_id)
    response = http.post(f"/interacciones/clientes/{client.id}/reuniones/nueva",
                         data=_meeting_form(app, days=7, case=str(case.id), duration_minutes="90"))
    meeting = Meeting.get()
    assert response.status_code == 303 and response.headers["Location"] == f"/interacciones/reuniones/{meeting.id}"
    assert meeting.invitation_sent_at is not None and meeting.case_id == case.id and meeting.organiser_id == user.id
    (message,) = mailbox.to(client.email)
    assert "Duarte & Asociados Abogados" in mailbox.text(message) and "Revisar la estrategia" in mailbox.html(message)
    assert "meet.example.test/abc-defg" in mailbox.text(message)
    assert "10:00" in mailbox.text(message)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(attachment.get_content())
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{meeting.uid}@traza"
    assert event["DTSTART"].dt == meeting.starts_at.replace(tzinfo=UTC)
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=90)
    assert str(event["ORGANIZER"]).startswith("mailto:") and str(event["ATTENDEE"]) == f"mailto:{client.email}"
    assert str(event["DESCRIPTION"]) == meeting.agenda and str(event["LOCATION"]) == meeting.location
    logged = Interaction.get(Interaction.kind == "meeting")
    assert (logged.direction, logged.channel, logged.case_id) == ("out", "email", case.id)
    assert logged.summary.startswith("Invitación a reunión enviada") and "Revisar la estrategia" in logged.summary
    page = http.get(f"/interacciones/clientes/{client.id}").get_data(as_text=True)
    assert f"/interacciones/reuniones/{meeting.id}" in page  # listed on the client tab

    mailbox.clear()
    assert http.post(f"/interacciones/reuniones/{meeting.id}/cancelar").status_code == 303
    meeting = Meeting.get_by_id(meeting.id)
    assert meeting.status == "cancelled" and meeting.sequence == 1
    (cancel,) = mailbox.to(client.email)
    cancelled = Calendar.from_ical(next(cancel.iter_attachments()).get_content())
    event = cancelled.walk("VEVENT")[0]
    assert str(cancelled["METHOD"]) == "CANCEL" and event["SEQUENCE"] == 1 and str(event["UID"]) == f"{meeting.uid}@traza"
    assert str(event["STATUS"]) == "CANCELLED"
    again = http.post(f"/interacciones/reuniones/{meeting.id}/cancelar")
    assert again.status_code == 303 and Meeting.get_by_id(meeting.id).sequence == 1 and len(mailbox.to(client.email)) == 1
    download = Calendar.from_ical(http.get(f"/interacciones/reuniones/{meeting.id}/invitacion.ics").data)
    assert str(download["METHOD"]) == "CANCEL"


def test_client_without_email_meeting_saved_without_invitation(app, http, login_as, mailbox):
    user = login_as("operations")
    with app.test_request_context():
        client = make_client(name="Sin Correo", email="", document_number="80111222")
    case = _world(app, user)
    response = http.post(f"/interacciones/clientes/{client.id}/reuniones/nueva", data=_meeting_form(app), follow_redirects=True)
    meeting = Meeting.get()
    assert response.status_code == 200 and meeting.invitation_sent_at is None and mailbox.messages == []
    assert 'toast-warning' in response.get_data(as_text=True)
    assert Interaction.select().where(Interaction.client == client.id).count() == 0
    ics = Calendar.from_ical(http.get(f"/interacciones/reuniones/{meeting.id}/invitacion.ics").data)
    event = ics.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{meeting.uid}@traza" and "ATTENDEE" not in event
    assert case.client_id != client.id


# ----- the person picker (issue 15: the team first, others looked up by name) -----

def _options(body, field):
    select = re.search(rf'<select[^>]*id="{field}".*?</select>', body, re.S).group(0)
    return {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', select)}


def test_follow_up_picker_offers_the_team_and_finds_others_by_name(app, http, login_as, make_user):
    user = login_as("operations")
    teammate = make_user(roles=("service",), name="Tomás Equipo")
    outsider = make_user(roles=("commercial",), name="Ángela Núñez Lejana")
    quality = make_user(roles=("quality",), name="Ángela Calidad")  # works no cases: never offered nor found
    case = _world(app, user, team=[teammate])
    for url in (f"/interacciones/casos/{case.id}", f"/interacciones/clientes/{case.client_id}"):
        body = http.get(url).get_data(as_text=True)
        assert _options(body, "follow_up_owner") == {user.id, teammate.id}, url
        assert 'id="follow_up_owner-buscar"' in body and 'form="follow_up_owner-sin-formulario"' in body
    found = http.get("/casos/personal", query_string={"persona": "angela nunez", "campo": "follow_up_owner"})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and f'<option value="{outsider.id}" selected>Ángela Núñez Lejana</option>' in text
    assert "Ángela Calidad" not in text and "1 persona encontrada: se elige a Ángela Núñez Lejana." in text
    assert 'id="follow_up_owner-encontradas"' in text and 'hx-swap-oob="true"' in text
    nobody = http.get("/casos/personal", query_string={"persona": "zzz", "campo": "<script>"}).get_data(as_text=True)
    assert "<option" not in nobody and "<script>" not in nobody
    due = (_local(app).date() + timedelta(days=2)).isoformat()
    post = f"/interacciones/casos/{case.id}"
    for someone in (quality.id, 10**30, -1):
        refused = http.post(post, data=_form(app, follow_up_on=due, follow_up_owner=str(someone)))
        assert refused.status_code == 422 and 'id="follow_up_owner-error"' in refused.get_data(as_text=True)
    assert Task.select().count() == 0
    # A 422 for another field keeps the person found, offered in the picker.
    again = http.post(post, data=_form(app, summary=" ", follow_up_on=due, follow_up_owner=str(outsider.id)))
    assert again.status_code == 422 and outsider.id in _options(again.get_data(as_text=True), "follow_up_owner")
    assert http.post(post, data=_form(app, follow_up_on=due, follow_up_owner=str(outsider.id))).status_code == 303
    assert Task.get().owner_id == outsider.id


def test_the_picker_costs_the_same_with_two_hundred_more_staff(app, http, login_as, make_user):
    from playhouse.test_utils import count_queries

    user = login_as("operations")
    case = _world(app, user)
    url = f"/interacciones/casos/{case.id}"
    with count_queries() as few:
        small = http.get(url).get_data(as_text=True)
    with app.app_context():
        from tests.factories import make_user as plain_user

        for i in range(200):
            plain_user(roles=("service",), name=f"Persona Extra {i:03d}", password=None)
    with count_queries() as many:
        big = http.get(url).get_data(as_text=True)
    assert many.count == few.count
    assert "Persona Extra" not in big and len(big) < len(small) + 200


def test_each_entry_links_its_case_and_an_unanswered_question_offers_its_answer_form(app, http, login_as, make_user):
    """The links and the answer form of every entry (built once for the list) point at that entry and its case."""
    user = login_as("operations")
    case = _world(app, user)
    _add(app, case.client, user, 4, case=case, confidential=False)  # two questions, an update, a concern
    entries = list(Interaction.select().where(Interaction.client == case.client_id).order_by(Interaction.id))
    page = http.get(f"/interacciones/clientes/{case.client_id}").get_data(as_text=True)
    assert page.count(f'href="/interacciones/casos/{case.id}"') >= len(entries)
    waiting = [e for e in entries if e.needs_answer and e.answered_at is None]
    assert waiting
    for entry in waiting:
        item = page.split(f'id="interaction-{entry.id}"')[1].split("</li>")[0]
        assert f'action="/interacciones/{entry.id}/respondida"' in item
        assert f'hx-post="/interacciones/{entry.id}/respondida"' in item and 'name="csrf_token"' in item
    on_case = http.get(f"/interacciones/casos/{case.id}").get_data(as_text=True)
    assert f'action="/interacciones/{waiting[0].id}/respondida"' in on_case
    assert f'href="/interacciones/casos/{case.id}"' not in on_case.split('id="timeline"')[1]  # its own case: no link
    reader = app.test_client()
    sign_in(reader, make_user(roles=("quality",)))  # reads the log, records nothing in it
    seen = reader.get(f"/interacciones/clientes/{case.client_id}")
    assert seen.status_code == 200 and "/respondida" not in seen.get_data(as_text=True)
