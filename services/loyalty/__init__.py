"""Renewals (PRO 008 §5.5.3) and the follow-up after the case ("Seguimiento post-caso").

A contract comes up for renewal ``RENEWAL_WINDOW_DAYS`` before its end; on each reminder threshold
(``RENEWAL_REMINDER_DAYS``, 60 and 30 by default) its client's responsible gets one email, ever: the message id
is derived from the contract and the threshold, so a second run (or a concurrent one) fails on the outbox's
unique index. "Renovar" makes a new quotation with the contract's lines, naming the contract it renews; the
contract made from it names the old one in ``renews``, which is the renewal the retention indicator counts. A
contract not renewed takes a recorded decision (not renewed or lost, with its reason); an ended contract with
neither is overdue. A recorded decision and a renewal exclude each other."""

import heapq
import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn

from core import audit, links, mail
from core.db import db, off_index, transaction, utcnow
from core.i18n import to_local
from models.clients import Client
from models.commercial import Contract, Quotation
from models.loyalty import OUTCOMES, RenewalDecision
from models.users import User
from services import commercial

REMINDER_NAMESPACE = uuid.UUID("5b0f3c1e-8f52-4d7e-9a55-1e0c6e4b7a18")
OPEN_STATES = ("active", "expired")  # a contract that may still be renewed or decided
BOARD_PAGE = 50  # the renewals page's rows at a time; "Siguientes" continues after the last one


class LoyaltyError(ValueError):
    pass


def renewed(contract_alias=Contract):
    """A non-draft contract names this one in ``renews``: the retention indicator's definition of renewed."""
    renewal = Contract.alias("renewal")
    return fn.EXISTS(renewal.select(renewal.id).where((renewal.renews == contract_alias.id) & (renewal.status != "draft")))


def decided():
    return fn.EXISTS(RenewalDecision.select(RenewalDecision.id).where(RenewalDecision.contract == Contract.id))


def pending(today, window_days: int, by_client: bool = False):
    """Contracts awaiting a renewal decision: open, ending within the window or already ended, neither renewed nor
    decided (conditions on the contract table alone, so the work queue can count them). ``by_client`` when the
    query also names a few clients (the work queue): the state is kept off the (status, end_date) index, which
    SQLite would otherwise walk over every pending contract of the firm instead of those clients' contracts."""
    status = off_index(Contract.status) if by_client else Contract.status
    return ((status.in_(OPEN_STATES)) & (Contract.end_date <= today + timedelta(days=window_days))
            & ~renewed() & ~decided())


@dataclass(frozen=True)
class BoardPage:
    rows: list
    after: str  # the cursor this page started after ("" for the first page)
    next_after: str  # the cursor of the next page, "" when this is the last


def board(today, window_days: int, responsible_id: int | None = None, after: str = "", size: int | None = None):
    """The renewals page: overdue (ended without a decision) first, then the soonest to end, ``size`` at a time
    (BOARD_PAGE) after the cursor ``after`` ("<end date>.<contract id>" of the previous page's last row; anything
    else starts at the first). One query per open state, merged: each walks the (status, end_date) index in order
    from the cursor and stops after the page; one query over both states had to sort every pending contract
    first (35,000 at full size, half a second)."""
    size = size or BOARD_PAGE
    cursor = _cursor(after)

    def of_state(status):
        query = (Contract.select(Contract, Client.id, Client.name, Client.responsible, *User.shown()).join(Client)
                 .join(User, JOIN.LEFT_OUTER, on=(Client.responsible == User.id))
                 .where(Contract.status == status, pending(today, window_days), Client.reachable())
                 .order_by(Contract.end_date, Contract.id).limit(size + 1))
        if cursor is not None:
            day, contract_id = cursor
            query = query.where(Contract.end_date >= day,
                                (Contract.end_date > day) | (Contract.id > contract_id))
        return query if responsible_id is None else query.where(Client.responsible == responsible_id)

    merged = heapq.merge(*(of_state(status) for status in OPEN_STATES), key=lambda c: (c.end_date, c.id))
    rows = list(itertools.islice(merged, size + 1))
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if more else None
    return BoardPage(rows, after if cursor is not None else "", f"{last.end_date.isoformat()}.{last.id}" if last else "")


