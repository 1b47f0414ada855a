"""The satisfaction record ("Registro de Satisfacción", PRO-008 §5.4): the analysis, the responses and
the comments behind it, and its export. Every figure comes from ``services.surveys.results`` (a fixed number of
aggregate queries whatever the number of answers). Anonymous responses are never listed or exported one
by one, and their scores count only by groups of ``SURVEY_MIN_ANONYMOUS`` a month (the pages say why)."""

from flask import make_response, request
from flask_babel import gettext as _

from blueprints.surveys import bp
from blueprints.surveys.results_forms import ResultsFilterForm
from core import audit
from core.auth import fresh_required
from core.charts import month_chart
from core.db import transaction
from core.guard import require
from core.htmx import render
from core.i18n import lazy_gettext as _l
from core.limits import limiter
from core.pagination import paginate
from core.web import me, or_404
from models.complaints import Complaint
from models.surveys import CRITERIA, SurveyResponse
from services.clients import io as client_io
from services.surveys import labels
from services.surveys import results as survey_results
from services.surveys.results import Filters

# Column heads of the responses table (the full criterion is the abbreviation's title).
SHORT_CRITERIA = {"response_times": _l("Times"), "communication": _l("Commun."), "courtesy": _l("Courtesy"),
                  "commitments": _l("Commitm."), "accessibility": _l("Access"), "facilities": _l("Facilities"),
                  "overall": _l("Overall")}
TABS = {"surveys.results": "resumen", "surveys.results_responses": "respuestas", "surveys.results_comments": "comentarios"}

MIN_YEAR, MAX_YEAR = 1900, 2100  # filter dates outside are ignored (the default period applies)


def _filters():
    """The filters from the URL, the same for every tab and the exports (default: the last 12 months)."""
    form = ResultsFilterForm(formdata=request.args)
    areas, people, families = survey_results.filter_choices()
    form.area.choices = [(0, _("All"))] + [(a.id, a.name) for a in areas]
    form.responsable.choices = [(0, _("Anyone"))] + [(u.id, u.name) for u in people]
    form.encuesta.choices = [(0, _("All"))] + [(family, name) for family, name in families]
    form.validate()
    for select in (form.area, form.responsable, form.encuesta):
        if select.data not in {value for value, _label in select.choices}:
            select.data = 0  # an id that is not offered (tampered or gone) filters nothing
    for day in (form.desde, form.hasta):
        if day.data is not None and not MIN_YEAR <= day.data.year <= MAX_YEAR:
            day.data = None  # 9999-12-31 would overflow the month arithmetic; nobody asks for it
    default = Filters.default()
    filters = Filters(start=form.desde.data or default.start, end=form.hasta.data or default.end,
                      practice_area=form.area.data or None, responsible=form.responsable.data or None,
                      family=form.encuesta.data or None).clamp()
    form.desde.data, form.hasta.data = filters.start, filters.end
    return form, filters


def _params(filters: Filters) -> dict:
    """The filters for links (tabs, pages, exports); the default period stays out of the URL."""
    default = Filters.default()
    params = {"desde": filters.start.isoformat() if filters.start != default.start else None,
              "hasta": filters.end.isoformat() if filters.end != default.end else None,
              "area": filters.practice_area, "responsable": filters.responsible, "encuesta": filters.family}
    return {k: v for k, v in params.items() if v}


def _page(partial: str, form, filters, **ctx):
    return render("surveys/results.html", partial, form=form, params=_params(filters), tab=TABS[request.endpoint],
                  partial_template=partial, criteria_labels=labels.CRITERIA,
                  min_anonymous=survey_results.min_anonymous(),
                  filtered_by_person=bool(filters.practice_area or filters.responsible), **ctx)


@bp.get("/encuestas/resultados")
@require("surveys.results")
def results():
    form, filters = _filters()
    months = survey_results.trend(filters)
    return _page("surveys/_results_summary.html", form, filters,
                 summary=survey_results.total(months), invitations=survey_results.invitations(filters),
                 criteria=survey_results.criteria(filters), criterion_target=survey_results.CRITERION_TARGET,
                 months=months,
                 satisfaction_chart=month_chart([(p.month, p.summary.satisfaction_rate) for p in months], 0, 100, 25),
                 nps_chart=month_chart([(p.month, p.summary.nps) for p in months], -100, 100, 50))


def _listing(comments_only: bool):
    form, filters = _filters()
    page = paginate(survey_results.listing(filters, comments_only), size=20,
                    total=lambda: survey_results.count(filters, comments_only))
    scores = survey_results.scores_of([r.id for r in page.items])
    anonymous = survey_results.anonymous_counts(filters, comments_only)
    return form, filters, page, scores, anonymous


@bp.get("/encuestas/resultados/respuestas")
@require("surveys.results")
def results_responses():
    form, filters, page, scores, anonymous = _listing(False)
    return _page("surveys/_results_responses.html", form, filters, page=page, scores=scores, criteria_codes=CRITERIA,
                 short_labels=SHORT_CRITERIA, anonymous_left_out=anonymous)


@bp.get("/encuestas/resultados/comentarios")
@require("surveys.results")
def results_comments():
    form, filters, page, scores, anonymous = _listing(True)
    return _page("surveys/_results_comments.html", form, filters, page=page, scores=scores,
                 anonymous_left_out=anonymous)


@bp.get("/encuestas/resultados/respuestas/<int:response_id>")
@require("surveys.results")
def response(response_id):
    """One named response: the client, the case, each question with its answer, and the complaint its low
    score opened. Anonymous responses are only ever counted: 404, like an unknown id."""
    row = or_404(SurveyResponse.named_for_page(response_id))
    complaint = Complaint.select().where(Complaint.survey_response == row.id).order_by(Complaint.id).first()
    return render("surveys/response.html", response=row, rows=row.questions_and_answers(), complaint=complaint,
                  criteria_labels=labels.CRITERIA)


# Column names like the client export's: stable codes in the firm's language, whatever the viewer's.
EXPORT_CRITERIA = {"response_times": "tiempos_respuesta", "communication": "comunicacion", "courtesy": "cortesia",
                   "commitments": "cumplimiento_compromisos", "accessibility": "accesibilidad",
                   "facilities": "instalaciones", "overall": "satisfaccion_general"}
EXPORT_HEADERS = (("fecha", "encuesta", "anonima", "cliente", "expediente", "area", "responsable")
                  + tuple(EXPORT_CRITERIA[c] for c in CRITERIA)
                  + ("recomendacion_0_10", "promedio_calificaciones", "puntuacion_baja", "otras_respuestas",
                     "comentarios"))


@bp.get("/encuestas/resultados/exportar.<any(csv, xlsx):fmt>")
@require("surveys.results")
@fresh_required
@limiter.limit("30 per hour")
def results_export(fmt):
    """The named responses, then one summary row of the anonymous ones that enter the figures (never one
    by one), after a fresh sign-in and within the same budget as the client export."""
    _form, filters = _filters()
    with transaction():
        audit.record("survey_export", object_type="survey_response", actor=me(),
                     detail=f"export {fmt} {request.query_string.decode()[:300]}")
    rows = survey_results.export_rows(filters)
    headers = EXPORT_HEADERS
    if fmt == "csv":
        response = make_response(client_io.to_csv(rows, headers))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = make_response(client_io.to_xlsx(rows, headers, "Satisfaccion"))
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="registro-satisfaccion.{fmt}"'
    return response
