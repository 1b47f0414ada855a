"""Survey figures that add up (issue 11, item 8): responses and answered invitations from one definition,
the response rate as responses over invitations sent in the same slice, the "Satisfacción general" row fed
by the default survey, anonymous answers in the figures only by groups of SURVEY_MIN_ANONYMOUS a month (the
page, the lists and the exports alike), an invitation list that does not tell who answered an anonymous
survey, and two distinct words for the survey's send-by day and the link's expiry.

Every date here is the firm's (America/Bogota): the clock is frozen at instants whose UTC day differs from
the firm's, so a figure taken from the machine's or UTC's day would land on the wrong day."""

import csv
import importlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from core.db import db
from models.cases import Case
from models.surveys import SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from services import surveys
from services.surveys import results as survey_results
from services.surveys.results import Filters
from tests.factories import make_case, make_client, make_user
from tests.surveys.survey_helpers import ANONYMOUS_QUESTIONS, answers_for, make_template

MIGRATION = importlib.import_module("migrations.0012_default_survey_overall_question")


FIRM_ZONE = ZoneInfo("America/Bogota")  # the firm's time zone in the tests' configuration (checked below)


@pytest.fixture(autouse=True)
def _firm_zone(app):
    assert app.config["TIMEZONE"] == FIRM_ZONE.key


def _at(*local) -> datetime:
    """A firm-local wall-clock time as an aware UTC instant (what time_machine travels to)."""
    return datetime(*local, tzinfo=FIRM_ZONE).astimezone(UTC)


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def _figures(http, query: str = "") -> dict:
    html = http.get(f"/encuestas/resultados{query}").get_data(as_text=True)
    return {key: _figure(html, key) for key in ("responses", "invitations-answered", "invitations-sent",
                                                "response-rate", "satisfaction-rate", "nps", "low-scores")} | {
        "html": html}


def _case(name: str, lawyer):
    return make_case(client=make_client(name=name, document_number=str(abs(hash(name)) % 10**9)),
                     responsible=lawyer)


def _hand_over(template, case, actor, at: datetime) -> str:
    """An invitation handed over as a link or QR code at ``at`` (the by-hand path); its token."""
    with time_machine.travel(at, tick=False):
        invitation = surveys.invite(case.client, case, template, email="", actor=actor)
        return surveys.hand_over_link(invitation, actor)


def _answer(http, token: str, data: dict) -> None:
    assert http.post(f"/e/{token}", data=data).status_code == 303


# ----- one definition: responses, answered invitations and the response rate -----

def test_responses_agree_with_answered_invitations_and_the_rate_is_responses_over_sent(app, http, login_as):
    """A survey handed over on 27 February and answered late on 1 March (already 2 March in UTC) counts as a
    response and as an answered invitation of 1 March, and as sent on 27 February."""
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        template = surveys.default_template()
        late = _hand_over(template, _case("Ana Ruiz", lawyer), lawyer, _at(2026, 2, 27, 10, 0))
        same_day = _hand_over(template, _case("Jorge Pardo", lawyer), lawyer, _at(2026, 3, 1, 9, 0))
        _hand_over(template, _case("Lucía Méndez", lawyer), lawyer, _at(2026, 3, 1, 10, 0))  # never answered
        data = answers_for(template, rating=5, nps=10)
    with time_machine.travel(_at(2026, 3, 1, 23, 30), tick=False):
        _answer(http, late, data)
        _answer(http, same_day, data)
        assert {r.answered_on for r in SurveyResponse.select()} == {date(2026, 3, 1)}  # the firm's day
        login_as("quality")
        first_of_march = _figures(http, "?desde=2026-03-01&hasta=2026-03-01")
        three_days = _figures(http, "?desde=2026-02-27&hasta=2026-03-01")
        february = _figures(http, "?desde=2026-02-01&hasta=2026-02-28")
    assert first_of_march["responses"] == first_of_march["invitations-answered"] == "2"
    assert first_of_march["invitations-sent"] == "2" and first_of_march["response-rate"] == "100 %"
    assert three_days["responses"] == three_days["invitations-answered"] == "2"
    assert three_days["invitations-sent"] == "3" and three_days["response-rate"] == "67 %"
    assert (february["responses"], february["invitations-answered"], february["invitations-sent"]) == ("0", "0", "1")
    assert february["response-rate"] == "0 %"


