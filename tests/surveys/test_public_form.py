"""The public survey form /e/<token> (SECURITY.md PS1–PS4, V1): single use on POST, one page for every
dead link, rate limits, page hygiene, validation, anonymity and the low-score follow-up."""

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.db import transaction
from models.audit import AuditEvent
from models.complaints import Complaint
from models.consent import Consent
from models.surveys import SurveyAnswer, SurveyInvitation, SurveyResponse
from models.users import UserSession
from services import surveys
from tests.factories import csrf_from, make_notice, make_user, run_concurrently
from tests.surveys.survey_helpers import (
    ANONYMOUS_QUESTIONS,
    MIXED_QUESTIONS,
    answers_for,
    make_invitation,
    make_template,
    question,
)

PUBLIC_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@pytest.fixture
def live(app):
    """A live invitation of the default survey (handed over by link), its token and a full set of answers."""
    with app.test_request_context():
        invitation, token = make_invitation()
        data = answers_for(invitation.template, rating=4, nps=9, comment="Muy buena atención.")
    return invitation, token, data


def _status(invitation):
    return SurveyInvitation.get_by_id(invitation.id).status


def _assert_public_headers(response):
    for name, value in PUBLIC_HEADERS.items():
        assert response.headers[name] == value, name
    assert "noindex" in response.headers["X-Robots-Tag"]


# ----- PS2: binding, expiry and single use -----

def test_ps2_gets_do_not_consume_post_does_once(app, http, live):
    invitation, token, data = live
    for _ in range(2):
        page = http.get(f"/e/{token}")
        assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    row = SurveyInvitation.get_by_id(invitation.id)
    assert row.status == "opened" and row.opened_at is not None and row.answered_at is None
    assert SurveyResponse.select().count() == 0

    sent = http.post(f"/e/{token}", data=data)
    assert sent.status_code == 303 and sent.headers["Location"] == "/e/gracias"
    assert token not in sent.headers["Location"]
    thanks = http.get("/e/gracias")
    assert thanks.status_code == 200 and token not in thanks.get_data(as_text=True)
    assert _status(invitation) == "answered"

    again = http.post(f"/e/{token}", data=data)
    assert again.status_code == 404
    assert http.get(f"/e/{token}").status_code == 404
    assert SurveyResponse.select().count() == 1


def test_ps2_response_keeps_its_summary(app, http, live):
    invitation, token, data = live
    nps_q = question(invitation.template, "nps")
    first = question(invitation.template, "rating")
    data[f"q{first.id}"] = "5"
    http.post(f"/e/{token}", data=data)
    response = SurveyResponse.get()
    ratings = [a.score for a in SurveyAnswer.select().where(SurveyAnswer.criterion != "")]
    assert response.invitation_id == invitation.id and response.client_id == invitation.client_id
    assert response.case_id == invitation.case_id and response.template_id == invitation.template_id
    assert response.ratings_count == len(ratings) == 7  # the default survey's six criteria and the overall one
    assert response.ratings_sum == sum(ratings) == 5 + 4 * 6
    assert response.ratings_high == 7 and response.min_rating == 4
    assert response.nps == 9 and response.has_comment and not response.low_score
    assert response.month == response.answered_on.replace(day=1)
    case = invitation.case
    assert response.practice_area_id == case.practice_area_id and response.responsible_id == case.responsible_id
    stored = {a.question_id: (a.score, a.value) for a in SurveyAnswer.select()}
    assert stored[nps_q.id] == (9, "")
    assert "Muy buena atención." in [v for _s, v in stored.values()]
    assert AuditEvent.select().where(AuditEvent.action == "survey_answer").count() == 1


def test_ps2_expired_after_fifteen_days(app, http, live):
    _invitation, token, data = live
    with time_machine.travel(datetime.now(UTC) + timedelta(days=15), tick=False):
        assert http.get(f"/e/{token}").status_code == 404
        assert http.post(f"/e/{token}", data=data).status_code == 404
    assert SurveyResponse.select().count() == 0


