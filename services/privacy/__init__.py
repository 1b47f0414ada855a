"""Data-subject requests ("peticiones de titulares"): registering one, changing it while open, extending its
deadline once, answering or rejecting it. Every write carries its audit row in the same transaction.

Deadlines, by the firm's jurisdiction (``FIRM_REGION``) on its business-day calendar (services/documents/calendar):

- **Colombia** (Ley 1581 de 2012, arts. 14–15): a query (consulta, acceso) within 10 business days of its receipt,
  extendable once by 5; a claim (update, rectification, erasure, revocation, objection) within 15, extendable once
  by 8. The day of receipt does not count, as in every term counted in business days.
- **Spain** (GDPR art. 12(3)): one month from receipt, extendable by two more months. A month ends on the same
  day number of the next month (the last day when that month is shorter); a period ending on a weekend or a
  holiday ends on the next business day (Regulation 1182/71, art. 3(4)).

An extension needs a reason, told to the requester before the first deadline. A request is escalated from two
business days before the deadline in force (``escalate_from``, stored so the work queue and the dashboard count it
with an index range) until it is answered or rejected.
"""

import calendar
from datetime import date

from flask_babel import gettext as _

from core import audit, files
from core.db import transaction, utcnow
from core.i18n import today_local
from models.files import StoredFile
from models.privacy import (
    DSR_CHANNELS,
    DSR_KINDS,
    DSR_OPEN_STATES,
    IDENTITY_METHODS,
    QUERY_KINDS,
    DataSubjectRequest,
)
from models.users import User, UserRole
from services.documents.calendar import add_business_days, firm_region

CO_DAYS = {"query": (10, 5), "claim": (15, 8)}  # business days: (term, extension)
ES_MONTHS = (1, 2)  # months: (term, extension)
ESCALATE_DAYS = 2  # business days before the deadline
HANDLER_ROLES = ("service", "quality", "management")
EDITABLE = ("kind", "channel", "received_on", "message", "identity_method", "identity_notes", "assignee")
MAX_TEXT = 8000


class RequestError(ValueError):
    """A step the request's state does not allow; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# ----- deadlines -----

def add_months(day: date, months: int) -> date:
    """The same day number ``months`` later, or the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def legal_deadline(kind: str, received_on: date, jurisdiction: str) -> date:
    if jurisdiction == "ES":
        return add_business_days(add_months(received_on, ES_MONTHS[0]), 0, "ES")
    term = CO_DAYS["query" if kind in QUERY_KINDS else "claim"][0]
    return add_business_days(received_on, term, "CO")


def extended_deadline(kind: str, received_on: date, jurisdiction: str) -> date:
    """The deadline after its one extension: Colombia adds 5 or 8 business days to the first deadline, Spain two
    months to the first month (counted from receipt, then moved off a weekend or holiday)."""
    if jurisdiction == "ES":
        return add_business_days(add_months(received_on, sum(ES_MONTHS)), 0, "ES")
    extra = CO_DAYS["query" if kind in QUERY_KINDS else "claim"][1]
    return add_business_days(legal_deadline(kind, received_on, "CO"), extra, "CO")


def escalation_day(deadline: date, jurisdiction: str) -> date:
    return add_business_days(deadline, -ESCALATE_DAYS, jurisdiction)


def _set_deadlines(request: DataSubjectRequest) -> None:
    request.due_on = legal_deadline(request.kind, request.received_on, request.jurisdiction)
    if request.extended_due_on:
        request.extended_due_on = extended_deadline(request.kind, request.received_on, request.jurisdiction)
    request.escalate_from = escalation_day(request.deadline, request.jurisdiction)


# ----- choices -----

def assignee_choices():
    """Active staff who may handle a request, by name: (id, name) tuples (one query)."""
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(HANDLER_ROLES))
    return (User.select(User.id, User.name).where(User.id.in_(ids), User.is_active == True)  # noqa: E712
            .order_by(User.name).tuples())


def _check(data: dict) -> None:
    if data["kind"] not in DSR_KINDS:
        raise RequestError(_("Choose a kind of request from the list."), "kind")
    if data["channel"] not in DSR_CHANNELS:
        raise RequestError(_("Choose a channel from the list."), "channel")
    if data["identity_method"] not in IDENTITY_METHODS:
        raise RequestError(_("Choose how the identity was checked."), "identity_method")


# ----- writing -----

def register(client, data: dict, user) -> DataSubjectRequest:
    """A new request of ``client``; ``data`` holds EDITABLE (``assignee`` an id)."""
    _check(data)
    with transaction():
        request = DataSubjectRequest(client=client, kind=data["kind"], channel=data["channel"],
                                     received_on=data["received_on"], jurisdiction=firm_region(),
                                     identity_method=data["identity_method"],
                                     identity_notes=(data.get("identity_notes") or "").strip()[:500],
                                     assignee=data["assignee"], status="received", created_by=user)
        _set_deadlines(request)
        request.save()
        request.seal("message", data.get("message", ""))
        request.save()
        audit.record("dsr_create", request, actor=user,
                     fields=["kind", "channel", "received_on", "message", "identity_method", "assignee", "due_on"],
                     detail=f"client={client.id} kind={request.kind} due={request.due_on.isoformat()}")
    return request


