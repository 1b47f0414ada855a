"""Regressions from the review of the surveys: anonymous answers only ever count (no list, export, filter,
time or alert singles one out), template versions once invited, bad filter input, the export's fresh
sign-in and budget, the per-link budget, the work queue, one named response's page, a durable opt-out
without a privacy notice, tokens kept out of the server log, and the check-then-insert races."""

import csv
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.db import transaction
from core.i18n import to_utc, today_local
from models.cases import Case
from models.complaints import Complaint
from models.surveys import SurveyInvitation, SurveyResponse, SurveyTemplate
from services import clients as client_service
from services import surveys
from services.surveys import answers as survey_answers
from services.surveys import results as survey_results
from services.surveys.results import Filters
from tests.factories import (
    make_area,
    make_case,
    make_client,
    make_notice,
    make_user,
    run_concurrently,
    sign_in,
)
from tests.surveys.survey_helpers import ANONYMOUS_QUESTIONS, answers_for, make_invitation, make_template

BIG = 2**63  # one past the largest 64-bit id


# ----- 1. anonymous answers are unlinkable -----

def test_ps5_anonymous_response_keeps_no_area_or_responsible(app, http):
    with app.test_request_context():
        area = make_area("Derecho de familia")
        lawyer = make_user(roles=("operations",), name="Pedro Díaz")
        case = make_case(responsible=lawyer, practice_area=area.id, client_name="Ana Ruiz")
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        _invitation, token = make_invitation(template, case=case)
    assert http.post(f"/e/{token}", data=answers_for(template, rating=4, nps=9)).status_code == 303
    (row,) = SurveyResponse.select()
    assert row.anonymous and row.practice_area_id is None and row.responsible_id is None
    with app.test_request_context():
        base = Filters.default()
        assert survey_results.summary(base).responses == 1  # it still counts in the totals
        assert survey_results.summary(Filters(base.start, base.end, practice_area=area.id)).responses == 0
        assert survey_results.summary(Filters(base.start, base.end, responsible=lawyer.id)).responses == 0


def test_ps5_anonymous_invitation_keeps_only_the_day_it_was_opened(app, http):
    with app.test_request_context():
        anonymous = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        hidden, hidden_token = make_invitation(anonymous)
        named, named_token = make_invitation(title="Liquidación de contrato", client_name="Jorge Pardo")
    moment = datetime(2026, 3, 10, 20, 37, 12)  # 15:37 in Bogotá
    with time_machine.travel(moment.replace(tzinfo=UTC), tick=False):
        assert http.get(f"/e/{hidden_token}").status_code == 200
        assert http.get(f"/e/{named_token}").status_code == 200
    with app.app_context():
        midnight = to_utc(datetime(2026, 3, 10))
    hidden = SurveyInvitation.get_by_id(hidden.id)
    assert hidden.status == "opened" and hidden.opened_at == midnight and hidden.updated_at == midnight
    assert SurveyInvitation.get_by_id(named.id).opened_at == moment


def test_anonymous_low_score_digest_is_sent_once_by_concurrent_runs(app, mailbox):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Clara Quintero")
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        for name in ("Ana Ruiz", "Jorge Pardo", "Luz Mora"):
            invitation, _token = make_invitation(template, client_name=name, title=f"Caso de {name}")
            survey_answers.submit(invitation, answers_for(template, rating=1, nps=3))
    assert mailbox.to(quality.email) == []

    def job():
        with app.test_request_context():
            return survey_answers.anonymous_low_score_alerts()

    results = run_concurrently(app, job, n=6)
    assert sorted(results) == [0] * 5 + [1]
    from core import mail

    with app.app_context():
        mail.deliver_pending()
    (message,) = mailbox.to(quality.email)
    assert "3 respuestas anónimas de encuesta con puntuación baja" in mailbox.text(message)


# ----- 2. templates version once invited -----

