"""Scheduled jobs (``flask jobs run``, every minute from cron): survey invitations, reminders, the digest
of anonymous low scores to quality and expiry, complaint escalation digests, legal-deadline alerts, then the outbox.

Every job is idempotent and safe to run twice at the same time: each claims its work with a conditional
UPDATE in the transaction that queues the message, so a second run (or a concurrent one) finds nothing left
to claim. One failing job does not stop the others; its traceback goes to the log and ``run`` reports it,
so the command exits non-zero.

Deadline alerts: a deadline alerts on each of its alert days (``Deadline.alert_days``, e.g. 7 and 1 days
before its due date). ``Deadline.alerted_on`` holds the day of the last alert sent; a run claims a
deadline whose latest alert day (on or before today) is later than that. A day missed while the job was not
running is caught up on the next run, once. Each person gets ONE email listing all their deadlines alerting
that day.
"""

import importlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, ngettext

from core import audit, mail
from core.db import db, transaction, utcnow
from core.i18n import to_local, to_utc
from models.cases import Case
from models.documents import Deadline
from models.users import User

log = logging.getLogger("traza.jobs")

# (name shown, "module:function"), in the order they run; each takes ``now`` (UTC) and returns a count.
JOBS = (
    ("encuestas_enviadas", "core.surveys:send_due_invitations"),
    ("recordatorios_encuestas", "core.surveys:send_due_reminders"),
    ("avisos_encuestas_anonimas", "core.survey_answers:anonymous_low_score_alerts"),
    ("encuestas_vencidas", "core.surveys:expire_invitations"),
    ("avisos_quejas", "core.complaints:escalation_digests"),
    ("avisos_plazos", "core.jobs:deadline_alerts"),
)


@dataclass
class Result:
    name: str
    count: int = 0
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error

    def line(self) -> str:
        if self.ok:
            return f"{self.name}: {self.count} ({self.seconds:.2f} s)"
        return f"{self.name}: ERROR {self.error}"


def _resolve(target: str):
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def _run_one(name: str, fn, now) -> Result:
    started = time.perf_counter()
    try:
        count = fn(now)
    except Exception as exc:  # noqa: BLE001 — one job's failure must not stop the others
        log.exception("tarea %s falló", name)
        if db.in_transaction():
            db.rollback()
        return Result(name, error=f"{type(exc).__name__}: {exc}"[:300], seconds=time.perf_counter() - started)
    return Result(name, int(count or 0), seconds=time.perf_counter() - started)


def run(now=None) -> list[Result]:
    """Every job in order, then the outbox. Builds links from BASE_URL (a request context of its own)."""
    now = now or utcnow()
    if not has_request_context():
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            return run(now)
    results = []
    for name, target in JOBS:
        try:
            fn = _resolve(target)
        except (ImportError, AttributeError) as exc:
            log.exception("tarea %s no disponible", name)
            results.append(Result(name, error=f"{type(exc).__name__}: {exc}"[:300]))
            continue
        results.append(_run_one(name, fn, now))
    results.append(_run_one("correos_enviados", lambda _now: mail.deliver_pending(), now))
    return results


# ----- deadline alerts -----

def _alert_day(deadline: Deadline, due_day: date, today: date) -> date | None:
    """The latest of this deadline's alert days that has come (None before the first)."""
    days = [due_day - timedelta(days=o) for o in deadline.offsets or [0]]
    past = [d for d in days if d <= today]
    return max(past) if past else None


def deadline_alerts(now=None) -> int:
    """Claim each open deadline whose alert day has come and queue one digest per responsible; returns the
    number of emails queued."""
    now = now or utcnow()
    today = to_local(now).date()
    day_start = to_utc(datetime.combine(today, clock.min))
    candidates = list(Deadline.select(Deadline, Case).join(Case)
                      .where(Deadline.status == "open", Deadline.alert_from <= today, Deadline.due_at >= day_start,
                             Deadline.alerted_on.is_null() | (Deadline.alerted_on < today))
                      .order_by(Deadline.due_at, Deadline.id))
    if not candidates:
        return 0
    people = {u.id: u for u in User.select().where(User.id.in_({d.responsible_id for d in candidates}),
                                                   User.is_active == True)}  # noqa: E712
    mine: dict[int, list] = defaultdict(list)
    sent = 0
    with transaction():
        for deadline in candidates:
            if deadline.responsible_id not in people:
                continue  # a deactivated account: the deadline stays in the queue of whoever takes it over
            due_day = to_local(deadline.due_at).date()
            alert_day = _alert_day(deadline, due_day, today)
            if alert_day is None or (deadline.alerted_on is not None and deadline.alerted_on >= alert_day):
                continue
            claimed = (Deadline.update(alerted_on=today)
                       .where(Deadline.id == deadline.id, Deadline.status == "open",
                              Deadline.alerted_on.is_null() | (Deadline.alerted_on < alert_day)).execute())
            if claimed:
                mine[deadline.responsible_id].append((deadline, (due_day - today).days))
        base = current_app.config["BASE_URL"].rstrip("/")
        for person_id, rows in mine.items():
            person = people[person_id]
            links = {d.id: base + url_for("documents.deadlines", case_id=d.case_id, _anchor=f"deadline-{d.id}")
                     for d, _left in rows}
            with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                subject = ngettext("A deadline is coming: %(num)d", "Deadlines coming: %(num)d", len(rows))
                mail.queue(person.email, subject, "mail/deadline_alerts", user=person, rows=rows, links=links,
                           work_link=base + url_for("home.work", ver="deadlines"))
            sent += 1
        if sent:
            audit.record("deadline_alerts", object_type="deadline", object_id="digest", actor=None,
                         detail=f"emails={sent} deadlines={sum(len(r) for r in mine.values())}")
    return sent
