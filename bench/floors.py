"""Floors: for each page, a bare Flask + peewee view that runs the page's indexed queries and renders
the same rows with a minimal inline template inside the same base layout (DESIGN.md §8): the markup
templates/base.html gives the measured account, written by hand (``bench/templates/floor/base.html``, its
menu from ``Shell``). No extensions, no session, no CSRF signing, no translations: what is left of the page's
time once everything Traza adds is taken away; the "fixed cost" row weighs that addition on an empty page.

A floor is ``fn(user_id) -> str``: it runs in a request of the floor app (``request.args`` carries the
page URL's query string, ``request.form`` a POST page's fields, ``page_url()`` the page's own URL) and
``user_id`` is the account the real page is measured with.
"""

import hashlib
import operator
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, reduce

import phonenumbers
from flask import Flask, current_app, g, request
from flask_babel import Babel
from peewee import JOIN, SQL, fn
from peewee import Case as SqlCase
from rapidfuzz import fuzz

from core import crypto
from core.config import ROOT
from core.db import db, off_index, utcnow
from core.guard import permissions_of
from core.text import STOP_WORDS, name_key, tokens
from models.audit import AuditEvent
from models.cases import Case, CaseMember, CaseStatusChange, EvidenceItem, Intervention
from models.catalog import PracticeArea
from models.clients import (
    DOCUMENT_TYPES,
    Client,
    ClientStatusChange,
    ConflictCheck,
    Party,
    SearchToken,
    document_index,
)
from models.commercial import Contract, Quotation
from models.complaints import OPEN_STATES, Complaint, ComplaintCategory
from models.documents import SATISFIED, Deadline, DocumentItem, DocumentVersion
from models.files import StoredFile
from models.interactions import Interaction
from models.quality import ImprovementAction
from models.surveys import (
    CRITERIA,
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
)
from models.tasks import Task
from models.users import User, UserRole, UserSession
from services.surveys import LIVE_STATES

PAGE = '{{% extends "floor/base.html" %}}{{% block content %}}{}{{% endblock %}}'  # a signed-in page's shell
PUBLIC_PAGE = '{{% extends "floor/public.html" %}}{{% block content %}}{}{{% endblock %}}'  # the survey link's frame
FIRM = "Duarte & Asociados Abogados"


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    current: Callable[[str], bool]  # the page's path → is this link the current one (aria-current)


def _under(*prefixes, but=()):
    return lambda path: path.startswith(prefixes) and not path.startswith(but) if but else path.startswith(prefixes)


def _exactly(href):
    return lambda path: path == href


# templates/base.html's menu: (whether the account sees it, the link); the same order, the same rules.
def _cases_current(path):
    return (path.startswith("/casos/") and path != "/casos/agenda") or (
        path.startswith("/documentos/") and not path.startswith(("/documentos/requisitos", "/documentos/festivos")))


NAV = [
    (lambda p: "home.view" in p, Link("/", "Inicio", _exactly("/"))),
    (lambda p: "work.view" in p, Link("/mi-trabajo", "Mi trabajo", _exactly("/mi-trabajo"))),
    (lambda p: "clients.view" in p, Link("/clientes", "Clientes", _under("/clientes"))),
    (lambda p: "cases.view" in p, Link("/casos/", "Casos", _cases_current)),
    (lambda p: "cases.view" in p, Link("/casos/agenda", "Agenda", _exactly("/casos/agenda"))),
    (lambda p: "commercial.view" in p, Link("/comercial/renovaciones", "Fidelización", _under("/comercial", "/fidelizacion"))),
    (lambda p: bool(p & {"surveys.invite", "surveys.results", "surveys.templates"}),
     Link("/encuestas", "Encuestas", _under("/encuestas"))),
    (lambda p: "complaints.log" in p, Link("/quejas", "Quejas", _under("/quejas"))),
    (lambda p: "quality.view" in p, Link("/calidad", "Calidad", _under("/calidad"))),
]
ADMIN_NAV = [
    (lambda p: "users.manage" in p, Link("/admin/usuarios", "Usuarios", _under("/admin/usuarios"))),
    (lambda p: "catalog.manage" in p, Link("/admin/areas", "Áreas de práctica", _under("/admin/areas"))),
    (lambda p: "catalog.manage" in p, Link("/admin/aviso-privacidad", "Aviso de privacidad",
                                           _exactly("/admin/aviso-privacidad"))),
    (lambda p: "catalog.manage" in p, Link("/documentos/requisitos", "Requisitos documentales",
                                           _under("/documentos/requisitos"))),
    (lambda p: "catalog.manage" in p, Link("/documentos/festivos", "Festivos", _under("/documentos/festivos"))),
    (lambda p: "audit.read" in p, Link("/admin/auditoria", "Registro de auditoría", _exactly("/admin/auditoria"))),
    (lambda p: "privacy.requests" in p, Link("/privacidad/peticiones", "Peticiones de titulares",
                                             _under("/privacidad/peticiones"))),
    (lambda p: "privacy.reads" in p, Link("/privacidad/accesos", "Consultas de datos confidenciales por persona",
                                          _exactly("/privacidad/accesos"))),
    (lambda p: "privacy.reads" in p, Link("/privacidad/revision-accesos", "Revisiones de accesos",
                                          _under("/privacidad/revision-accesos"))),
    (lambda p: "privacy.reads" in p, Link("/privacidad/inventario", "Inventario de bases de datos",
                                          _under("/privacidad/inventario"))),
    (lambda p: "privacy.erase" in p, Link("/privacidad/supresiones", "Supresiones y bloqueos",
                                          _exactly("/privacidad/supresiones"))),
]


@dataclass(frozen=True)
class Shell:
    """What the floor's layout shows a signed-in account: read once per account (a hand-made app would keep it in
    its session), rendered on every request."""

    name: str
    email: str
    links: list
    admin_links: list
    search: bool
    csrf: str

    def admin_current(self, path: str) -> bool:
        return any(link.current(path) for link in self.admin_links)


@cache
def shell(user_id: int | None) -> Shell | None:
    if user_id is None:
        return None
    user = User.get_by_id(user_id)
    permissions = permissions_of([r.role for r in UserRole.select(UserRole.role).where(UserRole.user == user_id)])
    return Shell(user.name, user.email, [link for sees, link in NAV if sees(permissions)],
                 [link for sees, link in ADMIN_NAV if sees(permissions)], "clients.view" in permissions,
                 secrets.token_urlsafe(66))  # as long as Flask-WTF's signed token; a fixed one per account

HOME = PAGE.format("""{% for n in notes[:3] %}<article><h3><a href="/calidad/comunicados/{{ n.id }}">{{ n.title }}</a></h3>
<p>{{ n.period_start }} – {{ n.period_end }}</p><p>{{ n.body }}</p><form method="post"><button>Leído</button></form></article>{% endfor %}
<ul>{% for e in rows %}<li><time datetime="{{ e.at.isoformat() }}Z">{{ e.at.strftime("%d/%m/%y %H:%M") }}</time>
 · {{ e.action }} · {{ e.ip }}</li>{% endfor %}</ul>""")

USERS = PAGE.format("""<table><tbody>{% for u in rows %}<tr><td><a href="/admin/usuarios/{{ u.id }}">{{ u.name }}</a></td>
<td>{{ u.email }}</td><td>{{ "active" if u.is_active else "inactive" }}</td>
<td>{{ u.last_login_at.strftime("%d/%m/%y %H:%M") if u.last_login_at else "—" }}</td></tr>{% endfor %}</tbody></table>""")

AUDIT = PAGE.format("""<table><tbody>{% for e in rows %}<tr><td><time datetime="{{ e.at.isoformat() }}Z">{{ e.at.strftime("%d/%m/%y %H:%M") }}</time></td>
<td><code>{{ e.action }}</code></td><td>{{ e.actor.name if e.actor else "—" }} ({{ e.actor_roles }})</td>
<td>{{ e.object_type }} {{ e.object_id }}</td><td>{{ e.fields }} {{ e.detail }}</td><td>{{ e.ip }}</td></tr>{% endfor %}</tbody></table>""")

SESSIONS = PAGE.format("""<table><tbody>{% for s in rows %}<tr><td>{{ s.user_agent[:40] }}</td><td>{{ s.ip }}</td>
<td>{{ s.created_at.strftime("%d/%m/%y %H:%M") }}</td><td>{{ s.last_seen.strftime("%d/%m/%y %H:%M") }}</td></tr>{% endfor %}</tbody></table>""")

CLIENTS = PAGE.format("""<table><tbody>{% for c in rows %}<tr><td><a href="/clientes/{{ c.id }}">{{ c.name }}</a>{% if c.kind == 'company' %} · empresa{% endif %}</td>
<td>{{ c.status }}</td><td>{{ c.practice_area.name if c.practice_area_id else "—" }}</td>
<td>{{ c.responsible.name if c.responsible_id else "—" }}</td><td>{{ c.email }}<br>{{ c.phone }}</td></tr>{% endfor %}</tbody></table>""")

CLIENT = PAGE.format("""<h1>{{ c.name }} <span>{{ c.status }}</span></h1>
<p>{{ c.kind }} · {{ c.practice_area.name if c.practice_area_id else "" }} · {{ c.responsible.name if c.responsible_id else "—" }}</p>
<dl><dt>Documento</dt><dd>{{ c.document_type }} •••• {{ c.document_last4 }}</dd><dt>Correo</dt><dd>{{ c.email }}</dd>
<dt>Teléfono</dt><dd>{{ c.phone }} {{ c.phone_alt }}</dd><dt>Dirección</dt><dd>{{ c.address }}, {{ c.city }} ({{ c.country }})</dd>
<dt>Canal</dt><dd>{{ c.preferred_channel }}</dd><dt>Necesidad</dt><dd>{{ c.need }}</dd><dt>Origen</dt><dd>{{ c.source }}</dd>
<dt>Registro</dt><dd>{{ c.created_at.strftime("%d/%m/%y %H:%M") }}</dd></dl>""")

INTAKE = PAGE.format("""<h1>{{ c.name }} <span>{{ c.status }}</span></h1>
{% if check %}<p>{{ check.created_at.strftime("%d/%m/%y %H:%M") }}: {{ check.terms }}</p><pre>{{ check.hits }}</pre>
<p>{{ check.decision or "" }} {{ check.reason }}</p>{% endif %}
<ul>{% for p in parties %}<li>{{ p.name }} · {{ p.kind }} · {{ p.document_type }}</li>{% endfor %}</ul>
<ul>{% for h in history %}<li>{{ h.created_at.strftime("%d/%m/%y %H:%M") }} · {{ h.to_status }} · {{ h.by.name if h.by_id else "" }} {{ h.reason }}</li>{% endfor %}</ul>""")

HITS = PAGE.format("""<ul>{% for h in hits %}<li><strong>{{ h[1] }}</strong> · {{ h[2] }} · {{ h[3] }} %
· <a href="/clientes/{{ h[0] }}">abrir</a> · {{ h[4] }}</li>{% endfor %}</ul>""")


@cache
def _compiled(source: str):
    return current_app.jinja_env.from_string(source)


def render(source: str, **context) -> str:
    """render_template_string, minus recompiling the template on every request (Traza's are compiled once), with
    the shell of the account the page is measured as and the page's path (the menu marks where it is)."""
    return _compiled(source).render(**{"shell": shell(g.user_id), "here": page_url().partition("?")[0],
                                       "title": "floor", "firm": FIRM, **context})


HOME_ACTIONS = ("login_success", "password_change", "mfa_enrol", "recovery_code_used")


def home(user_id: int) -> str:
    """The person's recent sign-ins, and the quality notes they have not read (the real page's two reads)."""
    from models.quality import QualityNote, QualityNoteAck

    rows = (AuditEvent.select().where(AuditEvent.actor == user_id, AuditEvent.action.in_(HOME_ACTIONS))
            .order_by(AuditEvent.id.desc()).limit(5))
    read = QualityNoteAck.select(QualityNoteAck.id).where(QualityNoteAck.note == QualityNote.id,
                                                          QualityNoteAck.user == user_id)
    joined = User.select(User.created_at).where(User.id == user_id)
    notes = (QualityNote.select(QualityNote.id, QualityNote.title, QualityNote.body, QualityNote.period_start,
                                QualityNote.period_end, QualityNote.published_at)
             .where(QualityNote.published_at >= joined, ~fn.EXISTS(read))
             .order_by(QualityNote.published_at.desc(), QualityNote.id.desc()).limit(4))
    return render(HOME, rows=list(rows), notes=list(notes))


def users(user_id: int) -> str:
    query = User.select().order_by(User.name, User.id).limit(25)
    if term := request.args.get("q", "").strip().lower():
        query = query.where(User.name.contains(term) | User.email.contains(term))
    return render(USERS, rows=list(query))


def audit(user_id: int) -> str:
    """The latest 50 events, and the read noted as the page notes it (SECURITY.md: reading the log is audited):
    an event chained to the last one's hash, committed before the page is answered."""
    query = (AuditEvent.select(AuditEvent, User).join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
             .order_by(AuditEvent.id.desc()).limit(50))
    if action := request.args.get("action"):
        query = query.where(AuditEvent.action == action)
    rows = list(query)
    with db.atomic():
        last = AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
        at = utcnow()
        chained = hashlib.sha256(f"{last.hash if last else ''}|{at.isoformat()}|{user_id}|audit_read".encode()).hexdigest()
        AuditEvent.insert(at=at, actor=user_id, actor_roles="admin", action="audit_read", object_type="audit_event",
                          detail=f"before={request.args.get('antes', '')}", prev_hash=last.hash if last else "",
                          hash=chained).execute()
    return render(AUDIT, rows=rows)


# The fixed cost (DESIGN.md §8): the lightest signed-in page Traza has, the password confirmation's form, which
# runs no query of its own; its floor is the same form in the same shell.
EMPTY = PAGE.format("""
<section class="card narrow">
  <h1>Confirma que eres tú</h1>
  <p class="muted">Esta acción cambia la configuración de seguridad. Introduce tu contraseña para continuar; Traza no volverá a pedírtela durante 10 minutos.</p>
  <form method="post" novalidate>
    <input id="next" name="next" type="hidden" value="">
<input id="csrf_token" name="csrf_token" type="hidden" value="{{ shell.csrf }}">
    <input type="text" name="username" value="{{ shell.email }}" autocomplete="username" hidden>
    <div class="field ">
    <label class="label" for="password">Contraseña</label>
    <input autocomplete="current-password" autofocus class="input" id="password" maxlength="1024" name="password" required type="password" value="">
</div>
    <div class="actions"><button type="submit" class="btn btn-primary">Confirmar</button> <a class="btn btn-quiet" href="/">Cancelar</a></div>
  </form>
</section>
""")


def empty(user_id: int) -> str:
    return render(EMPTY, title="Confirma que eres tú")


