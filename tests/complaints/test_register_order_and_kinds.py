"""The complaints register as a new user met it (issue 11): the breached complaint sorted last (now the open
ones come first by the due date that matters, so the breached lead); the severity sat in the "Tipo" column
without a header (now its own "Gravedad" column); a compliment got an SLA and "Por vencer" (a compliment owes
nothing: no due dates, never breached or escalated); and "6 quejas" counted a compliment and a suggestion
(now "6 registros")."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from playhouse.test_utils import count_queries

from core.db import utcnow
from models.complaints import Complaint, SlaRule
from services import complaints as service
from services.home import work
from tests.complaints.conftest import local

NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")  # Friday 20 November 2026, 10:00 in Bogotá


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _numbers(body) -> list[str]:
    return re.findall(r">(Q-\d{4}-\d{5})</a>", body)


@pytest.fixture
def register(app, login_as, open_one, a_client, frozen):
    me = login_as("service")
    rows = {
        "fine": open_one(me, kind="request", severity="low", received_at=local(2026, 11, 20, 9)),  # due Tue 24
        "compliment": open_one(me, kind="compliment", severity="low", received_at=local(2026, 11, 20, 8)),
        "near": open_one(me, client=a_client, received_at=local(2026, 11, 19, 9)),  # answer due today
        "suggestion": open_one(me, kind="suggestion", severity="low", received_at=local(2026, 11, 18, 9)),
        "breached": open_one(me, client=a_client, received_at=local(2026, 11, 10, 9)),  # answer was due 11 Nov
        "closed": open_one(me, received_at=local(2026, 11, 19, 15)),
    }
    Complaint.update(status="closed").where(Complaint.id == rows["closed"].id).execute()
    return me, rows


def test_the_breached_one_leads_then_by_due_date_and_the_handled_ones_last(http, register):
    _me, rows = register
    everything = _numbers(http.get("/quejas?estado=").get_data(as_text=True))
    assert everything == [rows[k].number for k in ("breached", "near", "suggestion", "fine", "compliment", "closed")]
    only_open = _numbers(http.get("/quejas").get_data(as_text=True))
    assert only_open == everything[:-1]


def test_severity_has_its_own_headed_column(http, register):
    body = http.get("/quejas").get_data(as_text=True)
    headers = re.findall(r'<th scope="col">([^<]+)</th>', body)
    assert headers == ["Número", "Cliente o persona", "Tipo", "Gravedad", "Estado", "Responsable", "Vencimiento",
                       "Plazos (SLA)"]
    kinds = re.findall(r'<td data-label="Tipo">(.*?)</td>', body, re.S)
    assert kinds and all("badge" not in cell for cell in kinds)
    assert len(re.findall(r'<td data-label="Gravedad"><span class="badge', body)) == len(kinds)


def test_a_compliment_has_no_sla_no_due_date_and_is_never_breached(app, http, register, mailbox):
    me, rows = register
    compliment = Complaint.get_by_id(rows["compliment"].id)
    assert compliment.response_due_at is None and compliment.due_at is None
    body = http.get("/quejas").get_data(as_text=True)
    row = re.search(rf"{compliment.number}</a>.*?</tr>", body, re.S).group(0)
    assert 'data-sla="none"' in row and "Sin plazo" in row and "Por vencer" not in row
    assert '<td data-label="Vencimiento">—</td>' in row
    detail = http.get(f"/quejas/{compliment.id}").get_data(as_text=True)
    assert 'data-testid="no-sla"' in detail and 'data-sla="none"' in detail
    # A month later, still nothing owed: not breached, not in the breached filter, not escalated, not overdue.
    Complaint.update(received_at=local(2026, 10, 20, 9)).where(Complaint.id == compliment.id).execute()
    assert compliment.number not in http.get("/quejas?vencidas=1").get_data(as_text=True)
    with app.app_context():
        assert service.sla_state(Complaint.get_by_id(compliment.id), utcnow()) == "none"
        assert compliment.id not in {c.id for c in Complaint.escalation_candidates(utcnow(), utcnow())}
    with app.test_request_context():
        (section,) = [s for s in work.queue_for(me, NOW.date(), limit=5) if s.key == "complaints"]
    assert section.overdue == 1 and section.rows[-1].id == compliment.id  # the breached one; the compliment last


def test_registering_a_compliment_through_the_form_gives_it_no_due_dates(http, register):
    me, _rows = register
    response = http.post("/quejas/nueva", data={
        "kind": "compliment", "client": "0", "case": "0", "channel": "web", "severity": "low", "category": "0",
        "description": "Agradece la atención de la recepcionista.", "received_on": "2026-11-20",
        "received_time": "09:30", "owner": str(me.id), "walk_in_name": "Visitante", "walk_in_contact": ""})
    assert response.status_code == 303
    created = Complaint.select().order_by(Complaint.id.desc()).get()
    assert (created.kind, created.response_due_at, created.due_at) == ("compliment", None, None)
    assert "Resolution due" not in http.get(f"/quejas/{created.id}").get_data(as_text=True)


def test_a_reopened_compliment_stays_without_due_date(app, register):
    me, rows = register
    compliment = Complaint.get_by_id(rows["compliment"].id)
    Complaint.update(status="resolved").where(Complaint.id == compliment.id).execute()
    with app.test_request_context():
        service.reopen(Complaint.get_by_id(compliment.id), me, "El cliente añadió otro comentario.")
    assert Complaint.get_by_id(compliment.id).due_at is None


def test_the_count_says_entries_with_spanish_plurals(http, register):
    body = http.get("/quejas?estado=").get_data(as_text=True)
    assert re.search(r'data-testid="register-count">6 registros<', body)
    assert "quejas</p>" not in body
    one = http.get("/quejas?tipo=compliment").get_data(as_text=True)
    assert re.search(r'data-testid="register-count">1 registro<', one)


def test_the_sla_page_has_no_row_for_compliments(http, login_as):
    login_as("quality")
    page = http.get("/quejas/configuracion/sla").get_data(as_text=True)
    assert 'name="claim_high_response"' in page and 'name="compliment_high_response"' not in page
    assert "Las felicitaciones no tienen plazos" in page


def _bulk(owner, open_n, handled_n):
    start = utcnow() - timedelta(days=20)
    stamp = {"created_at": utcnow(), "updated_at": utcnow()}
    rows = [{"number": f"Q-2025-{10000 + i}", "kind": "complaint", "owner": owner.id, "description": f"Queja {i}",
             "received_at": start + timedelta(hours=i), "response_due_at": start + timedelta(days=1, hours=i),
             "due_at": start + timedelta(days=5, hours=i), "status": "analysis" if i < open_n else "closed", **stamp}
            for i in range(open_n + handled_n)]
    Complaint.insert_many(rows).execute()


def test_pages_across_the_open_and_handled_parts(http, login_as, frozen):
    me = login_as("quality")
    _bulk(me, 27, 30)  # open ones are due in the order they were received; the handled ones newest first
    with count_queries() as first_page:
        page1 = _numbers(http.get("/quejas?estado=").get_data(as_text=True))
    with count_queries() as second_page:
        page2 = _numbers(http.get("/quejas?estado=&pagina=2").get_data(as_text=True))
    page3 = _numbers(http.get("/quejas?estado=&pagina=3").get_data(as_text=True))
    expected = [f"Q-2025-{10000 + i}" for i in range(27)] + [f"Q-2025-{10000 + i}" for i in range(56, 26, -1)]
    assert page1 + page2 + page3 == expected
    assert len(page1) == len(page2) == 25 and len(page3) == 7
    assert first_page.count == second_page.count


def test_within_sla_counts_only_what_had_a_due_date(app, make_user):
    owner = make_user(roles=("service",))
    received = datetime(2026, 3, 10, 15)
    common = {"owner": owner, "received_at": received, "status": "resolved",
              "resolved_at": received + timedelta(hours=5)}
    Complaint.create(number="Q-2026-00001", kind="complaint", description="Queja", due_at=received + timedelta(days=3),
                     response_due_at=received + timedelta(days=1), **common)
    Complaint.create(number="Q-2026-00002", kind="compliment", description="Felicitación", **common)
    with app.app_context():
        summary = service.trends(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())["summary"]
    assert (summary["resolved"], summary["resolved_sla"], summary["within"]) == (2, 1, 1)
    assert summary["within_share"] == 1.0  # not 0.5: the compliment had no due date to meet


def test_no_sla_rule_is_saved_for_compliments(app, login_as, http):
    login_as("quality")
    form = {f"{k}_{s}_{p}": v for k in ("complaint", "claim", "request", "query", "suggestion", "compliment")
            for s in ("low", "medium", "high") for p, v in (("response", "1"), ("resolution", "5"))}
    assert http.post("/quejas/configuracion/sla", data=form).status_code == 303
    assert not SlaRule.select().where(SlaRule.kind == "compliment").exists()
