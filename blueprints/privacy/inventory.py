"""The inventory of databases (``/privacidad/inventario``, issue 19 item 7): the registers of personal data the firm
keeps, generated from the models, the permissions, the database and the settings; printable, and downloadable as a
spreadsheet for the registration in the RNBD. Management and quality (privacy.reads)."""

from flask import make_response

from core.guard import ROLES, require
from core.htmx import render
from core.i18n import today_local
from services.privacy import inventory as service

from . import bp


@bp.get("/privacidad/inventario")
@require("privacy.reads")
def inventory():
    return render("privacy/inventory.html", rows=service.inventory(), roles=ROLES,
                  unregistered=service.unregistered(), today=today_local(), treatment=service.TREATMENT,
                  security=service.SECURITY)


@bp.get("/privacidad/inventario.xlsx")
@require("privacy.reads")
def inventory_xlsx():
    response = make_response(service.to_xlsx(service.inventory()))
    response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="inventario-bases-de-datos-{today_local().isoformat()}.xlsx"')
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
