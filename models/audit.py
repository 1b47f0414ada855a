"""The audit log: append-only, hash-chained (SECURITY.md L1–L4)."""

from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from core.db import BaseModel, Prepared, utcnow
from models.users import User


class AuditEvent(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_events", on_delete="RESTRICT")
    actor_roles = CharField(max_length=120, default="")
    action = CharField(max_length=64, index=True)
    object_type = CharField(max_length=40, default="")
    object_id = CharField(max_length=40, default="")
    fields = CharField(max_length=400, default="")
    detail = TextField(default="")
    ip = CharField(max_length=45, default="")
    user_agent = CharField(max_length=255, default="")
    request_id = CharField(max_length=32, default="")
    prev_hash = CharField(max_length=64, default="")
    hash = CharField(max_length=64)

    class Meta:
        # (actor, action, at): one person's confidential reads in a period, for the access review (0022)
        indexes = ((("object_type", "object_id"), False), (("actor", "action", "at"), False))

    def canonical(self) -> bytes:
        parts = [
            self.at.isoformat(timespec="microseconds"),
            str(self.actor_id or ""),
            self.actor_roles,
            self.action,
            self.object_type,
            self.object_id,
            self.fields,
            self.detail,
            self.ip,
            self.user_agent,
            self.request_id,
            self.prev_hash,
        ]
        return "\x1f".join(parts).encode()

    @classmethod
    def browse(cls, action="", actor_id=None, object_type="", since=None, until=None):
        # What the log's pages show of an event, not its bookkeeping (the row's own timestamps, the request id, the
        # chain's two hashes): fifty rows built with two datetimes and two hashes fewer each.
        shown = (cls.id, cls.at, cls.actor, cls.actor_roles, cls.action, cls.object_type, cls.object_id, cls.fields,
                 cls.detail, cls.ip, cls.user_agent)
        query = (cls.select(*shown, *User.shown()).join(User, join_type=JOIN.LEFT_OUTER, on=(cls.actor == User.id))
                 .order_by(cls.id.desc()))
        if action:
            query = query.where(cls.action == action)
        if actor_id:
            query = query.where(cls.actor == actor_id)
        if object_type:
            query = query.where(cls.object_type == object_type)
        if since:
            query = query.where(cls.at >= since)
        if until:
            query = query.where(cls.at < until)
        return query

    @classmethod
    def recent_sign_ins(cls, user_id: int) -> list:
        """The person's five latest sign-ins and changes to how they sign in (the start page's "Actividad reciente";
        built once, it is read on every visit)."""
        return _RECENT_SIGN_INS(user_id)

    @classmethod
    def last(cls):
        return cls.select(cls.id, cls.hash).order_by(cls.id.desc()).first()


SIGN_IN_EVENTS = ("login_success", "password_change", "mfa_enrol", "recovery_code_used")
_RECENT_SIGN_INS = Prepared(lambda user_id: AuditEvent.browse(actor_id=user_id).where(
    AuditEvent.action.in_(SIGN_IN_EVENTS)).limit(5), -7_700_801)


class AuditSubject(BaseModel):
    """Whose confidential data an audit row read: one row per client (and case) of a ``sensitive_read`` event,
    written with it (core.audit.record), so a client's or a case's "Quién consultó" is one index range
    (migration 0022). Plain ids, like the audit row's own ``object_id``: the log outlives what it names."""

    event = ForeignKeyField(AuditEvent, backref="subjects", on_delete="RESTRICT")
    actor_id = IntegerField(null=True)
    client_id = IntegerField(null=True)
    case_id = IntegerField(null=True)

    class Meta:
        table_name = "audit_subject"
        indexes = ((("client_id", "event"), False), (("case_id", "event"), False))
