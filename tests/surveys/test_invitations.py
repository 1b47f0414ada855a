"""Survey invitations (issue 6; PRO-008 §5.4; SECURITY.md PS1, PS2, PS4): created when a case closes, sent by
the jobs through SMTP one recipient per message, reminders on day 3 and 7 (never after an answer, a
withdrawal or a withdrawn consent, never twice when two runs race), links handed over by hand with a QR,
the work queue, access by role and constant query counts."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from playhouse.test_utils import count_queries

from core import mail
from core.db import utcnow
from core.i18n import today_local
from models.mail import OutboundEmail
from models.surveys import SurveyInvitation, SurveyLink
from services import cases, clients, surveys
from tests.factories import make_case, make_client, make_notice, run_concurrently

BASE = "https://traza.example.test"
LINK = re.compile(re.escape(BASE) + r"/e/([A-Za-z0-9_-]+)")

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _consent(client, user=None, purposes=("surveys",)):
    make_notice()
    clients.record_consent(client, list(purposes), "written", today_local(), "", user)


def _closed_case(app, me, consent=True, **kw):
    with app.test_request_context():
        case = make_case(responsible=me, **kw)
        if consent:
            _consent(case.client, me)
        today = today_local()
        cases.change_status(case, "in_progress", "", me, today)
        cases.save_resolution(case, {"resolution_summary": "Conciliación aprobada.", "explained_on": today,
                                     "explained_how": "in_person", "client_understood": True}, me)
        cases.change_status(case, "resolved", "", me, today)
        cases.change_status(case, "closed", "", me, today)
    return case


def _sent_invitation(app, me, **kw):
    case = _closed_case(app, me, **kw)
    with app.app_context():
        SurveyInvitation.update(send_on=today_local()).execute()
        assert surveys.send_due_invitations() == 1
    return SurveyInvitation.get(SurveyInvitation.case == case.id)


def _deliver(app):
    with app.app_context():
        mail.deliver_pending()


def test_closing_a_case_creates_the_invitation_in_the_same_transaction(app, make_user, firm_today):
    me = make_user(roles=("operations",))
    case = _closed_case(app, me)
    invitation = SurveyInvitation.get(SurveyInvitation.case == case.id)
    assert invitation.status == "pending" and invitation.email == case.client.email
    assert firm_today < invitation.send_on <= firm_today + timedelta(days=5)  # the next business day
    assert invitation.template.is_default and invitation.template.name == "Encuesta de satisfacción"
    assert invitation.created_by_id == me.id

    no_consent = _closed_case(app, me, consent=False, client=None, title="Reclamación de horas extra")
    handed = SurveyInvitation.get(SurveyInvitation.case == no_consent.id)
    assert handed.email == "" and handed.status == "pending"  # the staff hand the link over

    with app.test_request_context():  # a close that fails creates nothing
        blocked = make_case(responsible=me, title="Caso con pendientes")
        cases.change_status(blocked, "in_progress", "", me, today_local())
        try:
            cases.change_status(blocked, "closed", "", me, today_local())
        except cases.CaseError:
            pass
    assert not SurveyInvitation.select().where(SurveyInvitation.case == blocked.id).exists()


def test_ps1_token_is_long_and_only_its_hash_is_stored(app, make_user, mailbox, db_url):
    me = make_user(roles=("operations",))
    _sent_invitation(app, me)
    _deliver(app)
    (message,) = mailbox.messages
    token = LINK.search(mailbox.text(message)).group(1)
    assert len(token) >= 43
    hashes = [link.token_hash for link in SurveyLink.select()]
    assert len(hashes) == 1 and re.fullmatch(r"[0-9a-f]{64}", hashes[0])
    if db_url.startswith("sqlite:///"):
        from core.db import db

        db.execute_sql("PRAGMA wal_checkpoint(FULL)")
        raw = b"".join(p.read_bytes() for p in Path(db_url[len("sqlite:///"):]).parent.glob("traza.db*"))
        assert token.encode() not in raw  # neither the links table nor the outbox keeps it
    with app.app_context():
        assert surveys.open_invitation(token) is not None


def test_mail_one_recipient_per_message_with_firm_service_link_expiry_and_opt_out(app, make_user, mailbox):
    me = make_user(roles=("operations",))
    first = _sent_invitation(app, me)
    second_case = _closed_case(app, me, client=None, title="Divorcio de mutuo acuerdo",
                               client_name="Jorge Iván Salazar")
    assert second_case.client.email == first.client.email  # the factory's address: still one message each
    with app.app_context():
        SurveyInvitation.update(send_on=today_local()).execute()
        assert surveys.send_due_invitations() == 1
        assert surveys.send_due_invitations() == 0  # idempotent
    _deliver(app)
    assert len(mailbox.messages) == 2
    for message in mailbox.messages:
        assert message["To"] == first.client.email and message["Cc"] is None and message["Bcc"] is None
        text, html = mailbox.text(message), mailbox.html(message)
        token = LINK.search(text).group(1)
        assert "Duarte & Asociados Abogados" in text and "Duarte &amp; Asociados Abogados" in html
        assert f"{BASE}/e/{token}/baja" in text and f"{BASE}/e/{token}/baja" in html
        assert re.search(r"20\d\d", text.split(token)[1])  # the expiry date follows the link
    bodies = " ".join(mailbox.text(m) for m in mailbox.messages)
    assert "Demanda por despido sin justa causa" in bodies and "Divorcio de mutuo acuerdo" in bodies
    assert len(set(LINK.findall(bodies))) == 2  # each message its own link


def test_ps4_handed_over_link_uses_base_url_even_with_a_forged_host(app, http, login_as, mailbox, firm_today):
    me = login_as("service")
    with app.test_request_context():
        client = make_client(name="Ana Lucía Pardo", email="ana.pardo@correo.test")
        _consent(client, me)
    token_field = {"csrf_token": http.csrf_token()}
    for cookie in list(http._cookies.values()):  # the browser is on the forged host with its session
        http.set_cookie(cookie.key, cookie.value, domain="evil.com")
    response = http.post(f"/encuestas/enviar/cliente/{client.id}", headers={"Host": "evil.com"},
                         data={**token_field, "template": "", "delivery": "email", "send_on": firm_today.isoformat()})
    assert response.status_code == 422, response.get_data(as_text=True)[-3000:]  # no template chosen
    with app.test_request_context():
        template = surveys.default_template(me)
    response = http.post(f"/encuestas/enviar/cliente/{client.id}", headers={"Host": "evil.com"},
                         data={**token_field, "template": template.id, "delivery": "email",
                               "send_on": firm_today.isoformat()})
    assert response.status_code == 303
    invitation = SurveyInvitation.get()
    assert invitation.status == "sent"
    (message,) = mailbox.to("ana.pardo@correo.test")
    assert "evil.com" not in mailbox.text(message) + mailbox.html(message)
    emailed = LINK.search(mailbox.text(message)).group(1)

    shown = http.post(f"/encuestas/invitaciones/{invitation.id}/enlace", headers={"Host": "evil.com"},
                      data=token_field)
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "evil.com" not in body and "<svg" in body
    token = LINK.search(body).group(1)
    with app.app_context():
        assert surveys.open_invitation(token) is not None
        assert surveys.open_invitation(emailed) is None  # showing a link stops the earlier ones
    assert "sent" == SurveyInvitation.get_by_id(invitation.id).status


def test_link_handed_over_for_a_client_without_email_leaves_the_work_queue(app, http, login_as):
    me = login_as("operations", "service")
    case = _closed_case(app, me, consent=False)
    invitation = SurveyInvitation.get(SurveyInvitation.case == case.id)
    queue = http.get("/mi-trabajo").get_data(as_text=True)
    assert f"/encuestas/invitaciones/{invitation.id}" in queue
    with time_machine.travel(datetime.now(UTC) + timedelta(days=6), tick=False):
        with app.test_request_context():
            from services.home.work import queue_for

            (section,) = queue_for(me, today_local(), only="surveys")
            assert section.count == 1 and section.overdue == 1
            assert section.rows[0].waiting_invitation == invitation.id
    assert http.post(f"/encuestas/invitaciones/{invitation.id}/enlace").status_code == 200
    assert f"/encuestas/invitaciones/{invitation.id}" not in http.get("/mi-trabajo").get_data(as_text=True)
    assert SurveyInvitation.get_by_id(invitation.id).status == "sent"


def test_reminders_day_3_and_7_with_a_frozen_clock(app, make_user, mailbox):
    me = make_user(roles=("operations",))
    start = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        invitation = _sent_invitation(app, me)
    expected = {2: 0, 3: 1, 4: 1, 7: 2, 10: 2, 13: 2}
    for day, total in expected.items():
        with time_machine.travel(start + timedelta(days=day), tick=False), app.app_context():
            surveys.send_due_reminders()
            surveys.send_due_reminders()  # a second run the same day adds nothing
        assert SurveyInvitation.get_by_id(invitation.id).reminders_sent == total, day
    assert OutboundEmail.select().count() == 3  # the invitation and two reminders
    _deliver(app)
    tokens = [LINK.search(mailbox.text(m)).group(1) for m in mailbox.messages]
    assert len(set(tokens)) == 3  # each message its own link
    with time_machine.travel(start + timedelta(days=15), tick=False), app.app_context():
        assert surveys.expire_invitations() == 1
        assert surveys.open_invitation(tokens[0]) is None
        assert surveys.expire_invitations() == 0
    assert SurveyInvitation.get_by_id(invitation.id).status == "expired"


def test_no_reminder_after_answer_withdrawal_or_withdrawn_consent(app, make_user):
    me = make_user(roles=("operations",))
    answered = _sent_invitation(app, me)
    withdrawn = _sent_invitation(app, me, client=None, title="Caso dos", client_name="Carlos Ruiz")
    no_consent = _sent_invitation(app, me, client=None, title="Caso tres", client_name="Diana Mora")
    with app.test_request_context():
        assert surveys.consume(answered)
        assert surveys.withdraw(withdrawn, me)
        clients.withdraw_consent(no_consent.client, "surveys", "written", today_local(), me)
    sent_before = OutboundEmail.select().count()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=4), tick=False), app.app_context():
        assert surveys.send_due_reminders() == 0
    assert OutboundEmail.select().count() == sent_before
    assert SurveyLink.select().where(SurveyLink.invitation == withdrawn.id, SurveyLink.revoked_at.is_null()).count() == 0


def test_consent_withdrawn_before_sending_withdraws_the_invitation(app, make_user):
    me = make_user(roles=("operations",))
    case = _closed_case(app, me)
    with app.test_request_context():
        clients.withdraw_consent(case.client, "surveys", "written", today_local(), me)
        SurveyInvitation.update(send_on=today_local()).execute()
        assert surveys.send_due_invitations() == 0
    assert SurveyInvitation.get(SurveyInvitation.case == case.id).status == "withdrawn"
    assert OutboundEmail.select().count() == 0


def test_reminder_job_run_twice_at_once_queues_one_mail(app, make_user):
    me = make_user(roles=("operations",))
    invitation = _sent_invitation(app, me)
    before = OutboundEmail.select().count()
    later = utcnow() + timedelta(days=3, hours=1)
    results = run_concurrently(app, lambda: surveys.send_due_reminders(later), n=4)
    assert sorted(results) == [0, 0, 0, 1]
    assert OutboundEmail.select().count() == before + 1
    assert SurveyInvitation.get_by_id(invitation.id).reminders_sent == 1


def test_invitation_job_run_twice_at_once_queues_one_mail(app, make_user, firm_today):
    me = make_user(roles=("operations",))
    _closed_case(app, me)
    SurveyInvitation.update(send_on=firm_today).execute()
    results = run_concurrently(app, surveys.send_due_invitations, n=4)
    assert sorted(results) == [0, 0, 0, 1]
    assert OutboundEmail.select().count() == 1 and SurveyLink.select().count() == 1


def test_withdraw_from_the_invitation_page(app, http, login_as):
    me = login_as("commercial")
    invitation = _sent_invitation(app, me)
    page = http.get(f"/encuestas/invitaciones/{invitation.id}").get_data(as_text=True)
    assert invitation.client.name in page and "Encuesta de satisfacción" in page
    assert http.post(f"/encuestas/invitaciones/{invitation.id}/retirar").status_code == 303
    assert SurveyInvitation.get_by_id(invitation.id).status == "withdrawn"
    assert http.post(f"/encuestas/invitaciones/{invitation.id}/enlace").status_code == 303  # nothing to hand over
    assert SurveyLink.select().where(SurveyLink.revoked_at.is_null()).count() == 0


def test_send_survey_from_the_case_page_by_hand(app, http, login_as, firm_today):
    me = login_as("operations", "service")
    case = _closed_case(app, me, consent=False)
    assert f"/encuestas/enviar/caso/{case.id}" in http.get(f"/casos/{case.id}").get_data(as_text=True)
    form = http.get(f"/encuestas/enviar/caso/{case.id}").get_data(as_text=True)
    assert 'value="email"' not in form  # no consent: only the link
    template = SurveyInvitation.get().template_id
    refused = http.post(f"/encuestas/enviar/caso/{case.id}", data={"template": template, "delivery": "link",
                                                                  "send_on": firm_today.isoformat()})
    assert refused.status_code == 422  # the case already has one
    SurveyInvitation.update(status="expired").execute()
    assert http.post(f"/encuestas/enviar/caso/{case.id}", data={"template": template, "delivery": "email",
                                                               "send_on": firm_today.isoformat()}).status_code == 422
    done = http.post(f"/encuestas/enviar/caso/{case.id}", data={"template": template, "delivery": "link",
                                                               "send_on": firm_today.isoformat()})
    assert done.status_code == 303
    assert SurveyInvitation.select().where(SurveyInvitation.case == case.id, SurveyInvitation.status == "pending",
                                           SurveyInvitation.email == "").count() == 1


def test_a2_invitations_by_role(app, http, login_as, make_user):
    owner = make_user(roles=("operations",))
    invitation = _sent_invitation(app, owner)
    for role, allowed in (("service", True), ("commercial", True), ("quality", True), ("management", True),
                          ("operations", False), ("admin", False)):
        browser = app.test_client()
        login_as(role, client=browser)
        assert (browser.get(f"/encuestas/invitaciones/{invitation.id}").status_code == 200) is allowed, role
        assert (browser.get(f"/encuestas/enviar/cliente/{invitation.client_id}").status_code == 200) is allowed, role
    assert http.get("/encuestas").status_code in (302, 303)  # anonymous → sign-in


def test_invitation_list_queries_constant_and_filters(app, http, login_as):
    me = login_as("quality")
    with app.test_request_context():
        template = surveys.default_template(me)
        surveys.invite(make_client(name="Primer Cliente"), None, template, "", me)
    with count_queries() as few:
        assert http.get("/encuestas").status_code == 200
    with app.test_request_context():
        for i in range(12):
            invitation = surveys.invite(make_client(name=f"Cliente Número {i}"), None, template, "", me)
            if i % 2:
                surveys.withdraw(invitation, me)
    with count_queries() as many:
        page = http.get("/encuestas").get_data(as_text=True)
    assert few.count == many.count
    assert "Cliente Número 11" in page and "/encuestas/resultados" in page
    withdrawn = http.get("/encuestas?estado=withdrawn").get_data(as_text=True)
    assert "Cliente Número 1<" in withdrawn and "Cliente Número 0<" not in withdrawn
    partial = http.get("/encuestas?estado=pending", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="survey-invitations"' in partial


def test_demo_has_invitations_in_every_state(app):
    from services import demo

    with app.test_request_context():
        demo.load()
    states = {i.status for i in SurveyInvitation.select()}
    assert {"pending", "sent", "opened", "answered", "expired"} <= states
    assert SurveyInvitation.select().where(SurveyInvitation.email == "", SurveyInvitation.status == "pending").exists()
    assert OutboundEmail.select().where(OutboundEmail.subject.contains("opinion")).count() == 0


def test_concurrent_invitations_for_one_case_make_exactly_one(app):
    with app.test_request_context():
        case = make_case()
        template = surveys.default_template()

    def invite():
        with app.test_request_context():
            try:
                return surveys.invite(case.client, case, template, email="").id
            except surveys.SurveyError:
                return None

    results = run_concurrently(app, invite, n=8)
    assert len([r for r in results if r]) == 1
    assert SurveyInvitation.select().where(SurveyInvitation.case == case.id).count() == 1
