"""Writes on legal deadlines, the holiday calendar and calendar feeds, each with its audit row in one
transaction (DESIGN.md §3), and the rules a due date must meet.

A due date must be a business day in the future: a weekend or a holiday is refused with the next business
day offered (the firm never lets a term fall on a day the courts are closed). A deadline alerts from its
due date minus its largest alert offset (``Deadline.alert_from``), which is when it enters the work queue.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from core import audit, crypto, links, mail
from core.db import transaction, utcnow
from core.i18n import to_local, to_utc
from models.cases import Case
from models.documents import DEADLINE_STATES, REGIONS, CalendarFeed, Deadline, Holiday
from models.users import User
from services.documents import calendar

MAX_OFFSET = 90
FEED_TOUCH_EVERY = timedelta(hours=1)
_OFFSETS = re.compile(r"^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$")


class DeadlineError(ValueError):
    pass


# ----- rules -----

@dataclass
class DueProblem:
    message: str
    suggestion: date | None = None  # the next business day, when the day itself is not one


def parse_offsets(text: str) -> list[int]:
    """"7,1" → [7, 1] (distinct, largest first); empty means an alert on the day itself. ValueError otherwise."""
    text = (text or "").strip().rstrip(",")
    if not text:
        return [0]
    if not _OFFSETS.match(text):
        raise ValueError(text)
    offsets = sorted({int(x) for x in text.split(",")}, reverse=True)
    if any(o > MAX_OFFSET for o in offsets):
        raise ValueError(text)
    return offsets


def day_label(day: date) -> str:
    """"miércoles 9 de diciembre": the weekday and the day of the month, as people say it."""
    from babel.dates import format_skeleton
    from flask_babel import get_locale

    return f"{format_date(day, 'EEEE')} {format_skeleton('MMMMd', day, locale=get_locale())}"


def due_problem(day: date, at: time, now_local: datetime, region: str | None = None) -> DueProblem | None:
    """Why a due date cannot be used (past, weekend, holiday), with the next business day when it helps."""
    if day < now_local.date() or (day == now_local.date() and at <= now_local.time()):
        return DueProblem(_("The due date cannot be in the past."))
    name = calendar.holiday_name(day, region)
    if name:
        return DueProblem(_("%(day)s is a holiday (%(name)s).", day=format_date(day, "long"), name=name),
                          calendar.next_business_day(day, region))
    if day.weekday() in calendar.WEEKEND:
        return DueProblem(_("%(day)s is a %(weekday)s, not a business day.", day=format_date(day, "long"),
                            weekday=format_date(day, "EEEE")), calendar.next_business_day(day, region))
    return None


# ----- deadlines -----

def add_deadline(case, data: dict, user) -> Deadline:
    """data: description, kind, due_on (local date), due_time (local time), responsible, offsets (list)."""
    if case.status == "closed":
        raise DeadlineError(_("The case is closed: it takes no new deadlines."))
    offsets = data["offsets"]
    due_at = to_utc(datetime.combine(data["due_on"], data["due_time"]))
    with transaction():
        deadline = Deadline.create(case=case, description=data["description"], kind=data["kind"], due_at=due_at,
                                   responsible=data["responsible"], alert_days=",".join(str(o) for o in offsets),
                                   alert_from=Deadline.first_alert(data["due_on"], offsets), created_by=user)
        audit.record("deadline_add", deadline, actor=user,
                     fields=["description", "kind", "due_at", "responsible", "alert_days"], detail=f"case={case.id}")
    return deadline


def set_status(deadline: Deadline, to: str, user, note: str = "") -> None:
    """open → done | missed, and back to open (reopen). A deadline is missed only once its time has passed."""
    if to not in DEADLINE_STATES or to == deadline.status or (to != "open" and deadline.status != "open"):
        raise DeadlineError(_("That change is not possible for this deadline now."))
    if deadline.case.status == "closed":
        raise DeadlineError(_("The case is closed."))
    if to == "missed" and deadline.due_at > utcnow():
        raise DeadlineError(_("A deadline can be marked as missed only once it has passed."))
    closing = to != "open"
    values = {"status": to, "done_at": utcnow() if closing else None, "done_by": user.id if closing else None,
              "updated_at": utcnow()}
    if note:
        values["note"] = note
    with transaction():
        changed = Deadline.update(**values).where(Deadline.id == deadline.id,
                                                  Deadline.status == deadline.status).execute()
        if not changed:
            raise DeadlineError(_("Someone changed this deadline meanwhile; reload the page."))
        audit.record("deadline_status", deadline, actor=user, fields=["status"], detail=f"{deadline.status}→{to}")
    deadline.status = to


# ----- holidays -----

def add_holiday(region: str, day: date, name: str, user) -> Holiday:
    existing = Holiday.get_or_none(Holiday.region == region, Holiday.day == day)
    if existing is not None:
        raise DeadlineError(_("That day is already a holiday: %(name)s.", name=existing.name))
    with transaction():
        holiday = Holiday.create(region=region, day=day, name=name)
        audit.record("holiday_add", holiday, actor=user, fields=["day", "name"], detail=f"{region} {day.isoformat()}")
    return holiday


def delete_holiday(holiday: Holiday, user) -> None:
    with transaction():
        audit.record("holiday_delete", holiday, actor=user, fields=["day", "name"],
                     detail=f"{holiday.region} {holiday.day.isoformat()}")
        Holiday.delete().where(Holiday.id == holiday.id).execute()


def load_holidays(region: str, year: int, user) -> int:
    if region not in REGIONS:
        raise DeadlineError(_("Unknown region."))
    with transaction():
        added = calendar.load_holidays(region, year)
        audit.record("holidays_load", object_type="holiday", object_id=f"{region}-{year}", actor=user,
                     fields=["day", "name"], detail=f"added={added}")
    return added


# ----- calendar feeds -----

def create_feed(user) -> str:
    """A new secret feed URL token for this person (the old one stops working). Only its hash is stored."""
    token = crypto.new_token()
    with transaction():
        CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()
        feed = CalendarFeed.create(user=user.id, token_hash=crypto.token_hash(token))
        audit.record("calendar_feed_create", feed, actor=user, fields=["token_hash"])
    return token


def revoke_feed(user) -> bool:
    feed = CalendarFeed.get_or_none(CalendarFeed.user == user.id)
    if feed is None:
        return False
    with transaction():
        audit.record("calendar_feed_revoke", feed, actor=user, fields=["token_hash"])
        CalendarFeed.delete().where(CalendarFeed.id == feed.id).execute()
    return True


def feed_for_token(token: str):
    """The live feed (with its user) a token opens, or None."""
    if not token or len(token) > 100:
        return None
    return CalendarFeed.by_token_hash(crypto.token_hash(token))


def touch_feed(feed: CalendarFeed) -> None:
    """Note when the feed was last fetched, at most once an hour (calendar apps poll often)."""
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_TOUCH_EVERY:
        with transaction():
            CalendarFeed.update(last_used_at=now).where(
                CalendarFeed.id == feed.id,
                CalendarFeed.last_used_at.is_null() | (CalendarFeed.last_used_at < now - FEED_TOUCH_EVERY)).execute()


# ----- deadline alerts (a scheduled job, core/jobs.py) -----

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
    day_start = to_utc(datetime.combine(today, time.min))
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
        for person_id, rows in mine.items():
            person = people[person_id]
            links_ = {d.id: links.absolute("documents.deadlines", case_id=d.case_id, _anchor=f"deadline-{d.id}")
                     for d, _left in rows}
            with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                subject = ngettext("A deadline is coming: %(num)d", "Deadlines coming: %(num)d", len(rows))
                mail.queue(person.email, subject, "mail/deadline_alerts", user=person, rows=rows, links=links_,
                           work_link=links.absolute("home.work", ver="deadlines"))
            sent += 1
        if sent:
            audit.record("deadline_alerts", object_type="deadline", object_id="digest", actor=None,
                         detail=f"emails={sent} deadlines={sum(len(r) for r in mine.values())}")
    return sent
