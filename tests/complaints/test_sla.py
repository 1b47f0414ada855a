"""SLA due dates in business days: weekends and holidays do not count, the day received does not count, each
due date ends at the end of that local business day (stored in UTC); rules per kind and severity with defaults."""

from datetime import date, datetime

from models.complaints import Complaint, SlaRule
from models.documents import Holiday
from services import complaints as service
from tests.complaints.conftest import local


def test_due_dates_skip_the_weekend_and_a_holiday(app, make_user, open_one):
    owner = make_user(roles=("service",))
    with app.app_context():
        Holiday.create(day=date(2026, 12, 8), region="CO", name="Inmaculada Concepción")
        SlaRule.create(kind="complaint", severity="medium", response_days=1, resolution_days=3)
    # Friday 4 December 2026, 10:00 in Bogotá: response Monday 7; resolution Mon 7, (Tue 8 holiday), Wed 9, Thu 10.
    complaint = open_one(owner, received_at=local(2026, 12, 4, 10))
    assert complaint.response_due_at == datetime(2026, 12, 8, 4, 59, 59)  # Monday 7, 23:59:59 in Bogotá
    assert complaint.due_at == datetime(2026, 12, 11, 4, 59, 59)  # Thursday 10, 23:59:59 in Bogotá
    # Received on Saturday: the count starts from Monday just the same.
    saturday = open_one(owner, received_at=local(2026, 12, 5, 9))
    assert (saturday.response_due_at, saturday.due_at) == (complaint.response_due_at, complaint.due_at)


def test_late_evening_local_is_the_same_local_day(app, make_user, open_one):
    owner = make_user(roles=("service",))
    # Friday 20 November, 22:00 in Bogotá is already Saturday 03:00 UTC: the local day (Friday) is what counts.
    complaint = open_one(owner, received_at=local(2026, 11, 20, 22), severity="high")
    assert complaint.response_due_at == datetime(2026, 11, 24, 4, 59, 59)  # Monday 23 ends
    assert complaint.due_at == datetime(2026, 11, 26, 4, 59, 59)  # Wednesday 25 ends


def test_defaults_without_a_rule_per_severity(app, make_user, open_one):
    owner = make_user(roles=("service",))
    with app.app_context():
        assert service.sla_days("claim", "high") == (1, 3)
        assert service.sla_days("claim", "medium") == (1, 5)
        assert service.sla_days("claim", "low") == (2, 10)
        SlaRule.create(kind="claim", severity="low", response_days=3, resolution_days=15)
        assert service.sla_days("claim", "low") == (3, 15)
        assert service.sla_days("request", "low") == (2, 10)  # another kind keeps the default
    low = open_one(owner, kind="request", severity="low", received_at=local(2026, 11, 23, 9))  # Monday
    assert low.response_due_at == datetime(2026, 11, 26, 4, 59, 59)  # Wednesday 25
    assert low.due_at == datetime(2026, 12, 8, 4, 59, 59)  # 10 business days: Monday 7 December


def test_sla_state_near_and_breached(app, make_user, open_one):
    owner = make_user(roles=("service",))
    complaint = open_one(owner, received_at=local(2026, 11, 23, 9))  # Monday; response due Tuesday 24 end
    with app.app_context():
        assert service.sla_state(complaint, local(2026, 11, 23, 10)) == "near"  # due on the next business day
        Complaint.update(status="analysis").where(Complaint.id == complaint.id).execute()
        complaint = Complaint.get_by_id(complaint.id)  # now the resolution due date (Monday 30) matters
        assert service.sla_state(complaint, local(2026, 11, 23, 10)) == "ok"
        assert service.sla_state(complaint, local(2026, 11, 27, 10)) == "near"  # Friday: due the next business day
        assert service.sla_state(complaint, local(2026, 12, 1, 0, 1)) == "breached"


def test_sla_configuration_page_saves_and_refuses_bad_input(app, http, login_as):
    login_as("quality")
    page = http.get("/quejas/configuracion/sla")
    assert page.status_code == 200 and 'name="claim_high_resolution"' in page.get_data(as_text=True)
    form = {}
    for kind in ("complaint", "claim", "request", "query", "suggestion", "compliment"):
        for severity, (a, b) in service.DEFAULT_SLA.items():
            form[f"{kind}_{severity}_response"], form[f"{kind}_{severity}_resolution"] = a, b
    bad = dict(form, claim_high_response="4", claim_high_resolution="2", query_low_response="-1")
    response = http.post("/quejas/configuracion/sla", data=bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="claim_high_resolution-error"' in body and 'id="query_low_response-error"' in body
    assert not SlaRule.select().exists()
    good = dict(form, claim_high_response="2", claim_high_resolution="4")
    assert http.post("/quejas/configuracion/sla", data=good).status_code == 303
    rule = SlaRule.get(SlaRule.kind == "claim", SlaRule.severity == "high")
    assert (rule.response_days, rule.resolution_days) == (2, 4)
    assert SlaRule.select().count() == 15  # every kind with an SLA (not compliments) × severity has its rule


def test_sla_pages_are_for_quality_and_management(app, http, login_as):
    login_as("service")
    assert http.get("/quejas/configuracion/sla").status_code == 403
    assert http.get("/quejas/configuracion/categorias").status_code == 403
