"""The access export (Ley 1581 art. 14, GDPR arts. 15 and 20; SECURITY.md PR4): everything Traza holds about one
client, for the data subject, as JSON (their own values in clear) and a PDF made from the same data, in a zip with
the client's files.

``SECTIONS`` names each table exported and how its rows are found: by the client, by one of the client's cases, or
through a row of another section (a quotation's lines, a document item's versions…). ``EXCLUDED`` names, with the
reason, every table that refers to a client or a case and is left out; tests/privacy/test_export.py walks
``models.ALL_MODELS`` and fails on a table in neither. One query per section whatever the number of rows, plus one
for the staff names and one for the files.

What is left out of a row: search keys and blind indexes (``name_key``, ``document_index``: derived from values that
are exported), another client's data (who referred whom, a conflict check's hits) and the names of the staff who
read the data (their roles are given: C-579/21, *Pankki S*)."""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from peewee import ForeignKeyField

from core import audit, files
from core.db import transaction, utcnow
from models.audit import AuditEvent, AuditSubject
from models.benefits import BenefitGrant, ReferralThanks
from models.cases import Case, CaseMember, CaseStatusChange, EvidenceItem, FinalDelivery, Intervention
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party
from models.commercial import Contract, Quotation, QuotationLine
from models.complaints import Complaint, ComplaintCategory, ComplaintStatusChange, CrisisIncident, CrisisStep
from models.consent import Consent, PrivacyNotice
from models.documents import Deadline, DocumentItem, DocumentVersion, RequirementTemplate
from models.files import StoredFile
from models.intake import IntakeEvaluation, VerificationCheck
from models.interactions import Interaction, Meeting
from models.loyalty import NewsletterDelivery, NewsletterIssue, RenewalDecision
from models.privacy import DataSubjectRequest
from models.surveys import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from models.tasks import Task
from models.users import User

FORMAT = "traza-export/1"
EXPORT_PURPOSE = "privacy_export"  # a stored export (a request's evidence): never put inside the next export
ALWAYS_OMIT = ("updated_at",)
NAMED = (PracticeArea, ComplaintCategory, RequirementTemplate, SurveyTemplate)  # shown by their name, not their id


def _cases(client_id):
    return Case.select(Case.id).where(Case.client == client_id)


def _of_client_or_case(model):
    return lambda cid: model.select().where((model.client == cid) | (model.case.in_(_cases(cid))))


def _of_cases(model):
    return lambda cid: model.select().where(model.case.in_(_cases(cid)))


def _reveal_client(row, out):
    out["document_number"] = row.reveal_document()
    out["sensitive_data"] = row.reveal_sensitive()


def _reveal_case(row, out):
    for name in Case.CONFIDENTIAL:
        out[name] = row.reveal(name)


def _reveal_secret_fields(row, out):
    for name in type(row).SECRET_FIELDS:
        out[name] = row.reveal(name)


def _reveal_interaction(row, out):
    out["summary"] = row.reveal_summary() if row.confidential else row.summary


def _consent_notice(row, out):
    notice = row.notice
    out["notice"] = {"version": notice.version, "sha256": notice.sha256, "text": notice.text} if notice else None


def _invitation_status(row, out):
    """An anonymous survey's invitation tells no more than staff see: whether it was opened or answered would
    single out the answer (models.surveys.SurveyInvitation.shown_status)."""
    if row.template.anonymous:
        out["status"] = row.shown_status()
        out["opened_at"] = out["answered_at"] = None


def _response_question(row, out):
    out["question"] = row.question.text


def _newsletter_issue(row, out):
    out["issue"] = f"{row.issue.number} · {row.issue.subject}"


@dataclass
class Section:
    name: str
    model: object
    rows: object  # client id → query
    omit: tuple = ()
    reveal: object = None  # (row, dict) → fills the clear values


def _child(model, fk_name, parent_query):
    return model.select().where(getattr(model, fk_name).in_(parent_query))