def _cursor(after: str):
    """(day, contract id) from "<end date>.<contract id>", or None for anything else."""
    day, _dot, contract_id = (after or "").partition(".")
    try:
        parsed = date.fromisoformat(day), int(contract_id)
    except ValueError:
        return None
    return parsed if 0 < parsed[1] < 2**63 else None


def decisions(limit: int = 20):
    """The latest recorded decisions, with who decided (one query)."""
    return (RenewalDecision.select(RenewalDecision, Contract, Client, *User.shown()).join(Contract).join(Client)
            .switch(RenewalDecision).join(User, JOIN.LEFT_OUTER, on=(RenewalDecision.decided_by == User.id))
            .where(Client.reachable())
            .order_by(RenewalDecision.decided_at.desc(), RenewalDecision.id.desc()).limit(limit))


def state(contract: Contract, today) -> dict:
    """What the contract page shows about its renewal: the decision, the renewal contract, an open quotation."""
    renewal = (Contract.select().where(Contract.renews == contract.id, Contract.status != "draft")
               .order_by(Contract.id).first())
    decision = RenewalDecision.get_or_none(RenewalDecision.contract == contract.id)
    quotation = (Quotation.select().where(Quotation.renews == contract.id, Quotation.is_current == True)  # noqa: E712
                 .order_by(Quotation.id.desc()).first())
    return {"renewal": renewal, "decision": decision, "quotation": quotation,
            "open": contract.status in OPEN_STATES and renewal is None and decision is None,
            "overdue": contract.status in OPEN_STATES and contract.end_date < today and renewal is None
            and decision is None}


def renew(contract: Contract, user, today) -> Quotation:
    """"Renovar": a new quotation for the client with the contract's lines, to adjust to the client's current needs;
    the quotation already started for this renewal, if there is one."""
    with transaction():
        info = state(contract, today)
        if not info["open"]:
            raise LoyaltyError(_("This contract is already renewed or has a recorded decision."))
        if info["quotation"] is not None and info["quotation"].status in ("draft", "sent", "accepted"):
            return info["quotation"]
        source = Quotation.get_by_id(contract.quotation_id)
        lines = [{"service": ln.service, "quantity": ln.quantity, "unit_price": ln.unit_price, "tax_rate": ln.tax_rate}
                 for ln in source.lines_list() if ln.benefit_id is None]  # a benefit is offered again, not carried
        client = Client.get_by_id(contract.client_id)
        try:
            quotation = commercial.create_quotation(
                client, {"valid_until": max(today, contract.end_date), "notes": source.notes}, lines, source.currency,
                user)
        except commercial.CommercialError as exc:
            raise LoyaltyError(str(exc)) from exc
        Quotation.update(renews=contract.id).where(Quotation.id == quotation.id).execute()
        quotation.renews = contract.id
        audit.record("renewal_start", contract, actor=user, detail=quotation.code)
    return quotation


def decide(contract: Contract, outcome: str, reason: str, user, today) -> RenewalDecision:
    """Record that the contract is not renewed, or lost, with the reason (required), who and when."""
    reason = (reason or "").strip()
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose the outcome.")
    if len(reason) < 3:
        errors["reason"] = _("Say why the contract is not renewed.")
    if errors:
        raise DecisionError(errors)
    with transaction():
        if not state(contract, today)["open"]:
            raise LoyaltyError(_("This contract is already renewed or has a recorded decision."))
        try:
            with db.atomic():
                decision = RenewalDecision.create(contract=contract.id, outcome=outcome, reason=reason,
                                                  decided_by=user.id, decided_at=utcnow())
        except IntegrityError as exc:
            raise LoyaltyError(_("This contract is already renewed or has a recorded decision.")) from exc
        action = "renewal_lost" if outcome == "lost" else "renewal_not_renewed"
        audit.record(action, contract, actor=user, fields=["outcome", "reason"], detail=reason[:200])
    return decision


