"""The monthly quality summary (issue 16 §3; manual-procedimientos-checklist: "Compartir resultados con el equipo
y otros interesados"): on the first business day of each month of the firm's calendar (weekends and holidays,
services/documents/calendar.py), every active staff member of management or quality gets one mail with the
previous month's figure of every indicator against its target, what needs attention, and links to the dashboard
and to each indicator. Aggregates and counts only: no client, no comment, nothing confidential.

``monthly_summary`` runs from ``flask jobs run`` every minute. Before the month's first business day it does
nothing; from that day on, each recipient's message id is derived from the person and the month, so the outbox's
unique index refuses a second copy: a later run that month (or one at the same time) sends nothing more, and a
month whose first business day passed without a run (the server was down) sends on the next run that month, once.
"""

import uuid
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from peewee import IntegrityError

from core import audit, links, mail
from core.db import db, transaction, utcnow
from core.i18n import lazy_gettext as _l
from core.i18n import to_local
from models.mail import OutboundEmail
from models.users import User, UserRole
from services.documents.calendar import add_business_days
from services.quality import indicators
from services.quality.attention import attention as needs_attention

NAMESPACE = uuid.UUID("9b3e2f6a-0d4c-4e8b-a7f1-3c5d2e8b6f41")
ROLES = ("management", "quality")
STATE_WORDS = {"met": _l("Met"), "near": _l("Near"), "missed": _l("Missed")}


def first_business_day(month: date) -> date:
    """The first business day of the month of ``month`` (the 1st, or the next business day after it)."""
    return add_business_days(month.replace(day=1), 0)


def previous_month(today: date) -> indicators.Period:
    last = today.replace(day=1) - timedelta(days=1)
    return indicators.Period(last.replace(day=1), last)


def message_id(user_id: int, month: date) -> str:
    """One message per person and month: the outbox's unique index holds it to one copy."""
    return str(uuid.uuid5(NAMESPACE, f"{user_id}:{month:%Y-%m}"))


def recipients():
    """Active staff holding management or quality, by name (one query)."""
    holders = UserRole.select(UserRole.user).where(UserRole.role.in_(ROLES))
    return list(User.select().where(User.is_active == True, User.id.in_(holders))  # noqa: E712
                .order_by(User.name, User.id))


def month_label(month: date) -> str:
    return format_skeleton("yMMMM", month, locale=get_locale())


def monthly_summary(now=None) -> int:
    """Queue this month's summary for each recipient who has not had it; returns the messages queued."""
    now = now or utcnow()
    today = to_local(now).date()
    if today < first_business_day(today):
        return 0
    people = recipients()
    keys = {person.id: message_id(person.id, today) for person in people}
    queued = set(OutboundEmail.select(OutboundEmail.message_id)
                 .where(OutboundEmail.message_id.in_(list(keys.values()))).tuples())
    waiting = [person for person in people if (keys[person.id],) not in queued]
    if not waiting:
        return 0  # every run after the month's summary went out: two queries, no figures computed
    period = previous_month(today)
    figures = indicators.compute_all(period, indicators.Filters())
    targets = indicators.targets()
    states = {ind.key: indicators.state(ind, targets.get(ind.key)) for ind in figures}
    attention = needs_attention(now, today)
    params = {"desde": period.start.isoformat(), "hasta": period.end.isoformat()}
    ctx = {"period": period, "indicators": figures, "targets": targets, "states": states,
           "state_words": STATE_WORDS, "attention": attention,
           "dashboard": links.absolute("quality.dashboard", **params),
           "links": {ind.key: links.absolute("quality.indicator", key=ind.key, **params) for ind in figures}}
    sent = 0
    with transaction():
        for person in waiting:
            try:
                with db.atomic():  # a savepoint: a summary already queued this month fails alone
                    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                        month = month_label(period.start)
                        mail.queue(person.email, _("Quality summary for %(month)s", month=month),
                                   "mail/quality_summary", message_id=keys[person.id], user=person, month=month,
                                   **ctx)
            except IntegrityError:
                continue
            sent += 1
        if sent:
            audit.record("quality_summary", object_type="quality_summary", object_id=f"{period.start:%Y-%m}", actor=None,
                         detail=f"summaries={sent} month={period.start:%Y-%m}")
    return sent