def test_anonymous_and_by_hand_answers_count_alike_and_area_filters_leave_anonymous_surveys_out(app, http, login_as):
    app.config["SURVEY_MIN_ANONYMOUS"] = 1  # the threshold has its own tests below
    now = _at(2026, 5, 13, 20, 0)
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        named, anonymous = surveys.default_template(), make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        by_hand = _hand_over(named, _case("Ana Ruiz", lawyer), lawyer, now - timedelta(hours=3))
        anon = _hand_over(anonymous, _case("Jorge Pardo", lawyer), lawyer, now - timedelta(hours=2))
        area = Case.get(Case.id == SurveyInvitation.get(SurveyInvitation.id == 1).case_id).practice_area_id
        named_data, anonymous_data = answers_for(named), answers_for(anonymous)
    with time_machine.travel(now, tick=False):
        _answer(http, by_hand, named_data)
        _answer(http, anon, anonymous_data)
        login_as("quality")
        everything = _figures(http)
        by_area = _figures(http, f"?area={area}")
        by_lawyer = _figures(http, f"?responsable={lawyer.id}")
    assert everything["responses"] == everything["invitations-answered"] == everything["invitations-sent"] == "2"
    # Anonymous answers keep no area or responsible: the filtered slice leaves out their invitations too.
    for sliced in (by_area, by_lawyer):
        assert sliced["responses"] == sliced["invitations-answered"] == sliced["invitations-sent"] == "1"
        assert 'data-testid="anonymous-unfiltered"' in sliced["html"]
    assert 'data-testid="anonymous-unfiltered"' not in everything["html"]


# ----- "Satisfacción general" from the default survey -----

def test_the_default_survey_feeds_the_overall_satisfaction_row(app, http, login_as):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Clara Quintero")
        template = surveys.default_template(quality)  # as the demo and the first case closing create it
        overall = SurveyQuestion.get(SurveyQuestion.template == template.id, SurveyQuestion.criterion == "overall")
        token = _hand_over(template, _case("Ana Ruiz", quality), quality, _at(2026, 5, 13, 9, 0))
        data = answers_for(template, rating=5, nps=9, **{f"q{overall.id}": "3"})
    with time_machine.travel(_at(2026, 5, 13, 21, 0), tick=False):
        _answer(http, token, data)
        with app.test_request_context():
            by = {c.criterion: c for c in survey_results.criteria(Filters.default())}
        login_as(user=quality)
        html = http.get("/encuestas/resultados").get_data(as_text=True)
    assert overall.kind == "rating" and overall.required
    assert (by["overall"].average, by["overall"].answers) == (3.0, 1)
    # Under 4: the criterion offers an improvement action (issue 16).
    row = re.search(r"Satisfacción general(?:<span[^>]*>[^<]*</span>)?\s*(<a [^>]*>Abrir acción de mejora</a>)</th>"
                    r"(.*?)</tr>", html, re.S).group(2)
    assert re.search(r">3</td>", row) and re.search(r">1</td>", row)


def _shipped_questions():
    help_ = "1 = muy insatisfecho · 5 = muy satisfecho"
    return [{"kind": kind, "criterion": criterion, "text": text, "required": kind != "text", "help": help_}
            for kind, criterion, text in MIGRATION.SHIPPED]


def _make_default(questions):
    return surveys.save_template(None, {"name": surveys.DEFAULT_NAME, "intro": "", "anonymous": False,
                                        "is_active": True, "is_default": True}, questions, None)