# The sections, in the order the PDF shows them.
SECTIONS = [
    Section("client", Client, lambda cid: Client.select().where(Client.id == cid),
            omit=("name_key", "document_index", "document_last4", "referred_by"), reveal=_reveal_client),
    Section("client_status_changes", ClientStatusChange, lambda cid: ClientStatusChange.select()
            .where(ClientStatusChange.client == cid)),
    Section("consents", Consent, lambda cid: Consent.select(Consent, PrivacyNotice)
            .join(PrivacyNotice, on=(Consent.notice == PrivacyNotice.id)).where(Consent.client == cid),
            reveal=_consent_notice),
    Section("verification_checks", VerificationCheck, lambda cid: VerificationCheck.select()
            .where(VerificationCheck.client == cid)),
    Section("intake_evaluations", IntakeEvaluation, lambda cid: IntakeEvaluation.select()
            .where(IntakeEvaluation.client == cid)),
    Section("conflict_checks", ConflictCheck, lambda cid: ConflictCheck.select().where(ConflictCheck.client == cid),
            omit=("hits",)),
    Section("parties", Party, _of_client_or_case(Party), omit=("name_key", "document_index")),
    Section("quotations", Quotation, lambda cid: Quotation.select().where(Quotation.client == cid)),
    Section("quotation_lines", QuotationLine, lambda cid: _child(QuotationLine, "quotation",
            Quotation.select(Quotation.id).where(Quotation.client == cid))),
    Section("contracts", Contract, lambda cid: Contract.select().where(Contract.client == cid)),
    Section("renewal_decisions", RenewalDecision, lambda cid: _child(RenewalDecision, "contract",
            Contract.select(Contract.id).where(Contract.client == cid))),
    Section("benefit_grants", BenefitGrant, lambda cid: BenefitGrant.select().where(BenefitGrant.client == cid)),
    Section("referral_thanks", ReferralThanks, lambda cid: ReferralThanks.select().where(
        (ReferralThanks.referred == cid) | (ReferralThanks.referrer == cid))),
    Section("newsletter_deliveries", NewsletterDelivery, lambda cid: NewsletterDelivery.select(
        NewsletterDelivery, NewsletterIssue).join(NewsletterIssue, on=(NewsletterDelivery.issue == NewsletterIssue.id))
        .where(NewsletterDelivery.client == cid), omit=("message_id",), reveal=_newsletter_issue),
    Section("cases", Case, lambda cid: Case.select().where(Case.client == cid), reveal=_reveal_case),
    Section("case_members", CaseMember, _of_cases(CaseMember)),
    Section("case_status_changes", CaseStatusChange, _of_cases(CaseStatusChange)),
    Section("interventions", Intervention, _of_cases(Intervention)),
    Section("evidence_items", EvidenceItem, _of_cases(EvidenceItem)),
    Section("final_deliveries", FinalDelivery, _of_cases(FinalDelivery)),
    Section("deadlines", Deadline, _of_cases(Deadline), omit=("alert_from", "alerted_on")),
    Section("document_items", DocumentItem, _of_cases(DocumentItem)),
    Section("document_versions", DocumentVersion, lambda cid: _child(DocumentVersion, "item",
            DocumentItem.select(DocumentItem.id).where(DocumentItem.case.in_(_cases(cid))))),
    Section("interactions", Interaction, _of_client_or_case(Interaction), reveal=_reveal_interaction),
    Section("meetings", Meeting, _of_client_or_case(Meeting), omit=("uid", "sequence")),
    Section("tasks", Task, lambda cid: Task.select().where(
        (Task.client == cid) | Task.case.in_(_cases(cid))
        | Task.interaction.in_(Interaction.select(Interaction.id).where(Interaction.client == cid)))),
    Section("survey_invitations", SurveyInvitation, lambda cid: SurveyInvitation.select(SurveyInvitation, SurveyTemplate)
            .join(SurveyTemplate, on=(SurveyInvitation.template == SurveyTemplate.id))
            .where((SurveyInvitation.client == cid) | SurveyInvitation.case.in_(_cases(cid))),
            omit=("reminders_sent", "last_sent_at"), reveal=_invitation_status),
    # Named answers only: an anonymous response keeps no link to anyone, and must not gain one here.
    Section("survey_responses", SurveyResponse, lambda cid: SurveyResponse.select().where(
        ((SurveyResponse.client == cid) | SurveyResponse.case.in_(_cases(cid)))
        & (SurveyResponse.anonymous == False))),  # noqa: E712
    Section("survey_answers", SurveyAnswer, lambda cid: SurveyAnswer.select(SurveyAnswer, SurveyQuestion)
            .join(SurveyQuestion, on=(SurveyAnswer.question == SurveyQuestion.id))
            .where(SurveyAnswer.response.in_(SurveyResponse.select(SurveyResponse.id).where(
                ((SurveyResponse.client == cid) | SurveyResponse.case.in_(_cases(cid)))
                & (SurveyResponse.anonymous == False)))),  # noqa: E712
            reveal=_response_question),
    Section("complaints", Complaint, _of_client_or_case(Complaint)),
    Section("complaint_status_changes", ComplaintStatusChange, lambda cid: _child(ComplaintStatusChange, "complaint",
            Complaint.select(Complaint.id).where((Complaint.client == cid) | Complaint.case.in_(_cases(cid))))),
    Section("crisis_incidents", CrisisIncident, _of_client_or_case(CrisisIncident), reveal=_reveal_secret_fields),
    Section("crisis_steps", CrisisStep, lambda cid: _child(CrisisStep, "incident", CrisisIncident.select(CrisisIncident.id)
            .where((CrisisIncident.client == cid) | CrisisIncident.case.in_(_cases(cid))))),
    Section("data_subject_requests", DataSubjectRequest, lambda cid: DataSubjectRequest.select()
            .where(DataSubjectRequest.client == cid), reveal=_reveal_secret_fields),
]

