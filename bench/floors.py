"""Floors: for each page, a bare Flask + peewee view that runs the page's single indexed query and renders
the same rows with a minimal inline template (DESIGN.md §8). No extensions, no auth, no layout: what is
left of the page's time once everything Traza adds is taken away.

A floor is ``fn(user_id) -> str``: it runs in a request of the floor app (``request.args`` carries the
page URL's query string) and ``user_id`` is the account the real page is measured with.
"""

from functools import cache

from flask import Flask, current_app, request
from peewee import JOIN, fn

from core.db import db, utcnow
from models.audit import AuditEvent
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
            app.add_url_rule(path, endpoint=path, view_func=_view(page.floor, user_ids[page.role]))
        urls[page.name] = url
    return app, urls


def _view(floor, user_id: int):
    def view():
        return floor(user_id)

    return view
