"""Cases: the matter or service engagement of an active client, with its team, planning, interventions,
evidence checklist, final deliveries and closing (PRO-008 §5.3; the legal-advice guide's "Planificación y
Estrategia del Caso" and "Resolución del Caso y Cierre").

The legal analysis and the procedural strategy are confidential: encrypted at rest (AES-256-GCM bound to
the row) and shown only to the case team and management, each read logged.
"""

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from core import crypto
from core.db import BaseModel, Prepared, count, subquery_once
from models.catalog import PracticeArea
from models.clients import Client
from models.commercial import Contract
from models.status import StatusChange
from models.users import User, UserRole

STATES = ("open", "in_progress", "resolved", "closed")
TRANSITIONS = {
    "open": ("in_progress",),
    "in_progress": ("resolved",),
    "resolved": ("in_progress", "closed"),  # a resolution the client contests goes back to work
    "closed": (),
}
EVIDENCE_KINDS = ("document", "testimony", "other")
CONTACT_WAYS = ("in_person", "phone", "video", "email", "letter")
DELIVERY_KINDS = ("agreement", "resolution", "ruling", "other")
INTERVENTION_STATES = ("planned", "done", "cancelled")


class Case(BaseModel):
    client = ForeignKeyField(Client, backref="cases", on_delete="RESTRICT")
    contract = ForeignKeyField(Contract, null=True, backref="cases", on_delete="SET NULL")
    title = CharField(max_length=200)
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="cases", on_delete="RESTRICT")
    responsible = ForeignKeyField(User, null=True, backref="cases", on_delete="SET NULL")
    status = CharField(max_length=12, default="open")
    opened_on = DateField()
    description = TextField(default="")
    # Planning (confidential ones encrypted)
    legal_analysis = TextField(null=True)
    strategy = TextField(null=True)
    budget_amount = DecimalField(max_digits=16, decimal_places=2, null=True)
    budget_notes = TextField(default="")
    budget_told_on = DateField(null=True)
    budget_told_how = CharField(max_length=12, default="")
    # Resolution and closing
    resolution_summary = TextField(default="")
    explained_on = DateField(null=True)
    explained_how = CharField(max_length=12, default="")
    client_understood = BooleanField(default=False)
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    survey_due_on = DateField(null=True)  # five days after closing (PRO-008 §5.4); the survey issue sends it
    closing_reason = TextField(default="")  # why it closed with items still open; empty when nothing was open
    closed_open_items = TextField(default="")  # those items as they stood at closing, one a line
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The first moment a survey invitation of the case reached the client (emailed, or its link handed over):
    # the earliest sent_at of its invitations, kept when one is sent (services.surveys, SurveyInvitation.save) for
    # the quality indicator "surveys sent on time".
    survey_sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "legal_case"
        indexes = ((("client", "id"), False), (("status", "id"), False), (("responsible", "status"), False),
                   (("status", "closed_at", "survey_sent_at"), False),
                   # the client journey's medians (models/journey.py): a period's resolved and closed cases
                   (("resolved_at", "opened_on"), False), (("closed_at", "resolved_at"), False))

    @classmethod
    def note_survey_sent(cls, case_id: int, moment) -> None:
        """An invitation of the case reached the client at ``moment``: keep the earliest (one conditional UPDATE,
        safe when two are sent at once)."""
        cls.update(survey_sent_at=moment).where(
            cls.id == case_id, cls.survey_sent_at.is_null() | (cls.survey_sent_at > moment)).execute()

    @classmethod
    def refresh_survey_sent(cls, case_id: int) -> None:
        """The earliest sent_at of the case's invitations, recomputed (after an invitation was edited)."""
        from models.surveys import SurveyInvitation

        first = (SurveyInvitation.select(fn.MIN(SurveyInvitation.sent_at))
                 .where(SurveyInvitation.case == case_id))
        cls.update(survey_sent_at=first).where(cls.id == case_id).execute()

    @property
    def code(self) -> str:
        return f"EXP-{self.id:05d}"

    # ----- confidential planning -----

    CONFIDENTIAL = ("legal_analysis", "strategy")

    def set_confidential(self, field: str, text: str) -> None:
        assert field in self.CONFIDENTIAL
        text = (text or "").strip()
        setattr(self, field, crypto.keys.field.encrypt(text, f"legal_case|{field}|{self.id}") if text else None)

    def reveal(self, field: str) -> str:
        assert field in self.CONFIDENTIAL
        value = getattr(self, field)
        return crypto.keys.field.decrypt(value, f"legal_case|{field}|{self.id}") if value else ""

    # ----- team -----

    def team_ids(self) -> set[int]:
        ids = {m.user_id for m in _MEMBERS(self.id)}
        if self.responsible_id:
            ids.add(self.responsible_id)
        return ids

    def on_team(self, user) -> bool:
        """The case team sees the confidential parts; management sees everything (DESIGN.md §5)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return "management" in user.role_names or user.id in self.team_ids()

    @classmethod
    def on_client_team(cls, client, user) -> bool:
        """Staff who work this client: its responsible, and the responsible and members of its cases."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if client.responsible_id is not None and client.responsible_id == user.id:
            return True
        return bool(_ON_CLIENT_TEAM(client.id, user.id))

    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    # ----- queries -----

    @classmethod
    def blocked_ids(cls, source=None):
        """The ids of a blocked client's cases, a subquery (out of reach as their client is); ``source`` an alias."""
        source = source or cls
        return source.select(source.id).where(source.client.in_(Client.blocked_ids(Client.alias("blocked_client"))))

    @classmethod
    def reachable_by(cls, field):
        """The condition on a foreign key to the case, without joining it: no case, or one of a client not blocked."""
        blocked = subquery_once("case.blocked", lambda: cls.blocked_ids(cls.alias("blocked_case")))
        return field.not_in(blocked) if not field.null else (field.is_null() | field.not_in(blocked))

    @classmethod
    def for_page(cls, case_id: int):
        """One case with its client, practice area and responsible (the header shows all three); None for an id no
        row can have (a path id past 64 bits would overflow the column)."""
        if not 0 < case_id < 2**63:
            return None
        rows = _CASE_FOR_PAGE(case_id)
        return rows[0] if rows else None

    @classmethod
    def listing(cls, status="", mine_of=None):
        query = (cls.select(cls, Client.id, Client.name, *User.shown()).join(Client).switch(cls)
                 .join(User, JOIN.LEFT_OUTER, on=(cls.responsible == User.id))
                 .where(Client.blocked_on.is_null()))  # a blocked client's cases are out of reach
        if status == "active":
            query = query.where(cls.status != "closed")
        elif status:
            query = query.where(cls.status == status)
        if mine_of is not None:
            query = query.where((cls.responsible == mine_of) | cls.id.in_(
                CaseMember.select(CaseMember.case).where(CaseMember.user == mine_of)))
        return query.order_by(cls.id.desc())

    @classmethod
    def count_listing(cls, status="", mine_of=None) -> int:
        """The listing's count without its joins; "not closed" as an IN list so the (status, id) index counts."""
        query = cls.select(cls.id)
        if status == "active":
            query = query.where(cls.status.in_(("open", "in_progress", "resolved")))
        elif status:
            query = query.where(cls.status == status)
        if mine_of is not None:
            query = query.where((cls.responsible == mine_of) | cls.id.in_(
                CaseMember.select(CaseMember.case).where(CaseMember.user == mine_of)))
        return count(query)

    @classmethod
    def of_client(cls, client):
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.responsible == User.id))
                .where(cls.client == client).order_by(cls.id.desc()))


