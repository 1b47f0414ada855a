"""The four indicators added to the first seven (surveys sent on time, days from first contact to contract,
clients updated on time, deadlines met) at the edges of the firm's local day, their pages' query counts, and the
improvement action an indicator off target or a survey criterion under 4 proposes (prefilled, validated)."""

from datetime import date, datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.i18n import to_utc
from models.cases import Case
from models.clients import Client
from models.commercial import Contract, Quotation
from models.documents import Deadline
from models.interactions import Interaction
from models.quality import ImprovementAction
from models.quality_targets import QualityTarget
from models.surveys import SurveyInvitation, SurveyResponse, SurveyTemplate
from services.quality import indicators as ind
from tests.factories import make_client

pytestmark = pytest.mark.usefixtures("clock")

# 23:50 on Monday 9 March 2026 in Bogotá: already the 10th in UTC (and in Kiritimati).
NEAR_MIDNIGHT = datetime(2026, 3, 10, 4, 50)
PERIOD = ind.Period(date(2026, 1, 1), date(2026, 3, 9))


def _local(day, hour, minute=0):
    return to_utc(datetime.combine(day, time(hour, minute)))


def _template():
    return SurveyTemplate.create(name="Encuesta", family=0)


def _case(client, owner, closed_at):
    return Case.create(client=client, title="Caso", opened_on=date(2025, 12, 1), responsible=owner, status="closed",
                       closed_at=closed_at)


def _invite(template, case, sent_at=None, withdrawn_at=None):
    return SurveyInvitation.create(template=template, client=case.client_id, case=case, send_on=date(2026, 1, 1),
                                   sent_at=sent_at, withdrawn_at=withdrawn_at, expires_at=datetime(2027, 1, 1),
                                   status="sent" if sent_at else "pending")


def test_local_days_decide_months_and_windows_near_midnight(app, clock, make_user):
    clock.move_to(NEAR_MIDNIGHT.replace(tzinfo=__import__("datetime").UTC))
    owner = make_user(roles=("service",))
    with app.test_request_context():
        client = make_client(name="Cliente Medianoche", document_number="52990001")
        template = _template()
        # Closed at 23:30 on 31 January (1 February in UTC), surveyed at 23:50 on 5 February: the fifth day, on time,
        # and in January.
        _invite(template, _case(client, owner, _local(date(2026, 1, 31), 23, 30)), _local(date(2026, 2, 5), 23, 50))
        # Closed at 00:10 on 1 February, surveyed at 00:05 on 7 February: the sixth day, late.
        _invite(template, _case(client, owner, _local(date(2026, 2, 1), 0, 10)), _local(date(2026, 2, 7), 0, 5))
        # Closed on 3 March and never sent: its five days ran out on the 8th, late (March).
        _invite(template, _case(client, owner, _local(date(2026, 3, 3), 23, 59)))
        # Closed at 22:00 on 4 March: its fifth day is today, not counted yet; nor one the client declined.
        _invite(template, _case(client, owner, _local(date(2026, 3, 4), 22, 0)))
        declined = _case(client, owner, _local(date(2026, 2, 10), 12, 0))
        _invite(template, declined, withdrawn_at=_local(date(2026, 2, 11), 9, 0))
        surveys = ind.compute("encuestas", PERIOD, ind.Filters())
        assert [(v, n) for _m, v, n in surveys.by_month] == [(100.0, 1), (0.0, 1), (0.0, 1)]

        # Registered at 23:30 on 10 January (the 11th in UTC), first contract signed on the 20th: 10 days; a
        # renewal of it in February is no first contract.
        Client.update(created_at=_local(date(2026, 1, 10), 23, 30)).where(Client.id == client.id).execute()
        first = Contract.create(client=client, quotation=Quotation.create(client=client, number=1, valid_until=PERIOD.end),
                                start_date=date(2026, 1, 20), end_date=date(2027, 1, 19), status="active",
                                signed_on=date(2026, 1, 20))
        Contract.create(client=client, quotation=Quotation.create(client=client, number=2, valid_until=PERIOD.end),
                        start_date=date(2026, 2, 20), end_date=date(2027, 2, 19), status="active",
                        signed_on=date(2026, 2, 20), renews=first)
        contract = ind.compute("contratacion", PERIOD, ind.Filters())
        assert [(v, n) for _m, v, n in contract.by_month] == [(10.0, 1), (None, 0), (None, 0)]
        assert contract.extra == {"p90": 10.0}

        # An update at 23:30 on 31 January makes the next due on 15 February, given at 23:59 that day: on time
        # (February); that one's next was due on 2 March and the client is active: late (March).
        Client.update(status="active").where(Client.id == client.id).execute()
        for moment in (_local(date(2026, 1, 31), 23, 30), _local(date(2026, 2, 15), 23, 59)):
            Interaction.create(client=client, occurred_at=moment, direction="out", kind="update", summary="Avance")
        updates = ind.compute("actualizaciones", PERIOD, ind.Filters())
        assert [(v, n) for _m, v, n in updates.by_month] == [(None, 0), (100.0, 1), (0.0, 1)]

        # Due at 23:30 on 31 January, done ten minutes late: missed (January). Due at 23:59 on 28 February, done at
        # 23:00: met (February). Open, due five minutes ago: missed (March); due in five minutes: not counted.
        case = Case.get()
        for due, status, done in ((_local(date(2026, 1, 31), 23, 30), "done", _local(date(2026, 1, 31), 23, 40)),
                                  (_local(date(2026, 2, 28), 23, 59), "done", _local(date(2026, 2, 28), 23, 0)),
                                  (_local(date(2026, 3, 9), 23, 45), "open", None),
                                  (_local(date(2026, 3, 9), 23, 55), "open", None)):
            Deadline.create(case=case, description="Plazo", due_at=due, responsible=owner, alert_from=due.date(),
                            status=status, done_at=done)
        deadlines = ind.compute("plazos", PERIOD, ind.Filters())
        assert [(v, n) for _m, v, n in deadlines.by_month] == [(0.0, 1), (100.0, 1), (0.0, 1)]


