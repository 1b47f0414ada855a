"""The newsletter ("Boletines informativos", PRO 008 §5.5.2 "Informar al cliente sobre buenas prácticas").

The subscribers are the consent record: the clients with an address whose latest "newsletter" consent is given (no
list of its own to drift from it). An issue is written here in Markdown (rendered and sanitized as the manual is),
previewed, tried on one's own address, then sent: one message per subscriber, addressed to that subscriber alone
(the firm's deck: "No enviar comunicaciones electrónicas masivas que permitan a los destinatarios conocer información
de otras personas"), through the outbox as ``bulk`` mail that the worker sends at ``NEWSLETTER_RATE`` a minute after
the transactional mail. Each message carries its own one-click unsubscribe (RFC 8058): a signed token naming the
delivery, whose POST withdraws the client's newsletter consent with how it came in. draft → sending → sent."""

import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from core import audit, links, mail
from core.db import db, transaction, utcnow
from core.i18n import today_local
from models.consent import Consent, PrivacyNotice
from models.loyalty import NewsletterDelivery, NewsletterIssue, subscribers
from models.quality import QualityNote
from services.manual.markdown import render as render_markdown

MESSAGE_NAMESPACE = uuid.UUID("0c7d3f5e-2b8a-4f61-9d0e-6a1b2c3d4e5f")
LINK_PURPOSE = "newsletter-unsubscribe"
SUBJECT_MAX = 200
BODY_MAX = 50_000


class NewsletterError(ValueError):
    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


# ----- writing -----

def _validate(subject: str, body: str) -> dict:
    errors = {}
    if not subject:
        errors["subject"] = _("Write the subject of the issue.")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = _("The subject is too long (%(max)d characters at most).", max=SUBJECT_MAX)
    if not body:
        errors["body"] = _("Write the text of the issue.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("The text is too long (%(max)d characters at most).", max=BODY_MAX)
    return errors


def with_notes(body: str, note_ids) -> str:
    """The text with the client-facing summaries of the chosen quality notes (those marked for the newsletter) added
    under "Lo que mejoramos gracias a sus respuestas"."""
    wanted = {int(i) for i in note_ids or ()}
    notes = list(QualityNote.for_newsletter_items().where(QualityNote.id.in_(wanted))) if wanted else []
    if not notes:
        return body
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
        parts = [body.rstrip(), "", "## " + _("What we improved thanks to your answers")]
    for note in notes:
        parts += ["", f"### {note.title}", "", note.client_summary.strip()]
    return "\n".join(parts).strip() + "\n"


def create(subject: str, body: str, user, note_ids=()) -> NewsletterIssue:
    subject, body = (subject or "").strip(), with_notes((body or "").strip(), note_ids)
    errors = _validate(subject, body)
    if errors:
        raise NewsletterError(next(iter(errors.values())), errors)
    for _attempt in range(3):  # two people numbering an issue at once: the unique number decides, then retry
        try:
            with transaction():
                with db.atomic():
                    issue = NewsletterIssue.create(number=NewsletterIssue.next_number(), subject=subject, body=body,
                                                   created_by=user.id)
                audit.record("newsletter_create", issue, actor=user, fields=["subject", "body"],
                             detail=f"#{issue.number}")
            return issue
        except IntegrityError:
            continue
    raise NewsletterError(_("The issue could not be numbered; try again."))


def update(issue: NewsletterIssue, subject: str, body: str, user, note_ids=()) -> NewsletterIssue:
    subject, body = (subject or "").strip(), with_notes((body or "").strip(), note_ids)
    errors = _validate(subject, body)
    if errors:
        raise NewsletterError(next(iter(errors.values())), errors)
    with transaction():
        changed = (NewsletterIssue.update(subject=subject, body=body, updated_at=utcnow())
                   .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "draft").execute())
        if changed != 1:
            raise NewsletterError(_("This issue has already been sent and can no longer change."))
        audit.record("newsletter_update", issue, actor=user, fields=["subject", "body"], detail=f"#{issue.number}")
    issue.subject, issue.body = subject, body
    return issue


def html(issue: NewsletterIssue):
    """The issue's text as safe HTML (Markdown, sanitized: no raw HTML, only http, https and mailto links)."""
    return render_markdown(issue.body)


# ----- sending -----

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=LINK_PURPOSE)


def token_for(delivery_id: int) -> str:
    return _serializer().dumps(delivery_id)


def delivery_for_token(token: str) -> NewsletterDelivery | None:
    """The delivery an unsubscribe link names, when its signature holds (None otherwise: a link tampered with or
    made up)."""
    try:
        delivery_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(delivery_id, int):
        return None
    return (NewsletterDelivery.select(NewsletterDelivery, NewsletterIssue).join(NewsletterIssue)
            .where(NewsletterDelivery.id == delivery_id).first())


def unsubscribe_url(delivery_id: int) -> str:
    return links.absolute("loyalty_public.unsubscribe", token=token_for(delivery_id))


