"""Legal deadlines per case, the holiday calendar (admin) and each person's calendar feed (ICS)."""

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from blueprints.documents.deadline_forms import (
    DeadlineForm,
    DeadlineStatusForm,
    HolidayForm,
    HolidayLoadForm,
)
from core.db import utcnow
from core.forms import ActionForm
from core.guard import can, public, require
from core.htmx import render, wants_partial
from core.i18n import to_local, today_local
from core.limits import limiter
from core.web import get_or_404, me, or_404, status_for
from models.cases import Case, team_choices
from models.documents import REGIONS, Deadline, Holiday
from models.users import User
from services.cases import check_team, header
from services.documents import calendar, labels
from services.documents import deadlines as service
from services.home import work

from . import bp

FEED_LIMIT = "60 per hour"


@bp.context_processor
def _deadline_helpers():
    return {"day_label": service.day_label}


# ----- deadlines of a case -----

def _form(case, fresh: bool = False) -> DeadlineForm:
    """The add form: from the request, or blank with its defaults (``fresh``, after a change)."""
    form = DeadlineForm(formdata=None) if fresh else DeadlineForm()
    if fresh or request.method == "GET":
        form.responsible.data = case.responsible_id or me().id
    chosen = form.responsible.data if isinstance(form.responsible.data, int) else None
    form.offer_responsible(team_choices(case=case, also=(me().id, chosen)))
    return form


def _tab(case, form, status=200):
    today = today_local()
    rows = list(Deadline.of_case(case))
    dues = {d.id: to_local(d.due_at).date() for d in rows}
    span = calendar.Span.load(calendar.firm_region(), min([today, *dues.values()]), max([today, *dues.values()]))
    left = {d.id: span.business_days_between(today, dues[d.id]) for d in rows if d.status == "open"}
    known = Holiday.years_known(calendar.firm_region())
    missing = [y for y in sorted({today.year, *(d.year for d in dues.values())}) if y not in known]
    context = header(case, me())
    return render("documents/deadlines.html", "documents/_deadlines.html", status=status, form=form, rows=rows,
                  dues=dues, left=left, today=today, now=utcnow(), missing_years=missing,
                  can_edit=context["on_team"] and case.status != "closed", **context)


@bp.get("/casos/<int:case_id>/plazos")
@require("cases.view")
def deadlines(case_id):
    case = or_404(Case.for_page(case_id))
    return _tab(case, _form(case))


@bp.post("/casos/<int:case_id>/plazos")
@require("deadlines.manage")
def add_deadline(case_id):
    case = or_404(Case.for_page(case_id))
    if not check_team(case, me(), "deadlines"):
        abort(404)
    form = _form(case)
    if case.status == "closed":
        flash(_("The case is closed: it takes no new deadlines."), "error")
        return _tab(case, form, 422)
    usable = form.resolve(to_local(utcnow()), calendar.firm_region())
    if form.compute.data:  # "compute the date": show it back, store nothing
        form.description.errors = []
        return _tab(case, form, status_for(form))
    if usable:
        try:
            deadline = service.add_deadline(case, form.deadline_data(User.get_by_id(form.responsible.data)), me())
        except service.DeadlineError as exc:
            form.description.errors = [str(exc)]
        else:
            flash(_("Deadline added: due %(day)s.", day=format_date(form.due_on.data, "long")), "success")
            if wants_partial():
                return _tab(case, _form(case, fresh=True))
            return redirect(url_for("documents.deadlines", case_id=case.id, _anchor=f"deadline-{deadline.id}"), 303)
    return _tab(case, form, 422)


@bp.post("/plazos/<int:deadline_id>/estado")
@require("deadlines.manage")
def deadline_status(deadline_id):
    deadline = get_or_404(Deadline, Deadline.id == deadline_id)
    case = or_404(Case.for_page(deadline.case_id))
    # its responsible may always mark it, even off the team
    if deadline.responsible_id != me().id and not check_team(case, me(), "deadlines"):
        abort(404)
    deadline.case = case
    form = DeadlineStatusForm()
    if form.validate_on_submit():
        try:
            service.set_status(deadline, form.status.data, me())
        except service.DeadlineError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Deadline “%(what)s”: %(status)s.", what=deadline.description,
                    status=labels.DEADLINE_STATES[deadline.status]), "success")
    if wants_partial():
        return _tab(case, _form(case, fresh=True))
    return redirect(url_for("documents.deadlines", case_id=case.id), 303)


