"""The periodic access review (SECURITY.md A6; procedures-manual checklist §4 "Revisar accesos regularmente y
ajustar según sea necesario").

Opening a review takes a snapshot of every active staff member: roles, case teams, last sign-in, whether
two-step verification is set up, and how many confidential reads (``sensitive_read``) they made in the review's
period. Quality and management decide each line: confirmed, adjusted (a note says what changed; the change
itself is made where it belongs, e.g. a case's team) or revoked. Revoking takes effect at once through the
admin services (``services.admin.accounts``: ``set_roles`` to none, or ``deactivate``), which end the person's
sessions and audit the change. Management signs the review off with its date once every line is decided; a
signed-off review never changes (this service refuses it, and so do the database's triggers, migration 0025).

A review is overdue when none was signed off within ``ACCESS_REVIEW_CYCLE_MONTHS`` (default 3).

Opening costs five queries and the page three (the review, one COUNT of its lines, decided ones and those
the filter keeps, and a page of 50 lines, the undecided first), whatever the number of staff."""

import json
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from peewee import JOIN, fn
from peewee import Case as SqlCase

from core import audit
from core.db import transaction, utcnow
from core.i18n import to_utc
from core.pagination import paginate_with
from models.audit import AuditEvent
from models.cases import Case, CaseMember
from models.privacy import LINE_DECISIONS, REVOKE_WHAT, AccessReview, AccessReviewLine
from models.users import User, UserRole
from services.admin import accounts

NOTE_MAX = 2000


class AccessReviewError(ValueError):
    """A request the review's state refuses (the page answers 409)."""


class LineInputError(ValueError):
    """Bad input for one line's decision: ``errors`` maps each field to its message (the page answers 422)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# ----- cycle -----

def cycle_months() -> int:
    return max(1, int(current_app.config.get("ACCESS_REVIEW_CYCLE_MONTHS", 3)))


def months_ago(today: date, months: int) -> date:
    """The same day ``months`` months before ``today`` (the month's last day when it is shorter)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = index // 12, index % 12 + 1
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(today.day, (first_next - timedelta(days=1)).day))


def default_period(today: date) -> tuple[date, date]:
    """From the same day one cycle ago up to today."""
    return months_ago(today, cycle_months()) + timedelta(days=1), today


def due(today: date) -> dict:
    """Whether an access review is overdue: none signed off within the cycle (one query)."""
    last = AccessReview.last_signed_on()
    if isinstance(last, str):
        last = date.fromisoformat(last)
    months = cycle_months()
    return {"due": last is None or last < months_ago(today, months), "last": last, "cycle": months}


# ----- opening -----

def _snapshot_lines(start: date, end: date) -> list[dict]:
    """One line per active staff member (four queries, whatever their number)."""
    people = list(User.select(User.id, User.name, User.email, User.last_login_at, User.totp_secret)
                  .where(User.is_active == True).order_by(User.name, User.id))  # noqa: E712
    roles: dict[int, list[str]] = {}
    for user_id, role in UserRole.select(UserRole.user, UserRole.role).order_by(UserRole.role).tuples():
        roles.setdefault(user_id, []).append(role)
    teams: dict[int, list] = {}
    for user_id, case_id, title in (CaseMember.select(CaseMember.user, Case.id, Case.title)
                                    .join(Case, on=(CaseMember.case == Case.id))
                                    .where(Case.status != "closed").order_by(Case.id).tuples()):
        teams.setdefault(user_id, []).append([case_id, title])
    since = to_utc(datetime.combine(start, time.min))
    until = to_utc(datetime.combine(end + timedelta(days=1), time.min))
    reads = dict(AuditEvent.select(AuditEvent.actor, fn.COUNT(AuditEvent.id))
                 .where(AuditEvent.action == "sensitive_read", AuditEvent.at >= since, AuditEvent.at < until,
                        AuditEvent.actor.is_null(False))
                 .group_by(AuditEvent.actor).tuples())
    return [{"user": p.id, "user_name": p.name, "user_email": p.email, "roles": ",".join(roles.get(p.id, [])),
             "teams": json.dumps(teams.get(p.id, []), ensure_ascii=False), "last_login_at": p.last_login_at,
             "has_2fa": p.totp_secret is not None, "reads": reads.get(p.id, 0)} for p in people]


def open_review(start: date, end: date, actor, now: datetime | None = None) -> AccessReview:
    if start > end:
        raise LineInputError({"desde": _("The period must start on or before its end.")})
    now = now or utcnow()
    with transaction():
        review = AccessReview.create(period_start=start, period_end=end, created_by=actor)
        rows = _snapshot_lines(start, end)
        for row in rows:
            row.update(review=review.id, created_at=now, updated_at=now)
        for i in range(0, len(rows), 500):
            AccessReviewLine.insert_many(rows[i:i + 500]).execute()
        audit.record("access_review_open", review, actor=actor, fields=["period_start", "period_end"],
                     detail=f"lines={len(rows)}")
    return review