# Tables that refer to a client or a case and are not exported, each with its reason (docs/decisions.md).
EXCLUDED = {
    # Links to the survey: only the hash of a single-use token, nothing about the person; the invitation is exported.
    "survey_link": "token hashes of the invitation's links; the invitation itself is exported",
    # The firm's corrective action on its own process (ISO 9001 §10.2): about the firm, not the client; the
    # complaint that led to it, with its root cause and the actions taken, is exported.
    "improvement_action": "the firm's corrective action on its own process; the complaint is exported",
    # The erasure's own records (services/privacy/erasure.py): ids, counts and dates, nothing of the client's.
    "erasure": "the record of an erasure or blocking: ids, table names and row counts, no personal value",
    "retention_due": "the retention review's list: the client's id, a category and dates",
}

def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def file_entry(stored) -> str:
    return f"archivos/{stored.id}-{files.safe_name(stored.original_name)}"


def collect(client_id: int) -> dict:
    """The export's data: {"format", "client_id", "sections": {name: [row dict]}, "reads": [...], "files": [...]}.
    Staff are named (the responsible, who attended); files are listed by their place in the zip."""
    sections, user_ids, file_ids = {}, set(), set()
    named = {model: set() for model in NAMED}
    for section in SECTIONS:
        omit = set(section.omit) | set(ALWAYS_OMIT)
        out_rows = []
        for row in section.rows(client_id).order_by(section.model.id):
            out = {}
            for f in section.model._meta.sorted_fields:
                if f.name in omit:
                    continue
                if isinstance(f, ForeignKeyField):
                    ref = row.__data__.get(f.name)
                    if ref and f.rel_model is User:
                        user_ids.add(ref)
                    elif ref and f.rel_model is StoredFile:
                        file_ids.add(ref)
                    elif ref and f.rel_model in named:
                        named[f.rel_model].add(ref)
                    out[f.name] = ref
                else:
                    out[f.name] = _jsonable(row.__data__.get(f.name))
            if section.reveal:
                section.reveal(row, out)
            out_rows.append(out)
        sections[section.name] = out_rows
    catalogue = {model: dict(model.select(model.id, model.name).where(model.id.in_(ids)).tuples())
                 for model, ids in named.items() if ids}
    stored = {s.id: s for s in StoredFile.select().where(StoredFile.id.in_(file_ids or [0]),
                                                         StoredFile.purpose != EXPORT_PURPOSE)}
    names = dict(User.select(User.id, User.name).where(User.id.in_(user_ids or [0])).tuples())
    for section in SECTIONS:
        fks = [f for f in section.model._meta.sorted_fields
               if isinstance(f, ForeignKeyField) and f.name not in section.omit
               and f.rel_model in (User, StoredFile, *NAMED)]
        for out in sections[section.name]:
            for f in fks:
                ref = out.get(f.name)
                if f.rel_model is User:
                    out[f.name] = names.get(ref) if ref else None
                elif f.rel_model in NAMED:
                    out[f.name] = catalogue.get(f.rel_model, {}).get(ref) if ref else None
                else:
                    out[f.name] = file_entry(stored[ref]) if ref in stored else None
    reads = [{"at": _jsonable(at), "action": action, "fields": fields_, "roles": roles}
             for at, action, fields_, roles in
             AuditEvent.select(AuditEvent.at, AuditEvent.action, AuditEvent.fields, AuditEvent.actor_roles)
             .join(AuditSubject, on=(AuditSubject.event == AuditEvent.id))
             .where(AuditSubject.client_id == client_id).order_by(AuditEvent.id).tuples()]
    return {"format": FORMAT, "client_id": client_id, "generated_at": _jsonable(utcnow()), "sections": sections,
            "reads": reads, "files": [{"path": file_entry(s), "name": s.original_name, "content_type": s.content_type,
                                       "size": s.size, "sha256": s.sha256} for s in stored.values()],
            "_stored": list(stored.values())}


