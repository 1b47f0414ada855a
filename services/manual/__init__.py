"""The procedures manual (issue 17): controlled documents and their versions (PRO 008 §8–§9).

A version goes draft → in review → approved (by management only) → published, and then superseded by the next
one published, or withdrawn. Each carries its change summary ("Asiento" in PRO 008 §9) and the justification of the
change ("Documentar cambios y justificaciones para futuras referencias"), its author, its approver and the dates.
One version at a time is open (draft, in review or approved) per document; a new draft starts from the version in
force. From approval on the text never changes: this module refuses it (``ManualConflict``, answered 409) and the
database's triggers refuse it below (migration 0023). Every write carries its audit row in the same transaction."""

from flask_babel import gettext as _

from core import audit, files
from core.db import transaction, utcnow
from core.guard import permissions_of
from core.i18n import today_local
from models.manual import (
    DOCUMENT_KINDS,
    OPEN_STATES,
    SECTIONS,
    ManualAttachment,
    ManualDocument,
    ManualVersion,
)
from models.users import User
from services.manual import follow, labels

MAX_SECTION = 20000
MAX_TEXT = 4000
REQUIRED_TO_SUBMIT = ("objective", "procedure")


class ManualError(ValueError):
    """Input the manual cannot take; ``field`` names the form field the message belongs beside (422)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class ManualConflict(ManualError):
    """A step the version's state does not allow (409): it is no longer a draft, it was already approved…"""


def sees_drafts(user) -> bool:
    """Quality drafts and management approves: both read every version; the rest of the staff the published ones."""
    granted = permissions_of(user.role_names)
    return "manual.draft" in granted or "manual.approve" in granted


def owner_choices(among):
    """The active staff of ``among`` (ids; anything else is ignored), by name: (id, name) tuples (one query). The
    document owner's picker offers these (the one writing, the owner so far, the one sent); anyone else of the
    staff is found by name under it (``/casos/personal?quienes=personal``): 2,000 names were too many to send."""
    wanted = {i for i in among if isinstance(i, int) and 0 < i < 2**31}
    return (User.select(User.id, User.name).where(User.id.in_(wanted or [0]), User.is_active == True)  # noqa: E712
            .order_by(User.name).tuples())


