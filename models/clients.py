"""Clients (persons or companies) from first contact on, the parties they declare, and conflict checks.

The identity-document number is confidential: stored encrypted (AES-256-GCM, bound to its row) with a
keyed blind index for exact lookups and the last four characters for the masked display.
"""

import json
import operator
from functools import reduce

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    Select,
    TextField,
    fn,
)

from core import crypto
from core.db import BaseModel, Prepared, count, subquery_once, utcnow
from core.text import digits, fold, name_key, tokens
from models.catalog import PracticeArea
from models.status import StatusChange
from models.users import User

KINDS = ("person", "company")
DOCUMENT_TYPES = ("CC", "CE", "NIT", "PAS", "DNI", "NIE", "CIF")
CHANNELS = ("email", "phone", "whatsapp", "in_person", "video")
SOURCES = ("visit", "social", "alliance", "referral", "web", "other")
CUSTOMER_TYPES = ("aggressive", "shy", "talkative", "sceptical", "impatient")
STATUSES = ("prospect", "evaluating", "accepted", "rejected", "active", "former")

# The procedure's life cycle: prospect → evaluating → accepted | rejected → active → former.
TRANSITIONS = {
    "prospect": ("evaluating", "rejected"),
    "evaluating": ("accepted", "rejected"),
    "rejected": ("evaluating",),  # reopened
    "accepted": ("active", "rejected"),
    "active": ("former",),
    "former": ("active",),
}


class SearchToken(BaseModel):
    """A portable inverted index: one row per word of a searchable record (clients, parties).

    Prefix lookups are index range scans (``token >= 'gonz' AND token < 'gonz\\uffff'``) on SQLite and
    PostgreSQL alike, so search-as-you-type stays fast at 100,000 clients without engine-specific SQL.
    """

    kind = CharField(max_length=10)
    ref_id = IntegerField()
    token = CharField(max_length=60)

    class Meta:
        indexes = ((("kind", "token", "ref_id"), False), (("kind", "ref_id"), False))

    @classmethod
    def replace_for(cls, kind: str, ref_id: int, words) -> None:
        cls.delete().where(cls.kind == kind, cls.ref_id == ref_id).execute()
        unique = sorted({w[:60] for w in words if w})
        if unique:
            cls.insert_many([{"kind": kind, "ref_id": ref_id, "token": w} for w in unique]).execute()

    @classmethod
    def matching(cls, kind: str, prefix: str):
        """Ids whose words start with ``prefix`` (a subquery)."""
        return cls.select(cls.ref_id).where(cls.kind == kind, cls.token >= prefix, cls.token < prefix + "\uffff")


