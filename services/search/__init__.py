"""One search box (the top bar's, and its results page): the clients, cases, complaints, quotations, contracts,
documents and interactions a person may see, grouped by kind.

What a text finds:

- **A name, an email or phone word, or a whole document number**: the clients the client list's own search
  finds for it (``Client.listing(q=…)``: prefixes of the words of name, email and phone; the document number
  whole, through its blind index, never a prefix of it), and every other kind is what belongs to those clients;
  the complaints are what the register's own search finds (``Complaint.register_rows(q=…)``: those clients, the
  exact number, a walk-in person's name). Bare digits are also tried as a case, quotation or contract number.
- **A code** (``EXP-00042`` a case, ``COT-00042`` a quotation, ``CON-00042`` a contract, ``Q-2026-00042`` a
  complaint; codes are not confidential): that record, and while it is being typed the records whose code starts
  with it (``COT-0004`` → COT-00004 and COT-00040 … COT-00049). A code searches only its own kind.

Who sees what: a kind is searched only for a person whose permissions open its list or page (``KINDS``: the
permission each result's page requires; the lists themselves are not narrowed by rows), and nothing a list keeps
back is shown: no strategy, no summary of a confidential interaction, no document number in clear.

Queries: one per kind searched, plus one for the ids of the clients found, whatever is found. Every kind looks
at up to 300 clients found; a text that finds more (two letters find thousands) shows some of them (100) and of
what belongs to them and says there is more (the client list, one click away, has them all in order), so the
drop-down answers as fast at the second letter as later.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from peewee import JOIN

from core.guard import can
from models.cases import Case
from models.clients import Client
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.documents import DocumentItem
from models.interactions import Interaction

LIMIT = 5  # rows per kind in the top bar
PAGE_LIMIT = 10  # rows per kind on the results page
MIN_LENGTH = 2
MAX_LENGTH = 100
CLIENT_IDS = 300  # up to this many clients found, every kind looks at all of them
BROAD_IDS = 100  # beyond, at this many: the text is too broad to list what belongs to every client it finds
CODE_WIDTH = 5  # codes print their number with at least five digits: EXP-00042

# Each kind and the permission that opens its list or its page (the @require of the page a result links to).
KINDS = {"clients": "clients.view", "cases": "cases.view", "complaints": "complaints.log",
         "quotations": "commercial.view", "contracts": "commercial.view", "documents": "cases.view",
         "interactions": "clients.view"}
# The kinds whose own list searches the same text with ?q= (its "see all" link).
LISTED = ("clients", "complaints")

_CODE = re.compile(r"(?P<prefix>cot|con|exp)\s*(?:-\s*(?P<digits>\d{0,18})|(?P<glued>\d{1,18}))(?:\s*v\s*\d{1,4})?",
                   re.IGNORECASE)
_COMPLAINT = re.compile(r"Q-(?P<year>\d{1,4})(?:-(?P<seq>\d{0,18}))?")
_CODE_KINDS = {"EXP": "cases", "COT": "quotations", "CON": "contracts", "Q": "complaints"}


@dataclass(frozen=True)
class Terms:
    """A search text, read: a code (``code`` names its kind) or a text for the clients' search."""

    text: str
    code: str = ""  # "EXP", "COT", "CON" or "Q" when the text is a code
    ranges: tuple[tuple[int, int], ...] = ()  # the numbers an EXP/COT/CON code can mean, as (low, high)
    complaint_exact: str = ""  # a complaint code padded as it is stored (Q-2026-00042)
    complaint_prefix: str = ""  # the code as typed (Q-2026-0004)
    number: int | None = None  # bare digits: also a case, quotation or contract number

    @property
    def searchable(self) -> bool:
        """Two characters at least; a single digit is a number (EXP-00002) already."""
        return len(self.text) >= MIN_LENGTH or self.number is not None

    @property
    def listable(self) -> bool:
        """Whether the lists' own search boxes find the same for this text (a partial code they do not)."""
        return self.searchable and not self.code


def clean(text: str) -> str:
    """What is searched: printable characters only (no NUL for PostgreSQL), spaces folded, at most 100."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return " ".join(printable.split())[:MAX_LENGTH]


def read(text: str) -> Terms:
    text = clean(text)
    code = _CODE.fullmatch(text)
    if code:
        prefix = code["prefix"].upper()
        return Terms(text, prefix, _ranges(code["digits"] if code["digits"] is not None else code["glued"]))
    compact = text.replace(" ", "").upper()
    complaint = _COMPLAINT.fullmatch(compact)
    if complaint:
        year, seq = complaint["year"], complaint["seq"]
        exact = f"Q-{year}-{int(seq):0{CODE_WIDTH}d}" if len(year) == 4 and seq else ""
        return Terms(text, "Q", complaint_exact=exact, complaint_prefix=compact)
    bare = text.replace(" ", "")
    return Terms(text, number=int(bare) if bare.isdigit() and len(bare) <= 18 else None)


def _ranges(digits: str) -> tuple[tuple[int, int], ...]:
    """The numbers a code's digits can mean: that number, and those whose padded code starts with the digits."""
    if not digits:
        return ()
    exact = int(digits)
    if len(digits) >= CODE_WIDTH:
        return ((exact, exact),)
    scale = 10 ** (CODE_WIDTH - len(digits))
    return (exact, exact), (exact * scale, exact * scale + scale - 1)


def _in_ranges(column, ranges):
    return reduce(operator.or_, [column.between(low, high) for low, high in ranges])


# ----- results -----