def sessions(user_id: int) -> str:
    rows = (UserSession.select()
            .where(UserSession.user == user_id, UserSession.revoked_at.is_null(),
                   UserSession.stage == UserSession.STAGE_ACTIVE, UserSession.expires_at > utcnow())
            .order_by(UserSession.last_seen.desc()))
    return render(SESSIONS, rows=list(rows))


def page_url() -> str:
    """The URL of the real page this floor stands for (its path carries ids: /clientes/<id>)."""
    return g.page_url


def _path_id() -> int:
    """The last number in the page's path (/clientes/12 and /clientes/12/admision both give 12)."""
    return next(int(part) for part in reversed(page_url().partition("?")[0].split("/")) if part.isdigit())


def _client_rows():
    return (Client.select(Client, PracticeArea, User)
            .join(PracticeArea, JOIN.LEFT_OUTER, on=(Client.practice_area == PracticeArea.id))
            .switch(Client).join(User, JOIN.LEFT_OUTER, on=(Client.responsible == User.id)))


def _compact(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _prefix(word: str):
    return (SearchToken.token >= word) & (SearchToken.token < word + "\uffff")


def clients(user_id: int) -> str:
    """25 clients by name; ``?q=`` a document number (blind index, any type) or word prefixes (search tokens)."""
    query = _client_rows().order_by(Client.name, Client.id).limit(25)
    if status := request.args.get("status"):
        query = query.where(Client.status == status)
    if q := request.args.get("q", "").strip():
        compact = _compact(q)
        if len(compact) >= 5 and any(ch.isdigit() for ch in compact):
            query = query.where(Client.document_index.in_([document_index(t, compact) for t in DOCUMENT_TYPES]))
        else:
            for word in tokens(q)[:5]:
                query = query.where(Client.id.in_(SearchToken.select(SearchToken.ref_id)
                                                  .where(SearchToken.kind == "client", _prefix(word))))
    return render(CLIENTS, rows=list(query))


def client_page(user_id: int) -> str:
    return render(CLIENT, c=_client_rows().where(Client.id == _path_id()).get())


def client_intake(user_id: int) -> str:
    """The client, its latest conflict check, its parties and its status history: four indexed queries."""
    client = _client_rows().where(Client.id == _path_id()).get()
    check = ConflictCheck.select().where(ConflictCheck.client == client.id).order_by(ConflictCheck.id.desc()).first()
    parties = list(Party.select().where(Party.client == client.id).order_by(Party.kind, Party.name))
    history = list(ClientStatusChange.select(ClientStatusChange, User)
                   .join(User, JOIN.LEFT_OUTER, on=(ClientStatusChange.by == User.id))
                   .where(ClientStatusChange.client == client.id).order_by(ClientStatusChange.id.desc()))
    return render(INTAKE, c=client, check=check, parties=parties, history=history)


def _score(a: str, b: str) -> int:
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0
    return int(max(fuzz.token_sort_ratio(ka, kb), fuzz.token_set_ratio(ka, kb) if min(len(ka), len(kb)) >= 8 else 0))


def _similar(kind: str, name: str) -> list[tuple]:
    """One query: the records sharing at least two of the 4-letter word prefixes of ``name`` (the only one, for
    a one-word name), at most 2,000, with their names. Each prefix is its own range on the (kind, token,
    ref_id) index, its ids DISTINCT, UNION ALL, counted per record."""
    words = [w for w in tokens(name) if len(w) >= 3 and w not in STOP_WORDS]
    prefixes = sorted({w[:4] for w in words})[:6]
    if not prefixes:
        return []
    parts = [SearchToken.select(SearchToken.ref_id).distinct().where(SearchToken.kind == kind, _prefix(p))
             for p in prefixes]
    matches = reduce(operator.add, parts).alias("m")
    candidates = (SearchToken.select(matches.c.ref_id).from_(matches).group_by(matches.c.ref_id)
                  .having(fn.COUNT(SQL("*")) >= min(2, len(prefixes)))
                  .order_by(fn.COUNT(SQL("*")).desc(), matches.c.ref_id).limit(2001))
    model = Client if kind == "client" else Party
    rows = model.select(model.id, model.name).where(model.id.in_(candidates)).tuples()
    return [(ref_id, found, kind, score) for ref_id, found in rows if (score := _score(name, found)) >= 86]


def intake_check(user_id: int) -> str:
    """The intake's duplicate and conflict search: exact matches (document, email, phone) in one query per
    table, then the name search for the prospect and each declared party against clients and parties."""
    form = request.form
    names = [form["name"]]
    documents = []
    if form.get("document_number"):
        documents.append(document_index(form["document_type"], _compact(form["document_number"])))
    for line in form.get("counterparties", "").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if parts[0]:
            names.append(parts[0])
        for extra in parts[1:]:
            doc_type, _sep, number = extra.partition(" ")
            if number:
                documents.append(document_index(doc_type.upper(), _compact(number)))
    phone = phonenumbers.format_number(phonenumbers.parse(form["phone"], form.get("country") or "CO"),
                                       phonenumbers.PhoneNumberFormat.E164) if form.get("phone") else ""
    exact = Client.document_index.in_(documents)
    if form.get("email"):
        exact |= Client.email == form["email"].strip().lower()
    if phone:
        exact |= Client.phone == phone
    hits = [(cid, found, "client", 100, "exact") for cid, found in Client.select(Client.id, Client.name).where(exact).tuples()]
    hits += [(pid, found, "party", 100, "document") for pid, found in
             Party.select(Party.id, Party.name).where(Party.document_index.in_(documents)).tuples()]
    for name in names:
        hits += [hit + (name,) for kind in ("client", "party") for hit in _similar(kind, name)]
    return render(HITS, hits=hits)


def floor_path(page) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in page.name.lower()).strip("-")
    query = page.url.partition("?")[2]
    return f"/floor/{slug}" + (f"?{query}" if query else "")


