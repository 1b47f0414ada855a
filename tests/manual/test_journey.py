"""The client journey (issue 17, "Mapear el recorrido del cliente"): the stages of the service cycle with their
moments of truth, critical or stellar, each linked to its step of PRO 008; live figures right with known data (the
clock frozen): how many are at each stage now, the median days spent in it over the last 12 months (nearest rank,
the lower middle for an even count), the survey's response rate and the contracts renewed; the counts of now in one
query, the period's figures once a day (one query a stage) and then read back in one."""

import re
from datetime import datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core import jobs
from core.db import utcnow
from core.i18n import to_utc
from models.cases import Case, CaseStatusChange
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.journey import JourneyFigure
from models.surveys import SurveyInvitation, SurveyTemplate
from services.manual import journey as service

pytestmark = pytest.mark.usefixtures("clock")
LONG_AGO = 730  # days: outside the 12 months


def _client(name, status="prospect", created=None):
    return Client.create(name=name, name_key=name.lower(), status=status, created_at=created or datetime(2020, 1, 1))


def _move(client, from_status, to_status, at):
    ClientStatusChange.create(client=client, from_status=from_status, to_status=to_status, created_at=at)


def _firm(today, owner, tag=0):
    """Known rows around the firm's ``today``; moments at UTC midnights so the days are whole."""
    midnight = to_utc(datetime.combine(today, time()))

    def ago(days):
        return midnight - timedelta(days=days)

    def day(days):
        return today - timedelta(days=days)

    # First contact: three prospects now; four moved to evaluation in the period after 1, 2, 4 and 10 days (median
    # 2, the lower middle), one long ago (left out).
    for name in ("Ana", "Beto", "Carla"):
        _client(name)
    moved = []
    for name, status, waited in (("Dora", "evaluating", 2), ("Elsa", "evaluating", 4), ("Fede", "accepted", 10),
                                 ("Hugo", "active", 1)):
        c = _client(name, status, created=ago(60))
        _move(c, "prospect", "evaluating", ago(60 - waited))
        moved.append((c, waited))
    old = _client("Gil", "rejected", created=ago(LONG_AGO + 200))
    _move(old, "prospect", "evaluating", ago(LONG_AGO + 100))
    _move(old, "evaluating", "rejected", ago(LONG_AGO + 97))
    # Evaluation: two being evaluated now (Dora, Elsa); Fede decided after 6 days, Hugo after 9 (median 6).
    fede, hugo = moved[2][0], moved[3][0]
    _move(fede, "evaluating", "accepted", ago(60 - 10 - 6))
    _move(hugo, "evaluating", "accepted", ago(60 - 1 - 9))
    _move(hugo, "accepted", "active", ago(40))
    # Quotation: one awaiting an answer; answered after 3 and 7 days; one long ago.
    number = iter(range(100 * tag + 1, 100 * tag + 100))
    Quotation.create(client=fede, number=next(number), status="sent", valid_until=day(-20), sent_at=ago(2))
    accepted = Quotation.create(client=hugo, number=next(number), status="accepted", valid_until=day(0),
                                sent_at=ago(20), decided_at=ago(17))
    Quotation.create(client=hugo, number=next(number), status="rejected", valid_until=day(0), sent_at=ago(50),
                     decided_at=ago(43))
    Quotation.create(client=hugo, number=next(number), status="accepted", valid_until=day(LONG_AGO),
                     sent_at=ago(LONG_AGO + 30), decided_at=ago(LONG_AGO))
    # Contract: one awaiting signature; one signed 5 days after the proposal was accepted.
    Contract.create(client=hugo, quotation=accepted, status="draft", start_date=day(0), end_date=day(-365))
    Contract.create(client=hugo, quotation=accepted, status="active", start_date=day(12), end_date=day(-200),
                    signed_on=day(12))
    # Renewal: one active contract ending within 60 days (another in 90 does not count); of the two that ended in the
    # period one was renewed (50 %); one renewed long ago is left out.
    renewed = Quotation.create(client=hugo, number=next(number), status="draft", valid_until=day(0))
    for status, ends, signed in (("active", -30, 300), ("active", -90, 300), ("renewed", 10, 400),
                                 ("expired", 20, 400), ("renewed", LONG_AGO, LONG_AGO + 300)):
        Contract.create(client=hugo, quotation=renewed, status=status, start_date=day(signed), end_date=day(ends),
                        signed_on=day(signed))
    # Cases: one being planned; one in progress (planned in 3 days); one resolved in 20 days and not closed; one
    # resolved in 30 days and closed 2 days later.
    Case.create(client=hugo, title="Planificándose", status="open", opened_on=day(1))
    k2 = Case.create(client=hugo, title="En curso", status="in_progress", opened_on=day(40))
    CaseStatusChange.create(case=k2, from_status="open", to_status="in_progress", created_at=ago(37))
    Case.create(client=hugo, title="Resuelto", status="resolved", opened_on=day(100), resolved_at=ago(80))
    Case.create(client=hugo, title="Cerrado", status="closed", opened_on=day(200), resolved_at=ago(170),
                closed_at=ago(168))
    # Survey: one awaiting an answer; one answered in 2 days; one expired unanswered; one long ago.
    template = SurveyTemplate.create(name="Satisfacción", family=tag + 1)
    for status, sent, answered in (("sent", 3, None), ("answered", 10, 8), ("expired", 20, None),
                                   ("answered", LONG_AGO, LONG_AGO - 1)):
        SurveyInvitation.create(template=template, client=hugo, status=status, send_on=day(sent), sent_at=ago(sent),
                                answered_at=ago(answered) if answered is not None else None,
                                expires_at=ago(sent - 30))
    # Complaints: one open; one resolved in 4 days.
    Complaint.create(number=f"Q-{tag}-1", description="Demora", received_at=ago(1), owner=owner, status="received")
    Complaint.create(number=f"Q-{tag}-2", description="Cobro", received_at=ago(15), resolved_at=ago(11), owner=owner,
                     status="resolved")