@dataclass
class Group:
    kind: str
    rows: list
    more: bool  # more were found than are shown
    listed: bool  # the kind's own list finds them all with the same ?q=


@dataclass
class Results:
    terms: Terms
    groups: list[Group]  # the kinds with something found, in the order of KINDS

    @property
    def q(self) -> str:
        return self.terms.text

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def more(self) -> bool:
        return any(g.more for g in self.groups)


def kinds_for(user) -> tuple[str, ...]:
    """The kinds this person may search: those whose list or page their permissions open."""
    return tuple(kind for kind, permission in KINDS.items() if can(permission, user))


def search(text: str, user, limit: int = LIMIT) -> Results:
    terms = read(text)
    kinds = kinds_for(user)
    if not terms.searchable or not kinds:
        return Results(terms, [])
    queries, broad = (_code_queries(terms, kinds), False) if terms.code else _name_queries(terms, kinds, limit)
    groups = []
    for kind in kinds:
        if kind not in queries:
            continue
        rows = list(queries[kind].limit(limit + 1))
        if rows:
            more = len(rows) > limit or broad
            groups.append(Group(kind, rows[:limit], more, kind in LISTED and terms.listable))
    return Results(terms, groups)


def _code_queries(terms: Terms, kinds) -> dict:
    """The one query of the code's kind (none while the code has no digit yet)."""
    kind = _CODE_KINDS[terms.code]
    if kind not in kinds or not (terms.ranges or terms.complaint_prefix):
        return {}
    if kind == "cases":
        return {kind: Case.listing().where(_in_ranges(Case.id, terms.ranges)).order_by(Case.id)}
    if kind == "quotations":
        return {kind: _quotations().where(_in_ranges(Quotation.number, terms.ranges)).order_by(Quotation.number)}
    if kind == "contracts":
        return {kind: _contracts().where(_in_ranges(Contract.id, terms.ranges)).order_by(Contract.id)}
    number = Complaint.number.startswith(terms.complaint_prefix)  # LIKE: right under any collation; digits and "-" only
    if terms.complaint_exact:
        number |= Complaint.number == terms.complaint_exact
    return {kind: Complaint.register_rows(status="").where(number).order_by(Complaint.number)}


def _name_queries(terms: Terms, kinds, limit: int) -> tuple[dict, bool]:
    """Each kind's query for the clients the client list's search finds (and, for bare digits, the number), and
    whether more clients were found than the other kinds look at.

    The clients are found once (in no order: sorting thousands by name cost more than the rest of the search); each
    other kind takes its newest rows of those clients on its (client, id) index and joins only them. A text that
    finds more than ``CLIENT_IDS`` clients shows ``BROAD_IDS`` of them and what is theirs, said as "more"."""
    found = Client.listing(q=terms.text).select(Client.id).order_by().limit(CLIENT_IDS + 1)
    clients = [client_id for (client_id,) in found.tuples()]
    broad = len(clients) > CLIENT_IDS
    clients = clients[:BROAD_IDS] if broad else clients
    number = terms.number
    queries = {}
    if "clients" in kinds:
        queries["clients"] = Client.listing().where(Client.id.in_(clients))
    if "complaints" in kinds:
        queries["complaints"] = (Complaint.register_rows(status="", q=terms.text, clients=clients)
                                 .order_by(Complaint.received_at.desc(), Complaint.id.desc()))
    if "cases" in kinds:
        queries["cases"] = Case.listing().where(Case.id.in_(_newest(
            Case, _or_number(Case.client.in_(clients), Case.id, number), limit)))
    if "quotations" in kinds:
        queries["quotations"] = (_quotations().where(_or_number(Quotation.client.in_(clients), Quotation.number, number))
                                 .order_by(Quotation.number.desc()))
    if "contracts" in kinds:
        queries["contracts"] = (_contracts().where(_or_number(Contract.client.in_(clients), Contract.id, number))
                                .order_by(Contract.id.desc()))
    if "documents" in kinds:
        of_clients = DocumentItem.select(DocumentItem.id).join(Case).where(Case.client.in_(clients))
        queries["documents"] = (DocumentItem.select(DocumentItem, Case, Client).join(Case).join(Client)
                                .where(Client.reachable(), DocumentItem.id.in_(of_clients.order_by(DocumentItem.id.desc()).limit(limit + 1)))
                                .order_by(DocumentItem.id.desc()))
    if "interactions" in kinds:
        queries["interactions"] = (Interaction.select(Interaction, Client, Case).join(Client).switch(Interaction)
                                   .join(Case, JOIN.LEFT_OUTER, on=(Interaction.case == Case.id))
                                   .where(Client.reachable(), Interaction.id.in_(_newest(Interaction, Interaction.client.in_(clients), limit)))
                                   .order_by(Interaction.id.desc()))
    return queries, broad


def _newest(model, condition, limit: int):
    """The ids of the newest ``limit + 1`` rows meeting ``condition`` (a subquery the index answers alone)."""
    return model.select(model.id).where(condition).order_by(model.id.desc()).limit(limit + 1)


def _or_number(condition, column, number: int | None):
    """``condition``, or ``column = number`` for bare digits (no OR otherwise: it would keep SQLite off the index)."""
    return condition | (column == number) if number is not None else condition


def _quotations():
    """The current version of each quotation, with its client."""
    return (Quotation.select(Quotation, Client).join(Client)
            .where(Quotation.is_current == True, Client.reachable()))  # noqa: E712 (a blocked client's: out of reach)


def _contracts():
    return Contract.select(Contract, Client).join(Client).where(Client.reachable())  # a blocked client's: out of reach
