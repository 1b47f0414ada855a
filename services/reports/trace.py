"""The traceability report (issue 18 item 6; "Informe de trazabilidad — Seguimiento — Historia de la atención al
cliente"): the whole history of a client or of one case in time order, across every table that holds something
about them: who did what and when.

``SOURCES`` names each table the events come from, with its kind (a filter of the report) and how its rows are
found; ``EXCLUDED`` names, with the reason, every other table that refers to a client or a case
(tests/reports/test_trace.py walks ``models.ALL_MODELS`` and fails on a table in neither). One query per source
whatever the number of rows, one for the staff names, three at most for the audit rows and their chain.

Confidential content (a confidential interaction's summary, a crisis incident's account, a data-subject request's
message) is shown only to whom may read it (``Reader``), and then that reading is one ``sensitive_read`` row with
the reason "informe de trazabilidad"; to anyone else it reads "contenido confidencial" and is never decrypted.

The audit rows of the records shown are checked against the hash chain (core.audit: each row's HMAC over its
canonical form, and its ``prev_hash`` equal to the hash of the row before it) and the report carries the result."""

import importlib
import operator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import reduce

from flask_babel import format_decimal, gettext
from peewee import fn

from core import audit, crypto
from core.db import transaction
from core.guard import permissions_of
from core.i18n import event_writer, format_day, to_utc
from models.audit import AuditEvent
from models.benefits import BenefitGrant, ReferralThanks
from models.cases import Case, CaseMember, CaseStatusChange, EvidenceItem, FinalDelivery, Intervention
from models.clients import Client, ClientStatusChange, ConflictCheck, Party
from models.commercial import Contract, Quotation
from models.complaints import Complaint, ComplaintStatusChange, CrisisIncident, CrisisStep
from models.consent import Consent
from models.documents import Deadline, DocumentItem, DocumentVersion
from models.intake import IntakeEvaluation, VerificationCheck
from models.interactions import Interaction, Meeting
from models.loyalty import NewsletterDelivery, NewsletterIssue, RenewalDecision
from models.privacy import DataSubjectRequest
from models.surveys import SurveyInvitation, SurveyResponse, SurveyTemplate
from models.tasks import Task
from models.users import User
from services.reports import labels

# ----- who reads -----

@dataclass
class Reader:
    """The person reading and what they may see: management everything; the client's responsible and the teams
    of its cases their client's and their cases' confidential entries (DESIGN.md §5); crisis handlers the crisis
    protocol; data-protection handlers the requests."""

    user: object
    management: bool = False
    client_team: bool = False
    team_cases: frozenset = frozenset()
    permissions: frozenset = frozenset()

    @classmethod
    def of(cls, user, client) -> "Reader":
        """One query: the cases of ``client`` whose team ``user`` is on."""
        member = CaseMember.select(CaseMember.case).where(CaseMember.user == user.id)
        cases = frozenset(i for (i,) in Case.select(Case.id).where(
            Case.client == client.id, (Case.responsible == user.id) | Case.id.in_(member)).tuples())
        return cls(user=user, management="management" in user.role_names,
                   client_team=client.responsible_id == user.id or bool(cases), team_cases=cases,
                   permissions=permissions_of(user.role_names))

    @property
    def may_open(self) -> bool:
        """May read the report at all: management and quality (reports.trace), or the client's team."""
        return "reports.trace" in self.permissions or self.client_team

    def may_see(self, rule: str, case_id) -> bool:
        if self.management:
            return True
        if rule == "crisis" and "crisis.manage" in self.permissions:
            return True
        if rule == "privacy" and "privacy.requests" in self.permissions:
            return True
        return case_id in self.team_cases if case_id else self.client_team


# ----- events -----

