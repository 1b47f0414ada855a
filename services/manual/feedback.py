"""Feedback on the manual from the staff (issue 17 item 6): "Recoger feedback del personal sobre las políticas
actuales", "Incluir feedback de los empleados", gathered for the next review.

Any member of staff who reads a published document says what does not work, what they suggest and in which
section. The document's owner and quality (who drafts) or management (who approves) see it open on the document
and on the draft of the next version; once the draft takes it up they mark it considered in that version, or set it
aside, with a note. Every write carries its audit row in the same transaction."""

from flask_babel import gettext as _

from core import audit
from core.db import transaction, utcnow
from core.i18n import lazy_pgettext
from models.manual import OPEN_STATES, SECTIONS, ManualDocument, ManualVersion
from models.training import ManualFeedback
from services import manual as manual_service

# An item of feedback (un comentario): its own context, as "Open" and "Set aside" read otherwise on other pages.
STATES = {"open": lazy_pgettext("manual feedback", "Open"), "considered": lazy_pgettext("manual feedback", "Considered"),
          "set_aside": lazy_pgettext("manual feedback", "Set aside")}
STATE_BADGES = {"open": "warn", "considered": "ok", "set_aside": "muted"}
MAX_TEXT = 4000


class FeedbackError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def handles(document: ManualDocument, user) -> bool:
    """The owner of the document, and those who draft or approve the manual, read and settle its feedback."""
    return document.owner_id == user.id or manual_service.sees_drafts(user)


def send(document: ManualDocument, data: dict, user) -> ManualFeedback:
    if document.current_id is None:
        raise FeedbackError(_("Feedback is sent on a document in force."), "what")
    what = (data.get("what") or "").replace("\r\n", "\n").strip()
    suggestion = (data.get("suggestion") or "").replace("\r\n", "\n").strip()
    if not what:
        raise FeedbackError(_("Say what you noticed."), "what")
    if len(what) > MAX_TEXT or len(suggestion) > MAX_TEXT:
        raise FeedbackError(_("This text is too long (%(max)s characters at most).", max=MAX_TEXT),
                            "what" if len(what) > MAX_TEXT else "suggestion")
    section = data.get("section") or ""
    if section and section not in SECTIONS:
        raise FeedbackError(_("Choose a section of the document."), "section")
    with transaction():
        item = ManualFeedback.create(document=document, version=document.current_id, author=user, section=section,
                                     what=what, suggestion=suggestion)
        audit.record("manual_feedback", item, actor=user, fields=["what", "suggestion", "section"],
                     detail=f"document={document.id}")
    return item


def open_version(document: ManualDocument):
    """The version being prepared (draft, in review or approved), where feedback goes into; else None."""
    return (ManualVersion.select(ManualVersion.id, ManualVersion.number, ManualVersion.state)
            .where(ManualVersion.document == document.id, ManualVersion.state.in_(OPEN_STATES)).first())


def settle(item: ManualFeedback, decision: str, note: str, user) -> ManualFeedback:
    """Mark feedback considered in the version being prepared, or set aside; with a note."""
    if item.status != "open":
        raise FeedbackError(_("This feedback was already settled."), "decision")
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_TEXT:
        raise FeedbackError(_("This text is too long (%(max)s characters at most).", max=MAX_TEXT), "note")
    into = None
    if decision == "considered":
        into = open_version(item.document)
        if into is None:
            raise FeedbackError(_("Draft the next version first: feedback is considered in a version."), "decision")
    elif decision == "set_aside":
        if not note:
            raise FeedbackError(_("Say why it is set aside."), "note")
    else:
        raise FeedbackError(_("Choose what was done with it."), "decision")
    with transaction():
        updated = ManualFeedback.update(status=decision, considered_in=into.id if into else None, considered_note=note,
                                        considered_by=user, considered_at=utcnow(), updated_at=utcnow()).where(
            ManualFeedback.id == item.id, ManualFeedback.status == "open").execute()
        if not updated:
            raise FeedbackError(_("This feedback was already settled."), "decision")
        audit.record("manual_feedback_settle", item, actor=user, fields=["status", "considered_note"],
                     detail=f"document={item.document_id} decision={decision}"
                            + (f" version={into.number:03d}" if into else ""))
    return ManualFeedback.get_by_id(item.id)