def build_zip(data: dict, pdf_bytes: bytes) -> bytes:
    """The zip: datos.json, informe.pdf and archivos/…, each file decrypted."""
    stored = data.pop("_stored", [])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datos.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("informe.pdf", pdf_bytes)
        for s in stored:
            archive.writestr(file_entry(s), files.read(s))
    return out.getvalue()


def record(client, user, body: bytes, request=None) -> bool:
    """The export's audit row (a read of the client's confidential data: it shows in "Quién consultó") and, from an
    access request, the zip kept as the request's evidence, replacing an export kept before (row and file); an
    evidence file someone uploaded is never replaced (the audit row still names the zip by its hash). Returns
    whether the zip was kept."""
    digest = hashlib.sha256(body).hexdigest()
    previous = None
    if request is not None and request.evidence_id:
        previous = StoredFile.get_or_none(StoredFile.id == request.evidence_id)
    keep = request is not None and (previous is None or previous.purpose == EXPORT_PURPOSE)
    stored = None
    try:
        with transaction():
            # A confidential read like any other (its subject row is written by audit.record), so it shows in the
            # client's "Quién consultó" and in the person's reads for the access review.
            audit.record("sensitive_read", request if request is not None else client, actor=user,
                         fields=["access_export"], detail=f"access_export client={client.id} sha256={digest} "
                                                           f"size={len(body)}")
            if keep:
                stored = files.save(body, "application/zip", f"exportacion-{request.code}.zip", EXPORT_PURPOSE, user)
                request.evidence = stored
                request.save()
                if previous is not None:
                    previous.delete_instance()
    except Exception:
        if stored is not None:
            files.discard(stored)
        raise
    if keep and previous is not None:
        files.discard(previous)
    return keep


# ----- the PDF: the same data, as the data subject reads it -----

COMPACT_FROM = 40  # rows: a longer section is printed one line per record
COMPACT_BLOCK = 50
COMPACT_SKIP = ("created_at", "confidential")  # on a line, when it was recorded and the flag: in datos.json

def _value_labels() -> dict:
    from services.cases import labels as cases
    from services.clients import labels as clients
    from services.commercial import labels as commercial
    from services.complaints import labels as complaints
    from services.documents import labels as documents
    from services.interactions import labels as interactions
    from services.loyalty import labels as loyalty_labels
    from services.privacy import labels as privacy
    from services.surveys import labels as surveys

    return {
        "client": {"kind": clients.KINDS, "country": clients.COUNTRIES, "preferred_channel": clients.CHANNELS,
                   "source": clients.SOURCES, "status": clients.STATUSES, "customer_type": clients.CUSTOMER_TYPES},
        "client_status_changes": {"from_status": clients.STATUSES, "to_status": clients.STATUSES},
        "consents": {"purpose": clients.PURPOSES, "method": clients.CONSENT_METHODS},
        "verification_checks": {"item": clients.VERIFICATION_ITEMS, "state": clients.VERIFICATION_STATES},
        "intake_evaluations": {"consultation_mode": clients.CONSULTATION_MODES},
        "conflict_checks": {"decision": clients.DECISIONS},
        "parties": {"kind": clients.PARTY_KINDS},
        "quotations": {"status": commercial.QUOTATION_STATES},
        "contracts": {"status": commercial.CONTRACT_STATES, "frequency": commercial.FREQUENCIES},
        "renewal_decisions": {"outcome": loyalty_labels.OUTCOME_LABELS},
        "benefit_grants": {"kind": loyalty_labels.BENEFIT_KINDS},
        "cases": {"status": cases.STATES, "budget_told_how": cases.CONTACT_WAYS, "explained_how": cases.CONTACT_WAYS},
        "case_status_changes": {"from_status": cases.STATES, "to_status": cases.STATES},
        "interventions": {"status": cases.INTERVENTION_STATES},
        "evidence_items": {"kind": cases.EVIDENCE_KINDS},
        "final_deliveries": {"kind": cases.DELIVERY_KINDS, "delivered_how": cases.CONTACT_WAYS},
        "tasks": {"kind": privacy.TASK_KINDS, "outcome": loyalty_labels.FOLLOW_UP_LABELS},
        "deadlines": {"kind": documents.DEADLINE_KINDS, "status": documents.DEADLINE_STATES},
        "document_items": {"status": documents.ITEM_STATES},
        "interactions": {"channel": interactions.CHANNELS, "direction": interactions.DIRECTIONS,
                         "kind": interactions.KINDS},
        "meetings": {"channel": interactions.MEETING_CHANNELS, "status": interactions.MEETING_STATES},
        "survey_invitations": {"status": surveys.INVITATION_STATES},
        "survey_answers": {"criterion": surveys.CRITERIA},
        "complaints": {"kind": complaints.KINDS, "severity": complaints.SEVERITIES, "channel": complaints.CHANNELS,
                       "status": complaints.STATES, "source": complaints.SOURCES,
                       "client_agreement": complaints.AGREEMENT, "informed_channel": complaints.INFORMED_CHANNELS},
        "complaint_status_changes": {"from_status": complaints.STATES, "to_status": complaints.STATES},
        "crisis_incidents": {"channel": complaints.CRISIS_CHANNELS, "status": complaints.CRISIS_STATES},
        "data_subject_requests": {"kind": privacy.DSR_KINDS, "channel": privacy.DSR_CHANNELS,
                                  "status": privacy.DSR_STATES, "identity_method": privacy.IDENTITY_METHODS,
                                  "jurisdiction": privacy.JURISDICTIONS},
    }


