"""The loyalty programme (PRO 008 §5.5.1) and the referral programme: the benefit rules, "Aplicar beneficio" on a
draft quotation, the client's "Beneficios" tab, the referrals with their thanks and the ranking of referrers."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from blueprints.loyalty.benefit_forms import ApplyForm, RuleForm, ThanksForm, ToggleForm
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.web import get_or_404, me, or_404, status_for
from models.benefits import BenefitGrant, BenefitRule
from models.clients import Client
from models.commercial import Quotation
from services import clients as client_service
from services.loyalty import benefits as service
from services.loyalty import labels as loyalty_labels
from services.loyalty import referrals as referral_service

from . import bp


@bp.context_processor
def _words():
    return {"loyalty_labels": loyalty_labels}


def _rules_page(form=None, status=200):
    return render("loyalty/benefits.html", "loyalty/_benefit_rules.html", rules=list(BenefitRule.listed()),
                  grants=list(service.recent()), form=form or RuleForm(), toggle=ToggleForm(), status=status)


@bp.get("/beneficios")
@require("commercial.view")
def benefits():
    return _rules_page()


@bp.post("/beneficios")
@require("benefits.manage")
def new_rule():
    form = RuleForm()
    if not form.validate_on_submit():
        return _rules_page(form, status_for(form))
    try:
        rule = service.create_rule(form.data_for_service(), me())
    except service.BenefitError as exc:
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return _rules_page(form, 422)
    flash(_("Benefit %(name)s created.", name=rule.name), "success")
    return redirect(url_for("loyalty.benefits"), 303)


@bp.post("/beneficios/<int:rule_id>/<any(activar, desactivar):step>")
@require("benefits.manage")
def toggle_rule(rule_id, step):
    rule = get_or_404(BenefitRule, BenefitRule.id == rule_id)
    if ToggleForm().validate_on_submit():
        service.set_active(rule, step == "activar", me())
        flash(_("Benefit in force.") if rule.active else _("Benefit no longer offered."), "success")
    return redirect(url_for("loyalty.benefits"), 303)


@bp.post("/cotizaciones/<int:quotation_id>/beneficio")
@require("commercial.manage")
def apply(quotation_id):
    """"Aplicar beneficio" on a draft quotation whose client qualifies: the benefit becomes a line of it."""
    quotation = get_or_404(Quotation.in_reach(), Quotation.id == quotation_id)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            grant = service.apply(quotation, form.rule.data, me(), today_local())
        except service.BenefitError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Benefit applied: %(line)s.", line=grant.description), "success")
    else:
        flash(_("Choose a benefit in force."), "error")
    return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)


@bp.get("/clientes/<int:client_id>/beneficios")
@require("clients.view")
def client_tab(client_id):
    """The client page's "Beneficios" tab: the benefits applied, what the client qualifies for, its referrals."""
    client = or_404(Client.for_page(client_id))
    today = today_local()
    figures = service.stats(client.id, today)
    return render("loyalty/client_benefits.html", "loyalty/_client_benefits.html", **client_service.header(client, me()),
                  grants=list(BenefitGrant.history(client.id)), figures=figures,
                  eligible=[r for r in BenefitRule.in_force() if r.qualifies(figures)],
                  referred=referral_service.of_client(client.id), today=today)


@bp.get("/referencias")
@require("commercial.view")
def referrals():
    outcomes = {key: str(text) for key, text in loyalty_labels.REFERRAL_OUTCOMES.items()}  # once, not per row
    return render("loyalty/referrals.html", "loyalty/_referrals.html", rows=referral_service.referrals(),
                  ranking=referral_service.ranking(), outcomes=outcomes, form=ThanksForm())


@bp.post("/referencias/<int:client_id>/agradecimiento")
@require("commercial.manage")
def thank(client_id):
    referred = get_or_404(Client, Client.id == client_id, Client.referred_by.is_null(False), Client.reachable())
    form = ThanksForm()
    if form.validate_on_submit():
        try:
            referral_service.thank(referred, me(), bool(form.email.data), form.note.data or "")
        except referral_service.ThanksError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Thanks sent by email and recorded.") if form.email.data else _("Thanks recorded."), "success")
    return redirect(url_for("loyalty.referrals"), 303)
