"""A draft management review keeps its survey and complaint figures between views while their tables stay as they
were (services.quality.reviews._kept_figures, migration 0040): every kind of write to those tables gives the
next view the figures of the new rows, the open complaints past due move with the clock, and approval compiles
everything again. The query counts of a first and a later view are pinned."""

from datetime import date, datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.db import utcnow
from core.i18n import to_utc
from models.clients import Client
from models.complaints import Complaint, ComplaintCategory
from models.reviews import ManagementReview, ReviewInputVersion
from models.surveys import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from services.quality import reviews as service
from tests.factories import make_client

pytestmark = pytest.mark.usefixtures("clock")

KEPT_VIEW_QUERIES = 17  # the draft page when the survey and complaint figures are kept
FIRST_VIEW_QUERIES = KEPT_VIEW_QUERIES + 12  # … and when they are compiled: seven survey and five complaint statements


def _at(day: date, hour: int = 10) -> datetime:
    return to_utc(datetime.combine(day, time(hour)))


@pytest.fixture
def period(firm_today):
    return service.default_period(firm_today)


@pytest.fixture
def rows(app, make_user, period):
    """One named response with a comment, one complaint of a category, one invitation sent: all in the period."""
    start, _end = period
    with app.app_context():
        owner = make_user(roles=("quality",), name="Rosa Calidad")
        client = make_client(owner)
        template = SurveyTemplate.create(name="Encuesta", family=0)
        question = SurveyQuestion.create(template=template, kind="text", text="Comentarios")
        day = start + timedelta(days=5)
        response = SurveyResponse.create(template=template, client=client, anonymous=False, answered_on=day,
                                         month=day.replace(day=1), ratings_count=2, ratings_sum=9, ratings_high=2,
                                         nps=10, has_comment=True)
        answer = SurveyAnswer.create(response=response, question=question, value="Respondieron el mismo día")
        category = ComplaintCategory.create(name="Demora")
        received = _at(start + timedelta(days=10))
        complaint = Complaint.create(number="Q-2025-0001", owner=owner, walk_in_name="Ana", description="Demora",
                                     kind="complaint", category=category, received_at=received,
                                     response_due_at=received + timedelta(days=2), due_at=received + timedelta(days=5),
                                     resolved_at=received + timedelta(days=1), status="resolved")
        invitation = SurveyInvitation.create(client=client, template=template, send_on=day, status="sent",
                                             sent_at=_at(day), expires_at=_at(day + timedelta(days=30)))
        return {"owner": owner, "client": client, "template": template, "question": question, "response": response,
                "answer": answer, "category": category, "complaint": complaint, "invitation": invitation}


def _inputs(app, period, firm_today):
    with app.app_context(), app.test_request_context():
        return service.compile_inputs(*period, firm_today, utcnow())


def _another_response(r, period):
    day = period[0] + timedelta(days=6)
    SurveyResponse.create(template=r["template"], anonymous=False, answered_on=day, month=day.replace(day=1),
                          ratings_count=1, ratings_sum=5, ratings_high=1, has_comment=False)


def _another_complaint(r, period):
    received = _at(period[0] + timedelta(days=12))
    Complaint.create(number="Q-2025-0002", owner=r["owner"], walk_in_name="Luis", description="Cobro", kind="claim",
                     received_at=received, due_at=received + timedelta(days=5), status="received")