def make_app(pages, user_ids: dict[str, int]) -> tuple[Flask, dict[str, str]]:
    """The floor app (on the database ``core.db.db`` already points at) and each page's floor URL."""
    app = Flask("bench.floors", template_folder="templates")  # bench/templates/floor/: the shells
    app.config["TIMEZONE"] = "America/Bogota"  # the firm's zone, for the indicators that count local days
    # The words some floors take from the app's services (lazy gettext strings, e.g. the inventory's registers) are
    # rendered in Spanish, as a page typed by hand would have them.
    app.config.update(BABEL_DEFAULT_LOCALE="es", BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"))
    Babel(app)

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()

    urls = {}
    for page in pages:
        url = floor_path(page)
        path = url.partition("?")[0]
        if path not in app.view_functions:
            app.add_url_rule(path, endpoint=path, view_func=_view(page.floor, user_ids[page.role], page.url),
                             methods=["GET", "POST"])
        urls[page.name] = url
    return app, urls


def _view(floor, user_id: int, url: str):
    def view():
        g.page_url, g.user_id = url, user_id
        return floor(user_id)

    return view


# ----- case work (issue 5) -----
# Times as the app shows them: Bogotá is UTC−5 all year.

LOCAL_OFFSET = timedelta(hours=5)

CASE_HEAD = """<h1>{{ case.title }} <span>{{ case.status }}</span></h1>
<p>EXP-{{ '%05d' % case.id }} · {{ case.practice_area.name if case.practice_area_id else "" }} · {{ case.responsible.name if case.responsible_id else "—" }}
· <a href="/clientes/{{ case.client_id }}">{{ case.client.name }}</a> · Documentos {{ done }}/{{ total }}</p>"""

CASE_SUMMARY = PAGE.format(CASE_HEAD + """<dl><dt>Abierto</dt><dd>{{ case.opened_on.strftime("%d/%m/%Y") }}</dd>
<dt>Costo</dt><dd>{{ case.budget_amount or "—" }}</dd><dt>Informado</dt><dd>{{ case.budget_told_on or "" }} {{ case.budget_told_how }}</dd></dl>
<p>{{ case.description }}</p><p>{{ case.budget_notes }}</p>
<ul>{% for m in team %}<li>{{ m.user.name }}</li>{% endfor %}</ul>
<ul>{% for p in parties %}<li>{{ p.name }} · {{ p.kind }} · {{ p.relation }}</li>{% endfor %}</ul>
<ul>{% for e in evidence %}<li>{{ e.description }} · {{ e.kind }} · {{ e.collected_on or "" }}</li>{% endfor %}</ul>
<ul>{% for h in history %}<li>{{ h.created_at.strftime("%d/%m/%y %H:%M") }} · {{ h.from_status }} → {{ h.to_status }} · {{ h.by.name if h.by_id else "" }}</li>{% endfor %}</ul>""")

CASES = PAGE.format("""<table><tbody>{% for c in rows %}<tr><td><a href="/casos/{{ c.id }}">{{ c.title }}</a> · EXP-{{ '%05d' % c.id }}</td>
<td><a href="/clientes/{{ c.client_id }}">{{ c.client.name }}</a></td><td>{{ c.status }}</td>
<td>{{ c.responsible.name if c.responsible_id else "—" }}</td><td>{{ c.opened_on.strftime("%d/%m/%y") }}</td></tr>{% endfor %}</tbody></table>""")

AGENDA = PAGE.format("""<ol>{% for day, rows in days %}<li><h3>{{ day.strftime("%A %d") }}</h3>{% for r in rows %}
<a href="/casos/{{ r.case_id }}/intervenciones"><strong>{{ (r.starts_at - offset).strftime("%H:%M") }}</strong> {{ r.purpose }}<br>
{{ r.case.client.name }} · EXP-{{ '%05d' % r.case_id }} · {{ r.place }}</a>{% else %}<p>Libre</p>{% endfor %}</li>{% endfor %}</ol>""")

TIMELINE = """<ol>{% for i in rows %}<li><time datetime="{{ i.occurred_at.isoformat() }}Z">{{ (i.occurred_at - offset).strftime("%d/%m/%y %H:%M") }}</time>
· {{ i.channel }} · {{ i.direction }} · {{ i.kind }}{% if i.case_id %} · <a href="/casos/{{ i.case_id }}">EXP-{{ '%05d' % i.case_id }}</a>{% endif %}
<p>{{ "Confidencial" if i.confidential else i.summary }}</p>{% if i.answered_at %}<p>{{ (i.answered_at - offset).strftime("%d/%m/%y %H:%M") }}</p>{% endif %}
<small>{{ i.created_by.name if i.created_by_id else "" }}</small></li>{% endfor %}</ol>
{% if more %}<a href="?antes={{ rows[-1].id }}">Anteriores</a>{% endif %}"""

CLIENT_TIMELINE = PAGE.format("""<h1>{{ c.name }} <span>{{ c.status }}</span></h1>
<p>{{ c.kind }} · {{ c.practice_area.name if c.practice_area_id else "" }} · {{ c.responsible.name if c.responsible_id else "—" }}
· {{ c.last_update_at.strftime("%d/%m/%y") if c.last_update_at else "—" }}</p>""" + TIMELINE)

CASE_TIMELINE = PAGE.format(CASE_HEAD + TIMELINE)

CASE_DOCUMENTS = PAGE.format(CASE_HEAD + """<table><tbody>{% for d in items %}<tr><td>{{ d.name }}{% if d.required %} *{% endif %}</td>
<td>{{ d.status }}</td><td>{{ d.due_on.strftime("%d/%m/%y") if d.due_on else "" }}</td><td>{{ d.review_on.strftime("%d/%m/%y") if d.review_on else "" }}</td>
<td>{% for v in versions.get(d.id, []) %}<a href="/documentos/versiones/{{ v.id }}">v{{ v.number }} {{ v.file.original_name }} ({{ v.file.size }})</a> {% endfor %}</td></tr>{% endfor %}</tbody></table>""")

CASE_DEADLINES = PAGE.format(CASE_HEAD + """<table><tbody>{% for d in rows %}<tr><td>{{ d.description }}</td><td>{{ d.kind }}</td>
<td>{{ (d.due_at - offset).strftime("%d/%m/%y %H:%M") }}</td><td>{{ d.responsible.name }}</td><td>{{ d.alert_days }}</td><td>{{ d.status }}</td></tr>{% endfor %}</tbody></table>""")

WORK = PAGE.format("""{% for key, rows in sections %}<section><h2>{{ key }}</h2><ul>{% for r in rows %}<li>{{ r.when }} · {{ r.what }}
{% if r.case_id %}· <a href="/casos/{{ r.case_id }}">EXP-{{ '%05d' % r.case_id }}</a>{% endif %}
{% if r.client_name %}· <a href="/clientes/{{ r.client_id }}">{{ r.client_name }}</a>{% endif %}</li>{% endfor %}</ul></section>{% endfor %}""")


def _local_today():
    return (utcnow() - LOCAL_OFFSET).date()


def _case_id() -> int:
    """The case id in the page's URL: /casos/<id>, /interacciones/casos/<id>, /documentos/casos/<id>/plazos."""
    parts = page_url().partition("?")[0].split("/")
    return int(parts[parts.index("casos") + 1])


def _case_header(case_id: int):
    """The case with its client, practice area and responsible, and the document progress: two queries."""
    case = (Case.select(Case, Client, PracticeArea, User).join(Client).switch(Case)
            .join(PracticeArea, JOIN.LEFT_OUTER, on=(Case.practice_area == PracticeArea.id)).switch(Case)
            .join(User, JOIN.LEFT_OUTER, on=(Case.responsible == User.id)).where(Case.id == case_id).get())
    row = (DocumentItem.select(fn.COUNT(DocumentItem.id).alias("total"),
                               fn.SUM(SqlCase(None, [(DocumentItem.status.in_(SATISFIED), 1)], 0)).alias("done"))
           .where(DocumentItem.case == case_id).dicts().get())
    return {"case": case, "done": int(row["done"] or 0), "total": int(row["total"] or 0)}


def case_summary(user_id: int) -> str:
    """The case, its progress, team, parties, evidence and status history: six indexed queries."""
    head = _case_header(_case_id())
    case = head["case"]
    team = list(CaseMember.select(CaseMember, User).join(User, on=(CaseMember.user == User.id))
                .where(CaseMember.case == case.id).order_by(User.name))
    parties = list(Party.select().where(Party.case == case.id).order_by(Party.kind, Party.name))
    evidence = list(EvidenceItem.select().where(EvidenceItem.case == case.id).order_by(EvidenceItem.id))
    history = list(CaseStatusChange.select(CaseStatusChange, User)
                   .join(User, JOIN.LEFT_OUTER, on=(CaseStatusChange.by == User.id))
                   .where(CaseStatusChange.case == case.id).order_by(CaseStatusChange.id.desc()))
    return render(CASE_SUMMARY, team=team, parties=parties, evidence=evidence, history=history, **head)


def cases(user_id: int) -> str:
    """The cases being worked, newest first, 25 (no count)."""
    rows = (Case.select(Case, Client, User).join(Client).switch(Case)
            .join(User, JOIN.LEFT_OUTER, on=(Case.responsible == User.id))
            .where(Case.status != "closed").order_by(Case.id.desc()).limit(25))
    return render(CASES, rows=list(rows))


def agenda(user_id: int) -> str:
    """This week's interventions of the person (Monday to Sunday, local), with case and client: one query."""
    today = _local_today()
    monday = today - timedelta(days=today.weekday())
    start = datetime(monday.year, monday.month, monday.day) + LOCAL_OFFSET
    rows = list(Intervention.select(Intervention, Case, Client).join(Case).join(Client)
                .where(Intervention.assigned == user_id, Intervention.starts_at >= start,
                       Intervention.starts_at < start + timedelta(days=7), Intervention.status != "cancelled")
                .order_by(Intervention.starts_at))
    days = [(monday + timedelta(days=i), [r for r in rows if (r.starts_at - LOCAL_OFFSET).date() == monday + timedelta(days=i)])
            for i in range(7)]
    return render(AGENDA, days=days, offset=LOCAL_OFFSET)


TIMELINE_SIZE = 20  # services.interactions.PAGE_SIZE


def _timeline(where):
    rows = list(Interaction.select(Interaction, User).join(User, JOIN.LEFT_OUTER, on=(Interaction.created_by == User.id))
                .where(where).order_by(Interaction.id.desc()).limit(TIMELINE_SIZE + 1))
    return rows[:TIMELINE_SIZE], len(rows) > TIMELINE_SIZE


def client_interactions(user_id: int) -> str:
    """The client and the newest page of its timeline, with each entry's author: two indexed queries."""
    client = _client_rows().where(Client.id == _path_id()).get()
    rows, more = _timeline(Interaction.client == client.id)
    return render(CLIENT_TIMELINE, c=client, rows=rows, more=more, offset=LOCAL_OFFSET)


def case_interactions(user_id: int) -> str:
    head = _case_header(_case_id())
    rows, more = _timeline(Interaction.case == head["case"].id)
    return render(CASE_TIMELINE, rows=rows, more=more, offset=LOCAL_OFFSET, **head)


def case_documents(user_id: int) -> str:
    """The checklist and every version's file: the header's two queries, the items, their versions."""
    head = _case_header(_case_id())
    items = list(DocumentItem.select().where(DocumentItem.case == head["case"].id)
                 .order_by(DocumentItem.required.desc(), DocumentItem.id))
    versions: dict[int, list] = {}
    for version in (DocumentVersion.select(DocumentVersion, StoredFile).join(StoredFile)
                    .where(DocumentVersion.item.in_([i.id for i in items]))
                    .order_by(DocumentVersion.item, DocumentVersion.number.desc())):
        versions.setdefault(version.item_id, []).append(version)
    return render(CASE_DOCUMENTS, items=items, versions=versions, **head)


def case_deadlines(user_id: int) -> str:
    head = _case_header(_case_id())
    rows = list(Deadline.select(Deadline, User).join(User, on=(Deadline.responsible == User.id))
                .where(Deadline.case == head["case"].id).order_by(Deadline.status != "open", Deadline.due_at))
    return render(CASE_DEADLINES, rows=rows, offset=LOCAL_OFFSET, **head)


WORK_ROWS = 10  # services.home.work.PER_SECTION: each section's first rows (the rest loads on demand)


def _row(when, what, case_id=None, client=None):
    return {"when": when, "what": what, "case_id": case_id, "client_id": client.id if client else None,
            "client_name": client.name if client else ""}


def work_queue(user_id: int) -> str:
    """The person's queue, section by section, as the page builds it: the ids of the person's clients, one
    tally of every section (how many), then the first rows of each section that has any, each with what it
    links to: its deadlines in their alert window, planned interventions up to today, open follow-ups,
    documents waiting for a review on its open cases, unanswered questions of its clients, closed cases with
    the survey due, and active clients waiting for their periodic update."""
    today = _local_today()
    now = utcnow()
    day_end = datetime(today.year, today.month, today.day) + LOCAL_OFFSET + timedelta(days=1)
    client_ids = [c for (c,) in Client.select(Client.id).where(Client.responsible == user_id).tuples()]
    queries = {
        "Plazos": Deadline.select(Deadline, Case, Client).join(Case).join(Client)
        .where(Deadline.responsible == user_id, Deadline.status == "open", Deadline.alert_from <= today)
        .order_by(Deadline.due_at, Deadline.id),
        "Intervenciones": Intervention.select(Intervention, Case, Client).join(Case).join(Client)
        .where(Intervention.assigned == user_id, Intervention.status == "planned", Intervention.starts_at < day_end)
        .order_by(Intervention.starts_at, Intervention.id),
        "Seguimientos": Task.select(Task, Client).join(Client, JOIN.LEFT_OUTER, on=(Task.client == Client.id))
        .where(Task.owner == user_id, Task.done_at.is_null()).order_by(Task.due_on, Task.id),
        "Documentos": DocumentItem.select(DocumentItem, Case, Client).join(Case).join(Client)
        .where(Case.responsible == user_id, Case.status != "closed",
               (DocumentItem.status == "received") | ((DocumentItem.status == "reviewed") & (DocumentItem.review_on <= today)))
        .order_by(DocumentItem.id),
        "Preguntas": Interaction.select(Interaction, Client).join(Client)
        .where(Interaction.client.in_(client_ids), Interaction.kind.in_(("question", "concern")),
               off_index(Interaction.direction) == "in", Interaction.answered_at.is_null())
        .order_by(Interaction.occurred_at, Interaction.id),
        "Encuestas": Case.select(Case, Client).join(Client)
        .where(Case.responsible == user_id, Case.status == "closed", Case.survey_due_on.is_null(False))
        .order_by(Case.survey_due_on, Case.id),
        "Actualización": Client.select().where(Client.responsible == user_id, Client.status == "active",
                                               Client.last_update_at.is_null() | (Client.last_update_at < now - timedelta(days=15)))
        .order_by(Client.last_update_at, Client.id),
    }
    names = list(queries)
    tally = reduce(operator.add, [q.select(SQL(str(i)), fn.COUNT(SQL("*"))).order_by() for i, q in enumerate(queries.values())])
    counts = {names[i]: n for i, n in tally.tuples()}
    rows = {name: list(q.limit(WORK_ROWS)) if counts.get(name) else [] for name, q in queries.items()}
    sections = [
        ("Plazos", [_row(d.due_at - LOCAL_OFFSET, d.description, d.case_id, d.case.client) for d in rows["Plazos"]]),
        ("Intervenciones", [_row(r.starts_at - LOCAL_OFFSET, r.purpose, r.case_id, r.case.client) for r in rows["Intervenciones"]]),
        ("Seguimientos", [_row(t.due_on, t.title, t.case_id, t.client if t.client_id else None) for t in rows["Seguimientos"]]),
        ("Documentos", [_row(d.review_on or "", d.name, d.case_id, d.case.client) for d in rows["Documentos"]]),
        ("Preguntas", [_row(q.occurred_at - LOCAL_OFFSET, q.kind, q.case_id, q.client) for q in rows["Preguntas"]]),
        ("Encuestas", [_row(c.survey_due_on, c.title, c.id, c.client) for c in rows["Encuestas"]]),
        ("Actualización", [_row(c.last_update_at or "", c.name, None, c) for c in rows["Actualización"]]),
    ]
    return render(WORK, sections=[(f"{name} ({counts.get(name, 0)})", found) for name, found in sections])


# ----- surveys, complaints (issue 6) -----

INVITATIONS = PAGE.format("""<table><tbody>{% for i in rows %}<tr><td><a href="/encuestas/invitaciones/{{ i.id }}">{{ i.client.name }}</a></td>
<td>{{ i.case.title if i.case_id else "—" }}</td><td>{{ i.template.name }} v{{ i.template.version }}</td>
<td>{% if i.template.anonymous and i.status not in ("pending", "withdrawn") %}{{ "sent" if i.status != "expired" and i.expires_at > now else "closed" }} · anónima{% else %}{{ i.status }}{% if i.reminders_sent %} · {{ i.reminders_sent }}{% endif %}{% endif %}</td>
<td>{{ i.send_on.strftime("%d/%m/%y") }}</td><td>{{ (i.sent_at - offset).strftime("%d/%m/%y %H:%M") if i.sent_at else "—" }}</td>
<td>{{ (i.expires_at - offset).strftime("%d/%m/%y") }}</td></tr>{% endfor %}</tbody></table>""")

# The satisfaction record's filters (the options its form offers) and the note on anonymous answers left out.
SURVEY_FILTERS = """<form><input type=date name=desde value="{{ start.isoformat() }}"><input type=date name=hasta value="{{ end.isoformat() }}">
<select name=area>{% for a in areas %}<option value="{{ a.id }}"{% if a.id == area %} selected{% endif %}>{{ a.name }}</option>{% endfor %}</select>
<select name=responsable>{% for u in people %}<option value="{{ u.id }}">{{ u.name }}</option>{% endfor %}</select>
<select name=encuesta>{% for family, name in families %}<option value="{{ family }}">{{ name }}</option>{% endfor %}</select></form>"""
ANONYMOUS_HIDDEN = """<p>Algunas respuestas anónimas no están en estas cifras: su mes tiene menos de {{ minimum }}.</p>"""

SURVEY_RESULTS = PAGE.format(SURVEY_FILTERS + """{% if total.hidden %}""" + ANONYMOUS_HIDDEN + """{% endif %}
{% if area %}<p>Las respuestas anónimas no guardan área ni responsable.</p>{% endif %}
<dl><dt>Satisfacción</dt><dd>{{ pct(total.rate) }} ({{ total.high }}/{{ total.ratings }})</dd>
<dt>NPS</dt><dd>{{ signed(total.nps) }} ({{ total.promoters }}/{{ total.passives }}/{{ total.detractors }})</dd>
<dt>Respuestas</dt><dd>{{ total.n }} · {{ pct(response_rate) }} · {{ total.anonymous }} anónimas</dd><dt>Bajas</dt><dd>{{ total.low }}</dd></dl>
<dl>{% for status, n in invitations %}<dt>{{ status }}</dt><dd>{{ n }}</dd>{% endfor %}</dl>
<table><tbody>{% for c, avg, n, high in criteria %}<tr><th>{{ c }}</th><td>{{ "—" if avg is none else "%.2f"|format(avg) }}</td>
<td>{{ pct(100 * high / n if n else none) }}</td><td>{{ n }}</td></tr>{% endfor %}</tbody></table>
<svg viewBox="0 0 640 170">{% for m in months %}<rect x="{{ loop.index0 * 640 / months|length }}" y="{{ 170 - (m.rate or 0) * 1.7 }}" width="20" height="{{ (m.rate or 0) * 1.7 }}"><title>{{ m.month }} {{ pct(m.rate) }}</title></rect>{% endfor %}</svg>
<svg viewBox="0 0 640 170">{% for m in months %}<rect x="{{ loop.index0 * 640 / months|length }}" y="{{ 85 - [m.nps or 0, 0]|max * 0.85 }}" width="20" height="{{ (m.nps or 0)|abs * 0.85 }}"><title>{{ m.month }} {{ signed(m.nps) }}</title></rect>{% endfor %}</svg>
<table><tbody>{% for m in months %}<tr><th>{{ m.month.strftime("%m/%Y") }}</th><td>{{ m.n }}</td><td>{{ pct(m.rate) }}</td><td>{{ signed(m.nps) }}</td><td>{{ m.low }}</td></tr>{% endfor %}</tbody></table>""")

SURVEY_LISTED = SURVEY_FILTERS + """<p>{{ total }}</p>{% if anonymous.counted %}<p>{{ anonymous.counted }} respuestas anónimas solo cuentan en los totales.</p>{% endif %}
{% if anonymous.hidden %}""" + ANONYMOUS_HIDDEN + """{% endif %}"""

SURVEY_RESPONSES = PAGE.format(SURVEY_LISTED + """<table><tbody>{% for r in rows %}{% set s = scores[r.id] %}<tr>
<td><a href="/encuestas/resultados/respuestas/{{ r.id }}">{{ r.answered_on.strftime("%d/%m/%y") }}</a></td>
<td>{% if r.client_id %}<a href="/clientes/{{ r.client.id }}">{{ r.client.name }}</a>{% endif %}{% if r.case_id %} <a href="/casos/{{ r.case.id }}">EXP-{{ '%05d' % r.case.id }} · {{ r.case.title }}</a>{% endif %}
{% if r.responsible_id %} {{ r.responsible.name }}{% endif %}{% if r.low_score %} baja{% endif %}</td>
{% for c in criteria %}<td>{{ s.by_criterion.get(c, "—") }}</td>{% endfor %}<td>{{ r.nps if r.nps is not none else "—" }}</td>
<td>{{ "%.1f"|format(r.ratings_sum / r.ratings_count) if r.ratings_count else "—" }}</td></tr>{% endfor %}</tbody></table>""")

SURVEY_COMMENTS = PAGE.format(SURVEY_LISTED + """<ul>{% for r in rows %}<li><time>{{ r.answered_on.strftime("%d/%m/%y") }}</time>
{% if r.client_id %} <a href="/clientes/{{ r.client.id }}">{{ r.client.name }}</a>{% endif %}{% if r.case_id %} <a href="/casos/{{ r.case.id }}">EXP-{{ '%05d' % r.case.id }}</a>{% endif %}
<a href="/encuestas/resultados/respuestas/{{ r.id }}">ver</a>{% if r.nps is not none %} NPS {{ r.nps }}{% endif %}
{% if r.ratings_count %} {{ "%.1f"|format(r.ratings_sum / r.ratings_count) }}{% endif %}{% if r.low_score %} baja{% endif %}
{% for text in scores[r.id].comments %}<blockquote>{{ text }}</blockquote>{% endfor %}</li>{% endfor %}</ul>""")

COMPLAINTS = PAGE.format("""<table><tbody>{% for c in rows %}<tr><td><a href="/quejas/{{ c.id }}">{{ c.number }}</a></td><td>{{ c.kind }}</td>
<td>{{ c.client.name if c.client_id else c.walk_in_name }}</td><td>{{ c.category.name if c.category_id else "" }}</td><td>{{ c.severity }}</td>
<td>{{ (c.received_at - offset).strftime("%d/%m/%y %H:%M") }}</td><td>{{ c.owner.name }}</td><td>{{ c.status }}</td>
<td>{% set due = c.response_due_at if c.status == "received" else c.due_at %}{{ (due - offset).strftime("%d/%m/%y") if due else "" }}</td></tr>{% endfor %}</tbody></table>""")

COMPLAINT_TRENDS = PAGE.format("""<dl><dt>Recibidas</dt><dd>{{ s.total }}</dd><dt>Resueltas</dt><dd>{{ s.resolved }} ({{ s.within }} a tiempo)</dd>
<dt>Promedio</dt><dd>{{ "%.1f"|format((s.avg_hours or 0) / 24) }} días</dd><dt>p90</dt><dd>{{ "%.1f"|format((p90 or 0) / 24) }} días</dd></dl>
{% for title, rows in groups %}<h2>{{ title }}</h2><ul>{% for key, n in rows %}<li>{{ key }}: {{ n }}</li>{% endfor %}</ul>{% endfor %}
<ol>{% for c in recurring %}<li><a href="/clientes/{{ c.id }}">{{ c.name }}</a> {{ c.n }}</li>{% endfor %}</ol>""")

SURVEY_FORM = PUBLIC_PAGE.format("""<h1>{{ firm }}</h1><p>{{ service }}</p><p>{{ t.intro }}</p><form method=post>
{% for q in questions %}<fieldset><legend>{{ q.text }}</legend><small>{{ q.help }}</small>
{% if q.kind == "rating" %}{% for v in range(1, 6) %}<label><input type=radio name="q{{ q.id }}" value="{{ v }}">{{ v }}</label>{% endfor %}
{% elif q.kind == "nps" %}{% for v in range(0, 11) %}<label><input type=radio name="q{{ q.id }}" value="{{ v }}">{{ v }}</label>{% endfor %}
{% else %}<textarea name="q{{ q.id }}" maxlength=2000></textarea>{% endif %}</fieldset>{% endfor %}<button>Enviar</button></form>""")


def _months_back(months: int):
    """The results pages' period: ``?desde=`` or the first day of the month ``months - 1`` months ago, to today."""
    today = _local_today()
    if desde := request.args.get("desde"):
        return datetime.strptime(desde, "%Y-%m-%d").date(), today
    index = today.year * 12 + today.month - 1 - (months - 1)
    return today.replace(year=index // 12, month=index % 12 + 1, day=1), today


def survey_invitations(user_id: int) -> str:
    """The newest 25 invitations with client, case and template: one query (no count). An anonymous survey's
    shows only sent or closed, without reminders (SurveyInvitation.shown_status)."""
    rows = (SurveyInvitation.select(SurveyInvitation, Client, Case, SurveyTemplate).join(Client).switch(SurveyInvitation)
            .join(Case, JOIN.LEFT_OUTER, on=(SurveyInvitation.case == Case.id)).switch(SurveyInvitation)
            .join(SurveyTemplate, on=(SurveyInvitation.template == SurveyTemplate.id))
            .order_by(SurveyInvitation.id.desc()).limit(25))
    return render(INVITATIONS, rows=list(rows), offset=LOCAL_OFFSET, now=utcnow())


# ----- the satisfaction record (services.surveys.results): the same statements, written out -----

def _min_anonymous() -> int:
    """core.config's SURVEY_MIN_ANONYMOUS as the benchmarked app has it (the environment, else 3)."""
    return max(1, int(os.environ.get("TRAZA_SURVEY_MIN_ANONYMOUS", "3")))


def _count_if(cond):
    return fn.COALESCE(fn.SUM(SqlCase(None, [(cond, 1)], 0)), 0)


def _survey_filters():
    """The period (the last 12 months, or ``?desde=``) and ``?area=``; the choices the filter form offers:
    practice areas, the responsibles that have answers, the current surveys (three queries)."""
    start, end = _months_back(12)
    area = int(request.args["area"]) if request.args.get("area") else None
    areas = list(PracticeArea.select().order_by(PracticeArea.is_active.desc(), PracticeArea.name))
    people = list(User.select(User.id, User.name).where(User.id.in_(
        SurveyResponse.select(SurveyResponse.responsible).where(SurveyResponse.responsible.is_null(False)).distinct()))
        .order_by(User.name))
    families = list(SurveyTemplate.select(SurveyTemplate.family, SurveyTemplate.name)
                    .where(SurveyTemplate.is_current == True).order_by(SurveyTemplate.name).tuples())  # noqa: E712
    return {"start": start, "end": end, "area": area, "areas": areas, "people": people, "families": families}


def _survey_responses(f, *columns):
    """The period's responses (the month bounds let the (area, month) and (month) indexes range)."""
    R = SurveyResponse
    query = R.select(*columns).where(R.answered_on >= f["start"], R.answered_on <= f["end"],
                                     R.month >= f["start"].replace(day=1), R.month <= f["end"])
    return query.where(R.practice_area == f["area"]) if f["area"] else query


SURVEY_TOTALS = ("n", "ratings", "high", "ratings_sum", "nps_n", "promoters", "passives", "detractors", "comments", "low",
                 "anonymous")


def _with_rates(m: dict) -> dict:
    m["rate"] = 100 * m["high"] / m["ratings"] if m["ratings"] else None
    m["nps"] = 100 * (m["promoters"] - m["detractors"]) / m["nps_n"] if m["nps_n"] else None
    return m


def survey_results(user_id: int) -> str:
    """The filters' choices (three queries); each month's summary columns, named and anonymous apart (a month's
    anonymous answers count as responses only, unscored, when it holds fewer than SURVEY_MIN_ANONYMOUS; the
    totals are the months' sum); what happened to invitations in the period, each event on its day; each
    criterion's column by month the same way: six queries."""
    R, I = SurveyResponse, SurveyInvitation  # noqa: E741
    f = _survey_filters()
    minimum = _min_anonymous()
    month_rows = (_survey_responses(f, R.month, R.anonymous, fn.COUNT(R.id), fn.COALESCE(fn.SUM(R.ratings_count), 0),
                                    fn.COALESCE(fn.SUM(R.ratings_high), 0), fn.COALESCE(fn.SUM(R.ratings_sum), 0),
                                    fn.COUNT(R.nps), _count_if(R.nps >= 9), _count_if(R.nps.between(7, 8)),
                                    _count_if(R.nps <= 6), _count_if(R.has_comment == True),  # noqa: E712
                                    _count_if(R.low_score == True), _count_if(R.anonymous == True))  # noqa: E712
                  .group_by(R.month, R.anonymous).tuples())
    by_month: dict = {}
    for month, anonymous, *values in month_rows:
        month = month if isinstance(month, date) else date.fromisoformat(str(month))
        m = by_month.setdefault(month, dict.fromkeys((*SURVEY_TOTALS, "hidden"), 0))
        if anonymous and values[0] < minimum:
            m["n"] += values[0]
            m["anonymous"] += values[0]
            m["hidden"] += values[0]
        else:
            for key, value in zip(SURVEY_TOTALS, values, strict=True):
                m[key] += int(value or 0)
    months, current = [], f["start"].replace(day=1)
    while current <= f["end"]:
        months.append(_with_rates({"month": current, **by_month.get(current, dict.fromkeys((*SURVEY_TOTALS, "hidden"), 0))}))
        current = (current + timedelta(days=32)).replace(day=1)
    total = _with_rates({key: sum(m[key] for m in months) for key in (*SURVEY_TOTALS, "hidden")})

    now = utcnow()
    start_at = datetime(f["start"].year, f["start"].month, f["start"].day) + LOCAL_OFFSET
    end_at = datetime(f["end"].year, f["end"].month, f["end"].day) + LOCAL_OFFSET + timedelta(days=1)

    def during(column):
        return (column >= start_at) & (column < end_at)

    events = (
        (I.status == "pending") & (I.expires_at > now) & (I.send_on >= f["start"]) & (I.send_on <= f["end"]),
        during(I.sent_at) | (I.sent_at.is_null() & during(I.opened_at))
        | (I.sent_at.is_null() & I.opened_at.is_null() & during(I.answered_at)),
        during(I.opened_at),
        (I.status == "answered") & during(I.answered_at),
        ((I.status == "expired") | I.status.in_(("pending", "sent", "opened"))) & during(I.expires_at) & (I.expires_at <= now),
        (I.status == "withdrawn") & during(I.withdrawn_at),
    )
    query = I.select(fn.COUNT(I.id), *(_count_if(e) for e in events)).where(reduce(operator.or_, events))
    if f["area"]:
        query = query.where(I.practice_area == f["area"]).where(I.template.not_in(
            SurveyTemplate.select(SurveyTemplate.id).where(SurveyTemplate.anonymous == True)))  # noqa: E712
    _all, pending, sent, opened, answered, expired, withdrawn = (int(v or 0) for v in query.tuples().get())
    invitations = [("Enviadas", sent), ("Abiertas", opened), ("Respondidas", answered), ("Vencidas", expired),
                   ("Sin enviar", pending), ("Retiradas", withdrawn)]

    columns = []
    for criterion in CRITERIA:
        column = R.criterion_field(criterion)
        columns += [fn.COALESCE(fn.SUM(column), 0), fn.COUNT(column), _count_if(column >= 4)]
    sums = [[0, 0, 0] for _ in CRITERIA]
    for anonymous, n, *values in (_survey_responses(f, R.anonymous, fn.COUNT(R.id), *columns)
                                  .group_by(R.month, R.anonymous).tuples()):
        if anonymous and n < minimum:
            continue
        for i, part in enumerate(sums):
            for j in range(3):
                part[j] += int(values[3 * i + j] or 0)
    criteria = [(c, s / n if n else None, n, high) for c, (s, n, high) in zip(CRITERIA, sums, strict=True)]
    return render(SURVEY_RESULTS, total=total, months=months, criteria=criteria, invitations=invitations,
                  response_rate=100 * answered / sent if sent else None, minimum=minimum, pct=_pct, signed=_signed, **f)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _signed(value) -> str:
    return "—" if value is None else f"{value:+.0f}"


def survey_responses(user_id: int) -> str:
    """The filters' choices (three queries), then as the responses (or comments) tab: the named responses'
    count, the newest 20 with client, case, area, responsible and survey, their answers with the questions,
    and the anonymous ones the list leaves out, by month: seven queries."""
    R, A, Q = SurveyResponse, SurveyAnswer, SurveyQuestion
    f = _survey_filters()
    comments_only = "comentarios" in page_url()
    named = _survey_responses(f, R.id).where(R.anonymous == False)  # noqa: E712
    if comments_only:
        named = named.where(R.has_comment == True)  # noqa: E712
    total = named.count()
    query = (_survey_responses(f, R, Client.id, Client.name, Case.id, Case.title, PracticeArea.id, PracticeArea.name,
                               User.id, User.name, SurveyTemplate.id, SurveyTemplate.name, SurveyTemplate.version)
             .join(Client, JOIN.LEFT_OUTER, on=(R.client == Client.id)).switch(R)
             .join(Case, JOIN.LEFT_OUTER, on=(R.case == Case.id)).switch(R)
             .join(PracticeArea, JOIN.LEFT_OUTER, on=(R.practice_area == PracticeArea.id)).switch(R)
             .join(User, JOIN.LEFT_OUTER, on=(R.responsible == User.id)).switch(R)
             .join(SurveyTemplate, on=(R.template == SurveyTemplate.id))
             .where(R.anonymous == False))  # noqa: E712
    if comments_only:
        query = query.where(R.has_comment == True)  # noqa: E712
    rows = list(query.order_by(R.answered_on.desc(), R.id.desc()).paginate(1, 20))
    scores = {r.id: {"by_criterion": {}, "comments": []} for r in rows}
    if rows:
        for rid, criterion, score, value, kind, _text in (
                A.select(A.response, A.criterion, A.score, A.value, Q.kind, Q.text).join(Q, on=(A.question == Q.id))
                .where(A.response.in_([r.id for r in rows])).order_by(A.response, Q.position, Q.id).tuples()):
            if kind == "rating" and criterion:
                scores[rid]["by_criterion"][criterion] = score
            elif kind == "text" and value:
                scores[rid]["comments"].append(value)
    minimum, anonymous = _min_anonymous(), {"counted": 0, "hidden": 0}
    for n, with_comment in (_survey_responses(f, fn.COUNT(R.id), _count_if(R.has_comment == True))  # noqa: E712
                            .where(R.anonymous == True).group_by(R.month).tuples()):  # noqa: E712
        if n >= minimum:
            anonymous["counted"] += int(with_comment if comments_only else n)
        else:
            anonymous["hidden"] += int(n)
    return render(SURVEY_COMMENTS if comments_only else SURVEY_RESPONSES, rows=rows, scores=scores, total=total,
                  anonymous=anonymous, minimum=minimum, criteria=CRITERIA, **f)


def complaints(user_id: int) -> str:
    """The first 25 of the register with client, owner and category: the open ones by their current due date
    (those without one last), then the handled ones newest received first; two queries (no count)."""
    query = (Complaint.select(Complaint, Client, User, ComplaintCategory)
             .join(Client, JOIN.LEFT_OUTER, on=(Complaint.client == Client.id)).switch(Complaint)
             .join(User, on=(Complaint.owner == User.id)).switch(Complaint)
             .join(ComplaintCategory, JOIN.LEFT_OUTER, on=(Complaint.category == ComplaintCategory.id)))
    estado = request.args.get("estado", "open")
    if estado == "open":
        query = query.where(Complaint.status.in_(OPEN_STATES))
    elif estado:
        query = query.where(Complaint.status == estado)
    due = SqlCase(None, [(Complaint.status == "received", Complaint.response_due_at)], Complaint.due_at)
    rows = list(query.where(Complaint.status.in_(OPEN_STATES))
                .order_by(due.is_null(), due, Complaint.received_at.desc(), Complaint.id.desc()).limit(25))
    rows += list(query.where(Complaint.status.not_in(OPEN_STATES))
                 .order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(25 - len(rows)))
    return render(COMPLAINTS, rows=rows, offset=LOCAL_OFFSET)


def complaint_trends(user_id: int) -> str:
    """The last 12 months of complaints received: one pass for the totals and resolution times, one grouped
    query per breakdown (month, category, channel, area), the p90 by offset, recurring clients: seven."""
    C = Complaint
    start_day, end_day = _months_back(12)
    start = datetime(start_day.year, start_day.month, start_day.day) + LOCAL_OFFSET
    end = datetime(end_day.year, end_day.month, end_day.day) + LOCAL_OFFSET + timedelta(days=1)
    period = (C.received_at >= start) & (C.received_at < end)
    hours = (fn.julianday(C.resolved_at) - fn.julianday(C.received_at)) * 24.0
    s = (C.select(fn.COUNT(C.id).alias("total"), fn.COUNT(C.resolved_at).alias("resolved"),
                  fn.SUM(SqlCase(None, [((C.resolved_at.is_null(False)) & (C.resolved_at <= C.due_at), 1)], 0)).alias("within"),
                  fn.AVG(hours).alias("avg_hours")).where(period).dicts().get())
    p90 = (C.select(hours).where(period, C.resolved_at.is_null(False)).order_by(hours)
           .limit(1).offset(max(0, int(0.9 * (s["resolved"] or 0)) - 1)).scalar())
    month = fn.strftime("%Y-%m", C.received_at)
    groups = [
        ("Mes", list(C.select(month, fn.COUNT(C.id)).where(period).group_by(month).order_by(month).tuples())),
        ("Categoría", list(C.select(ComplaintCategory.name, fn.COUNT(C.id)).join(ComplaintCategory, JOIN.LEFT_OUTER)
                           .where(period).group_by(C.category).order_by(fn.COUNT(C.id).desc()).tuples())),
        ("Canal", list(C.select(C.channel, fn.COUNT(C.id)).where(period).group_by(C.channel)
                       .order_by(fn.COUNT(C.id).desc()).tuples())),
        ("Área", list(C.select(PracticeArea.name, fn.COUNT(C.id)).join(PracticeArea, JOIN.LEFT_OUTER,
                                                                        on=(C.practice_area == PracticeArea.id))
                      .where(period).group_by(C.practice_area).order_by(fn.COUNT(C.id).desc()).tuples())),
    ]
    n = fn.COUNT(C.id)
    recurring = list(C.select(Client.id, Client.name, n.alias("n")).join(Client, on=(C.client == Client.id))
                     .where(period).group_by(Client.id).having(n >= 2).order_by(n.desc(), Client.name).limit(50).dicts())
    return render(COMPLAINT_TRENDS, s=s, p90=p90, groups=groups, recurring=recurring)


def survey_form(user_id) -> str:
    """The public form: the invitation its link opens, with template, client and case (one indexed query),
    and the template's questions."""
    token = page_url().rstrip("/").rsplit("/", 1)[1]
    invitation = (SurveyInvitation.select(SurveyInvitation, SurveyTemplate, Client, Case).join(SurveyLink)
                  .switch(SurveyInvitation).join(SurveyTemplate).switch(SurveyInvitation).join(Client)
                  .switch(SurveyInvitation).join(Case, JOIN.LEFT_OUTER, on=(SurveyInvitation.case == Case.id))
                  .where(SurveyLink.token_hash == crypto.token_hash(token), SurveyLink.revoked_at.is_null(),
                         SurveyInvitation.status.in_(LIVE_STATES), SurveyInvitation.expires_at > utcnow()).get())
    questions = list(SurveyQuestion.select().where(SurveyQuestion.template == invitation.template_id)
                     .order_by(SurveyQuestion.position, SurveyQuestion.id))
    return render(SURVEY_FORM, t=invitation.template, questions=questions,
                  service=invitation.case.title if invitation.case_id else "")


# ----- the one search box (/buscar) -----

SEARCH = PAGE.format("""{% for kind, rows in groups %}<section><h2>{{ kind }}</h2><ul>{% for href, title, meta in rows %}
<li><a href="{{ href }}">{{ title }} <span>{{ meta }}</span></a></li>{% endfor %}</ul></section>{% endfor %}""")
SEARCH_ROWS = 11  # services.search.PAGE_LIMIT, and one more to know there are more


def _clients_matching(q: str):
    """The client list's search: the whole document number (blind index, any type) or every word as a prefix."""
    compact = _compact(q)
    conditions = []
    if len(compact) >= 5 and any(ch.isdigit() for ch in compact):
        conditions.append(Client.document_index.in_([document_index(t, compact) for t in DOCUMENT_TYPES]))
    words = [w for w in tokens(q) if len(w) >= 2][:5]
    if words:
        conditions.append(Client.id.in_(reduce(operator.and_, [
            SearchToken.select(SearchToken.ref_id).where(SearchToken.kind == "client", _prefix(w)) for w in words])))
    return reduce(operator.or_, conditions) if conditions else (Client.id == 0)


def _case_code_rows(digits: str) -> list:
    """A case code as typed: that number, and the numbers whose five-digit code starts with the digits."""
    exact = int(digits)
    scale = 10 ** max(0, 5 - len(digits))
    rows = (Case.select(Case, Client, User).join(Client).switch(Case)
            .join(User, JOIN.LEFT_OUTER, on=(Case.responsible == User.id))
            .where((Case.id == exact) | Case.id.between(exact * scale, exact * scale + scale - 1))
            .order_by(Case.id).limit(SEARCH_ROWS))
    return [(f"/casos/{c.id}", c.title, f"EXP-{c.id:05d} · {c.client.name} · {c.status}") for c in rows]


def search(user_id: int) -> str:
    """Every kind management sees: up to 300 clients found by the list's search (their ids, once; 100 beyond), the
    complaints by the register's search for them, and the newest cases, quotations, contracts, documents and
    interactions of those clients (ids on the (client, id) indexes first, then the rows); a case code searches
    the cases only. One query per kind, plus the ids."""
    q = request.args.get("q", "").strip()
    if q.upper().startswith("EXP-"):
        return render(SEARCH, groups=[("Casos", _case_code_rows(q[4:]))])
    found = _clients_matching(q)
    ids = [i for (i,) in Client.select(Client.id).where(found).limit(301).tuples()]
    ids = ids[:100] if len(ids) > 300 else ids  # services.search.CLIENT_IDS, BROAD_IDS
    clients = _client_rows().where(Client.id.in_(ids)).order_by(Client.name, Client.id).limit(SEARCH_ROWS)
    complaints = (Complaint.select(Complaint, Client, User, ComplaintCategory)
                  .join(Client, JOIN.LEFT_OUTER, on=(Complaint.client == Client.id)).switch(Complaint)
                  .join(User, on=(Complaint.owner == User.id)).switch(Complaint)
                  .join(ComplaintCategory, JOIN.LEFT_OUTER, on=(Complaint.category == ComplaintCategory.id))
                  .where(Complaint.client.in_(ids) | (Complaint.number == q.upper()) | Complaint.walk_in_name.contains(q))
                  .order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(SEARCH_ROWS))
    newest_cases = Case.select(Case.id).where(Case.client.in_(ids)).order_by(Case.id.desc()).limit(SEARCH_ROWS)
    cases = (Case.select(Case, Client, User).join(Client).switch(Case)
             .join(User, JOIN.LEFT_OUTER, on=(Case.responsible == User.id))
             .where(Case.id.in_(newest_cases)).order_by(Case.id.desc()))
    quotations = (Quotation.select(Quotation, Client).join(Client)
                  .where(Quotation.is_current == True, Quotation.client.in_(ids))  # noqa: E712
                  .order_by(Quotation.number.desc()).limit(SEARCH_ROWS))
    contracts = (Contract.select(Contract, Client).join(Client).where(Contract.client.in_(ids))
                 .order_by(Contract.id.desc()).limit(SEARCH_ROWS))
    newest_items = (DocumentItem.select(DocumentItem.id).join(Case).where(Case.client.in_(ids))
                    .order_by(DocumentItem.id.desc()).limit(SEARCH_ROWS))
    documents = (DocumentItem.select(DocumentItem, Case, Client).join(Case).join(Client)
                 .where(DocumentItem.id.in_(newest_items)).order_by(DocumentItem.id.desc()))
    newest_entries = (Interaction.select(Interaction.id).where(Interaction.client.in_(ids))
                      .order_by(Interaction.id.desc()).limit(SEARCH_ROWS))
    entries = (Interaction.select(Interaction, Client, Case).join(Client).switch(Interaction)
               .join(Case, JOIN.LEFT_OUTER, on=(Interaction.case == Case.id))
               .where(Interaction.id.in_(newest_entries)).order_by(Interaction.id.desc()))
    groups = [
        ("Clientes", [(f"/clientes/{c.id}", c.name, f"{c.status} · {c.document_type} {c.document_last4} · {c.email}")
                      for c in clients]),
        ("Casos", [(f"/casos/{c.id}", c.title, f"EXP-{c.id:05d} · {c.client.name} · {c.status}") for c in cases]),
        ("Quejas", [(f"/quejas/{c.id}", f"{c.number} · {c.kind}",
                     f"{c.client.name if c.client_id else c.walk_in_name} · {c.status} · {c.received_at:%d/%m/%y}")
                    for c in complaints]),
        ("Cotizaciones", [(f"/comercial/cotizaciones/{r.id}", f"COT-{r.number:05d}",
                           f"{r.client.name} · {r.status} · {r.created_at:%d/%m/%y}") for r in quotations]),
        ("Contratos", [(f"/comercial/contratos/{r.id}", f"CON-{r.id:05d}",
                        f"{r.client.name} · {r.status} · {r.start_date:%d/%m/%y} – {r.end_date:%d/%m/%y}") for r in contracts]),
        ("Documentos", [(f"/documentos/casos/{d.case_id}#document-item-{d.id}", d.name,
                         f"EXP-{d.case_id:05d} · {d.case.client.name} · {d.status}") for d in documents]),
        ("Interacciones", [(f"/interacciones/{i.id}", f"{i.kind} · {(i.occurred_at - LOCAL_OFFSET):%d/%m/%y %H:%M}",
                            f"{i.client.name} · {'Confidencial' if i.confidential else i.summary[:90]}") for i in entries]),
    ]
    return render(SEARCH, groups=[(kind, rows[:SEARCH_ROWS - 1]) for kind, rows in groups if rows])


QUALITY = PAGE.format("""<select>{% for id, name in areas %}<option value="{{ id }}">{{ name }}</option>{% endfor %}</select>
<select>{% for id, name in people %}<option value="{{ id }}">{{ name }}</option>{% endfor %}</select><table>{% for name, rows in indicators %}<tr><th>{{ name }}</th>{% for r in rows %}<td>{{ r }}</td>{% endfor %}</tr>{% endfor %}</table>
<p>{{ breached }} · {{ overdue }}</p>""")


def _quality_queries(start_day, end_day):
    """Each indicator's grouped aggregate over the period's local months (the pages' own SQL shape)."""
    from models.surveys import INVITATION_STATES
    from services.quality import indicators
    from services.quality.indicators import _bucket, _epoch

    period = indicators.Period(start_day, end_day)

    days, day = [start_day], start_day.replace(day=1)
    while True:
        day = (day + timedelta(days=32)).replace(day=1)
        if day > end_day:
            break
        days.append(day)
    days.append(end_day + timedelta(days=1))
    moments = [datetime(d.year, d.month, d.day) + LOCAL_OFFSET for d in days]
    R, Inv, C = SurveyResponse, SurveyInvitation, Complaint
    resolved = C.resolved_at.is_null(False)
    renewal = Contract.alias("renewal")
    renewed = fn.EXISTS(renewal.select(renewal.id).where((renewal.renews == Contract.id) & (renewal.status != "draft")))

    def grouped(query, column, bounds, *aggregates):
        return list(query.select(_bucket(column, bounds).alias("m"), *aggregates)
                    .where((column >= bounds[0]) & (column < bounds[-1])).group_by(SQL("1")).tuples())

    return {
        "satisfaccion": lambda: grouped(R.select(), R.answered_on, days, R.anonymous, fn.SUM(R.ratings_high),
                                        fn.SUM(R.ratings_count)),
        "nps": lambda: grouped(R.select().where(R.nps.is_null(False)), R.answered_on, days, fn.COUNT(R.nps)),
        "respuesta": lambda: grouped(Inv.select().where(Inv.status.in_(INVITATION_STATES), Inv.withdrawn_at.is_null()),
                                     Inv.sent_at, moments,
                                     fn.COUNT(Inv.answered_at), fn.COUNT(Inv.id)),
        "resolucion": lambda: list(C.select(_bucket(C.received_at, moments), _epoch(C.received_at),
                                            _epoch(C.resolved_at))
                                   .where(resolved, C.received_at >= moments[0], C.received_at < moments[-1]).tuples()),
        "sla": lambda: grouped(C.select().where(resolved, C.due_at.is_null(False)), C.received_at, moments,
                               fn.SUM(SqlCase(None, [(C.resolved_at <= C.due_at, 1)], 0)), fn.COUNT(C.id)),
        "retencion": lambda: grouped(Contract.select().where(Contract.status.in_(indicators.SIGNED_CONTRACT_STATES)),
                                     Contract.end_date, days,
                                     fn.SUM(SqlCase(None, [(renewed, 1)], 0)), fn.COUNT(Contract.id)),
        "admision": lambda: grouped(ClientStatusChange.select().where(ClientStatusChange.from_status == "evaluating"),
                                    ClientStatusChange.created_at, moments,
                                    fn.SUM(SqlCase(None, [(ClientStatusChange.to_status == "accepted", 1)], 0)),
                                    fn.COUNT(ClientStatusChange.id)),
        # The four added later: the service's own single query each (their local-day arithmetic lives there).
        "encuestas": lambda: indicators.surveys_on_time(period, indicators.Filters()).by_month,
        "contratacion": lambda: indicators.contact_to_contract(period, indicators.Filters()).by_month,
        "actualizaciones": lambda: indicators.updates_on_time(period, indicators.Filters()).by_month,
        "plazos": lambda: indicators.deadlines_met(period, indicators.Filters()).by_month,
    }


def _quality_choices():
    """The filters' options the pages list: practice areas, and the active staff responsible for some client."""
    areas = list(PracticeArea.select(PracticeArea.id, PracticeArea.name).order_by(PracticeArea.name).tuples())
    responsible = Client.select(Client.responsible).where(Client.responsible.is_null(False)).distinct()
    people = list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(responsible))  # noqa: E712
                  .order_by(User.name).tuples())
    return {"areas": areas, "people": people}