# The case pages' lookup (every case tab runs it): peewee writes its 80 columns once per database, not per request.
_CASE_FOR_PAGE = Prepared(
    lambda case_id: Case.select(Case, Client, PracticeArea, User).join(Client).switch(Case)
    .join(PracticeArea, JOIN.LEFT_OUTER, on=(Case.practice_area == PracticeArea.id)).switch(Case)
    .join(User, JOIN.LEFT_OUTER, on=(Case.responsible == User.id))
    .where(Case.id == case_id, Client.blocked_on.is_null()).limit(1), -7_700_201)


class CaseMember(BaseModel):
    case = ForeignKeyField(Case, backref="members", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="case_memberships", on_delete="CASCADE")
    added_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("case", "user"), True), (("user", "case"), False))

    @classmethod
    def of_case(cls, case):
        return cls.select(cls, User).join(User, on=(cls.user == User.id)).where(cls.case == case).order_by(User.name)


class CaseStatusChange(StatusChange):
    SUBJECT = "case"

    case = ForeignKeyField(Case, backref="status_changes", on_delete="CASCADE")

    class Meta:
        indexes = ((("from_status", "to_status", "created_at", "case"), False),)  # a period's moves (models/journey.py)


class EvidenceItem(BaseModel):
    """"Recopilación de pruebas": what has to be gathered (documents, testimonies, other)."""

    case = ForeignKeyField(Case, backref="evidence", on_delete="CASCADE")
    kind = CharField(max_length=10, default="document")
    description = CharField(max_length=300)
    collected_on = DateField(null=True)
    notes = TextField(default="")

    @classmethod
    def of_case(cls, case):
        return cls.select().where(cls.case == case).order_by(cls.collected_on.is_null(False), cls.id)


class Intervention(BaseModel):
    """A planned visit or action (PRO-008 §5.3) and, once done, what was done."""

    case = ForeignKeyField(Case, backref="interventions", on_delete="CASCADE")
    starts_at = DateTimeField()  # UTC
    duration_minutes = IntegerField(default=60)
    place = CharField(max_length=200, default="")
    purpose = CharField(max_length=300, default="")
    assigned = ForeignKeyField(User, backref="interventions", on_delete="RESTRICT")
    status = CharField(max_length=10, default="planned")
    done_at = DateTimeField(null=True)
    work_done = TextField(default="")
    treatment_type = CharField(max_length=120, default="")
    resources_used = TextField(default="")
    recommendations = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("assigned", "starts_at"), False), (("case", "starts_at"), False))

    @classmethod
    def of_case(cls, case):
        return (cls.select(cls, User).join(User, on=(cls.assigned == User.id))
                .where(cls.case == case).order_by(cls.starts_at.desc()))

    @classmethod
    def agenda(cls, user_id: int, start_utc, end_utc):
        """One person's interventions in a time range, with what the agenda shows of their case (its code) and client
        (its name): one query, without the cases' sealed planning or the clients' whole rows."""
        return (cls.select(cls, Case.id, Case.client, Client.id, Client.name).join(Case).join(Client)
                .where(cls.assigned == user_id, cls.starts_at >= start_utc, cls.starts_at < end_utc,
                       cls.status != "cancelled", Client.reachable())  # a blocked client's: out of reach
                .order_by(cls.starts_at))