@dataclass
class Event:
    at: datetime  # UTC, naive; a day-only fact at the start of its local day
    kind: str
    what: str
    detail: str = ""
    who_id: int | None = None
    case_id: int | None = None
    ref: tuple = ()  # (table, id) of the record, for its audit rows
    day_only: bool = False
    secret: object = None  # () → the confidential text in clear; called only when shown
    rule: str = "team"  # who may see the secret (Reader.may_see)
    read_field: str = ""
    # filled when the report is built
    day: date | None = None  # the firm's local day
    when: str = ""  # the moment as the page and the PDF write it
    who: str = ""
    masked: bool = False
    shown_secret: str = ""

    @property
    def case_code(self) -> str:
        return f"EXP-{self.case_id:05d}" if self.case_id else ""


def _day(value: date) -> datetime:
    return to_utc(datetime.combine(value, time(0)))


def _ev(row, at, kind, what, detail="", who=None, case_id=None, **extra):
    if at is None:
        return None
    day_only = not isinstance(at, datetime)
    return Event(at=_day(at) if day_only else at, kind=kind, what=what, detail=detail or "", who_id=who,
                 case_id=case_id, ref=(type(row)._meta.table_name, row.id), day_only=day_only, **extra)


# The words of the codes, each translated once per report (a lazy string translates on every use): set by build().
_WORDS: ContextVar[dict] = ContextVar("trace_words")


def _(msgid: str, **variables) -> str:
    """gettext, each message translated once per report (thousands of events say the same few dozen): the key is
    the msgid itself, the labels' keys are tuples."""
    words = _WORDS.get(None)
    if words is None:
        return gettext(msgid, **variables)
    text = words.get(msgid)
    if text is None:
        text = words[msgid] = gettext(msgid)
    return text % variables if variables else text


def _label(mapping_name: str, module: str, value) -> str:
    words = _WORDS.get(None)
    if words is None:
        words = {}
    key = (module, mapping_name, value)
    if key not in words:
        mapping = getattr(importlib.import_module(f"services.{module}.labels"), mapping_name)
        words[key] = str(mapping.get(value, value or ""))
    return words[key]


def _short(text: str, limit: int = 280) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# One function per table: its row → the events it stands for (a row may stand for several: a case opened and
# closed, a quotation sent and decided).

def _client(r):
    return [_ev(r, r.created_at, "intake", _("Client registered"), _label("SOURCES", "clients", r.source) and
                _("Source: %(source)s", source=_label("SOURCES", "clients", r.source)), r.created_by_id)]


def _moved(mapping, module, old, new) -> str:
    if not old:
        return _("Status: %(new)s", new=_label(mapping, module, new))
    return _("Status: %(old)s → %(new)s", old=_label(mapping, module, old), new=_label(mapping, module, new))


def _client_status(r):
    return [_ev(r, r.created_at, "intake", _moved("STATUSES", "clients", r.from_status, r.to_status), _short(r.reason),
                r.by_id)]


def _verification(r):
    return [_ev(r, r.checked_at or r.created_at, "intake",
                _("Verification: %(item)s", item=_label("VERIFICATION_ITEMS", "clients", r.item)),
                _label("VERIFICATION_STATES", "clients", r.state), r.checked_by_id)]


def _evaluation(r):
    out = [_ev(r, r.created_at, "intake", _("Intake evaluation recorded"), _short(r.viability_notes), r.updated_by_id)]
    if r.consultation_at:
        out.append(_ev(r, r.consultation_at, "intake", _("Initial consultation"),
                       _label("CONSULTATION_MODES", "clients", r.consultation_mode), r.updated_by_id))
    return out


def _party(r):
    return [_ev(r, r.created_at, "conflict", _("Party recorded: %(name)s", name=r.name),
                _label("PARTY_KINDS", "clients", r.kind), r.created_by_id, r.case_id)]


def _conflict(r):
    out = [_ev(r, r.created_at, "conflict", _("Conflict check run"), "", r.created_by_id)]
    if r.decided_at:
        out.append(_ev(r, r.decided_at, "conflict", _("Conflict check decided: %(decision)s",
                                                      decision=_label("DECISIONS", "clients", r.decision)),
                       _short(r.reason), r.decided_by_id))
    return out


