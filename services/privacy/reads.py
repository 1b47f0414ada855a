"""Who viewed what: the reads of confidential data the audit log already holds (``sensitive_read`` rows, SECURITY.md
L1), listed per client, per case and per staff member (the access review, A6). Nothing is logged twice: a client's
or case's list walks ``audit_subject`` (written with each read, core.audit) in its (client, event) or (case, event)
index, newest first, keyset-paged; a person's walks ``audit_event`` by (actor, action, at). A page costs one query
for its rows plus one per kind of object on it (services.admin.audit_view.describe), whatever the log's size.

Management and quality read every list; a client's or a case's responsible reads the list of their own. Looking
at a list is itself audited (``privacy_reads``), as reading the audit log is."""

import re
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from peewee import JOIN

from core import audit
from core.db import transaction
from core.guard import can
from core.i18n import to_utc
from models.audit import AuditEvent, AuditSubject
from models.users import User
from services.admin import audit_view

PAGE_SIZE = 50
_CODES = re.compile(r"^(client|case)=\d+( version=\d+)?$")


def may_read(user, record) -> bool:
    """Management and quality, or the record's (client's or case's) responsible."""
    return can("privacy.reads", user) or (record.responsible_id is not None and record.responsible_id == user.id)


def _events():
    return (AuditEvent.select(AuditEvent, *User.shown())
            .join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id)))


def of_client(client_id: int):
    """Reads of the client's confidential data (its cases' included) and the exports that carried it."""
    return (_events().switch(AuditEvent).join(AuditSubject, on=(AuditSubject.event == AuditEvent.id))
            .where(AuditSubject.client_id == client_id).order_by(AuditSubject.event.desc()))


def of_case(case_id: int):
    return (_events().switch(AuditEvent).join(AuditSubject, on=(AuditSubject.event == AuditEvent.id))
            .where(AuditSubject.case_id == case_id).order_by(AuditSubject.event.desc()))


def of_person(user_id: int, since_day, until_day):
    """One person's confidential reads from ``since_day`` to ``until_day`` (the firm's local days, both included)."""
    since = to_utc(datetime.combine(since_day, time.min))
    until = to_utc(datetime.combine(until_day + timedelta(days=1), time.min))
    return (_events().where(AuditEvent.actor == user_id, AuditEvent.action == "sensitive_read",
                            AuditEvent.at >= since, AuditEvent.at < until)
            .order_by(AuditEvent.id.desc()))


def id_field(kind: str):
    """The column a page of this list is keyed on (``?antes=``)."""
    return AuditEvent.id if kind == "person" else AuditSubject.event


def reason(event) -> str:
    """What the person gave as the reason, or what the read was (an export, the case planning); empty when the
    row holds only codes."""
    detail = event.detail or ""
    if detail.startswith("export "):
        return _("Client list export (%(fmt)s)", fmt=detail.split(" ", 2)[1].upper())
    if detail.startswith("access_export "):
        return _("Access export for the data subject (everything held about the client)")
    if _CODES.match(detail):
        return ""
    return audit_view.detail_text(event.action, detail)


def rows(events) -> list[dict]:
    """Each event as the list shows it: when, who (name and roles), what (the object and the fields), why."""
    objects = audit_view.describe(events)
    shown = []
    for event in events:
        obj = objects.get(event.id)
        shown.append({
            "event": event, "at": event.at,
            "who": event.actor.display_name if event.actor_id else _("System"),
            "roles": audit_view.roles_text(event.actor_roles),
            "kind": obj.kind if obj else "", "name": (obj.name if obj else "") or "",
            "page": obj.page if obj else "", "page_id": obj.page_id if obj else None,
            "fields": audit_view.fields_text(event.fields), "reason": reason(event)})
    return shown


def note_viewing(user, obj=None, object_type: str = "", object_id="", before=None) -> None:
    with transaction():
        audit.record("privacy_reads", obj, actor=user, object_type=object_type, object_id=object_id,
                     detail=f"before={before or ''}")
