"""Writing and verifying the audit log (SECURITY.md L1–L4).

``record()`` writes one row inside the caller's transaction, chained to the previous row with an HMAC
under the audit key. The table is append-only: triggers refuse UPDATE and DELETE (migration 0001).
Never pass passwords, codes, tokens or confidential values: name the fields that changed, not their values.
"""

import json
import logging
import re

from flask import g, has_request_context, request
from flask_login import current_user

from core import crypto
from core.db import db, is_sqlite, transaction, utcnow
from core.i18n import lazy_gettext as _l
from models.audit import AuditEvent, AuditSubject

security_log = logging.getLogger("traza.security")

EVENT_LABELS = {
    "activation_link": _l("Activation link sent"),
    "audit_read": _l("Audit log consulted"),
    "authz_change": _l("Roles changed"),
    "authz_fail": _l("Access denied"),
    "csrf_fail": _l("Form rejected (CSRF)"),
    "lockout": _l("Account locked"),
    "login_fail": _l("Failed sign-in"),
    "login_locked": _l("Sign-in to a locked account"),
    "login_password_ok": _l("Password accepted"),
    "login_success": _l("Signed in"),
    "logout": _l("Signed out"),
    "mfa_enrol": _l("Authenticator set up"),
    "mfa_enrol_fail": _l("Wrong code while setting up"),
    "mfa_fail": _l("Wrong verification code"),
    "mfa_reset": _l("Two-step verification reset"),
    "password_change": _l("Password changed"),
    "password_set": _l("Password chosen"),
    "password_reset_request": _l("New password asked for"),
    "password_reset_link": _l("Password reset link sent by an administrator"),
    "password_reset": _l("Password reset with an emailed link"),
    "rate_limit": _l("Too many requests"),
    "reauth": _l("Password confirmed"),
    "reauth_fail": _l("Wrong password on confirmation"),
    "recovery_code_fail": _l("Wrong recovery code"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_regenerated": _l("New recovery codes"),
    "session_end": _l("Sessions closed"),
    "user_create": _l("Account created"),
    "user_deactivate": _l("Account deactivated"),
    "user_reactivate": _l("Account reactivated"),
    "user_unlock": _l("Account unlocked"),
    "user_update": _l("Account changed"),
    # clients and commercial
    "catalog_create": _l("Catalog entry created"),
    "catalog_update": _l("Catalog entry changed"),
    "client_create": _l("Client registered"),
    "client_update": _l("Client changed"),
    "client_status": _l("Client status changed"),
    "client_evaluation": _l("Evaluation saved"),
    "client_verification": _l("Verification recorded"),
    "client_import": _l("Clients imported"),
    "conflict_check": _l("Conflict check run"),
    "conflict_decision": _l("Conflict decision"),
    "consent_given": _l("Consent given"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "privacy_notice_published": _l("Privacy notice published"),
    "quotation_create": _l("Quotation created"),
    "quotation_update": _l("Quotation changed"),
    "quotation_adjust": _l("Quotation adjusted"),
    "contract_create": _l("Contract created"),
    "contract_update": _l("Contract changed"),
    "contract_activate": _l("Contract activated"),
    "contract_discard": _l("Draft contract discarded"),
    "quotation_superseded": _l("Quotation superseded by a later version"),
    "quotation_sent": _l("Quotation sent"),
    "quotation_accepted": _l("Quotation accepted"),
    "quotation_rejected": _l("Quotation rejected"),
    "contract_terminated": _l("Contract terminated"),
    "contract_expired": _l("Contract marked as expired"),
    "client_export": _l("Client list exported"),
    "sensitive_read": _l("Confidential data read"),
    # case work
    "case_open": _l("Case opened"),
    "case_status": _l("Case status changed"),
    "case_team": _l("Case team changed"),
    "case_planning": _l("Case planning saved"),
    "case_party_add": _l("Party added to a case"),
    "case_evidence": _l("Evidence list changed"),
    "case_resolution": _l("Resolution recorded"),
    "case_delivery": _l("Final document delivery"),
    "intervention_plan": _l("Intervention planned"),
    "intervention_done": _l("Intervention recorded"),
    "intervention_cancel": _l("Intervention cancelled"),
    "interaction_log": _l("Interaction logged"),
    "interaction_answer": _l("Question answered"),
    "meeting_schedule": _l("Meeting scheduled"),
    "meeting_cancel": _l("Meeting cancelled"),
    "document_item_add": _l("Document requested"),
    "document_upload": _l("Document uploaded"),
    "document_review": _l("Document reviewed"),
    "file_download": _l("Document downloaded"),
    "deadline_add": _l("Deadline added"),
    "deadline_status": _l("Deadline status changed"),
    "holiday_add": _l("Holiday added"),
    "holiday_delete": _l("Holiday removed"),
    "holidays_load": _l("Holidays loaded"),
    "calendar_feed_create": _l("Calendar link created"),
    "calendar_feed_revoke": _l("Calendar link revoked"),
    "task_done": _l("Task done"),
    # complaints register
    "complaint_open": _l("Complaint registered"),
    "complaint_status": _l("Complaint status changed"),
    "complaint_analysis": _l("Complaint root cause and actions saved"),
    "complaint_informed": _l("Client informed of the complaint's actions"),
    "complaint_reopen": _l("Complaint reopened"),
    "complaint_owner": _l("Complaint owner changed"),
    "complaint_escalation": _l("Complaint escalation digests sent"),
    "complaint_sla": _l("Complaint SLA changed"),
    "complaint_category": _l("Complaint category changed"),
    # satisfaction surveys (staff side)
    "survey_template": _l("Survey template saved"),
    "survey_invite": _l("Survey invitation created"),
    "survey_sent": _l("Survey invitation or reminder sent"),
    "survey_link": _l("Survey link handed over"),
    "survey_withdraw": _l("Survey invitation withdrawn"),
    # satisfaction surveys (public form and results)
    "survey_answer": _l("Survey answered"),
    "survey_opt_out": _l("Client asked for no more surveys"),
    "survey_export": _l("Satisfaction record exported"),
    # crisis protocol
    "crisis_open": _l("Crisis protocol opened"),
    "crisis_step": _l("Crisis protocol step done"),
    "crisis_record": _l("Crisis incident documented"),
    "crisis_escalate": _l("Crisis escalated to a supervisor"),
    "crisis_intervention": _l("Supervisor intervention recorded"),
    "crisis_close": _l("Crisis incident closed"),
    "deadline_alerts": _l("Deadline alerts sent"),
    # improvement actions
    "improvement_open": _l("Improvement action opened"),
    "improvement_plan": _l("Improvement action analysis and plan saved"),
    "improvement_status": _l("Improvement action status changed"),
    "improvement_close": _l("Improvement action closed with its effectiveness check"),
    "improvement_cancel": _l("Improvement action cancelled"),
    "improvement_digest": _l("Overdue improvement action digests sent"),
    # renewals (PRO 008 §5.5.3)
    "renewal_reminder": _l("Renewal reminder sent"),
    "renewal_start": _l("Renewal quotation started"),
    "renewal_not_renewed": _l("Contract recorded as not renewed"),
    "renewal_lost": _l("Contract recorded as lost"),
    "follow_up_outcome": _l("Post-case follow-up recorded"),
    # the loyalty and referral programmes (PRO 008 §5.5.1)
    "benefit_rule_create": _l("Benefit rule created"),
    "benefit_rule_update": _l("Benefit rule changed"),
    "benefit_apply": _l("Loyalty benefit applied"),
    "client_priority": _l("Client given priority attention"),
    "referral_thanks": _l("Thanks for a referral recorded"),
    # the newsletter (PRO 008 §5.5.2)
    "newsletter_create": _l("Newsletter issue written"),
    "newsletter_update": _l("Newsletter issue changed"),
    "newsletter_test": _l("Newsletter test sent to oneself"),
    "newsletter_send": _l("Newsletter issue sent to the subscribers"),
    "newsletter_unsubscribe": _l("Client unsubscribed from the newsletter"),
    # management reviews
    "review_create": _l("Management review started"),
    "review_update": _l("Management review changed"),
    "review_approve": _l("Management review approved"),
    "quality_note_publish": _l("Quality note published to the staff"),
    "quality_note_ack": _l("Quality note acknowledged"),
    "quality_summary": _l("Monthly quality summaries sent"),
    # operations
    "backup_create": _l("Backup taken"),
    "backup_restore": _l("Backup restored"),
    "keys_rotate": _l("Encryption keys rotated"),
    # privacy (data-subject requests, who viewed what)
    "dsr_create": _l("Data-subject request registered"),
    "dsr_update": _l("Data-subject request changed"),
    "dsr_extend": _l("Data-subject request deadline extended"),
    "dsr_answer": _l("Data-subject request answered"),
    "dsr_reject": _l("Data-subject request rejected"),
    "privacy_reads": _l("Who viewed confidential data consulted"),
    "access_review_open": _l("Access review opened"),
    "access_review_decide": _l("Access review line decided"),
    "access_review_sign": _l("Access review signed off"),
    "client_erased": _l("Client's personal data erased"),
    "client_blocked": _l("Client blocked"),
    "retention_listed": _l("Retention periods run out listed"),
    "retention_dismissed": _l("Retention line set aside"),
    # procedures manual
    "manual_document_create": _l("Manual document created"),
    "manual_document_update": _l("Manual document changed"),
    "manual_version_create": _l("Manual version drafted"),
    "manual_version_update": _l("Manual draft saved"),
    "manual_version_submit": _l("Manual version sent for review"),
    "manual_version_return": _l("Manual version sent back to draft"),
    "manual_version_approve": _l("Manual version approved"),
    "manual_version_publish": _l("Manual version published"),
    "manual_version_withdraw": _l("Manual version withdrawn"),
    "manual_attachment_add": _l("Manual attachment added"),
    "manual_attachment_remove": _l("Manual attachment removed"),
    "manual_plan_update": _l("Manual review calendar changed"),
    "manual_review": _l("Manual document reviewed"),
    "manual_review_reminder": _l("Manual review reminder sent"),
    "manual_ack_request": _l("Manual version: staff asked to read it"),
    "manual_ack": _l("Manual version read and acknowledged"),
    "manual_ack_remind": _l("Manual version: pending readers reminded"),
    "manual_agreement_create": _l("Confidentiality agreement recorded"),
    "training_plan": _l("Training session planned, attendees invited"),
    "training_attendance": _l("Training attendance and evaluation recorded"),
    "training_outcome": _l("Training lessons recorded"),
    "manual_feedback": _l("Feedback on the manual sent"),
    "manual_feedback_settle": _l("Feedback on the manual considered or set aside"),
}

OBJECT_LABELS = {
    "app_user": _l("User"),
    "audit_event": _l("Audit log"),
    "endpoint": _l("Page"),
    "client": _l("Client"),
    "legal_case": _l("Case"),
    "interaction": _l("Interaction"),
    "meeting": _l("Meeting"),
    "document_item": _l("Document"),
    "deadline": _l("Deadline"),
    "intervention": _l("Intervention"),
    "task": _l("Task"),
    "complaint": _l("Complaint"),
    "complaint_category": _l("Complaint category"),
    "sla_rule": _l("Complaint SLA"),
    "survey_template": _l("Survey template"),
    "survey_invitation": _l("Survey invitation"),
    "survey_response": _l("Survey response"),
    "crisis_incident": _l("Crisis incident"),
    "quotation": _l("Quotation"),
    "contract": _l("Contract"),
    "newsletter_issue": _l("Newsletter issue"),
    "practice_area": _l("Practice area"),
    "requirement_template": _l("Document requirement"),
    "privacy_notice": _l("Privacy notice"),
    "holiday": _l("Holiday"),
    "calendar_feed": _l("Calendar link"),
    "improvement_action": _l("Improvement action"),
    "management_review": _l("Management review"),
    "quality_note": _l("Quality note"),
    "quality_summary": _l("Monthly quality summary"),
    "data_subject_request": _l("Data-subject request"),
    "access_review": _l("Access review"),
    "access_review_line": _l("Access review line"),
    "manual_document": _l("Manual document"),
    "manual_version": _l("Manual version"),
    "manual_attachment": _l("Manual attachment"),
    "manual_review": _l("Manual review"),
    "manual_ack": _l("Manual acknowledgement"),
    "manual_agreement": _l("Confidentiality agreement"),
    "training_session": _l("Training session"),
    "training_attendee": _l("Training attendee"),
    "manual_feedback": _l("Feedback on the manual"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value, limit) -> str:
    return _CONTROL.sub(" ", str(value or ""))[:limit]


def _request_facts() -> dict:
    if not has_request_context():
        return {"ip": "", "user_agent": "", "request_id": ""}
    return {
        "ip": request.remote_addr or "",
        "user_agent": _clean(request.user_agent.string, 255),
        "request_id": getattr(g, "request_id", ""),
    }


def _actor(actor):
    if actor is not None:
        return actor
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record(action: str, obj=None, *, actor=None, object_type: str = "", object_id="", fields=(), detail: str = ""):
    """Append one audit row. Call inside the transaction of the change it describes."""
    actor = _actor(actor)
    if obj is not None:
        object_type = object_type or type(obj)._meta.table_name
        object_id = object_id or obj.id
    with transaction():
        if not is_sqlite():
            # Serialise writers so the chain has one order (SQLite's IMMEDIATE transactions already do).
            db.execute_sql("SELECT pg_advisory_xact_lock(7351)")
        last = AuditEvent.last()
        event = AuditEvent(
            at=utcnow(),
            actor=actor,
            actor_roles=",".join(actor.role_names) if actor is not None else "",
            action=_clean(action, 64),
            object_type=_clean(object_type, 40),
            object_id=_clean(object_id, 40),
            fields=_clean(",".join(sorted(fields)), 400),
            detail=_clean(detail, 2000),
            prev_hash=last.hash if last else "",
            **_request_facts(),
        )
        event.hash = crypto.audit_mac(event.canonical())
        event.save()
        if action == "sensitive_read" and obj is not None:
            _note_subject(event, obj)
    log_security_event(action, actor=actor, object_type=object_type, object_id=object_id)
    return event


def _note_subject(event, obj) -> None:
    """Whose data a read touched (the client, and the case when there is one), beside the row: "Quién consultó"
    reads it by client or case (models.audit.AuditSubject). A document item names its case only; its client
    comes from the case (one query, on a read that is rare)."""
    table = type(obj)._meta.table_name
    if table == "client":
        client_id, case_id = obj.id, None
    elif table == "legal_case":
        client_id, case_id = obj.client_id, obj.id
    else:
        client_id, case_id = getattr(obj, "client_id", None), getattr(obj, "case_id", None)
        if case_id and not client_id:
            client_id = obj.case.client_id
    if client_id or case_id:
        AuditSubject.create(event=event, actor_id=event.actor_id, client_id=client_id, case_id=case_id)


def note_subjects(event, query, client_column) -> None:
    """The clients an export included (``query``'s rows, whose client id is ``client_column``), each as a subject
    of ``event``: one INSERT … SELECT, inside the export's transaction."""
    from peewee import Value

    AuditSubject.insert_from(
        query.select(Value(event.at), Value(event.at), Value(event.id), Value(event.actor_id), client_column)
        .order_by().limit(None),
        fields=[AuditSubject.created_at, AuditSubject.updated_at, AuditSubject.event, AuditSubject.actor_id,
                AuditSubject.client_id]).execute()


def log_security_event(event: str, actor=None, **extra) -> None:
    """One JSON line per event; json.dumps escapes CR/LF and control characters (SECURITY.md L3)."""
    payload = {"event": event, "actor": getattr(actor, "id", None), **_request_facts(), **extra}
    security_log.info(json.dumps(payload, ensure_ascii=True, default=str))


def verify_chain() -> int | None:
    """Return the id of the first row whose hash does not match, or None when the chain is intact."""
    prev = ""
    for event in AuditEvent.select().order_by(AuditEvent.id).iterator():
        if event.prev_hash != prev or event.hash != crypto.audit_mac(event.canonical()):
            return event.id
        prev = event.hash
    return None