def _consent(r):
    what = _("Consent given: %(purpose)s") if r.granted else _("Consent withdrawn: %(purpose)s")
    return [_ev(r, r.given_on, "consent", what % {"purpose": _label("PURPOSES", "clients", r.purpose)},
                _label("CONSENT_METHODS", "clients", r.method), r.collected_by_id)]


def _quotation(r):
    code = f"{r.number:05d} v{r.version}"
    out = [_ev(r, r.created_at, "quotations", _("Quotation %(code)s drawn up", code=code), "", r.created_by_id)]
    if r.sent_at:
        out.append(_ev(r, r.sent_at, "quotations", _("Quotation %(code)s sent", code=code), "", r.created_by_id))
    if r.decided_at:
        out.append(_ev(r, r.decided_at, "quotations", _("Quotation %(code)s: %(status)s", code=code,
                                                        status=_label("QUOTATION_STATES", "commercial", r.status)),
                       _short(r.decision_reason)))
    return out


def _contract(r):
    out = [_ev(r, r.created_at, "contracts", _("Contract %(code)s drawn up", code=f"{r.id:05d}"),
               _("From %(start)s to %(end)s", start=format_day(r.start_date), end=format_day(r.end_date)),
               r.created_by_id)]
    if r.signed_on:
        out.append(_ev(r, r.signed_on, "contracts", _("Contract %(code)s signed", code=f"{r.id:05d}"), r.signer))
    return out


def _renewal(r):
    return [_ev(r, r.decided_at, "renewals", _("Renewal: %(outcome)s", outcome=_label("OUTCOME_LABELS", "loyalty",
                                                                                          r.outcome)),
                _short(r.reason), r.decided_by_id)]


def _benefit(r):
    return [_ev(r, r.applied_at, "benefits", _("Benefit applied: %(what)s", what=r.description), "", r.applied_by_id)]


def _referral(r):
    return [_ev(r, r.sent_at, "benefits", _("Thanks for a referral"), _short(r.note), r.sent_by_id)]


def _newsletter(r):
    out = [_ev(r, r.created_at, "benefits", _("Newsletter no. %(number)s sent", number=r.issue.number),
               r.issue.subject)]
    if r.unsubscribed_at:
        out.append(_ev(r, r.unsubscribed_at, "benefits", _("Unsubscribed from the newsletter")))
    return out


def _case(r):
    out = [_ev(r, r.opened_on, "cases", _("Case %(code)s opened: %(title)s", code=r.code, title=r.title), "",
               r.created_by_id, r.id)]
    if r.budget_told_on:
        out.append(_ev(r, r.budget_told_on, "cases", _("Budget explained to the client"),
                       _label("CONTACT_WAYS", "cases", r.budget_told_how), None, r.id))
    if r.explained_on:
        out.append(_ev(r, r.explained_on, "closing", _("Outcome explained to the client"),
                       _label("CONTACT_WAYS", "cases", r.explained_how), None, r.id))
    if r.closed_at:
        out.append(_ev(r, r.closed_at, "closing", _("Case %(code)s closed", code=r.code),
                       _short(r.resolution_summary), r.closed_by_id, r.id))
    return out


def _member(r):
    return [_ev(r, r.created_at, "cases", _("Added to the case team"), "", r.added_by_id, r.case_id,
                ), ]


def _case_status(r):
    return [_ev(r, r.created_at, "cases", _moved("STATES", "cases", r.from_status, r.to_status), _short(r.reason),
                r.by_id, r.case_id)]


def _evidence(r):
    out = [_ev(r, r.created_at, "cases", _("Evidence listed: %(what)s", what=r.description),
               _label("EVIDENCE_KINDS", "cases", r.kind), None, r.case_id)]
    if r.collected_on:
        out.append(_ev(r, r.collected_on, "cases", _("Evidence collected: %(what)s", what=r.description), "", None,
                       r.case_id))
    return out


def _intervention(r):
    what = r.purpose or r.treatment_type or _("Intervention")
    out = [_ev(r, r.starts_at, "interventions", _("Intervention planned: %(what)s", what=what), r.place,
               r.created_by_id, r.case_id)]
    if r.done_at:
        out.append(_ev(r, r.done_at, "interventions", _("Intervention done: %(what)s", what=what),
                       _short(r.work_done), r.assigned_id, r.case_id))
    return out


