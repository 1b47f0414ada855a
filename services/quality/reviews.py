"""The management review ("Revisión por la dirección", ISO 9001 §9.3; PRO 008 §3: Gerencia General "revisar
los resultados de su aplicación"; the procedures checklist: "Revisar el feedback recopilado y los indicadores
de rendimiento", "Identificar áreas de mejora y buenas prácticas", "Establecer un ciclo de revisión regular").

Rules, as the firm applies them:

- **Period.** Local days, inclusive; by default the last full quarter of the firm's calendar. It ends by today
  and spans at most ``MAX_MONTHS`` months.
- **Inputs.** While a review is a draft, ``compile_inputs`` gathers them from live data each time it is read:
  every quality indicator against its target and state, the survey results and the period's comments (the
  survey results' anonymity rules: anonymous answers are never listed, and enter figures only by groups),
  the complaint trends, the state of the improvement actions, and the access review (active staff per role,
  accounts without two-step verification, accounts not signed in for ``DORMANT_DAYS`` days). The procedure
  changes are written by the reviewer: the firm keeps no procedures register yet. A fixed number of queries,
  whatever the data. The survey and complaint figures are kept between views while their tables stay as they were
  (``_kept_figures``); approval compiles everything again.
- **Outputs.** Conclusions, opportunities for improvement, resource needs and decisions, written by whoever
  prepares the review (quality or management); improvement actions opened from the review stay linked to it.
- **Approval** (management only) needs the conclusions and the decisions; it stores the compiled inputs as a
  JSON snapshot in the row. An approved review is shown from its snapshot only and never changes: the service
  refuses edits, and a database trigger refuses any update of the row (migration 0018).
- **Cycle.** A review is due when no approved review covers a period ending within the last
  ``QUALITY_REVIEW_CYCLE_MONTHS`` months (a setting, 6 by default).

Every write carries its audit row in the same transaction (DESIGN.md §3).
"""

import copy
import json
from collections import OrderedDict
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import Case as SqlCase
from peewee import fn

from core import audit
from core.db import transaction, utcnow
from core.guard import ROLES
from core.i18n import to_local, to_utc
from models.complaints import Complaint
from models.quality import ACTION_STATES, ImprovementAction
from models.reviews import TEXT_FIELDS, ManagementReview, ReviewInputVersion
from models.users import User, UserRole
from services.quality import indicators
from services.surveys import results as survey_results

MAX_MONTHS = 24
MAX_TEXT = 8000
DORMANT_DAYS = 90
MAX_COMMENTS = 20  # the latest named comments of the period, in the review
MAX_NAMES = 100  # names listed in the access review (the counts are whole)


class ReviewError(ValueError):
    """A step the review does not allow; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# ----- periods -----

def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` away from ``day``'s month."""
    return survey_results.add_months(day, months)