def _clean_sections(data: dict) -> dict:
    sections = {}
    for name in SECTIONS:
        text = (data.get(name) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            raise ManualError(_("This section is too long (%(max)s characters at most).", max=MAX_SECTION), name)
        sections[name] = text
    return sections


def _clean_change(data: dict) -> tuple[str, str]:
    summary = (data.get("change_summary") or "").strip()
    justification = (data.get("justification") or "").strip()
    if not summary:
        raise ManualError(_("Say in a line what this version changes."), "change_summary")
    if len(summary) > 300:
        raise ManualError(_("The change summary is one line (300 characters at most)."), "change_summary")
    if not justification:
        raise ManualError(_("Explain why the document changes."), "justification")
    if len(justification) > MAX_TEXT:
        raise ManualError(_("The justification is too long (%(max)s characters at most).", max=MAX_TEXT),
                          "justification")
    return summary, justification


def _clean_document(data: dict) -> dict:
    code = " ".join((data.get("code") or "").upper().split())
    title = " ".join((data.get("title") or "").split())
    if not code:
        raise ManualError(_("Give the document's code, as the firm writes it (PRO 008)."), "code")
    if len(code) > 20:
        raise ManualError(_("The code is 20 characters at most."), "code")
    if not title:
        raise ManualError(_("Give the document's title."), "title")
    if data.get("kind") not in DOCUMENT_KINDS:
        raise ManualError(_("Choose a kind of document from the list."), "kind")
    owner = data.get("owner") or None
    if owner and not User.select().where(User.id == owner, User.is_active == True).exists():  # noqa: E712
        raise ManualError(_("Choose an active member of staff."), "owner")
    return {"code": code, "title": title[:200], "kind": data["kind"], "owner": owner,
            "created_label": (data.get("created_label") or "").strip()[:60],
            "approved_label": (data.get("approved_label") or "").strip()[:60]}


def _sync(document: ManualDocument, latest: ManualVersion) -> None:
    document.latest_number, document.latest_state = latest.number, latest.state
    document.save()


def _latest(document: ManualDocument) -> ManualVersion:
    return ManualVersion.select().where(ManualVersion.document == document).order_by(ManualVersion.number.desc()).get()


# ----- documents -----

def create_document(data: dict, user) -> ManualDocument:
    """A new controlled document and its first draft (version 000, "Original")."""
    fields = _clean_document(data)
    sections = _clean_sections(data)
    summary, justification = _clean_change({"change_summary": data.get("change_summary") or _("Original"),
                                            "justification": data.get("justification")})
    if ManualDocument.select().where(ManualDocument.code == fields["code"]).exists():
        raise ManualError(_("Another document already has this code."), "code")
    with transaction():
        document = ManualDocument.create(**fields, created_by=user)
        version = ManualVersion.create(document=document, number=0, state="draft", author=user,
                                       change_summary=summary, justification=justification, **sections)
        _sync(document, version)
        audit.record("manual_document_create", document, actor=user,
                     fields=["code", "title", "kind", "owner", "created_label", "approved_label"],
                     detail=f"code={document.code}")
        audit.record("manual_version_create", version, actor=user, fields=["number", *SECTIONS],
                     detail=f"document={document.id} number={version.label}")
    return document


def update_document(document: ManualDocument, data: dict, user) -> list[str]:
    """The document's own fields (not its text, which lives in versions). Returns the fields changed."""
    fields = _clean_document(data)
    if fields["code"] != document.code and ManualDocument.select().where(
            ManualDocument.code == fields["code"], ManualDocument.id != document.id).exists():
        raise ManualError(_("Another document already has this code."), "code")
    old = {"code": document.code, "title": document.title, "kind": document.kind, "owner": document.owner_id,
           "created_label": document.created_label, "approved_label": document.approved_label}
    changed = [name for name in old if fields[name] != old[name]]
    if changed:
        with transaction():
            for name in changed:
                setattr(document, name, fields[name])
            document.save()
            audit.record("manual_document_update", document, actor=user, fields=changed,
                         detail=f"code={document.code}")
    return changed


# ----- versions -----

def new_version(document: ManualDocument, user) -> ManualVersion:
    """A draft of the next version, starting from the one in force (or the latest), with its attachments."""
    latest = _latest(document)
    if latest.state in OPEN_STATES:
        raise ManualConflict(_("Version %(number)s is still open (%(state)s): finish it first.",
                               number=latest.label, state=labels.VERSION_STATES[latest.state]))
    base = ManualVersion.get_by_id(document.current_id) if document.current_id else latest
    with transaction():
        version = ManualVersion.create(document=document, number=latest.number + 1, state="draft", author=user,
                                       **base.sections())
        for attachment in ManualAttachment.select().where(ManualAttachment.version == base):
            ManualAttachment.create(version=version, file=attachment.file_id, title=attachment.title)
        _sync(document, version)
        audit.record("manual_version_create", version, actor=user, fields=["number", *SECTIONS],
                     detail=f"document={document.id} number={version.label} from={base.label}")
    return version


def _require(version: ManualVersion, state: str, message: str) -> None:
    if version.state != state:
        raise ManualConflict(message)


def save_draft(version: ManualVersion, data: dict, user) -> list[str]:
    """The text, change summary and justification of a draft. Returns the fields changed."""
    _require(version, "draft", _("This version is no longer a draft: it can no longer change."))
    sections = _clean_sections(data)
    summary, justification = _clean_change(data)
    new = {**sections, "change_summary": summary, "justification": justification}
    changed = [name for name, value in new.items() if getattr(version, name) != value]
    if changed:
        with transaction():
            for name in changed:
                setattr(version, name, new[name])
            version.save()
            audit.record("manual_version_update", version, actor=user, fields=changed,
                         detail=f"document={version.document_id} number={version.label}")
    return changed


def submit(version: ManualVersion, user) -> None:
    """Draft → in review: management is asked to approve it."""
    _require(version, "draft", _("Only a draft can be sent for review."))
    for name in REQUIRED_TO_SUBMIT:
        if not getattr(version, name).strip():
            raise ManualError(_("Write this section before sending the version for review."), name)
    if not version.change_summary.strip() or not version.justification.strip():
        raise ManualError(_("Explain why the document changes."), "justification")
    with transaction():
        version.state, version.submitted_at = "in_review", utcnow()
        version.save()
        _sync(version.document, version)
        audit.record("manual_version_submit", version, actor=user, fields=["state"],
                     detail=f"document={version.document_id} number={version.label} draft→in_review")


def send_back(version: ManualVersion, note: str, user) -> None:
    """In review → draft, with management's reason."""
    note = (note or "").strip()
    _require(version, "in_review", _("Only a version in review can be sent back."))
    if not note:
        raise ManualError(_("Say what has to change before it can be approved."), "review_note")
    with transaction():
        version.state, version.review_note = "draft", note[:MAX_TEXT]
        version.save()
        _sync(version.document, version)
        audit.record("manual_version_return", version, actor=user, fields=["state", "review_note"],
                     detail=f"document={version.document_id} number={version.label} in_review→draft")


def approve(version: ManualVersion, user, at=None) -> None:
    """In review → approved, by management only; the text is frozen from here on. ``at`` for a document loaded
    with its past (the demo's PRO 008), otherwise now."""
    if "manual.approve" not in permissions_of(user.role_names):
        raise ManualConflict(_("Only management approves the manual's documents."))
    _require(version, "in_review", _("Only a version in review can be approved."))
    document = version.document
    with transaction():
        version.state, version.approver, version.approved_at = "approved", user, at or utcnow()
        version.approver_title = document.approved_label or user.display_name
        version.save()
        _sync(document, version)
        audit.record("manual_version_approve", version, actor=user, fields=["state", "approver", "approved_at"],
                     detail=f"document={document.id} number={version.label} in_review→approved")


def publish(version: ManualVersion, user, on=None) -> None:
    """Approved → published: it comes into force today (or ``on``, for a document loaded with its past) and the
    version it replaces is superseded."""
    _require(version, "approved", _("Only an approved version can be published."))
    document = version.document
    today = on or today_local()
    with transaction():
        previous = ManualVersion.get_or_none(ManualVersion.id == document.current_id) if document.current_id else None
        if previous is not None:
            previous.state, previous.ended_on = "superseded", today
            previous.end_reason = _("Replaced by version %(number)s.", number=version.label)
            previous.save()
        version.state, version.published_on, version.published_by = "published", today, user
        version.save()
        document.current = version
        _sync(document, version)
        audit.record("manual_version_publish", version, actor=user, fields=["state", "published_on"],
                     detail=f"document={document.id} number={version.label}"
                            + (f" supersedes={previous.label}" if previous is not None else ""))
        # The next review a period from today; the staff it concerns asked to read it (services/manual/follow.py).
        follow.after_publish(version, document, user, today)


def withdraw(version: ManualVersion, reason: str, user) -> None:
    """A published (or approved, not yet published) version is withdrawn, with the reason: the document is no
    longer in force. Management only."""
    reason = (reason or "").strip()
    if "manual.approve" not in permissions_of(user.role_names):
        raise ManualConflict(_("Only management withdraws the manual's documents."))
    if version.state not in ("published", "approved"):
        raise ManualConflict(_("Only a published or approved version can be withdrawn."))
    if not reason:
        raise ManualError(_("Say why the document is withdrawn."), "end_reason")
    document = version.document
    with transaction():
        version.state, version.ended_on, version.end_reason = "withdrawn", today_local(), reason[:MAX_TEXT]
        version.save()
        if document.current_id == version.id:
            document.current = None
        _sync(document, _latest(document))
        audit.record("manual_version_withdraw", version, actor=user, fields=["state", "end_reason"],
                     detail=f"document={document.id} number={version.label}")


# ----- attachments -----

def attach(version: ManualVersion, title: str, checked_upload, user) -> ManualAttachment:
    """A template or form attached to a draft (``checked_upload`` is what core.files.check returned)."""
    _require(version, "draft", _("Attachments change only while the version is a draft."))
    title = " ".join((title or "").split())[:200] or checked_upload[2]
    stored = None
    try:
        with transaction():
            stored = files.save(*checked_upload, purpose="manual", user=user)
            attachment = ManualAttachment.create(version=version, file=stored, title=title)
            audit.record("manual_attachment_add", attachment, actor=user, fields=["file", "title"],
                         detail=f"version={version.id}")
    except Exception:
        if stored is not None:
            files.discard(stored)
        raise
    return attachment


def detach(attachment: ManualAttachment, user) -> None:
    version = attachment.version
    _require(version, "draft", _("Attachments change only while the version is a draft."))
    with transaction():
        attachment.delete_instance()
        audit.record("manual_attachment_remove", attachment, actor=user, fields=["file"],
                     detail=f"version={version.id}")
