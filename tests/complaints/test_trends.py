"""Complaint analysis: counts by category, month, channel, area and kind; average and p90 resolution time
(calendar time from reception to resolution); share resolved within SLA; recurring clients; the period filter;
a constant number of queries."""

from datetime import date, datetime, timedelta

from playhouse.test_utils import count_queries

from core.db import utcnow
from models.complaints import Complaint, ComplaintCategory
from services import complaints as service
from tests.factories import make_area, make_client


def _row(owner, n, received_at, hours=None, due_hours=72, **kw):
    values = {"number": f"Q-2026-{n:05d}", "kind": "complaint", "owner": owner, "description": f"Queja {n}",
              "received_at": received_at, "response_due_at": received_at + timedelta(hours=24),
              "due_at": received_at + timedelta(hours=due_hours), "status": "received"}
    if hours is not None:
        values.update(status="resolved", resolved_at=received_at + timedelta(hours=hours))
    values.update(kw)
    return Complaint.create(**values)


def _fixtures(app, make_user):
    owner = make_user(roles=("service",))
    with app.test_request_context():
        first = make_client(name="Cliente Repetido", document_number="80100200", email="r@correo.test")
        second = make_client(name="Cliente Único", document_number="80300400", email="u@correo.test",
                             practice_area=make_area("Derecho de familia").id)
    billing = ComplaintCategory.create(name="Facturación")
    delay = ComplaintCategory.create(name="Demora")
    base = datetime(2026, 3, 10, 15)  # 10 March 2026, 10:00 in Bogotá
    # Five resolved in 24, 48, 72, 96 and 240 hours, due in 72 hours: three within SLA.
    _row(owner, 1, base, 24, client=first, category=billing, channel="phone", practice_area=first.practice_area_id)
    _row(owner, 2, base, 48, client=first, category=billing, channel="email", practice_area=first.practice_area_id)
    _row(owner, 3, base + timedelta(days=31), 72, client=second, category=delay, channel="email",
         practice_area=second.practice_area_id)
    _row(owner, 4, base + timedelta(days=31), 96, category=delay, channel="in_person")
    _row(owner, 5, base + timedelta(days=62), 240, kind="claim", channel="email", client=first,
         practice_area=first.practice_area_id)
    _row(owner, 6, base + timedelta(days=62), channel="email")  # still open
    _row(owner, 7, datetime(2025, 6, 1, 15), 1, channel="email", client=second)  # outside the period
    return owner, first, second, billing, delay


def test_numbers_from_known_fixtures(app, make_user):
    _owner, first, second, billing, delay = _fixtures(app, make_user)
    with app.app_context():
        data = service.trends(date(2026, 1, 1), date(2026, 12, 31))
    s = data["summary"]
    assert (s["total"], s["resolved"], s["within"], s["open"]) == (6, 5, 3, 1)
    assert abs(s["avg_hours"] - 96.0) < 1e-6 and abs(s["within_share"] - 0.6) < 1e-9
    assert abs(data["p90_hours"] - 240.0) < 1e-6  # nearest rank: ceil(0.9 × 5) = 5th of 5
    months = dict(data["by_month"])
    assert len(months) == 12 and months[date(2026, 3, 1)] == 2 and months[date(2026, 4, 1)] == 2
    assert months[date(2026, 5, 1)] == 2 and sum(months.values()) == 6
    assert {(k, n) for k, _name, n in data["by_category"]} == {(billing.id, 2), (delay.id, 2), (None, 2)}
    assert data["by_channel"][0][0] == "email" and {k: n for k, _x, n in data["by_channel"]} == {
        "email": 4, "phone": 1, "in_person": 1}
    assert {k: n for k, _x, n in data["by_kind"]} == {"complaint": 5, "claim": 1}
    areas = {name: n for _k, name, n in data["by_area"]}
    assert areas["Derecho de familia"] == 1 and areas[None] == 2
    assert [(r["name"], r["n"]) for r in data["recurring"]] == [("Cliente Repetido", 3)]


def test_p90_on_ten_values(app, make_user):
    owner = make_user(roles=("service",))
    start = datetime(2026, 5, 4, 15)
    for i in range(10):
        _row(owner, 100 + i, start + timedelta(hours=i), hours=10 * (i + 1))
    with app.app_context():
        data = service.trends(date(2026, 5, 1), date(2026, 5, 31))
    assert abs(data["p90_hours"] - 90.0) < 1e-6 and abs(data["summary"]["avg_hours"] - 55.0) < 1e-6


def test_page_shows_the_numbers_chart_and_table(app, http, login_as, make_user):
    login_as("quality")
    _fixtures(app, make_user)
    response = http.get("/quejas/analisis?desde=2026-01-01&hasta=2026-12-31")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg class="month-chart' in body and 'role="img"' in body and body.count("<rect") == 12
    assert 'data-testid="total">6<' in body
    assert 'data-testid="avg-days">4,0<' in body and 'data-testid="p90-days">10,0<' in body
    assert 'data-testid="within-sla">60 %<' in body
    assert "Cliente Repetido" in body and "Cliente Único" not in body.split('id="trend-recurring"')[1]


def test_bad_period_is_refused_beside_the_field(app, http, login_as):
    login_as("management")
    response = http.get("/quejas/analisis?desde=2026-12-01&hasta=2026-01-01")
    assert response.status_code == 422 and 'id="hasta-error"' in response.get_data(as_text=True)
    response = http.get("/quejas/analisis?desde=ayer")
    assert response.status_code == 422 and 'id="desde-error"' in response.get_data(as_text=True)
    assert http.get("/quejas/analisis?desde=2010-01-01&hasta=2026-01-01").status_code == 422


def test_period_days_left_empty_or_spaced_are_taken_and_messages_are_spanish(app, http, login_as):
    login_as("management")
    page = http.get("/quejas/analisis?desde=%202026-01-01%20&hasta=2026-02-28")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 de enero de 2026 – 28 de febrero de 2026" in body
    assert http.get("/quejas/analisis?desde=&hasta=").status_code == 200
    body = http.get("/quejas/analisis?desde=ayer").get_data(as_text=True)
    assert '<p class="error" id="desde-error">Escribe la fecha como AAAA-MM-DD.</p>' in body
    assert 'aria-invalid="true"' in body and 'value="ayer"' in body
    body = http.get("/quejas/analisis?desde=2026-12-01&hasta=2026-01-01").get_data(as_text=True)
    assert "El fin del periodo no puede ser anterior a su inicio." in body
    body = http.get("/quejas/analisis?desde=2020-01-01&hasta=2026-01-01").get_data(as_text=True)
    assert "Elige un periodo de cinco años como máximo." in body


def test_query_count_is_constant(app, http, login_as, make_user):
    login_as("quality")
    owner = make_user(roles=("service",))
    start = utcnow() - timedelta(days=20)
    for i in range(3):
        _row(owner, 200 + i, start + timedelta(hours=i), hours=5)
    with count_queries() as few:
        http.get("/quejas/analisis")
    with app.test_request_context():
        clients = [make_client(name=f"Cliente {i}", document_number=f"8090{i:04d}", email=f"c{i}@correo.test")
                   for i in range(4)]
    for i in range(40):
        category = ComplaintCategory.create(name=f"Categoría {i}") if i < 8 else None
        _row(owner, 300 + i, start + timedelta(hours=i), hours=i + 1 if i % 2 else None, client=clients[i % 4],
             category=category, channel=("email", "phone", "web")[i % 3])
    with count_queries() as many:
        http.get("/quejas/analisis")
    assert few.count == many.count