class FinalDelivery(BaseModel):
    """"Entrega de documentos finales": copies of agreements, resolutions or rulings given to the client."""

    case = ForeignKeyField(Case, backref="deliveries", on_delete="CASCADE")
    kind = CharField(max_length=12, default="resolution")
    description = CharField(max_length=300)
    delivered_on = DateField(null=True)
    delivered_how = CharField(max_length=12, default="")

    @classmethod
    def of_case(cls, case):
        return cls.select().where(cls.case == case).order_by(cls.id)


CASE_ROLES = ("management", "operations", "commercial", "service")  # the roles that work cases


def staff_choices(roles=CASE_ROLES):
    """Active staff with one of ``roles`` (by default who work cases: team, responsible and assignment pickers)."""
    workers = UserRole.select(UserRole.user).where(UserRole.role.in_(roles))
    return (User.select(User.id, User.name)
            .where(User.is_active == True, User.id.in_(workers))  # noqa: E712
            .order_by(User.name))


def team_choices(case=None, client=None, also=()) -> list[tuple[int, str]]:
    """A picker's first options, by name (one query): the active staff of ``case`` — or of ``client``'s open
    cases and the client's responsible — and the people in ``also`` (the one writing, one already chosen).
    Anyone else who works cases is looked up by name (``find_staff``): a firm of 2,000 people makes a list of
    every one of them too heavy to send on each page."""
    extra = [i for i in also if isinstance(i, int) and 0 < i < 2**31]  # a typed id may be anything
    if client is not None and client.responsible_id:
        extra.append(client.responsible_id)
    # the case's and the client's pages (the one writing, one chosen, the client's responsible): prepared statements
    if case is not None and len(extra) <= 2:
        return _CASE_TEAM(case.id, *(extra + [0, 0])[:2])  # no one has id 0
    if case is None and client is not None and len(extra) <= 3:
        return _CLIENT_TEAM(client.id, *(extra + [0, 0, 0])[:3])
    return list(_team([case.id] if case is not None else _open_cases(client), extra))


def _open_cases(client):
    return Case.select(Case.id).where(Case.client == client, Case.status != "closed")


def _team(cases, extra):
    """Active staff who work cases, on the team of ``cases`` (ids, or a subquery of them) or among ``extra``."""
    on_team = (User.id.in_(CaseMember.select(CaseMember.user).where(CaseMember.case.in_(cases)))
               | User.id.in_(Case.select(Case.responsible).where(Case.id.in_(cases))) | User.id.in_(extra))
    # The role is checked per person found (the (user, role) index), not as the list of everyone with a role: the
    # list read every role of the firm's 2,000 people for the handful on the team.
    has_role = fn.EXISTS(UserRole.select(UserRole.id).where(UserRole.user == User.id, UserRole.role.in_(CASE_ROLES)))
    return (User.select(User.id, User.name).where(User.is_active == True, on_team, has_role)  # noqa: E712
            .order_by(User.name).tuples())


_CASE_TEAM = Prepared(lambda case_id, first, second: _team([case_id], [first, second]),
                      -7_700_301, -7_700_302, -7_700_303)
_CLIENT_TEAM = Prepared(lambda client_id, first, second, third: _team(_open_cases(client_id), [first, second, third]),
                        -7_700_311, -7_700_312, -7_700_313, -7_700_314)


def find_staff(text: str, limit: int = 20, roles=CASE_ROLES) -> list[tuple[int, str]]:
    """Active staff with one of ``roles`` (by default who work cases) whose name holds every word of ``text``
    (accents and case do not matter), by name, at most ``limit``."""
    from core.text import fold

    words = fold(text).split()
    if not words:
        return []
    found = []
    for user_id, name in staff_choices(roles).tuples():
        folded = fold(name)
        if all(w in folded for w in words):
            found.append((user_id, name))
            if len(found) == limit:
                break
    return found

# Whether a person works a client (its profile, intake and interactions tabs ask): built once per database.
_ON_CLIENT_TEAM = Prepared(lambda client_id, user_id: Case.select(Case.id).where(
    Case.client == client_id,
    (Case.responsible == user_id) | Case.id.in_(CaseMember.select(CaseMember.case).where(CaseMember.user == user_id)),
).limit(1), -7_700_903, -7_700_904)
_MEMBERS = Prepared(lambda case_id: CaseMember.select(CaseMember.user).where(CaseMember.case == case_id), -7_700_911)