class Client(BaseModel):
    kind = CharField(max_length=10, default="person")
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)
    document_type = CharField(max_length=8, default="")
    document_number = TextField(null=True)  # encrypted
    document_index = CharField(max_length=64, null=True, index=True)
    document_last4 = CharField(max_length=4, default="")
    email = CharField(max_length=254, default="", index=True)
    phone = CharField(max_length=20, default="", index=True)
    phone_alt = CharField(max_length=20, default="")
    address = CharField(max_length=200, default="")
    city = CharField(max_length=100, default="")
    country = CharField(max_length=2, default="CO")
    preferred_channel = CharField(max_length=12, default="email")
    source = CharField(max_length=12, default="other")
    referred_by = ForeignKeyField("self", null=True, backref="referrals", on_delete="SET NULL")
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="clients", on_delete="RESTRICT")
    responsible = ForeignKeyField(User, null=True, backref="clients", on_delete="SET NULL")
    customer_type = CharField(max_length=12, default="")
    need = TextField(default="")
    special_requirements = TextField(default="")
    sensitive_data = TextField(null=True)  # encrypted; stored only with explicit consent for it
    status = CharField(max_length=12, default="prospect", index=True)
    last_update_at = DateTimeField(null=True)  # the last outgoing update ("Actualización periódica")
    # Priority attention, a loyalty benefit applied (models/benefits.py); DEFAULT FALSE for plain INSERTs too.
    priority = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    # Erasure and blocking (services/privacy/erasure.py, migration 0026): a blocked client is out of every page,
    # list and search until ``blocked_until`` but the legal-claims one; an erased one keeps anonymous rows only.
    blocked_on = DateField(null=True)  # indexed where set only (``client_blocked``, after the class)
    blocked_until = DateField(null=True)
    erased_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        # ("referred_by", "status"): the ranking of referrers counts the referrals and their outcome from the
        # index alone (services.loyalty.referrals.ranked, migration 0037).
        indexes = ((("status", "name"), False), (("name", "id"), False),
                   (("responsible", "status", "last_update_at"), False), (("referred_by", "status"), False))

    # ----- confidential document number -----

    def _doc_context(self) -> str:
        return f"client|document_number|{self.id}"

    def set_document(self, doc_type: str, number: str) -> None:
        """Encrypt after the row has an id (the ciphertext is bound to it)."""
        number = (number or "").strip().upper()
        self.document_type = doc_type or ""
        if not number:
            self.document_number = self.document_index = None
            self.document_last4 = ""
            return
        self.document_number = crypto.keys.field.encrypt(number, self._doc_context())
        self.document_index = document_index(doc_type, number)
        self.document_last4 = number[-4:]

    def set_sensitive(self, text: str) -> None:
        text = (text or "").strip()
        self.sensitive_data = crypto.keys.field.encrypt(text, f"client|sensitive_data|{self.id}") if text else None

    def reveal_sensitive(self) -> str:
        return crypto.keys.field.decrypt(self.sensitive_data, f"client|sensitive_data|{self.id}") if self.sensitive_data else ""

    def reveal_document(self) -> str:
        return crypto.keys.field.decrypt(self.document_number, self._doc_context()) if self.document_number else ""

    @property
    def masked_document(self) -> str:
        return f"•••• {self.document_last4}" if self.document_last4 else ""

    # ----- search -----

    def index_words(self) -> list[str]:
        words = tokens(self.name) + tokens(self.email.replace("@", " ").replace(".", " "))
        if self.email:
            words.append(fold(self.email).replace(" ", ""))
        for phone in (self.phone, self.phone_alt):
            if phone:
                words += [digits(phone), digits(phone)[-10:]]
        return words

    def reindex(self) -> None:
        SearchToken.replace_for("client", self.id, self.index_words())

    @classmethod
    def listing(cls, q="", status="", practice_area=None, responsible=None, source="", sort="name", columns=None):
        """The client list: one query, filters and search in SQL (DESIGN.md §3). ``columns``: only these (the
        page's ``listed()``), not the whole rows an export writes."""
        query = (cls.select(*(columns or (cls, PracticeArea, *User.shown())))
                 .join(PracticeArea, JOIN.LEFT_OUTER, on=(cls.practice_area == PracticeArea.id))
                 .switch(cls).join(User, JOIN.LEFT_OUTER, on=(cls.responsible == User.id)))
        order = {"name": (cls.name, cls.id), "-created": (cls.id.desc(),), "status": (cls.status, cls.name, cls.id)}
        return cls._filter(query, q, status, practice_area, responsible, source).order_by(*order.get(sort, order["name"]))

    @classmethod
    def listed(cls) -> tuple:
        """What the client list shows of each row (name, kind, status, contact, area, responsible): the whole row
        cost peewee more to turn into objects (dates, 35 columns) than SQLite took to find the page."""
        return (cls.id, cls.kind, cls.name, cls.status, cls.email, cls.phone, cls.practice_area, cls.responsible,
                PracticeArea.id, PracticeArea.name, *User.shown())

    @classmethod
    def count_matching(cls, q="", status="", practice_area=None, responsible=None, source="") -> int:
        """The listing's count without its joins (they cannot change it; counting through them costs 20×), in one
        query: those matching less the blocked among them. The index on ``blocked_on`` holds the blocked only, so
        "not blocked" counted directly read every client row (35 ms at full size); the two counts read the filter's
        own index and the few blocked.

        A search reads each matching client's row anyway (its ids come from the search index), so it counts them and
        the blocked among them in that one pass: the two counts each ran the search again (11 of a 27 ms page)."""
        if (q or "").strip():
            both = fn.COUNT(SQL("*")) - fn.COUNT(cls.blocked_on)  # COUNT(column) leaves out NULL: the blocked ones
            return cls._filter(cls.select(both), q, status, practice_area, responsible, source,
                               reachable=False).scalar() or 0
        matching = cls._filter(cls.select(fn.COUNT(SQL("*"))), q, status, practice_area, responsible, source,
                               reachable=False)
        blocked = matching.where(cls.id.in_(cls.blocked_ids(cls.alias("blocked_client"))))  # looked up by id
        difference = fn.COALESCE(matching, 0) - fn.COALESCE(blocked, 0)  # scalar subqueries (a bare "-" is EXCEPT)
        return Select(columns=[difference.alias("n")]).bind(cls._meta.database).scalar() or 0

    @classmethod
    def _filter(cls, query, q, status, practice_area, responsible, source, reachable=True):
        query = cls._search(query, q)
        if reachable:
            query = query.where(cls.blocked_on.is_null())  # a blocked client is out of reach
        if status:
            query = query.where(cls.status == status)
        if practice_area:
            query = query.where(cls.practice_area == practice_area)
        if responsible == "none":
            query = query.where(cls.responsible.is_null())
        elif responsible:
            query = query.where(cls.responsible == responsible)
        if source:
            query = query.where(cls.source == source)
        return query

    @classmethod
    def _search(cls, query, q: str):
        q = (q or "").strip()
        if not q:
            return query
        conditions = []
        compact = q.replace(" ", "").replace(".", "").replace("-", "").upper()
        if len(compact) >= 5 and any(ch.isdigit() for ch in compact):
            # A document number matches exactly through the blind index, whatever its type.
            conditions.append(cls.any_document(compact))
        words = [w for w in tokens(q) if len(w) >= 2]
        if words:
            # Every word must match: one INTERSECT of index ranges, not one IN (…) per word.
            conditions.append(cls.id.in_(reduce(operator.and_, [SearchToken.matching("client", w) for w in words[:5]])))
        if not conditions:
            return query.where(False)
        combined = conditions[0]
        for extra in conditions[1:]:
            combined = combined | extra
        return query.where(combined)

    # ----- blocking (LOPDGDD art. 32): a blocked client is out of everyone's reach but legal claims' -----

    @classmethod
    def reachable(cls):
        """The condition on a query that joins the client (an outer join too: no client passes): not blocked."""
        return cls.blocked_on.is_null()

    @classmethod
    def blocked_ids(cls, source=None):
        """The blocked clients' ids, a subquery on the ``blocked_on`` index (they are few); ``source`` an alias."""
        source = source or cls
        return source.select(source.id).where(source.blocked_on.is_null(False))

    @classmethod
    def count_reachable(cls, query, field) -> int:
        """How many rows of ``query`` are out of no blocked client's reach (``field``, a foreign key to the client;
        rows without a client count): all of them, counted from an index, less those of the blocked clients (a
        few, on the partial index). Counting "not blocked" directly (``reachable_by``) reads every row."""
        return count(query) - count(query.where(field.in_(cls.blocked_ids(cls.alias("blocked_client")))))

    @classmethod
    def reachable_by(cls, field):
        """The condition on a foreign key to the client, without joining it: no client, or one not blocked."""
        blocked = subquery_once("client.blocked", lambda: cls.blocked_ids(cls.alias("blocked_client")))
        return field.not_in(blocked) if not field.null else (field.is_null() | field.not_in(blocked))

    @classmethod
    def for_page(cls, client_id: int):
        """One client with its practice area and responsible in one query (the header shows both); None for
        an id no row can have (a query-string id past 64 bits would overflow the column)."""
        if not 0 < client_id < 2**63:
            return None
        rows = _CLIENT_FOR_PAGE(client_id)
        return rows[0] if rows else None

    @classmethod
    def any_document(cls, number: str):
        """A condition: the stored document equals ``number`` whatever its type (through the blind index)."""
        compact = "".join(ch for ch in (number or "").upper() if ch.isalnum())
        return cls.document_index.in_([document_index(t, compact) for t in DOCUMENT_TYPES])

    @classmethod
    def referral_candidates(cls, text: str):
        """Clients a "referred by" entry may mean: exact document number or exact name (at most 3)."""
        return list(cls.select().where(cls.any_document(text) | (cls.name_key == name_key(text))).limit(3))

    @classmethod
    def by_document(cls, doc_type: str, number: str):
        return cls.select().where(cls.document_index == document_index(doc_type, number))

    def needs_update(self, now, days: int) -> bool:
        """An active client without an outgoing update in ``days`` days ("Actualización periódica")."""
        return self.status == "active" and (self.last_update_at is None or (now - self.last_update_at).days >= days)

    @classmethod
    def stale_of(cls, user_id: int, since):
        """Active clients of this responsible without an outgoing update since ``since``."""
        return cls.select().where(cls.responsible == user_id, cls.status == "active", cls.reachable(),
                                  cls.last_update_at.is_null() | (cls.last_update_at < since)).order_by(cls.last_update_at, cls.id)

    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def is_company(self) -> bool:
        return self.kind == "company"


