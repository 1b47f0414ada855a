"""Who may do what: one table from role to permissions, deny by default (DESIGN.md §3, §5; SECURITY.md A1, A2).

Every route carries ``@require("noun.verb")`` or ``@public``; a test walks the URL map and fails on any
route with neither. Templates ask ``can("noun.verb")`` to hide controls; the server stays authoritative.
"""

from functools import lru_cache, wraps

from flask import abort, request, url_for
from flask_login import current_user

ROLES = {
    "admin": "Administración del sistema",
    "management": "Gerencia General",
    "commercial": "Departamento Comercial",
    "operations": "Departamento Operativo",
    "service": "Atención al Cliente",
    "quality": "Responsable del SGC",
}

# Every signed-in staff member, whatever their roles: their own profile, sessions and language.
SIGNED_IN = frozenset({"account.self", "notes.read",  # notes.read: the quality notes to the staff (issue 16)
                       "manual.read"})  # the published procedures manual (issue 17)

_CASE_WORK = frozenset({"cases.view", "cases.manage", "interactions.log", "documents.manage", "deadlines.manage",
                        "work.view"})

# Listening to the client (issue 6): everyone who meets clients registers complaints; service, quality and
# management handle them and the crisis protocol; quality owns survey templates and the analysis.
_LISTEN = frozenset({"complaints.log"})
_HANDLE = frozenset({"complaints.log", "complaints.manage", "crisis.manage", "surveys.invite"})
_ANALYSE = frozenset({"surveys.results", "surveys.templates", "complaints.analyze", "complaints.configure"})
# Quality management (PRO 008 §7): management and quality read the indicators and the dashboard; quality sets
# the targets.
_QUALITY = frozenset({"quality.view", "notes.manage"})  # notes.manage: publish notes to the staff
# Improvement actions (ISO 9001 §10.2): quality and management open and manage them; operations and service see
# the ones they own (the list and the page are scoped to the owner without actions.manage).
_ACTIONS = frozenset({"actions.view", "actions.manage"})
# The management review (ISO 9001 §9.3): quality and management prepare it (read with quality.view);
# management approves it.
_REVIEWS = frozenset({"reviews.prepare"})
# Privacy (issue 19): management and quality read who viewed confidential data (any client, case or person; a
# client's or case's responsible reads their own through clients.view / cases.view, checked on the record);
# service, quality and management handle data-subject requests.
_PRIVACY_READS = frozenset({"privacy.reads"})
_PRIVACY_REQUESTS = frozenset({"privacy.requests"})
# The periodic access review (SECURITY.md A6): management and quality open it and decide its lines (privacy.reads);
# management signs it off.
_PRIVACY_SIGNOFF = frozenset({"privacy.signoff"})
# Erasure and blocking (issue 19 items 4–5): management and quality carry out an erasure or blocking and approve
# what the retention review lists; only management opens a blocked client, for legal claims (LOPDGDD art. 32).
_PRIVACY_ERASE = frozenset({"privacy.erase"})
_PRIVACY_LEGAL_CLAIMS = frozenset({"privacy.legal_claims"})
# The procedures manual (issue 17): quality drafts versions, management approves (and withdraws) them, either
# publishes an approved one; every member of staff reads the published manual (manual.read, SIGNED_IN).
# Both follow who acknowledged a version and keep the confidentiality agreements (manual.agreements).
_MANUAL_DRAFT = frozenset({"manual.draft", "manual.publish", "manual.agreements"})
_MANUAL_APPROVE = frozenset({"manual.approve", "manual.publish", "manual.agreements"})
# The newsletter (issue 18, PRO 008 §5.5.2): commercial, client service and management write and send it.
_NEWSLETTER = frozenset({"newsletter.manage"})
# The loyalty programme (issue 18, PRO 008 §5.5.1): management defines the benefit rules; commercial applies them on
# quotations and thanks referrers (commercial.manage), and everyone with commercial.view reads them.
_BENEFITS = frozenset({"benefits.manage"})
# The traceability report (issue 18 item 6): management and quality read any client's or case's; the client's
# responsible and its case teams read their own (checked on the record: services/reports/trace.py, Reader).
_TRACE = frozenset({"reports.trace"})
# Training on the manual (issue 17 item 5): quality and management plan sessions, mark attendance and evaluations.
_TRAINING = frozenset({"training.manage"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"home.view", "users.manage", "audit.read", "catalog.manage"}),
    "management": frozenset({"home.view", "clients.view", "clients.create", "clients.edit", "clients.evaluate",
                             "clients.reveal", "clients.export", "commercial.view", "commercial.manage"})
    | _CASE_WORK | _HANDLE | _ANALYSE | _QUALITY | _ACTIONS | _REVIEWS | {"reviews.approve"}
    | _PRIVACY_READS | _PRIVACY_REQUESTS | _PRIVACY_SIGNOFF | _MANUAL_APPROVE | _PRIVACY_ERASE | _PRIVACY_LEGAL_CLAIMS
    | _NEWSLETTER | _BENEFITS | _TRACE | _TRAINING,
    "commercial": frozenset({"home.view", "clients.view", "clients.create", "clients.edit", "clients.evaluate",
                             "clients.reveal", "clients.export", "commercial.view", "commercial.manage",
                             "cases.view", "interactions.log", "work.view", "surveys.invite",
                             "surveys.results"}) | _LISTEN | _NEWSLETTER,
    "operations": frozenset({"home.view", "clients.view", "clients.reveal", "commercial.view", "actions.view"})
    | _CASE_WORK | _LISTEN,
    "service": frozenset({"home.view", "clients.view", "clients.reveal", "cases.view", "interactions.log",
                          "work.view", "actions.view"}) | _HANDLE | _PRIVACY_REQUESTS | _NEWSLETTER,
    "quality": frozenset({"home.view", "audit.read", "clients.view", "commercial.view", "cases.view",
                          "work.view"}) | _HANDLE | _ANALYSE | _QUALITY | {"quality.targets"} | _ACTIONS | _REVIEWS
    | _PRIVACY_READS | _PRIVACY_REQUESTS | _MANUAL_DRAFT | _PRIVACY_ERASE | _TRACE | _TRAINING,
}

ALL_PERMISSIONS = frozenset().union(SIGNED_IN, *PERMISSIONS.values())


def permissions_of(roles) -> frozenset[str]:
    return _permissions(tuple(sorted(roles)))


@lru_cache(maxsize=128)
def _permissions(roles: tuple) -> frozenset[str]:
    """The union for one set of roles, computed once (a page asks ``can`` a dozen times)."""
    return SIGNED_IN.union(*(PERMISSIONS.get(r, frozenset()) for r in roles))


def can(permission: str, user=None) -> bool:
    # The signed-in user resolved once, not through the proxy on each attribute.
    user = user if user is not None else current_user._get_current_object()
    if not user or not user.is_authenticated:
        return False
    return permission in permissions_of(user.role_names)


def public(view):
    """Reachable without signing in (login, health, static, the public survey)."""
    view._public = True
    return view


def require(permission: str):
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"permiso desconocido: {permission}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not can(permission):
                from core.audit import record

                record("authz_fail", object_type="endpoint", object_id=request.endpoint or "", detail=permission)
                abort(403)
            return view(*args, **kwargs)

        wrapped._required_permission = permission
        return wrapped

    return decorator


def _to_login():
    from core.htmx import redirect_page

    return redirect_page(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