def _delivery(r):
    return [_ev(r, r.delivered_on, "closing", _("Delivered to the client: %(what)s", what=r.description),
                _label("CONTACT_WAYS", "cases", r.delivered_how), None, r.case_id)]


def _interaction(r):
    what = " · ".join((_label("KINDS", "interactions", r.kind), _label("CHANNELS", "interactions", r.channel),
                       _label("DIRECTIONS", "interactions", r.direction)))
    if r.confidential:
        return [_ev(r, r.occurred_at, "interactions", what, "", r.created_by_id, r.case_id,
                    secret=lambda: _short(r.reveal_summary(), 600), read_field="summary")]
    return [_ev(r, r.occurred_at, "interactions", what, _short(r.summary, 600), r.created_by_id, r.case_id)]


def _meeting(r):
    return [_ev(r, r.starts_at, "interactions", _("Meeting: %(status)s", status=_label("MEETING_STATES", "interactions",
                                                                                        r.status)),
                _short(r.agenda), r.organiser_id, r.case_id)]


def _task(r):
    out = [_ev(r, r.created_at, "interactions", _("Follow-up task: %(title)s", title=r.title), "", r.created_by_id,
               r.case_id)]
    if r.done_at:
        out.append(_ev(r, r.done_at, "interactions", _("Follow-up done: %(title)s", title=r.title), _short(r.note),
                       r.done_by_id, r.case_id))
    return out


def _document(r):
    out = [_ev(r, r.created_at, "documents", _("Document requested: %(name)s", name=r.name), "", r.created_by_id,
               r.case_id)]
    if r.reviewed_at:
        out.append(_ev(r, r.reviewed_at, "documents", _("Document %(name)s: %(status)s", name=r.name,
                                                        status=_label("ITEM_STATES", "documents", r.status)),
                       _short(r.note), r.reviewed_by_id, r.case_id))
    return out


def _version(r):
    return [_ev(r, r.created_at, "documents", _("Document received: %(name)s (version %(number)s)", name=r.item.name,
                                                number=r.number), _short(r.note), r.uploaded_by_id, r.item.case_id)]


def _deadline(r):
    out = [_ev(r, r.created_at, "deadlines", _("Deadline set: %(what)s", what=r.description),
               _label("DEADLINE_KINDS", "documents", r.kind), r.created_by_id, r.case_id)]
    if r.done_at:
        out.append(_ev(r, r.done_at, "deadlines", _("Deadline closed (%(status)s): %(what)s", what=r.description,
                                                    status=_label("DEADLINE_STATES", "documents", r.status)),
                       _short(r.note), r.done_by_id, r.case_id))
    return out


def _invitation(r):
    out = [_ev(r, r.sent_at, "surveys", _("Satisfaction survey sent: %(name)s", name=r.template.name), "",
               r.created_by_id, r.case_id)]
    if r.answered_at and not r.template.anonymous:
        out.append(_ev(r, r.answered_at, "surveys", _("Satisfaction survey answered"), "", None, r.case_id))
    return [e for e in out if e]


def _response(r):
    detail = _("Average %(avg)s of 5", avg=format_decimal(r.ratings_sum / r.ratings_count, "0.0")) \
        if r.ratings_count else ""
    return [_ev(r, r.answered_on, "surveys", _("Satisfaction recorded"), detail, None, r.case_id)]


def _complaint(r):
    what = f"{_label('KINDS', 'complaints', r.kind)} {r.number}"
    out = [_ev(r, r.received_at, "complaints", _("Received: %(what)s", what=what), _short(r.description),
               r.created_by_id, r.case_id)]
    if r.informed_at:
        out.append(_ev(r, r.informed_at, "complaints", _("Client informed of the actions (%(what)s)", what=what),
                       _label("AGREEMENT", "complaints", r.client_agreement), r.owner_id, r.case_id))
    return out