def update_request(request: DataSubjectRequest, data: dict, user) -> list[str]:
    """Change an open request; the deadline follows its kind and day of receipt. Returns the fields changed."""
    if not request.is_open:
        raise RequestError(_("This request is closed: it can no longer change."), "kind")
    _check(data)
    old = {name: request.reveal(name) if name == "message" else getattr(request, name) for name in EDITABLE}
    old["assignee"] = request.assignee_id
    new = {**data, "identity_notes": (data.get("identity_notes") or "").strip()[:500],
           "message": (data.get("message") or "").strip()}
    changed = [name for name in EDITABLE if new[name] != old[name]]
    if not changed:
        return []
    with transaction():
        for name in changed:
            if name == "message":
                request.seal("message", new["message"])
            elif name == "assignee":
                request.assignee = new["assignee"]
            else:
                setattr(request, name, new[name])
        _set_deadlines(request)
        request.save()
        audit.record("dsr_update", request, actor=user, fields=changed,
                     detail=f"client={request.client_id} due={request.deadline.isoformat()}")
    return changed


def start(request: DataSubjectRequest, user) -> None:
    """Received → in progress."""
    if request.status != "received":
        raise RequestError(_("Only a request just received can be started."), "status")
    with transaction():
        request.status = "in_progress"
        request.save()
        audit.record("dsr_update", request, actor=user, fields=["status"], detail="received→in_progress")


def extend(request: DataSubjectRequest, reason: str, user) -> date:
    """The one extension, with the reason told to the requester."""
    reason = (reason or "").strip()
    if not request.is_open or request.extended_due_on:
        raise RequestError(_("The deadline can be extended once, while the request is open."), "extension_reason")
    if len(reason) < 10:
        raise RequestError(_("Write the reason told to the requester (10 characters at least)."), "extension_reason")
    with transaction():
        request.extended_due_on = extended_deadline(request.kind, request.received_on, request.jurisdiction)
        request.extension_reason = reason[:MAX_TEXT]
        request.escalate_from = escalation_day(request.deadline, request.jurisdiction)
        request.save()
        audit.record("dsr_extend", request, actor=user, fields=["extended_due_on", "extension_reason"],
                     detail=f"due={request.extended_due_on.isoformat()}")
    return request.extended_due_on


def close(request: DataSubjectRequest, outcome: str, answer: str, evidence_note: str, user, upload=None,
          checked_upload=None) -> None:
    """Answer or reject: the answer text and the evidence (a file, a note or both), who and when. Identity must
    have been checked first, except to reject (a request whose requester could not be identified is rejected)."""
    answer, evidence_note = (answer or "").strip(), (evidence_note or "").strip()
    if not request.is_open:
        raise RequestError(_("This request is closed: it can no longer change."), "answer")
    if outcome not in ("answered", "rejected"):
        raise RequestError(_("Choose whether it is answered or rejected."), "answer")
    if outcome == "answered" and request.identity_method == "pending":
        raise RequestError(_("Check the requester's identity before answering (or reject the request)."), "answer")
    if not answer:
        raise RequestError(_("Write the answer given to the requester."), "answer")
    if not evidence_note and upload is None and checked_upload is None:
        raise RequestError(_("Attach the evidence of the answer or describe it in a note."), "evidence_note")
    stored = replaced = None
    try:
        with transaction():
            if checked_upload is not None:
                stored = files.save(*checked_upload, purpose="privacy_request", user=user)
            elif upload is not None:
                stored = files.store(upload, "privacy_request", user)
            if stored is not None and request.evidence_id:
                # An access export kept as the evidence gives way to the file uploaded: nothing keeps it otherwise.
                replaced = StoredFile.get_or_none(StoredFile.id == request.evidence_id,
                                                  StoredFile.purpose == "privacy_export")
            request.status = outcome
            request.seal("answer", answer[:MAX_TEXT])
            request.seal("evidence_note", evidence_note[:MAX_TEXT])
            if stored is not None:
                request.evidence = stored
            request.answered_by = user
            request.answered_at = utcnow()
            request.save()
            audit.record("dsr_answer" if outcome == "answered" else "dsr_reject", request, actor=user,
                         fields=["status", "answer", "evidence_note"] + (["evidence"] if stored else []),
                         detail=f"client={request.client_id} on_time={today_local() <= request.deadline}")
            if replaced is not None:
                replaced.delete_instance()
    except Exception:
        if stored is not None:
            files.discard(stored)
        raise
    if replaced is not None:
        files.discard(replaced)


def read_evidence(request: DataSubjectRequest, user):
    """The evidence file, after its audit row (it holds the client's personal data: a ``sensitive_read``)."""
    with transaction():
        audit.record("sensitive_read", request, actor=user, fields=["evidence"], detail=f"client={request.client_id}")
    return files.download(request.evidence)


def reveal(request: DataSubjectRequest) -> dict:
    return {name: request.reveal(name) for name in DataSubjectRequest.SECRET_FIELDS}


def is_open_state(status: str) -> bool:
    return status in DSR_OPEN_STATES
