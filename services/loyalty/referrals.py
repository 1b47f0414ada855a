"""The referral programme ("Programas de referencia: Incentivar recomendaciones a otros posibles clientes").

A referral is a client whose ``referred_by`` names the client who recommended the firm (captured at intake); its
outcome comes from the referred client's status: became a client (accepted, active or former), in evaluation, or
not accepted. The thanks to the referrer are recorded once per referral (``ReferralThanks``), optionally sent by
email through the outbox in Spanish. The ranking counts, per referrer, the referrals that became clients, and shows
the rewards the referrer rules give (each rule's threshold against that count, no query per referrer)."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import JOIN, Case, IntegrityError, fn

from core import audit, mail
from core.db import db, transaction, utcnow
from models.benefits import BECAME_CLIENT, BenefitRule, ReferralThanks, referral_outcome
from models.clients import Client

LIMIT = 300


def _referred():
    return Client.alias("referrer")


def referrals(limit: int = LIMIT) -> list[dict]:
    """Each referral, newest first, with its referrer, its outcome and the thanks (one query)."""
    referrer = _referred()
    rows = (Client.select(Client.id, Client.name, Client.status, Client.created_at, referrer.id.alias("referrer_id"),
                          referrer.name.alias("referrer_name"), ReferralThanks.sent_at.alias("thanked_at"),
                          ReferralThanks.emailed.alias("thanked_by_email"))
            .join(referrer, on=(Client.referred_by == referrer.id))
            .switch(Client).join(ReferralThanks, JOIN.LEFT_OUTER, on=(ReferralThanks.referred == Client.id))
            .where(Client.referred_by.is_null(False), Client.reachable(), referrer.blocked_on.is_null())  # blocked: out
            .order_by(Client.id.desc()).limit(limit).dicts())  # newest first, along the primary key
    return [{**row, "outcome": referral_outcome(row["status"])} for row in rows]


def ranked(limit: int = 50):
    """The first ``limit`` referrers by the referrals that became clients, then by all their referrals, then by
    name (one query; ``ranking``).

    The referrals are counted per referrer from the index on (``referred_by``, ``status``) alone, and a referrer is
    read only when it can be in the list: its rank (1 + the referrers strictly ahead of it) is within ``limit``, ties
    included, so the order by name among them is the same as over all. A blocked referrer is not named (its
    referrals still count); joining every referrer to sort them all by name read a client row per referrer."""
    referrer = _referred()
    became = fn.SUM(Case(None, [(Client.status.in_(BECAME_CLIENT), 1)], 0))
    total = fn.COUNT(Client.id)
    counts = (Client.select(Client.referred_by.alias("referrer_id"), became.alias("became"), total.alias("total"),
                            fn.RANK().over(order_by=[became.desc(), total.desc()]).alias("place"))
              .where(Client.referred_by.is_null(False), Client.referred_by.not_in(Client.blocked_ids()))
              .group_by(Client.referred_by).alias("counts"))
    return (referrer.select(referrer.id, referrer.name, counts.c.became.alias("became"), counts.c.total.alias("total"))
            .from_(counts).join(referrer, on=(referrer.id == counts.c.referrer_id))
            .where(counts.c.place <= limit)
            .order_by(counts.c.became.desc(), counts.c.total.desc(), referrer.name, referrer.id)
            .limit(limit))


def ranking(limit: int = 50) -> list[dict]:
    """Referrers by the referrals that became clients (then by all their referrals), with the rewards their count
    gives under the referrer rules in force (two queries)."""
    rows = list(ranked(limit).dicts())
    rules = [r for r in BenefitRule.in_force() if r.basis == "referrals"]
    for row in rows:
        row["became"], row["total"] = int(row["became"] or 0), int(row["total"])
        row["rewards"] = [r for r in rules if r.qualifies({"referrals": row["became"]})]
    return rows


class ThanksError(ValueError):
    pass


def thank(referred: Client, user, email: bool, note: str = "") -> ReferralThanks:
    """Record that the referrer was thanked for this referral, once; ``email``: also send the thanks to the
    referrer's address through the outbox (in Spanish, the firm's words)."""
    if not referred.referred_by_id:
        raise ThanksError(_("This client was not referred by anyone."))
    referrer = Client.get_by_id(referred.referred_by_id)
    if email and not referrer.email:
        raise ThanksError(_("The referrer has no email address: record the thanks given another way."))
    with transaction():
        try:
            with db.atomic():
                thanks = ReferralThanks.create(referred=referred.id, referrer=referrer.id, emailed=email,
                                               sent_by=user.id, sent_at=utcnow(), note=(note or "").strip()[:2000])
        except IntegrityError as exc:
            raise ThanksError(_("The thanks for this referral are already recorded.")) from exc
        if email:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                mail.queue(referrer.email, _("Thank you for recommending us"), "mail/referral_thanks",
                           referrer=referrer, referred=referred, sender=user)
        audit.record("referral_thanks", thanks, actor=user, fields=["sent_at", "emailed"],
                     detail=f"{referrer.id}→{referred.id}")
    return thanks


def of_client(client_id: int) -> list[dict]:
    """The clients this client referred, with their outcome (one query), for the client's "Beneficios" tab."""
    rows = (Client.select(Client.id, Client.name, Client.status, ReferralThanks.sent_at.alias("thanked_at"))
            .join(ReferralThanks, JOIN.LEFT_OUTER, on=(ReferralThanks.referred == Client.id))
            .where(Client.referred_by == client_id).order_by(Client.id.desc()).dicts())
    return [{**row, "outcome": referral_outcome(row["status"])} for row in rows]

