"""Sign in (password, then TOTP or a recovery code), first-time 2FA enrolment, activation links, a
forgotten password, sign out, and the user's own profile, password, language, recovery codes and sessions."""

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    RecoveryForm,
    SetPasswordForm,
)
from core import audit, auth, crypto
from core.db import transaction
from core.forms import ActionForm
from core.guard import can, public, require
from core.htmx import render
from core.limits import CODE_LIMIT, LOGIN_LIMIT, limiter, only_failures
from core.qr import qr_svg
from core.web import get_or_404, me, status_for
from models.users import ActivationToken, PasswordResetToken, RecoveryCode, UserSession
from services.auth import password_reset, signin

from . import bp


def _next():
    return signin.safe_next(request.args.get("next"))


def _landing():
    """Where a sign-in without ``next`` lands: management and quality on the quality dashboard (their home page,
    issue 16), everyone else on the start page."""
    return url_for("quality.dashboard" if can("quality.view") else "home.index")


def _after_login():
    return redirect(_next() or _landing(), 303)


@bp.route("/entrar", methods=["GET", "POST"])
@public
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=only_failures)
def login():
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        outcome = signin.password_step(form.email.data, form.password.data)
        if outcome.ok:
            return redirect(url_for("auth.verify" if auth.current_session().user.has_totp else "auth.enrol",
                                    next=_next()), 303)
        form.password.errors.append(outcome.message)
    return render("auth/login.html", form=form, signed_out=request.args.get("salida") == "1",
                  reset_done=request.args.get("restablecida") == "1", status=status_for(form))


@bp.route("/entrar/verificacion", methods=["GET", "POST"])
@public
@limiter.limit(CODE_LIMIT, methods=["POST"], deduct_when=only_failures)
def verify():
    row = auth.pending_session()
    if row is None or row.stage != UserSession.STAGE_PASSWORD:
        return redirect(url_for("auth.login", next=_next()))
    recovery = request.args.get("recuperacion") == "1"
    form = RecoveryForm() if recovery else CodeForm()
    if form.validate_on_submit():
        step = signin.recovery_step if recovery else signin.code_step
        outcome = step(form.data["recovery_code" if recovery else "code"])
        if outcome.ok:
            return _after_login()
        if outcome.restart:
            flash(outcome.message, "error")
            return redirect(url_for("auth.login", next=_next()), 303)
        (form.recovery_code if recovery else form.code).errors.append(outcome.message)
    return render("auth/verify.html", form=form, recovery=recovery, status=status_for(form))


@bp.route("/entrar/configurar-2fa", methods=["GET", "POST"])
@public
@limiter.limit(CODE_LIMIT, methods=["POST"], deduct_when=only_failures)
def enrol():
    row = auth.pending_session()
    if row is None or row.stage != UserSession.STAGE_ENROL:
        return redirect(url_for("auth.login"))
    return _enrolment(row.user, first_time=True)


def _enrolment(user, first_time):
    form = CodeForm()
    secret = signin.enrolment_secret(user)
    if form.validate_on_submit():
        codes = signin.enrol(user, form.code.data)
        if codes is not None:
            if first_time:
                signin.finish_enrolment(user)
            return render("auth/recovery_codes.html", codes=codes, first_time=first_time, user=user, landing=_landing())
        form.code.errors.append(_("The code does not match. Check the time on your phone and try the current code."))
    uri = auth.provisioning_uri(user, secret)
    response = render("auth/enrol.html", form=form, qr=qr_svg(uri), key=auth.grouped_key(secret),
                      first_time=first_time, user=user, status=status_for(form))
    return response