# ----- reading -----

def reviews():
    """Every review, newest first, with its number of lines and of undecided ones (one query)."""
    undecided = fn.SUM(SqlCase(None, [(AccessReviewLine.decision.is_null(), 1)], 0))
    return (AccessReview.select(AccessReview, fn.COUNT(AccessReviewLine.id).alias("line_count"),
                                fn.COALESCE(undecided, 0).alias("undecided"))
            .join(AccessReviewLine, on=(AccessReviewLine.review == AccessReview.id), join_type=JOIN.LEFT_OUTER)
            .group_by(AccessReview.id).order_by(AccessReview.id.desc()))


def for_page(review_id: int):
    if not 0 < review_id < 2**63:
        return None
    return AccessReview.get_or_none(AccessReview.id == review_id)


PAGE_SIZE = 50


def lines_page(review: AccessReview, state: str = "", role: str = "", q: str = "", size: int = PAGE_SIZE):
    """The page of lines a reviewer works through: those matching the filter, the undecided first, ``size`` at a
    time, with the review's progress (lines, decided): two queries, one of them a single COUNT."""
    matching = AccessReviewLine.matching(review.id, state, role, q)
    total, decided, shown = AccessReviewLine.progress(review.id, matching)
    page = paginate_with(lambda offset, limit: AccessReviewLine.listing(review.id, matching, offset, limit), size, shown)
    return page, {"total": total, "decided": decided}


def lines(review: AccessReview) -> list[AccessReviewLine]:
    return list(AccessReviewLine.select().where(AccessReviewLine.review == review.id)
                .order_by(AccessReviewLine.user_name, AccessReviewLine.id))


def line_of(review: AccessReview, line_id: int):
    if not 0 < line_id < 2**63:
        return None
    return AccessReviewLine.get_or_none(AccessReviewLine.id == line_id, AccessReviewLine.review == review.id)


def undecided_count(review: AccessReview) -> int:
    return AccessReviewLine.select().where(AccessReviewLine.review == review.id,
                                           AccessReviewLine.decision.is_null()).count()


# ----- deciding -----

def decide(review: AccessReview, line: AccessReviewLine, decision: str, note: str, revoke: str, actor,
           now: datetime | None = None) -> None:
    """Record a line's decision; revoking removes the person's roles or deactivates the account at once (their
    sessions end), in the same transaction."""
    if review.is_signed:
        raise AccessReviewError(_("This access review is signed off: it can no longer change."))
    note = (note or "").strip()
    errors = {}
    if decision not in LINE_DECISIONS:
        errors["decision"] = _("Choose confirmed, adjusted or revoked.")
    if decision == "adjusted" and not note:
        errors["note"] = _("Write what changed.")
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(num)d characters.", num=NOTE_MAX)
    if decision == "revoked" and revoke not in REVOKE_WHAT:
        errors["revoke"] = _("Choose whether to remove the roles or deactivate the account.")
    if decision == "revoked" and line.user_id is None:
        errors["revoke"] = _("This account no longer exists.")
    if errors:
        raise LineInputError(errors)
    now = now or utcnow()
    with transaction():
        fresh = AccessReview.select(AccessReview.status).where(AccessReview.id == review.id).scalar()
        if fresh == "signed":
            raise AccessReviewError(_("This access review is signed off: it can no longer change."))
        if decision == "revoked":
            user = User.get_by_id(line.user_id)
            try:
                if revoke == "account":
                    if user.is_active:
                        accounts.deactivate(user, actor)
                else:
                    accounts.set_roles(user, [], actor)
            except accounts.AccountError as exc:
                raise LineInputError({"revoke": str(exc)}) from exc
        AccessReviewLine.update(decision=decision, note=note, revoked=revoke if decision == "revoked" else "",
                                decided_by=getattr(actor, "id", actor), decided_at=now, updated_at=now
                                ).where(AccessReviewLine.id == line.id).execute()
        audit.record("access_review_decide", line, actor=actor, fields=["decision", "note", "revoked"],
                     detail=f"review={review.id} user={line.user_id} {decision}"
                            + (f":{revoke}" if decision == "revoked" else ""))


def sign_off(review: AccessReview, actor, today: date, now: datetime | None = None) -> None:
    if review.is_signed:
        raise AccessReviewError(_("This access review is signed off: it can no longer change."))
    now = now or utcnow()
    with transaction():
        left = undecided_count(review)
        if left:
            raise AccessReviewError(ngettext("It cannot be signed off yet: %(num)d line is still undecided.",
                                                    "It cannot be signed off yet: %(num)d lines are still undecided.", left))
        AccessReview.update(status="signed", signed_by=getattr(actor, "id", actor), signed_at=now, signed_on=today,
                            updated_at=now).where(AccessReview.id == review.id,
                                                  AccessReview.status == "open").execute()
        audit.record("access_review_sign", review, actor=actor, fields=["status", "signed_by", "signed_at"])
