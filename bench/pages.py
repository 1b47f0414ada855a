"""The pages ``make bench`` measures: name, URL, the role it is signed in with, and its floor.

Features add their main pages here with ``register(...)`` and a floor in ``bench/floors.py``.

* ``form=``: the page is a POST of these fields (the run adds a valid CSRF token for the signed-in
  session; the floor receives the same fields without it).
* ``budget_ms=``: the page's p95 budget when it is not DESIGN.md §8's 50 ms.
* Placeholders: ``{client_id}`` and the like in the URL or in form values are filled at run time, once
  the data exists, by the function registered with ``@param("client_id")`` (a real row of the
  generated firm: ids, document numbers decrypted with the run's keys…).
"""

import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from bench import floors
from bench.data import bench_email
from core import crypto
from core.guard import ROLES
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party
from models.users import User

BUDGET_MS = 50.0  # DESIGN.md §8: every page p95 ≤ 50 ms on SQLite, unless registered with its own budget


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    role: str | None  # a key of core.guard.ROLES: the benchmark signs in as bench.<role>@…; None: not signed in
    floor: Callable[[int], str]
    form: dict[str, str] | None = field(default=None, hash=False)  # a POST of these fields; None: a GET
    budget_ms: float = BUDGET_MS
    extra_ms: float | None = None  # the fixed-cost row: its median over the floor's, in place of the ratio

    @property
    def method(self) -> str:
        return "GET" if self.form is None else "POST"

    @property
    def label(self) -> str:
        return self.url if self.form is None else f"POST {self.url}"


PAGES: list[Page] = []
PARAMS: dict[str, Callable[[], str]] = {}


def register(name: str, url: str, role: str | None, floor: Callable[[int], str], *, form: dict[str, str] | None = None,
             budget_ms: float = BUDGET_MS, extra_ms: float | None = None) -> Page:
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r} for page {name!r}")
    if any(p.name == name for p in PAGES):
        raise ValueError(f"page already registered: {name}")
    page = Page(name, url, role, floor, form, budget_ms, extra_ms)
    unknown = _placeholders(page) - set(PARAMS)
    if unknown:
        raise ValueError(f"page {name!r} uses unregistered placeholders: {', '.join(sorted(unknown))}")
    PAGES.append(page)
    return page


def param(name: str):
    """Register ``fn() -> str`` filling ``{name}`` in URLs and forms; it runs inside an app context with the
    working copy connected, once per run and only when a selected page needs it."""

    def decorator(fn: Callable[[], str]) -> Callable[[], str]:
        PARAMS[name] = fn
        return fn

    return decorator


