"""Traza: the application factory.

create_app(): config → db → extensions → hooks → error handlers → blueprints → CLI.
"""

import sys

import click
from flask import Flask, g, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import BytecodeCache
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Rule

import cli
from core import audit, auth, crypto, db, htmx, i18n, keycheck, keys, limits, logs, mail, security, validation
from core.config import ConfigError, build_config
from core.guard import can
from core.web import csrf_token, link_for, main_nav

csrf = CSRFProtect()

BOOT_ERROR = 3
ERROR_PAGES = {400, 403, 404, 405, 413, 422, 429, 500, 503}


class RowId(IntegerConverter):
    """``<int:…>`` in every route: a number past a 64-bit column is no row (404), not a database overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


class SharedBuilderRule(Rule):
    """A route whose URL builder (what ``url_for`` runs) is compiled once per process, not once per app.

    Werkzeug turns each rule into two small Python functions with ``compile()``: about 50 of the 74 ms an app
    took to build with our ~280 rules. The code depends only on the rule's text, parsed parts, converters and
    defaults, and takes the rule as its first argument, so an app built later (each test builds one, each
    gunicorn worker one) reuses the functions of the first. Werkzeug is pinned; tests build URLs of every route.
    """

    _builders: dict = {}

    def _compile_builder(self, append_unknown: bool = True):
        key = (self.rule, self.host, self.subdomain, tuple(self._trace), append_unknown,
               tuple((name, type(conv)) for name, conv in self._converters.items()),
               tuple(sorted((name, repr(value)) for name, value in (self.defaults or {}).items())))
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the process, so that an app built later loads the code of the first.

    Jinja compiles each template the first time its environment loads it (parse, Python source, ``compile()``):
    about 6 ms each, two dozen in a test that builds its own app and renders a few pages. Jinja checks the
    source's checksum before it uses stored code, so a changed template is compiled again.
    """

    def __init__(self):
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket):
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self):
        self._code.clear()


class Traza(Flask):
    url_rule_class = SharedBuilderRule
    jinja_options = {"bytecode_cache": SharedTemplateCode()}


def create_app(overrides: dict | None = None) -> Flask:
    try:
        return _create(overrides)
    except ConfigError as exc:
        if overrides is not None:
            raise
        if _asks_for_keys():  # `flask keys generate` is how the keys come to exist
            return _keys_only_app()
        # Started by `flask` or gunicorn: one clear line for the person installing, not a traceback. Exit
        # status 3 is gunicorn's "worker failed to boot": it stops, instead of starting workers in a loop.
        print(f"Traza no puede arrancar: {exc}", file=sys.stderr)
        raise SystemExit(BOOT_ERROR) from None