def quality_dashboard(user_id: int) -> str:
    """The kept figures of the closed months (one query), every indicator's grouped query over the current month,
    open complaints past due, overdue deadlines."""
    start, today = _months_back(12)
    kept = _kept_figures(start, today.replace(day=1))
    queries = _quality_queries(today.replace(day=1), today)
    now = utcnow()
    breached = Complaint.select().where(Complaint.status.in_(OPEN_STATES), Complaint.due_at <= now).count()
    overdue = Deadline.overdue_count(now, _local_today())
    overdue += ImprovementAction.overdue_count(_local_today())
    from models.reviews import ManagementReview

    overdue += ManagementReview.select(fn.COUNT(ManagementReview.id)).where(ManagementReview.status == "approved").scalar()
    return render(QUALITY, indicators=[(k, q()) for k, q in queries.items()] + kept, breached=breached,
                  overdue=overdue, **_quality_choices())


def _kept_figures(start, end, only=None) -> list:
    """The quality figures kept for the whole months from ``start`` to before ``end`` (models/quality_figures.py),
    of one indicator when ``only`` is given, as (indicator, [(month, numerator, denominator)]) pairs."""
    from models.quality_figures import QualityFigure as F

    rows = {}
    query = F.select(F.indicator, F.month, F.numerator, F.denominator).where(F.month >= start, F.month < end)
    for key, month, num, den in (query.where(F.indicator == only) if only else query).tuples():
        rows.setdefault(key, []).append((month, num, den))
    return list(rows.items())


