"""The audit log as people read it: the Spanish words for roles and fields, and each object by its name.

The log stores codes (``sensitive_read``, ``service``, ``legal_analysis``, ``client`` 37) so that it never
changes with the wording; this module turns a page of rows into what an administrator or the quality lead
reads. Names come from columns kept in clear (a client's or a case's name, a complaint's number), one query
per kind of object on the page, never from a confidential field (nothing here decrypts). A survey response
is shown by its number only: naming its client would undo an anonymous survey.
"""

from collections import defaultdict
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from core.audit import OBJECT_LABELS
from core.guard import PERMISSIONS, ROLES
from core.i18n import format_day
from core.i18n import lazy_gettext as _l
from models.cases import Case, Intervention
from models.catalog import PracticeArea
from models.clients import Client
from models.commercial import Contract, Quotation
from models.complaints import Complaint, ComplaintCategory, CrisisIncident
from models.consent import PrivacyNotice
from models.documents import CalendarFeed, Deadline, DocumentItem, Holiday, RequirementTemplate
from models.interactions import Interaction, Meeting
from models.quality import ImprovementAction
from models.surveys import SurveyInvitation, SurveyTemplate
from models.tasks import Task
from models.users import User
from services.cases import labels as case_labels
from services.clients import labels as client_labels
from services.clients.labels import PURPOSES, VERIFICATION_ITEMS
from services.complaints import labels as complaint_labels
from services.documents import labels as doc_labels
from services.documents.labels import REGIONS
from services.manual.labels import SECTIONS as MANUAL_SECTIONS
from services.quality import action_labels