def test_editing_a_template_with_an_invitation_creates_a_version_the_invitation_keeps_the_old_one(app, http):
    with app.test_request_context():
        old = make_template([{"kind": "rating", "criterion": "overall", "required": True, "text": "Pregunta vieja"}],
                            anonymous=True, name="Encuesta breve")
        invitation, token = make_invitation(old)
        saved = surveys.save_template(old, {"name": "Encuesta breve", "intro": "", "anonymous": False,
                                            "is_active": True, "is_default": False},
                                      [{"kind": "rating", "criterion": "overall", "required": True,
                                        "text": "Pregunta nueva"}], None)
    assert saved.id != old.id and saved.version == 2 and not saved.anonymous
    old = SurveyTemplate.get_by_id(old.id)
    assert old.anonymous and not old.is_current
    assert SurveyInvitation.get_by_id(invitation.id).template_id == old.id
    html = http.get(f"/e/{token}").get_data(as_text=True)
    assert "Pregunta vieja" in html and "Pregunta nueva" not in html
    assert "María Fernanda" not in html  # still anonymous: no greeting by name
    assert http.post(f"/e/{token}", data=answers_for(old, rating=5)).status_code == 303
    (response,) = SurveyResponse.select()
    assert response.anonymous and response.template_id == old.id and response.client_id is None


# ----- 3. bad input is not a 500 -----

def test_far_dates_and_huge_ids_in_the_results_filters(app, http, login_as):
    login_as("quality")
    for query in ("desde=9999-12-01&hasta=9999-12-31", "desde=0001-01-01&hasta=0001-02-01",
                  f"area={BIG}&responsable={BIG}&encuesta={BIG}", f"pagina={BIG}"):
        for page in ("", "/respuestas", "/comentarios"):
            response = http.get(f"/encuestas/resultados{page}?{query}")
            assert response.status_code == 200, (page, query)
    assert http.get(f"/encuestas/resultados/exportar.csv?desde=9999-12-01&area={BIG}").status_code == 200
    assert http.get(f"/encuestas?estado=x&pagina={BIG}").status_code == 200


# ----- 4. export: fresh sign-in and a budget; the public form: a budget per link -----

def test_s7_export_needs_a_fresh_sign_in(app, http, login_as):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        login_as("quality")
        traveller.shift(11 * 60)
        http.get("/")
        response = http.get("/encuestas/resultados/exportar.csv")
        assert response.status_code in (302, 303) and "/confirmar" in response.headers["Location"]


