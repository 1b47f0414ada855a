"""``flask jobs run``: the deadline alerts (one email per person on each alert day, never twice), every job
in order with a one-line summary, safe to run twice at the same time, and a failing job turning the exit
code non-zero while the others still run."""

import logging
from datetime import date, datetime, time

import pytest
import time_machine

from core import jobs
from models.audit import AuditEvent
from models.documents import Deadline
from services.documents import deadlines
from tests.factories import make_case, make_client, run_concurrently

NOW = datetime(2026, 3, 10, 15, 0)  # Tuesday 10:00 in Bogotá
DUE = date(2026, 3, 17)  # the Tuesday after: 7 days ahead


def _at(day: date, hour: int = 15):
    return time_machine.travel(datetime.combine(day, time(hour, 0)), tick=True)


@pytest.fixture
def lawyer(app, make_user):
    return make_user(roles=("operations",), name="Laura Gómez", email="laura@firma.test")


@pytest.fixture
def case(app, lawyer):
    with app.test_request_context():
        return make_case(client=make_client(name="Rodrigo Peña Salas"), responsible=lawyer)


def _deadline(app, case, responsible, description="Contestar la demanda", due=DUE, offsets=(7, 1)):
    with app.test_request_context():
        return deadlines.add_deadline(case, {"description": description, "kind": "procedural", "due_on": due,
                                             "due_time": time(17, 0), "responsible": responsible,
                                             "offsets": list(offsets)}, responsible)


def _run(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    return result


def test_deadline_alerts_go_once_on_each_alert_day(app, case, lawyer, mailbox):
    deadline = _deadline(app, case, lawyer)
    with _at(date(2026, 3, 9)):  # 8 days before: not yet
        assert _run(app).exit_code == 0
    assert mailbox.to("laura@firma.test") == []
    with _at(date(2026, 3, 10)):  # 7 days before: one email
        result = _run(app)
    assert result.exit_code == 0, result.output
    assert "avisos_plazos: 1" in result.output and "correos_enviados: 1" in result.output
    [message] = mailbox.to("laura@firma.test")
    text = mailbox.text(message)
    assert "Contestar la demanda" in text and f"EXP-{case.id:05d}" in text
    assert f"https://traza.example.test/documentos/casos/{case.id}/plazos#deadline-{deadline.id}" in text
    assert "Rodrigo" not in text  # the case code, not the client's name
    assert Deadline.get_by_id(deadline.id).alerted_on == date(2026, 3, 10)
    with _at(date(2026, 3, 10), hour=22):  # same day again: nothing
        assert "avisos_plazos: 0" in _run(app).output
    with _at(date(2026, 3, 13)):  # between alert days: nothing
        _run(app)
    assert len(mailbox.to("laura@firma.test")) == 1
    with _at(date(2026, 3, 16)):  # 1 day before: one more
        _run(app)
        _run(app)
    assert len(mailbox.to("laura@firma.test")) == 2
    with _at(date(2026, 3, 17)):  # the day itself is not one of its alert days
        _run(app)
    assert len(mailbox.to("laura@firma.test")) == 2
    assert AuditEvent.select().where(AuditEvent.action == "deadline_alerts").count() == 2


def test_one_digest_per_person_listing_their_deadlines(app, case, lawyer, make_user, mailbox):
    colleague = make_user(roles=("operations",), email="pedro@firma.test")
    _deadline(app, case, lawyer, "Contestar la demanda")
    _deadline(app, case, lawyer, "Presentar pruebas", offsets=(7,))
    _deadline(app, case, colleague, "Recurso de apelación", offsets=(7, 3))
    _deadline(app, case, lawyer, "Audiencia lejana", due=date(2026, 4, 30))  # not in its window yet
    done = _deadline(app, case, lawyer, "Plazo cumplido")
    Deadline.update(status="done").where(Deadline.id == done.id).execute()
    with _at(date(2026, 3, 10)):
        result = _run(app)
    assert "avisos_plazos: 2" in result.output
    [mine] = mailbox.to("laura@firma.test")
    text = mailbox.text(mine)
    assert "Contestar la demanda" in text and "Presentar pruebas" in text
    assert "Audiencia lejana" not in text and "Plazo cumplido" not in text and "Recurso" not in text
    [theirs] = mailbox.to("pedro@firma.test")
    assert "Recurso de apelación" in mailbox.text(theirs) and "Contestar" not in mailbox.text(theirs)


def test_a_missed_alert_day_is_caught_up_once(app, case, lawyer, mailbox):
    _deadline(app, case, lawyer)
    with _at(date(2026, 3, 12)):  # the job did not run on the 10th
        _run(app)
        _run(app)
    assert len(mailbox.to("laura@firma.test")) == 1


def test_deactivated_responsible_gets_nothing(app, case, lawyer, mailbox):
    deadline = _deadline(app, case, lawyer)
    from models.users import User

    User.update(is_active=False).where(User.id == lawyer.id).execute()
    with _at(date(2026, 3, 10)):
        assert _run(app).exit_code == 0
    assert mailbox.to("laura@firma.test") == [] and Deadline.get_by_id(deadline.id).alerted_on is None


def test_two_runs_at_the_same_time_send_one(app, case, lawyer, mailbox):
    _deadline(app, case, lawyer)
    with _at(date(2026, 3, 10)):
        results = run_concurrently(app, lambda: jobs.run(), n=4)
    assert all(r.ok for run in results for r in run), [r.line() for run in results for r in run]
    assert sum(next(r.count for r in run if r.name == "avisos_plazos") for run in results) == 1
    assert len(mailbox.to("laura@firma.test")) == 1


def test_a_failing_job_exits_non_zero_and_the_others_still_run(app, case, lawyer, mailbox, monkeypatch, caplog):
    import services.surveys

    def broken(now=None):
        raise RuntimeError("servidor de plantillas caído")

    monkeypatch.setattr(services.surveys, "send_due_reminders", broken)  # injected fault; everything else is real
    _deadline(app, case, lawyer)
    with _at(date(2026, 3, 10)), caplog.at_level(logging.ERROR, logger="traza.jobs"):
        result = _run(app)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [name for name, _ in jobs.JOBS] + ["correos_enviados"]
    assert "recordatorios_encuestas: ERROR RuntimeError: servidor de plantillas caído" in result.output
    assert "avisos_plazos: 1" in result.output  # later jobs ran
    assert len(mailbox.to("laura@firma.test")) == 1
    assert any("recordatorios_encuestas" in r.getMessage() and r.exc_info for r in caplog.records)  # traceback logged
    with _at(date(2026, 3, 10), hour=16):
        assert _run(app).exit_code == 1  # still failing: still non-zero, and no second alert
    assert len(mailbox.to("laura@firma.test")) == 1
