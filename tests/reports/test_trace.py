"""The traceability report (issue 18 item 6; SECURITY.md A3, A4, L1, L2, L4): every table that refers to a client or a
case is a source of events or excluded with a reason; a client's history comes out in time order with who did what;
confidential content is masked for a reader off the team and never decrypted, shown to the team with one
``sensitive_read`` row; the period and kinds filter it; the audit rows of the records shown are verified and the
report stamped; the PDF is made from the same template and reads in Spanish; the number of queries does not grow with
the events; a reader without access to the client gets 404."""

import subprocess
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

import models
from core.db import utcnow
from core.i18n import today_local
from models.audit import AuditEvent
from models.cases import Case
from models.clients import Client
from models.complaints import CrisisIncident
from models.consent import Consent
from models.interactions import Interaction
from models.references import tables_about_a_client
from services.reports import trace
from tests.factories import make_case, make_client, make_notice, make_user

pytestmark = pytest.mark.usefixtures("clock")

MASK = '<em class="muted">contenido confidencial</em>'


# ----- coverage: every table that refers to a client or a case -----

def test_every_table_that_refers_to_a_client_is_a_source_or_excluded_with_a_reason():
    sources = {s.model._meta.table_name for s in trace.SOURCES}
    referring = tables_about_a_client(models.ALL_MODELS)
    missing = sorted(referring - sources - set(trace.EXCLUDED))
    assert not missing, f"tables about a client neither in the traceability report nor excluded: {missing}"
    assert all(len(reason) > 20 for reason in trace.EXCLUDED.values())
    assert not sources & set(trace.EXCLUDED)
    assert not (sources | set(trace.EXCLUDED)) - referring, "a source or exclusion that no longer exists"
    # The list: intake, evaluation, conflict check, consents, quotations, contracts, cases, interventions,
    # interactions, documents, deadlines, closing, surveys, complaints, crisis, renewals, benefits.
    assert {"client", "intake_evaluation", "conflict_check", "consent", "quotation", "contract", "legal_case",
            "intervention", "interaction", "document_item", "deadline", "final_delivery", "survey_invitation",
            "complaint", "crisis_incident", "renewal_decision", "benefit_grant"} <= sources


# ----- a seeded client -----

def _seed(app, tag, handler, interactions=1):
    """A client with a case whose responsible is ``handler``, a confidential interaction (canary ``tag``), a crisis
    incident, a consent and ``interactions`` plain interactions."""
    with app.test_request_context():
        client = make_client(name=f"Cliente {tag}")
        notice = make_notice()
        Consent.create(client=client, purpose="service", granted=True, method="written", given_on=utcnow().date(),
                       notice=notice, notice_sha256=notice.sha256, collected_by=handler)
        case = make_case(client=Client.get_by_id(client.id), title=f"Caso {tag}", responsible=handler)
        secret = Interaction(client=client, case=case, occurred_at=utcnow() - timedelta(days=2), confidential=True,
                             kind="update", created_by=handler)
        secret.save()
        secret.set_summary(f"Llamada secreta {tag}")
        secret.save()
        incident = CrisisIncident(client=client, case=case, opened_by=handler, occurred_at=utcnow() - timedelta(days=1))
        incident.save()
        incident.seal("behaviour", f"Conducta {tag}")
        incident.save()
        Interaction.insert_many([{"client": client.id, "case": case.id, "occurred_at": utcnow() - timedelta(minutes=i),
                                  "kind": "update", "summary": f"Aviso {i}", "created_by": handler.id}
                                 for i in range(interactions)]).execute()
        return Client.get_by_id(client.id), Case.get_by_id(case.id)


def _reads(client_id=None):
    query = AuditEvent.select().where(AuditEvent.action == "sensitive_read")
    return list(query)


