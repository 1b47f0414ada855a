"""The timeline as the client's and the case's interactions tabs show it: the filters from the query string,
keyset paging, the links its forms and pager use, and the log form. The procedure (who may see what, the
writes) is services.interactions."""

from functools import partial

from flask import current_app, request, url_for
from flask_babel import gettext as _

from blueprints.interactions.forms import FilterForm, InteractionForm
from core.db import utcnow
from core.guard import can
from core.pagination import keyset
from models.cases import Case
from models.interactions import Interaction, Meeting
from services import interactions as service


def timeline_context(client=None, case=None, args=None, user=None, log_form=None, meeting_list=True) -> dict:
    """Everything the timeline templates need, for the client tab (``case`` None) or a case page.

    An htmx request aimed at ``#timeline`` (filters, paging) gets only the list: no forms, no meetings.
    """
    client = client if client is not None else case.client
    list_only = request.headers.get("HX-Target") == "timeline"
    cases = service.case_choices(client) if case is None else []
    filters = FilterForm(formdata=args)
    filters.caso.choices = [(0, _("All cases"))] + cases
    filters.validate()
    for field in filters:
        if field.errors:
            field.data = 0 if field.name == "caso" else ""
    query = Interaction.timeline(client=client, case=case, channel=filters.canal.data or "", kind=filters.tipo.data or "",
                                 direction=filters.sentido.data or "", case_id=filters.caso.data or None)
    params = filters.params()
    filtered = any((filters.canal.data, filters.tipo.data, filters.sentido.data, filters.caso.data))
    first = None if filtered else partial(Interaction.newest, client=client, case=case)  # the tab as it opens
    page, link = keyset(query, Interaction.id, size=service.PAGE_SIZE, first=first), timeline_link(client, case)
    ctx = {
        "timeline_client": client, "timeline_case": case, "timeline": page, "filter_form": filters,
        "filter_params": params, "list_only": list_only, "log_url": log_url(client, case),
        "filter_url": url_for(link["endpoint"], **link["args"]),
        "newest_url": url_for(link["endpoint"], **link["args"], **params) if page.before else None,
        "older_url": url_for(link["endpoint"], **link["args"], **params, antes=page.next_before)
        if page.next_before else None,
        "may_see_confidential": service.is_management(user) or Case.on_client_team(client, user),
        "may_log": can("interactions.log", user),
        "update_interval": current_app.config["UPDATE_INTERVAL_DAYS"],
    }
    if not list_only:
        if ctx["may_log"]:
            ctx["log_form"] = log_form or InteractionForm.fresh(user, cases, service.follow_up_team(client, user, case))
        if case is None and meeting_list:
            now = utcnow()
            ctx["meetings"] = Meeting.listed_for(client.id, now)
            ctx["now"] = now
    return ctx


def timeline_link(client, case) -> dict:
    """The timeline's own URL: endpoint and path values (for filters, paging, redirects)."""
    if case is None:
        return {"endpoint": "interactions.client_log", "args": {"client_id": client.id}}
    return {"endpoint": "interactions.case_log", "args": {"case_id": case.id}}


def timeline_url(client, case) -> str:
    link = timeline_link(client, case)
    return url_for(link["endpoint"], **link["args"])


def log_url(client, case) -> str:
    """Where the form records an entry: the case's endpoint on a case page, the client's otherwise."""
    if case is not None:
        return url_for("interactions.log_for_case", case_id=case.id)
    return url_for("interactions.log_for_client", client_id=client.id)
