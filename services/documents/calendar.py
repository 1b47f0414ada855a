"""Business days and the holiday calendar (the legal-advice guide's "Gestión de plazos legales").

A business day is Monday to Friday and not a holiday of the firm's region (app config ``FIRM_REGION``:
"CO" or "ES"). Holidays live in the ``Holiday`` table, which the administrator maintains by hand or loads
from the ``holidays`` package. Every function reads the holidays of the whole range it needs in one query,
never one query per day.

``add_business_days(start, n)`` counts like procedural terms do: the day of ``start`` is not counted, each
following business day is, so 3 business days from Friday are Wednesday (Thursday if Monday is a holiday).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, has_app_context

from core.db import utcnow
from models.documents import REGIONS, Holiday

WEEKEND = (5, 6)  # Saturday, Sunday
_CHUNK = 120  # days of holidays fetched per query when the end of a count is not known in advance


def firm_region() -> str:
    region = current_app.config.get("FIRM_REGION", "CO") if has_app_context() else "CO"
    return region if region in REGIONS else "CO"


@dataclass
class Span:
    """The holidays of one region between two days, read once; answers questions inside the range."""

    region: str
    start: date
    end: date
    holidays: dict[date, str] = field(default_factory=dict)

    @classmethod
    def load(cls, region: str, start: date, end: date) -> "Span":
        start, end = min(start, end), max(start, end)
        return cls(region, start, end, Holiday.days(region, start, end))

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count = sum(1 for i in range(1, (high - low).days + 1) if self.is_business_day(low + timedelta(days=i)))
        return sign * count


def _span(region, start, end) -> Span:
    return Span.load(region or firm_region(), start, end)


def is_business_day(day: date, region: str | None = None) -> bool:
    return _span(region, day, day).is_business_day(day)


def holiday_name(day: date, region: str | None = None) -> str | None:
    return Holiday.days(region or firm_region(), day, day).get(day)


def next_business_day(day: date, region: str | None = None) -> date:
    """The first business day after ``day`` (strictly after: for a holiday, the day a term moves to)."""
    return add_business_days(day, 1, region)


def add_business_days(start: date, n: int, region: str | None = None) -> date:
    """``n`` business days after ``start`` (before it when ``n`` is negative); ``n == 0`` rolls a day off
    forward to the next business day and leaves a business day as it is."""
    region = region or firm_region()
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    # Enough for weekends and a dense holiday season; a longer stretch fetches the next chunk.
    reach = remaining * 7 // 5 + 30
    span = _span(region, start, start + timedelta(days=step * reach))
    if n == 0:
        day = start
        while True:
            if not span.covers(day):
                span = _span(region, day, day + timedelta(days=_CHUNK))
            if span.is_business_day(day):
                return day
            day += timedelta(days=1)
    day = start
    while remaining:
        day += timedelta(days=step)
        if not span.covers(day):
            span = _span(region, day, day + timedelta(days=step * _CHUNK))
        if span.is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date, region: str | None = None) -> int:
    return _span(region, start, end).business_days_between(start, end)


# ----- loading from the `holidays` package -----

def package_holidays(region: str, year: int) -> dict[date, str]:
    """The official holidays of a region and year, with their Spanish names (several on one day joined)."""
    import holidays

    found = holidays.country_holidays(region, years=year, language="es")
    return {day: name[:120] for day, name in sorted(found.items())}


def load_holidays(region: str, year: int) -> int:
    """Insert the year's holidays that are missing (a day already present keeps its name). Idempotent.
    Returns how many rows were added; call inside a transaction (services.documents.deadlines.load_holidays audits it)."""
    if region not in REGIONS:
        raise ValueError(region)
    wanted = package_holidays(region, year)
    present = set(Holiday.days(region, date(year, 1, 1), date(year, 12, 31)))
    rows = [{"day": day, "region": region, "name": name} for day, name in wanted.items() if day not in present]
    if rows:
        now = utcnow()
        Holiday.insert_many([{**row, "created_at": now, "updated_at": now} for row in rows]).execute()
    return len(rows)


# ----- the per-person calendar feed (ICS) -----

FEED_PAST = timedelta(days=60)  # planned interventions this far back still show (overdue, not yet recorded)
EVENT_LENGTH = timedelta(minutes=30)  # a deadline is a moment; calendars want a block to show


def _alarm(offset_days: int, text: str):
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    # An offset of 0 ("on the day") rings two hours before the time, not at it.
    alarm.add("trigger", timedelta(days=-offset_days) if offset_days else timedelta(hours=-2))
    return alarm


def feed_events(user_id: int, now):
    """(open deadlines, planned interventions) of one person, each with case and client: two queries."""
    from models.cases import Case, Intervention
    from models.clients import Client
    from models.documents import Deadline

    deadlines = list(Deadline.feed_for(user_id))
    interventions = list(Intervention.select(Intervention, Case, Client).join(Case).join(Client)
                         .where(Intervention.assigned == user_id, Intervention.status == "planned",
                                Intervention.starts_at >= now - FEED_PAST, Client.reachable())
                         .order_by(Intervention.starts_at))
    return deadlines, interventions


def _sentence(name: str) -> str:
    """A name that closes a sentence: its own final period ends it ("Andina S.A.S." + "." would read "S.A.S..")."""
    return name.rstrip().rstrip(".")


def feed_ics(user, now) -> bytes:
    """The person's open deadlines and planned interventions as an iCalendar feed (core.ics builds it).

    Only what a calendar needs: the case code, the client's name and the description (no confidential
    planning, no document numbers, no places). Times in UTC; the calendar app shows them in its own zone."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from core import ics, links

    deadlines, interventions = feed_events(user.id, now)
    events = []
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        for d in deadlines:
            summary = _("Deadline: %(description)s — %(code)s", description=d.description, code=d.case.code)
            event = ics.event(ics.uid(f"deadline-{d.id}"), d.due_at, d.due_at + EVENT_LENGTH, summary,
                              description=_("Client: %(client)s. Case %(code)s.", client=_sentence(d.case.client.name),
                                            code=d.case.code),
                              url=links.absolute("documents.deadlines", case_id=d.case_id), stamp=d.updated_at or now)
            for offset in d.offsets:
                event.add_component(_alarm(offset, summary))
            events.append(event)
        for i in interventions:
            events.append(ics.event(
                ics.uid(f"intervention-{i.id}"), i.starts_at, i.starts_at + timedelta(minutes=i.duration_minutes or 60),
                _("Intervention: %(purpose)s — %(code)s", purpose=i.purpose or _("visit or action"), code=i.case.code),
                description=_("Client: %(client)s. Case %(code)s.", client=_sentence(i.case.client.name),
                              code=i.case.code),
                url=links.absolute("cases.interventions", case_id=i.case_id), stamp=i.updated_at or now))
        name = _("Traza: deadlines and interventions")
    return ics.calendar(events, name=name)