def test_the_team_sees_the_history_in_time_order_with_who_and_its_read_is_recorded_once(app, http, login_as):
    user = login_as("operations")
    client, case = _seed(app, "ALFA-101", user, interactions=3)
    before = len(_reads())
    response = http.get(f"/clientes/{client.id}/trazabilidad")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Informe de trazabilidad" in html and "Cliente ALFA-101" in html
    assert "Llamada secreta ALFA-101" in html and "Conducta ALFA-101" in html
    assert MASK not in html
    reads = _reads()[before:]
    assert len(reads) == 1
    (read,) = reads
    assert read.actor_id == user.id and read.detail.startswith("informe de trazabilidad")
    assert "interaction.summary" in read.fields and "crisis_incident.behaviour" in read.fields
    assert "ALFA-101" not in read.detail  # never the values (L1)
    with app.test_request_context():
        report = trace.build(client, trace.Reader.of(user, client))
        times = [e.at for e in report.events]
        assert times == sorted(times)
        kinds = {e.kind for e in report.events}
        assert {"intake", "consent", "cases", "interactions", "crisis"} <= kinds
        assert any(e.who == user.name for e in report.events)


def test_a_reader_off_the_team_sees_confidential_content_masked_and_nothing_is_decrypted(app, http, login_as):
    with app.app_context():
        owner = make_user(roles=("operations",), name="Laura Equipo")
    client, _case = _seed(app, "BETA-202", owner)
    login_as("quality")  # reads any client's report (reports.trace), is on no team
    before = len(_reads())
    html = http.get(f"/clientes/{client.id}/trazabilidad?tipos=interactions").get_data(as_text=True)
    assert MASK in html
    assert "Llamada secreta BETA-202" not in html
    assert len(_reads()) == before  # nothing shown, nothing read
    # Decrypting is refused outright on the path that masks: the key is never asked.
    with app.test_request_context():
        reader = trace.Reader.of(make_user(roles=("quality",)), client)
        original = Interaction.reveal_summary
        try:
            Interaction.reveal_summary = lambda self: pytest.fail("a masked summary was decrypted")
            report = trace.build(client, reader, kinds=("interactions",))
        finally:
            Interaction.reveal_summary = original
        assert report.masked == 1 and report.revealed == 0


def test_a_reader_without_access_to_the_client_gets_404_with_its_authz_fail(app, http, login_as):
    with app.app_context():
        owner = make_user(roles=("operations",), name="Laura Equipo")
    client, case = _seed(app, "GAMMA-303", owner)
    stranger = login_as("operations")
    for url in (f"/clientes/{client.id}/trazabilidad", f"/clientes/{client.id}/trazabilidad/pdf",
                f"/casos/{case.id}/trazabilidad", f"/casos/{case.id}/trazabilidad/pdf"):
        response = http.get(url)
        assert response.status_code == 404, url
        assert "GAMMA-303" not in response.get_data(as_text=True)
    fails = AuditEvent.select().where(AuditEvent.action == "authz_fail", AuditEvent.actor == stranger.id)
    assert fails.count() == 4
    assert http.get("/clientes/999999/trazabilidad").status_code == 404


def test_management_reads_any_and_the_link_is_on_the_client_and_case_pages(app, http, login_as):
    with app.app_context():
        owner = make_user(roles=("operations",), name="Laura Equipo")
    client, case = _seed(app, "DELTA-404", owner)
    login_as("management")
    assert f"/clientes/{client.id}/trazabilidad" in http.get(f"/clientes/{client.id}").get_data(as_text=True)
    assert f"/casos/{case.id}/trazabilidad" in http.get(f"/casos/{case.id}").get_data(as_text=True)
    assert http.get(f"/clientes/{client.id}/trazabilidad").status_code == 200


