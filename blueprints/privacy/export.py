"""The access export of a client (PR4): generated from an access request ("Generar exportación", kept as the
request's evidence) or from the client's page (management and quality). Either way it is a download of the zip and
an audited confidential read."""

from flask import abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _

from core.guard import can, require
from core.web import me, or_404
from models.clients import Client
from models.privacy import DataSubjectRequest
from services.privacy import export as service

from . import bp


def _zip(body: bytes, name: str):
    response = make_response(body)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/privacidad/peticiones/<int:dsr_id>/exportacion")
@require("privacy.requests")
def request_export(dsr_id):
    dsr = or_404(DataSubjectRequest.for_page(dsr_id))
    if not dsr.is_query or not dsr.client_id or (dsr.client.blocked_on and not can("privacy.legal_claims")):
        abort(404)
    if not dsr.is_open:  # its evidence is settled with its answer
        flash(_("This request is closed: it can no longer change."), "error")
        return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    if dsr.identity_method == "pending":
        flash(_("Check the requester's identity before generating the export."), "error")
        return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    body, _kept = service.generate(dsr.client, me(), request=dsr)
    return _zip(body, f"exportacion-{dsr.code}.zip")


@bp.post("/clientes/<int:client_id>/exportacion-datos")
@require("privacy.reads")  # management and quality (PR4)
def client_export(client_id):
    client = or_404(Client.for_page(client_id))  # a blocked client is out of reach (LOPDGDD art. 32)
    body, _kept = service.generate(client, me())
    return _zip(body, f"exportacion-cliente-{client.id:05d}.zip")