# (what is written, the figure that must show it)
WRITES = {
    "a response arrives": (_another_response, lambda i: i["surveys"]["responses"] == 2),
    "a response is removed": (lambda r, p: SurveyResponse.delete().where(SurveyResponse.id == r["response"].id)
                              .execute(), lambda i: i["surveys"]["responses"] == 0),
    "an answer's words change": (lambda r, p: SurveyAnswer.update(value="Tardaron una semana").execute(),
                                 lambda i: i["surveys"]["comments"][0]["text"] == "Tardaron una semana"),
    "a question becomes a choice": (lambda r, p: SurveyQuestion.update(kind="choice").execute(),
                                    lambda i: i["surveys"]["comments"] == []),
    "an invitation is sent": (lambda r, p: SurveyInvitation.create(
        client=r["client"], template=r["template"], send_on=p[0], status="sent", sent_at=_at(p[0] + timedelta(days=1)),
        expires_at=_at(p[0] + timedelta(days=30))), lambda i: i["surveys"]["sent"] == 2),
    "a complaint is received": (_another_complaint, lambda i: i["complaints"]["total"] == 2),
    "a complaint is reopened": (lambda r, p: Complaint.update(resolved_at=None, status="analysis").execute(),
                                lambda i: i["complaints"]["resolved"] == 0 and i["complaints"]["open"] == 1),
    "a category is renamed": (lambda r, p: ComplaintCategory.update(name="Plazos").execute(),
                              lambda i: i["complaints"]["by_category"] == [{"name": "Plazos", "count": 1}]),
    "the client is blocked": (lambda r, p: Client.update(blocked_on=p[1]).where(Client.id == r["client"].id)
                              .execute(), lambda i: i["surveys"]["comments"] == []),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_their_tables_shows_on_the_next_view(app, rows, period, firm_today, write):
    do, shows = WRITES[write]
    before = _inputs(app, period, firm_today)
    assert before == _inputs(app, period, firm_today)  # kept: the same figures
    assert not shows(before)
    with app.app_context():
        version = ReviewInputVersion.current()
        do(rows, period)
        assert ReviewInputVersion.current() != version
    assert shows(_inputs(app, period, firm_today))


def test_other_writes_keep_them(app, rows, period, firm_today):
    """An edit of a client's details is not one of their inputs: the version stays."""
    with app.app_context():
        version = ReviewInputVersion.current()
        Client.update(phone="+57 601 555 0101").where(Client.id == rows["client"].id).execute()
        ManagementReview.create(period_start=period[0], period_end=period[1])
        assert ReviewInputVersion.current() == version


def test_the_open_complaints_past_due_move_with_the_clock(app, rows, period, firm_today, clock):
    """Not a write but time makes an open complaint overdue: that figure is never kept."""
    with app.app_context():
        received = _at(firm_today)
        Complaint.create(number="Q-2026-0009", owner=rows["owner"], walk_in_name="Eva", description="Sin respuesta",
                         kind="complaint", received_at=received, response_due_at=received + timedelta(days=2),
                         due_at=received + timedelta(days=10), status="received")
    assert _inputs(app, period, firm_today)["complaints"]["breached_open_now"] == 0
    clock.shift(timedelta(days=3))
    assert _inputs(app, period, firm_today)["complaints"]["breached_open_now"] == 1


def test_a_lost_version_row_comes_back_with_a_new_value(app, rows):
    """Emptied (a test's reset, a hand-made fix): a new random value, never one that named other rows."""
    with app.app_context():
        version = ReviewInputVersion.current()
        ReviewInputVersion.delete().execute()
        assert ReviewInputVersion.current() not in (version, 0)


@pytest.fixture
def own_kept():
    """This test's kept figures only, forgotten after it (a test that alters them must not leave them to another)."""
    saved = dict(service._KEPT)
    service._KEPT.clear()
    yield service._KEPT
    service._KEPT.clear()
    service._KEPT.update(saved)


def test_approval_compiles_them_again(app, http, login_as, rows, period, firm_today, own_kept):
    """What is frozen comes from the rows, not from what a view kept: a kept entry altered by hand is not read."""
    login_as("management")
    review = ManagementReview.create(period_start=period[0], period_end=period[1], conclusions="Cumple.",
                                     decisions="Seguir.")
    assert http.get(f"/calidad/revisiones/{review.id}").status_code == 200
    assert len(own_kept) == 1
    for _surveys, complaints in own_kept.values():
        complaints["total"] = 999  # what a stale entry would say
    assert _inputs(app, period, firm_today)["complaints"]["total"] == 999  # a view reads the kept entry
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 303
    with app.app_context():
        assert ManagementReview.get_by_id(review.id).frozen_inputs["complaints"]["total"] == 1


def test_query_counts_of_a_first_and_a_later_view(app, http, login_as, rows, period):
    login_as("management")
    review = ManagementReview.create(period_start=period[0], period_end=period[1])
    url = f"/calidad/revisiones/{review.id}"

    def queries():
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        return counter.count

    queries()  # the indicators' months are kept from now on (services.quality.indicators)
    assert queries() == KEPT_VIEW_QUERIES
    with app.app_context():  # a new version (and nothing an indicator reads): nothing kept for it
        ComplaintCategory.update(name="Plazos").execute()
    assert queries() == FIRST_VIEW_QUERIES
    assert queries() == KEPT_VIEW_QUERIES
