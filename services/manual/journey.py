"""The client journey (issue 17, "Mapear el recorrido del cliente", "Identificar puntos de contacto críticos"): the
firm's service cycle ("Secuencia repetible de acontecimientos … Inicia en el primer punto de contacto entre el
Cliente y la Organización. Termina temporalmente cuando el Cliente considera que el servicio está completo, se
reinicia cuando él decide volver") as Traza runs it, stage by stage, each with its moments of truth ("el preciso
instante en que el cliente entra en contacto con la Organización") marked critical ("críticos": where a failure
loses the client) or stellar ("estelares": where the firm can shine), the step of PRO 008 it carries out, and live
figures from the database (models/journey.py): how many are at that stage now (live) and the median days spent in
it over the last 12 months of closed days, by the firm's calendar (computed once a day and kept: the first reader of
the day, or the job ``recorrido_del_cliente`` before anyone, pays for them)."""

from dataclasses import dataclass, replace
from datetime import datetime, time

from flask import current_app

from core.db import utcnow
from core.i18n import lazy_gettext as _l
from core.i18n import to_local, to_utc
from models import journey as figures_of
from models.journey import JourneyFigure

PERIOD_MONTHS = 12


@dataclass(frozen=True)
class Touchpoint:
    text: str
    critical: bool  # "crítico"; otherwise "estelar"


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    step: str  # the step of PRO 008 §5 it carries out ("5.1.2")
    step_title: str  # in PRO 008's own words
    touchpoints: tuple
    now: str  # what "now" counts
    median: str = ""  # what the median measures ("" when the stage has none)
    rate: str = ""  # what the rate measures ("" when none)
    section: str = "procedure"  # the section of PRO 008 the link opens


def _t(text, critical=False):
    return Touchpoint(text, critical)


STAGES = (
    Stage("intake", _l("First contact and registration"), "5.1.1–5.1.2",
          "Identificación de Potenciales Clientes · Registro de Datos del Cliente",
          (_t(_l("First call, email or visit"), True), _t(_l("Registration of the client's data and needs")),
           _t(_l("Referral by another client"))),
          _l("prospects"), _l("from registration to the start of the evaluation")),
    Stage("evaluation", _l("Evaluation and conflict check"), "5.1",
          "Filtrado inicial · Consulta inicial · Verificación de antecedentes",
          (_t(_l("Initial consultation"), True), _t(_l("Identity verification")),
           _t(_l("Conflict of interest check"), True), _t(_l("Acceptance or rejection told to the client"), True)),
          _l("clients being evaluated"), _l("from the start of the evaluation to the decision")),
    Stage("quotation", _l("Quotation"), "5.1.3 · 5.2.1–5.2.2",
          "Propuesta de Servicio · Recepción de Solicitudes · Ajuste y Confirmación del Servicio",
          (_t(_l("Proposal sent to the client"), True), _t(_l("Adjustment of the proposal"))),
          _l("proposals awaiting an answer"), _l("from sending the proposal to the client's answer")),
    Stage("contract", _l("Contract"), "5.2.3", "Formalización de Contrato",
          (_t(_l("Signature of the service agreement"), True), _t(_l("Conditions, frequency and duration explained"))),
          _l("contracts awaiting signature"), _l("from the accepted proposal to the signature")),
    Stage("planning", _l("Case opening and planning"), "5.3.1", "Planificación del Servicio",
          (_t(_l("Team assigned and first visit scheduled")), _t(_l("Budget and costs told to the client"), True),
           _t(_l("Documents requested from the client"))),
          _l("cases being planned"), _l("from opening the case to the start of the work")),
    Stage("execution", _l("Execution: interactions and deadlines"), "5.3.2–5.3.3", "Ejecución · Documentación",
          (_t(_l("Periodic update to the client"), True), _t(_l("Legal deadline met"), True),
           _t(_l("Visit or intervention recorded")), _t(_l("Quick answer to the client's questions"))),
          _l("cases in progress"), _l("from opening the case to its resolution")),
    Stage("closing", _l("Closing"), "5.3", "Explicación de la resolución · Entrega de documentos finales",
          (_t(_l("Resolution explained to the client"), True), _t(_l("Final documents delivered"))),
          _l("cases resolved, not yet closed"), _l("from the resolution to closing the case")),
    Stage("survey", _l("Satisfaction survey"), "5.4.1 · 5.4.3",
          "Encuesta de Satisfacción · Registro de Satisfacción",
          (_t(_l("Survey within 5 days of the service"), True), _t(_l("Thanks for the answer"))),
          _l("surveys awaiting an answer"), _l("from sending the survey to the answer"), _l("surveys answered")),
    Stage("complaints", _l("Complaints and requests"), "5.4.2", "Solución de Incidencias",
          (_t(_l("Complaint received and acknowledged"), True), _t(_l("Resolution told to the client"), True)),
          _l("complaints and requests open"), _l("from receipt to resolution")),
    Stage("renewal", _l("Renewal and loyalty"), "5.5.1–5.5.3",
          "Programa de Fidelización · Capacitación y Concientización · Renovación de Contrato",
          (_t(_l("Renewal offered before the contract expires"), True), _t(_l("Loyalty benefit or referral thanks")),
           _t(_l("Newsletter with legal news"))),
          _l("contracts ending within %(days)s days"), rate=_l("contracts renewed")),
)