def _queue(issue, to: str, name: str, body_html, unsubscribe: str | None, message_id=None, bulk=True, test=False):
    headers = None
    if unsubscribe:
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the client reads the firm's language
        subject = (_("[Test] %(subject)s", subject=issue.subject) if test else issue.subject)
        return mail.queue(to, subject, "mail/newsletter", headers=headers, message_id=message_id, bulk=bulk,
                          issue=issue, name=name, body_html=body_html, body_text=issue.body, unsubscribe=unsubscribe,
                          test=test)


def send_test(issue: NewsletterIssue, user) -> None:
    """The issue as a subscriber would get it, to the person's own address only (no unsubscribe link works in it)."""
    with transaction():
        _queue(issue, user.email, user.name, html(issue), None, bulk=False, test=True)
        audit.record("newsletter_test", issue, actor=user, detail=f"#{issue.number}")


def send(issue: NewsletterIssue, user, now=None) -> int:
    """draft → sending: one delivery and one outbox message per current subscriber, in one transaction (all or
    none); the worker sends them at the newsletter rate. Returns the number of recipients."""
    now = now or utcnow()
    with transaction():
        started = (NewsletterIssue.update(status="sending", started_at=now, started_by=user.id, updated_at=now)
                   .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "draft").execute())
        if started != 1:
            raise NewsletterError(_("This issue has already been sent."))
        people = list(subscribers())
        if not people:
            raise NewsletterError(_("Nobody has consented to receive the newsletter yet: nothing was sent."))
        keys = {p.id: str(uuid.uuid5(MESSAGE_NAMESPACE, f"{issue.id}:{p.id}")) for p in people}
        for start in range(0, len(people), 500):
            NewsletterDelivery.insert_many(
                [{"issue": issue.id, "client": p.id, "email": p.email, "message_id": keys[p.id], "created_at": now,
                  "updated_at": now} for p in people[start:start + 500]]).execute()
        ids = dict(NewsletterDelivery.select(NewsletterDelivery.client_id, NewsletterDelivery.id)
                   .where(NewsletterDelivery.issue == issue.id).tuples())
        body_html = html(issue)
        for person in people:
            _queue(issue, person.email, person.name, body_html, unsubscribe_url(ids[person.id]),
                   message_id=keys[person.id])
        NewsletterIssue.update(recipients=len(people)).where(NewsletterIssue.id == issue.id).execute()
        audit.record("newsletter_send", issue, actor=user, detail=f"#{issue.number} recipients={len(people)}")
    issue.status, issue.recipients = "sending", len(people)
    return len(people)


def settle(issue_ids=None, now=None) -> int:
    """sending → sent for the issues with nothing left in the outbox (every message sent or given up on). ``flask jobs
    run`` settles them all; an issue's page settles it when opened. Returns how many changed."""
    now = now or utcnow()
    query = NewsletterIssue.select(NewsletterIssue.id).where(NewsletterIssue.status == "sending")
    if issue_ids is not None:
        query = query.where(NewsletterIssue.id.in_(list(issue_ids)))
    ids = [row.id for row in query]
    done = [i for i, f in NewsletterDelivery.figures(ids).items() if f["queued"] == 0]
    if not done:
        return 0
    with transaction():
        return (NewsletterIssue.update(status="sent", finished_at=now, updated_at=now)
                .where(NewsletterIssue.id.in_(done), NewsletterIssue.status == "sending").execute())


def settle_issues(now=None) -> int:
    return settle(now=now)


# ----- unsubscribing -----

def unsubscribe(delivery: NewsletterDelivery, one_click: bool, ip: str = "", user_agent: str = "", now=None) -> bool:
    """The client leaves the newsletter with the link of one issue: their "newsletter" consent is withdrawn (an
    append-only record whose notes say when, how, from which issue, and the address and browser it came from) and
    the delivery notes the day. Idempotent: a second POST records nothing new. Returns whether anything was."""
    now = now or utcnow()
    issue = delivery.issue
    with transaction():
        marked = (NewsletterDelivery.update(unsubscribed_at=now, updated_at=now)
                  .where(NewsletterDelivery.id == delivery.id, NewsletterDelivery.unsubscribed_at.is_null()).execute())
        withdrawn = False
        if Consent.has(delivery.client_id, "newsletter") and PrivacyNotice.current() is not None:
            from services import clients

            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                how = (_("One-click unsubscribe from newsletter issue %(n)d (the mail client's unsubscribe).",
                         n=issue.number) if one_click else
                       _("Unsubscribed from the link in newsletter issue %(n)d.", n=issue.number))
            evidence = f"{how} IP: {ip or '-'}; {_agent_label()}: {(user_agent or '-')[:200]}"
            clients.withdraw_consent(delivery.client, "newsletter", "electronic", today_local(), None,
                                     notes=evidence)
            withdrawn = True
        if marked or withdrawn:
            audit.record("newsletter_unsubscribe", issue, actor=None,
                         detail=f"client {delivery.client_id}" + (" one-click" if one_click else ""))
    return bool(marked or withdrawn)


def _agent_label() -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("browser")


# ----- reading -----

def quality_items(limit: int = 20):
    """The quality notes' client-facing texts marked for the newsletter, offered as content for an issue."""
    return list(QualityNote.for_newsletter_items().limit(limit))


def subscriber_count() -> int:
    return subscribers().count()
