"""The trends queries of ``models/complaints.py``: complaints per local month grouped in SQL (the month is the
firm's, not UTC's, also across a daylight-saving change) and recurring clients counted per client before the
client table is joined; one query each whatever the data."""

from datetime import date, datetime, time, timedelta

from playhouse.test_utils import count_queries

from core.i18n import to_utc
from models.complaints import Complaint
from services import complaints as service
from tests.factories import make_client

_seq = iter(range(1, 10_000))


def _at(owner, received_at, client=None):
    n = next(_seq)
    return Complaint.create(number=f"Q-2026-{n:05d}", owner=owner, client=client, description=f"Queja {n}",
                            received_at=received_at, response_due_at=received_at + timedelta(days=1),
                            due_at=received_at + timedelta(days=5))


def _month_bounds(first_day, last_day):
    """What ``services.complaints.trends`` passes: the period start, each local month start after it, the end."""
    months = service.month_starts(first_day, last_day)
    bounds = [to_utc(datetime.combine(m, time.min)) for m in months]
    return months, bounds + [to_utc(datetime.combine(last_day + timedelta(days=1), time.min))]


def test_month_buckets_are_local_months_in_bogota(app, make_user):
    owner = make_user(roles=("service",))
    _at(owner, datetime(2026, 3, 1, 4, 59))  # 28 Feb 23:59 in Bogotá: before the period
    _at(owner, datetime(2026, 3, 1, 5, 0))  # 1 Mar 00:00 in Bogotá: the first moment of the period
    _at(owner, datetime(2026, 3, 31, 4, 30))  # 30 Mar 23:30 in Bogotá
    _at(owner, datetime(2026, 4, 1, 4, 30))  # 31 Mar 23:30 in Bogotá, already April in UTC: still March
    _at(owner, datetime(2026, 4, 1, 5, 30))  # 1 Apr 00:30 in Bogotá: April
    _at(owner, datetime(2026, 5, 1, 4, 59))  # 30 Apr 23:59 in Bogotá: April
    _at(owner, datetime(2026, 5, 1, 5, 0))  # 1 May 00:00 in Bogotá: after the period
    with app.app_context():
        months, bounds = _month_bounds(date(2026, 3, 1), date(2026, 4, 30))
        with count_queries() as queries:
            counts = Complaint.counts_by_ranges(bounds)
        assert queries.count == 1
        assert list(zip(months, counts, strict=True)) == [(date(2026, 3, 1), 3), (date(2026, 4, 1), 2)]
        data = service.trends(date(2026, 3, 1), date(2026, 4, 30))
    assert data["by_month"] == [(date(2026, 3, 1), 3), (date(2026, 4, 1), 2)]
    assert data["summary"]["total"] == 5


def test_month_buckets_follow_daylight_saving_in_madrid(make_app, make_user):
    """Spain moves to UTC+2 on 29 March 2026 and back to UTC+1 on 25 October: April starts at 22:00 UTC on
    31 March, November at 23:00 UTC on 31 October. A fixed offset would put these in the wrong month."""
    app = make_app(TIMEZONE="Europe/Madrid")
    owner = make_user(roles=("service",))
    _at(owner, datetime(2026, 3, 31, 21, 30))  # 23:30 CEST on 31 Mar: March
    _at(owner, datetime(2026, 3, 31, 22, 30))  # 00:30 CEST on 1 Apr: April (UTC still says March)
    _at(owner, datetime(2026, 10, 31, 22, 30))  # 23:30 CET on 31 Oct: October
    _at(owner, datetime(2026, 10, 31, 23, 30))  # 00:30 CET on 1 Nov: November
    with app.app_context():
        months, bounds = _month_bounds(date(2026, 3, 15), date(2026, 11, 30))
        counts = dict(zip(months, Complaint.counts_by_ranges(bounds), strict=True))
    assert len(counts) == 9 and sum(counts.values()) == 4
    assert (counts[date(2026, 3, 1)], counts[date(2026, 4, 1)]) == (1, 1)
    assert (counts[date(2026, 10, 1)], counts[date(2026, 11, 1)]) == (1, 1)


def test_counts_by_ranges_keeps_empty_ranges_and_arbitrary_bounds(app, make_user):
    owner = make_user(roles=("service",))
    start = datetime(2026, 1, 1)
    for hours in (0, 1, 5, 5, 9, 30):
        _at(owner, start + timedelta(hours=hours))
    bounds = [start + timedelta(hours=h) for h in (0, 1, 2, 5, 6, 9, 10, 30)]  # 7 ranges; 30 h is outside
    with app.app_context():
        assert Complaint.counts_by_ranges(bounds) == [1, 1, 0, 2, 0, 1, 0]
        assert Complaint.counts_by_ranges(bounds[:2]) == [1]
        assert Complaint.counts_by_ranges(bounds[:1]) == []


def test_recurring_clients_counted_per_client_then_named(app, make_user):
    owner = make_user(roles=("service",))
    with app.test_request_context():
        names = ("Beatriz Ospina", "Alberto Gómez", "Carmen Díaz", "Daniel Ruiz", "Elena Mora")
        people = {name: make_client(name=name, document_number=f"5210{i:04d}", email=f"p{i}@correo.test")
                  for i, name in enumerate(names)}
    march_end = datetime(2026, 4, 1, 4, 30)  # 31 Mar 23:30 in Bogotá, inside a March period
    april = datetime(2026, 4, 1, 5, 30)  # 1 Apr 00:30 in Bogotá, outside it
    for _ in range(3):
        _at(owner, march_end - timedelta(days=2), people["Daniel Ruiz"])
    for name in ("Beatriz Ospina", "Alberto Gómez", "Carmen Díaz"):  # a tie of two each: by name
        _at(owner, march_end, people[name])
        _at(owner, march_end - timedelta(days=10), people[name])
    _at(owner, march_end, people["Elena Mora"])  # one in March…
    _at(owner, april, people["Elena Mora"])  # …and one in April: not recurring in March
    for _ in range(4):
        _at(owner, march_end)  # walk-ins without a client are nobody's
    with app.app_context():
        start, end = to_utc(datetime(2026, 3, 1)), to_utc(datetime(2026, 4, 1))
        with count_queries() as queries:
            rows = list(Complaint.recurring_clients(start, end))
        assert queries.count == 1
        assert [(r["name"], r["n"]) for r in rows] == [
            ("Daniel Ruiz", 3), ("Alberto Gómez", 2), ("Beatriz Ospina", 2), ("Carmen Díaz", 2)]
        assert rows[0]["id"] == people["Daniel Ruiz"].id
        # The limit is applied after the names: the tie at the cut is broken by name, as before.
        assert [r["name"] for r in Complaint.recurring_clients(start, end, limit=2)] == ["Daniel Ruiz", "Alberto Gómez"]
        assert [r["name"] for r in Complaint.recurring_clients(start, end, minimum=3)] == ["Daniel Ruiz"]
        assert [(r["name"], r["n"]) for r in Complaint.recurring_clients(start, to_utc(datetime(2026, 5, 1)))][-1] == (
            "Elena Mora", 2)
        assert [(r["name"], r["n"]) for r in service.trends(date(2026, 3, 1), date(2026, 3, 31))["recurring"]] == [
            (r["name"], r["n"]) for r in rows]