def _placeholders(page: Page) -> set[str]:
    texts = [page.url] + list((page.form or {}).values())
    return {name for text in texts for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def resolve(pages: list[Page]) -> list[Page]:
    """The pages with their placeholders filled (URL values percent-encoded)."""
    values: dict[str, str] = {}
    out = []
    for page in pages:
        for name in sorted(_placeholders(page) - set(values)):
            values[name] = str(PARAMS[name]())
        encoded = {k: quote(v, safe="") for k, v in values.items()}
        url = page.url.format_map(encoded)
        form = None if page.form is None else {k: v.format_map(values) for k, v in page.form.items()}
        out.append(replace(page, url=url, form=form))
    return out


# ----- run-time parameters: real rows of the generated firm -----


def _middle(query):
    """The row in the middle of ``query`` (by id), so the pick is neither the oldest nor the newest."""
    count = query.count()
    return query.order_by(Client.id).offset(count // 2).first() if count else None


@param("client_id")
def representative_client() -> int:
    """A client in evaluation with a conflict check that found something, declared parties and a status
    history: the intake tab with every section filled and the decision form shown. Relaxed step by step
    when a small scale has no such client."""
    with_check = Client.id.in_(ConflictCheck.select(ConflictCheck.client))
    with_hits = Client.id.in_(ConflictCheck.select(ConflictCheck.client).where(ConflictCheck.hits != "[]"))
    with_parties = Client.id.in_(Party.select(Party.client))
    with_history = Client.id.in_(ClientStatusChange.select(ClientStatusChange.client))
    attempts = [
        (Client.status == "evaluating", with_hits, with_parties, with_history, Client.document_index.is_null(False)),
        (Client.status.in_(("prospect", "evaluating")), with_check, with_parties, with_history),
        (with_check, with_history),
        (Client.id > 0,),
    ]
    for conditions in attempts:
        client = _middle(Client.select(Client.id).where(*conditions))
        if client is not None:
            return client.id
    raise SystemExit("the benchmark data has no client")


@param("document_number")
def document_number() -> str:
    """A real client's document number, decrypted with the run's keys (as a user would type it)."""
    client = _middle(Client.select(Client.id, Client.document_number).where(Client.document_number.is_null(False),
                                                                            Client.document_type == "CC"))
    if client is None:
        raise SystemExit("the benchmark data has no client with a document number")
    try:
        return crypto.keys.field.decrypt(client.document_number, f"client|document_number|{client.id}")
    except crypto.DecryptError:
        raise SystemExit("the cached data was sealed with other keys than the run's: rebuild it "
                         "(BENCH_REBUILD=1) or restore bench/.cache/keys.json") from None


@param("practice_area_id")
def practice_area_id() -> int:
    return PracticeArea.active().first().id


FIXED_COST_MS = 3.0  # DESIGN.md §8: what Traza adds to a signed-in request (session, roles, CSRF, layout, headers)

# Traza's fixed cost per signed-in request: its lightest signed-in page (the password confirmation's form: no
# query of its own) against the same form in the floor's shell, signed in as management (the longest menu).
register("fixed cost (empty signed-in page)", "/confirmar", "management", floors.empty, extra_ms=FIXED_COST_MS)
register("start", "/", "admin", floors.home)
register("users", "/admin/usuarios", "admin", floors.users)
register("users ?q=mar", "/admin/usuarios?q=mar", "admin", floors.users)
register("audit log", "/admin/auditoria", "admin", floors.audit)
register("audit log ?action=login_success", "/admin/auditoria?action=login_success", "admin", floors.audit)
register("my sessions", "/perfil/sesiones", "commercial", floors.sessions)

register("clients", "/clientes", "commercial", floors.clients)
register("clients ?q=gonz mar", "/clientes?q=gonz%20mar", "commercial", floors.clients)
register("clients ?q=<document number>", "/clientes?q={document_number}", "commercial", floors.clients)
register("clients ?status=active", "/clientes?status=active", "commercial", floors.clients)
register("client page", "/clientes/{client_id}", "commercial", floors.client_page)
register("client intake tab", "/clientes/{client_id}/admision", "commercial", floors.client_intake)

# The intake form's duplicate and conflict check (no confirm=1: it searches, renders the hits, writes
# nothing): a person with common Colombian names, a document, contact details and two counterparties.
INTAKE_FORM = {
    "kind": "person",
    "name": "María Fernanda González Martínez",
    "document_type": "CC",
    "document_number": "1.020.456.789",
    "email": "mafe.gonzalez@gmail.com",
    "phone": "310 456 7890",
    "phone_alt": "",
    "address": "Carrera 15 # 93-47, apto 502",
    "city": "Bogotá",
    "country": "CO",
    "preferred_channel": "whatsapp",
    "source": "web",
    "referred_by": "",
    "practice_area": "{practice_area_id}",
    "responsible": "0",
    "customer_type": "",
    "need": "La despidieron sin justa causa después de ocho años y no le han pagado la liquidación.",
    "special_requirements": "",
    "counterparties": "Constructora Andina S.A.S.; NIT 900123456-8\nCarlos Andrés Rodríguez Gómez; CC 79845123",
    "confirm": "",
}
register("client intake check", "/clientes/nuevo", "commercial", floors.intake_check, form=INTAKE_FORM,
         budget_ms=150.0)


# ----- case work (issue 5): signed in as the operations account, which carries the heavy load -----


def _long_timeline_case() -> Case:
    """The operations account's long-timeline case (bench.data.WORKLOAD: its oldest case, ≥ 2,000
    interactions, a client with more)."""
    case = (Case.select(Case.id, Case.client).join(User, on=(Case.responsible == User.id))
            .where(User.email == bench_email("operations")).order_by(Case.opened_on, Case.id).first())
    if case is None:
        raise SystemExit("the benchmark data has no case for the operations account: rebuild it (BENCH_REBUILD=1)")
    return case


@param("case_id")
def long_timeline_case() -> int:
    return _long_timeline_case().id


@param("newsletter_issue_id")
def newsletter_issue_id() -> int:
    """The latest sent newsletter issue: the most recipients, its figures summed over all of them."""
    from models.loyalty import NewsletterIssue

    issue = NewsletterIssue.select().where(NewsletterIssue.status == "sent").order_by(NewsletterIssue.number.desc()).first()
    if issue is None:
        raise SystemExit("the benchmark data has no sent newsletter issue")
    return issue.id


@param("timeline_client_id")
def long_timeline_client() -> int:
    return _long_timeline_case().client_id


register("case list", "/casos/", "operations", floors.cases)
register("case summary", "/casos/{case_id}", "operations", floors.case_summary)
register("agenda", "/casos/agenda", "operations", floors.agenda)
register("client interactions tab", "/interacciones/clientes/{timeline_client_id}", "operations",
         floors.client_interactions)
register("case interactions", "/interacciones/casos/{case_id}", "operations", floors.case_interactions)
register("case documents", "/documentos/casos/{case_id}", "operations", floors.case_documents)
register("case deadlines", "/documentos/casos/{case_id}/plazos", "operations", floors.case_deadlines)
register("work queue", "/mi-trabajo", "operations", floors.work_queue)


# ----- surveys and complaints (issue 6) -----


@param("survey_token")
def live_survey_token() -> str:
    """A fresh link (services.surveys.issue_link) of a live invitation for a closed case, as a client opens it
    from the message; at a scale with none live, a new invitation handed over by link."""
    from core.db import transaction, utcnow
    from models.surveys import SurveyInvitation
    from services import surveys

    live = (SurveyInvitation.select().where(SurveyInvitation.status.in_(("sent", "opened")),
                                            SurveyInvitation.expires_at > utcnow(), SurveyInvitation.case.is_null(False))
            .order_by(SurveyInvitation.id.desc()).first())
    if live is not None:
        with transaction():
            return surveys.issue_link(live, "email")
    case = Case.select().where(Case.status == "closed").order_by(Case.closed_at.desc()).first()
    invitation = SurveyInvitation.get_by_id(surveys.invite(case.client, case, email="").id)
    return surveys.hand_over_link(invitation, None)


def _months_ago_start(months: int) -> str:
    from core.i18n import today_local

    today = today_local()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return today.replace(year=index // 12, month=index % 12 + 1, day=1).isoformat()


@param("start_24_months")
def start_24_months() -> str:
    """The first day of the month 23 months ago: a two-year period, the whole generated history."""
    return _months_ago_start(24)


INDICATOR_MS = 300.0  # issue 6: results and trend pages p95 ≤ 300 ms at full size
PUBLIC_FORM_MS = 30.0  # issue 6: the public survey form ≤ 30 ms

register("survey invitations", "/encuestas", "service", floors.survey_invitations)
register("survey results", "/encuestas/resultados", "quality", floors.survey_results, budget_ms=INDICATOR_MS)
register("survey results 24 months", "/encuestas/resultados?desde={start_24_months}", "quality", floors.survey_results,
         budget_ms=INDICATOR_MS)
register("survey results ?area=", "/encuestas/resultados?area={practice_area_id}", "quality", floors.survey_results,
         budget_ms=INDICATOR_MS)
register("survey responses", "/encuestas/resultados/respuestas", "quality", floors.survey_responses,
         budget_ms=INDICATOR_MS)
register("survey comments", "/encuestas/resultados/comentarios", "quality", floors.survey_responses,
         budget_ms=INDICATOR_MS)
register("survey public form", "/e/{survey_token}", None, floors.survey_form, budget_ms=PUBLIC_FORM_MS)
register("complaints", "/quejas", "service", floors.complaints)
register("complaints ?estado=", "/quejas?estado=", "service", floors.complaints)
register("complaint trends", "/quejas/analisis", "quality", floors.complaint_trends, budget_ms=INDICATOR_MS)
register("complaint trends 24 months", "/quejas/analisis?desde={start_24_months}", "quality", floors.complaint_trends,
         budget_ms=INDICATOR_MS)
register("improvement actions", "/calidad/acciones", "quality", floors.improvement_actions)
register("renewals", "/comercial/renovaciones", "commercial", floors.renewals)
register("newsletters", "/fidelizacion/boletines", "commercial", floors.newsletters)
register("newsletter issue", "/fidelizacion/boletines/{newsletter_issue_id}", "commercial", floors.newsletter)
register("benefit rules", "/fidelizacion/beneficios", "commercial", floors.benefit_rules)
register("referrals", "/fidelizacion/referencias", "commercial", floors.referrals)
register("quality notes", "/calidad/comunicados", "quality", floors.quality_notes)
register("quality dashboard", "/calidad", "management", floors.quality_dashboard, budget_ms=INDICATOR_MS)
register("quality indicator", "/calidad/indicadores/satisfaccion", "quality", floors.quality_indicator,
         budget_ms=INDICATOR_MS)
register("quality indicator 24 months", "/calidad/indicadores/resolucion?desde={start_24_months}", "quality",
         floors.quality_indicator, budget_ms=INDICATOR_MS)
for _key in ("encuestas", "contratacion", "actualizaciones", "plazos"):  # the four added with issue 16
    register(f"quality indicator {_key}", f"/calidad/indicadores/{_key}", "quality", floors.quality_indicator,
             budget_ms=INDICATOR_MS)


def _review(approved: bool) -> int:
    """A management review of the last full quarter: a draft (its inputs compiled live on every view) or an
    approved one (read from its snapshot); made once, by the quality and management accounts."""
    from core.i18n import today_local
    from models.reviews import ManagementReview
    from services.quality import reviews

    status = "approved" if approved else "draft"
    found = ManagementReview.select().where(ManagementReview.status == status).order_by(ManagementReview.id).first()
    if found is not None:
        return found.id
    today = today_local()
    start, end = reviews.default_period(today)
    quality = User.get(User.email == bench_email("quality"))
    review = reviews.create(start, end, quality, today, {"conclusions": "El sistema cumple sus metas.",
                                                         "decisions": "Reforzar el seguimiento de quejas."})
    if approved:
        reviews.approve(review, User.get(User.email == bench_email("management")), today)
    return review.id


@param("draft_review_id")
def draft_review_id() -> int:
    return _review(False)


@param("approved_review_id")
def approved_review_id() -> int:
    return _review(True)


register("management review (draft)", "/calidad/revisiones/{draft_review_id}", "management", floors.review_draft,
         budget_ms=INDICATOR_MS)
register("management review (approved)", "/calidad/revisiones/{approved_review_id}", "management",
         floors.review_approved)
register("management reviews", "/calidad/revisiones", "quality", floors.reviews)

# ----- privacy (issue 19): a client's "Quién consultó" (the long-timeline client holds bench.data's
# BENCH_CLIENT_READS reads), the register of data-subject requests -----
register("client who viewed", "/clientes/{timeline_client_id}/quien-consulto", "management", floors.client_reads)
register("data-subject requests", "/privacidad/peticiones", "service", floors.privacy_requests)
register("data-subject requests ?estado=", "/privacidad/peticiones?estado=", "service", floors.privacy_requests)


@param("access_review_id")
def access_review_id() -> int:
    """An open access review of the last cycle over every active account (bench.data's 2,000 staff): opened once,
    by the quality account, its lines left undecided (each with its decide link, as a fresh review shows them)."""
    from core.i18n import today_local
    from models.privacy import AccessReview
    from services.privacy import access_review

    found = AccessReview.select().where(AccessReview.status == "open").order_by(AccessReview.id).first()
    if found is not None:
        return found.id
    start, end = access_review.default_period(today_local())
    return access_review.open_review(start, end, User.get(User.email == bench_email("quality"))).id


register("access review", "/privacidad/revision-accesos/{access_review_id}", "management", floors.access_review)
register("inventory of databases", "/privacidad/inventario", "quality", floors.inventory)
register("erasures and blocking", "/privacidad/supresiones", "management", floors.erasures)
register("retention review", "/privacidad/conservacion", "quality", floors.retention)

# ----- the one search box: every kind, signed in as management (who sees them all) -----

register("search ?q=gonz mar", "/buscar?q=gonz%20mar", "management", floors.search)
register("search ?q=<document number>", "/buscar?q={document_number}", "management", floors.search)
register("search ?q=EXP-0012", "/buscar?q=EXP-0012", "management", floors.search)
register("search ?q=ma", "/buscar?q=ma", "management", floors.search)  # the drop-down's first request: thousands match

# ----- procedures manual (issue 17): the index a member of staff reads, and the document with the most versions -----


@param("manual_document_id")
def manual_document_id() -> int:
    from peewee import fn

    from models.manual import ManualDocument, ManualVersion

    busiest = (ManualVersion.select(ManualVersion.document).join(ManualDocument, on=(
        ManualVersion.document == ManualDocument.id)).where(ManualDocument.current.is_null(False))
        .group_by(ManualVersion.document).order_by(fn.COUNT(ManualVersion.id).desc(), ManualVersion.document).limit(1))
    return busiest.scalar()


register("procedures manual", "/manual", "commercial", floors.manual_index)
register("manual document", "/manual/{manual_document_id}", "commercial", floors.manual_document)



@param("manual_readers_id")
def manual_readers_id() -> int:
    """The document in force with the most people asked to read it."""
    from peewee import fn

    from models.manual import ManualAck, ManualDocument

    return (ManualAck.select(ManualAck.document).join(ManualDocument, on=(ManualAck.document == ManualDocument.id))
            .where(ManualAck.version == ManualDocument.current).group_by(ManualAck.document)
            .order_by(fn.COUNT(ManualAck.id).desc(), ManualAck.document).limit(1).scalar())


register("manual readers", "/manual/{manual_readers_id}/lecturas", "quality", floors.manual_readers)
register("confidentiality agreements", "/manual/acuerdos", "quality", floors.manual_agreements)
register("organigram", "/manual/organigrama", "commercial", floors.organigram)
register("client journey", "/manual/recorrido", "commercial", floors.manual_journey, budget_ms=INDICATOR_MS)


# ----- training on the manual and feedback on it (issue 17, items 5 and 6) -----


@param("training_session_id")
def training_session_id() -> int:
    """The session held with the most attendees (its attendance and evaluation form)."""
    from peewee import fn

    from core.db import utcnow
    from models.training import TrainingAttendee, TrainingSession

    return (TrainingAttendee.select(TrainingAttendee.session)
            .join(TrainingSession, on=(TrainingAttendee.session == TrainingSession.id))
            .where(TrainingSession.starts_at < utcnow()).group_by(TrainingAttendee.session)
            .order_by(fn.COUNT(TrainingAttendee.id).desc(), TrainingAttendee.session).limit(1).scalar())


@param("feedback_document_id")
def feedback_document_id() -> int:
    """The document with the most staff feedback."""
    from peewee import fn

    from models.training import ManualFeedback

    return (ManualFeedback.select(ManualFeedback.document).group_by(ManualFeedback.document)
            .order_by(fn.COUNT(ManualFeedback.id).desc(), ManualFeedback.document).limit(1).scalar())


register("training register", "/manual/formacion", "quality", floors.training_index)
register("training register ?cuando=pasadas", "/manual/formacion?cuando=pasadas", "quality", floors.training_index)
register("training session", "/manual/formacion/{training_session_id}", "quality", floors.training_session)
register("my training record", "/manual/mi-formacion", "commercial", floors.training_record)
register("manual feedback", "/manual/{feedback_document_id}/comentarios", "quality", floors.manual_feedback)


# ----- the traceability report (issue 18 item 6): a client with about 500 events, p95 ≤ 300 ms -----


@param("trace_client_id")
def trace_client() -> int:
    """A client with about 500 events in its history: the one whose interactions come nearest 400 without passing
    it (the rest of its history adds the others); at a scale with none so long, the long-timeline client."""
    from peewee import fn

    from models.interactions import Interaction

    count = fn.COUNT(Interaction.id)
    found = (Interaction.select(Interaction.client).group_by(Interaction.client).having(count.between(250, 400))
             .order_by(count.desc(), Interaction.client).limit(1).scalar())
    return found or _long_timeline_case().client_id


register("traceability report", "/clientes/{trace_client_id}/trazabilidad", "management", floors.trace_report,
         budget_ms=300.0)