def test_the_period_and_the_kinds_filter_the_history_and_a_bad_period_is_told_beside_its_field(app, http, login_as):
    user = login_as("operations")
    client, _case = _seed(app, "EPS-505", user)
    today = None
    with app.app_context():
        today = today_local()
    yesterday = today - timedelta(days=1)
    with app.test_request_context():
        reader = trace.Reader.of(user, client)
        whole = trace.build(client, reader)
        only = trace.build(client, reader, since=yesterday, until=yesterday, kinds=("crisis",))
    assert {e.kind for e in only.events} == {"crisis"}
    assert all(e.day == yesterday for e in only.events) and len(only.events) < len(whole.events)
    bad = http.get(f"/clientes/{client.id}/trazabilidad?desde={today}&hasta={yesterday}")
    assert bad.status_code == 422
    assert "El periodo debe empezar" in bad.get_data(as_text=True) or "period must start" in bad.get_data(as_text=True)
    assert http.get(f"/clientes/{client.id}/trazabilidad?desde=ayer").status_code == 422
    assert http.get(f"/clientes/{client.id}/trazabilidad?tipos=nada").status_code == 422


def test_the_case_report_holds_that_case_only(app, login_as):
    user = login_as("operations")
    client, case = _seed(app, "ZETA-606", user)
    with app.test_request_context():
        other = make_case(client=client, title="Otro asunto", responsible=user)
        report = trace.build(client, trace.Reader.of(user, client), case=case)
        assert report.events and all(e.case_id in (case.id, None) for e in report.events)
        assert all(e.ref[0] in ("legal_case", "contract", "renewal_decision") or e.case_id == case.id
                   for e in report.events)
        assert not any(e.ref == ("legal_case", other.id) for e in report.events)


# ----- the audit chain -----