class DecisionError(LoyaltyError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def renewal_reminders(now=None) -> int:
    """``flask jobs run``: for each contract awaiting renewal that has crossed a reminder threshold, one email to its
    client's responsible for the tightest threshold crossed (a threshold missed while the job did not run is not
    sent late once a tighter one applies). Returns the emails queued."""
    now = now or utcnow()
    today = to_local(now).date()
    thresholds = sorted(set(current_app.config.get("RENEWAL_REMINDER_DAYS", (60, 30))))
    if not thresholds:
        return 0
    rows = list(Contract.select(Contract, Client, User).join(Client)
                .join(User, on=(Client.responsible == User.id))
                .where(Contract.status == "active", Contract.end_date >= today,
                       Contract.end_date <= today + timedelta(days=thresholds[-1]), ~renewed(), ~decided(),
                       User.is_active == True, Client.reachable())  # noqa: E712
                .order_by(Contract.end_date, Contract.id))
    sent = 0
    with transaction():
        for contract in rows:
            days = (contract.end_date - today).days
            threshold = next(t for t in thresholds if days <= t)
            owner = contract.client.responsible
            key = str(uuid.uuid5(REMINDER_NAMESPACE, f"{contract.id}:{threshold}"))
            try:
                with db.atomic():  # a savepoint: a reminder already queued fails alone
                    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                        mail.queue(owner.email, _("Contract %(code)s ends in %(n)d days: offer the renewal",
                                                  code=contract.code, n=days),
                                   "mail/renewal_reminder", message_id=key, user=owner, contract=contract, days=days,
                                   link=links.absolute("commercial.contract", contract_id=contract.id))
            except IntegrityError:
                continue
            audit.record("renewal_reminder", contract, actor=None, detail=f"threshold={threshold} days={days}")
            sent += 1
    return sent


# ----- the follow-up after the case ("Seguimiento post-caso": "Mantener contacto para posibles necesidades legales
# futuras") -----

FOLLOW_UP_OUTCOMES = ("contacted", "new_need", "no_answer")


def schedule_follow_ups(case, user, today) -> int:
    """The contacts after a case closes, one task per ``POST_CASE_FOLLOW_UP_MONTHS`` (3 and 12 by default) for the
    case's responsible; called inside the closing's transaction. Returns how many were scheduled."""
    from models.tasks import Task

    months = sorted(set(current_app.config.get("POST_CASE_FOLLOW_UP_MONTHS", (3, 12))))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
        rows = [{"kind": "post_case", "due_on": _months_after(today, m), "owner": case.responsible_id or user.id,
                 "client": case.client_id, "case": case.id, "created_by": user.id, "created_at": utcnow(),
                 "updated_at": utcnow(),
                 "title": _("Contact after the case (%(n)d months): %(title)s", n=m, title=case.title)[:300]}
                for m in months]
    if rows:
        Task.insert_many(rows).execute()
    return len(rows)


def _months_after(day, months: int):
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def record_follow_up(task, outcome: str, note: str, user) -> None:
    """The outcome of a post-case contact: contacted (with a note of what was said), a new need (the note says what;
    the page then offers to start a quotation), or no answer. The task is done with it, audited."""
    from models.tasks import Task

    note = (note or "").strip()
    errors = {}
    if outcome not in FOLLOW_UP_OUTCOMES:
        errors["outcome"] = _("Choose the outcome.")
    elif outcome in ("contacted", "new_need") and len(note) < 3:
        errors["note"] = _("Note what the client said.")
    if errors:
        raise DecisionError(errors)
    with transaction():
        changed = Task.update(outcome=outcome, note=note, done_at=utcnow(), done_by=user.id, updated_at=utcnow()).where(
            Task.id == task.id, Task.done_at.is_null(), Task.kind == "post_case").execute()
        if changed != 1:
            raise LoyaltyError(_("This follow-up is already recorded."))
        audit.record("follow_up_outcome", task, actor=user, fields=["outcome", "note", "done_at"], detail=outcome)
