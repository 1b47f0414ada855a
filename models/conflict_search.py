"""Duplicate and conflict-of-interest search for an intake (issue: clients).

Names are compared after folding accents, case, punctuation, word order and legal-form words, with a
fuzzy score (rapidfuzz) so "González Pérez, María" finds "Maria Gonzales Perez". Candidates come from the
search-token index (records sharing the most word prefixes first), so the cost does not grow with the
number of clients.
"""

import operator
from dataclasses import asdict, dataclass
from functools import reduce

from peewee import SQL, fn
from rapidfuzz import fuzz

from core.text import STOP_WORDS, digits, name_key, tokens
from models.clients import Client, Party, SearchToken, document_index

NAME_THRESHOLD = 86  # a possible match: listed for the reviewer
CANDIDATES = 2000  # records compared per name at most; more and the search says so (``capped``)


@dataclass
class Hit:
    term: str  # what was searched (a name; documents are never echoed)
    source: str  # "client" or "party"
    ref_id: int
    name: str
    reason: str  # "document", "email", "phone", "name"
    score: int
    detail: str = ""  # e.g. the client a party belongs to, or the party's role

    def as_dict(self) -> dict:
        return asdict(self)


def _candidates(kind: str, name: str):
    """A subquery of the records that share at least two of the word prefixes of ``name`` (the only one, for a
    one-word name): every such record, those sharing the most first, cut at ``CANDIDATES`` + 1 so a caller
    can tell that the list was cut. Each prefix is its own range on the (kind, token, ref_id) index, its ids
    DISTINCT (a record with "maria" and "mariana" shares one prefix, not two) and joined with UNION ALL.

    Two shared prefixes, not a ranked top N of everything sharing one: a common prefix ("mari", "gonz") is
    shared by thousands of records, and ranking them all cut true matches behind the ones whose e-mail
    repeated a name word (make bench: 9 of 19 possible matches for "Carlos Andrés Rodríguez Gómez" lost), at
    twice the cost (docs/decisions.md). ``None`` when the name has no word to search by."""
    prefixes = sorted({w[:4] for w in tokens(name) if len(w) >= 3 and w not in STOP_WORDS})[:6]
    if not prefixes:
        return None
    parts = [SearchToken.select(SearchToken.ref_id).distinct()
             .where(SearchToken.kind == kind, SearchToken.token >= p, SearchToken.token < p + "\uffff")
             for p in prefixes]
    matches = reduce(operator.add, parts).alias("m")  # UNION ALL: one row per record and prefix it shares
    return (SearchToken.select(matches.c.ref_id).from_(matches).group_by(matches.c.ref_id)
            .having(fn.COUNT(SQL("*")) >= min(2, len(prefixes)))
            .order_by(fn.COUNT(SQL("*")).desc(), matches.c.ref_id).limit(CANDIDATES + 1))


def _score(key_a: str, key_b: str) -> int:
    """Fuzzy likeness of two name keys. Word order never matters; a name inside a longer one counts only when
    the shorter has three words or more ("María Martínez" is not "María Fernanda González Martínez")."""
    if not key_a or not key_b:
        return 0
    score = fuzz.token_sort_ratio(key_a, key_b)
    if min(key_a.count(" "), key_b.count(" ")) >= 2:
        score = max(score, fuzz.token_set_ratio(key_a, key_b))
    return int(score)


def _scored(name: str, rows: list, exclude, capped: set | None) -> list:
    """``rows`` (the candidates, with a ``name_key``) other than ``exclude(row)`` at or above the threshold,
    best first; ``name`` goes into ``capped`` when the candidates were cut at ``CANDIDATES``."""
    if len(rows) > CANDIDATES and capped is not None:
        capped.add(name)
    key = name_key(name)
    scored = [(row, _score(key, row.name_key)) for row in rows if not exclude(row)]
    return sorted([(row, s) for row, s in scored if s >= NAME_THRESHOLD], key=lambda rs: -rs[1])


