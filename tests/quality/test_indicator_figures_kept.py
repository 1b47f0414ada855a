"""The figures of closed months kept between requests (migration 0021): read back instead of recomputed, and
forgotten by the database itself whenever a row behind them changes, by any path — so a kept figure always equals
a fresh computation."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.db import db, is_sqlite, utcnow
from core.i18n import to_utc
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.documents import Deadline, Holiday
from models.interactions import Interaction
from models.quality_figures import QualityFigure, QualityFigureEpoch
from models.surveys import SurveyInvitation, SurveyResponse
from services.quality import indicators as ind
from tests.quality.test_indicators_brute_force import PERIOD, _generate

pytestmark = pytest.mark.usefixtures("clock")

AFTER = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)  # every whole month of PERIOD is settled
SETTLED = [date(2026, m, 1) for m in range(1, 11)]  # January to October (December and November are part months)


def _moment_in(month, day=14, hour=15):
    return to_utc(datetime.combine(month.replace(day=day), time(hour, 0)))


def _figures(indicators):
    return [(i.key, i.by_month, i.numerator, i.denominator, i.value, i.extra) for i in indicators]


def _fresh(filters):
    """Every indicator computed straight from the rows (no kept figure read or written)."""
    return [function(PERIOD, filters) for function in ind.INDICATORS.values()]


@pytest.fixture
def data(app, make_user, clock):
    with app.test_request_context():
        areas, owners = _generate(make_user)
    clock.move_to(AFTER)
    filters = [ind.Filters(), ind.Filters(area=areas[0].id), ind.Filters(kind="company"),
               ind.Filters(responsible=owners[1].id)]
    return areas, owners, filters


def test_settled_months_are_kept_and_read_back(app, data):
    _areas, _owners, filters = data
    with app.test_request_context():
        cold = ind.compute_all(PERIOD, filters[0])
        kept = {(k, m) for k, m in QualityFigure.select(QualityFigure.indicator, QualityFigure.month).tuples()}
        assert kept == {(key, month) for key in ind.INDICATORS for month in SETTLED}
        with count_queries() as counter:
            warm = ind.compute_all(PERIOD, filters[0])
        # the epoch, the kept figures, and per indicator one query over the months not kept (the part months),
        # the resolution index also the holidays; nothing written
        assert counter.count == 2 + len(ind.INDICATORS) + 1
        assert _figures(warm) == _figures(cold) == _figures(_fresh(filters[0]))


def test_a_month_in_progress_or_not_settled_is_not_kept(app, make_user, clock):
    with app.test_request_context():
        _generate(make_user)
        clock.move_to(datetime(2026, 11, 4, 15, 0, tzinfo=UTC))  # October ended 3 days ago
        ind.compute_all(PERIOD, ind.Filters())
        kept = set(QualityFigure.select(QualityFigure.indicator, QualityFigure.month).tuples())
        assert ("satisfaccion", date(2026, 10, 1)) in kept
        assert ("encuestas", date(2026, 10, 1)) not in kept  # its last cases' five days have not all passed
        assert ("encuestas", date(2026, 9, 1)) in kept
        assert not any(month >= date(2026, 11, 1) for _key, month in kept)


def _writes(areas, owners):
    """Writes that reach back into a settled month, one per path a figure depends on (model saves, bulk updates,
    raw SQL, deletes)."""
    march, june = date(2026, 3, 1), date(2026, 6, 1)
    response = SurveyResponse.select().where(SurveyResponse.answered_on.between(march, date(2026, 3, 31))).first()
    invitation = SurveyInvitation.select().where(SurveyInvitation.sent_at.between(
        _moment_in(june, 1, 6), _moment_in(june, 28))).first()
    complaint = Complaint.select().where(Complaint.resolved_at.is_null(False), Complaint.received_at.between(
        _moment_in(march, 1, 6), _moment_in(march, 28))).first()
    closed = Case.select().where(Case.status == "closed", Case.closed_at.between(
        _moment_in(june, 1, 6), _moment_in(june, 25))).first()
    ending = Contract.select().where(Contract.status != "draft", Contract.end_date.between(
        june, date(2026, 6, 30))).first()
    deadline = Deadline.select().where(Deadline.due_at.between(_moment_in(march, 1, 6), _moment_in(march, 28))).first()
    update = Interaction.select().where(Interaction.kind == "update", Interaction.direction == "out",
                                        Interaction.occurred_at.between(_moment_in(march, 1, 6),
                                                                        _moment_in(march, 28))).first()
    active = Client.select().where(Client.status == "active").first()

    def new_contract():
        quotation = Quotation.create(client=ending.client, number=9001, valid_until=PERIOD.end)
        Contract.create(client=ending.client, quotation=quotation, start_date=ending.end_date, status="active",
                        end_date=ending.end_date + timedelta(days=365), signed_on=date(2026, 5, 20), renews=ending)

    return [
        ("a survey answer's ratings", lambda: SurveyResponse.update(ratings_high=0).where(
            SurveyResponse.id == response.id).execute()),
        ("a survey answer deleted", lambda: SurveyResponse.delete_by_id(response.id)),
        ("an invitation answered late", lambda: SurveyInvitation.update(answered_at=utcnow()).where(
            SurveyInvitation.id == invitation.id).execute()),
        ("an invitation withdrawn", lambda: db.execute_sql(
            f"UPDATE survey_invitation SET withdrawn_at = sent_at WHERE id = {db.param}", (invitation.id,))),  # noqa: S608
        ("a case reopened", lambda: Case.update(status="in_progress").where(Case.id == closed.id).execute()),
        ("a case's survey sent", lambda: Case.update(survey_sent_at=closed.closed_at + timedelta(days=1)).where(
            Case.id == closed.id).execute()),
        ("a complaint resolved again, raw SQL", lambda: db.execute_sql(
            f"UPDATE complaint SET resolved_at = due_at WHERE id = {db.param}", (complaint.id,))),  # noqa: S608
        ("a complaint moved to another month", lambda: Complaint.update(received_at=_moment_in(date(2026, 8, 1))).where(
            Complaint.id == complaint.id).execute()),
        ("a complaint received back then", lambda: Complaint.create(
            number="Q-2026-99999", owner=owners[0], description="Queja", kind="complaint",
            received_at=_moment_in(date(2026, 4, 1)), due_at=_moment_in(date(2026, 4, 1), 20),
            resolved_at=_moment_in(date(2026, 4, 1), 25), status="resolved")),
        ("a renewal signed", new_contract),
        ("an intake decision back then", lambda: ClientStatusChange.create(
            client=active, from_status="evaluating", to_status="rejected", created_at=_moment_in(june))),
        ("a backdated outgoing update", lambda: Interaction.create(
            client=update.client, occurred_at=update.occurred_at + timedelta(days=2), direction="out", kind="update",
            summary="Actualización")),
        ("an update's kind changed", lambda: Interaction.update(kind="question").where(
            Interaction.id == update.id).execute()),
        ("a client no longer active", lambda: Client.update(status="finished").where(Client.id == active.id).execute()),
        ("a client's kind", lambda: Client.update(kind="company" if active.kind == "person" else "person").where(
            Client.id == active.id).execute()),
        ("a client's practice area", lambda: Client.update(practice_area=areas[1].id).where(
            Client.id == ending.client_id).execute()),
        ("a case's practice area", lambda: Case.update(practice_area=areas[0].id if closed.practice_area_id !=
                                                       areas[0].id else areas[1].id).where(Case.id == closed.id).execute()),
        ("a deadline done late", lambda: Deadline.update(status="done", done_at=deadline.due_at + timedelta(days=3))
         .where(Deadline.id == deadline.id).execute()),
        ("a deadline deleted", lambda: Deadline.delete_by_id(deadline.id)),
        ("a holiday added", lambda: Holiday.create(day=date(2026, 3, 16), region="CO", name="Festivo")),
        ("a contract deleted", lambda: Contract.delete().where(Contract.renews == ending.id).execute()),
    ]


def test_every_write_behind_a_kept_month_forgets_it(app, data):
    areas, owners, filters = data
    with app.test_request_context():
        for filtered in filters:
            ind.compute_all(PERIOD, filtered)
        writes = _writes(areas, owners)
        for name, write in writes:
            for filtered in filters:  # every month kept under every filter
                ind.compute_all(PERIOD, filtered)
            write()
            for filtered in filters:
                assert _figures(ind.compute_all(PERIOD, filtered)) == _figures(_fresh(filtered)), (name, filtered)


def test_a_figure_computed_while_a_write_went_through_is_not_kept(app, data):
    with app.test_request_context():
        epoch = QualityFigureEpoch.current()
        row = {"indicator": "sla", "scope": "x" * 40, "month": date(2026, 3, 1), "day_lo": date(2026, 3, 1),
               "day_hi": date(2026, 4, 1), "at_lo": datetime(2026, 3, 1, 5), "at_hi": datetime(2026, 4, 1, 5),
               "numerator": 1.0, "denominator": 2, "computed_at": utcnow()}
        Complaint.update(resolved_at=utcnow()).where(Complaint.id == Complaint.select(Complaint.id).first().id).execute()
        assert QualityFigureEpoch.current() > epoch
        assert QualityFigure.store([row], epoch) is False
        assert not QualityFigure.select().exists()
        assert QualityFigure.store([row], QualityFigureEpoch.current()) is True
        assert QualityFigure.select().count() == 1


@pytest.mark.skipif("not __import__('tests.conftest', fromlist=['PG_URL']).PG_URL")
def test_a_figure_is_not_kept_while_a_writer_holds_the_epoch(app, data):
    """PostgreSQL: a writer that has touched an indicator's table but not committed holds the epoch row; a figure
    computed meanwhile (without its change) is not kept, and nothing waits for the writer."""
    assert not is_sqlite()
    with app.test_request_context():
        epoch = QualityFigureEpoch.current()
        complaint = Complaint.select(Complaint.id).first().id
        written, release = threading.Event(), threading.Event()

        def writer():
            with app.app_context(), db.atomic():
                Complaint.update(resolved_at=utcnow()).where(Complaint.id == complaint).execute()
                written.set()
                release.wait(10)
            db.close()

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert written.wait(10)
            row = {"indicator": "sla", "scope": "y" * 40, "month": date(2026, 3, 1), "day_lo": date(2026, 3, 1),
                   "day_hi": date(2026, 4, 1), "at_lo": datetime(2026, 3, 1, 5), "at_hi": datetime(2026, 4, 1, 5),
                   "numerator": 1.0, "denominator": 2, "computed_at": utcnow()}
            assert QualityFigure.store([row], epoch) is False
        finally:
            release.set()
            thread.join(10)
        assert not QualityFigure.select().where(QualityFigure.scope == "y" * 40).exists()


def test_the_practice_area_filter_forgets_only_filtered_months(app, data):
    """A client's practice area changes what the filtered figures count, not the firm-wide ones: those stay kept."""
    areas, _owners, filters = data
    with app.test_request_context():
        ind.compute_all(PERIOD, filters[0])
        ind.compute_all(PERIOD, filters[1])
        client = Client.select().first()
        Client.update(practice_area=PracticeArea.select().where(PracticeArea.id != client.practice_area_id)
                      .first().id).where(Client.id == client.id).execute()
        left = {f for (f,) in QualityFigure.select(QualityFigure.filtered).distinct().tuples()}
        assert left == {False}
