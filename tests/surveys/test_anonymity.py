"""Anonymous survey answers only ever count: the response keeps no area or responsible, the invitation keeps
only the day it was opened, the low-score alert is one digest sent once even by concurrent runs, and the CSV
export has no anonymous row."""

import csv
import io
from datetime import UTC, datetime

import time_machine

from core.i18n import to_utc
from models.surveys import SurveyInvitation, SurveyResponse
from services.surveys import answers as survey_answers
from services.surveys import results as survey_results
from services.surveys.results import Filters
from tests.factories import make_area, make_case, make_user, run_concurrently
from tests.surveys.survey_helpers import ANONYMOUS_QUESTIONS, answers_for, make_invitation, make_template


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


def test_csv_export_never_has_an_anonymous_row(app, http, login_as):
    with app.test_request_context():
        template = make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        _invitation, token = make_invitation(template)
    http.post(f"/e/{token}", data=answers_for(template, comment="Solo cuenta"))
    login_as("quality")
    text = http.get("/encuestas/resultados/exportar.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 1 and "Solo cuenta" not in text