@bp.route("/activar/<token>", methods=["GET", "POST"])
@public
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def activate(token):
    link = ActivationToken.valid(crypto.token_hash(token))
    if link is None:
        return _no_referrer(render("auth/link_invalid.html", status=404))
    form = SetPasswordForm(user=link.user)
    if form.validate_on_submit():
        with transaction():
            if not link.consume():
                return _no_referrer(render("auth/link_invalid.html", status=404))
            link.user.set_password_hash(auth.hash_password(form.password.data))
            audit.record("password_set", link.user, actor=link.user, fields=["password_hash"])
            stage = UserSession.STAGE_PASSWORD if link.user.has_totp else UserSession.STAGE_ENROL
            auth.start_session(link.user, stage)
        return redirect(url_for("auth.verify" if link.user.has_totp else "auth.enrol"), 303)
    return _no_referrer(render("auth/activate.html", form=form, user=link.user, status=status_for(form)))


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/entrar/olvido", methods=["GET", "POST"])
@public
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def forgot_password():
    """The same answer whether or not the address has an account (SECURITY.md P5, P6)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_link(form.email.data)
        return redirect(url_for("auth.forgot_password", enviado=1), 303)
    return render("auth/forgot.html", form=form, sent=request.args.get("enviado") == "1",
                  status=status_for(form))


@bp.route("/restablecer/<token>", methods=["GET", "POST"])
@public
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def reset_password(token):
    """GET shows the form and never uses the link (mail scanners open links, SECURITY.md G11)."""
    link = PasswordResetToken.valid(crypto.token_hash(token))
    if link is None:
        return _no_referrer(render("auth/reset_invalid.html", status=404))
    form = SetPasswordForm(user=link.user)
    if form.validate_on_submit():
        if not password_reset.complete(link, form.password.data):
            return _no_referrer(render("auth/reset_invalid.html", status=404))
        session.clear()  # this browser's own session, if any, was ended with the others
        return _no_referrer(redirect(url_for("auth.login", restablecida=1), 303))
    return _no_referrer(render("auth/reset.html", form=form, user=link.user, status=status_for(form)))


@bp.route("/salir", methods=["POST"])
@require("account.self")
def logout():
    with transaction():
        audit.record("logout", me())
        auth.end_session("logout")
    # Clear-Site-Data wipes the cookie that would carry a flash: the sign-in page says it from the URL.
    response = redirect(url_for("auth.login", salida=1), 303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/confirmar", methods=["GET", "POST"])
@require("account.self")
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=only_failures)
def confirm():
    form = ConfirmForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = me()
        problem = signin.recheck_password(user, form.password.data, "reauth_fail")
        if problem is None:
            with transaction():
                auth.mark_fresh(auth.current_session())
                audit.record("reauth", user)
            return redirect(signin.safe_next(form.next.data) or url_for("auth.profile"), 303)
        if not auth.current_session():
            return redirect(url_for("auth.login"), 303)  # that failure locked the account
        form.password.errors.append(problem)
    return render("auth/confirm.html", form=form, status=status_for(form))


@bp.get("/perfil")
@require("account.self")
def profile():
    return _profile_page(ChangePasswordForm(user=current_user), LanguageForm(locale=current_user.locale))


def _profile_page(password_form, language_form, status=200):
    return render("auth/profile.html", password_form=password_form, language_form=language_form,
                  remaining_codes=RecoveryCode.remaining(current_user), status=status)


@bp.post("/perfil/contrasena")
@require("account.self")
@limiter.limit(LOGIN_LIMIT, deduct_when=only_failures)
def change_password():
    user = me()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        problem = signin.recheck_password(user, form.current.data, "password_change_fail")
        if problem is not None:
            if not auth.current_session():
                return redirect(url_for("auth.login"), 303)  # that failure locked the account
            form.current.errors.append(problem)
    if form.errors or not form.is_submitted():
        return _profile_page(form, LanguageForm(locale=user.locale), status=422)
    with transaction():
        user.set_password_hash(auth.hash_password(form.password.data))
        UserSession.revoke_all(user, "password_changed")
        auth.start_session(user, UserSession.STAGE_ACTIVE)
        audit.record("password_change", user, fields=["password_hash"])
    flash(_("Your password was changed. Your other sessions were closed."), "success")
    return redirect(url_for("auth.profile"), 303)


@bp.post("/perfil/idioma")
@require("account.self")
def change_language():
    form = LanguageForm()
    if form.validate_on_submit():
        with transaction():
            current_user.set_locale(form.locale.data)
            audit.record("user_update", me(), fields=["locale"])
        flash(_("Language saved."), "success")
    return redirect(url_for("auth.profile"), 303)


@bp.route("/perfil/codigos-recuperacion", methods=["GET", "POST"])
@require("account.self")
@auth.fresh_required
def recovery_codes():
    form = ActionForm()
    if form.validate_on_submit():
        with transaction():
            codes = auth.new_recovery_codes(current_user)
            audit.record("recovery_codes_regenerated", me(), fields=["recovery_codes"])
        return render("auth/recovery_codes.html", codes=codes, first_time=False, user=current_user)
    return render("auth/recovery_regenerate.html", form=form, remaining=RecoveryCode.remaining(current_user))


@bp.route("/perfil/autenticador", methods=["GET", "POST"])
@require("account.self")
@auth.fresh_required
def reenrol():
    return _enrolment(me(), first_time=False)


@bp.get("/perfil/sesiones")
@require("account.self")
def sessions():
    rows = UserSession.live_for(current_user)
    return render("auth/sessions.html", "auth/_sessions.html", rows=rows, current=auth.current_session(),
                  form=ActionForm())


@bp.post("/perfil/sesiones/<int:session_id>/cerrar")
@require("account.self")
def end_one_session(session_id):
    row = get_or_404(UserSession, UserSession.id == session_id, UserSession.user == current_user.id)
    if ActionForm().validate_on_submit():
        with transaction():
            row.revoke("ended_by_user")
            audit.record("session_end", me(), detail="one")
        flash(_("The session was closed."), "success")
    return redirect(url_for("auth.sessions"), 303)


@bp.post("/perfil/sesiones/cerrar-otras")
@require("account.self")
def end_other_sessions():
    if ActionForm().validate_on_submit():
        with transaction():
            ended = UserSession.revoke_all(current_user, "ended_by_user", except_id=auth.current_session().id)
            audit.record("session_end", me(), detail=f"others:{ended}")
        flash(_("Your other sessions were closed."), "success")
    return redirect(url_for("auth.sessions"), 303)


@bp.get("/sesion/estado")
@require("account.self")
def keepalive():
    """Called by the idle-timeout warning's "stay signed in" button: any request counts as activity."""
    auth.touch_now(auth.current_session())
    return ("", 204)