def test_ps2_ten_concurrent_posts_store_exactly_one_response(app, live):
    _invitation, token, data = live

    def post():
        return app.test_client().post(f"/e/{token}", data=data).status_code

    codes = run_concurrently(app, post, n=10)
    assert sorted(codes) == [303] + [404] * 9
    assert SurveyResponse.select().count() == 1
    assert SurveyAnswer.select(SurveyAnswer.response).distinct().count() == 1


def test_ps2_reissued_link_revokes_the_earlier_one(app, http, live):
    invitation, token, data = live
    with app.test_request_context():
        fresh = surveys.hand_over_link(invitation, None)
    assert http.get(f"/e/{token}").status_code == 404
    assert http.post(f"/e/{fresh}", data=data).status_code == 303


# ----- PS3: no enumeration, rate limits -----

def _dead_links(app):
    """Five links that open nothing: unknown, used, expired, revoked and withdrawn."""
    with app.test_request_context():
        used, used_token = make_invitation(title="Sucesión intestada", client_name="Jorge Pardo")
        with transaction():
            surveys.consume(used)
        expired, expired_token = make_invitation(title="Divorcio de mutuo acuerdo", client_name="Ana Ruiz")
        SurveyInvitation.update(expires_at=datetime(2020, 1, 1)).where(SurveyInvitation.id == expired.id).execute()
        revoked, revoked_token = make_invitation(title="Cobro de cartera", client_name="Luis Peña")
        surveys.hand_over_link(revoked, None)
        gone, gone_token = make_invitation(title="Reclamación laboral", client_name="Sara Gil")
        surveys.withdraw(gone, None)
    return {"unknown": "A" * 43, "used": used_token, "expired": expired_token, "revoked": revoked_token,
            "withdrawn": gone_token}


def test_ps3_every_dead_link_gets_the_same_page(app, http):
    links = _dead_links(app)
    answers = {}
    for name, token in links.items():
        got = http.get(f"/e/{token}")
        posted = http.post(f"/e/{token}", data={"q1": "5"})
        optout = http.get(f"/e/{token}/baja")
        answers[name] = [(r.status_code, r.get_data()) for r in (got, posted, optout)]
        assert got.status_code == 404, name
    bodies = {json.dumps([[c, b.decode()] for c, b in v]) for v in answers.values()}
    assert len(bodies) == 1
    first = answers["unknown"][0][1].decode()
    assert answers["unknown"][0][1] == answers["unknown"][1][1]  # GET and POST too
    for token in links.values():
        assert token not in first


