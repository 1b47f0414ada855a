"""Renewals (PRO 008 §5.5.3): the decision recorded on a contract that will not be renewed. A renewal itself is
no row here: it is the contract that names the old one in ``Contract.renews`` (what the retention indicator
counts), so a decision and a renewal never disagree."""

from peewee import JOIN, Case, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from core.db import BaseModel
from models.clients import Client
from models.commercial import Contract
from models.consent import Consent
from models.mail import MAX_ATTEMPTS, OutboundEmail
from models.users import User

OUTCOMES = ("not_renewed", "lost")


class RenewalDecision(BaseModel):
    contract = ForeignKeyField(Contract, unique=True, backref="+", on_delete="CASCADE")
    outcome = CharField(max_length=12)
    reason = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField()


# ----- the newsletter (PRO 008 §5.5.2 "Informar al cliente sobre buenas prácticas") -----

ISSUE_STATES = ("draft", "sending", "sent")


class NewsletterIssue(BaseModel):
    """One issue: written in Traza (Markdown), draft → sending (its messages are in the outbox) → sent (none left to
    send)."""

    number = IntegerField(unique=True)
    subject = CharField(max_length=200)
    body = TextField(default="")
    status = CharField(max_length=8, default="draft")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    started_at = DateTimeField(null=True)
    started_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    finished_at = DateTimeField(null=True)
    recipients = IntegerField(default=0)

    class Meta:
        table_name = "newsletter_issue"

    @classmethod
    def listing(cls, limit: int = 200):
        """The issues, the newest first, with who wrote them (one query)."""
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.created_by == User.id))
                .order_by(cls.number.desc()).limit(limit))

    @classmethod
    def next_number(cls) -> int:
        return (cls.select(fn.MAX(cls.number)).scalar() or 0) + 1


class NewsletterDelivery(BaseModel):
    """One subscriber's copy of one issue: the address it went to, its message in the outbox, and when the client
    unsubscribed with its link."""

    issue = ForeignKeyField(NewsletterIssue, backref="deliveries", on_delete="CASCADE")
    client = ForeignKeyField(Client, backref="+", on_delete="CASCADE")
    email = CharField(max_length=254)
    message_id = CharField(max_length=36)  # its OutboundEmail.message_id
    unsubscribed_at = DateTimeField(null=True)

    class Meta:
        table_name = "newsletter_delivery"
        indexes = ((("issue", "client"), True),)

    @classmethod
    def figures(cls, issue_ids) -> dict[int, dict]:
        """Per issue: queued (still in the outbox), sent, failed (given up after the last attempt) and unsubscribed
        with its link; one query for any number of issues."""
        ids = list(issue_ids)
        if not ids:
            return {}
        sent = OutboundEmail.status == "sent"
        failed = (OutboundEmail.status != "sent") & (OutboundEmail.attempts >= MAX_ATTEMPTS)
        rows = (cls.select(cls.issue_id.alias("issue"),
                           fn.SUM(Case(None, [(sent, 1)], 0)).alias("sent"),
                           fn.SUM(Case(None, [(failed, 1)], 0)).alias("failed"),
                           fn.COUNT(cls.id).alias("total"),
                           fn.COUNT(cls.unsubscribed_at).alias("unsubscribed"))
                .join(OutboundEmail, JOIN.LEFT_OUTER, on=(cls.message_id == OutboundEmail.message_id))
                .where(cls.issue.in_(ids)).group_by(cls.issue_id).dicts())
        out = {i: {"queued": 0, "sent": 0, "failed": 0, "unsubscribed": 0, "total": 0} for i in ids}
        for row in rows:
            total, done, bad = int(row["total"]), int(row["sent"] or 0), int(row["failed"] or 0)
            out[row["issue"]] = {"queued": total - done - bad, "sent": done, "failed": bad,
                                 "unsubscribed": int(row["unsubscribed"]), "total": total}
        return out


def subscribers():
    """The clients who receive the newsletter: those with an address whose latest "newsletter" consent is given
    (the consent record is the list: no other), not blocked; one query, by name."""
    latest = (Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "newsletter")
              .group_by(Consent.client))
    return (Client.select(Client.id, Client.name, Client.email).join(Consent, on=(Consent.client == Client.id))
            .where(Consent.id.in_(latest), Consent.granted == True, Client.email != "",  # noqa: E712
                   Client.reachable())  # a blocked client receives nothing
            .order_by(Client.name, Client.id))