def default_period(today: date) -> tuple[date, date]:
    """The last full quarter of the calendar before ``today``."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = add_months(quarter_start, -3)
    return start, quarter_start - timedelta(days=1)


def period_errors(start, end, today: date) -> dict[str, str]:
    """{field: message} for a period a review cannot cover; empty when it can."""
    errors = {}
    if start is None:
        errors["period_start"] = _("Give the first day of the period.")
    if end is None:
        errors["period_end"] = _("Give the last day of the period.")
    if errors:
        return errors
    if end > today:
        errors["period_end"] = _("The period cannot end after today.")
    elif start > end:
        errors["period_start"] = _("The period must start before it ends.")
    elif start < add_months(end.replace(day=1), -(MAX_MONTHS - 1)):
        errors["period_start"] = _("A review covers at most %(n)d months.", n=MAX_MONTHS)
    return errors


def cycle_months() -> int:
    return max(1, int(current_app.config.get("QUALITY_REVIEW_CYCLE_MONTHS", 6)))


def due(today: date) -> dict:
    """Whether a review is due: none approved for a period ending within the cycle (one query)."""
    last_end = ManagementReview.last_approved_end()
    if isinstance(last_end, str):
        last_end = date.fromisoformat(last_end)
    months = cycle_months()
    first = add_months(today.replace(day=1), -months)
    earliest = first.replace(day=min(today.day, _month_length(first)))  # the same day, ``months`` months ago
    return {"due": last_end is None or last_end < earliest, "last_end": last_end, "cycle": months}


def _month_length(first: date) -> int:
    return (add_months(first, 1) - timedelta(days=1)).day


# ----- the inputs -----

def compile_inputs(start: date, end: date, today: date, now: datetime, kept: bool = True) -> dict:
    """Everything the review reads, as plain JSON values (the snapshot stored on approval). The survey and
    complaint figures of the period come from those kept for this state of their tables when ``kept`` (a draft's
    view); approval compiles them all again."""
    surveys, complaints = (_kept_figures if kept else _period_figures)(start, end, now)
    _all, breached_now = Complaint.register_counts(status="open", overdue=True, now=now)  # moves with the clock
    return {
        "compiled_at": now.replace(microsecond=0).isoformat(),  # UTC
        "compiled_on": today.isoformat(),  # the firm's day
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "indicators": _indicators(start, end),
        "surveys": surveys,
        "complaints": {**complaints, "breached_open_now": breached_now},
        "actions": _actions(start, end, today),
        "access": _access(now),
    }


# A draft is read again and again while it is prepared; its survey and complaint figures (about twenty aggregate
# statements over the period, most of the page's time) change only when those tables do. They are kept per process
# under the value of ``ReviewInputVersion`` (a new one on every write to them, migration 0040) and what else they
# depend on, so they are never older than the rows: a write, in any process, gives the next view a new key.
_KEPT: OrderedDict = OrderedDict()
_KEPT_MAX = 32


def _kept_figures(start: date, end: date, now: datetime) -> tuple[dict, dict]:
    key = (ReviewInputVersion.current(), start, end, survey_results.min_anonymous(),  # read before computing
           current_app.config.get("TIMEZONE"))
    found = _KEPT.get(key)
    if found is None:
        found = _KEPT[key] = _period_figures(start, end, now)
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.popitem(last=False)
    return copy.deepcopy(found)


def _period_figures(start: date, end: date, now: datetime) -> tuple[dict, dict]:
    return _surveys(start, end, now), _complaints(start, end)


def _number(value):
    return None if value is None else round(float(value), 1)


def _indicators(start: date, end: date) -> list[dict]:
    period = indicators.Period(start, end)
    computed = indicators.compute_all(period, indicators.Filters())
    targets = indicators.targets()
    rows = []
    for ind in computed:
        target = targets.get(ind.key)
        rows.append({"key": ind.key, "name": str(ind.name), "unit": ind.unit, "direction": ind.direction,
                     "value": _number(ind.value), "numerator": _number(ind.numerator),
                     "denominator": int(ind.denominator or 0),
                     "target": _number(target.target) if target else None,
                     "owner": target.owner.name if target else "",
                     "state": indicators.state(ind, target),
                     "extra": {k: _number(v) for k, v in (ind.extra or {}).items()
                               if v is None or isinstance(v, int | float)}})
    return rows


def _surveys(start: date, end: date, now: datetime) -> dict:
    filters = survey_results.Filters(start=start, end=end)
    total = survey_results.summary(filters)
    invitations = survey_results.invitations(filters, now=now)
    criteria = survey_results.criteria(filters)
    named = list(survey_results.listing(filters, comments_only=True).limit(MAX_COMMENTS))
    scores = survey_results.scores_of([r.id for r in named])
    comments = [{"day": r.answered_on.isoformat() if isinstance(r.answered_on, date) else str(r.answered_on),
                 "text": " · ".join(scores[r.id].comments)[:2000]} for r in named if scores[r.id].comments]
    anonymous = survey_results.anonymous_counts(filters, comments_only=True)
    named_comments = survey_results.count(filters, comments_only=True)
    return {"responses": total.responses, "ratings": total.ratings,
            "satisfaction_rate": _number(total.satisfaction_rate), "nps": _number(total.nps),
            "nps_answers": total.nps_answers, "promoters": total.promoters, "detractors": total.detractors,
            "low_scores": total.low_scores, "anonymous_hidden": total.anonymous_hidden,
            "sent": invitations.sent, "answered": invitations.answered,
            "response_rate": _number(invitations.response_rate),
            "criteria": [{"criterion": c.criterion, "average": None if c.average is None else round(c.average, 2),
                          "answers": c.answers} for c in criteria],
            "comments": comments, "named_comments": int(named_comments),
            "anonymous_comments": anonymous.counted}


def _complaints(start: date, end: date) -> dict:
    """The period's complaints as the trends count them; the open ones past due now are added by the caller."""
    from services.complaints import period_figures

    data = period_figures(start, end, dimensions=("category", "kind"))
    summary = data["summary"]
    return {"total": summary["total"], "resolved": summary["resolved"], "open": summary["open"],
            "resolved_with_sla": summary["resolved_sla"], "within_sla": summary["within"],
            "breached_resolved": summary["resolved_sla"] - summary["within"],
            "within_share": None if summary["within_share"] is None else round(100 * summary["within_share"], 1),
            "avg_days": _days(summary["avg_hours"]), "p90_days": _days(data["p90_hours"]),
            "by_month": [{"month": m.isoformat(), "count": n} for m, n in data["by_month"]],
            "by_kind": [{"kind": k, "count": n} for k, _name, n in data["by_kind"]],
            "by_category": [{"name": name or "", "count": n} for _k, name, n in data["by_category"]]}