# The client page's lookup (every client tab runs it): peewee writes its 60 columns once per database, not per request.
_CLIENT_FOR_PAGE = Prepared(
    lambda client_id: Client.select(Client, PracticeArea, User)
    .join(PracticeArea, JOIN.LEFT_OUTER, on=(Client.practice_area == PracticeArea.id))
    .switch(Client).join(User, JOIN.LEFT_OUTER, on=(Client.responsible == User.id))
    .where(Client.id == client_id, Client.blocked_on.is_null()).limit(1), -7_700_101)

# The intake tab's parties.
_PARTIES_OF_CLIENT = Prepared(lambda client_id: Party.select().where(Party.client == client_id)
                              .order_by(Party.kind, Party.name), -7_700_952)

# The intake tab's conflict check, with who decided it.
_LATEST_CHECK = Prepared(lambda client_id: ConflictCheck.select(ConflictCheck, *User.shown())
                         .join(User, JOIN.LEFT_OUTER, on=(ConflictCheck.decided_by == User.id))
                         .where(ConflictCheck.client == client_id).order_by(ConflictCheck.id.desc()).limit(1), -7_700_905)


def document_index(doc_type: str, number: str) -> str:
    compact = "".join(ch for ch in (number or "").upper() if ch.isalnum())
    return crypto.blind_index(compact, f"document|{doc_type}")