def _complaint_status(r):
    return [_ev(r, r.created_at, "complaints", _("%(number)s: %(old)s → %(new)s", number=r.complaint.number,
                                                 old=_label("STATES", "complaints", r.from_status),
                                                 new=_label("STATES", "complaints", r.to_status)),
                _short(r.note), r.changed_by_id, r.complaint.case_id)]


def _crisis(r):
    out = [_ev(r, r.occurred_at, "crisis", _("Crisis incident"), "", r.opened_by_id, r.case_id,
               secret=lambda: _short(r.reveal("behaviour"), 600), rule="crisis", read_field="behaviour")]
    if r.closed_at:
        out.append(_ev(r, r.closed_at, "crisis", _("Crisis incident closed"), "", None, r.case_id,
                       secret=lambda: _short(r.reveal("outcome"), 600), rule="crisis", read_field="outcome"))
    return out


def _crisis_step(r):
    return [_ev(r, r.done_at, "crisis", _("Crisis protocol: step %(step)s done", step=r.step), _short(r.note),
                r.done_by_id, r.incident.case_id)]


def _request(r):
    out = [_ev(r, r.received_on, "privacy", _("Data protection request: %(kind)s", kind=_label("DSR_KINDS", "privacy",
                                                                                                r.kind)),
               "", r.created_by_id, secret=lambda: _short(r.reveal("message"), 600), rule="privacy",
               read_field="message")]
    if r.answered_at:
        out.append(_ev(r, r.answered_at, "privacy", _("Data protection request answered: %(status)s",
                                                      status=_label("DSR_STATES", "privacy", r.status)),
                       "", r.answered_by_id))
    return out


# ----- where the rows come from -----

@dataclass
class Scope:
    client_id: int
    case_id: int | None = None

    def cases(self):
        if self.case_id:
            return [self.case_id]
        return Case.select(Case.id).where(Case.client == self.client_id)


def _of_client(model):
    """Rows of the client itself: not part of one case's history."""
    return lambda s: None if s.case_id else model.select().where(model.client == s.client_id)


def _of_cases(model):
    return lambda s: model.select().where(model.case.in_(s.cases()))


def _of_client_or_case(model):
    def query(s):
        if s.case_id:
            return model.select().where(model.case == s.case_id)
        return model.select().where((model.client == s.client_id) | model.case.in_(s.cases()))
    return query


@dataclass
class Source:
    model: object
    kinds: tuple  # the kinds its events may have (a filter skips the query when none is asked for)
    rows: object  # Scope → query, or None when the table is no part of that history
    events: object  # row → [Event]


def _contract_rows(s):
    if s.case_id:
        return Contract.select().where(Contract.id.in_(Case.select(Case.contract).where(Case.id == s.case_id)))
    return Contract.select().where(Contract.client == s.client_id)