# Every field name an ``audit.record(..., fields=...)`` call can write (tests/test_audit.py holds the list
# to the calls). Consent purposes and verification items are fields of their own events.
FIELD_LABELS = {
    **PURPOSES,
    **VERIFICATION_ITEMS,
    # accounts and sign-in
    "email": _l("Email"),
    "name": _l("Name"),
    "roles": _l("Roles"),
    "supervisor": _l("Supervisor"),
    "is_active": _l("Active or inactive"),
    "locked_at": _l("Lock"),
    "failed_logins": _l("Failed sign-ins"),
    "password_hash": _l("Password"),
    "totp_secret": _l("Authenticator key"),
    "totp_pending": _l("Authenticator key being set up"),
    "recovery_codes": _l("Recovery codes"),
    "locale": _l("Language"),
    "token_hash": _l("Secret link"),
    "access_export": _l("Access export"),  # everything held about a client, for the data subject (privacy)
    "revoked": _l("What was revoked"),  # an access review's line (privacy, SECURITY.md A6)
    "signed_by": _l("Signed off by"),
    "signed_at": _l("Signed off at"),
    "outbound_email.body": _l("Outgoing email: body"),
    "archivos": _l("Stored files"),
    # clients and intake
    "kind": _l("Kind"),
    "document_number": _l("Identity document number"),
    "phone": _l("Phone"),
    "phone_alt": _l("Other phone"),
    "address": _l("Address"),
    "city": _l("City"),
    "country": _l("Country"),
    "preferred_channel": _l("Preferred channel"),
    "source": _l("Source"),
    "practice_area": _l("Practice area"),
    "responsible": _l("Responsible"),
    "customer_type": _l("Customer type"),
    "need": _l("Need"),
    "special_requirements": _l("Special requirements"),
    "sensitive_data": _l("Sensitive personal data"),
    "status": _l("Status"),
    "decision": _l("Decision"),
    "reason": _l("Reason"),
    "file": _l("File"),
    "file:verification": _l("Verification document"),
    "file:consent": _l("Signed consent form"),
    "file:contract": _l("Signed copy of the contract"),
    "specialty_fit": _l("Within the firm's specialties"),
    "viability_notes": _l("Viability"),
    "consultation_at": _l("Initial consultation"),
    "consultation_mode": _l("Consultation mode"),
    "attendees": _l("Attendees"),
    "consultation_notes": _l("Consultation notes"),
    "expectations": _l("Expectations"),
    # quotations and contracts
    "lines": _l("Lines"),
    "valid_until": _l("Valid until"),
    "notes": _l("Notes"),
    "client": _l("Client"),
    "quotation": _l("Quotation"),
    "conditions": _l("Conditions"),
    "frequency": _l("Frequency"),
    "duration_months": _l("Duration in months"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "firm_duties": _l("Duties of the firm"),
    "client_duties": _l("Duties of the client"),
    "signed_on": _l("Signing date"),
    "signer": _l("Signed by"),
    "signed_copy": _l("Signed copy"),
    "renews": _l("Contract it renews"),
    # cases
    "title": _l("Title"),
    "team": _l("Team"),
    "parties": _l("Parties"),
    "contract": _l("Contract"),
    "opened_on": _l("Opening date"),
    "description": _l("Description"),
    "legal_analysis": _l("Legal analysis"),
    "strategy": _l("Strategy"),
    "budget_amount": _l("Budget"),
    "budget_notes": _l("Budget notes"),
    "budget_told_on": _l("Budget told on"),
    "budget_told_how": _l("How the budget was told"),
    "evidence": _l("Evidence"),
    "resolution_summary": _l("Resolution"),
    "explained_on": _l("Explained on"),
    "explained_how": _l("How it was explained"),
    "client_understood": _l("Client understood"),
    "resolved_at": _l("Resolved on"),
    "closed_at": _l("Closed on"),
    "closed_by": _l("Closed by"),
    "survey_due_on": _l("Survey due on"),
    "survey_sent_at": _l("First survey sent"),
    "next_update_at": _l("Next update to the client"),
    "next_update_days": _l("Days to the next update"),
    "closing_reason": _l("Reason for closing"),
    "closed_open_items": _l("Items open at closing"),
    "deliveries": _l("Final documents delivered"),
    "case": _l("Case"),
    "starts_at": _l("Date and time"),
    "duration_minutes": _l("Duration"),
    "place": _l("Place"),
    "purpose": _l("Purpose"),
    "assigned": _l("Assigned to"),
    "done_at": _l("Done on"),
    "done_by": _l("Done by"),
    "work_done": _l("Work done"),
    "treatment_type": _l("Treatment"),
    "resources_used": _l("Resources used"),
    "recommendations": _l("Recommendations"),
    # interactions and meetings
    "occurred_at": _l("When it happened"),
    "channel": _l("Channel"),
    "direction": _l("Direction"),
    "summary": _l("Summary"),
    "confidential": _l("Confidential"),
    "answered_at": _l("Answered on"),
    "answered_by": _l("Answered by"),
    "follow_up": _l("Follow-up"),
    "uid": _l("Calendar identifier"),
    "location": _l("Location"),
    "agenda": _l("Agenda"),
    "recording": _l("Recording"),
    "recording_consent": _l("Consent to record"),
    "invitation_sent_at": _l("Invitation sent on"),
    "sequence": _l("Invitation update number"),
    "organiser": _l("Organiser"),
    # documents and deadlines
    "template": _l("Template"),
    "required": _l("Required"),
    "due_on": _l("Due date"),
    "review_on": _l("Review date"),
    "note": _l("Note"),
    "reviewed_by": _l("Reviewed by"),
    "reviewed_at": _l("Reviewed on"),
    "due_days": _l("Days to hand it in"),
    "review_every_days": _l("Review every (days)"),
    "position": _l("Order in the list"),
    "requirements": _l("Document requirements"),
    "due_at": _l("Due"),
    "alert_days": _l("Alerts"),
    "day": _l("Day"),
    # complaints and crisis
    "number": _l("Number"),
    "walk_in_name": _l("Name of the person"),
    "walk_in_contact": _l("Contact of the person"),
    "survey_response": _l("Survey response"),
    "category": _l("Category"),
    "severity": _l("Severity"),
    "received_at": _l("Received on"),
    "owner": _l("Owner"),
    "response_due_at": _l("First response due"),
    "first_response_at": _l("First response"),
    "root_cause": _l("Root cause"),
    "actions_taken": _l("Actions taken"),
    "informed_at": _l("Client informed on"),
    "informed_channel": _l("How the client was informed"),
    "client_agreement": _l("Client's agreement"),
    "reopened": _l("Times reopened"),
    "alert_level": _l("Alert level"),
    "response_days": _l("Days to respond"),
    "resolution_days": _l("Days to resolve"),
    "steps": _l("Protocol steps"),
    "behaviour": _l("Client's behaviour"),
    "actions": _l("Response actions"),
    "solution": _l("Solution offered"),
    "security_called": _l("Security called"),
    "escalated_at": _l("Escalated on"),
    "supervisor_note": _l("Supervisor's note"),
    "supervisor_at": _l("Supervisor intervened on"),
    "outcome": _l("Outcome"),
    # surveys
    "intro": _l("Introduction"),
    "anonymous": _l("Anonymous"),
    "is_default": _l("Default template"),
    "questions": _l("Questions"),
    "send_on": _l("Send on"),
    "links": _l("Survey links"),
    "reminders_sent": _l("Reminders sent"),
    "answers": _l("Answers"),
    # improvement actions
    "complaint": _l("Complaint"),
    "source_ref": _l("What it comes from"),
    "cause_analysis": _l("Cause analysis"),
    "correction": _l("Immediate correction"),
    "corrective_action": _l("Corrective action"),
    "preventive_action": _l("Preventive action"),
    "effectiveness_check": _l("Effectiveness check"),
    "verified_on": _l("Verified on"),
    "verified_by": _l("Verified by"),
    "cancel_reason": _l("Reason for cancelling"),
    # quality notes to the staff
    "body": _l("Text"),
    "subject": _l("Subject"),  # a newsletter issue's
    "period_start": _l("Period from"),
    "period_end": _l("Period to"),
    "indicator": _l("Indicator"),
    "client_summary": _l("Text for clients"),
    "for_newsletter": _l("Available for the newsletter"),
    # management reviews
    "procedure_changes": _l("Changes to the procedures"),
    "conclusions": _l("Conclusions"),
    "opportunities": _l("Opportunities for improvement"),
    "resource_needs": _l("Resource needs"),
    "decisions": _l("Decisions"),
    "snapshot": _l("Inputs frozen on approval"),
    "approved_at": _l("Approved at"),
    "approved_by": _l("Approved by"),
    "review": _l("Management review"),
    # data-subject requests
    "received_on": _l("Received on"),
    "message": _l("Requester's message"),
    "identity_method": _l("How the identity was checked"),
    "identity_notes": _l("Identity check notes"),
    "assignee": _l("Assigned to"),
    "extended_due_on": _l("Extended deadline"),
    "extension_reason": _l("Reason for the extension"),
    "answer": _l("Answer"),
    "evidence_note": _l("Evidence note"),
    # procedures manual
    **MANUAL_SECTIONS,
    "code": _l("Code"),
    "created_label": _l("Created by (header)"),
    "approved_label": _l("Approved by (header)"),
    "change_summary": _l("What this version changes"),
    "justification": _l("Why it changes"),
    "state": _l("State"),
    "review_note": _l("What has to change"),
    "approver": _l("Approved by"),
    "published_on": _l("In force since"),
    "end_reason": _l("Why it is withdrawn"),
    "review_months": _l("Review every (months)"),
    "next_review_on": _l("Next review"),
    "concerned_roles": _l("Roles it concerns"),
    "law_change": _l("Change in the law"),
    "acknowledged_at": _l("Acknowledged"),
    "person_name": _l("Person"),
    "user": _l("Member of staff"),
    "policy_version": _l("Policy version accepted"),
    # training on the manual and feedback on it
    "topic": _l("Topic"),
    "score": _l("Score"),
    "comment": _l("Comment"),
    "what": _l("What you noticed"),
    "suggestion": _l("What you suggest"),
    "section": _l("Section"),
    "considered_note": _l("Note"),
    # loyalty and referral programmes
    "priority": _l("Priority attention"),
    "active": _l("In force"),
    "percent": _l("Discount, in percent"),
    "basis": _l("Who qualifies"),
    "threshold": _l("N"),
    "service": _l("Additional service"),
    "emailed": _l("Sent by email"),
    "sent_at": _l("Sent on"),
}

# The parts of a case that ``services.cases.check_team`` names when it refuses someone off the team.
TEAM_PARTS = {"case": _l("the case"), "planning": _l("the planning"), "team": _l("the team"),
              "deadlines": _l("the deadlines"), "document": _l("a confidential document"),
              "confidential interaction": _l("a confidential interaction")}


def field_label(name: str) -> str | None:
    """The words for one field name of an audit row; ``table.column`` (key rotation) reads "Client: …"."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    table, _dot, column = name.partition(".")
    if column and table in OBJECT_LABELS and column in FIELD_LABELS:
        return f"{OBJECT_LABELS[table]}: {str(FIELD_LABELS[column]).lower()}"
    return None


def fields_text(fields: str) -> str:
    """"legal_analysis,strategy" → "Análisis jurídico y estrategia" (a code without words stays as it is)."""
    words = [field_label(name) or name for name in fields.split(",") if name]
    words = [w if n == 0 or w[1:2].isupper() else w[:1].lower() + w[1:] for n, w in enumerate(words)]
    return format_list(words, locale=get_locale()) if words else ""


def roles_text(codes: str) -> str:
    """"commercial,service" → "Departamento Comercial, Atención al Cliente"."""
    return ", ".join(ROLES.get(code, code) for code in codes.split(",") if code)


def _state_words() -> dict:
    """Per status event, the words of its states ("prospect→evaluating" reads "Prospecto → En evaluación")."""
    return {"client_status": client_labels.STATUSES, "case_status": case_labels.STATES,
            "complaint_status": complaint_labels.STATES, "deadline_status": doc_labels.DEADLINE_STATES,
            "improvement_status": action_labels.ACTION_STATES, "improvement_cancel": action_labels.ACTION_STATES}


def _transition_text(action: str, detail: str) -> str | None:
    words = _state_words().get(action)
    head, arrow, rest = detail.partition("→")
    if not words or not arrow:
        return None
    to, space, tail = rest.partition(" ")
    if head not in words or to not in words:
        return None
    return f"{words[head]} → {words[to]}" + (f" ({tail})" if space and tail else "")


def detail_text(action: str, detail: str) -> str:
    """The detail of the rows whose detail is made of codes, in words; any other detail as it was written."""
    transition = _transition_text(action, detail)
    if transition:
        return transition
    if action == "authz_fail" and detail.startswith("not on team: "):
        part = detail.removeprefix("not on team: ")
        return _("Not on the case team: %(part)s", part=TEAM_PARTS.get(part, part))
    if action == "sensitive_read" and detail == "planning":
        return _("Read on the case planning")
    if action == "authz_fail" and detail in {p for perms in PERMISSIONS.values() for p in perms}:
        return _("Only for: %(roles)s", roles=roles_text(",".join(r for r, p in PERMISSIONS.items() if detail in p)))
    if action == "authz_change" and detail.startswith("+"):
        added, _space, removed = detail[1:].partition(" -")
        return "; ".join(filter(None, (added and _("Added: %(roles)s", roles=roles_text(added)),
                                       removed and _("Removed: %(roles)s", roles=roles_text(removed)))))
    if action == "user_create" and detail and all(code in ROLES for code in detail.split(",")):
        return roles_text(detail)
    if action == "session_end":
        how, _colon, count = detail.partition(":")
        words = {"one": _("This session"), "others": _("The person's other sessions"),
                 "admin": _("Closed by an administrator"), "role_removed": _("A role was removed")}
        if how in words:
            return words[how] + (f" ({count})" if count else "")
    return detail


@dataclass(frozen=True)
class Shown:
    """An audit row's object as it is read: its kind, its name (empty when it has none to show) and which
    record page shows it (``page`` names the record, ``page_id`` its id; the blueprint makes the link)."""

    kind: str
    name: str = ""
    page: str = ""
    page_id: int | None = None


def _select(model, ids, *columns, join=None):
    query = model.select(model.id, *columns)
    if join is not None:
        query = query.join(join)
    return query.where(model.id.in_(ids))


def _users(ids):
    return {u.id: (u.display_name, "user", u.id) for u in _select(User, ids, User.name, User.email)}


def _clients(ids):
    return {c.id: (c.name, "client", c.id) for c in _select(Client, ids, Client.name)}


def _cases(ids):
    return {c.id: (f"{c.code} · {c.title}", "case", c.id) for c in _select(Case, ids, Case.title)}


def _with_client(model, page, by_client=False):
    def resolve(ids):
        rows = _select(model, ids, model.client, Client.name, join=Client)
        return {r.id: (r.client.name, page, r.client_id if by_client else r.id) for r in rows}

    return resolve


def _of_case(model, column, page):
    def resolve(ids):
        return {r.id: (getattr(r, column.name), page, r.case_id) for r in _select(model, ids, column, model.case)}

    return resolve


def _named(model, page="", own_page=False):
    def resolve(ids):
        return {r.id: (r.name, page, r.id if own_page else None) for r in _select(model, ids, model.name)}

    return resolve


def _quotations(ids):
    return {q.id: (q.code, "quotation", q.id) for q in _select(Quotation, ids, Quotation.number, Quotation.version)}


def _contracts(ids):
    rows = _select(Contract, ids, Contract.client, Client.name, join=Client)
    return {c.id: (f"{c.code} · {c.client.name}", "contract", c.id) for c in rows}


def _tasks(ids):
    return {t.id: (t.title, "", None) for t in _select(Task, ids, Task.title)}


def _complaints(ids):
    return {c.id: (c.number, "complaint", c.id) for c in _select(Complaint, ids, Complaint.number)}


def _improvement_actions(ids):
    rows = _select(ImprovementAction, ids, ImprovementAction.title)
    return {a.id: (f"{a.code} · {a.title}", "improvement_action", a.id) for a in rows}


def _quality_notes(ids):
    from models.quality import QualityNote

    return {n.id: (n.title, "quality_note", n.id) for n in _select(QualityNote, ids, QualityNote.title)}


def _privacy_notices(ids):
    rows = _select(PrivacyNotice, ids, PrivacyNotice.version)
    return {n.id: (_("Version %(v)s", v=n.version), "privacy_notice", None) for n in rows}


def _holidays(ids):
    rows = _select(Holiday, ids, Holiday.name, Holiday.day)
    return {h.id: (f"{h.name}, {format_day(h.day)}", "holidays", None) for h in rows}


def _calendar_feeds(ids):
    rows = _select(CalendarFeed, ids, CalendarFeed.user, User.name, User.email, join=User)
    return {f.id: (f.user.display_name, "", None) for f in rows}


def _data_subject_requests(ids):
    from models.privacy import DataSubjectRequest

    rows = (DataSubjectRequest.select(DataSubjectRequest.id, DataSubjectRequest.client, Client.name)
            .join(Client, on=(DataSubjectRequest.client == Client.id), join_type="LEFT OUTER JOIN")
            .where(DataSubjectRequest.id.in_(ids)))
    return {r.id: (f"{r.code} · {r.client.name}" if r.client_id else r.code, "data_subject_request", r.id) for r in rows}


def _survey_responses(ids):
    return {i: ("", "survey_response", i) for i in ids}  # no query: the number alone keeps anonymity


# One query per kind of object on the page, whatever the number of rows.
RESOLVERS = {
    "app_user": _users,
    "client": _clients,
    "legal_case": _cases,
    "interaction": _with_client(Interaction, "client_interactions", by_client=True),
    "meeting": _with_client(Meeting, "meeting"),
    "survey_invitation": _with_client(SurveyInvitation, "survey_invitation"),
    "crisis_incident": _with_client(CrisisIncident, "crisis"),
    "document_item": _of_case(DocumentItem, DocumentItem.name, "case_documents"),
    "deadline": _of_case(Deadline, Deadline.description, "case_deadlines"),
    "intervention": _of_case(Intervention, Intervention.purpose, "case_interventions"),
    "task": _tasks,
    "complaint": _complaints,
    "improvement_action": _improvement_actions,
    "quality_note": _quality_notes,
    "complaint_category": _named(ComplaintCategory, "complaint_categories"),
    "survey_template": _named(SurveyTemplate, "survey_template", own_page=True),
    "survey_response": _survey_responses,
    "quotation": _quotations,
    "contract": _contracts,
    "practice_area": _named(PracticeArea, "practice_areas"),
    "requirement_template": _named(RequirementTemplate, "requirement_templates"),
    "privacy_notice": _privacy_notices,
    "holiday": _holidays,
    "calendar_feed": _calendar_feeds,
    "data_subject_request": _data_subject_requests,
}

_MAX_ID = 2**63 - 1


def _number(object_id: str) -> int | None:
    return int(object_id) if object_id.isdigit() and int(object_id) <= _MAX_ID else None


def _without_row(event, kind, endpoint_path) -> Shown:
    """Objects that are not one row: a page, a job's digest, every SLA rule, a year of holidays."""
    object_type, object_id = event.object_type, event.object_id
    if object_type == "endpoint":
        return Shown(kind, endpoint_path(object_id) if endpoint_path else object_id)
    if object_id == "digest":
        return Shown(kind, _("the daily digest"))
    if object_type == "sla_rule" and object_id == "all":
        return Shown(kind, _("every rule"), "complaint_sla")
    region, _dash, year = object_id.partition("-")
    if object_type == "holiday" and region in REGIONS and year.isdigit():
        return Shown(kind, f"{REGIONS[region]} {year}", "holidays")
    return Shown(kind, object_id)


def describe(events, endpoint_path=None) -> dict[int, Shown]:
    """Each row's object, keyed by the row's id. ``endpoint_path`` turns an endpoint into the page's address."""
    wanted = defaultdict(set)
    for event in events:
        number = _number(event.object_id)
        if number is not None and event.object_type in RESOLVERS:
            wanted[event.object_type].add(number)
    found = {kind: RESOLVERS[kind](sorted(ids)) for kind, ids in wanted.items()}
    shown = {}
    for event in events:
        kind = str(OBJECT_LABELS.get(event.object_type, event.object_type))
        number = _number(event.object_id)
        if not event.object_type:
            continue
        if number is None:
            shown[event.id] = _without_row(event, kind, endpoint_path)
        elif number in found.get(event.object_type, {}):
            name, page, page_id = found[event.object_type][number]
            shown[event.id] = Shown(kind, name or "", page, page_id)
        else:  # gone since (a discarded draft, a removed holiday) or a kind with no name: the number
            shown[event.id] = Shown(kind, str(number))
    return shown
