"""Scheduled jobs (``flask jobs run``, every minute from cron): survey invitations, reminders, the digest
of anonymous low scores to quality and expiry, complaint escalation digests, legal-deadline alerts, overdue
improvement actions, the monthly quality summary (services/quality/summary.py: once a month from the month's
first business day), then the outbox.

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
from dataclasses import dataclass

from flask import current_app, has_request_context

from core import mail
from core.db import db, utcnow

log = logging.getLogger("traza.jobs")

# (name shown, "module:function"), in the order they run; each takes ``now`` (UTC) and returns a count.
JOBS = (
    ("encuestas_enviadas", "services.surveys:send_due_invitations"),
    ("recordatorios_encuestas", "services.surveys:send_due_reminders"),
    ("avisos_encuestas_anonimas", "services.surveys.answers:anonymous_low_score_alerts"),
    ("encuestas_vencidas", "services.surveys:expire_invitations"),
    ("avisos_quejas", "services.complaints:escalation_digests"),
    ("avisos_plazos", "services.documents.deadlines:deadline_alerts"),
    ("acciones_de_mejora_vencidas", "services.quality.actions:overdue_digests"),
    ("resumen_mensual_calidad", "services.quality.summary:monthly_summary"),
    ("avisos_renovaciones", "services.loyalty:renewal_reminders"),
    ("boletines_enviados", "services.loyalty.newsletter:settle_issues"),
    ("avisos_revision_manual", "services.manual.follow:review_reminders"),
    ("conservacion_vencida", "services.privacy.erasure:list_due"),
    ("recorrido_del_cliente", "services.manual.journey:keep_figures"),
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