# ----- holidays (admin) -----

def _holidays_page(add=None, load=None, status=200, region=None, year=None):
    region = region if region in REGIONS else request.args.get("region", calendar.firm_region())
    region = region if region in REGIONS else calendar.firm_region()
    year = year or request.args.get("anio", type=int) or today_local().year
    year = min(max(year, 2000), 2100)
    add = add or HolidayForm(formdata=None, region=region)
    load = load or HolidayLoadForm(formdata=None, region=region, year=year)
    return render("documents/holidays.html", status=status, region=region, year=year, add=add, load=load,
                  rows=list(Holiday.of_year(region, year)), years=sorted(Holiday.years_known(region)),
                  action=ActionForm(), regions=labels.REGIONS)


@bp.get("/festivos")
@require("catalog.manage")
def holidays():
    return _holidays_page()


@bp.post("/festivos")
@require("catalog.manage")
def holiday_add():
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            service.add_holiday(form.region.data, form.day.data, form.name.data.strip(), me())
        except service.DeadlineError as exc:
            form.day.errors.append(str(exc))
        else:
            flash(_("Holiday added: %(day)s.", day=format_date(form.day.data, "long")), "success")
            return redirect(url_for("documents.holidays", region=form.region.data, anio=form.day.data.year), 303)
    return _holidays_page(add=form, status=422, region=form.region.data,
                          year=form.day.data.year if form.day.data else None)


@bp.post("/festivos/<int:holiday_id>/eliminar")
@require("catalog.manage")
def holiday_delete(holiday_id):
    holiday = get_or_404(Holiday, Holiday.id == holiday_id)
    if ActionForm().validate_on_submit():
        service.delete_holiday(holiday, me())
        flash(_("Holiday removed: %(name)s.", name=holiday.name), "success")
    return redirect(url_for("documents.holidays", region=holiday.region, anio=holiday.day.year), 303)


@bp.post("/festivos/cargar")
@require("catalog.manage")
def holidays_load():
    form = HolidayLoadForm()
    if not form.validate_on_submit():
        return _holidays_page(load=form, status=422, region=form.region.data)
    added = service.load_holidays(form.region.data, form.year.data, me())
    flash(ngettext("%(num)d holiday added for %(year)s.", "%(num)d holidays added for %(year)s.", added,
                   year=form.year.data) if added else _("The holidays of %(year)s were already loaded.", year=form.year.data),
          "success")
    return redirect(url_for("documents.holidays", region=form.region.data, anio=form.year.data), 303)


# ----- calendar feed -----

@bp.get("/calendario/<token>.ics")
@public  # calendar apps cannot sign in: the 256-bit token is the credential (docs/decisions.md)
@limiter.limit(FEED_LIMIT)
def feed(token):
    row = service.feed_for_token(token)
    if row is None or not can("work.view", row.user):  # roles removed: the link stops at once (A5)
        abort(404)
    service.touch_feed(row)
    response = make_response(calendar.feed_ics(row.user, utcnow()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="traza.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _calendar_card(feed_url=None):
    context = work.page_context(me(), today_local(), feed_url=feed_url, with_queue=not wants_partial())
    return render("home/work.html", "home/_work_calendar.html", **context)


@bp.post("/calendario")
@require("work.view")
def feed_create():
    if not ActionForm().validate_on_submit():
        abort(400)
    token = service.create_feed(me())
    flash(_("Your calendar link is ready. Copy it now: it is shown only once."), "success")
    # Rendered here, not after a redirect: only the token's hash is kept, so the link cannot be shown later.
    return _calendar_card(current_app.config["BASE_URL"] + url_for("documents.feed", token=token))


@bp.post("/calendario/revocar")
@require("work.view")
def feed_revoke():
    if ActionForm().validate_on_submit() and service.revoke_feed(me()):
        flash(_("Calendar link revoked: it no longer works."), "success")
    if wants_partial():
        return _calendar_card()
    return redirect(url_for("home.work"), 303)