def _queries(http, url):
    with count_queries() as counter:
        assert http.get(url).status_code == 200
    return counter.count


def test_the_new_indicator_pages_run_a_constant_number_of_queries(app, http, login_as, make_user):
    login_as("quality")
    owner = make_user(roles=("service",))
    keys = ("encuestas", "contratacion", "actualizaciones", "plazos")
    before = {key: _queries(http, f"/calidad/indicadores/{key}") for key in keys}
    dashboard = _queries(http, "/calidad")
    with app.test_request_context():
        template = _template()
        for n in range(6):
            client = make_client(name=f"Cliente {n}", document_number=f"5299100{n}")
            Client.update(status="active").where(Client.id == client.id).execute()
            case = _case(client, owner, _local(date(2026, 2, 1 + n), 10, 0))
            _invite(template, case, _local(date(2026, 2, 3 + n), 10, 0))
            Contract.create(client=client, quotation=Quotation.create(client=client, number=10 + n,
                                                                      valid_until=date(2026, 12, 31)),
                            start_date=date(2026, 2, 1), end_date=date(2027, 1, 31), status="active",
                            signed_on=date(2026, 2, 1 + n))
            Interaction.create(client=client, occurred_at=_local(date(2026, 1, 1 + n), 9, 0), direction="out",
                               kind="update", summary="Avance")
            Deadline.create(case=case, description="Plazo", due_at=_local(date(2026, 2, 1 + n), 17, 0),
                            responsible=owner, alert_from=date(2026, 1, 25), status="done",
                            done_at=_local(date(2026, 2, 1 + n), 12, 0))
    for key in keys:
        assert _queries(http, f"/calidad/indicadores/{key}") == before[key], key
    assert _queries(http, "/calidad") == dashboard


