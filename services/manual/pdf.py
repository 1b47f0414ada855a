"""A published version of the manual on paper (issue 17): PRO 008's header block on every page (the firm, the
code and title, "Crea", "Aprueba", "Ver.", "Fecha", "Página x de y"), its contents, the sections numbered 1–8 as the
firm numbers them, the version history as §9 and the templates and forms attached, listed by title.

Only a version that came into force prints: published, or superseded and withdrawn with that said on every page. A
draft (or a version in review or approved, not yet in force) does not: a paper copy of a text that may still change
would circulate as if it were the procedure (PRO 008 §8, "Control de la Información Documentada"); its readers have
the page, which says what state it is in.

The same version prints the same document every time: nothing on it depends on the day it is printed or on who
prints it, and the PDF carries no creation time."""

from core import pdf
from models.manual import READABLE_STATES, SECTIONS, ManualAttachment, ManualDocument, ManualVersion
from services.manual import labels
from services.manual.markdown import render as markdown

TEMPLATE = "manual/version_pdf.html"


def printable(version: ManualVersion) -> bool:
    return version.state in READABLE_STATES


def context(document: ManualDocument, version: ManualVersion) -> dict:
    """What the paper shows: the version with its author and approver, the history of the versions that came into
    force (oldest first, as §9 lists them) and the attachments' titles (two queries)."""
    versions = list(ManualVersion.of_document(document.id, everything=False))
    version = next((v for v in versions if v.id == version.id), version)
    version.document = document
    history = sorted((v for v in versions if v.published_on), key=lambda v: v.number)
    attachments = [a.title for a in ManualAttachment.select(ManualAttachment.title)
                   .where(ManualAttachment.version == version.id).order_by(ManualAttachment.id)]
    created = document.created_label or (version.author.display_name if version.author_id else "")
    approved = version.approver_title or document.approved_label or ""
    return {"document": document, "version": version, "history": history, "attachments": attachments,
            "created": created, "approved": approved, "manual_labels": labels,
            "manual_sections": SECTIONS, "markdown": markdown}


def render(document: ManualDocument, version: ManualVersion) -> bytes:
    return pdf.render(TEMPLATE, extra_css=(f".mv-page::after {{ content: {pdf.page_counter()}; }}",),
                      **context(document, version))


def filename(document: ManualDocument, version: ManualVersion) -> str:
    """``pro-008-v000.pdf``: the code in lower case, letters, digits and hyphens only."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in document.code.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part) or "documento"
    return f"{slug}-v{version.label}.pdf"
