"""The interaction log (timeline on client and case pages) and virtual meetings."""

from types import SimpleNamespace

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.interactions.forms import InteractionForm, MeetingForm
from blueprints.interactions.timeline import log_url, timeline_context, timeline_url
from core.db import utcnow
from core.guard import can, require
from core.htmx import render, wants_partial
from core.web import get_or_404, link_for, me, or_404, status_for
from models.cases import Case
from models.clients import Client
from models.interactions import Interaction, Meeting
from services import clients as client_service
from services import interactions as service
from services.cases import header
from services.clients import labels as client_labels
from services.interactions import labels

from . import bp


@bp.context_processor
def _helpers():
    """For the timeline on the client's and the case's tabs (both served here) and the meeting pages, which show
    the customer-type advice too."""
    return {"interaction_labels": labels, "update_gap": service.update_gap, "response_time": service.response_time,
            "client_labels": client_labels, "timeline_links": _timeline_links}


def _timeline_links() -> SimpleNamespace:
    """What each timeline entry links to, built once for the list, and whether the person may mark an entry
    answered (templates/interactions/_entry.html)."""
    return SimpleNamespace(case=link_for("interactions.case_log", "case_id"),
                           reveal=link_for("interactions.reveal", "interaction_id"),
                           answer=link_for("interactions.answer", "interaction_id"), may_answer=can("interactions.log"))


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and wants_partial()


def _entry_or_404(interaction_id: int) -> Interaction:
    return or_404(Interaction.for_entry(interaction_id))


def _team_or_404(entry: Interaction) -> None:
    """A confidential entry answers 404 to staff off the team, like one that does not exist (A3)."""
    if not service.check_team(entry, me()):
        abort(404)


# ----- the timeline -----

@bp.get("/clientes/<int:client_id>")
@require("clients.view")
def client_log(client_id):
    """The client page's interactions tab (an htmx request gets the tab, or only the list for #timeline)."""
    client = or_404(Client.for_page(client_id))
    return render("interactions/client_log.html", "interactions/_client_log.html", **client_service.header(client, me()),
                  **timeline_context(client=client, args=request.args, user=me()))


@bp.get("/casos/<int:case_id>")
@require("cases.view")
def case_log(case_id):
    case = or_404(Case.for_page(case_id))
    return render("interactions/case_log.html", "interactions/_timeline.html", case_tab="interacciones",
                  **header(case, me()), **timeline_context(case=case, args=request.args, user=me()))


@bp.post("/clientes/<int:client_id>")
@require("interactions.log")
def log_for_client(client_id):
    client = or_404(Client.for_page(client_id))
    form = InteractionForm().prepare(service.case_choices(client), service.follow_up_team(client, me()))
    return _log(form, client, None)


@bp.post("/casos/<int:case_id>")
@require("interactions.log")
def log_for_case(case_id):
    case = or_404(Case.for_page(case_id))
    form = InteractionForm().prepare((), service.follow_up_team(case.client, me(), case))
    form.case.data = 0  # the case is the page's
    return _log(form, case.client, case)


def _log(form, client, case):
    """Valid: the entry is stored; under htmx a fresh form plus the entry at the top of the timeline,
    otherwise 303 back to the timeline. Invalid: the form with its errors (422), nothing stored."""
    if not form.validate_on_submit():
        return _timeline_page(client, case, log_form=form, status=422)
    entry = service.log(client, form.data_for_service(), me(), case=case)
    flash(_("Interaction recorded."), "success")
    if not _is_htmx():
        return redirect(timeline_url(client, case), 303)
    cases = service.case_choices(client) if case is None else []
    return render("interactions/_logged.html", entry=entry, log_form=InteractionForm.fresh(me(), cases, service.follow_up_team(client, me(), case)),
                  timeline_client=client, timeline_case=case, may_see_confidential=True, log_url=log_url(client, case))


