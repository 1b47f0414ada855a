"""The outbox: a claim is a lease, so a message whose sender died is sent by a later run, once."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from types import SimpleNamespace

import time_machine
from aiosmtpd.controller import Controller

from core import mail
from core.db import utcnow
from models.mail import CLAIM_LEASE, OutboundEmail
from tests import factories


class StallingServer:
    """An SMTP server that holds the first DATA until released, so its sender can be killed mid-message."""

    def __init__(self):
        self.in_data = threading.Event()
        self.release = threading.Event()
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if not self.in_data.is_set():
            self.in_data.set()
            while not self.release.is_set():  # the sender is killed meanwhile; this message is never taken
                await asyncio.sleep(0.05)
            return "451 try again"
        self.received.append(envelope.rcpt_tos)
        return "250 OK"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _queue(app, to="ana@firma.test"):
    with app.test_request_context():
        mail.queue(to, "Active su cuenta", "mail/activation", user=SimpleNamespace(display_name="Ana"), link="https://traza.example.test/activar/x",
                   hours=24)


def test_a_message_whose_sender_was_killed_in_data_goes_out_on_a_later_run_once(app, keys_dir, db_url):
    _queue(app)
    stalling = StallingServer()
    controller = Controller(stalling, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        env = dict(os.environ, DATABASE_URL=db_url, TRAZA_INSTANCE=str(keys_dir), SMTP_HOST="127.0.0.1",
                   SMTP_PORT=str(controller.port), TRAZA_FIRM_NAME="Duarte & Asociados Abogados")
        sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "mail", "send"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        assert stalling.in_data.wait(60), "the sender never reached DATA"
        os.killpg(sender.pid, signal.SIGKILL)
        sender.wait(10)
        stalling.release.set()

        with app.app_context():
            assert OutboundEmail.get().status == "sending"
            config = dict(app.config, SMTP_PORT=controller.port)
            assert mail.deliver_pending(config) == 0, "a live claim is left alone"
            with time_machine.travel(utcnow() + CLAIM_LEASE + timedelta(seconds=1), tick=False):
                assert mail.deliver_pending(config) == 1
                assert mail.deliver_pending(config) == 0
            message = OutboundEmail.get()
            assert message.status == "sent" and message.body == ""
        assert stalling.received == [["ana@firma.test"]]
    finally:
        stalling.release.set()
        controller.stop()


def test_two_senders_never_hold_the_same_claim(app):
    _queue(app)
    with app.app_context():
        message = OutboundEmail.get()
        assert OutboundEmail.claim(message)
        assert not OutboundEmail.claim(message)
        assert not OutboundEmail.claim(message, now=utcnow() + CLAIM_LEASE - timedelta(seconds=5))
        assert OutboundEmail.claim(message, now=utcnow() + CLAIM_LEASE + timedelta(seconds=5))


def test_the_oldest_waiting_message_is_known(app):
    with app.app_context():
        assert OutboundEmail.oldest_waiting() is None
    with time_machine.travel(utcnow() - timedelta(hours=2), tick=False):
        _queue(app)
    _queue(app, to="luis@firma.test")
    with app.app_context():
        oldest = OutboundEmail.oldest_waiting()
        assert utcnow() - oldest > timedelta(hours=1, minutes=59)



def test_a_stuck_outbox_shows_on_the_health_check_and_the_admin_home(app, http, login_as):
    assert http.get("/healthz").get_json()["mail"] == "ok"
    with time_machine.travel(utcnow() - timedelta(minutes=40), tick=False):
        _queue(app)
    health = http.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["mail"] == "delayed" and health.get_json()["mail_oldest_minutes"] >= 40
    login_as("admin")
    page = http.get("/").get_data(as_text=True)
    assert 'id="mail-delayed"' in page and "esperando desde hace 40 minutos" in page


def test_a_fresh_outbox_is_not_an_alert(app, http, login_as):
    _queue(app)
    assert http.get("/healthz").get_json()["mail"] == "ok"
    login_as("admin")
    assert 'id="mail-delayed"' not in http.get("/").get_data(as_text=True)


def test_in_production_a_request_only_queues_and_the_worker_sends(make_app, keys_dir, db_url, smtp_server, mailbox):
    """A slow SMTP server must not make anyone wait: the request that queues mail never talks to SMTP;
    `flask mail worker` delivers it."""
    stalling = StallingServer()
    controller = Controller(stalling, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app = make_app(MAIL_SEND_IN_REQUEST=False, SMTP_PORT=controller.port)
        http = app.test_client()
        with app.app_context():
            admin = factories.make_user(roles=("admin",))
        factories.sign_in(http, admin)
        response = http.post("/admin/usuarios/nuevo", data={"email": "nuevo@firma.test", "name": "Nuevo Abogado",
                                                              "roles": ["operations"]})
        assert response.status_code in (200, 303), response.status_code
        assert not stalling.in_data.is_set(), "the request did not talk to SMTP"
        with app.app_context():
            assert OutboundEmail.get(OutboundEmail.to_addr == "nuevo@firma.test").status == "pending"
    finally:
        stalling.release.set()
        controller.stop()
    env = dict(os.environ, DATABASE_URL=db_url, TRAZA_INSTANCE=str(keys_dir), SMTP_HOST="127.0.0.1",
               SMTP_PORT=str(smtp_server[1]))
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "mail", "worker", "--once"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [message] = mailbox.to("nuevo@firma.test")
    assert "/activar/" in mailbox.text(message)