@pytest.mark.ratelimit
def test_ps3_thirty_first_request_in_a_minute_is_refused_and_logged(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="traza.security"):
        codes = [client.get("/e/" + "z" * 42 + f"{i % 10}").status_code for i in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
    refused = client.get("/e/" + "y" * 43)
    assert refused.status_code == 429
    _assert_public_headers(refused)
    assert "csrf_token" not in refused.get_data(as_text=True) and "/entrar" not in refused.get_data(as_text=True)
    assert any("excess_rate_limit_exceeded" in r.getMessage() for r in caplog.records)
    assert AuditEvent.select().where(AuditEvent.action == "rate_limit").count() == 2
    other_ip = app.test_client()
    assert other_ip.get("/e/" + "z" * 43, environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 404


@pytest.mark.ratelimit
def test_ps3_the_budget_is_shared_by_the_form_and_the_opt_out(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for _ in range(15):
        client.get("/e/" + "q" * 43)
        client.get("/e/" + "q" * 43 + "/baja")
    assert client.get("/e/" + "q" * 43 + "/baja").status_code == 429


# ----- PS4: isolation and page hygiene -----

def test_ps4_headers_on_every_public_answer(app, http, live):
    invitation, token, data = live
    required = question(invitation.template, "rating")
    responses = [http.get(f"/e/{token}"), http.post(f"/e/{token}", data={**data, f"q{required.id}": ""}),
                 http.get(f"/e/{token}/baja"), http.get("/e/" + "B" * 43), http.get("/e/gracias"), http.get("/e/baja"),
                 http.post(f"/e/{token}", data=data), http.post(f"/e/{token}", data=data, csrf=False)]
    assert [r.status_code for r in responses] == [200, 422, 200, 404, 200, 200, 303, 400]
    for response in responses:
        _assert_public_headers(response)
        html = response.get_data(as_text=True)
        assert "<script" not in html and "src=\"http" not in html and "href=\"http" not in html


def test_ps4_no_staff_session_and_no_access_to_anything_else(app, live):
    _invitation, token, data = live
    visitor = app.test_client()
    page = visitor.get(f"/e/{token}")
    token_in_form = csrf_from(page.get_data(as_text=True))
    sent = visitor.post(f"/e/{token}", data={**data, "csrf_token": token_in_form}, csrf=False)
    assert sent.status_code == 303  # CSRF works for an anonymous visitor through the token in the page
    with visitor.session_transaction() as session:
        assert set(session.keys()) <= {"csrf_token", "_flashes"}  # no session id: nobody is signed in
    assert UserSession.select().count() == 0
    for url in ("/", "/clientes", "/encuestas/resultados", "/perfil", "/e/gracias"):
        response = visitor.get(url)
        if url == "/e/gracias":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response.headers["Location"].startswith("/entrar"), url


def test_ps4_form_shows_firm_service_and_greeting_only(app, http, live):
    invitation, token, _data = live
    html = http.get(f"/e/{token}").get_data(as_text=True)
    client = invitation.client
    assert app.config["FIRM_NAME"].replace("&", "&amp;") in html
    assert "Demanda por despido sin justa causa" in html and "María Fernanda Rojas" in html
    for private in (client.email, client.phone, "52123456", client.address, "Laura Gómez", "Despido sin justa causa."):
        assert private not in html, private
    assert 'class="mainnav"' not in html and "/entrar" not in html


def test_ps4_signed_in_staff_sees_no_staff_frame_on_the_form(app, http, live, login_as):
    _invitation, token, _data = live
    login_as("quality")
    html = http.get(f"/e/{token}").get_data(as_text=True)
    assert 'class="mainnav"' not in html and "data-idle-seconds" not in html


def test_ps4_links_come_from_base_url(app, live):
    _invitation, token, _data = live
    with app.test_request_context(headers={"Host": "evil.com"}):
        assert surveys.public_url(token) == f"https://traza.example.test/e/{token}"


# ----- V1: bad input -----

def test_v1_missing_required_answers_are_named_beside_each_question_and_answers_kept(app, http, live):
    invitation, token, data = live
    rating, nps = question(invitation.template, "rating"), question(invitation.template, "nps")
    del data[f"q{rating.id}"]
    data[f"q{nps.id}"] = ""
    second = question(invitation.template, "rating", 1)
    data[f"q{second.id}"] = "2"
    response = http.post(f"/e/{token}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="q{rating.id}-error"' in html and f'id="q{nps.id}-error"' in html
    assert html.count('class="error"') == 2 and 'class="error-summary"' in html
    assert f'href="#q{rating.id}-o0"' in html  # the summary links to the question
    assert re.search(rf'id="q{second.id}-o1" name="q{second.id}" value="2" checked', html)  # kept
    assert "Muy buena atención." in html
    assert SurveyResponse.select().count() == 0 and _status(invitation) in ("sent", "opened", "pending")
    assert http.post(f"/e/{token}", data=answers_for(invitation.template)).status_code == 303


@pytest.mark.parametrize("kind, value", [("rating", "6"), ("rating", "0"), ("rating", "-1"), ("rating", "4.5"),
                                         ("rating", "cinco"), ("nps", "11"), ("nps", "-3"), ("nps", "1e1"),
                                         ("rating", "٣")])
def test_v1_out_of_range_scores_are_refused(app, http, live, kind, value):
    invitation, token, data = live
    target = question(invitation.template, kind)
    data[f"q{target.id}"] = value
    response = http.post(f"/e/{token}", data=data)
    assert response.status_code == 422 and f'id="q{target.id}-error"' in response.get_data(as_text=True)
    assert SurveyResponse.select().count() == 0


def test_v1_oversized_text_is_refused_and_the_limit_counts_line_breaks_once(app, http, live):
    invitation, token, data = live
    text = question(invitation.template, "text")
    data[f"q{text.id}"] = "a" * 2001
    assert http.post(f"/e/{token}", data=data).status_code == 422
    data[f"q{text.id}"] = ("línea\r\n" * 286)[:2000]  # 2000 characters once CR LF counts as one
    assert http.post(f"/e/{token}", data=data).status_code == 303
    stored = SurveyAnswer.get(SurveyAnswer.question == text.id).value
    assert "\r" not in stored and len(stored) <= 2000


def test_v1_tampered_and_foreign_question_ids_are_ignored(app, http, live):
    invitation, token, data = live
    with app.test_request_context():
        other = make_template(ANONYMOUS_QUESTIONS, name="Otra")
    foreign = question(other, "rating")
    data.update({f"q{foreign.id}": "1", "q999999": "1", "q-1": "x", "qabc": "5"})
    assert http.post(f"/e/{token}", data=data).status_code == 303
    assert not SurveyAnswer.select().where(SurveyAnswer.question == foreign.id).exists()
    response = SurveyResponse.get()
    assert not response.low_score and response.min_rating == 4


def test_v1_two_values_for_one_question_and_unknown_options_are_refused(app, http):
    with app.test_request_context():
        template = make_template(MIXED_QUESTIONS, name="Mixta")
        invitation, token = make_invitation(template)
    rating, choice, yes_no = (question(template, k) for k in ("rating", "choice", "yes_no"))
    base = answers_for(template)
    twice = http.post(f"/e/{token}", data={**base, f"q{rating.id}": ["5", "1"]})
    assert twice.status_code == 422 and f'id="q{rating.id}-error"' in twice.get_data(as_text=True)
    bad_choice = http.post(f"/e/{token}", data={**base, f"q{choice.id}": "Televisión"})
    assert bad_choice.status_code == 422 and f'id="q{choice.id}-error"' in bad_choice.get_data(as_text=True)
    bad_yes = http.post(f"/e/{token}", data={**base, f"q{yes_no.id}": "quizás"})
    assert bad_yes.status_code == 422
    ok = http.post(f"/e/{token}", data={**base, f"q{yes_no.id}": "no"})
    assert ok.status_code == 303
    stored = {a.question_id: (a.score, a.value) for a in SurveyAnswer.select()}
    assert stored[choice.id] == (None, "Web") and stored[yes_no.id] == (0, "")
    assert SurveyAnswer.get(SurveyAnswer.question == rating.id).criterion == "courtesy"


def test_v1_optional_questions_may_stay_blank(app, http, live):
    invitation, token, data = live
    optional = [q for q in invitation.template.ordered_questions() if not q.required]
    for q in optional:
        data[f"q{q.id}"] = ""
    assert http.post(f"/e/{token}", data=data).status_code == 303
    response = SurveyResponse.get()
    assert response.ratings_count == 6 and not response.has_comment


# ----- anonymity -----

def test_anonymous_response_is_not_linkable(app, http):
    with app.test_request_context():
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        invitation, token = make_invitation(template)
    html = http.get(f"/e/{token}").get_data(as_text=True)
    assert "María Fernanda Rojas" not in html  # not even a greeting on an anonymous survey
    data = answers_for(template, rating=5, nps=10, comment="Todo bien")
    assert http.post(f"/e/{token}", data=data).status_code == 303
    response = SurveyResponse.get()
    assert response.anonymous and response.invitation_id is None and response.client_id is None
    assert response.case_id is None
    for stamp in (response.created_at, response.updated_at, SurveyInvitation.get_by_id(invitation.id).answered_at,
                  *[a.created_at for a in SurveyAnswer.select()]):
        assert (stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0)  # the firm's midnight, in UTC
    assert len({a.created_at for a in SurveyAnswer.select()} | {response.created_at}) == 1
    assert not AuditEvent.select().where(AuditEvent.action == "survey_answer").exists()
    assert _status(invitation) == "answered"  # no reminder follows


# ----- low score → follow-up -----

def test_low_score_of_a_named_answer_opens_a_complaint_for_the_case_responsible(app, http, live, mailbox):
    invitation, token, data = live
    nps = question(invitation.template, "nps")
    data[f"q{nps.id}"] = "6"
    assert http.post(f"/e/{token}", data=data).status_code == 303
    response = SurveyResponse.get()
    assert response.low_score
    complaint = Complaint.get()
    assert complaint.source == "survey" and complaint.channel == "survey"
    assert complaint.survey_response == response.id
    assert complaint.client_id == invitation.client_id and complaint.case_id == invitation.case_id
    assert complaint.owner_id == invitation.case.responsible_id
    assert "6/10" in complaint.description and "Muy buena atención." in complaint.description


def test_low_rating_threshold_is_configurable(make_app):
    app = make_app(SURVEY_LOW_RATING=3)
    with app.test_request_context():
        invitation, token = make_invitation()
        data = answers_for(invitation.template, rating=4, nps=10)
    data[f"q{question(invitation.template, 'rating').id}"] = "3"
    assert app.test_client().post(f"/e/{token}", data=data).status_code == 303
    assert SurveyResponse.get().low_score and Complaint.select().count() == 1


def test_good_scores_open_nothing(app, http, live):
    _invitation, token, data = live
    assert http.post(f"/e/{token}", data=data).status_code == 303
    assert Complaint.select().count() == 0


def test_low_score_of_an_anonymous_answer_alerts_quality_only_in_the_jobs_digest(app, http, mailbox):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Clara Quintero")
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        invitation, token = make_invitation(template)
        second, token2 = make_invitation(template, title="Sucesión intestada", client_name="Jorge Pardo")
    data = answers_for(template, rating=1, nps=2, comment="Pésimo")
    assert http.post(f"/e/{token}", data=data).status_code == 303
    assert http.post(f"/e/{token2}", data=data).status_code == 303
    assert Complaint.select().count() == 0
    assert mailbox.to(quality.email) == []  # nothing while the client is on the page: its time would tell
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "avisos_encuestas_anonimas: 1" in result.output
    def alerts():  # quality also receives the month's quality summary (its own job, its own test)
        return [m for m in mailbox.to(quality.email) if not m["Subject"].startswith("Resumen de calidad")]

    (message,) = alerts()
    text = mailbox.text(message)
    assert "2 respuestas anónimas de encuesta con puntuación baja" in text
    assert "https://traza.example.test/encuestas/resultados" in text
    assert "1/5" not in text and "2/10" not in text  # no scores one by one
    for private in (invitation.client.name, invitation.client.email, invitation.case.title, second.case.title,
                    "Pésimo"):
        assert private not in text and private not in mailbox.html(message)
    assert SurveyResponse.select().where(SurveyResponse.alert_sent == False).count() == 0  # noqa: E712
    again = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert "avisos_encuestas_anonimas: 0" in again.output and len(alerts()) == 1


# ----- opting out -----

def test_opt_out_withdraws_the_surveys_consent_and_every_live_invitation(app, http, live):
    invitation, token, _data = live
    with app.test_request_context():
        make_notice()
        other = surveys.invite(invitation.client, None, invitation.template, email="")
    page = http.get(f"/e/{token}/baja")
    assert page.status_code == 200 and f'action="/e/{token}/baja"' in page.get_data(as_text=True)
    assert _status(invitation) != "withdrawn"  # the GET changes nothing
    done = http.post(f"/e/{token}/baja")
    assert done.status_code == 303 and done.headers["Location"] == "/e/baja"
    assert http.get("/e/baja").status_code == 200
    last = Consent.select().where(Consent.client == invitation.client_id, Consent.purpose == "surveys").order_by(
        Consent.id.desc()).first()
    assert last is not None and not last.granted and last.method == "electronic"
    assert _status(invitation) == "withdrawn" and _status(other) == "withdrawn"
    assert http.get(f"/e/{token}").status_code == 404
    assert AuditEvent.select().where(AuditEvent.action == "survey_opt_out").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "consent_withdrawn").count() == 1


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