def _create(overrides: dict | None) -> Flask:
    config = build_config(overrides)
    app = Traza(__name__, instance_path=config["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(config)
    app.url_map.converters["int"] = RowId
    logs.configure(app)

    crypto.configure(app.config)
    db.init_app(app)
    keycheck.verify()
    security.init_app(app)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    app.before_request(auth.reset_request_state)
    i18n.init_app(app)
    htmx.init_app(app)
    limits.init_app(app)
    mail.init_app(app)
    _register_error_handlers(app)
    _register_blueprints(app)
    cli.init_app(app)
    app.jinja_env.globals.update(can=can, main_nav=main_nav, link_for=link_for, csrf_token=csrf_token)
    app.jinja_env.filters["phone"] = validation.display_phone
    return app


def _asks_for_keys() -> bool:
    """Run as ``flask … keys …`` (click keeps no parsed arguments at app-load time, so read argv)."""
    return click.get_current_context(silent=True) is not None and "keys" in sys.argv[1:]


def _keys_only_app() -> Flask:
    app = Flask(__name__)
    app.cli.add_command(keys.keys_cli)
    return app


def _register_blueprints(app):
    from blueprints.admin import bp as admin_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.cases import bp as cases_bp
    from blueprints.clients import bp as clients_bp
    from blueprints.commercial import bp as commercial_bp
    from blueprints.complaints import bp as complaints_bp
    from blueprints.documents import bp as documents_bp
    from blueprints.home import bp as home_bp
    from blueprints.interactions import bp as interactions_bp
    from blueprints.loyalty import bp as loyalty_bp
    from blueprints.loyalty import public_bp as loyalty_public_bp
    from blueprints.manual import bp as manual_bp
    from blueprints.privacy import bp as privacy_bp
    from blueprints.quality import bp as quality_bp
    from blueprints.reports import bp as reports_bp
    from blueprints.search import bp as search_bp
    from blueprints.surveys import bp as surveys_bp
    from blueprints.system import bp as system_bp

    for bp in (system_bp, auth_bp, home_bp, admin_bp, clients_bp, commercial_bp, cases_bp, interactions_bp, documents_bp,
               surveys_bp, complaints_bp, search_bp, quality_bp, privacy_bp, manual_bp, loyalty_bp, loyalty_public_bp,
               reports_bp):
        app.register_blueprint(bp)
    csrf.exempt("blueprints.system.routes.csp_report")  # reviewed: browsers post reports without tokens
    # reviewed: mail clients post a one-click unsubscribe (RFC 8058) without cookie or token; the link's token is the proof
    csrf.exempt("blueprints.surveys.public.public_opt_out_confirm")
    csrf.exempt("blueprints.loyalty.public.unsubscribe")  # reviewed: the same, for the newsletter (signed token)


def _error_response(status: int, message: str | None = None):
    from core.htmx import render, toast

    titles = {
        400: _("The request could not be processed"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("Action not allowed"),
        413: _("The file or form is too large"),
        422: _("Some data could not be processed"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("Traza is not available right now"),
    }
    title = titles.get(status, titles[500])
    if status == 500 and message is None:
        message = _unsaved_message()
    if request.headers.get("HX-Request") == "true":
        from flask import make_response

        response = make_response("", status)
        response.headers["HX-Reswap"] = "none"
        return toast(response, message or title, "error")
    return render("errors/error.html", status=status, code=status, title=title, message=message)


def _unsaved_message() -> str | None:
    """After a failure of ours on a write, say plainly whether what was sent was kept: nothing, unless a
    transaction of this request had already committed (then the person should look before sending again)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if db.committed_in_request():
        return _("Part of what you sent may have been saved: reload the page and check it before sending it again. "
                 "If it happens again, tell the system administrator.")
    return _("What you sent was not saved: try again; if it happens again, tell the system administrator.")


def _register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        audit.log_security_event("malicious_csrf", reason=exc.description)
        with db.transaction():
            audit.record("csrf_fail", object_type="endpoint", object_id=request.endpoint or "")
        return _error_response(400, _("The form expired or did not come from Traza. Reload the page and try again."))

    @app.errorhandler(429)
    def _too_many(exc):
        # The endpoint, not the path: paths can carry tokens (/activar/<token>).
        audit.log_security_event("excess_rate_limit_exceeded", endpoint=request.endpoint or "")
        with db.transaction():
            audit.record("rate_limit", object_type="endpoint", object_id=request.endpoint or "")
        return _error_response(429, _("Too many attempts in a short time. Wait a minute and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code not in ERROR_PAGES:
            return exc  # 416, 304…: Werkzeug's own answer is the right one (headers are added after)
        if isinstance(exc, db.DatabaseUnavailable):
            _without_database()
        message = getattr(exc, "page_message", None)  # e.g. core.security.CrossSiteRequest says why
        response = _error_response(exc.code, str(message) if message else None)
        for name, value in exc.get_headers():
            if name in ("Allow", "Retry-After"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _crash(exc):
        if isinstance(exc, db.CONNECTION_ERRORS):
            if db.mark_for_retry(exc):
                app.logger.warning("database connection lost: %s", str(exc).strip()[:200])
            else:
                app.logger.exception("database error")
            _without_database()
            return _error_response(500)
        app.logger.exception("unhandled error")
        return _error_response(500)


def _without_database():
    """The error page of a database failure must not need the database: render it for nobody signed in."""
    db.discard_connection()
    g._login_user = auth.login_manager.anonymous_user()