def _shape(template_id):
    return [(q.position, q.criterion or q.kind) for q in SurveyQuestion.select().where(
        SurveyQuestion.template == template_id).order_by(SurveyQuestion.position)]


def test_migration_adds_the_overall_question_to_a_default_survey_still_as_shipped(app):
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        shipped = _make_default(_shipped_questions())
        assert MIGRATION.SHIPPED == [(q["kind"], q["criterion"], q["text"]) for q in surveys.DEFAULT_QUESTIONS
                                     if q["criterion"] != "overall"]
        invitation = surveys.invite(_case("Ana Ruiz", lawyer).client, None, shipped, email="")
        MIGRATION.up(None, db.obj)
        current = SurveyTemplate.current_default()
        assert current.id != shipped.id and current.family == shipped.family and current.version == 2
        assert not SurveyTemplate.get_by_id(shipped.id).is_current  # the invitation keeps the version it used
        assert SurveyInvitation.get_by_id(invitation.id).template_id == shipped.id
        expected = [(1, "response_times"), (2, "communication"), (3, "courtesy"), (4, "commitments"),
                    (5, "accessibility"), (6, "facilities"), (7, "overall"), (8, "nps"), (9, "text")]
        assert _shape(current.id) == expected
        assert [q.text for q in current.ordered_questions()] == [q["text"] for q in surveys.DEFAULT_QUESTIONS]
        MIGRATION.up(None, db.obj)  # nothing left to do
        assert SurveyTemplate.select().count() == 2


def test_migration_edits_an_unused_default_in_place_leaves_a_changed_one_alone_and_goes_down(app):
    with app.test_request_context():
        unused = _make_default(_shipped_questions())
        MIGRATION.up(None, db.obj)
        assert SurveyTemplate.current_default().id == unused.id and _shape(unused.id)[6] == (7, "overall")
        MIGRATION.down(None, db.obj)
        assert [c for _p, c in _shape(unused.id)] == [c or k for k, c, _t in MIGRATION.SHIPPED]
        assert [p for p, _c in _shape(unused.id)] == list(range(1, 9))
        changed = _make_default(_shipped_questions()[:3])  # the firm's own survey, now the default
        MIGRATION.up(None, db.obj)
        assert SurveyTemplate.current_default().id == changed.id and len(_shape(changed.id)) == 3


# ----- anonymous answers: only by groups of SURVEY_MIN_ANONYMOUS -----

@pytest.fixture
def anonymous_round(app):
    """One named answer (all 5, NPS 10) and three anonymous invitations handed over; answering is the test's."""
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        named, anonymous = surveys.default_template(), make_template(ANONYMOUS_QUESTIONS, anonymous=True)
        start = _at(2026, 5, 13, 8, 0)
        named_token = _hand_over(named, _case("María Rojas", lawyer), lawyer, start)
        tokens = [_hand_over(anonymous, _case(name, lawyer), lawyer, start + timedelta(minutes=i + 1))
                  for i, name in enumerate(("Ana Ruiz", "Jorge Pardo", "Lucía Méndez"))]
        low = answers_for(anonymous, rating=1, nps=0, comment="Muy mala atención")
        return {"named": (named_token, answers_for(named, rating=5, nps=10)), "tokens": tokens, "low": low,
                "lawyer": lawyer}


ANSWERED_AT = _at(2026, 5, 13, 22, 0)  # already 14 May in UTC