@dataclass
class Figures:
    now: int
    median: float | None  # days
    n: int  # the median's sample
    base: int | None = None  # the rate's denominator
    hits: int | None = None  # its numerator

    @property
    def rate(self) -> float | None:
        return round(100 * self.hits / self.base, 1) if self.base else None


def period(today):
    """The last 12 months of closed days by the firm's calendar: from the same day a year ago to yesterday, as the
    firm's days [since_day, today) and the UTC moments of their local midnights [since, until)."""
    try:
        since_day = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        since_day = today.replace(year=today.year - 1, day=28)
    return since_day, to_utc(_midnight(since_day)), to_utc(_midnight(today))


def _midnight(day):
    return datetime.combine(day, time())


def period_figures(today) -> dict[str, dict]:
    """Each stage's figures over the period before ``today``: kept for the day (one query), else computed (one query
    a stage) and kept."""
    kept = JourneyFigure.of_day(today)
    missing = [key for key in figures_of.PERIOD_QUERIES if key not in kept]
    if missing:
        since_day, since, until = period(today)
        midnight = _midnight(today)
        shift = (to_utc(midnight) - midnight).total_seconds() / 86400  # the firm's midnight in UTC, in days
        computed = {key: figures_of.PERIOD_QUERIES[key](since, until, since_day, today, shift) for key in missing}
        JourneyFigure.keep(today, computed)
        kept.update(computed)
    return kept


def renewal_days() -> int:
    return current_app.config["RENEWAL_WINDOW_DAYS"]


def journey(today) -> list[tuple[Stage, Figures]]:
    """Each stage with its figures: the counts now in one query, the period's figures in one once computed."""
    window = renewal_days()
    now = figures_of.now_counts(today, window)
    kept = period_figures(today)
    result = []
    for stage in STAGES:
        row = kept[stage.key]
        if stage.key == "renewal":
            stage = replace(stage, now=stage.now % {"days": window})
        result.append((stage, Figures(now=now[stage.key], median=row.get("median"), n=row.get("n") or 0,
                                      base=row.get("base"), hits=row.get("hits"))))
    return result


def keep_figures(now=None) -> int:
    """The job ``recorrido_del_cliente``: compute the firm's day's figures before anyone reads them, once a day, and
    forget earlier days. Returns how many stages it computed."""
    today = to_local(now or utcnow()).date()
    computed = len(figures_of.PERIOD_QUERIES) - len(JourneyFigure.of_day(today))
    period_figures(today)
    JourneyFigure.forget_before(today)
    return computed
