"""Sending survey invitations (issue 6: 1,000 invitations to a local SMTP server in ≤ 60 s).

On the run's working copy: ``SEND_COUNT`` invitations are created through ``services.surveys.invite`` for
closed cases of the generated firm that have none yet, whose clients have an address and a standing
consent for surveys, due today (untimed setup). Then the timed part is what ``flask jobs run`` does:
``services.surveys.send_due_invitations(now)`` (claim, token, message rendered and queued, audit row, one
transaction per invitation) and ``core.mail.deliver_pending()`` called until the outbox is empty, each
message over SMTP to an aiosmtpd server started in this process (as tests/conftest.py does), which
counts what it receives.
"""

import logging
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from peewee import fn

from core import mail
from core.db import db, utcnow
from core.i18n import to_local
from models.cases import Case
from models.clients import Client
from models.consent import Consent
from models.mail import OutboundEmail
from models.surveys import SurveyInvitation
from services import surveys

NAME = "survey send"  # what BENCH_ONLY selects it by
SEND_COUNT = 1_000
BUDGET_S = 60.0


@dataclass
class SendResult:
    count: int  # invitations created for the run
    queued: int  # what send_due_invitations reported
    delivered: int  # what deliver_pending reported
    received: int  # messages the SMTP server got
    send_seconds: float  # send_due_invitations
    deliver_seconds: float  # deliver_pending until the outbox was empty
    setup_seconds: float
    sample_subject: str = ""

    @property
    def seconds(self) -> float:
        return self.send_seconds + self.deliver_seconds

    @property
    def ok(self) -> bool:
        return 0 < self.queued == self.delivered == self.received

    @property
    def verdict(self) -> str:
        if not self.ok:
            return f"ERROR (created {self.count}, queued {self.queued}, delivered {self.delivered}, received {self.received})"
        return "ok" if self.seconds <= BUDGET_S else "OVER"

    def line(self) -> str:
        return (f"{NAME}: {self.count:,} invitations in {self.seconds:.1f} s (queue {self.send_seconds:.1f} s, "
                f"SMTP {self.deliver_seconds:.1f} s; {self.seconds / max(self.count, 1) * 1000:.1f} ms each), "
                f"budget {BUDGET_S:g} s: {self.verdict}")


class Counter:
    """The SMTP server's handler: counts the messages and keeps one subject."""

    def __init__(self):
        self.count = 0
        self.subject = ""
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            if not self.subject:
                self.subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cases_to_invite(count: int) -> list[Case]:
    """Closed cases without an invitation, one per client, whose client has an address and whose latest
    consent for surveys is a grant; newest closed first."""
    latest = Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "surveys").group_by(Consent.client)
    consenting = Consent.select(Consent.client).where(Consent.id.in_(latest), Consent.granted == True)  # noqa: E712
    invited = SurveyInvitation.select(SurveyInvitation.case).where(SurveyInvitation.case.is_null(False))
    picked, seen = [], set()
    query = (Case.select(Case, Client).join(Client)
             .where(Case.status == "closed", Client.email != "", Client.id.in_(consenting), Case.id.not_in(invited))
             .order_by(Case.closed_at.desc()).limit(count * 3))
    for case in query:
        if case.client_id not in seen:
            seen.add(case.client_id)
            picked.append(case)
            if len(picked) == count:
                break
    return picked


def run(app, count: int = SEND_COUNT, log=print) -> SendResult:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USER")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False, SMTP_USER="")
    try:
        with app.app_context(), db.connection_context():
            t0 = time.perf_counter()
            OutboundEmail.update(status="sent").where(OutboundEmail.status == "pending").execute()  # only ours go out
            now = utcnow()
            already = SurveyInvitation.select().where(  # a cache built on an earlier day: its pending ones are due
                SurveyInvitation.status == "pending", SurveyInvitation.email != "",
                SurveyInvitation.send_on <= to_local(now).date(), SurveyInvitation.expires_at > now).count()
            cases = _cases_to_invite(max(0, count - already))
            template = surveys.default_template()
            for case in cases:
                surveys.invite(case.client, case, template)  # due today, to the client's address
            setup = time.perf_counter() - t0
            log(f"{NAME}: {len(cases) + already:,} invitations due today ({len(cases):,} created in {setup:.1f} s); "
                "sending…")
            start = time.perf_counter()
            queued = surveys.send_due_invitations(utcnow())
            queued_at = time.perf_counter()
            delivered = 0
            while sent := mail.deliver_pending():
                delivered += sent
            end = time.perf_counter()
        deadline = time.monotonic() + 10  # the server thread may still be handling the last message
        while counter.count < delivered and time.monotonic() < deadline:
            time.sleep(0.01)
        return SendResult(len(cases) + already, queued, delivered, counter.count, queued_at - start, end - queued_at, setup,
                          counter.subject)
    finally:
        app.config.update(saved)
        controller.stop()