SOURCES = [
    Source(Client, ("intake",), lambda s: None if s.case_id else Client.select().where(Client.id == s.client_id),
           _client),
    Source(ClientStatusChange, ("intake",), _of_client(ClientStatusChange), _client_status),
    Source(VerificationCheck, ("intake",), _of_client(VerificationCheck), _verification),
    Source(IntakeEvaluation, ("intake",), _of_client(IntakeEvaluation), _evaluation),
    Source(Party, ("conflict",), _of_client_or_case(Party), _party),
    Source(ConflictCheck, ("conflict",), _of_client(ConflictCheck), _conflict),
    Source(Consent, ("consent",), _of_client(Consent), _consent),
    Source(Quotation, ("quotations",), lambda s: None if s.case_id else Quotation.select().where(
        Quotation.client == s.client_id), _quotation),
    Source(Contract, ("contracts",), _contract_rows, _contract),
    Source(RenewalDecision, ("renewals",), lambda s: RenewalDecision.select().where(
        RenewalDecision.contract.in_(_contract_rows(s).select(Contract.id))), _renewal),
    Source(BenefitGrant, ("benefits",), _of_client(BenefitGrant), _benefit),
    Source(ReferralThanks, ("benefits",), lambda s: None if s.case_id else ReferralThanks.select().where(
        ReferralThanks.referred == s.client_id), _referral),
    Source(NewsletterDelivery, ("benefits",), lambda s: None if s.case_id else NewsletterDelivery.select(
        NewsletterDelivery, NewsletterIssue).join(NewsletterIssue).where(NewsletterDelivery.client == s.client_id),
        _newsletter),
    Source(Case, ("cases", "closing"), lambda s: Case.select().where(Case.id.in_(s.cases())), _case),
    Source(CaseMember, ("cases",), _of_cases(CaseMember), _member),
    Source(CaseStatusChange, ("cases",), _of_cases(CaseStatusChange), _case_status),
    Source(EvidenceItem, ("cases",), _of_cases(EvidenceItem), _evidence),
    Source(Intervention, ("interventions",), _of_cases(Intervention), _intervention),
    Source(FinalDelivery, ("closing",), _of_cases(FinalDelivery), _delivery),
    Source(Interaction, ("interactions",), _of_client_or_case(Interaction), _interaction),
    Source(Meeting, ("interactions",), _of_client_or_case(Meeting), _meeting),
    Source(Task, ("interactions",), _of_client_or_case(Task), _task),
    Source(DocumentItem, ("documents",), _of_cases(DocumentItem), _document),
    Source(DocumentVersion, ("documents",), lambda s: DocumentVersion.select(DocumentVersion, DocumentItem)
           .join(DocumentItem).where(DocumentItem.case.in_(s.cases())), _version),
    Source(Deadline, ("deadlines",), _of_cases(Deadline), _deadline),
    Source(SurveyInvitation, ("surveys",), lambda s: _of_client_or_case(SurveyInvitation)(s).select_extend(
        SurveyTemplate).join(SurveyTemplate), _invitation),
    # Named answers only: an anonymous response keeps no link to anyone, and must not gain one here.
    Source(SurveyResponse, ("surveys",), lambda s: _of_client_or_case(SurveyResponse)(s).where(
        SurveyResponse.anonymous == False), _response),  # noqa: E712
    Source(Complaint, ("complaints",), _of_client_or_case(Complaint), _complaint),
    Source(ComplaintStatusChange, ("complaints",), lambda s: ComplaintStatusChange.select(
        ComplaintStatusChange, Complaint).join(Complaint).where(Complaint.id.in_(
            _of_client_or_case(Complaint)(s).select(Complaint.id))), _complaint_status),
    Source(CrisisIncident, ("crisis",), _of_client_or_case(CrisisIncident), _crisis),
    Source(CrisisStep, ("crisis",), lambda s: CrisisStep.select(CrisisStep, CrisisIncident).join(CrisisIncident)
           .where(CrisisIncident.id.in_(_of_client_or_case(CrisisIncident)(s).select(CrisisIncident.id))),
           _crisis_step),
    Source(DataSubjectRequest, ("privacy",), _of_client(DataSubjectRequest), _request),
]

# Tables that refer to a client or a case and give no event of the history, each with its reason.
EXCLUDED = {
    "quotation_line": "the lines of a quotation version: the version drawn up, sent and decided is the event",
    "survey_link": "token hashes of a survey invitation's links; the invitation sent and answered is the event",
    "survey_answer": "the answers one by one; the response recorded, with its average, is the event",
    "improvement_action": "the firm's corrective action on its own process (ISO 9001 §10.2); the complaint is shown",
    "erasure": "the record of an erasure or blocking: an erased or blocked client has no report to read",
    "retention_due": "the retention review's internal list: the client's id, a category and dates",
}


# ----- the audit chain of the rows shown -----

@dataclass
class ChainCheck:
    rows: int = 0
    broken_at: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def audit_rows(events) -> list:
    """The audit rows of the records shown: one query (an OR of one IN per table)."""
    by_table = {}
    for e in events:
        by_table.setdefault(e.ref[0], set()).add(str(e.ref[1]))
    if not by_table:
        return []
    condition = reduce(operator.or_, [(AuditEvent.object_type == table) & AuditEvent.object_id.in_(sorted(ids))
                                      for table, ids in by_table.items()])
    return list(AuditEvent.select().where(condition).order_by(AuditEvent.id))


