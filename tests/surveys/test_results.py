"""The satisfaction record: figures from known answers, filters, lists, exports and constant queries."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from peewee import fn
from playhouse.test_utils import count_queries

from core.db import transaction, utcnow
from core.i18n import today_local
from models.complaints import Complaint
from models.surveys import CRITERIA, SurveyAnswer, SurveyInvitation, SurveyResponse, SurveyTemplate
from services import surveys
from services.surveys import answers as survey_answers
from services.surveys import results as survey_results
from services.surveys.results import Filters
from tests.factories import make_area, make_case, make_client, make_user, sign_in
from tests.surveys.survey_helpers import (
    ANONYMOUS_QUESTIONS,
    answers_for,
    default_template,
    make_invitation,
    make_template,
)

BIG = 2**63  # one past the largest 64-bit id
TWO_CRITERIA = [
    {"kind": "rating", "criterion": "courtesy", "required": True, "text": "Cortesía"},
    {"kind": "rating", "criterion": "communication", "required": True, "text": "Comunicación"},
    {"kind": "nps", "criterion": "", "required": True, "text": "¿Nos recomendaría?"},
    {"kind": "text", "criterion": "", "required": False, "text": "Comentario"},
]


def _answer(template, case, courtesy, communication, nps, comment="", on=None):
    """Store one response like the public form does (summary columns included), without the link."""
    qs = survey_answers.questions_of(template)
    values = dict(zip((q.id for q in qs), [(courtesy, ""), (communication, ""), (nps, ""), (None, comment)],
                      strict=True))
    with transaction():
        return survey_answers.store(template, qs, {k: v for k, v in values.items() if v != (None, "")},
                                    client=case.client if case is not None else None, case=case, answered_on=on)


@pytest.fixture
def record(app):
    """Three named answers and one anonymous one, in two practice areas with two responsibles. One anonymous
    answer enters the figures only with a threshold of 1 (the default of 3 is tested in test_figures.py)."""
    app.config["SURVEY_MIN_ANONYMOUS"] = 1
    with app.test_request_context():
        laura = make_user(roles=("operations",), name="Laura Gómez")
        pedro = make_user(roles=("operations",), name="Pedro Díaz")
        family_area = make_area("Derecho de familia")
        template = make_template(TWO_CRITERIA, name="Satisfacción")
        anonymous = make_template(ANONYMOUS_QUESTIONS, anonymous=True, name="Anónima")
        first = make_case(responsible=laura, client_name="María Fernanda Rojas")
        second = make_case(responsible=laura, client_name="Jorge Pardo", title="Liquidación de contrato")
        third = make_case(client=make_client(name="Ana Ruiz", email="ana@correo.test", practice_area=family_area.id),
                          responsible=pedro, title="Divorcio", practice_area=family_area.id)
        today = today_local()
        _answer(template, first, 5, 4, 10, "Excelente atención")
        _answer(template, second, 3, 4, 8)
        _answer(template, third, 2, 1, 3, "=HYPERLINK(\"http://mal.test\")")
        qs = survey_answers.questions_of(anonymous)
        with transaction():
            survey_answers.store(anonymous, qs, {qs[0].id: (4, ""), qs[1].id: (9, ""), qs[2].id: (None, "Anónimo dice")},
                                 case=third, answered_on=today)
    return {"template": template, "anonymous": anonymous, "laura": laura, "pedro": pedro, "family": family_area,
            "cases": (first, second, third), "today": today}


def test_figures_from_known_answers(app, record):
    with app.test_request_context():
        filters = Filters.default()
        summary = survey_results.summary(filters)
        # ratings: 5,4 · 3,4 · 2,1 · 4 (anonymous) → 7 ratings, 4 of them 4 or 5
        assert (summary.responses, summary.ratings, summary.ratings_high) == (4, 7, 4)
        assert summary.satisfaction_rate == pytest.approx(100 * 4 / 7)
        # NPS: 10 and 9 promoters, 8 passive, 3 detractor → (2 − 1) / 4 = +25
        assert (summary.promoters, summary.passives, summary.detractors) == (2, 1, 1)
        assert summary.nps == pytest.approx(25.0)
        assert (summary.comments, summary.low_scores, summary.anonymous) == (3, 1, 1)
        by = {c.criterion: c for c in survey_results.criteria(filters)}
        assert by["courtesy"].average == pytest.approx(10 / 3) and by["courtesy"].answers == 3
        assert by["communication"].average == pytest.approx(3.0) and by["communication"].high == 2
        assert by["overall"].average == pytest.approx(4.0) and by["facilities"].average is None
        months = survey_results.trend(filters)
        assert survey_results.total(months) == summary
        assert len(months) == 12 and months[-1].month == record["today"].replace(day=1)
        assert months[-1].summary.responses == 4 and all(m.summary.responses == 0 for m in months[:-1])


def test_filters_by_area_responsible_family_and_period(app, record):
    today = record["today"]
    with app.test_request_context():
        base = Filters.default()
        family = Filters(base.start, base.end, practice_area=record["family"].id)
        assert survey_results.summary(family).responses == 1  # Ana Ruiz's: the anonymous one keeps no area
        pedro = Filters(base.start, base.end, responsible=record["pedro"].id)
        assert survey_results.summary(pedro).nps == pytest.approx(-100.0)  # 3 only: nor a responsible
        named = Filters(base.start, base.end, family=record["template"].family)
        assert survey_results.summary(named).responses == 3 and survey_results.summary(named).anonymous == 0
        before = Filters(today - timedelta(days=400), today - timedelta(days=1))
        assert survey_results.summary(before).responses == 0 and survey_results.summary(before).nps is None


def test_results_page_shows_the_figures(app, http, login_as, record):
    login_as("quality")
    response = http.get("/encuestas/resultados")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="satisfaction-rate">57 %<' in html  # 4 of 7
    assert 'data-testid="nps">+25<' in html and 'data-testid="responses">4<' in html
    assert "<svg" in html and "<desc" in html and 'data-testid="trend-table"' in html
    partial = http.get(f"/encuestas/resultados?area={record['family'].id}", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and 'id="survey-results"' in text and 'data-testid="responses">1<' in text


def test_responses_list_links_named_answers_and_leaves_anonymous_ones_out(app, http, login_as, record):
    login_as("commercial")
    html = http.get("/encuestas/resultados/respuestas").get_data(as_text=True)
    first = record["cases"][0]
    assert f'href="/clientes/{first.client_id}"' in html and "María Fernanda Rojas" in html
    assert html.count("<tr") == 1 + 3  # the three named answers; the anonymous one only counts
    assert 'data-testid="anonymous-left-out"' in html and "1 respuesta anónima solo cuenta en los totales" in html
    assert html.count("/encuestas/resultados/respuestas/") == 3  # each named row links to its answers
    comments = http.get("/encuestas/resultados/comentarios").get_data(as_text=True)
    assert "Excelente atención" in comments and "Anónimo dice" not in comments
    assert "1 respuesta anónima solo cuenta en los totales" in comments


def test_csv_export_has_every_named_answer_no_anonymous_row_and_no_formulas(app, http, login_as, record):
    login_as("quality")
    response = http.get("/encuestas/resultados/exportar.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, rows = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert header[:4] == ["fecha", "encuesta", "anonima", "cliente"] and "cortesia" in header
    named = [r for r in rows if r["anonima"] == "No"]
    (anonymous,) = [r for r in rows if r["anonima"] == "Sí"]  # one summary row, never one per answer
    assert len(named) == 3 and len(rows) == 4
    assert (anonymous["cliente"], anonymous["comentarios"], anonymous["satisfaccion_general"]) == ("", "", "4.0")
    assert "Anónimo dice" not in text
    (injected,) = [r for r in rows if "HYPERLINK" in r["comentarios"]]
    assert injected["comentarios"].startswith("'=")  # defusedcsv: a spreadsheet shows it, never runs it
    (maria,) = [r for r in rows if r["cliente"] == "María Fernanda Rojas"]
    assert (maria["cortesia"], maria["comunicacion"], maria["recomendacion_0_10"]) == ("5", "4", "10")
    assert maria["promedio_calificaciones"] == "4.5" and maria["puntuacion_baja"] == "No"
    assert maria["expediente"].startswith("EXP-")
    from models.audit import AuditEvent

    assert AuditEvent.select().where(AuditEvent.action == "survey_export").count() == 1


def test_xlsx_export(app, http, login_as, record):
    login_as("management")
    response = http.get(f"/encuestas/resultados/exportar.xlsx?responsable={record['pedro'].id}")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "fecha" and len(rows) == 2  # Ana Ruiz's only: anonymous answers are never rows
    named = rows[1]
    assert named[2] == "No" and named[3] == "Ana Ruiz" and str(named[-1]).startswith("=")
    assert sheet.cell(row=2, column=len(named)).data_type == "s"  # the comment is text, never a formula
    assert isinstance(named[0], datetime)  # the day is a date cell


def test_invitation_counts_and_response_rate(app, record):
    """Each thing that happened to an invitation counts on its own day of the period; the response rate is
    the responses over the invitations sent in the same slice (issue 11)."""
    now = utcnow()
    with app.test_request_context():
        answered, _t = make_invitation(record["template"], case=record["cases"][0])
        surveys.hand_over_link(answered, None)
        surveys.consume(answered)
        opened, _t = make_invitation(record["template"], case=record["cases"][1])
        surveys.hand_over_link(opened, None)
        surveys.mark_opened(opened)
        expired, _t = make_invitation(record["template"], case=record["cases"][2])
        surveys.hand_over_link(expired, None)
        SurveyInvitation.update(sent_at=now - timedelta(days=800), expires_at=now - timedelta(days=1)).where(
            SurveyInvitation.id == expired.id).execute()  # sent long before the period, expired within it
        pending = surveys.invite(record["cases"][0].client, None, record["template"], email="",
                                 send_on=record["today"])
        counts = survey_results.invitations(Filters.default())
    assert (counts.sent, counts.opened, counts.answered, counts.expired, counts.withdrawn) == (2, 1, 1, 1, 0)
    assert counts.pending == 1 and pending.status == "pending"
    assert counts.response_rate == pytest.approx(50.0)
    # Reached the client without a sending: opened, or answered unopened, from a link given outside the usual
    # paths (no moment of sending); and one withdrawn in the period after a sending long before it.
    with app.test_request_context():
        moments = {"opened": {"opened_at": now}, "answered": {"answered_at": now},
                   "withdrawn": {"sent_at": now - timedelta(days=800), "withdrawn_at": now}}
        for status, fields in moments.items():
            invitation = surveys.invite(record["cases"][0].client, None, record["template"], email="")
            SurveyInvitation.update(**{"status": status, "sent_at": None, **fields}).where(
                SurveyInvitation.id == invitation.id).execute()
        counts = survey_results.invitations(Filters.default())
    assert (counts.sent, counts.opened, counts.answered, counts.expired, counts.withdrawn) == (4, 2, 2, 1, 1)
    assert counts.pending == 1


def test_query_count_is_constant(app, http, login_as, record):
    login_as("quality")
    urls = ("/encuestas/resultados", "/encuestas/resultados/respuestas", "/encuestas/resultados/comentarios",
            f"/encuestas/resultados?area={record['family'].id}",
            f"/encuestas/resultados?responsable={record['pedro'].id}")
    before = {}
    for url in urls:
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        before[url] = counter.count
    with app.test_request_context():
        for i in range(12):
            _answer(record["template"], record["cases"][i % 3], 1 + i % 5, 5 - i % 5, i % 11, f"Comentario {i}",
                    on=record["today"] - timedelta(days=40 * (i % 4)))
    for url in urls:
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        assert counter.count == before[url], url


def test_bad_filters_fall_back_to_the_last_twelve_months(app, http, login_as, record):
    login_as("quality")
    response = http.get("/encuestas/resultados?desde=ayer&hasta=2026-13-45&area=x&responsable=-1&encuesta=abc")
    assert response.status_code == 200 and 'data-testid="responses">4<' in response.get_data(as_text=True)
    reversed_period = Filters(date(2026, 5, 1), date(2025, 1, 1)).clamp()
    assert reversed_period.start < reversed_period.end
    long = Filters(date(2000, 1, 1), date(2026, 5, 1)).clamp()
    assert len(survey_results.months_between(long.start, long.end)) == survey_results.MAX_MONTHS


# ----- issue 6, speed: per-criterion columns on the response, the invitations' own area and responsible -----

def test_each_criterion_rating_is_copied_onto_the_response_on_submit(app, http):
    with app.test_request_context():
        template = default_template()
        invitation, token = make_invitation(template)
        facilities = [q for q in template.ordered_questions() if q.criterion == "facilities"][0]
        courtesy = [q for q in template.ordered_questions() if q.criterion == "courtesy"][0]
        data = answers_for(template, rating=4, nps=9, **{f"q{facilities.id}": "", f"q{courtesy.id}": "2"})
    assert http.post(f"/e/{token}", data=data).status_code in (200, 303)
    response = SurveyResponse.get(SurveyResponse.invitation == invitation.id)
    columns = {c: getattr(response, f"c_{c}") for c in CRITERIA}
    assert columns == {"response_times": 4, "communication": 4, "courtesy": 2, "commitments": 4, "accessibility": 4,
                       "facilities": None, "overall": 4}
    # The answers stay the detail record and say the same.
    detail = dict(SurveyAnswer.select(SurveyAnswer.criterion, SurveyAnswer.score)
                  .where(SurveyAnswer.response == response.id, SurveyAnswer.criterion != "").tuples())
    assert detail == {c: v for c, v in columns.items() if v is not None}


def test_criteria_from_the_response_columns_match_the_answers(app, record):
    with app.test_request_context():
        qs = survey_answers.questions_of(record["anonymous"])
        with transaction():
            stored = survey_answers.store(record["anonymous"], qs, {qs[0].id: (2, ""), qs[1].id: (5, "")},
                                          case=record["cases"][0], answered_on=record["today"])
        row = SurveyResponse.get_by_id(stored.id)
        assert row.c_overall == 2 and row.practice_area_id is None and row.responsible_id is None
        for filters in (Filters.default(), Filters(**{**Filters.default().__dict__, "practice_area": record["family"].id})):
            by = {c.criterion: c for c in survey_results.criteria(filters)}
            A = SurveyAnswer
            expected = dict((c, (avg, n)) for c, avg, n in A.select(A.criterion, fn.AVG(A.score), fn.COUNT(A.score))
                            .where(A.criterion != "", A.response.in_(survey_results.responses(filters)))
                            .group_by(A.criterion).tuples())
            assert {c: v.answers for c, v in by.items() if v.answers} == {c: n for c, (_a, n) in expected.items()}
            assert {c: v.average for c, v in by.items() if v.answers} == pytest.approx(
                {c: float(avg) for c, (avg, _n) in expected.items()})


def test_a_template_cannot_rate_one_criterion_twice(app, http, login_as):
    with app.test_request_context():
        twice = [{"kind": "rating", "criterion": "courtesy", "required": True, "text": "¿Lo trataron bien?"},
                 {"kind": "rating", "criterion": "courtesy", "required": True, "text": "¿Fueron amables?"}]
        with pytest.raises(surveys.SurveyError):
            make_template(twice, name="Dos veces")
        # A criterion on a question that is not a rating is dropped, so it does not count as a repeat.
        make_template([twice[0], {**twice[1], "kind": "yes_no"}], name="Una vez")
    login_as("quality")
    form = {"name": "Encuesta repetida", "intro": "", "is_active": "y", "op": "save",
            "questions-0-kind": "rating", "questions-0-text": "¿Lo trataron bien?", "questions-0-criterion": "courtesy",
            "questions-0-required": "y", "questions-1-kind": "rating", "questions-1-text": "¿Fueron amables?",
            "questions-1-criterion": "courtesy", "questions-1-required": "y"}
    refused = http.post("/encuestas/plantillas/nueva", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="questions-1-criterion-error"' in page and 'id="questions-0-criterion-error"' not in page
    assert not SurveyTemplate.select().where(SurveyTemplate.name == "Encuesta repetida").exists()
    form["questions-1-criterion"] = "communication"
    assert http.post("/encuestas/plantillas/nueva", data=form).status_code == 303


def test_invitations_keep_the_area_and_responsible_they_are_filtered_by(app, record):
    with app.test_request_context():
        third = record["cases"][2]  # Ana Ruiz's divorce: family law, Pedro
        by_case, _t = make_invitation(record["template"], case=third)
        ana = third.client
        by_hand = surveys.invite(ana, None, record["template"], email="")  # no case: the client's area
        other, _t = make_invitation(record["template"], case=record["cases"][0])
        by_case, by_hand = SurveyInvitation.get_by_id(by_case.id), SurveyInvitation.get_by_id(by_hand.id)
        assert (by_case.practice_area_id, by_case.responsible_id) == (record["family"].id, record["pedro"].id)
        assert by_hand.practice_area_id == record["family"].id and by_hand.responsible_id == ana.responsible_id
        default = Filters.default().__dict__
        assert survey_results.invitations(Filters(**default)).pending == 3
        by_area = survey_results.invitations(Filters(**{**default, "practice_area": record["family"].id}))
        assert by_area.pending == 2
        by_person = survey_results.invitations(Filters(**{**default, "responsible": record["laura"].id}))
        assert by_person.pending == 1 and other.id
        with count_queries() as counter:
            survey_results.invitations(Filters(**{**default, "practice_area": record["family"].id,
                                                  "responsible": record["pedro"].id}))
        assert counter.count == 1


def test_far_dates_and_huge_ids_in_the_results_filters(app, http, login_as):
    login_as("quality")
    for query in ("desde=9999-12-01&hasta=9999-12-31", "desde=0001-01-01&hasta=0001-02-01",
                  f"area={BIG}&responsable={BIG}&encuesta={BIG}", f"pagina={BIG}"):
        for page in ("", "/respuestas", "/comentarios"):
            response = http.get(f"/encuestas/resultados{page}?{query}")
            assert response.status_code == 200, (page, query)
    assert http.get(f"/encuestas/resultados/exportar.csv?desde=9999-12-01&area={BIG}").status_code == 200
    assert http.get(f"/encuestas?estado=x&pagina={BIG}").status_code == 200


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