@pytest.mark.ratelimit
def test_r3_export_is_rate_limited_like_the_client_export(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = make_user(roles=("quality",))
    sign_in(client, user)
    codes = [client.get("/encuestas/resultados/exportar.csv").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


@pytest.mark.ratelimit
def test_r3_one_link_has_its_own_budget_whatever_the_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.test_request_context():
        _invitation, token = make_invitation()
    client = app.test_client()
    codes = [client.get(f"/e/{token}", environ_base={"REMOTE_ADDR": f"10.0.{i}.1"}).status_code for i in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    other = client.get("/e/" + "k" * 43, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 404  # another link, another budget


# ----- 5. the work queue -----

def test_a_link_that_expired_unsent_keeps_the_case_in_the_queue_as_overdue(app):
    with app.test_request_context():
        today = today_local()
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        case = make_case(responsible=lawyer)
        Case.update(status="closed", survey_due_on=today - timedelta(days=6)).where(Case.id == case.id).execute()
        invitation = surveys.invite(case.client, case, email="", send_on=today - timedelta(days=20))
        assert [c.id for c in SurveyInvitation.cases_to_survey(lawyer.id, today)] == [case.id]
        SurveyInvitation.update(expires_at=datetime(2020, 1, 1)).where(SurveyInvitation.id == invitation.id).execute()
        assert surveys.expire_invitations() == 1
        (row,) = SurveyInvitation.cases_to_survey(lawyer.id, today)
        assert row.id == case.id and row.survey_due_on < today and not row.waiting_invitation
        again = surveys.invite(case.client, case, email="")  # a new one may be made: the old one is dead
        SurveyInvitation.update(status="withdrawn").where(SurveyInvitation.id == again.id).execute()
        assert [c.id for c in SurveyInvitation.cases_to_survey(lawyer.id, today)] == [case.id]
        sent = surveys.invite(case.client, case, email="")
        surveys.hand_over_link(sent, None)
        assert list(SurveyInvitation.cases_to_survey(lawyer.id, today)) == []
        later = today + timedelta(days=31)  # and a case left unsurveyed leaves the queue after 30 days
        SurveyInvitation.update(status="withdrawn", sent_at=None).where(SurveyInvitation.id == sent.id).execute()
        assert list(SurveyInvitation.cases_to_survey(lawyer.id, later)) == []


# ----- 6. one named response -----

def test_one_named_response_shows_its_answers_and_its_complaint_anonymous_is_404(app, http, login_as):
    with app.test_request_context():
        make_user(roles=("quality",), name="Clara Quintero")
        invitation, token = make_invitation()
        hidden_template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        hidden, hidden_token = make_invitation(hidden_template, title="Sucesión", client_name="Jorge Pardo")
    named_data = answers_for(invitation.template, rating=2, nps=4, comment="Tardaron mucho en responder.")
    assert http.post(f"/e/{token}", data=named_data).status_code == 303
    assert http.post(f"/e/{hidden_token}", data=answers_for(hidden_template, comment="Secreto")).status_code == 303
    named = SurveyResponse.get(SurveyResponse.anonymous == False)  # noqa: E712
    anonymous = SurveyResponse.get(SurveyResponse.anonymous == True)  # noqa: E712
    complaint = Complaint.get(Complaint.survey_response == named.id)
    login_as("quality")
    page = http.get(f"/encuestas/resultados/respuestas/{named.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "María Fernanda Rojas" in html and invitation.case.code in html
    assert "¿Cómo califica la cortesía y el trato que recibió?" in html and "2/5" in html and "4/10" in html
    assert "Tardaron mucho en responder." in html
    assert complaint.number in html and f'href="/quejas/{complaint.id}"' in html
    assert http.get(f"/encuestas/resultados/respuestas/{anonymous.id}").status_code == 404
    assert http.get("/encuestas/resultados/respuestas/999999").status_code == 404
    listing = http.get("/encuestas/resultados/respuestas").get_data(as_text=True)
    assert f'href="/encuestas/resultados/respuestas/{named.id}"' in listing
    assert f"/encuestas/resultados/respuestas/{anonymous.id}\"" not in listing


# ----- 7. a durable opt-out -----

def test_opt_out_without_a_privacy_notice_stops_later_survey_emails(app, http, mailbox):
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        client = make_client(name="Rosa Méndez", email="rosa@correo.test")
        invitation, token = make_invitation(case=make_case(client=client, responsible=lawyer))
    assert http.post(f"/e/{token}/baja").status_code == 303  # no privacy notice exists yet
    with app.test_request_context():
        make_notice()  # later: a notice, and the consent form the client had signed before the opt-out
        client_service.record_consent(client, ["surveys"], "written", today_local() - timedelta(days=2), "", None)
        assert not surveys.may_email(client)
        later = make_case(client=client, responsible=lawyer, title="Segundo asunto")
        Case.update(status="closed").where(Case.id == later.id).execute()
        with transaction():
            new = surveys.invite_closed_case(later, None)
        assert new.email == ""  # handed over by hand at most, never emailed
        assert surveys.send_due_invitations(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=5)) == 0
    from core import mail

    with app.app_context():
        mail.deliver_pending()
    assert mailbox.to("rosa@correo.test") == []
    with app.test_request_context():  # a consent given after the opt-out lifts it
        client_service.record_consent(client, ["surveys"], "written", today_local() + timedelta(days=1), "", None)
        assert surveys.may_email(client)


# ----- 8. tokens stay out of the server log -----

def test_ps1_werkzeug_request_log_hides_link_tokens(app, caplog):
    from werkzeug._internal import _log

    token = "Tk" + "x" * 41
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _log("info", '127.0.0.1 - - [10/Mar/2026 10:00:00] "%s" %s %s\n', f"GET /e/{token} HTTP/1.1", "200", "-")
        _log("info", '127.0.0.1 - - [10/Mar/2026 10:00:00] "%s" %s %s\n', f"POST /activar/{token} HTTP/1.1", "303", "-")
        _log("info", '127.0.0.1 - - [10/Mar/2026 10:00:00] "%s" %s %s\n', "GET /e/gracias HTTP/1.1", "200", "-")
    text = caplog.text
    assert token not in text
    assert "GET /e/… HTTP/1.1" in text and "POST /activar/… HTTP/1.1" in text and "GET /e/gracias" in text


# ----- 9. check-then-insert races -----

def test_concurrent_first_closings_create_one_default_template(app):
    def first():
        with app.test_request_context():
            return surveys.default_template().id

    ids = run_concurrently(app, first, n=8)
    assert len(set(ids)) == 1 and SurveyTemplate.select().where(SurveyTemplate.is_default == True).count() == 1  # noqa: E712


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


def test_csv_export_never_has_an_anonymous_row(app, http, login_as):
    with app.test_request_context():
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        _invitation, token = make_invitation(template)
    http.post(f"/e/{token}", data=answers_for(template, comment="Solo cuenta"))
    login_as("quality")
    text = http.get("/encuestas/resultados/exportar.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 1 and "Solo cuenta" not in text
