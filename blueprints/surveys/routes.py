"""Satisfaction surveys, staff side (``/encuestas``): the invitations list and each invitation's timeline,
handing a link over (copy or printed QR) to clients without email, withdrawing, sending a survey by hand
from a client or a case, and the survey templates with their questions (versioned)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.surveys.forms import ConfirmForm, InviteForm, TemplateForm
from core.guard import require
from core.htmx import render
from core.i18n import format_day, today_local
from core.pagination import paginate
from core.qr import qr_svg
from core.web import me, or_404, status_for
from models.cases import Case
from models.clients import Client
from models.surveys import SHOWN_STATES, SurveyInvitation, SurveyLink, SurveyTemplate
from services import surveys as service
from services.surveys import labels

from . import bp

BLANK_QUESTION = {"kind": "rating", "text": "", "help": "", "required": True, "choices": "", "criterion": ""}


@bp.context_processor
def _labels():
    return {"survey_labels": labels}


def _get(model, object_id, query=None):
    obj = or_404(query(object_id) if query else model.get_or_none(model.id == object_id))
    return obj


# ----- invitations -----

@bp.get("/encuestas")
@require("surveys.invite")
def index():
    state = request.args.get("estado", "")
    state = state if state in SHOWN_STATES else ""
    page = paginate(SurveyInvitation.listing(state), 25, total=lambda: SurveyInvitation.count_listing(state))
    return render("surveys/index.html", "surveys/_invitations.html", page=page, state=state)


@bp.get("/encuestas/invitaciones/<int:invitation_id>")
@require("surveys.invite")
def invitation(invitation_id):
    return _invitation_page(_get(SurveyInvitation, invitation_id, SurveyInvitation.for_page))


def _invitation_page(invitation, link=None, status=200):
    links = list(SurveyLink.select().where(SurveyLink.invitation == invitation.id).order_by(SurveyLink.id))
    return render("surveys/invitation.html", invitation=invitation, links=links, form=ConfirmForm(), link=link,
                  qr=qr_svg(link) if link else None, status=status)


@bp.post("/encuestas/invitaciones/<int:invitation_id>/enlace")
@require("surveys.invite")
def show_link(invitation_id):
    """A new link, shown once (copy or print its QR); the earlier links of the invitation stop working."""
    invitation = _get(SurveyInvitation, invitation_id, SurveyInvitation.for_page)
    try:
        token = service.hand_over_link(invitation, me())
    except service.SurveyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("surveys.invitation", invitation_id=invitation.id), 303)
    return _invitation_page(SurveyInvitation.for_page(invitation.id), link=service.public_url(token))


@bp.post("/encuestas/invitaciones/<int:invitation_id>/retirar")
@require("surveys.invite")
def withdraw(invitation_id):
    invitation = _get(SurveyInvitation, invitation_id, SurveyInvitation.for_page)
    if service.withdraw(invitation, me()):
        flash(_("Invitation withdrawn: its links no longer work and no reminder will be sent."), "success")
    else:
        flash(_("This invitation is no longer open: it was answered, withdrawn or has expired."), "error")
    return redirect(url_for("surveys.invitation", invitation_id=invitation.id), 303)


@bp.route("/encuestas/enviar/cliente/<int:client_id>", methods=["GET", "POST"])
@require("surveys.invite")
def invite_client(client_id):
    return _invite(_get(Client, client_id, Client.for_page), None)


@bp.route("/encuestas/enviar/caso/<int:case_id>", methods=["GET", "POST"])
@require("surveys.invite")
def invite_case(case_id):
    case = _get(Case, case_id, Case.for_page)
    return _invite(case.client, case)


def _invite(client, case):
    can_email = service.may_email(client)
    form = InviteForm(formdata=request.form if request.method == "POST" else None,
                      data={"delivery": "email" if can_email else "link", "send_on": today_local()})
    offered = list(SurveyTemplate.offered())
    form.template.choices = [(t.id, t.name) for t in offered]
    if request.method == "GET" and offered:
        form.template.data = offered[0].id
    form.delivery.choices = ([("email", _("By email to %(address)s", address=client.email))] if can_email else []) + [
        ("link", _("I hand the link over myself (copy it or print its QR code)"))]
    error = None
    if form.validate_on_submit():
        template = next(t for t in offered if t.id == form.template.data)
        email = client.email if form.delivery.data == "email" else ""
        try:
            invitation = service.invite(client, case, template, email, me(), send_on=form.send_on.data)
        except service.SurveyError as exc:
            error = str(exc)
        else:
            if not email:
                flash(_("Invitation created. Show its link to hand it over to the client."), "success")
            elif service.send_invitation_now(invitation):
                flash(_("Survey sent to %(address)s.", address=email), "success")
            else:
                flash(_("Invitation created: it will be emailed on %(day)s.", day=format_day(form.send_on.data)),
                      "success")
            return redirect(url_for("surveys.invitation", invitation_id=invitation.id), 303)
    previous = list(SurveyInvitation.of_case(case.id) if case else SurveyInvitation.of_client(client.id))
    return render("surveys/invite.html", form=form, client=client, case=case, can_email=can_email, error=error,
                  previous=previous, status=422 if form.errors or error else 200)


# ----- templates -----

@bp.get("/encuestas/plantillas")
@require("surveys.templates")
def templates():
    return render("surveys/templates.html", templates=list(SurveyTemplate.listing()), form=ConfirmForm())


@bp.post("/encuestas/plantillas/predeterminada")
@require("surveys.templates")
def create_default():
    template = service.default_template(me())
    flash(_("Default survey ready: %(name)s.", name=template.name), "success")
    return redirect(url_for("surveys.edit_template", template_id=template.id), 303)


@bp.route("/encuestas/plantillas/nueva", methods=["GET", "POST"])
@require("surveys.templates")
def new_template():
    return _template_form(None)


@bp.route("/encuestas/plantillas/<int:template_id>", methods=["GET", "POST"])
@require("surveys.templates")
def edit_template(template_id):
    template = _get(SurveyTemplate, template_id)
    if not template.is_current:
        if request.method == "POST":
            flash(_("This is an earlier version; edit the current one."), "error")
            return redirect(url_for("surveys.edit_template", template_id=template.id), 303)
        return render("surveys/template_version.html", template=template, questions=list(template.ordered_questions()),
                      versions=list(SurveyTemplate.versions_of(template.family)))
    return _template_form(template)


def _template_form(template):
    if request.method == "GET":
        questions = ([{f: getattr(q, f) for f in BLANK_QUESTION} for q in template.ordered_questions()]
                     if template else [dict(BLANK_QUESTION)])
        data = ({f: getattr(template, f) for f in ("name", "intro", "anonymous", "is_active", "is_default")}
                if template else {"is_active": True})
        form = TemplateForm(formdata=None, data={**data, "questions": questions})
    else:
        form = TemplateForm()
        op = request.form.get("op", "save")
        if op != "save":  # add, remove or move a question: the same form again, nothing saved yet
            form = _rearranged(form, op)
        elif form.validate_on_submit():
            try:
                saved = service.save_template(template, {f: form[f].data for f in (
                    "name", "intro", "anonymous", "is_active", "is_default")}, [e.data for e in form.questions], me())
            except service.SurveyError as exc:
                form.form_errors.append(str(exc))
            else:
                flash(_("Survey saved as a new version (%(n)s): the answers already given keep the version they "
                        "answered.", n=saved.version) if template and saved.id != template.id else _("Survey saved."),
                      "success")
                return redirect(url_for("surveys.templates"), 303)
    versions = list(SurveyTemplate.versions_of(template.family)) if template else []
    has_responses = bool(template and (template.has_invitations() or template.has_responses()))
    return render("surveys/template_form.html", form=form, template=template, versions=versions,
                  has_responses=has_responses,
                  status=status_for(form))


def _rearranged(form, op):
    entries = [dict(entry.data) for entry in form.questions]
    action, _sep, index = op.partition("-")
    i = int(index) if index.isdigit() else -1
    if action == "add" and len(entries) < 60:
        entries.append(dict(BLANK_QUESTION))
    elif action == "remove" and 0 <= i < len(entries):
        entries.pop(i)
    elif action == "up" and 0 < i < len(entries):
        entries[i - 1], entries[i] = entries[i], entries[i - 1]
    elif action == "down" and 0 <= i < len(entries) - 1:
        entries[i + 1], entries[i] = entries[i], entries[i + 1]
    data = {f: form[f].data for f in ("name", "intro", "anonymous", "is_active", "is_default")}
    return TemplateForm(formdata=None, data={**data, "questions": entries})