def test_the_figures_are_right(app, make_user, firm_today):
    with app.test_request_context():
        _firm(firm_today, make_user(roles=("service",)))
        with count_queries() as first:
            stages = dict((stage.key, figures) for stage, figures in service.journey(firm_today))
        with count_queries() as again:
            assert dict((stage.key, figures) for stage, figures in service.journey(firm_today)) == stages
    # now (1), the day's kept figures (1), one query a stage (10), keeping them (1); then only the first two
    assert (first.count, again.count) == (3 + len(service.STAGES), 2)
    got = {key: (f.now, f.median, f.n) for key, f in stages.items()}
    assert got == {"intake": (3, 2.0, 4), "evaluation": (2, 6.0, 2), "quotation": (1, 3.0, 2),
                   "contract": (1, 5.0, 1), "planning": (1, 3.0, 1), "execution": (1, 20.0, 2),
                   "closing": (1, 2.0, 1), "survey": (1, 2.0, 1), "complaints": (1, 4.0, 1),
                   "renewal": (1, None, 0)}
    assert (stages["survey"].hits, stages["survey"].base, stages["survey"].rate) == (1, 3, 33.3)
    assert (stages["renewal"].hits, stages["renewal"].base, stages["renewal"].rate) == (1, 2, 50.0)


def test_the_page_shows_the_cycle_with_its_critical_moments(app, http, login_as, make_user, firm_today):
    with app.test_request_context():
        _firm(firm_today, make_user(roles=("service",)))
    login_as("operations")  # whoever reads the manual
    index = http.get("/manual").get_data(as_text=True)
    assert 'href="/manual/recorrido"' in index
    html = http.get("/manual/recorrido").get_data(as_text=True)
    keys = re.findall(r'data-testid="stage-(\w+)"', html)
    assert keys == [s.key for s in service.STAGES]
    assert "Recorrido del cliente" in html and "Momento de verdad" in html
    stage = html.split('data-testid="stage-intake"')[1].split('data-testid="stage-evaluation"')[0]
    assert re.search(r"<dt>Ahora: prospectos</dt><dd><strong>3</strong></dd>", stage)
    assert re.search(r"<strong>2 días</strong> desde el registro", stage) and "(sobre 4)" in stage
    assert 'href="/manual/codigo/PRO%20008?seccion=procedure"' in stage and "PRO 008 § 5.1.1–5.1.2" in stage
    # A critical moment says so in words (for a screen reader) and with its mark, not by colour alone.
    assert re.search(r'class="tp tp-critical" data-critical="1"><span class="tp-mark" aria-hidden="true">!</span> '
                     r'<span class="visually-hidden">Crítico:</span> Primera llamada', stage)
    survey = html.split('data-testid="stage-survey"')[1].split('data-testid="stage-complaints"')[0]
    assert "<strong>33,3 %</strong> encuestas respondidas" in survey and "(1/3)" in survey
    renewal = html.split('data-testid="stage-renewal"')[1]
    assert "<strong>50 %</strong> contratos renovados" in renewal and 'data-testid="median"' not in renewal