def test_an_indicator_off_target_proposes_an_improvement_action(app, http, login_as, make_user, firm_today):
    me = login_as("quality")
    owner = make_user(roles=("service",))
    with app.test_request_context():
        case = _case(make_client(name="Cliente Plazos", document_number="52992001"), owner,
                     _local(firm_today - timedelta(days=20), 10, 0))
        Deadline.create(case=case, description="Plazo", due_at=_local(firm_today - timedelta(days=3), 17, 0),
                        responsible=owner, alert_from=firm_today - timedelta(days=10), status="missed")
    page = http.get("/calidad/indicadores/plazos").get_data(as_text=True)
    assert 'data-testid="open-action"' not in page  # no target: nothing to be off
    with app.app_context():
        QualityTarget.create(indicator="plazos", target=95, direction="up", owner=me.id, set_by=me.id,
                             set_on=firm_today)
    page = http.get("/calidad/indicadores/plazos").get_data(as_text=True)
    link = page.split('data-testid="open-action" href="')[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith("/calidad/acciones/nueva?") and "origen=indicator" in link
    form = http.get(link).get_data(as_text=True)
    assert '<option selected value="indicator">' in form or 'value="indicator" selected' in form
    assert "0 %" in form and "95 %" in form  # the value against the target, in the reference
    with app.app_context():
        QualityTarget.update(target=0).execute()  # met: no proposal
    assert 'data-testid="open-action"' not in http.get("/calidad/indicadores/plazos").get_data(as_text=True)


def test_the_action_form_takes_a_validated_prefill(app, http, login_as, firm_today):
    me = login_as("quality")
    page = http.get("/calidad/acciones/nueva?origen=survey&ref=Comunicaci%C3%B3n%3A+3%2C2").get_data(as_text=True)
    assert 'value="Comunicación: 3,2"' in page
    assert '<option selected value="survey">' in page or 'value="survey" selected' in page
    for bad in ("origen=complaint", "origen=nada", "ref=" + "x" * 201, "ref=a%07b", "origen=", "ref="):
        response = http.get(f"/calidad/acciones/nueva?{bad}")
        assert response.status_code == 200, bad
        text = response.get_data(as_text=True)
        assert '<option selected value="manual">' in text or 'value="manual" selected' in text, bad
        assert 'name="source_ref" type="text" value=""' in text, bad
    response = http.post("/calidad/acciones/nueva", data={
        "title": "Comunicación", "description": "El criterio bajó.", "source": "survey", "source_ref": "Comunicación: 3,2",
        "owner": str(me.id), "due_on": str(firm_today + timedelta(days=30))})
    assert response.status_code == 303
    with app.app_context():
        action = ImprovementAction.get()
        assert (action.source, action.source_ref, action.complaint_id) == ("survey", "Comunicación: 3,2", None)


def test_a_survey_criterion_under_4_proposes_an_improvement_action(app, http, login_as, firm_today):
    with app.test_request_context():
        template = _template()
        client = make_client(name="Cliente Encuesta", document_number="52993001")
        for communication, courtesy in ((3, 5), (4, 5)):
            SurveyResponse.create(template=template, client=client, answered_on=firm_today,
                                  month=firm_today.replace(day=1), ratings_count=2, ratings_sum=communication + courtesy,
                                  ratings_high=1 + (communication >= 4), c_communication=communication,
                                  c_courtesy=courtesy)
    login_as("quality")
    page = http.get("/encuestas/resultados").get_data(as_text=True)
    assert 'data-testid="open-action-communication"' in page  # 3.5 < 4
    assert 'data-testid="open-action-courtesy"' not in page  # 5
    link = page.split('data-testid="open-action-communication" href="')[1].split('"')[0].replace("&amp;", "&")
    form = http.get(link).get_data(as_text=True)
    assert '<option selected value="survey">' in form or 'value="survey" selected' in form
    assert "3,5" in form
    other = app.test_client()
    login_as("commercial", client=other)  # reads the results, manages no actions
    assert 'data-testid="open-action-' not in other.get("/encuestas/resultados").get_data(as_text=True)


@pytest.mark.parametrize("zone", ["America/Bogota", "America/New_York", "Pacific/Kiritimati", "Australia/Lord_Howe"])
def test_local_days_by_bisection_match_the_time_zone_conversion(app, zone):
    """The four indicators read each row's local day from the local midnights (one conversion per day); across
    daylight-saving changes and far from UTC it is the day to_local gives."""
    from core.i18n import to_local

    app.config["TIMEZONE"] = zone
    with app.app_context():
        days = ind._LocalDays(date(2026, 3, 1), date(2026, 4, 30))
        moment = datetime(2026, 2, 25)
        while moment < datetime(2026, 5, 5):
            seconds = (moment - ind.EPOCH).total_seconds()
            assert days(seconds) == to_local(moment).date(), moment
            moment += timedelta(minutes=23)


@pytest.mark.parametrize("zone", ["America/Bogota", "America/New_York", "Australia/Lord_Howe", "Pacific/Kiritimati"])
def test_local_day_numbers_in_sql_match_the_time_zone_conversion(app, make_user, zone):
    """The SQL the surveys and updates indicators count days with: whole days from the local midnight where the
    offset holds, a daylight-saving day given whole; equal to to_local's day, on SQLite and PostgreSQL."""
    from core.i18n import to_local

    with app.app_context():
        client = make_client(name="Cliente Horario", document_number="52994001")
    app.config["TIMEZONE"] = zone
    first, last = date(2026, 3, 1), date(2026, 4, 30)
    with app.app_context():
        moment = to_utc(datetime.combine(first, time.min))
        while moment < to_utc(datetime.combine(last + timedelta(days=1), time.min)):
            Interaction.create(client=client, occurred_at=moment, summary="x")
            moment += timedelta(minutes=97)
        for d in range(1, 60, 7):  # a microsecond either side of a local midnight
            midnight = to_utc(datetime.combine(first + timedelta(days=d), time.min))
            for edge in (midnight - timedelta(microseconds=1), midnight):
                Interaction.create(client=client, occurred_at=edge, summary="x")
        number = ind._day_number(Interaction.occurred_at, first, last)
        rows = list(Interaction.select(Interaction.occurred_at, number).tuples())
        assert len(rows) > 800
        for occurred, got in rows:
            assert int(got) == (to_local(occurred).date() - first).days, occurred