def _timeline_page(client, case, status=200, **extra):
    """The whole page the timeline lives on (for a form sent without JavaScript), or under htmx its form."""
    ctx = timeline_context(client=client, case=case, args={}, user=me(), **extra)
    if _is_htmx():
        return render("interactions/_log_form.html", status=status, **ctx)
    if case is not None:
        return render("interactions/case_log.html", status=status, case_tab="interacciones", **header(case, me()), **ctx)
    return render("interactions/client_log.html", status=status, **client_service.header(client, me()), **ctx)


@bp.get("/<int:interaction_id>")
@require("clients.view")
def reveal(interaction_id):
    entry = _entry_or_404(interaction_id)
    _team_or_404(entry)
    summary = service.reveal(entry, me())
    return render("interactions/entry.html", "interactions/_entry.html", entry=entry, revealed=summary,
                  may_see_confidential=True, timeline_case=None)


@bp.post("/<int:interaction_id>/respondida")
@require("interactions.log")
def answer(interaction_id):
    entry = _entry_or_404(interaction_id)
    if entry.confidential:
        _team_or_404(entry)
    if service.mark_answered(entry, me()):
        flash(_("Marked as answered."), "success")
    if _is_htmx():
        return render("interactions/_entry.html", entry=entry, may_see_confidential=service.may_see(entry, me()),
                      timeline_case=None)
    if request.form.get("vista") == "caso" and entry.case_id:
        return redirect(url_for("interactions.case_log", case_id=entry.case_id), 303)
    return redirect(url_for("interactions.client_log", client_id=entry.client_id), 303)


# ----- meetings -----

@bp.route("/clientes/<int:client_id>/reuniones/nueva", methods=["GET", "POST"])
@require("interactions.log")
def new_meeting(client_id):
    client = or_404(Client.for_page(client_id))
    form = MeetingForm().prepare(service.case_choices(client))
    if request.method == "GET":
        form.case.data = request.args.get("caso", 0, type=int)
    warnings = service.protocol_warnings(form.starts_at, form.duration_minutes.data or 0) if (
        form.is_submitted() and form.starts_on.data and form.starts_time.data) else []
    if form.validate_on_submit() and (not warnings or form.confirm.data):
        meeting, sent = service.schedule_meeting(client, form.data_for_service(), me())
        if sent:
            flash(_("Meeting scheduled. The invitation was sent to %(email)s.", email=client.email), "success")
        else:
            flash(_("Meeting scheduled, but no invitation was sent: the client has no email. "
                    "Send the calendar file by another channel."), "warning")
        return redirect(url_for("interactions.meeting", meeting_id=meeting.id), 303)
    if warnings and not form.confirm.data and not form.errors:
        form.confirm.errors = [_("Tick “Schedule anyway” to go ahead despite the warnings.")]
    return render("interactions/meeting_form.html", form=form, client=client, warnings=warnings, zone=service.zone_label(),
                  status=status_for(form))


@bp.get("/reuniones/<int:meeting_id>")
@require("clients.view")
def meeting(meeting_id):
    meeting = get_or_404(Meeting.in_reach(), Meeting.id == meeting_id)
    return render("interactions/meeting.html", meeting=meeting, client=meeting.client, when=service.meeting_time(meeting),
                  now=utcnow())


@bp.get("/reuniones/<int:meeting_id>/invitacion.ics")
@require("clients.view")
def meeting_ics(meeting_id):
    meeting = get_or_404(Meeting.in_reach(), Meeting.id == meeting_id)
    response = make_response(service.invitation_file(meeting, meeting.client))
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    response.headers["Content-Type"] = f"text/calendar; method={method}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="reunion-{meeting.id}.ics"'
    return response


@bp.post("/reuniones/<int:meeting_id>/cancelar")
@require("interactions.log")
def cancel_meeting(meeting_id):
    meeting = get_or_404(Meeting.in_reach(), Meeting.id == meeting_id)
    try:
        sent = service.cancel_meeting(meeting, me())
    except service.MeetingError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Meeting cancelled. The client was told by email.") if sent else _("Meeting cancelled."), "success")
    return redirect(url_for("interactions.meeting", meeting_id=meeting.id), 303)
