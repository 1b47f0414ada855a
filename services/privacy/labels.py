"""The privacy domain's words: kinds of data-subject request, channels, states, how identity was checked."""

from core.i18n import lazy_gettext as _l

DSR_KINDS = {
    "query": _l("Query or access"),
    "rectification": _l("Update and rectification"),
    "erasure": _l("Erasure"),
    "revocation": _l("Revocation of the authorization"),
    "objection": _l("Objection"),
}
DSR_CHANNELS = {
    "email": _l("Email"),
    "phone": _l("Phone"),
    "in_person": _l("In person"),
    "letter": _l("Letter"),
    "web_form": _l("Web form"),
}
DSR_STATES = {
    "received": _l("Received"),
    "in_progress": _l("In progress"),
    "answered": _l("Answered"),
    "rejected": _l("Rejected"),
}
DSR_BADGES = {"received": "info", "in_progress": "warn", "answered": "ok", "rejected": "muted"}
IDENTITY_METHODS = {
    "pending": _l("Not checked yet"),
    "verification": _l("The client's identity verification items"),
    "document": _l("Identity document shown"),
    "registered_contact": _l("From the contact details on record"),
    "representative": _l("Representative with a power of attorney"),
}
JURISDICTIONS = {
    "CO": _l("Colombia (Ley 1581 de 2012)"),
    "ES": _l("Spain (GDPR and LOPDGDD)"),
}

# ----- the access export's PDF (services/privacy/export.py): sections and fields as the data subject reads them -----

EXPORT_SECTIONS = {
    "client": _l("Your details"),
    "client_status_changes": _l("Changes in your relationship with the firm"),
    "consents": _l("Your consents and the privacy notice you accepted"),
    "verification_checks": _l("Identity verification"),
    "intake_evaluations": _l("Initial evaluation"),
    "conflict_checks": _l("Conflict-of-interest checks"),
    "parties": _l("Parties related to you or your cases"),
    "quotations": _l("Quotations"),
    "quotation_lines": _l("Quotation lines"),
    "contracts": _l("Contracts"), "renewal_decisions": _l("Renewal decisions"),
    "newsletter_deliveries": _l("Newsletters sent to you"),
    "benefit_grants": _l("Loyalty benefits"), "referral_thanks": _l("Thanks for your referrals"),
    "cases": _l("Your cases"),
    "case_members": _l("Team working on your cases"),
    "case_status_changes": _l("Changes of state of your cases"),
    "interventions": _l("Interventions"),
    "evidence_items": _l("Evidence"),
    "final_deliveries": _l("Final deliveries"),
    "deadlines": _l("Deadlines"),
    "document_items": _l("Document checklist"),
    "document_versions": _l("Documents received"),
    "interactions": _l("Communications with you"),
    "meetings": _l("Meetings"),
    "tasks": _l("Follow-up tasks"),
    "survey_invitations": _l("Satisfaction survey invitations"),
    "survey_responses": _l("Your survey answers"),
    "survey_answers": _l("Your answers, question by question"),
    "complaints": _l("Complaints and requests"),
    "complaint_status_changes": _l("Progress of your complaints"),
    "crisis_incidents": _l("Incidents"),
    "crisis_steps": _l("Steps taken in the incidents"),
    "data_subject_requests": _l("Your requests about your personal data"),
}

# Derived figures and internal reminders the JSON carries but the PDF does not repeat (nor the links between the
# rows: the PDF shows each record whole).
EXPORT_PDF_SKIP = frozenset({
    "id", "ratings_count", "ratings_sum", "ratings_high", "min_rating", "has_comment", "low_score", "alert_sent",
    "alert_level", "escalate_from", "next_update_days", "is_current", "month", "survey_response", "position",
    "follow_up_task", "notice_sha256", "c_response_times", "c_communication",
    "c_courtesy", "c_commitments", "c_accessibility", "c_facilities", "c_overall",
})