def _export_rows(http, fmt: str) -> list[list[str]]:
    response = http.get(f"/encuestas/resultados/exportar.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]


def test_two_anonymous_answers_stay_out_of_the_figures_and_three_enter_them(app, http, login_as, anonymous_round):
    assert app.config["SURVEY_MIN_ANONYMOUS"] == 3  # the default
    with time_machine.travel(ANSWERED_AT, tick=False):
        _answer(http, *anonymous_round["named"])
        for token in anonymous_round["tokens"][:2]:
            _answer(http, token, anonymous_round["low"])
        login_as("quality")
        two = _figures(http)
        two_listed = http.get("/encuestas/resultados/respuestas").get_data(as_text=True)
        two_comments = http.get("/encuestas/resultados/comentarios").get_data(as_text=True)
        with app.test_request_context():
            two_overall = {c.criterion: c for c in survey_results.criteria(Filters.default())}["overall"]
        _answer(http, anonymous_round["tokens"][2], anonymous_round["low"])
        three = _figures(http)
        three_listed = http.get("/encuestas/resultados/respuestas").get_data(as_text=True)
        with app.test_request_context():
            three_overall = {c.criterion: c for c in survey_results.criteria(Filters.default())}["overall"]
    # Two: they count as responses (the rate agrees with the invitations), but no score of theirs shows.
    assert two["responses"] == two["invitations-answered"] == "3"
    assert (two["satisfaction-rate"], two["nps"], two["low-scores"]) == ("100 %", "+100", "0")
    assert (two_overall.average, two_overall.answers) == (5.0, 1)
    for page in (two["html"], two_listed, two_comments):
        assert 'data-testid="anonymous-hidden"' in page and "su mes tiene menos de 3" in page
    assert 'data-testid="anonymous-left-out"' not in two_listed
    trend = re.search(r'data-testid="trend-table">(.*?)</table>', two["html"], re.S).group(1)
    assert "100 %" in trend and "−" not in trend and "-100" not in trend  # the month's bar leaves them out too
    # Three: every figure takes them in (7 ratings of 5 and three of 1; NPS 1 promoter, 3 detractors).
    assert three["responses"] == three["invitations-answered"] == "4"
    assert (three["satisfaction-rate"], three["nps"], three["low-scores"]) == ("70 %", "-50", "3")
    assert (three_overall.average, three_overall.answers) == (pytest.approx(2.0), 4)
    assert 'data-testid="anonymous-hidden"' not in three["html"] + three_listed
    assert "3 respuestas anónimas solo cuentan en los totales" in three_listed
    assert "Muy mala atención" not in three_listed


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_anonymous_answers_only_as_one_summary_row_from_three(app, http, login_as, anonymous_round,
                                                                              fmt):
    with time_machine.travel(ANSWERED_AT, tick=False):
        _answer(http, *anonymous_round["named"])
        for token in anonymous_round["tokens"][:2]:
            _answer(http, token, anonymous_round["low"])
        login_as("quality")
        two = _export_rows(http, fmt)
        _answer(http, anonymous_round["tokens"][2], anonymous_round["low"])
        three = _export_rows(http, fmt)
    header = two[0]
    column = {name: i for i, name in enumerate(header)}
    assert [r[column["anonima"]] for r in two[1:]] == ["No"]  # the named answer alone
    assert [r[column["anonima"]] for r in three[1:]] == ["No", "Sí"]
    summary = three[-1]
    assert summary[column["encuesta"]] == "Respuestas anónimas: 3 (promedios)"
    assert summary[column["fecha"]].endswith("/2026-05-13") and summary[column["cliente"]] == ""
    assert summary[column["satisfaccion_general"]] in ("1.0", "1") and summary[column["puntuacion_baja"]] == "3"
    assert summary[column["comentarios"]] == "" and "Muy mala atención" not in str(three)


# ----- the invitation list does not tell who answered an anonymous survey -----

def test_the_invitation_list_does_not_tell_which_anonymous_invitation_was_answered(app, http, login_as,
                                                                                   anonymous_round):
    answered_token, waiting_token = anonymous_round["tokens"][:2]
    with time_machine.travel(ANSWERED_AT, tick=False):
        _answer(http, answered_token, anonymous_round["low"])
        _answer(http, *anonymous_round["named"])
        anonymous = SurveyInvitation.select().where(SurveyInvitation.email == "").order_by(SurveyInvitation.id)[1:]
        answered = [i for i in anonymous if i.status == "answered"]
        assert len(answered) == 1 and len(anonymous) == 3
        SurveyInvitation.update(reminders_sent=1).where(SurveyInvitation.status == "sent").execute()
        login_as("service")
        listing = http.get("/encuestas").get_data(as_text=True)
        answered_filter = http.get("/encuestas?estado=answered").get_data(as_text=True)
        sent_filter = http.get("/encuestas?estado=sent").get_data(as_text=True)
        page = http.get(f"/encuestas/invitaciones/{answered[0].id}").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", listing, re.S)
    anonymous_rows = [r for r in rows if "Encuesta anónima" in r]
    assert len(anonymous_rows) == 3 and len(set(re.sub(r"<a href[^>]*>[^<]*</a>|>[^<]*·[^<]*<", "", r)
                                                 for r in anonymous_rows)) >= 1
    for row in anonymous_rows:
        assert ">Enviada<" in row and "Respondida" not in row and "recordatorio" not in row
    assert "María Rojas" in answered_filter and "Encuesta anónima" not in answered_filter  # named ones as they are
    assert sent_filter.count("Encuesta anónima") == 3
    assert ">Enviada<" in page and "Respondida" not in page and 'data-testid="anonymous-timeline"' in page
    # Once the links expire, answered or not, they all read "closed".
    with time_machine.travel(ANSWERED_AT + timedelta(days=20), tick=False):
        with app.test_request_context():
            surveys.expire_invitations()
        login_as("service")
        closed = http.get("/encuestas").get_data(as_text=True)
        closed_filter = http.get("/encuestas?estado=closed").get_data(as_text=True)
        expired_filter = http.get("/encuestas?estado=expired").get_data(as_text=True)
    closed_rows = [r for r in re.findall(r"<tr>(.*?)</tr>", closed, re.S) if "Encuesta anónima" in r]
    assert len(closed_rows) == 3 and all("Cerrada (anónima)" in r for r in closed_rows)
    assert closed_filter.count("Encuesta anónima") == 3 and "Encuesta anónima" not in expired_filter


def test_shown_status_and_its_filter_agree(app, anonymous_round):
    with time_machine.travel(ANSWERED_AT, tick=False):
        invitations = list(SurveyInvitation.listing())
        for status in ("pending", "sent", "opened", "answered", "expired", "withdrawn", "closed"):
            shown = {i.id for i in invitations if i.shown_status() == status}
            assert {i.id for i in SurveyInvitation.listing(status)} == shown, status
            assert SurveyInvitation.count_listing(status) == len(shown), status


# ----- two words: send the survey by … / the link expires on … -----

def test_send_by_day_and_link_expiry_read_differently(app, http, login_as):
    with app.test_request_context():
        lawyer = make_user(roles=("operations", "service"), name="Laura Gómez")
        case = _case("Ana Ruiz", lawyer)
        token_case = _case("Jorge Pardo", lawyer)
        _hand_over(surveys.default_template(), token_case, lawyer, _at(2026, 5, 13, 9, 0))
    with time_machine.travel(_at(2026, 5, 13, 21, 0), tick=False):
        Case.update(status="closed", closed_at=datetime(2026, 5, 13, 12, 0), survey_due_on=date(2026, 5, 18)).where(
            Case.id == case.id).execute()
        login_as(user=lawyer)
        closing = http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)
        work = http.get("/mi-trabajo").get_data(as_text=True)
        invitation = SurveyInvitation.get(SurveyInvitation.case == token_case.id)
        listing = http.get("/encuestas").get_data(as_text=True)
        page = http.get(f"/encuestas/invitaciones/{invitation.id}").get_data(as_text=True)
    assert "Enviar la encuesta de satisfacción a más tardar el 18 may 2026" in closing
    assert "vence" not in closing.lower()
    assert "Enviar a más tardar el 18 may" in work
    assert "El enlace caduca el" in page and "El enlace caduca el" in listing
    assert "Vence" not in page and "Válida hasta" not in listing