def _shown(f, value, labels) -> str:
    from flask_babel import gettext as _
    from peewee import BooleanField, DateField, DateTimeField

    from core.i18n import format_day, format_event

    if value is None or value == "":
        return ""
    if isinstance(f, BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(f, DateTimeField) and isinstance(value, str):
        return format_event(datetime.fromisoformat(value))
    if isinstance(f, DateField) and isinstance(value, str):
        return format_day(date.fromisoformat(value))
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, dict):  # the consent's notice: shown apart
        return ""
    return str(value)


def printable(data: dict) -> list[dict]:
    """The sections with rows, each row as (label, text) pairs without the empty ones."""
    from services.privacy import labels

    value_labels = _value_labels()
    out = []
    for section in SECTIONS:
        rows = data["sections"].get(section.name) or []
        if not rows:
            continue
        model_fields = {f.name: f for f in section.model._meta.sorted_fields}
        shown_rows = []
        for row in rows:
            pairs = []
            for name, value in row.items():
                f = model_fields.get(name)
                if (name in labels.EXPORT_PDF_SKIP or name not in labels.EXPORT_FIELDS
                        or (isinstance(f, ForeignKeyField) and f.rel_model not in (User, StoredFile, *NAMED))):
                    continue
                text = _shown(f, value, value_labels.get(section.name, {}).get(name))
                if text:
                    pairs.append((name, labels.EXPORT_FIELDS[name], text))
            shown_rows.append({"pairs": pairs, "notice": row.get("notice") if section.name == "consents" else None})
        entry = {"name": section.name, "title": labels.EXPORT_SECTIONS[section.name], "rows": shown_rows, "count": len(rows)}
        if len(shown_rows) > COMPACT_FROM and section.name != "consents":
            entry.update(_compact(shown_rows))
        out.append(entry)
    return out


def _compact(rows: list[dict]) -> dict:
    """A long section (years of communications) one line per record under a legend of its fields, in blocks of
    ``COMPACT_BLOCK`` lines: laid out label by label it would take WeasyPrint a minute for a few thousand records."""
    order, labels = [], {}
    for row in rows:
        for name, label, _text in row["pairs"]:
            if name not in order and name not in COMPACT_SKIP:
                order.append(name)
                labels[name] = label
    lines = []
    for row in rows:
        values = {name: text for name, _label, text in row["pairs"]}
        lines.append(" · ".join(values.get(name, "—") for name in order))
    return {"legend": " · ".join(str(labels[name]) for name in order),
            "blocks": [lines[i:i + COMPACT_BLOCK] for i in range(0, len(lines), COMPACT_BLOCK)]}


def reads_printable(data: dict) -> list[dict]:
    from core.guard import ROLES
    from core.i18n import format_event

    return [{"at": format_event(datetime.fromisoformat(r["at"])),
             "roles": ", ".join(ROLES.get(role, role) for role in (r["roles"] or "").split(",") if role),
             "fields": r["fields"]} for r in data["reads"]]


def generate(client, user, request=None) -> tuple[bytes, bool]:
    """The zip for ``client`` (collected, the PDF laid out, the files read), audited; from an access request the
    zip is kept as its evidence. Returns (zip bytes, whether it was kept)."""
    from core import pdf
    from core.i18n import format_day, today_local

    data = collect(client.id)
    body = pdf.render("privacy/export_pdf.html", client=client, data=data, sections=printable(data),
                      reads=reads_printable(data), request=request, day=format_day(today_local(), "document"))
    archive = build_zip(data, body)
    kept = record(client, user, archive, request)
    return archive, kept
