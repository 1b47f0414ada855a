"""My work queue ("Mi trabajo"): what is due for the signed-in person, overdue first, each item a link to
act; the start page's "Para hoy" card (issue 5)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from peewee import fn
from playhouse.test_utils import count_queries

from core.db import db, is_sqlite, utcnow
from models.audit import AuditEvent
from models.cases import Case, CaseMember, Intervention
from models.clients import Client
from models.documents import Deadline, DocumentItem
from models.interactions import Interaction
from models.tasks import Task
from services.home import work
from tests.factories import make_case, make_client

# Friday 20 November 2026, 10:00 in Bogotá (15:00 UTC).
NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")
TODAY = date(2026, 11, 20)
NOW_UTC = datetime(2026, 11, 20, 15, 0)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def _setup(app, me, name="Cliente Uno"):
    with app.test_request_context():
        client = make_client(responsible=me.id, name=name)
        case = make_case(client=client, responsible=me)
    return client, case


def _deadline(case, me, description, due_at, offsets=(7, 1)):
    due_local = (due_at - timedelta(hours=5)).date()
    return Deadline.create(case=case, description=description, due_at=due_at, responsible=me,
                           alert_days=",".join(map(str, offsets)), alert_from=Deadline.first_alert(due_local, list(offsets)))


def _fill(app, me, client, case, n):
    """n items in every section of the queue for ``me``."""
    with app.app_context():
        stamp = {"created_at": utcnow(), "updated_at": utcnow()}
        Deadline.insert_many([{"case": case.id, "description": f"Plazo {i}", "due_at": NOW_UTC + timedelta(days=1, hours=i),
                               "responsible": me.id, "alert_days": "7,1", "alert_from": TODAY, **stamp}
                              for i in range(n)]).execute()
        Intervention.insert_many([{"case": case.id, "starts_at": NOW_UTC - timedelta(hours=i), "assigned": me.id,
                                   "purpose": f"Visita {i}", **stamp} for i in range(n)]).execute()
        Task.insert_many([{"title": f"Llamar {i}", "due_on": TODAY + timedelta(days=i % 3 - 1), "owner": me.id,
                           "client": client.id, **stamp} for i in range(n)]).execute()
        DocumentItem.insert_many([{"case": case.id, "name": f"Documento {i}", "status": "received", **stamp}
                                  for i in range(n)]).execute()
        Interaction.insert_many([{"client": client.id, "occurred_at": NOW_UTC - timedelta(days=i), "channel": "phone",
                                  "direction": "in", "kind": "question", "summary": f"Pregunta {i}", **stamp}
                                 for i in range(n)]).execute()
        for i in range(n):
            other = make_client(responsible=me.id, name=f"Cliente {i} de {n}", document_number=f"9{n:03d}{i:04d}",
                                email=f"c{n}-{i}@correo.test")
            Client.update(status="active").where(Client.id == other.id).execute()
        Case.insert_many([{"client": client.id, "title": f"Cerrado {i}", "responsible": me.id, "status": "closed",
                           "opened_on": TODAY, "survey_due_on": TODAY + timedelta(days=i % 5), **stamp}
                          for i in range(n)]).execute()


def test_deadline_shows_once_its_alert_window_opens(app, http, login_as, frozen):
    me = login_as("operations")
    _client, case = _setup(app, me)
    with app.app_context():
        soon = _deadline(case, me, "Contestar la demanda", datetime(2026, 11, 25, 22))  # alerts from the 18th
        later = _deadline(case, me, "Presentar alegatos", datetime(2026, 12, 15, 22))  # alerts from 8 December
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert "Contestar la demanda" in page and "Presentar alegatos" not in page
    assert f"/documentos/casos/{case.id}/plazos#deadline-{soon.id}" in page  # a link to act
    with app.test_request_context():
        (deadlines,) = [s for s in work.queue_for(me, date(2026, 12, 8)) if s.key == "deadlines"]
        assert [d.description for d in deadlines.rows] == ["Contestar la demanda", "Presentar alegatos"]
        Deadline.update(status="done").where(Deadline.id == later.id).execute()
        (deadlines,) = [s for s in work.queue_for(me, date(2026, 12, 8)) if s.key == "deadlines"]
        assert [d.description for d in deadlines.rows] == ["Contestar la demanda"]


def test_overdue_items_come_first(app, http, login_as, frozen):
    me = login_as("operations")
    client, case = _setup(app, me)
    with app.app_context():
        _deadline(case, me, "Plazo que vence pronto", datetime(2026, 11, 24, 22))
        _deadline(case, me, "Plazo ya vencido", datetime(2026, 11, 19, 22))
        Task.create(title="Seguimiento atrasado", due_on=TODAY - timedelta(days=3), owner=me, client=client)
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert page.index("Plazo ya vencido") < page.index("Plazo que vence pronto")
    assert page.index('id="work-deadlines"') < page.index('id="work-tasks"')  # both have overdue items
    Deadline.update(status="missed").where(Deadline.description == "Plazo ya vencido").execute()
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert page.index('id="work-tasks"') < page.index('id="work-deadlines"')  # only the tasks are overdue now
    with app.test_request_context():
        sections = {s.key: s for s in work.queue_for(me, TODAY, limit=0)}
    assert sections["tasks"].overdue == 1 and sections["deadlines"].count == 1 and sections["deadlines"].overdue == 0


def test_every_section_lists_what_is_due_for_me_only(app, http, login_as, make_user, frozen):
    me = login_as("operations")
    client, case = _setup(app, me)
    colleague = make_user(roles=("operations",))
    with app.app_context():
        Interaction.create(client=client, occurred_at=NOW_UTC - timedelta(days=2), channel="email", direction="in",
                           kind="question", summary="¿Cuándo es la audiencia?")
        Interaction.create(client=client, occurred_at=NOW_UTC, channel="email", direction="in", kind="concern",
                           confidential=True, summary="v1.cifrado")
        Interaction.create(client=client, occurred_at=NOW_UTC, channel="email", direction="in", kind="question",
                           summary="Ya respondida", answered_at=NOW_UTC)
        DocumentItem.create(case=case, name="Poder firmado", status="received")
        DocumentItem.create(case=case, name="Certificado de existencia", status="reviewed", review_on=TODAY - timedelta(days=1))
        DocumentItem.create(case=case, name="Cédula", status="reviewed", review_on=TODAY + timedelta(days=30))
        DocumentItem.create(case=case, name="Contrato laboral", status="pending")
        Intervention.create(case=case, starts_at=NOW_UTC + timedelta(hours=2), assigned=me, purpose="Audiencia de conciliación")
        Intervention.create(case=case, starts_at=NOW_UTC - timedelta(days=2), assigned=me, purpose="Visita sin registrar")
        Intervention.create(case=case, starts_at=NOW_UTC + timedelta(days=2), assigned=me, purpose="Visita futura")
        Intervention.create(case=case, starts_at=NOW_UTC, assigned=colleague, purpose="Visita de otra persona")
        Task.create(title="Llamar al cliente", due_on=TODAY, owner=me, client=client, case=case)
        Task.create(title="Tarea de otra persona", due_on=TODAY, owner=colleague, client=client)
        Case.create(client=client, title="Caso cerrado", responsible=me, status="closed", opened_on=TODAY,
                    survey_due_on=TODAY + timedelta(days=5))
        team_case = Case.create(client=make_client(name="Cliente del equipo", document_number="77123456",
                                                   email="equipo@correo.test"), title="Caso del equipo",
                                responsible=colleague, opened_on=TODAY)
        CaseMember.create(case=team_case, user=me)
        DocumentItem.create(case=team_case, name="Acta de conciliación", status="received")
    page = http.get("/mi-trabajo").get_data(as_text=True)
    for shown in ("¿Cuándo es la audiencia?", "Poder firmado", "Certificado de existencia", "Audiencia de conciliación",
                  "Visita sin registrar", "Llamar al cliente", "Caso cerrado", "Acta de conciliación", "Cliente Uno"):
        assert shown in page, shown
    for hidden in ("v1.cifrado", "Ya respondida", "Cédula", "Contrato laboral", "Visita futura", "Visita de otra persona",
                   "Tarea de otra persona"):
        assert hidden not in page, hidden
    with app.test_request_context():
        counts = {s.key: s.count for s in work.queue_for(me, TODAY, limit=0)}
    assert {k: n for k, n in counts.items() if k not in ("crisis", "complaints", "actions", "privacy", "renewals",
                                                        "reading", "manual_reviews")} == {
        "deadlines": 0, "interventions": 2, "tasks": 1, "documents": 3, "questions": 2, "surveys": 1, "updates": 1}
    assert counts["complaints"] == 0 and counts["actions"] == 0 and counts["privacy"] == 0 and counts["renewals"] == 0
    assert counts["reading"] == 0 and counts["manual_reviews"] == 0
    home = http.get("/").get_data(as_text=True)
    assert 'data-testid="for-today"' in home and "/mi-trabajo" in home


def test_task_done_marks_and_audits_and_only_for_its_owner(app, http, login_as, make_user, frozen):
    me = login_as("service")
    other = make_user(roles=("service",))
    with app.app_context():
        mine = Task.create(title="Enviar informe", due_on=TODAY, owner=me)
        theirs = Task.create(title="Ajena", due_on=TODAY, owner=other)
    assert http.post(f"/mi-trabajo/tareas/{theirs.id}/hecha").status_code == 404
    assert Task.get_by_id(theirs.id).done_at is None
    response = http.post(f"/mi-trabajo/tareas/{mine.id}/hecha")
    assert response.status_code == 303 and response.headers["Location"].endswith("/mi-trabajo")
    done = Task.get_by_id(mine.id)
    assert done.done_at is not None and done.done_by_id == me.id
    http.post(f"/mi-trabajo/tareas/{mine.id}/hecha")  # twice: still one audit row
    (event,) = AuditEvent.select().where(AuditEvent.action == "task_done")
    assert event.object_id == str(mine.id) and event.actor_id == me.id
    assert 'id="work-tasks"' not in http.get("/mi-trabajo").get_data(as_text=True)


def test_page_partial_see_all_and_forbidden(app, http, login_as, frozen):
    me = login_as("commercial")
    client, case = _setup(app, me)
    _fill(app, me, client, case, 55)
    page = http.get("/mi-trabajo")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in text and text.count('class="work-item') == work.PER_SECTION * 7
    assert "/mi-trabajo?ver=deadlines" in text
    partial = http.get("/mi-trabajo", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body and 'id="work-queue"' in body
    everything = http.get("/mi-trabajo?ver=deadlines").get_data(as_text=True)
    assert everything.count('class="work-item') == 55 and 'id="work-tasks"' not in everything
    task = Task.select().where(Task.owner == me.id).order_by(Task.due_on, Task.id).first()
    done = http.post(f"/mi-trabajo/tareas/{task.id}/hecha", headers={"HX-Request": "true"})
    assert done.status_code == 200 and 'id="work-queue"' in done.get_data(as_text=True) and "HX-Trigger" in done.headers
    admin = app.test_client()
    login_as("admin", client=admin)
    assert admin.get("/mi-trabajo").status_code == 403
    assert admin.post(f"/mi-trabajo/tareas/{task.id}/hecha").status_code == 403


def test_long_section_shows_its_first_rows_and_the_rest_on_demand(app, http, login_as, frozen):
    """A long section's "Ver N más": htmx brings its other rows in place of the link, in the same order and without
    repeating one; without JavaScript the same link opens the whole section."""
    me = login_as("operations")
    client, case = _setup(app, me)
    _fill(app, me, client, case, 23)
    page = http.get("/mi-trabajo").get_data(as_text=True)
    section = page[page.index('id="work-deadlines"'):]
    section = section[:section.index("</section>")]
    assert section.count('class="work-item') == work.PER_SECTION
    assert 'href="/mi-trabajo?ver=deadlines"' in section  # no JavaScript: the whole section
    assert f'hx-get="/mi-trabajo/deadlines/mas?desde={work.PER_SECTION}"' in section
    assert f"Ver {23 - work.PER_SECTION} más" in section
    rest = http.get(f"/mi-trabajo/deadlines/mas?desde={work.PER_SECTION}", headers={"HX-Request": "true"})
    body = rest.get_data(as_text=True)
    assert rest.status_code == 200 and "<html" not in body and "work-more" not in body
    everything = http.get("/mi-trabajo?ver=deadlines").get_data(as_text=True)
    shown = [f"Plazo {i}<" for i in range(23)]  # due an hour apart: the order is the due time's
    order = sorted(shown, key=lambda d: everything.index(d))
    assert [d for d in order if d in section] + [d for d in order if d in body] == order
    assert body.count('class="work-item') == 23 - work.PER_SECTION
    # A browser without htmx, a garbage or out-of-range start, an unknown section, someone without the queue.
    plain = http.get("/mi-trabajo/deadlines/mas?desde=10")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/mi-trabajo?ver=deadlines")
    garbage = http.get("/mi-trabajo/deadlines/mas?desde=x", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert garbage.count('class="work-item') == 23 - work.PER_SECTION
    assert http.get("/mi-trabajo/deadlines/mas?desde=-5", headers={"HX-Request": "true"}).get_data(
        as_text=True).count('class="work-item') == 23
    assert "work-item" not in http.get("/mi-trabajo/deadlines/mas?desde=999", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert http.get("/mi-trabajo/nada/mas", headers={"HX-Request": "true"}).status_code == 404
    admin = app.test_client()
    login_as("admin", client=admin)
    assert admin.get("/mi-trabajo/deadlines/mas", headers={"HX-Request": "true"}).status_code == 403


def test_tail_of_a_section_past_the_full_list_says_so(app, http, login_as, frozen, monkeypatch):
    me = login_as("operations")
    client, case = _setup(app, me)
    _fill(app, me, client, case, 14)
    monkeypatch.setattr(work, "FULL_LIST", 12)
    body = http.get(f"/mi-trabajo/tasks/mas?desde={work.PER_SECTION}", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert body.count('class="work-item') == 2 and "Se muestran los primeros 12." in body


def test_queries_do_not_grow_with_items(app, http, login_as, make_user, frozen):
    """Issue 15: the session and roles (2), the person's case and client ids (1), one tally of every section, one
    query per section with rows, the calendar link; an empty section costs nothing more, and the start page's
    card is the ids and the tally."""
    me = login_as("operations")
    with count_queries() as empty:
        http.get("/mi-trabajo")
    assert empty.count == 2 + 2 + 1  # nothing due: no section fetches rows
    client, case = _setup(app, me)
    _fill(app, me, client, case, 3)
    with count_queries() as few:
        http.get("/mi-trabajo")
    other = make_user(roles=("operations",))
    browser = app.test_client()
    login_as(user=other, client=browser)
    client2, case2 = _setup(app, other, name="Cliente Dos")
    _fill(app, other, client2, case2, 30)
    with count_queries() as many:
        browser.get("/mi-trabajo")
    assert few.count == many.count == 2 + 2 + 7 + 1  # seven sections with rows
    with count_queries() as tail:
        browser.get("/mi-trabajo/deadlines/mas?desde=10", headers={"HX-Request": "true"})
    assert tail.count == 2 + 1  # the deadlines need no case or client ids
    with app.test_request_context():
        with count_queries() as card:
            work.queue_for(other, TODAY, limit=0)
    assert card.count == 2  # the ids, then every section's tally in one query


def test_queue_queries_use_their_indexes(app, login_as):
    me = login_as("operations")
    _setup(app, me)
    with app.test_request_context():
        if not is_sqlite():
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        plans = {}
        for key, (query, _model, _late) in work._queries(me.id, TODAY, NOW_UTC).items():
            sql, params = query.limit(50).sql()
            plans[key] = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "INDEX deadline_responsible_id_status_alert_from" in plans["deadlines"]
    assert "INDEX intervention_assigned_id_starts_at" in plans["interventions"]
    assert "INDEX task_owner_id_done_at_due_on" in plans["tasks"] and "TEMP B-TREE" not in plans["tasks"]
    assert "INDEX documentitem_case_id" in plans["documents"]
    assert "INDEX interaction_client_id" in plans["questions"]
    assert "INDEX case_responsible_id_status" in plans["surveys"]
    assert "INDEX complaint_owner_id_status_due_at" in plans["complaints"]
    assert "INDEX client_responsible_id_status_last_update_at" in plans["updates"]


def test_queue_for_500_open_items_costs_what_a_few_cost(app, login_as):
    """500 open items cost the queries a few cost, and each section brings its first rows only (how fast that is at
    full size is the bench's "work queue" row: DESIGN.md §8, tests never time)."""
    me = login_as("operations")
    client, case = _setup(app, me)
    with app.test_request_context():
        work.queue_for(me, TODAY)  # warm
        with count_queries() as few:
            work.queue_for(me, TODAY)
    with app.app_context():
        stamp = {"created_at": utcnow(), "updated_at": utcnow()}
        Deadline.insert_many([{"case": case.id, "description": f"Plazo {i}", "due_at": NOW_UTC + timedelta(hours=i),
                               "responsible": me.id, "alert_days": "7,1", "alert_from": TODAY - timedelta(days=i % 9), **stamp}
                              for i in range(200)]).execute()
        Task.insert_many([{"title": f"Llamar {i}", "due_on": TODAY + timedelta(days=i % 20 - 10), "owner": me.id,
                           "client": client.id, **stamp} for i in range(200)]).execute()
        Intervention.insert_many([{"case": case.id, "starts_at": NOW_UTC - timedelta(hours=i), "assigned": me.id, **stamp}
                                  for i in range(100)]).execute()
    with app.test_request_context():
        with count_queries() as many:
            sections = work.queue_for(me, TODAY)
    assert many.count <= few.count + len([s for s in sections if s.count])  # a row query per section with rows
    assert sum(s.count for s in sections) >= 500 and all(len(s.rows) <= 10 for s in sections)


def test_questions_and_renewals_walk_the_persons_clients(app, login_as):
    """With a few dozen clients (the bench's operations account has 41), SQLite, which keeps no statistics, took
    the firm-wide (kind, direction, …) and (status, end_date) indexes for the questions and the renewals: every
    unanswered question and every pending contract of the firm, about half a second each at full size, in the
    tally and in the rows. Their firm-wide condition is kept off those indexes (core.db.off_index)."""
    me = login_as("operations")
    with app.test_request_context():
        if not is_sqlite():
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        for i in range(41):
            make_client(responsible=me.id, name=f"Cliente {i}", document_number=f"8{i:07d}", email=f"p{i}@correo.test")
        specs = work._queries(me.id, TODAY, NOW_UTC)
        for key, index in (("questions", "interaction_client_id_kind_answered_at"), ("renewals", "contract_client_id")):
            query, model, _late = specs[key]
            for sql, params in (query.limit(10).sql(), model.select(fn.COUNT(model.id)).where(query._where).sql()):
                plan = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
                assert f"INDEX {index} " in plan, (key, plan)