def quality_indicator(user_id: int) -> str:
    """One indicator: the kept figures of its closed months and its grouped query over the current one."""
    key = page_url().rstrip("/").split("?")[0].rsplit("/", 1)[-1]
    start, today = _months_back(12)
    kept = _kept_figures(start, today.replace(day=1), key)
    query = _quality_queries(today.replace(day=1), today)[key]
    return render(QUALITY, indicators=[(key, query()), *kept], breached=0, overdue=0, **_quality_choices())


ACTIONS = PAGE.format("""<table><tbody>{% for a in rows %}<tr><td><a href="/calidad/acciones/{{ a.id }}">AM-{{ a.id }}</a></td><td>{{ a.title }}</td>
<td>{{ a.source }}</td><td>{{ a.status }}</td><td>{{ a.owner.name }}</td><td>{{ a.due_on }}</td></tr>{% endfor %}</tbody></table>""")


def improvement_actions(user_id: int) -> str:
    """The open improvement actions with their owner, overdue ones first, then the soonest due: one query."""
    from models.quality import ACTION_OPEN_STATES, ImprovementAction

    A = ImprovementAction
    today = (utcnow() - LOCAL_OFFSET).date()
    late = SqlCase(None, [((A.status.in_(ACTION_OPEN_STATES)) & (A.due_on < today), 0)], 1)
    rows = list(A.select(A, User).join(User, on=(A.owner == User.id)).where(A.status.in_(ACTION_OPEN_STATES))
                .order_by(late, A.due_on, A.id).limit(200))
    return render(ACTIONS, rows=rows)