def test_the_report_is_stamped_with_its_audit_rows_verified_and_names_an_altered_one(app, http, login_as,
                                                                                    unguard_audit):
    user = login_as("operations")
    client, _case = _seed(app, "ETA-707", user)
    html = http.get(f"/clientes/{client.id}/trazabilidad").get_data(as_text=True)
    assert "Cadena de auditoría verificada" in html
    with app.test_request_context():
        report = trace.build(client, trace.Reader.of(user, client))
        assert report.chain.intact and report.chain.rows >= 2
        shown = trace.audit_rows(report.events)
        target = shown[len(shown) // 2]
        unguard_audit()
        AuditEvent.update(detail="retocado").where(AuditEvent.id == target.id).execute()
        broken = trace.build(client, trace.Reader.of(user, client), kinds=("intake", "cases", "consent"))
        assert broken.chain.broken_at == target.id
    html = http.get(f"/clientes/{client.id}/trazabilidad").get_data(as_text=True)
    assert f"n.º {target.id}" in html or f"no. {target.id}" in html


def test_a_link_to_a_row_outside_the_report_is_checked_too(app, login_as):
    """The row before a shown row is not itself shown: its hash is read and must match the link."""
    user = login_as("operations")
    client, _case = _seed(app, "THETA-808", user)
    with app.test_request_context():
        rows = trace.audit_rows(trace.build(client, trace.Reader.of(user, client)).events)
        assert trace.verify(rows).intact
        first = rows[0]
        forged = AuditEvent(**{**first.__data__, "prev_hash": "0" * 64})
        assert trace.verify([forged]).broken_at == first.id


# ----- performance: queries constant in the number of events -----

def test_the_number_of_queries_does_not_grow_with_the_events(app, login_as):
    user = login_as("management")
    few, _ = _seed(app, "IOTA-909", user, interactions=1)
    many, _ = _seed(app, "KAPPA-010", user, interactions=500)
    counts, sizes = [], []
    for client in (few, many):
        with app.test_request_context():
            reader = trace.Reader.of(user, client)
            with count_queries() as counter:
                report = trace.build(client, reader)
            counts.append(counter.count)
            sizes.append(len(report.events))
    assert sizes[1] >= 500
    assert counts[0] == counts[1], counts
    # one per source, the staff names, the audit rows, their predecessors (+ the gaps), the read and its chain
    assert counts[0] <= len(trace.SOURCES) + 12


# ----- the PDF of a demo client with a full history -----

def test_the_pdf_of_a_demo_client_reads_as_a_document_in_spanish(app, http, login_as, tmp_path):
    from services import demo

    with app.test_request_context():
        demo.load()
        events = {}
        for client in Client.select().where(Client.blocked_on.is_null()):
            events[client.id] = len(trace.build(client, trace.Reader.of(make_user(roles=("management",)),
                                                                             client)).events)
        richest = max(events, key=events.get)
        name = Client.get_by_id(richest).name
    login_as("management")
    response = http.get(f"/clientes/{richest}/trazabilidad/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "informe.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Informe de trazabilidad" in text and name in text
    assert "Historia de la atención al cliente" in text
    assert "Cadena de auditoría verificada" in text and "registros íntegros" in text
    assert "Página 1 de" in text


# ----- bad filters: a Spanish message beside the field, never a 5xx -----

@pytest.mark.parametrize("query", ["desde=2026-02-30", "hasta=99999-01-01", "desde=%00%0d%0a", "desde=0001-01-01",
                                   "tipos=interactions&tipos=%E2%80%AE", "desde=" + "9" * 5000, "tipos=",
                                   "desde=2026-01-01&desde=2026-02-01", "hasta=1900-01-01"])
def test_garbage_in_the_filters_never_answers_5xx(app, http, login_as, query):
    user = login_as("operations")
    client, case = _seed(app, "MU-111", user)
    for url in (f"/clientes/{client.id}/trazabilidad?{query}", f"/casos/{case.id}/trazabilidad?{query}"):
        response = http.get(url)
        assert response.status_code in (200, 400, 422), (url, response.status_code)  # 400: a NUL refused app-wide
        if response.status_code == 422:
            assert "has-error" in response.get_data(as_text=True)


def test_every_source_with_rows_of_a_demo_client_gives_its_events(app):
    """A source whose query finds rows of the client shows them: each row found is the record of some event."""
    from services import demo

    with app.test_request_context():
        demo.load()
        boss = make_user(roles=("management",))
        seen_tables = set()
        for client in Client.select().where(Client.blocked_on.is_null()):
            report = trace.build(client, trace.Reader.of(boss, client))
            shown = {e.ref for e in report.events}
            scope = trace.Scope(client.id)
            for source in trace.SOURCES:
                query = source.rows(scope)
                for row in query:
                    if any(e is not None for e in source.events(row)):
                        assert (source.model._meta.table_name, row.id) in shown, (source.model, row.id)
                        seen_tables.add(source.model._meta.table_name)
        # the demo firm's full histories reach nearly every source (not yet: meetings, document versions, final
        # deliveries, renewal decisions)
        assert len(seen_tables) >= len(trace.SOURCES) - 6, sorted(seen_tables)


def test_under_htmx_the_filters_answer_the_report_part_only_with_its_pdf_link(app, http, login_as):
    user = login_as("operations")
    client, case = _seed(app, "NU-222", user)
    for url, root in ((f"/clientes/{client.id}/trazabilidad", f'id="client-{client.id}-trace"'),
                      (f"/casos/{case.id}/trazabilidad", f'id="case-{case.id}-trace"')):
        full = http.get(url).get_data(as_text=True)
        assert "<html" in full and root in full
        part = http.get(url + "?tipos=crisis", headers={"HX-Request": "true"})
        body = part.get_data(as_text=True)
        assert part.status_code == 200 and "<html" not in body and root in body
        assert "/trazabilidad/pdf?tipos=crisis" in body
        assert {k for k in ('data-kind="crisis"', 'data-kind="interactions"') if k in body} == {'data-kind="crisis"'}
        bad = http.get(url + "?desde=2026-02-30", headers={"HX-Request": "true"})
        assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
        assert "has-error" in bad.get_data(as_text=True)