def _days(hours):
    return None if hours is None else round(float(hours) / 24, 1)


def _actions(start: date, end: date, today: date) -> dict:
    A = ImprovementAction
    by_status = dict.fromkeys(ACTION_STATES, 0)
    for status, n in A.select(A.status, fn.COUNT(A.id)).group_by(A.status).tuples():
        by_status[status] = int(n)
    opened = A.select(fn.COUNT(A.id)).where(A.created_at >= _moment(start),
                                           A.created_at < _moment(end + timedelta(days=1))).scalar() or 0
    closed = [{"code": a.code, "title": a.title, "check": a.effectiveness_check[:2000],
               "verified_on": a.verified_on.isoformat() if a.verified_on else ""}
              for a in A.select(A.id, A.title, A.effectiveness_check, A.verified_on)
              .where(A.status == "closed", A.verified_on >= start, A.verified_on <= end).order_by(A.verified_on, A.id)]
    return {"by_status": by_status, "overdue": A.overdue_count(today), "opened_in_period": int(opened),
            "closed": closed}


def _moment(day: date) -> datetime:
    return to_utc(datetime.combine(day, time.min))


def _access(now: datetime) -> dict:
    active = User.is_active == True  # noqa: E712
    roles = dict(UserRole.select(UserRole.role, fn.COUNT(fn.DISTINCT(UserRole.user)))
                 .join(User, on=(UserRole.user == User.id)).where(active).group_by(UserRole.role).tuples())
    without_2fa = [{"name": u.name, "pending": u.password_hash is None}
                   for u in User.select(User.name, User.password_hash)
                   .where(active, User.totp_secret.is_null()).order_by(User.name).limit(MAX_NAMES)]
    since = now - timedelta(days=DORMANT_DAYS)
    seen = fn.COALESCE(User.last_login_at, User.created_at)
    dormant = [{"name": u.name, "last_login": to_local(u.last_login_at).date().isoformat() if u.last_login_at else ""}
               for u in User.select(User.name, User.last_login_at).where(active, seen < since)
               .order_by(User.name).limit(MAX_NAMES)]
    totals = User.select(
        fn.COUNT(User.id),
        fn.SUM(_if(User.totp_secret.is_null())),
        fn.SUM(_if(seen < since))).where(active).tuples().get()
    return {"active": int(totals[0] or 0), "without_2fa_count": int(totals[1] or 0),
            "dormant_count": int(totals[2] or 0), "dormant_days": DORMANT_DAYS,
            "roles": [{"role": r, "count": int(roles.get(r, 0))} for r in ROLES],
            "without_2fa": without_2fa, "dormant": dormant}