EXPORT_FIELDS = {
    "created_at": _l("Recorded on"), "kind": _l("Kind"), "name": _l("Name"), "document_type": _l("Document type"),
    "document_number": _l("Document number"), "email": _l("Email"), "phone": _l("Phone"),
    "phone_alt": _l("Other phone"), "address": _l("Address"), "city": _l("City"), "country": _l("Country"),
    "preferred_channel": _l("Preferred channel"), "source": _l("How you reached us"),
    "practice_area": _l("Practice area"), "responsible": _l("Responsible"), "customer_type": _l("Service profile"),
    "need": _l("Need"), "special_requirements": _l("Special requirements"), "sensitive_data": _l("Sensitive data"),
    "status": _l("Status"), "last_update_at": _l("Last update sent"), "created_by": _l("Recorded by"),
    "from_status": _l("From"), "to_status": _l("To"), "reason": _l("Reason"), "by": _l("By"),
    "purpose": _l("Purpose"), "granted": _l("Granted"), "method": _l("How it was given"), "given_on": _l("Date"),
    "notice": _l("Privacy notice"), "collected_by": _l("Collected by"), "notes": _l("Notes"),
    "evidence": _l("Evidence file"), "item": _l("Item checked"), "state": _l("State"), "checked_by": _l("Checked by"),
    "checked_at": _l("Checked on"), "file": _l("File"), "specialty_fit": _l("Within our specialty"),
    "viability_notes": _l("Viability"), "consultation_at": _l("Consultation"),
    "consultation_mode": _l("Consultation mode"), "attendees": _l("Attendees"),
    "consultation_notes": _l("Consultation notes"), "expectations": _l("Expectations"),
    "updated_by": _l("Updated by"), "terms": _l("Terms searched"), "decision": _l("Decision"),
    "decided_by": _l("Decided by"), "decided_at": _l("Decided on"), "relation": _l("Relation"),
    "number": _l("Number"), "version": _l("Version"), "currency": _l("Currency"), "valid_until": _l("Valid until"),
    "sent_at": _l("Sent on"), "decision_reason": _l("Reason for the decision"), "service": _l("Service"),
    "quantity": _l("Quantity"), "unit_price": _l("Unit price"), "tax_rate": _l("Tax rate"),
    "conditions": _l("Conditions"), "frequency": _l("Frequency"), "duration_months": _l("Duration (months)"),
    "start_date": _l("Start date"), "end_date": _l("End date"), "firm_duties": _l("The firm's duties"),
    "client_duties": _l("Your duties"), "signed_on": _l("Signed on"), "signer": _l("Signed by"),
    "signed_copy": _l("Signed copy"), "title": _l("Title"), "opened_on": _l("Opened on"),
    "description": _l("Description"), "legal_analysis": _l("Legal analysis"), "strategy": _l("Strategy"),
    "budget_amount": _l("Budget"), "budget_notes": _l("Budget notes"), "budget_told_on": _l("Budget told on"),
    "budget_told_how": _l("Budget told by"), "resolution_summary": _l("Resolution"),
    "explained_on": _l("Explained on"), "explained_how": _l("Explained by"),
    "client_understood": _l("You understood the resolution"), "resolved_at": _l("Resolved on"),
    "closed_at": _l("Closed on"), "closed_by": _l("Closed by"), "survey_due_on": _l("Survey due on"),
    "closing_reason": _l("Closing reason"), "closed_open_items": _l("Items open at closing"),
    "survey_sent_at": _l("Survey sent on"), "user": _l("Person"), "added_by": _l("Added by"),
    "starts_at": _l("Starts"), "duration_minutes": _l("Duration (minutes)"), "place": _l("Place"),
    "assigned": _l("Assigned to"), "done_at": _l("Done on"), "work_done": _l("Work done"),
    "treatment_type": _l("Treatment"), "resources_used": _l("Resources used"),
    "recommendations": _l("Recommendations"), "collected_on": _l("Collected on"),
    "delivered_on": _l("Delivered on"), "delivered_how": _l("Delivered by"), "due_at": _l("Due"),
    "alert_days": _l("Alert days before"), "done_by": _l("Done by"), "note": _l("Note"),
    "required": _l("Required"), "confidential": _l("Confidential"), "due_on": _l("Due on"),
    "review_on": _l("Review on"), "reviewed_by": _l("Reviewed by"), "reviewed_at": _l("Reviewed on"),
    "uploaded_by": _l("Uploaded by"), "occurred_at": _l("When"), "channel": _l("Channel"),
    "direction": _l("Direction"), "summary": _l("Summary"), "answered_at": _l("Answered on"),
    "answered_by": _l("Answered by"), "next_update_at": _l("Next update"), "location": _l("Location"),
    "agenda": _l("Agenda"), "recording": _l("Recording"), "recording_consent": _l("Recording consent"),
    "invitation_sent_at": _l("Invitation sent on"), "organiser": _l("Organiser"), "owner": _l("Owner"),
    "send_on": _l("To be sent on"), "opened_at": _l("Opened on"), "expires_at": _l("Expires on"),
    "withdrawn_at": _l("Withdrawn on"), "opted_out_on": _l("Opted out on"), "anonymous": _l("Anonymous"),
    "answered_on": _l("Answered on"), "nps": _l("Recommendation (0–10)"), "question": _l("Question"),
    "criterion": _l("Criterion"), "score": _l("Score"), "value": _l("Answer"),
    "walk_in_name": _l("Name given"), "walk_in_contact": _l("Contact given"), "category": _l("Category"),
    "severity": _l("Severity"), "received_at": _l("Received on"), "response_due_at": _l("Response due"),
    "first_response_at": _l("First response"), "root_cause": _l("Root cause"),
    "actions_taken": _l("Actions taken"), "informed_at": _l("You were informed on"),
    "informed_channel": _l("Informed by"), "client_agreement": _l("Your agreement"), "reopened": _l("Reopened"),
    "changed_by": _l("Changed by"), "opened_by": _l("Opened by"), "behaviour": _l("What happened"),
    "actions": _l("Actions"), "solution": _l("Solution offered"), "security_called": _l("Security called"),
    "supervisor": _l("Supervisor"), "escalated_at": _l("Escalated on"), "supervisor_note": _l("Supervisor's note"),
    "supervisor_at": _l("Supervisor on"), "outcome": _l("Outcome"), "step": _l("Step"),
    "received_on": _l("Received on"), "jurisdiction": _l("Jurisdiction"), "message": _l("Your request"),
    "identity_method": _l("How your identity was checked"), "identity_notes": _l("Identity notes"),
    "assignee": _l("Handled by"), "extended_due_on": _l("Extended deadline"),
    "extension_reason": _l("Reason for the extension"), "answer": _l("Answer"),
    "evidence_note": _l("Evidence note"),
}

TASK_KINDS = {  # models.tasks.KINDS, as the export names a follow-up task to the data subject
    "follow_up": _l("Follow-up"),
    "post_case": _l("Follow-up after the case"),
    "crisis": _l("Follow-up after an incident"),
    "complaint": _l("Follow-up of a complaint"),
    "other": _l("Other"),
}

# ----- erasure, blocking and retention (services/privacy/erasure.py) -----

HOLDS = {
    "open_case": _l("Case still open"),
    "open_complaint": _l("Complaint still open"),
    "contract_in_force": _l("Contract in force"),
    "contract_retention": _l("Contract within its statutory retention period"),
}
ERASURE_MODES = {"erased": _l("Erased"), "blocked": _l("Blocked")}
RETENTION_CATEGORIES = {
    "former_client": _l("Former client"),
    "rejected_prospect": _l("Rejected prospect"),
    "blocking_ended": _l("Blocking period ended"),
    "contract": _l("Contracts (statutory retention)"),
    "blocking": _l("Blocking (limitation of legal claims)"),
}
RETENTION_STATES = {"pending": _l("Pending"), "done": _l("Erased"), "dismissed": _l("Set aside")}