READS = PAGE.format("""<h1>{{ c.name }}</h1><table><tbody>{% for e in rows %}<tr>
<td><time datetime="{{ e.at.isoformat() }}Z">{{ e.at.strftime("%d/%m/%y %H:%M") }}</time></td>
<td>{{ e.actor.name if e.actor_id else "—" }} ({{ e.actor_roles }})</td>
<td>{{ e.object_type }} {{ names.get(e.object_id, e.object_id) }} · {{ e.fields }}</td><td>{{ e.detail }}</td></tr>{% endfor %}</tbody></table>
{% if more %}<a href="?antes={{ rows[-1].id }}">Anteriores</a>{% endif %}""")


def client_reads(user_id: int) -> str:
    """The client, the newest page of reads of its data (the (client, event) index of audit_subject, each row's
    author joined) and the names of the cases on the page: three indexed queries."""
    from models.audit import AuditSubject

    client = _client_rows().where(Client.id == _path_id()).get()
    rows = list(AuditEvent.select(AuditEvent, User).join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
                .switch(AuditEvent).join(AuditSubject, on=(AuditSubject.event == AuditEvent.id))
                .where(AuditSubject.client_id == client.id).order_by(AuditSubject.event.desc()).limit(51))
    case_ids = {int(e.object_id) for e in rows if e.object_type == "legal_case"}
    names = {str(c.id): c.title for c in Case.select(Case.id, Case.title).where(Case.id.in_(case_ids))} if case_ids else {}
    return render(READS, c=client, rows=rows[:50], more=len(rows) > 50, names=names)


DSRS = PAGE.format("""<p>{{ total }}</p><table><tbody>{% for r in rows %}<tr><td><a href="/privacidad/peticiones/{{ r.id }}">PT-{{ r.id }}</a></td>
<td>{{ r.client.name if r.client_id else "—" }}</td><td>{{ r.kind }}</td><td>{{ r.status }}</td><td>{{ r.assignee.name }}</td>
<td>{{ r.extended_due_on or r.due_on }}{% if r.escalate_from <= today and r.status in ("received", "in_progress") %} !{% endif %}</td></tr>{% endfor %}</tbody></table>
<select>{% for id, name in people %}<option value="{{ id }}">{{ name }}</option>{% endfor %}</select>""")


def privacy_requests(user_id: int) -> str:
    """The register: its count, its first 50 rows (open ones by the status index, soonest escalation first) with
    client and assignee, and the assignees of the filter: three queries."""
    from models.privacy import DSR_OPEN_STATES
    from models.privacy import DataSubjectRequest as D
    from models.users import UserRole

    status = request.args.get("estado", "open")
    where = D.status.in_(DSR_OPEN_STATES) if status == "open" else (D.status == status if status else True)
    total = D.select(fn.COUNT(D.id)).where(where).scalar()
    rows = list(D.select(D, Client, User).join(Client, JOIN.LEFT_OUTER, on=(D.client == Client.id)).switch(D)
                .join(User, on=(D.assignee == User.id)).where(where).order_by(D.escalate_from, D.id.desc()).limit(50))
    holders = UserRole.select(UserRole.user).where(UserRole.role.in_(("service", "quality", "management")))
    people = list(User.select(User.id, User.name).where(User.id.in_(holders), User.is_active == True)  # noqa: E712
                  .order_by(User.name).tuples())
    return render(DSRS, rows=rows, total=total, people=people, today=(utcnow() - LOCAL_OFFSET).date())


ACCESS_REVIEW = PAGE.format("""<h1>RA-{{ review.id }}</h1><p>{{ review.period_start }} – {{ review.period_end }} · {{ review.status }} · {{ decided }} de {{ total }}</p>
<form method="post" action="/privacidad/revision-accesos/{{ review.id }}/firmar"><button>Firmar</button></form>
<table><tbody>{% for l in lines %}<tr id="linea-{{ l.id }}"><td>{{ l.user_name }}<br>{{ l.user_email }}</td>
<td>{% for r in l.roles.split(",") if r %}{{ roles[r] }}{% if not loop.last %}, {% endif %}{% endfor %}</td>
<td>{% set teams = l.teams %}{{ teams|length }}{% for t in teams[:3] %}<br><a href="/casos/{{ t[0] }}">{{ t[1] }}</a>{% endfor %}</td>
<td>{{ l.last_login_at or "Nunca" }}</td><td>{{ "Sí" if l.has_2fa else "No" }}</td>
<td><a href="/privacidad/accesos?persona={{ l.user_id }}&amp;desde={{ review.period_start }}&amp;hasta={{ review.period_end }}">{{ l.reads }}</a></td>
<td>{{ l.decision or "Sin decidir" }}{% if l.note %}<br>{{ l.note }}{% endif %}</td>
<td>{% if l.decision is none %}<form method="post" action="/privacidad/revision-accesos/{{ review.id }}/lineas/{{ l.id }}">
<input type="hidden" name="csrf_token" value="{{ token }}"><input type="hidden" name="decision" value="confirmed"><button>Confirmar</button></form>{% endif %}
<a href="/privacidad/revision-accesos/{{ review.id }}/lineas/{{ l.id }}">Decidir</a></td></tr>{% endfor %}</tbody></table>
{% if page < pages %}<a href="?pagina={{ page + 1 }}">Siguiente</a>{% endif %}""")


ERASURES = PAGE.format("""<h1>Supresiones y bloqueos</h1><a href="/privacidad/conservacion">Revisión de conservación</a>
<table><tbody>{% for e in rows %}<tr><td>{{ e.created_at }}</td><td>#{{ e.client_id }}</td><td>{{ e.mode }} ({{ e.jurisdiction }})</td>
<td>{{ e.performed_by.name if e.performed_by_id else "" }}</td><td>{{ e.reason }}</td>
<td>{% for t, n in e.counts.items() %}{{ t }}: {{ n }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endfor %}</tbody></table>
<ul>{% for c in blocked %}<li><a href="/privacidad/bloqueados/{{ c.id }}">#{{ c.id }}</a> · {{ c.blocked_until }}</li>{% endfor %}</ul>""")


def erasures(user_id: int) -> str:
    """The record of erasures: the latest 200 with who performed each, and the blocked clients (management):
    two queries."""
    import json

    from models.privacy import Erasure as E

    rows = list(E.select(E, User).join(User, JOIN.LEFT_OUTER, on=(E.performed_by == User.id))
                .order_by(E.id.desc()).limit(200))
    for e in rows:
        e.counts = json.loads(e.tables or "{}")
    blocked = list(Client.select(Client.id, Client.blocked_until).where(Client.blocked_on.is_null(False),
                   Client.erased_at.is_null()).order_by(Client.blocked_until, Client.id).limit(200))
    return render(ERASURES, rows=rows, blocked=blocked)


RETENTION = PAGE.format("""<h1>Revisión de conservación</h1><dl>{% for k, v in years.items() %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<p>{{ total }}</p><table><tbody>{% for d in rows %}<tr><td><a href="/clientes/{{ d.client_id }}">{{ d.client.name }}</a></td>
<td>{{ d.category }}</td><td>{{ d.due_on }}</td><td><form method="post" action="/privacidad/conservacion/{{ d.id }}/aprobar">
<input type="hidden" name="csrf_token" value="{{ token }}"><button>Aprobar</button></form>
<form method="post" action="/privacidad/conservacion/{{ d.id }}/descartar"><input type="hidden" name="csrf_token" value="{{ token }}">
<button>Descartar</button></form></td></tr>{% endfor %}</tbody></table>""")


def retention(user_id: int) -> str:
    """The retention review: the pending lines' count and the 100 due soonest with their client: two queries."""
    from models.privacy import RetentionDue as R

    total = R.select(fn.COUNT(R.id)).where(R.status == "pending").scalar()
    rows = list(R.select(R, Client).join(Client, on=(R.client == Client.id)).where(R.status == "pending")
                .order_by(R.due_on, R.id).limit(100))
    years = {"former_client": 5, "rejected_prospect": 1, "contract": 10, "blocking": 5}
    return render(RETENTION, rows=rows, total=total, years=years, token=secrets.token_hex(32))


