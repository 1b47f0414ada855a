"""Reports (issue 18 item 6): the traceability report of a client and of a case, as a page and as a PDF from the
same markup."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from blueprints.reports import routes  # noqa: E402,F401
