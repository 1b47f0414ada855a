"""Floors: for each page, a bare Flask + peewee view that runs the page's single indexed query and renders
the same rows with a minimal inline template (DESIGN.md §8). No extensions, no auth, no layout: what is
left of the page's time once everything Traza adds is taken away.

A floor is ``fn(user_id) -> str``: it runs in a request of the floor app (``request.args`` carries the
page URL's query string, ``request.form`` a POST page's fields, ``page_url()`` the page's own URL) and
``user_id`` is the account the real page is measured with.
"""

import operator
from functools import cache, reduce

import phonenumbers
from flask import Flask, current_app, g, request
from peewee import JOIN, SQL, fn
from rapidfuzz import fuzz

from core.db import db, utcnow
from core.text import STOP_WORDS, name_key, tokens
from models.audit import AuditEvent
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