def test_the_page_costs_the_same_queries_whatever_the_data(app, http, login_as, make_user, firm_today):
    login_as("commercial")
    http.get("/manual/recorrido")
    with count_queries() as empty:
        assert http.get("/manual/recorrido").status_code == 200
    with app.test_request_context():
        _firm(firm_today, make_user(roles=("service",)))
        _firm(firm_today - timedelta(days=40), make_user(roles=("service",)), tag=1)
    with count_queries() as full:
        assert http.get("/manual/recorrido").status_code == 200
    assert empty.count == full.count == 2 + 2  # the session with its user, its roles; now; the day's kept figures


def test_the_period_is_closed_days_kept_for_the_day_and_the_job_computes_it_first(app, clock, make_user, firm_today):
    """The medians and rates cover the 12 months to yesterday: computed once a day and kept (what happens today
    moves the counts of now, not the period's figures); the next day they are computed again, by the job
    ``recorrido_del_cliente`` before anyone reads them, which forgets the days before."""
    owner = make_user(roles=("service",))
    with app.test_request_context():
        _firm(firm_today, owner)
        before = dict((stage.key, f) for stage, f in service.journey(firm_today))
        # today: a complaint received and resolved in 0 days, a prospect registered
        Complaint.create(number="Q-hoy", description="Hoy", received_at=utcnow(),
                         resolved_at=utcnow(), owner=owner, status="resolved")
        _client("Iván")
        today = dict((stage.key, f) for stage, f in service.journey(firm_today))
    assert today["intake"].now == before["intake"].now + 1
    assert (today["complaints"].median, today["complaints"].n) == (before["complaints"].median, 1) == (4.0, 1)
    assert list(JourneyFigure.select(JourneyFigure.day).distinct().tuples()) == [(firm_today,)]
    clock.shift(timedelta(days=1))
    with app.app_context():
        results = {r.name: r for r in jobs.run()}
        assert results["recorrido_del_cliente"].ok and results["recorrido_del_cliente"].count == len(service.STAGES)
        assert [r.count for r in jobs.run() if r.name == "recorrido_del_cliente"] == [0]  # once a day
        tomorrow = firm_today + timedelta(days=1)
        assert list(JourneyFigure.select(JourneyFigure.day).distinct().tuples()) == [(tomorrow,)]
    with app.test_request_context():
        with count_queries() as counter:
            later = dict((stage.key, f) for stage, f in service.journey(tomorrow))
    assert counter.count == 2  # the job computed them: the reader only reads
    assert (later["complaints"].median, later["complaints"].n) == (0.0, 2)  # the lower middle of 0 and 4 days


def test_the_renewal_stage_follows_the_renewal_window(app, http, login_as, make_user, firm_today):
    """A contract is at the renewal stage within TRAZA_RENEWAL_WINDOW_DAYS of its end, as in the renewal queue."""
    with app.test_request_context():
        _firm(firm_today, make_user(roles=("service",)))
    login_as("commercial")
    app.config["RENEWAL_WINDOW_DAYS"] = 100
    renewal = http.get("/manual/recorrido").get_data(as_text=True).split('data-testid="stage-renewal"')[1]
    assert re.search(r"<dt>Ahora: contratos que vencen en los próximos 100 días</dt><dd><strong>2</strong>", renewal)


def test_the_bench_floor_runs_the_pages_queries(app, make_user, firm_today):
    """The page is in the bench at full size; its floor runs the same ten queries and finds the same figures."""
    from bench import floors
    from bench.pages import PAGES

    page = next(p for p in PAGES if p.url == "/manual/recorrido")
    with app.test_request_context():
        _firm(firm_today, make_user(roles=("service",)))
    reader = make_user(roles=(page.role,))
    floors.shell.cache_clear()  # test databases reuse ids
    floor_app, urls = floors.make_app([page], {page.role: reader.id})
    html = floor_app.test_client().get(urls[page.name]).get_data(as_text=True)
    assert re.findall(r"<h2>\d+\. (\w+)</h2>", html) == [s.key for s in service.STAGES]
    intake = html.split("1. intake")[1].split("2. evaluation")[0]
    assert "<dd>3</dd>" in intake and "<dd>2.0 (4)</dd>" in intake
    assert "<dd>1/3</dd>" in html.split("8. survey")[1]