def similar_clients(name: str, exclude_id=None, capped: set | None = None) -> list[tuple]:
    """Clients whose name may be ``name`` as (row, score), a row being (id, name, name_key, status): one query,
    the candidates with their names (rows, not models: a common name has hundreds of candidates)."""
    candidates = _candidates("client", name)
    if candidates is None:
        return []
    rows = list(Client.select(Client.id, Client.name, Client.name_key, Client.status)
                .where(Client.id.in_(candidates)).namedtuples())
    return _scored(name, rows, lambda c: c.id == exclude_id, capped)


def similar_parties(name: str, exclude_client=None, capped: set | None = None) -> list[tuple]:
    """Parties whose name may be ``name`` as (row, score), a row being (id, name, name_key, kind, client_id,
    client_name): one query."""
    candidates = _candidates("party", name)
    if candidates is None:
        return []
    rows = list(Party.select(Party.id, Party.name, Party.name_key, Party.kind, Party.client.alias("client_id"),
                             Client.name.alias("client_name"))
                .join(Client, on=(Party.client == Client.id)).where(Party.id.in_(candidates)).namedtuples())
    return _scored(name, rows, lambda p: exclude_client is not None and p.client_id == exclude_client, capped)


def duplicates(name, doc_type="", doc_number="", email="", phone="", exclude_id=None, capped: set | None = None) -> list[Hit]:
    """Existing clients that may be the same person or company: one query for the same document, email or
    phone, one for the name."""
    hits: dict[int, Hit] = {}

    def add(client, reason, score):
        if client.id != exclude_id and client.id not in hits:
            hits[client.id] = Hit(name, "client", client.id, client.name, reason, score, client.status)

    same = {}
    if doc_number:
        same["document"] = (Client.document_index, document_index(doc_type, doc_number))
    if email:
        same["email"] = (Client.email, email.strip().lower())
    if phone and len(digits(phone)) >= 7:
        same["phone"] = (Client.phone, phone)
    if same:
        rows = list(Client.select(Client.id, Client.name, Client.status, *(f for f, _v in same.values()))
                    .where(reduce(operator.or_, (f == v for f, v in same.values()))))
        for reason, (field, value) in same.items():  # the document first, as the strongest reason
            for c in rows:
                if getattr(c, field.name) == value:
                    add(c, reason, 100)
    for c, score in similar_clients(name, exclude_id, capped):
        add(c, "name", score)
    return list(hits.values())


def conflicts(prospect_name: str, prospect_doc: tuple[str, str], counterparties: list[dict], exclude_client=None,
              capped: set | None = None) -> list[Hit]:
    """Possible conflicts of interest.

    - the prospect appears as a counterparty or related party of another client's matter;
    - a declared counterparty is one of our clients, or a party in another matter.
    """
    hits: list[Hit] = []
    doc_type, doc_number = prospect_doc
    if doc_number:
        for p in Party.select(Party, Client.name.alias("client_name")).join(Client, on=(Party.client == Client.id)).where(
                Party.document_index == document_index(doc_type, doc_number)).objects():
            hits.append(Hit(prospect_name, "party", p.id, p.name, "document", 100, f"{p.kind}|{p.client_name}"))
    seen = {(h.source, h.ref_id) for h in hits}
    for p, score in similar_parties(prospect_name, exclude_client, capped):
        if ("party", p.id) not in seen:
            hits.append(Hit(prospect_name, "party", p.id, p.name, "name", score, f"{p.kind}|{p.client_name}"))
    for declared in counterparties:
        found = {}
        if declared.get("document_number"):
            for c in Client.by_document(declared.get("document_type", ""), declared["document_number"]):
                found[c.id] = Hit(declared["name"], "client", c.id, c.name, "document", 100, c.status)
        for c, score in similar_clients(declared["name"], exclude_client, capped):
            found.setdefault(c.id, Hit(declared["name"], "client", c.id, c.name, "name", score, c.status))
        hits.extend(found.values())
        for p, score in similar_parties(declared["name"], exclude_client, capped):
            hits.append(Hit(declared["name"], "party", p.id, p.name, "name", score, f"{p.kind}|{p.client_name}"))
    return hits