def verify(rows) -> ChainCheck:
    """Each row's HMAC over its canonical form, and its link to the row before it in the whole log (the one with
    the id before it; where ids jump, the greatest id below it): two queries at most, whatever the number."""
    if not rows:
        return ChainCheck()
    wanted = {e.id - 1 for e in rows if e.id > 1}
    previous = dict(AuditEvent.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(sorted(wanted))).tuples()) \
        if wanted else {}
    gaps = sorted({e.id for e in rows if e.id > 1 and e.id - 1 not in previous})
    before = {}
    if gaps:
        below = reduce(operator.or_, [AuditEvent.select(fn.MAX(AuditEvent.id)).where(AuditEvent.id < g) for g in gaps])
        found = sorted(AuditEvent.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(below)).tuples())
        for g in gaps:
            candidates = [(i, h) for i, h in found if i < g]
            before[g] = candidates[-1][1] if candidates else ""
    for e in rows:
        prev_hash = previous.get(e.id - 1, before.get(e.id, ""))
        if e.prev_hash != prev_hash or e.hash != crypto.audit_mac(e.canonical()):
            return ChainCheck(rows=len(rows), broken_at=e.id)
    return ChainCheck(rows=len(rows))


# ----- the report -----

@dataclass
class Report:
    client: object
    case: object
    since: date | None
    until: date | None
    kinds: tuple
    events: list = field(default_factory=list)
    chain: ChainCheck = field(default_factory=ChainCheck)
    revealed: int = 0
    masked: int = 0


def _collect(scope: Scope, kinds) -> list:
    events = []
    for source in SOURCES:
        if not set(source.kinds) & set(kinds):
            continue
        query = source.rows(scope)
        if query is None:
            continue
        for row in query:
            events.extend(e for e in source.events(row) if e is not None and e.kind in kinds)
    return events


def build(client, reader: Reader, *, case=None, since=None, until=None, kinds=()) -> Report:
    """The report of ``client`` (or of its ``case``) for ``reader``: the events of the period and kinds asked for
    in time order, staff named, confidential content shown or masked, the audit rows of the records shown
    verified. Showing confidential content writes its one ``sensitive_read`` row first (SECURITY.md L1, L2)."""
    kinds = tuple(k for k in labels.KINDS if not kinds or k in kinds)
    _WORDS.set({})
    events = _collect(Scope(client.id, case.id if case is not None else None), kinds)
    write = event_writer()  # each event's local day and its moment as the event style writes it, in one conversion
    for e in events:
        e.day, e.when = write(e.at, e.day_only)
    events = [e for e in events if (since is None or e.day >= since) and (until is None or e.day <= until)]
    events.sort(key=lambda e: (e.at, e.ref))
    shown = [e for e in events if e.secret is not None and reader.may_see(e.rule, e.case_id)]
    if shown:
        fields_read = sorted({f"{e.ref[0]}.{e.read_field}" for e in shown})
        counts = {}
        for e in shown:
            counts[e.ref[0]] = counts.get(e.ref[0], 0) + 1
        with transaction():
            audit.record("sensitive_read", case if case is not None else client, actor=reader.user,
                         fields=fields_read, detail=f"{labels.READ_REASON}: " + " ".join(
                             f"{t}={n}" for t, n in sorted(counts.items())))
    report = Report(client=client, case=case, since=since, until=until, kinds=kinds, events=events)
    for e in events:
        if e.secret is None:
            continue
        if reader.may_see(e.rule, e.case_id):
            e.shown_secret = e.secret()
            report.revealed += 1
        else:
            e.masked = True
            report.masked += 1
        e.secret = None
    names = dict(User.select(User.id, User.name).where(
        User.id.in_({e.who_id for e in events if e.who_id} or {0})).tuples())
    for e in events:
        e.who = names.get(e.who_id, "")
    report.chain = verify(audit_rows(events))
    return report
