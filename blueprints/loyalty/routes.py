"""A contract's renewal: its state, "Renovar" (a new quotation from the contract) and the decision when it is not
renewed (PRO 008 §5.5.3)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from blueprints.loyalty.forms import OUTCOME_LABELS, DecisionForm, FollowUpForm
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.web import get_or_404, me, status_for
from models.clients import Client
from models.commercial import Contract
from services import loyalty as service

from . import bp


def _page(contract, form=None, status=200):
    form = form or DecisionForm()
    return render("loyalty/renewal.html", contract=contract, form=form, info=service.state(contract, today_local()),
                  labels=OUTCOME_LABELS, today=today_local(), status=status)


@bp.get("/contratos/<int:contract_id>/renovacion")
@require("commercial.view")
def renewal(contract_id):
    return _page(get_or_404(Contract.in_reach(), Contract.id == contract_id))


@bp.post("/contratos/<int:contract_id>/renovar")
@require("commercial.manage")
def renew(contract_id):
    contract = get_or_404(Contract.in_reach(), Contract.id == contract_id)
    try:
        quotation = service.renew(contract, me(), today_local())
    except service.LoyaltyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("loyalty.renewal", contract_id=contract.id), 303)
    flash(_("Quotation %(code)s started from contract %(contract)s: adjust it to what the client needs now.",
            code=quotation.code, contract=contract.code), "success")
    return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)


@bp.post("/contratos/<int:contract_id>/decision")
@require("commercial.manage")
def decide(contract_id):
    contract = get_or_404(Contract.in_reach(), Contract.id == contract_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(contract, form, status_for(form))
    try:
        service.decide(contract, form.outcome.data, form.reason.data, me(), today_local())
    except service.DecisionError as exc:
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return _page(contract, form, 422)
    except service.LoyaltyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("loyalty.renewal", contract_id=contract.id), 303)
    flash(_("Decision recorded."), "success")
    return redirect(url_for("commercial.renewals"), 303)


@bp.post("/seguimientos/<int:task_id>")
@require("work.view")
def follow_up(task_id):
    """The outcome of a post-case contact, from Mi trabajo; a new need leads to a new quotation for the client."""
    from models.tasks import Task

    user = me()
    task = get_or_404(Task, Task.id == task_id, Task.owner == user.id, Task.kind == "post_case",
                      Client.reachable_by(Task.client))
    form = FollowUpForm()
    if not form.validate_on_submit():
        return render("loyalty/follow_up.html", task=task, form=form, status=status_for(form))
    try:
        service.record_follow_up(task, form.outcome.data, form.note.data, user)
    except service.DecisionError as exc:  # what is missing, beside its field
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return render("loyalty/follow_up.html", task=task, form=form, status=422)
    except service.LoyaltyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("home.work"), 303)
    flash(_("Follow-up recorded."), "success")
    if form.outcome.data == "new_need" and task.client_id:
        return redirect(url_for("commercial.client_tab", client_id=task.client_id), 303)
    return redirect(url_for("home.work"), 303)
