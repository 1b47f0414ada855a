"""Floors: for each page, a bare Flask + peewee view that runs the page's single indexed query and renders
the same rows with a minimal inline template (DESIGN.md §8). No extensions, no auth, no layout: what is
left of the page's time once everything Traza adds is taken away.

A floor is ``fn(user_id) -> str``: it runs in a request of the floor app (``request.args`` carries the
page URL's query string, ``request.form`` a POST page's fields, ``page_url()`` the page's own URL) and
``user_id`` is the account the real page is measured with.
"""

import operator
from datetime import datetime, timedelta
from functools import cache, reduce

import phonenumbers
from flask import Flask, current_app, g, request
from peewee import JOIN, SQL, fn
from peewee import Case as SqlCase
from rapidfuzz import fuzz

from core.db import db, utcnow
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
from models.documents import SATISFIED, Deadline, DocumentItem, DocumentVersion
from models.files import StoredFile
from models.interactions import Interaction
from models.tasks import Task
from models.users import User, UserSession

PAGE = "<!doctype html><html lang=es><meta charset=utf-8><title>floor</title><body>{}</body></html>"

HOME = PAGE.format("""<ul>{% for e in rows %}<li><time datetime="{{ e.at.isoformat() }}Z">{{ e.at.strftime("%d/%m/%y %H:%M") }}</time>
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
    """render_template_string, minus recompiling the template on every request (Traza's are compiled once)."""
    return _compiled(source).render(**context)


HOME_ACTIONS = ("login_success", "password_change", "mfa_enrol", "recovery_code_used")


def home(user_id: int) -> str:
    rows = (AuditEvent.select().where(AuditEvent.actor == user_id, AuditEvent.action.in_(HOME_ACTIONS))
            .order_by(AuditEvent.id.desc()).limit(5))
    return render(HOME, rows=list(rows))


def users(user_id: int) -> str:
    query = User.select().order_by(User.name, User.id).limit(25)
    if term := request.args.get("q", "").strip().lower():
        query = query.where(fn.LOWER(User.name).contains(term) | User.email.contains(term))
    return render(USERS, rows=list(query))


def audit(user_id: int) -> str:
    query = (AuditEvent.select(AuditEvent, User).join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
             .order_by(AuditEvent.id.desc()).limit(50))
    if action := request.args.get("action"):
        query = query.where(AuditEvent.action == action)
    return render(AUDIT, rows=list(query))


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
    return int(page_url().partition("?")[0].rstrip("/").rsplit("/", 1)[1])


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
    """One query: the 300 records sharing the most 4-letter word prefixes with ``name``, with their names.
    Each prefix is its own range on the (kind, token, ref_id) index, UNIONed (an OR of ranges under a GROUP BY
    makes SQLite walk every token of the kind instead)."""
    words = [w for w in tokens(name) if len(w) >= 3 and w not in STOP_WORDS][:6]
    if not words:
        return []
    parts = [SearchToken.select(SearchToken.ref_id, SearchToken.token).where(SearchToken.kind == kind, _prefix(p))
             for p in sorted({w[:4] for w in words})]
    matches = reduce(operator.or_, parts).alias("m")  # UNION: each (ref_id, token) once, as the OR counts them
    candidates = (SearchToken.select(matches.c.ref_id).from_(matches).group_by(matches.c.ref_id)
                  .order_by(fn.COUNT(SQL("*")).desc(), SQL("1")).limit(300))
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
    app = Flask("bench.floors")

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
        g.page_url = url
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


TIMELINE_SIZE = 20  # core.interactions.PAGE_SIZE


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


WORK_ROWS = 50  # core.work: rows per section


def _row(when, what, case_id=None, client=None):
    return {"when": when, "what": what, "case_id": case_id, "client_id": client.id if client else None,
            "client_name": client.name if client else ""}


def work_queue(user_id: int) -> str:
    """The person's queue, section by section, the rows only (no tallies), each with what it links to: its
    deadlines in their alert window, planned interventions up to today, open follow-ups, documents waiting for
    a review on its open cases, unanswered questions of its clients, closed cases with the survey due, and
    active clients waiting for their periodic update: seven indexed queries."""
    today = _local_today()
    now = utcnow()
    day_end = datetime(today.year, today.month, today.day) + LOCAL_OFFSET + timedelta(days=1)
    deadlines = (Deadline.select(Deadline, Case, Client).join(Case).join(Client)
                 .where(Deadline.responsible == user_id, Deadline.status == "open", Deadline.alert_from <= today)
                 .order_by(Deadline.due_at).limit(WORK_ROWS))
    interventions = (Intervention.select(Intervention, Case, Client).join(Case).join(Client)
                     .where(Intervention.assigned == user_id, Intervention.status == "planned",
                            Intervention.starts_at < day_end).order_by(Intervention.starts_at).limit(WORK_ROWS))
    tasks = (Task.select(Task, Client).join(Client, JOIN.LEFT_OUTER, on=(Task.client == Client.id))
             .where(Task.owner == user_id, Task.done_at.is_null()).order_by(Task.due_on, Task.id).limit(WORK_ROWS))
    documents = (DocumentItem.select(DocumentItem, Case, Client).join(Case).join(Client)
                 .where(Case.responsible == user_id, Case.status != "closed",
                        (DocumentItem.status == "received") | ((DocumentItem.status == "reviewed") & (DocumentItem.review_on <= today)))
                 .order_by(DocumentItem.id).limit(WORK_ROWS))
    questions = (Interaction.select(Interaction, Client).join(Client)
                 .where(Client.responsible == user_id, Interaction.kind.in_(("question", "concern")),
                        Interaction.direction == "in", Interaction.answered_at.is_null())
                 .order_by(Interaction.occurred_at, Interaction.id).limit(WORK_ROWS))
    surveys = (Case.select(Case, Client).join(Client)
               .where(Case.responsible == user_id, Case.status == "closed", Case.survey_due_on.is_null(False))
               .order_by(Case.survey_due_on, Case.id).limit(WORK_ROWS))
    updates = (Client.select().where(Client.responsible == user_id, Client.status == "active",
                                     Client.last_update_at.is_null() | (Client.last_update_at < now - timedelta(days=15)))
               .order_by(Client.last_update_at, Client.id).limit(WORK_ROWS))
    sections = [
        ("Plazos", [_row(d.due_at - LOCAL_OFFSET, d.description, d.case_id, d.case.client) for d in deadlines]),
        ("Intervenciones", [_row(r.starts_at - LOCAL_OFFSET, r.purpose, r.case_id, r.case.client) for r in interventions]),
        ("Seguimientos", [_row(t.due_on, t.title, t.case_id, t.client if t.client_id else None) for t in tasks]),
        ("Documentos", [_row(d.review_on or "", d.name, d.case_id, d.case.client) for d in documents]),
        ("Preguntas", [_row(q.occurred_at - LOCAL_OFFSET, q.kind, q.case_id, q.client) for q in questions]),
        ("Encuestas", [_row(c.survey_due_on, c.title, c.id, c.client) for c in surveys]),
        ("Actualización", [_row(c.last_update_at or "", c.name, None, c) for c in updates]),
    ]
    return render(WORK, sections=sections)
