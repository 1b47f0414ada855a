"""The overdue improvement actions digest (``flask jobs run``): each active owner gets one mail a day listing their
open actions past their due day, with links; a second run that day — or runs at the same time — sends nothing
more; the next day it goes again while they are still overdue."""

from datetime import date, datetime, time

import time_machine

from core import jobs
from models.audit import AuditEvent
from services.quality import actions as service
from tests.factories import run_concurrently


def _at(day: date, hour: int = 15):
    return time_machine.travel(datetime.combine(day, time(hour, 0)), tick=True)


def _open(app, owner, due_on, title):
    with app.test_request_context():
        return service.open_action(title=title, description="Llamadas sin devolver.", owner=owner, due_on=due_on,
                                   user=owner)


def _run(app):
    return app.test_cli_runner().invoke(args=["jobs", "run"])


def test_one_digest_a_day_per_owner_with_their_overdue_actions(app, make_user, mailbox):
    owner = make_user(roles=("service",), name="Laura Gómez", email="laura@firma.test")
    other = make_user(roles=("operations",), name="Pablo Ruiz", email="pablo@firma.test")
    gone = make_user(roles=("operations",), name="Antiguo", email="antiguo@firma.test", active=False)
    with _at(date(2026, 3, 1)):
        late = _open(app, owner, date(2026, 3, 5), "Turnos de viernes")
        also = _open(app, owner, date(2026, 3, 8), "Plantilla de respuesta")
        _open(app, owner, date(2026, 3, 20), "Todavía a tiempo")
        _open(app, gone, date(2026, 3, 5), "De alguien que se fue")
        _open(app, other, date(2026, 3, 5), "La de Pablo")
    with _at(date(2026, 3, 10)):
        result = _run(app)
    assert result.exit_code == 0, result.output
    assert "acciones_de_mejora_vencidas: 2" in result.output
    [message] = mailbox.to("laura@firma.test")
    text = mailbox.text(message)
    assert late.code in text and also.code in text and "Todavía a tiempo" not in text
    assert f"/calidad/acciones/{late.id}" in text
    assert len(mailbox.to("pablo@firma.test")) == 1 and mailbox.to("antiguo@firma.test") == []
    assert AuditEvent.select().where(AuditEvent.action == "improvement_digest").count() == 1
    with _at(date(2026, 3, 10), 20):  # the same day: nothing more
        assert "acciones_de_mejora_vencidas: 0" in _run(app).output
    assert len(mailbox.to("laura@firma.test")) == 1
    with _at(date(2026, 3, 11)):  # the next day, still overdue: again
        assert "acciones_de_mejora_vencidas: 2" in _run(app).output


def test_two_runs_at_the_same_time_send_one(app, make_user, mailbox):
    owner = make_user(roles=("service",), email="laura@firma.test")
    with _at(date(2026, 3, 1)):
        _open(app, owner, date(2026, 3, 5), "Turnos de viernes")
    with _at(date(2026, 3, 10)):
        results = run_concurrently(app, lambda: jobs.run(), n=4)
    assert all(r.ok for run in results for r in run), [r.line() for run in results for r in run]
    assert sum(next(r.count for r in run if r.name == "acciones_de_mejora_vencidas") for run in results) == 1
    assert len(mailbox.to("laura@firma.test")) == 1
