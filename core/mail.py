"""Outgoing mail through SMTP, by way of an outbox.

``queue()`` writes the message in the caller's transaction (so a rolled-back change sends nothing);
``deliver_pending()`` sends what is queued, one message per recipient, from ``flask mail worker`` (every
few seconds) or ``flask jobs run``: a request never waits on SMTP. A claim is a lease, so a message whose
sender died goes out on a later run. Bodies are encrypted at rest and erased once delivered, because they
may carry single-use links.
"""

import base64
import json
import logging
import smtplib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, g, render_template

from core import crypto
from core.db import utcnow
from models.mail import OutboundEmail

log = logging.getLogger("traza.mail")


def queue(to: str, subject: str, template: str, attachments=(), headers=None, message_id=None, bulk=False,
          **ctx) -> OutboundEmail:
    """Render ``<template>.txt`` and ``<template>.html`` and queue one message for one recipient.

    ``attachments``: ``[(filename, content_type, bytes)]``, kept (base64) inside the encrypted body;
    ``content_type`` may carry parameters (``text/calendar; method=REQUEST``). ``headers``: extra header
    fields (``List-Unsubscribe``), kept inside the encrypted body too, since they may carry a link's token.
    ``message_id``: a deterministic id (a UUID) makes queueing the same message twice fail on its unique index,
    which a job can use to send something once. ``bulk``: a newsletter's message, sent after the transactional
    mail and at most ``NEWSLETTER_RATE`` a minute."""
    ctx.setdefault("firm_name", current_app.config["FIRM_NAME"])
    text = render_template(f"{template}.txt", **ctx)
    html = render_template(f"{template}.html", **ctx)
    message = OutboundEmail(to_addr=to, subject=subject[:200], bulk=bulk)
    if message_id:
        message.message_id = message_id
    body = {"text": text, "html": html}
    if headers:
        body["headers"] = dict(headers)
    if attachments:
        body["attachments"] = [{"filename": name, "content_type": kind, "data": base64.b64encode(data).decode()}
                               for name, kind, data in attachments]
    message.body = crypto.keys.field.encrypt(json.dumps(body), _context(message))
    message.save()
    g.mail_queued = True
    return message


def _context(message: OutboundEmail) -> str:
    return f"outbound_email|body|{message.message_id}"


def sender(config) -> tuple[str, str]:
    """(name, address) the firm's mail goes out from: the firm's name (``FIRM_NAME``) at ``MAIL_FROM``'s
    address, so a client's inbox shows who writes to them, not the software that sent it."""
    address = parseaddr(config["MAIL_FROM"])[1] or config["MAIL_FROM"]
    return config["FIRM_NAME"], address


def _build(message: OutboundEmail, config) -> EmailMessage:
    body = json.loads(crypto.keys.field.decrypt(message.body, _context(message)))
    name, address = sender(config)
    email = EmailMessage()
    email["From"] = Address(display_name=name, addr_spec=address)
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    # RFC 5322 requires Date; the firm's offset, so the header reads like the firm's clock.
    email["Date"] = format_datetime(datetime.now(ZoneInfo(config["TIMEZONE"])))
    email["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "traza.local")
    for field, value in body.get("headers", {}).items():
        email[field] = value
    email.set_content(body["text"])
    email.add_alternative(body["html"], subtype="html")
    for item in body.get("attachments", ()):
        kind, *params = [p.strip() for p in item["content_type"].split(";")]
        maintype, subtype = kind.split("/", 1)
        email.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
                             filename=item["filename"], params=dict(p.split("=", 1) for p in params if "=" in p))
    return email


def deliver_pending(config=None) -> int:
    """Send queued messages; returns how many went out. Never raises: the change that queued the mail
    is already committed, and what is not sent now stays queued for the next call (or `flask mail send`)."""
    config = config or current_app.config
    if not config["SMTP_HOST"]:
        log.warning("SMTP_HOST sin configurar: los correos quedan en la bandeja de salida.")
        return 0
    pending = OutboundEmail.next_round(bulk_rate=config.get("NEWSLETTER_RATE") or None)
    if not pending:
        return 0
    smtp = None
    try:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("SMTP no disponible: %s", exc)
        if smtp is not None:
            smtp.close()
        return 0
    sent = 0
    with smtp:
        for message in pending:
            if not OutboundEmail.claim(message):
                continue  # another sender holds a live claim on it
            sent += _send_one(smtp, message, config)
    return sent


def _send_one(smtp, message: OutboundEmail, config) -> int:
    try:
        smtp.send_message(_build(message, config))
    except (smtplib.SMTPException, OSError, crypto.DecryptError) as exc:
        OutboundEmail.update(status="pending", attempts=OutboundEmail.attempts + 1, last_error=str(exc)[:300]).where(
            OutboundEmail.id == message.id).execute()
        return 0
    OutboundEmail.update(status="sent", sent_at=utcnow(), body="", attempts=OutboundEmail.attempts + 1).where(
        OutboundEmail.id == message.id).execute()
    return 1


def delay(config=None) -> int | None:
    """Minutes the oldest unsent message has waited, when past the alert threshold; None otherwise."""
    config = config or current_app.config
    oldest = OutboundEmail.oldest_waiting()
    if oldest is None:
        return None
    minutes = int((utcnow() - oldest).total_seconds() // 60)
    return minutes if minutes >= config["MAIL_DELAY_ALERT_MINUTES"] else None


def work(interval: float, stop, once: bool = False) -> None:
    """The mail worker: deliver, wait ``interval`` seconds, again; until ``stop`` (an Event) is set."""
    from core.db import db

    while True:
        try:
            with db.connection_context():
                sent = deliver_pending()
            if sent:
                log.info("correos enviados: %s", sent)
        except Exception:  # noqa: BLE001 — a bad round (database restarting) must not end the worker
            log.exception("ronda de envío fallida; se reintenta")
        if once or stop.wait(interval):
            return


def init_app(app):
    if not app.config["MAIL_SEND_IN_REQUEST"]:
        return

    @app.after_request
    def _deliver(response):
        if g.pop("mail_queued", False):
            try:
                deliver_pending()
            except Exception:  # noqa: BLE001 — mail must never turn a committed change into an error page
                log.exception("correo no enviado; queda en la bandeja de salida")
        return response
