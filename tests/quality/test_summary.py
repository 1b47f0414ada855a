"""The monthly quality summary (issue 16 §3): on the first business day of the firm's month (weekends and
holidays of services/documents/calendar.py, the firm's today, never the machine's), every active member of
management or quality gets one mail with last month's indicators against their targets, what needs attention
and links; nothing confidential. Sent once: a second run that month, or runs at the same time, send nothing more;
a first business day missed while the server was down is caught up on the next run that month, once.

November 2026 begins on a Sunday and Monday 2 November is a holiday (Todos los Santos), so its first business
day is Tuesday 3 November."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from core import jobs
from models.audit import AuditEvent
from models.complaints import Complaint
from models.documents import Holiday
from models.mail import OutboundEmail
from services.quality import indicators
from tests import factories
from tests.factories import run_concurrently

SECRET_CLIENT = "Bernarda Quintero Salcedo"
SECRET_TEXT = "Nadie devolvió las llamadas por el asunto de la herencia de Bernarda"


def _at(day: date, hour: int = 15):
    """A moment given in UTC (15:00 UTC is 10:00 in Bogotá, the firm's zone)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC), tick=True)


def _run(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def _firm(app, make_user):
    with app.app_context():
        Holiday.create(day=date(2026, 11, 2), region="CO", name="Todos los Santos")
    people = {
        "gerencia": make_user(roles=("management",), name="Gloria Gerente", email="gloria@firma.test"),
        "calidad": make_user(roles=("quality",), name="Carlos Calidad", email="carlos@firma.test"),
        "ambos": make_user(roles=("management", "quality"), name="Ana Ambos", email="ana@firma.test"),
    }
    make_user(roles=("operations",), name="Óscar Operaciones", email="oscar@firma.test")
    make_user(roles=("quality",), name="Quien Se Fue", email="ido@firma.test", active=False)
    with app.test_request_context():
        client = factories.make_client(name=SECRET_CLIENT)
        received = datetime(2026, 10, 6, 15, 0)
        complaint = open_complaint(client, people["calidad"], received)
        Complaint.update(resolved_at=received + timedelta(days=3), status="resolved").where(
            Complaint.id == complaint.id).execute()
        indicators.set_target("resolucion", 5, people["calidad"].id, people["calidad"].id, date(2026, 10, 1))
    return people


def open_complaint(client, owner, received):
    from services import complaints

    return complaints.open_complaint(kind="complaint", owner=owner, client=client, description=SECRET_TEXT,
                                     received_at=received)


def _addresses(mailbox):
    return sorted(m["To"] for m in mailbox.messages if "calidad" in m["Subject"].lower())


def test_sent_on_the_first_business_day_once_to_each_recipient(app, make_user, mailbox):
    with _at(date(2026, 10, 20)):
        people = _firm(app, make_user)
        # October's own summary (September's figures) went out on its first business day.
        _run(app)
    mailbox.clear()
    with _at(date(2026, 11, 2)):  # a holiday: nothing
        assert "resumen_mensual_calidad: 0" in _run(app)
    with _at(date(2026, 11, 3), 4):  # 23:00 on the 2nd in Bogotá (already the 3rd on a machine east of it)
        assert "resumen_mensual_calidad: 0" in _run(app)
    assert _addresses(mailbox) == []
    with _at(date(2026, 11, 3)):
        assert "resumen_mensual_calidad: 3" in _run(app)
    assert _addresses(mailbox) == ["ana@firma.test", "carlos@firma.test", "gloria@firma.test"]
    [message] = mailbox.to("gloria@firma.test")
    assert message["Subject"] == "Resumen de calidad de octubre de 2026"
    text, html = mailbox.text(message), mailbox.html(message)
    for body in (text, html):
        assert "Hola, Gloria Gerente:" in body
        assert "Índice de resolución de incidencias" in body
        assert "3 días" in body and "como máximo 5 días" in body and "Cumplida" in body
        assert "sin datos" in body  # indicators without data in October say so
        assert "https://traza.example.test/calidad?desde=2026-10-01&" in body
        assert "/calidad/indicadores/resolucion?desde=2026-10-01" in body
        assert SECRET_CLIENT not in body and "Bernarda" not in body and "herencia" not in body
    for ind in indicators.INDICATORS:
        assert f"/calidad/indicadores/{ind}?" in text
    assert AuditEvent.select().where(AuditEvent.action == "quality_summary").count() == 2
    for day, hour in ((date(2026, 11, 3), 20), (date(2026, 11, 4), 15), (date(2026, 11, 30), 15)):
        with _at(day, hour):  # later that month: nothing more
            assert "resumen_mensual_calidad: 0" in _run(app)
    assert len(mailbox.to("gloria@firma.test")) == 1 and mailbox.to("oscar@firma.test") == []
    assert mailbox.to("ido@firma.test") == []
    with _at(date(2026, 12, 1)):  # Tuesday 1 December: the next month's
        assert "resumen_mensual_calidad: 3" in _run(app)
    assert mailbox.to("gloria@firma.test")[-1]["Subject"] == "Resumen de calidad de noviembre de 2026"
    assert people


def test_a_missed_first_business_day_sends_on_the_next_run_once(app, make_user, mailbox):
    with _at(date(2026, 10, 20)):
        _firm(app, make_user)
        _run(app)
    mailbox.clear()
    with _at(date(2026, 11, 5)):  # the server was down on the 3rd and the 4th
        assert "resumen_mensual_calidad: 3" in _run(app)
    with _at(date(2026, 11, 6)):
        assert "resumen_mensual_calidad: 0" in _run(app)
    assert len(mailbox.to("carlos@firma.test")) == 1


def test_two_runs_at_the_same_time_send_one_each(app, make_user, mailbox):
    with _at(date(2026, 10, 20)):
        _firm(app, make_user)
        _run(app)
    mailbox.clear()
    before = OutboundEmail.select().count()
    with _at(date(2026, 11, 3)):
        results = run_concurrently(app, lambda: jobs.run(), n=4)
    assert all(r.ok for run in results for r in run), [r.line() for run in results for r in run]
    assert sum(next(r.count for r in run if r.name == "resumen_mensual_calidad") for run in results) == 3
    assert OutboundEmail.select().count() == before + 3
    assert _addresses(mailbox) == ["ana@firma.test", "carlos@firma.test", "gloria@firma.test"]