# The blocked clients are few: the index holds them only. A full index on ``blocked_on`` let SQLite (which keeps no
# statistics) read "not blocked", true of almost every client, through it: every list joining the client walked the
# whole table in the index's order and sorted it (1.4 s for the case list at full size). Migration 0036.
Client.add_index(Client.index(Client.blocked_on, name="client_blocked").where(Client.blocked_on.is_null(False)))

class ClientStatusChange(StatusChange):
    SUBJECT = "client"

    client = ForeignKeyField(Client, backref="status_changes", on_delete="CASCADE")

    class Meta:
        indexes = ((("from_status", "created_at"), False),)  # a period's moves out of a status (quality, 0038)


class Party(BaseModel):
    """A counterparty or related party: declared at intake now, attached to cases later."""

    KINDS = ("counterparty", "related")

    kind = CharField(max_length=14, default="counterparty")
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)
    document_type = CharField(max_length=8, default="")
    document_index = CharField(max_length=64, null=True, index=True)
    relation = CharField(max_length=120, default="")
    client = ForeignKeyField(Client, null=True, backref="parties", on_delete="CASCADE")
    case = DeferredForeignKey("Case", null=True, backref="parties", on_delete="CASCADE")  # models/cases.py
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    def reindex(self) -> None:
        SearchToken.replace_for("party", self.id, tokens(self.name))

    @classmethod
    def of_client(cls, client) -> list:
        """The client's parties by kind and name (one prepared query: the intake tab reads it on every view)."""
        return _PARTIES_OF_CLIENT(getattr(client, "id", client))

    @classmethod
    def of_case(cls, case):
        return cls.select().where(cls.case == case).order_by(cls.kind, cls.name)

    @classmethod
    def declared_unassigned(cls, client):
        """Parties declared at intake that no case has taken yet: the new-case form offers them."""
        return cls.select().where(cls.client == client, cls.case.is_null()).order_by(cls.id)

    @classmethod
    def named_on_case(cls, case, name: str) -> bool:
        """Whether the case already lists a party of this name (accents, case and legal forms aside)."""
        return cls.select().where(cls.case == case, cls.name_key == name_key(name)).exists()


STRONG_SCORE = 95  # a strong match in the conflict search: the same document, email or phone (100) or a name this close


def is_strong(hit: dict) -> bool:
    """A hit (as stored on a conflict check) that only a written reason may set aside."""
    return int(hit.get("score") or 0) >= STRONG_SCORE


class ConflictCheck(BaseModel):
    """The duplicate and conflict search of an intake, as it was, and the reviewer's decision."""

    DECISIONS = ("clear", "conflict", "waived")

    client = ForeignKeyField(Client, backref="conflict_checks", on_delete="CASCADE")
    terms = TextField(default="[]")  # JSON: the names and documents searched (documents as blind indexes)
    hits = TextField(default="[]")  # JSON: what matched, frozen at the time of the search
    decision = CharField(max_length=10, null=True)
    reason = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @property
    def hit_list(self) -> list[dict]:
        return json.loads(self.hits or "[]")

    @property
    def strong_hits(self) -> list[dict]:
        """Hits at or above the strong score: setting them aside as "no conflict" needs a reason."""
        return [h for h in self.hit_list if is_strong(h)]

    def needs_reason(self, decision: str) -> bool:
        """A conflict or a waiver is always explained; "no conflict" too when a strong match was found."""
        return decision in ("conflict", "waived") or (decision == "clear" and bool(self.strong_hits))

    @property
    def term_list(self) -> list[str]:
        return [t for t in json.loads(self.terms or "[]") if not t.startswith("#")]

    @classmethod
    def latest_for(cls, client):
        """The client's latest check, with who decided it (the tab shows the name)."""
        rows = _LATEST_CHECK(getattr(client, "id", client))
        return rows[0] if rows else None

    def decide(self, decision: str, reason: str, user) -> None:
        type(self).update(decision=decision, reason=reason, decided_by=user, decided_at=utcnow()).where(
            type(self).id == self.id).execute()
        self.decision, self.reason, self.decided_by, self.decided_at = decision, reason, user, utcnow()


def count_by_status() -> dict[str, int]:
    rows = Client.select(Client.status, fn.COUNT(Client.id).alias("n")).group_by(Client.status)
    return {r.status: r.n for r in rows}