def _if(condition):
    return SqlCase(None, [(condition, 1)], 0)


def inputs(review: ManagementReview, today: date, now: datetime) -> dict:
    """The approved review's snapshot, never live data again; a draft's inputs compiled now."""
    if review.is_approved:
        return review.frozen_inputs or {}
    return compile_inputs(review.period_start, review.period_end, today, now)


# ----- writes -----

def _clean(values: dict) -> dict:
    return {k: (values.get(k) or "").strip()[:MAX_TEXT] for k in TEXT_FIELDS}


def create(start: date, end: date, user, today: date, values: dict | None = None) -> ManagementReview:
    errors = period_errors(start, end, today)
    if errors:
        field, message = next(iter(errors.items()))
        raise ReviewError(message, field)
    with transaction():
        review = ManagementReview.create(period_start=start, period_end=end, created_by=getattr(user, "id", user),
                                         **_clean(values or {}))
        audit.record("review_create", review, actor=user, fields=["period_start", "period_end"],
                     detail=f"{review.code} {start.isoformat()}…{end.isoformat()}")
    return review


def _guarded_update(review: ManagementReview, values: dict) -> None:
    """Write to a draft only: an approved review never changes (the trigger would refuse it too)."""
    values["updated_at"] = utcnow()
    changed = (ManagementReview.update(**values)
               .where(ManagementReview.id == review.id, ManagementReview.status == "draft").execute())
    if not changed:
        raise ReviewError(_("This review is approved: it can no longer change."))
    for key, value in values.items():
        setattr(review, key, value)


def save(review: ManagementReview, start: date, end: date, values: dict, user, today: date) -> None:
    """The period and the reviewer's texts of a draft."""
    if review.is_approved:
        raise ReviewError(_("This review is approved: it can no longer change."))
    errors = period_errors(start, end, today)
    if errors:
        field, message = next(iter(errors.items()))
        raise ReviewError(message, field)
    new = {"period_start": start, "period_end": end, **_clean(values)}
    changed = sorted(k for k in new if new[k] != getattr(review, k))
    if not changed:
        return
    with transaction():
        _guarded_update(review, new)
        audit.record("review_update", review, actor=user, fields=changed, detail=review.code)


def approve_errors(review: ManagementReview) -> dict[str, str]:
    errors = {}
    if not review.conclusions.strip():
        errors["conclusions"] = _("Write the conclusions before approving the review.")
    if not review.decisions.strip():
        errors["decisions"] = _("Write the decisions before approving the review.")
    return errors


def approve(review: ManagementReview, user, today: date, now: datetime | None = None) -> None:
    """Approve and freeze: the inputs compiled now become the review's snapshot."""
    if review.is_approved:
        raise ReviewError(_("This review is approved: it can no longer change."))
    errors = approve_errors(review)
    if errors:
        field, message = next(iter(errors.items()))
        raise ReviewError(message, field)
    now = now or utcnow()
    # The record is the firm's: its words (the indicators' names) are frozen in the firm's language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        inputs = compile_inputs(review.period_start, review.period_end, today, now, kept=False)
    snapshot = json.dumps(inputs, ensure_ascii=False, separators=(",", ":"))
    with transaction():
        _guarded_update(review, {"status": "approved", "snapshot": snapshot, "approved_at": now,
                                 "approved_by": getattr(user, "id", user)})
        audit.record("review_approve", review, actor=user, fields=["status", "snapshot", "approved_at", "approved_by"],
                     detail=review.code)


def action_proposal(review: ManagementReview) -> dict:
    """What an improvement action opened from this review starts with."""
    return {"title": _("Management review %(code)s", code=review.code)[:200], "source": "review",
            "source_ref": f"{review.code} · {review.period_start.isoformat()} – {review.period_end.isoformat()}",
            "description": review.decisions or review.opportunities}
