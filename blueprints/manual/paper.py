"""A version of the manual as a PDF (``/manual/<id>/versiones/<id>/pdf``): PRO 008's header block on every page.
Whoever may read the manual may print what came into force; a version not yet in force answers 409 on its page."""

from flask_babel import gettext as _

from core import pdf
from core.guard import require
from services.manual import pdf as paper

from . import bp
from .routes import _document, _page, _version


@bp.get("/manual/<int:document_id>/versiones/<int:version_id>/pdf")
@require("manual.read")
def version_pdf(document_id, version_id):
    document = _document(document_id)
    version = _version(document, version_id)
    if not paper.printable(version):
        return _page(document, version, status=409,
                     refused=_("Only a version that came into force is printed: this one is still being written or "
                               "approved."))
    return pdf.download(paper.render(document, version), paper.filename(document, version))