def access_review(user_id: int) -> str:
    """An access review: its row, one COUNT of its lines and decided ones, and its first 50 lines, the undecided
    first in name order (their ids sorted on the indexes alone, then those rows read), with their snapshot (teams
    parsed from JSON), each with its reads link, decide link and (undecided) confirm form: three queries, whatever
    the staff."""
    import json

    from core.guard import ROLES
    from models.privacy import AccessReview
    from models.privacy import AccessReviewLine as L

    review = AccessReview.get_by_id(_review_row_id())
    total, decided = L.select(fn.COUNT(L.id), fn.COUNT(L.decision)).where(L.review == review.id).tuples().get()
    undecided = L.select(L.id).where(L.review == review.id, L.decision.is_null())
    first = (L.select(L.id).where(L.review == review.id).order_by(L.id.in_(undecided).desc(), L.user_name, L.id)
             .limit(50))
    lines = list(L.select().where(L.id.in_(first)).order_by(L.decision.is_null().desc(), L.user_name, L.id))
    for line in lines:
        line.teams = json.loads(line.teams or "[]")
    return render(ACCESS_REVIEW, review=review, lines=lines, total=total, decided=decided, roles=ROLES,
                  page=1, pages=-(-total // 50), token=secrets.token_hex(32))


REVIEW = PAGE.format("""<h1>RD-{{ review.id }}</h1><p>{{ review.period_start }} – {{ review.period_end }} · {{ review.status }}</p>
<table>{% for name, rows in indicators %}<tr><th>{{ name }}</th>{% for r in rows %}<td>{{ r }}</td>{% endfor %}</tr>{% endfor %}</table>
<pre>{{ inputs }}</pre><p>{{ review.conclusions }}</p><p>{{ review.decisions }}</p>
<ul>{% for a in actions %}<li>AM-{{ a.id }} {{ a.title }} {{ a.owner.name }} {{ a.status }}</li>{% endfor %}</ul>""")


def _review_row_id() -> int:
    return int(page_url().partition("?")[0].rstrip("/").rsplit("/", 1)[-1])


def _review_row():
    from models.reviews import ManagementReview

    return ManagementReview.get_by_id(_review_row_id())


def _review_actions(review_id: int):
    A = ImprovementAction
    return list(A.select(A, User).join(User, on=(A.owner == User.id)).where(A.review == review_id).order_by(A.id))


def review_draft(user_id: int) -> str:
    """A draft review compiles its inputs on every view: each indicator's grouped query over the quarter, the
    targets, the survey figures by month (summary, criteria, invitations, named comments and their answers),
    the complaints by kind and month, the actions by status, the staff by role and sign-in: about thirty."""
    from models.quality_targets import QualityTarget

    review = _review_row()
    start, end = review.period_start, review.period_end
    indicators = _kept_figures(start, end)  # a draft's period is past: its months are kept once computed
    targets = list(QualityTarget.select(QualityTarget, User).join(User, on=(QualityTarget.owner == User.id)))
    R, C, A = SurveyResponse, Complaint, ImprovementAction
    in_period = (R.answered_on >= start) & (R.answered_on <= end)
    moments = (datetime(start.year, start.month, start.day) + LOCAL_OFFSET,
               datetime(end.year, end.month, end.day) + LOCAL_OFFSET + timedelta(days=1))
    received = (C.received_at >= moments[0]) & (C.received_at < moments[1])
    named = list(R.select(R.id, R.answered_on).where(in_period, R.anonymous == False, R.has_comment == True)  # noqa: E712
                 .order_by(R.answered_on.desc(), R.id.desc()).limit(20))
    inputs = {
        "targets": [(t.indicator, t.target, t.owner.name) for t in targets],
        "surveys": list(R.select(R.month, R.anonymous, fn.COUNT(R.id), fn.SUM(R.ratings_count), fn.SUM(R.ratings_high),
                                 fn.COUNT(R.nps)).where(in_period).group_by(R.month, R.anonymous).tuples()),
        "criteria": list(R.select(R.anonymous, *[fn.AVG(R.criterion_field(c)) for c in CRITERIA])
                         .where(in_period).group_by(R.month, R.anonymous).tuples()),
        "invitations": SurveyInvitation.select(fn.COUNT(SurveyInvitation.id)).where(
            (SurveyInvitation.sent_at >= moments[0]) & (SurveyInvitation.sent_at < moments[1])).scalar(),
        "comments": list(SurveyAnswer.select(SurveyAnswer.response, SurveyAnswer.value)
                         .where(SurveyAnswer.response.in_([r.id for r in named]) if named else SQL("0 = 1")).tuples()),
        "complaints": list(C.select(C.kind, C.category, fn.COUNT(C.id), fn.SUM(SqlCase(None, [(C.resolved_at > C.due_at, 1)], 0)))
                           .where(received).group_by(C.kind, C.category).tuples()),
        "months": list(C.select(fn.COUNT(C.id)).where(received).tuples()),
        "actions": list(A.select(A.status, fn.COUNT(A.id)).group_by(A.status).tuples()),
        "closed": list(A.select(A.id, A.title, A.effectiveness_check).where(A.status == "closed", A.verified_on >= start,
                                                                            A.verified_on <= end).tuples()),
        "staff": list(User.select(User.name, User.totp_secret.is_null(), User.last_login_at)
                      .where(User.is_active == True).tuples()),  # noqa: E712
    }
    return render(REVIEW, review=review, indicators=indicators, inputs=inputs, actions=_review_actions(review.id))


REVIEW_FROZEN = PAGE.format("""<h1>RD-{{ review.id }}</h1><p>{{ review.period_start }} – {{ review.period_end }} · {{ review.status }}</p>
{% set i = inputs %}<table>{% for r in i.indicators %}<tr><td>{{ r.name }}</td><td>{{ r.value }} {{ r.unit }} ({{ r.denominator }})</td>
<td>{{ r.target }}</td><td>{{ r.state }}</td><td>{{ r.owner }}</td></tr>{% endfor %}</table>
<dl>{% for k, v in i.surveys.items() if v is not iterable or v is string %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<table>{% for c in i.surveys.criteria %}<tr><td>{{ c.criterion }}</td><td>{{ c.average }}</td><td>{{ c.answers }}</td></tr>{% endfor %}</table>
<ul>{% for c in i.surveys.comments %}<li>{{ c.day }} · {{ c.text }}</li>{% endfor %}</ul>
<dl>{% for k, v in i.complaints.items() if v is not iterable or v is string %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<table>{% for m in i.complaints.by_month %}<tr><td>{{ m.month }}</td><td>{{ m.count }}</td></tr>{% endfor %}</table>
<table>{% for k in i.complaints.by_kind %}<tr><td>{{ k.kind }}</td><td>{{ k.count }}</td></tr>{% endfor %}</table>
<p>{% for c in i.complaints.by_category %}{{ c.name }} ({{ c.count }}) {% endfor %}</p>
<dl>{% for k, v in i.actions.by_status.items() %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<table>{% for a in i.actions.closed %}<tr><td>{{ a.code }}</td><td>{{ a.title }}</td><td>{{ a.check }}</td><td>{{ a.verified_on }}</td></tr>{% endfor %}</table>
<dl>{% for r in i.access.roles %}<dt>{{ r.role }}</dt><dd>{{ r.count }}</dd>{% endfor %}</dl>
<p>{% for u in i.access.without_2fa %}{{ u.name }} {% endfor %}</p><p>{% for u in i.access.dormant %}{{ u.name }} ({{ u.last_login }}) {% endfor %}</p>
<p>{{ review.procedure_changes }}</p><p>{{ review.conclusions }}</p><p>{{ review.opportunities }}</p><p>{{ review.resource_needs }}</p>
<p>{{ review.decisions }}</p>
<ul>{% for a in actions %}<li>AM-{{ a.id }} {{ a.title }} {{ a.owner.name }} {{ a.status }}</li>{% endfor %}</ul>""")


def review_approved(user_id: int) -> str:
    """An approved review: its row with who approved it, the snapshot parsed and drawn row by row as the page
    does, its actions: two queries."""
    import json

    from models.reviews import ManagementReview

    approver = User.alias()
    review_id = _review_row_id()
    review = (ManagementReview.select(ManagementReview, approver)
              .join(approver, JOIN.LEFT_OUTER, on=(ManagementReview.approved_by == approver.id))
              .where(ManagementReview.id == review_id).first())
    return render(REVIEW_FROZEN, review=review, inputs=json.loads(review.snapshot or "{}"),
                  actions=_review_actions(review.id))


REVIEWS = PAGE.format("""<table><tbody>{% for r in rows %}<tr><td><a href="/calidad/revisiones/{{ r.id }}">RD-{{ r.id }}</a></td>
<td>{{ r.period_start }} – {{ r.period_end }}</td><td>{{ r.status }}</td><td>{{ r.approved_at }}</td></tr>{% endfor %}</tbody></table>""")


def reviews(user_id: int) -> str:
    """The list of reviews, latest period first, and the latest approved period's end: two queries."""
    from models.reviews import ManagementReview as M

    rows = list(M.select(M.id, M.period_start, M.period_end, M.status, M.approved_at)
                .order_by(M.period_end.desc(), M.id.desc()).limit(200))
    M.select(fn.MAX(M.period_end)).where(M.status == "approved").scalar()
    return render(REVIEWS, rows=rows)


NOTES = PAGE.format("""<table><tbody>{% for n in rows %}<tr><td><a href="/calidad/comunicados/{{ n.id }}">{{ n.title }}</a></td>
<td>{{ n.period_start }} – {{ n.period_end }}</td><td>{{ n.published_at.strftime("%d/%m/%y %H:%M") }} · {{ n.published_by.name if n.published_by_id else "" }}</td>
<td>{{ "leído" if n.my_ack else "pendiente" }}</td></tr>{% endfor %}</tbody></table><p>{{ total }}</p>""")


def quality_notes(user_id: int) -> str:
    """The newest 25 notes with their publisher and this person's reading (one query) and how many there are:
    the model's own named query."""
    from types import SimpleNamespace

    from models.quality import QualityNote

    rows = list(QualityNote.listing(SimpleNamespace(id=user_id)).limit(25))
    return render(NOTES, rows=rows, total=QualityNote.select().count())


# ----- procedures manual (issue 17) -----

MANUAL_INDEX = PAGE.format("""<table><tbody>{% for d in rows %}<tr><td><a href="/manual/{{ d.id }}">{{ d.code }}</a></td><td>{{ d.title }}</td>
<td>{{ d.kind }}</td><td>{{ d.current.label if d.current_id else "—" }}</td><td>{{ d.current.published_on if d.current_id else "—" }}</td>
<td>{{ d.owner.name if d.owner_id else "—" }}</td></tr>{% endfor %}</tbody></table>""")


def manual_index(user_id: int) -> str:
    """The published documents by code with their version in force and owner: one query."""
    from models.manual import ManualDocument as D
    from models.manual import ManualVersion as V

    rows = list(D.select(D, V.id, V.number, V.published_on, User.id, User.name, User.email)
                .join(V, JOIN.LEFT_OUTER, on=(D.current == V.id)).switch(D)
                .join(User, JOIN.LEFT_OUTER, on=(D.owner == User.id)).where(D.current.is_null(False)).order_by(D.code))
    return render(MANUAL_INDEX, rows=rows)


MANUAL_DOCUMENT = PAGE.format("""<h1>{{ d.code }} | {{ d.title }}</h1><p>{{ d.created_label }} {{ d.approved_label }} {{ v.label }} {{ v.published_on }}</p>
{% for title, html in sections %}<h3>{{ loop.index }}. {{ title }}</h3>{{ html }}{% endfor %}
<table>{% for h in history %}<tr><td>{{ h.label }}</td><td>{{ h.published_on }}</td><td>{{ h.change_summary }}</td><td>{{ h.approver_title }}</td></tr>{% endfor %}</table>
<ul>{% for a in attachments %}<li>{{ a.title }} {{ a.file.original_name }}</li>{% endfor %}</ul>
<table>{% for h in versions %}<tr><td>{{ h.label }}</td><td>{{ h.state }}</td><td>{{ h.change_summary }}</td><td>{{ h.justification }}</td>
<td>{{ h.author.name if h.author_id else "" }}</td><td>{{ h.approver.name if h.approver_id else "" }}</td></tr>{% endfor %}</table>""")


def manual_document(user_id: int) -> str:
    """The document, its readable versions with author and approver, the attachments of the version in force;
    its eight sections' Markdown rendered and sanitized as the page does."""
    from models.manual import SECTIONS, ManualAck, ManualAttachment, ManualDocument, ManualVersion
    from services.manual.markdown import render as markdown

    document = ManualDocument.for_page(_review_row_id())
    versions = list(ManualVersion.of_document(document.id))
    version = next(v for v in versions if v.id == document.current_id)
    attachments = list(ManualAttachment.of_version(version.id))
    asked = ManualAck.get_or_none(ManualAck.version == version.id, ManualAck.user == user_id)  # "He leído y entiendo"
    sections = [(name, markdown(getattr(version, name))) for name in SECTIONS]
    history = sorted((v for v in versions if v.published_on), key=lambda v: v.number)
    return render(MANUAL_DOCUMENT, d=document, v=version, sections=sections, history=history, versions=versions,
                  attachments=attachments, asked=asked)


MANUAL_READERS = PAGE.format("""<h1>{{ d.code }}</h1><h2>{{ done }} de {{ total }}</h2><p>Pendientes: {{ pending }}</p>
<form method="post"><button>Recordar</button></form><table>{% for r in rows %}<tr><td>{{ r.user.name }}</td><td>{{ r.requested_on }}</td>
<td>{{ r.acknowledged_at or "Pendiente" }}</td></tr>{% endfor %}</table><form><input name="q"></form>
<nav>Página 1 de {{ pages }} <a href="?pagina=2">Siguiente</a></nav>""")


def manual_readers(user_id: int) -> str:
    """The document, how many read the version in force of those asked (one query of counts) and the first 50 of
    those asked, pending first (one query)."""
    from models.manual import ManualAck, ManualDocument

    document = ManualDocument.for_page(_path_id())
    done, total, listed = ManualAck.tally(document.current_id)
    rows = list(ManualAck.of_version(document.current_id).paginate(1, 50))
    return render(MANUAL_READERS, d=document, rows=rows, pending=total - done, done=done, total=total,
                  pages=(listed + 49) // 50)


MANUAL_AGREEMENTS = PAGE.format("""<h1>Acuerdos de confidencialidad</h1><p>{{ total }} acuerdos</p><table>{% for a in rows %}<tr><td>{{ a.person_name }} {{ a.organisation }}</td>
<td>{{ a.kind }}</td><td>{% if a.policy_version_id %}<a href="/manual/{{ a.policy.id }}/versiones/{{ a.policy_version.id }}">{{ a.policy.code }} · {{ "%03d"|format(a.policy_version.number) }}</a>{% endif %}</td>
<td>{{ a.signed_on }}</td><td>{{ a.consequences }}</td><td>{% if a.file_id %}<a href="/manual/acuerdos/{{ a.id }}/copia">Descargar</a>{% endif %}</td></tr>{% endfor %}</table>
<nav>Página 1 de {{ (total + 49) // 50 }} <a href="?pagina=2">Siguiente</a></nav>""")


def manual_agreements(user_id: int) -> str:
    """The first 50 confidentiality agreements by person with their policy version (one query) and how many there
    are (one COUNT)."""
    from models.manual import ConfidentialityAgreement

    total = ConfidentialityAgreement.count_named()
    return render(MANUAL_AGREEMENTS, rows=list(ConfidentialityAgreement.listing().paginate(1, 50)), total=total)


TRAINING_INDEX = PAGE.format("""<h1>Formación</h1><form><select name="cuando"><option>Próximas</option></select><select name="documento">
{% for id, code, title in documents %}<option value="{{ id }}">{{ code }} · {{ title }}</option>{% endfor %}</select></form>
<table>{% for s in rows %}<tr><td>{{ s.starts_at }}</td><td><a href="/manual/formacion/{{ s.id }}">{{ s.topic }}</a></td><td>{{ s.kind }}</td>
<td>{% if s.document_id %}<a href="/manual/{{ s.document.id }}">{{ s.document.code }}</a>{% endif %}</td><td>{{ s.trainer.name if s.trainer_id else s.trainer_name }}</td>
<td>{{ s.attended_count }} / {{ s.invited_count }} · {{ s.passed_count }}</td></tr>{% endfor %}</table>""")


def training_index(user_id: int) -> str:
    """The sessions with their document, trainer and counts (one query, grouped), and the documents in force."""
    from models.manual import ManualDocument
    from models.training import TrainingSession

    when = "past" if "cuando=pasadas" in page_url() else "upcoming"
    documents = list(ManualDocument.select(ManualDocument.id, ManualDocument.code, ManualDocument.title)
                     .where(ManualDocument.current.is_null(False)).order_by(ManualDocument.code).tuples())
    return render(TRAINING_INDEX, rows=list(TrainingSession.register(when=when, now=utcnow())), documents=documents)


TRAINING_SESSION = PAGE.format("""<h1>{{ s.topic }}</h1><p>{{ s.kind }} · {{ s.starts_at }} · {{ s.place }}</p>
<p>{% if s.document_id %}{{ s.document.code }} · {{ s.document.title }}{% endif %} {{ s.trainer.name if s.trainer_id else s.trainer_name }}</p>
<p>{{ s.scenario }}</p><form method="post"><table>{% for a in rows %}<tr><th>{{ a.user.name }}</th>
<td><select name="status_{{ a.id }}">{% for k in ("invited", "attended", "absent", "excused") %}<option{% if a.status == k %} selected{% endif %}>{{ k }}</option>{% endfor %}</select></td>
<td><input name="score_{{ a.id }}" value="{{ a.score if a.score is not none else '' }}"></td><td><input name="comment_{{ a.id }}" value="{{ a.comment }}"></td></tr>{% endfor %}</table>
<textarea name="outcome">{{ s.outcome }}</textarea><button>Guardar</button></form>""")


def training_session(user_id: int) -> str:
    """A session with its document, version and trainer (one query), its attendees with their names (one)."""
    from models.training import TrainingAttendee, TrainingSession

    session = TrainingSession.for_page(int(page_url().partition("?")[0].split("/")[3]))
    return render(TRAINING_SESSION, s=session, rows=list(TrainingAttendee.of_session(session.id)))


TRAINING_RECORD = PAGE.format("""<h1>Registro de formación</h1><table>{% for r in rows %}<tr><td>{{ r.session.starts_at }}</td>
<td>{{ r.session.topic }}<br>{{ r.session.kind }}</td><td>{% if r.session.document_id %}<a href="/manual/{{ r.session.document.id }}">{{ r.session.document.code }}</a>{% endif %}</td>
<td>{{ r.status }}</td><td>{{ r.score if r.score is not none else "—" }} {{ r.comment }}</td></tr>{% endfor %}</table>""")


def training_record(user_id: int) -> str:
    """One's sessions with their document (one query)."""
    from models.training import TrainingAttendee

    return render(TRAINING_RECORD, rows=list(TrainingAttendee.record_of(user_id)))


MANUAL_FEEDBACK = PAGE.format("""<h1>Comentarios del personal · {{ d.code }}</h1><p>{{ still_open }} abiertos</p><ul>{% for f in rows %}<li><p>{{ f.status }}
{% if f.considered_in_id %}{{ f.considered_in.number }}{% endif %} {{ f.author.name if f.author_id else "" }} · {{ f.created_at }}
{% if f.version_id %}{{ f.version.number }}{% endif %} {{ f.section }}</p><p>{{ f.what }}</p><p>{{ f.suggestion }}</p><p>{{ f.considered_note }}</p>
{% if f.status == "open" %}<form method="post" action="/manual/{{ d.id }}/comentarios/{{ f.id }}/resolver{% if number > 1 %}?pagina={{ number }}{% endif %}">
<select name="decision"><option>considered</option><option>set_aside</option></select>
<input name="note"><button>Marcar</button></form>{% endif %}</li>{% endfor %}</ul>
<nav>{% if number > 1 %}<a href="?pagina={{ number - 1 }}">Anterior</a>{% endif %} Página {{ number }} de {{ pages }}
{% if number < pages %}<a href="?pagina={{ number + 1 }}">Siguiente</a>{% endif %}</nav>""")


def manual_feedback(user_id: int) -> str:
    """25 of a document's feedback, open first, with author and versions (one query), how many there are and how many
    open (one COUNT on the index), the document and the version being drafted (one each)."""
    from models.manual import OPEN_STATES, ManualDocument, ManualVersion
    from models.training import ManualFeedback

    document = ManualDocument.for_page(int(page_url().partition("?")[0].split("/")[2]))
    ManualVersion.select(ManualVersion.id).where(ManualVersion.document == document.id,
                                                 ManualVersion.state.in_(OPEN_STATES)).first()
    total, still_open = ManualFeedback.counts(document.id)
    pages = max(1, -(-total // 25))
    number = min(max(1, request.args.get("pagina", 1, type=int)), pages)
    rows = list(ManualFeedback.of_document(document.id).paginate(number, 25))
    return render(MANUAL_FEEDBACK, d=document, rows=rows, still_open=still_open, number=number, pages=pages)


RENEWALS = PAGE.format("""<h1>Renovaciones</h1><table>{% for c in rows %}<tr><td>{{ c.end_date }}</td>
<td>{{ c.client.name }}</td><td>CON-{{ "%05d"|format(c.id) }}</td><td>{{ c.client.responsible.name if c.client.responsible_id else "—" }}</td>
<td><form method="post"><button>Renovar</button></form></td></tr>{% endfor %}</table>
{% if more %}<a href="?tras={{ rows[-1].end_date }}.{{ rows[-1].id }}">Los siguientes</a>{% endif %}""")


def renewals(user_id: int) -> str:
    """Contracts awaiting a renewal decision (ending within the window, or ended without a renewal or a decision),
    with their client and its responsible, the first page (50) by end date: one query per open state in index
    order, merged, as services.loyalty.board."""
    import heapq
    import itertools

    from models.loyalty import RenewalDecision

    today = (utcnow() - LOCAL_OFFSET).date()
    renewal = Contract.alias("renewal")
    renewed = fn.EXISTS(renewal.select(renewal.id).where((renewal.renews == Contract.id) & (renewal.status != "draft")))
    decided = fn.EXISTS(RenewalDecision.select(RenewalDecision.id).where(RenewalDecision.contract == Contract.id))
    states = [Contract.select(Contract, Client, User).join(Client)
              .join(User, JOIN.LEFT_OUTER, on=(Client.responsible == User.id))
              .where(Contract.status == status, Contract.end_date <= today + timedelta(days=60), ~renewed, ~decided,
                     Client.blocked_on.is_null()).order_by(Contract.end_date, Contract.id).limit(51)
              for status in ("active", "expired")]
    rows = list(itertools.islice(heapq.merge(*states, key=lambda c: (c.end_date, c.id)), 51))
    more, rows = len(rows) > 50, rows[:50]
    return render(RENEWALS, rows=rows, more=more)


# ----- privacy (issue 19 item 7): the inventory of databases -----

INVENTORY = PAGE.format("""<h1>Inventario de bases de datos</h1><a href="/privacidad/inventario.xlsx">Descargar</a>
{% for r in rows %}<section><h2>{{ r.name }} {{ r.count }}</h2><dl><dt>Finalidad</dt><dd>{{ r.purpose }}</dd>
<dt>Base legal</dt><dd>{{ r.legal_basis }}</dd><dt>Acceso</dt><dd>{{ r.read|join(", ") }}</dd></dl>
<table>{% for t in r.tables %}<tr><td>{{ t }}</td></tr>{% endfor %}</table></section>{% endfor %}""")


def inventory(user_id: int) -> str:
    """The five registers with the declared words and the tables written out by hand, and one count each: five
    queries (the page also reads the columns off the models, which a hand-made page would type)."""
    from core.guard import PERMISSIONS, ROLES
    from models.consent import Consent
    from models.surveys import SurveyInvitation
    from services.privacy.inventory import REGISTERS

    newest = Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "newsletter").group_by(Consent.client)
    counts = {"clients": Client.select().count(), "parties": Party.select().count(), "staff": User.select().count(),
              "survey_respondents": SurveyInvitation.select(fn.COUNT(fn.DISTINCT(SurveyInvitation.client))).scalar(),
              "newsletter": Consent.select().where(Consent.id.in_(newest), Consent.granted == True).count()}  # noqa: E712
    rows = [{"name": r.name, "purpose": r.purpose, "legal_basis": r.legal_basis, "tables": r.tables,
             "count": counts[r.key], "read": [ROLES[x] for x in ROLES if set(r.read) & PERMISSIONS.get(x, set())]}
            for r in REGISTERS]
    return render(INVENTORY, rows=rows)


# ----- procedures manual (issue 17 item 7): the organigram -----

ORGANIGRAM = PAGE.format("""<h1>Organigrama</h1><ul>{% for p in people %}<li style="margin-left:{{ p.depth }}rem"><div>
<strong>{{ p.name }}</strong> {% for r in p.roles %}{{ roles[r] }}{% if not loop.last %} · {% endif %}{% endfor %}
{% if p.team %}Equipo de {{ p.team }} personas{% endif %}</div></li>{% endfor %}</ul>""")


def organigram(user_id: int) -> str:
    """The active staff with their supervisor, and their roles: two queries; each person under their supervisor
    (depth first), as a hand-made page would order them."""
    from core.guard import ROLES
    from models.users import UserRole

    rows = list(User.select(User.id, User.name, User.supervisor).where(User.is_active == True)  # noqa: E712
                .order_by(User.name, User.id).dicts())
    active = User.select(User.id).where(User.is_active == True)  # noqa: E712
    roles: dict[int, list[str]] = {}
    for uid, role in UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.in_(active)).tuples():
        roles.setdefault(uid, []).append(role)
    ids = {r["id"] for r in rows}
    under: dict = {}
    for r in rows:
        under.setdefault(r["supervisor"] if r["supervisor"] in ids else None, []).append(r)
    people, stack, seen = [], [(r, 0) for r in reversed(under.get(None, []))], set()
    while stack:
        r, depth = stack.pop()
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        people.append({"name": r["name"], "depth": depth, "roles": roles.get(r["id"], []),
                       "team": len(under.get(r["id"], []))})
        stack.extend((c, depth + 1) for c in reversed(under.get(r["id"], [])))
    return render(ORGANIGRAM, people=people, roles=ROLES)


# ----- the traceability report (issue 18 item 6) -----

TRACE = PAGE.format("""<h1>{{ c.name }}</h1><p>{{ audited }}</p><table><tbody>{% for table, r in rows %}<tr>
<td>{{ r.created_at.strftime("%d/%m/%y %H:%M") }}</td><td>{{ table }}</td><td>{{ r.id }}</td>
<td>{{ names.get(r.__data__.get("created_by"), "—") }}</td></tr>{% endfor %}</tbody></table>""")


def trace_report(user_id: int) -> str:
    """The client, each source table's rows by the report's own queries (one per table), the staff names and the
    audit rows of the records shown (one query): the reads the report does, none of its work on them."""
    from services.reports import trace

    client = _client_rows().where(Client.id == _path_id()).get()
    scope = trace.Scope(client.id)
    rows = []
    for source in trace.SOURCES:
        query = source.rows(scope)
        if query is not None:
            rows.extend((source.model._meta.table_name, r) for r in query)
    people = {r.__data__.get("created_by") for _t, r in rows} - {None}
    names = dict(User.select(User.id, User.name).where(User.id.in_(people or {0})).tuples())
    by_table = {}
    for table, r in rows:
        by_table.setdefault(table, set()).add(str(r.id))
    audited = AuditEvent.select(fn.COUNT(AuditEvent.id)).where(reduce(operator.or_, [
        (AuditEvent.object_type == t) & AuditEvent.object_id.in_(sorted(ids)) for t, ids in by_table.items()])).scalar()
    return render(TRACE, c=client, rows=rows, names=names, audited=audited)


# ----- the loyalty and referral programmes (issue 18 items 3-4) -----

BENEFIT_RULES_PAGE = PAGE.format("""<h1>Beneficios de fidelización</h1><table>{% for r in rules %}<tr><td>{{ r.name }}</td>
<td>{{ r.kind }} {{ r.percent or r.service }}</td><td>{{ r.basis }} N = {{ r.threshold }}</td><td>{{ r.active }}</td>
</tr>{% endfor %}</table><ul>{% for g in grants %}<li>{{ g.client.name }} · {{ g.description }} ·
{{ g.applied_at.strftime("%d/%m/%Y") }}</li>{% endfor %}</ul>""")


def benefit_rules(user_id: int) -> str:
    """The rules (one query) and the latest 20 benefits applied with their client and rule (one)."""
    from models.benefits import BenefitGrant, BenefitRule

    rules = list(BenefitRule.select().order_by(BenefitRule.active.desc(), BenefitRule.name, BenefitRule.id))
    grants = list(BenefitGrant.select(BenefitGrant, BenefitRule, Client).join(BenefitRule).switch(BenefitGrant)
                  .join(Client).order_by(BenefitGrant.applied_at.desc(), BenefitGrant.id.desc()).limit(20))
    return render(BENEFIT_RULES_PAGE, rules=rules, grants=grants)


REFERRALS_PAGE = PAGE.format("""<h1>Recomendaciones</h1><table>{% for r in ranking %}<tr><td>{{ loop.index }}</td>
<td>{{ r.name }}</td><td>{{ r.became }}</td><td>{{ r.total }}</td></tr>{% endfor %}</table>
<table>{% for r in rows %}<tr><td>{{ r.name }}</td><td>{{ r.referrer_name }}</td><td>{{ r.status }}</td>
<td>{{ r.thanked_at or "" }}</td></tr>{% endfor %}</table>""")


def referrals(user_id: int) -> str:
    """The ranking of referrers (one grouped query over the referred clients, naming only the referrers ranked within
    the 50, ties included), the referrer rules in force (one) and the latest 300 referrals with their referrer and
    thanks (one), as services.loyalty.referrals."""
    from models.benefits import BECAME_CLIENT, BenefitRule, ReferralThanks

    referrer = Client.alias("referrer")
    became = fn.SUM(SqlCase(None, [(Client.status.in_(BECAME_CLIENT), 1)], 0))
    total = fn.COUNT(Client.id)
    blocked = Client.select(Client.id).where(Client.blocked_on.is_null(False))
    counts = (Client.select(Client.referred_by.alias("referrer_id"), became.alias("became"), total.alias("total"),
                            fn.RANK().over(order_by=[became.desc(), total.desc()]).alias("place"))
              .where(Client.referred_by.is_null(False), Client.referred_by.not_in(blocked))
              .group_by(Client.referred_by).alias("counts"))
    ranking = list(referrer.select(referrer.id, referrer.name, counts.c.became.alias("became"),
                                   counts.c.total.alias("total"))
                   .from_(counts).join(referrer, on=(referrer.id == counts.c.referrer_id)).where(counts.c.place <= 50)
                   .order_by(counts.c.became.desc(), counts.c.total.desc(), referrer.name, referrer.id)
                   .limit(50).dicts())
    list(BenefitRule.select().where(BenefitRule.active == True, BenefitRule.basis == "referrals"))  # noqa: E712
    rows = list(Client.select(Client.id, Client.name, Client.status, referrer.name.alias("referrer_name"),
                              ReferralThanks.sent_at.alias("thanked_at"))
                .join(referrer, on=(Client.referred_by == referrer.id)).switch(Client)
                .join(ReferralThanks, JOIN.LEFT_OUTER, on=(ReferralThanks.referred == Client.id))
                .where(Client.referred_by.is_null(False)).order_by(Client.id.desc()).limit(300).dicts())
    return render(REFERRALS_PAGE, ranking=ranking, rows=rows)


MANUAL_JOURNEY = PAGE.format("""<h1>Recorrido del cliente</h1><ol>{% for key, now, row in stages %}<li><h2>{{ loop.index }}. {{ key }}</h2>
<dl><dt>Ahora</dt><dd>{{ now }}</dd><dt>Mediana</dt><dd>{{ row.median }} ({{ row.n }})</dd>
{% if row.base is not none %}<dt>Tasa</dt><dd>{{ row.hits }}/{{ row.base }}</dd>{% endif %}</dl></li>{% endfor %}</ol>""")


def manual_journey(user_id: int) -> str:
    """The client journey: the ten counts of now in one query, and the period's figures kept for the day in one (once
    the first reader of the day computed them, one query a stage), the same models/journey.py queries the page runs."""
    from models.journey import PERIOD_QUERIES, JourneyFigure, now_counts

    today = _local_today()
    now = now_counts(today, 60)
    kept = JourneyFigure.of_day(today)
    if len(kept) < len(PERIOD_QUERIES):
        since_day = today.replace(year=today.year - 1, day=min(today.day, 28) if today.month == 2 else today.day)
        since = datetime.combine(since_day, datetime.min.time()) + LOCAL_OFFSET
        until = datetime.combine(today, datetime.min.time()) + LOCAL_OFFSET
        shift = LOCAL_OFFSET.total_seconds() / 86400
        kept = {key: query(since, until, since_day, today, shift) for key, query in PERIOD_QUERIES.items()}
        JourneyFigure.keep(today, kept)
    return render(MANUAL_JOURNEY, stages=[(key, now[key], kept[key]) for key in PERIOD_QUERIES])


NEWSLETTERS = PAGE.format("""<h1>Boletines</h1><p>{{ subscribers }} clientes han consentido recibir el boletín.</p>
<table>{% for i in issues %}<tr><td>{{ i.number }}</td><td><a href="/fidelizacion/boletines/{{ i.id }}">{{ i.subject }}</a></td>
<td>{{ i.status }} {{ i.started_at or "" }}</td><td>{{ i.recipients }}</td></tr>{% endfor %}</table>""")


def _newsletter_subscribers() -> int:
    """The clients whose latest newsletter consent is given, with an address (models.loyalty.subscribers)."""
    from models.consent import Consent

    latest = Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "newsletter").group_by(Consent.client)
    return (Client.select(Client.id).join(Consent, on=(Consent.client == Client.id))
            .where(Consent.id.in_(latest), Consent.granted == True, Client.email != "").count())  # noqa: E712


def newsletters(user_id: int) -> str:
    """The issues with their author (one query), the issues still sending (one) and the subscribers' count (one)."""
    from models.loyalty import NewsletterIssue

    list(NewsletterIssue.select(NewsletterIssue.id).where(NewsletterIssue.status == "sending"))
    issues = list(NewsletterIssue.select(NewsletterIssue, User)
                  .join(User, JOIN.LEFT_OUTER, on=(NewsletterIssue.created_by == User.id))
                  .order_by(NewsletterIssue.number.desc()).limit(200))
    return render(NEWSLETTERS, issues=issues, subscribers=_newsletter_subscribers())


NEWSLETTER = PAGE.format("""<h1>{{ i.subject }}</h1><p>Boletín n.º {{ i.number }} · {{ i.status }}</p>
<dl><dt>En cola</dt><dd>{{ f.queued }}</dd><dt>Enviados</dt><dd>{{ f.sent }}</dd><dt>Fallidos</dt><dd>{{ f.failed }}</dd>
<dt>Bajas</dt><dd>{{ f.unsubscribed }}</dd></dl><section>{{ html }}</section>""")


def newsletter(user_id: int) -> str:
    """One sent issue: the issue (one query) and its delivery figures over its deliveries and their messages in the
    outbox (one), its text rendered from Markdown."""
    from models.loyalty import NewsletterDelivery, NewsletterIssue
    from services.manual.markdown import render as markdown

    issue = NewsletterIssue.get_by_id(int(page_url().rstrip("/").rsplit("/", 1)[1]))
    figures = NewsletterDelivery.figures([issue.id])[issue.id]
    return render(NEWSLETTER, i=issue, f=figures, html=markdown(issue.body))
