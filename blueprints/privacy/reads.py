"""Who viewed what: the "Quién consultó" tab of a client and of a case, and one person's confidential reads in a
period (the access review). Management and quality see every list; a client's or case's responsible sees their
own record's (anyone else: 404 with ``authz_fail``, as for a record out of scope, SECURITY.md A3)."""

from datetime import timedelta

from flask import abort, request

from core import audit
from core.db import transaction
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.pagination import keyset
from core.web import me, or_404
from models.cases import Case
from models.clients import Client
from models.users import User
from services import cases as case_service
from services import clients as client_service
from services.privacy import reads as service

from . import bp
from .forms import StaffReadsForm

MAX_ID = 2**63 - 1
DEFAULT_DAYS = 90  # the access review looks back a quarter unless told otherwise


def _guard(record, what: str) -> None:
    if not service.may_read(me(), record):
        with transaction():
            audit.record("authz_fail", record, detail=f"privacy reads: {what}")
        abort(404)


def _page(query, kind):
    page = keyset(query, service.id_field(kind), size=service.PAGE_SIZE)
    return page, service.rows(page.items)


@bp.get("/clientes/<int:client_id>/quien-consulto")
@require("clients.view")
def client_reads(client_id):
    client = or_404(Client.for_page(client_id))
    _guard(client, "client")
    page, rows = _page(service.of_client(client.id), "client")
    service.note_viewing(me(), client, before=page.before)
    return render("privacy/client_reads.html", "privacy/_client_reads.html", **client_service.header(client, me()),
                  page=page, rows=rows, endpoint="privacy.client_reads", params={"client_id": client.id})


@bp.get("/casos/<int:case_id>/quien-consulto")
@require("cases.view")
def case_reads(case_id):
    case = or_404(Case.for_page(case_id))
    _guard(case, "case")
    page, rows = _page(service.of_case(case.id), "case")
    service.note_viewing(me(), case, before=page.before)
    return render("privacy/case_reads.html", "privacy/_reads.html", **case_service.header(case, me()),
                  page=page, rows=rows, endpoint="privacy.case_reads", params={"case_id": case.id})


@bp.get("/privacidad/accesos")
@require("privacy.reads")
def staff_reads():
    form = StaffReadsForm(formdata=request.args)
    people = list(User.select(User.id, User.name).order_by(User.name).tuples())
    form.persona.choices = [(0, "—")] + people
    form.validate()
    today = today_local()
    until = form.hasta.data if form.hasta.data and not form.hasta.errors else today
    since = form.desde.data if form.desde.data and not form.desde.errors else until - timedelta(days=DEFAULT_DAYS)
    person_id = form.persona.data if isinstance(form.persona.data, int) and 0 < form.persona.data <= MAX_ID else 0
    person = User.get_or_none(User.id == person_id) if person_id else None
    page = rows = None
    if person is not None:
        page, rows = _page(service.of_person(person.id, since, until), "person")
        service.note_viewing(me(), object_type="app_user", object_id=person.id, before=page.before)
    params = {"persona": person.id, "desde": since.isoformat(), "hasta": until.isoformat()} if person else {}
    return render("privacy/staff_reads.html", "privacy/_reads.html", form=form, person=person, since=since,
                  until=until, page=page, rows=rows, endpoint="privacy.staff_reads", params=params)
