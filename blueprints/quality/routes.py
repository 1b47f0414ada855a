"""``/calidad``: the dashboard of management and quality (every indicator over the period, and what needs
attention), and one page per indicator with its formula, monthly trend and the rows behind it."""

from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core.charts import month_chart
from core.db import utcnow
from core.forms import staff_groups
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.web import me
from services.clients import labels as client_labels
from services.quality import indicators as service
from services.quality.attention import attention

from . import bp
from .forms import IndicatorFilterForm, TargetForm

MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside are ignored (the default period applies)
MAX_MONTHS = 60


def _filters():
    """The period and filters from the URL (default: the last 12 months, the firm's calendar)."""
    form = IndicatorFilterForm(formdata=request.args)
    areas, people = service.filter_choices()
    form.area.choices = [(0, _("All"))] + areas
    form.responsable.choices = [(0, _("Anyone"))] + people
    form.tipo.choices = [("", _("Both"))] + list(client_labels.KINDS.items())
    form.validate()
    for select, empty in ((form.area, 0), (form.responsable, 0), (form.tipo, "")):
        if select.data not in {value for value, _label in select.choices}:
            select.data = empty  # not offered (tampered or gone): filters nothing
    default = service.Period.last_months(today_local())
    start, end = form.desde.data or default.start, form.hasta.data or default.end
    if not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR) or start > end \
            or (end - start).days > MAX_MONTHS * 31:
        start, end = default.start, default.end
    form.desde.data, form.hasta.data = start, end
    period = service.Period(start, end)
    filters = service.Filters(area=form.area.data or None, responsible=form.responsable.data or None,
                              kind=form.tipo.data or "")
    params = {"desde": start.isoformat() if start != default.start else None,
              "hasta": end.isoformat() if end != default.end else None,
              "area": filters.area, "responsable": filters.responsible, "tipo": filters.kind or None}
    return form, period, filters, {k: v for k, v in params.items() if v}


@bp.get("/calidad")
@require("quality.view")
def dashboard():
    form, period, filters, params = _filters()
    indicators, targets = service.compute_all(period, filters), service.targets()
    return render("quality/dashboard.html", form=form, period=period, params=params, indicators=indicators,
                  targets=targets, states={i.key: service.state(i, targets.get(i.key)) for i in indicators},
                  attention=attention(utcnow(), today_local()))


@bp.get("/calidad/indicadores/<key>")
@require("quality.view")
def indicator(key, target_form=None, status=200):
    if key not in service.INDICATORS:
        abort(404)
    form, period, filters, params = _filters()
    ind = service.compute(key, period, filters)
    chart = month_chart(ind.points, ind.low, ind.high, ind.step) if ind.low is not None else month_chart(ind.points)
    target = service.targets().get(key)
    if target_form is None:
        target_form = _target_form(key, target)
    return render("quality/indicator.html", status=status, form=form, period=period, params=params, filters=filters,
                  ind=ind, chart=chart, target=target, state=service.state(ind, target), target_form=target_form)


def _target_form(key, current=None, formdata=None):
    form = TargetForm(formdata=formdata, data={"target": Decimal(f"{current.target:g}") if current else None,
                                               "owner": current.owner_id if current else 0})
    # The one writing, the owner so far and the one sent (found by the search under the picker): the id sent is
    # checked against everyone who may answer for a target, not against what the page listed.
    form.owner.choices = staff_groups([(0, _("Choose…")), *service.owner_choices(
        {me().id, current.owner_id if current else None, form.owner.data})])
    return form


@bp.post("/calidad/indicadores/<key>/meta")
@require("quality.targets")
def set_target(key):
    if key not in service.INDICATORS:
        abort(404)
    form = _target_form(key, service.targets().get(key), formdata=request.form)
    if form.validate():
        service.set_target(key, float(form.target.data), form.owner.data, me().id, today_local())
        flash(_("Target saved."), "success")
        return redirect(url_for("quality.indicator", key=key), 303)
    if not form.owner.errors and not form.target.errors:
        form.owner.errors = [_("Choose who answers for the target.")]
    return indicator(key, target_form=form, status=422)
