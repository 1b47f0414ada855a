"""Erasure or blocking of a client by the firm's jurisdiction (issue 19 items 4–5; SECURITY.md PR5, PR6).

Colombia (Ley 1581 art. 8 and 15, D. 1377 art. 9): once no legal or contractual duty to keep the data remains, the
client's personal values are erased. The rows stay, anonymous, so the client's share of the firm's aggregates
(survey scores, complaint and case figures kept by the triggers of migration 0021) does not move: every text column
that can hold what a person wrote or said is emptied, encrypted values with it; statuses, dates, scores and codes
stay. Files go from the disk; search tokens and the blind index go with the values they were made of.

Spain (LOPDGDD art. 32): the client is blocked: kept as it is, out of every page, list, search and export
(``Client.blocked_on``) but the legal-claims one (``privacy.legal_claims``), until the limitation period ends
(``blocking`` years, and never before the statutory retention of its contracts); then the retention review lists it
and its approval erases it as above.

Legal holds (an open case, an open complaint, a contract in force, and in Colombia a contract within its statutory
retention) refuse the erasure or blocking while any remains. Each erasure or blocking leaves an ``Erasure`` row and an
audit row: who, why, which tables and how many rows, never the values.

``TREATMENT`` says what happens to each table that refers to a client (the access export's walk,
tests/privacy/test_erasure.py): "anonymize" (rows found by the export's own section queries), "delete", or a reason
to keep it as it is.
"""

import json
import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from flask import current_app
from peewee import CharField, ForeignKeyField, TextField, fn

from core import audit, files
from core.db import transaction, utcnow
from core.i18n import today_local
from models.cases import Case
from models.clients import Client, ConflictCheck, Party, SearchToken
from models.commercial import Contract
from models.complaints import OPEN_STATES, Complaint
from models.files import StoredFile
from models.mail import OutboundEmail
from models.privacy import Erasure, RetentionDue
from models.surveys import SurveyAnswer, SurveyInvitation, SurveyLink, SurveyResponse
from services.documents.calendar import firm_region
from services.privacy import add_months
from services.privacy.export import SECTIONS

DEFAULT_YEARS = {
    # Colombia: Código de Comercio art. 60 (10 years); Spain: Código de Comercio art. 30 (6 years).
    "CO": {"former_client": 5, "rejected_prospect": 1, "contract": 10, "blocking": 5},
    # Spain: the limitation of personal actions, Código Civil art. 1964 (5 years).
    "ES": {"former_client": 5, "rejected_prospect": 1, "contract": 6, "blocking": 5},
}

# Columns that never hold what a person wrote: codes, hashes and identifiers kept on the anonymous rows.
KEEP_COLUMNS = {
    "consent": ("notice_sha256",),
    "meeting": ("uid",),
    "deadline": ("alert_days",),
    "crisis_incident": ("actions",),
}
# Tables kept as they are, with the reason (their rows hold ids, codes and dates only).
KEPT = {
    "improvement_action": "the firm's corrective action on its own process; it refers to the complaint by id",
    "erasure": "the record of the erasure itself: ids, table names and row counts, never the values",
    "retention_due": "the retention review's list: the client's id, a category and dates",
    "case_member": "which staff member was on the case team: staff ids only",
    "survey_response": "the scores' response row: template, dates and the anonymous flag (its answers are emptied)",
    # Append-only (a trigger refuses UPDATE): the proof that the authorization was given (D. 1377 art. 8) keeps its
    # purpose, method, dates and the notice's hash; the signed form (its evidence file) is erased with the files.
    "consent": "append-only proof of the authorization: purpose, method, dates, notice hash; its file is erased",
}
DELETED = {"survey_link": "token hashes of the survey links; no use once the invitation is anonymous"}


class Refused(Exception):
    """Legal holds remain (or the client is already erased): nothing was done."""

    def __init__(self, holds):
        super().__init__("legal holds remain")
        self.holds = holds


@dataclass
class Hold:
    kind: str  # labels.HOLDS
    ref_id: int
    until: date | None = None


def years() -> dict:
    """The retention periods in years: the region's defaults overridden by ``RETENTION`` ("former_client=5,…")."""
    found = dict(DEFAULT_YEARS.get(firm_region(), DEFAULT_YEARS["CO"]))
    for part in (current_app.config.get("RETENTION") or "").split(","):
        key, _, value = part.partition("=")
        if key.strip() in found and value.strip().isdigit():
            found[key.strip()] = int(value)
    return found


def holds(client, region=None) -> list[Hold]:
    """What keeps the client's data: open cases, open complaints, contracts in force and (Colombia) contracts within
    their statutory retention. Three queries."""
    region = region or firm_region()
    today = today_local()
    found = [Hold("open_case", c.id) for c in Case.select(Case.id).where(Case.client == client.id, Case.status != "closed")]
    cases = Case.select(Case.id).where(Case.client == client.id)
    found += [Hold("open_complaint", c.id) for c in Complaint.select(Complaint.id).where(
        ((Complaint.client == client.id) | Complaint.case.in_(cases)) & Complaint.status.in_(OPEN_STATES))]
    retention = years()["contract"]
    for contract in Contract.select(Contract.id, Contract.status, Contract.end_date).where(
            Contract.client == client.id, Contract.status != "draft"):
        kept_until = add_months(contract.end_date, 12 * retention)
        if contract.status == "active" and contract.end_date >= today:
            found.append(Hold("contract_in_force", contract.id, contract.end_date))
        elif region == "CO" and kept_until > today:
            found.append(Hold("contract_retention", contract.id, kept_until))
    return found


def mode_for(client, region=None) -> str:
    """What carrying out the erasure does now: "blocked" (Spain, not yet blocked) or "erased"."""
    return "blocked" if (region or firm_region()) == "ES" and not client.blocked_on else "erased"


def carry_out(client, user, reason: str, request=None, due=None) -> Erasure:
    """Erase or block the client by the firm's jurisdiction; ``Refused`` while a legal hold remains. The request
    it answers and the retention line that called for it are settled in the same transaction."""
    if client.erased_at:
        raise Refused([])
    if client.blocked_on:  # a blocked client is erased when its blocking ends, or on a decision of its own
        return erase(client, user, reason, request, due)
    found = holds(client)
    if found:
        raise Refused(found)
    act = block if mode_for(client) == "blocked" else erase
    return act(client, user, reason, request, due)


def block(client, user, reason: str, request=None, due=None) -> Erasure:
    today = today_local()
    period = years()
    until = add_months(today, 12 * period["blocking"])
    for contract in Contract.select(Contract.end_date).where(Contract.client == client.id, Contract.status != "draft"):
        until = max(until, add_months(contract.end_date, 12 * period["contract"]))
    with transaction():
        Client.update(blocked_on=today, blocked_until=until, updated_at=utcnow()).where(Client.id == client.id).execute()
        _close_request(request, user)
        if due is not None:
            _decide(due, "done", user)
        record = Erasure.create(client=client.id, mode="blocked", jurisdiction=firm_region(), reason=reason.strip(),
                                tables=json.dumps({"client": 1}), request=request, performed_by=user)
        audit.record("client_blocked", object_type="client", object_id=client.id, actor=user,
                     detail=f"erasure={record.id} until={until.isoformat()}")
    return record


def _text_columns(model):
    keep = KEEP_COLUMNS.get(model._meta.table_name, ())
    for field in model._meta.sorted_fields:
        if isinstance(field, ForeignKeyField) or field.name in keep:
            continue
        if isinstance(field, TextField) or (isinstance(field, CharField) and field.max_length >= 40):
            yield field


def _blank(field):
    return None if field.null else ""


def _file_columns(model):
    return [f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField) and f.rel_model is StoredFile]


def erase(client, user, reason: str, request=None, due=None) -> Erasure:
    """Empty every personal value of the client and its rows, in one transaction; the files go after it commits."""
    counts, file_ids = {}, set()
    with transaction():
        _close_request(request, user)
        if due is not None:
            _decide(due, "done", user)
        email = (client.email or "").strip().lower()
        invitations = [i.id for i in SurveyInvitation.select(SurveyInvitation.id).where(
            (SurveyInvitation.client == client.id) | SurveyInvitation.case.in_(Case.select(Case.id).where(Case.client == client.id)))]
        for model, rows in [(section.model, section.rows) for section in SECTIONS[1:]]:
            ids = [row.id for row in rows(client.id).select(model.id)]
            if not ids:
                continue
            for field in _file_columns(model):
                file_ids |= {getattr(r, field.column_name) for r in model.select(field).where(model.id.in_(ids))} - {None}
            if model._meta.table_name in KEPT:
                continue
            values = {field: _blank(field) for field in _text_columns(model)}
            if values:
                model.update(values).where(model.id.in_(ids)).execute()
            counts[model._meta.table_name] = len(ids)
        parties = [p.id for p in Party.select(Party.id).where(
            (Party.client == client.id) | Party.case.in_(Case.select(Case.id).where(Case.client == client.id)))]
        if parties:
            Party.update(name_key="", document_index=None).where(Party.id.in_(parties)).execute()
            SearchToken.delete().where(SearchToken.kind == "party", SearchToken.ref_id.in_(parties)).execute()
        _forget_in_other_checks(client.id, parties)
        counts["survey_answer_unnamed"] = _empty_unnamed_answers(client.id)
        if invitations:
            counts["survey_link"] = SurveyLink.delete().where(SurveyLink.invitation.in_(invitations)).execute()
        if email:
            counts["outbound_email"] = OutboundEmail.delete().where(fn.LOWER(OutboundEmail.to_addr) == email).execute()
        if file_ids:
            StoredFile.update(original_name="suprimido", sha256="", size=0).where(StoredFile.id.in_(file_ids)).execute()
            counts["stored_file"] = len(file_ids)
        storage = [f.storage_name for f in StoredFile.select(StoredFile.storage_name).where(StoredFile.id.in_(file_ids))]
        counts["search_token"] = SearchToken.delete().where(SearchToken.kind == "client", SearchToken.ref_id == client.id).execute()
        _anonymize_client(client)
        counts["client"] = 1
        record = Erasure.create(client=client.id, mode="erased", jurisdiction=firm_region(), reason=reason.strip(),
                                tables=json.dumps(dict(sorted(counts.items()))), request=request, performed_by=user)
        audit.record("client_erased", object_type="client", object_id=client.id, actor=user,
                     detail=f"erasure={record.id}")  # which tables: on the erasure's own row
    for name in storage:
        files.discard(StoredFile(storage_name=name))
    return record


def _forget_in_other_checks(client_id: int, party_ids) -> None:
    """Another intake's conflict check froze what it matched: the erased client's name (and its parties') go from
    its hits, which keep the match itself (source, id, reason, score) for the record of that decision."""
    refs = {("client", client_id)} | {("party", p) for p in party_ids}
    probes = [ConflictCheck.hits.contains(f'"ref_id": {ref_id}') for _source, ref_id in refs]
    if not probes:
        return
    for check in ConflictCheck.select(ConflictCheck.id, ConflictCheck.hits).where(reduce(operator.or_, probes)):
        hits, changed = check.hit_list, False
        for hit in hits:
            if (hit.get("source"), hit.get("ref_id")) in refs:
                hit["name"] = f"Cliente suprimido {client_id}" if hit.get("source") == "client" else ""
                hit["detail"] = hit["detail"] if hit.get("source") == "client" else ""  # a party's: "kind|client"
                changed = True
        if changed:
            ConflictCheck.update(hits=json.dumps(hits, ensure_ascii=False)).where(ConflictCheck.id == check.id).execute()


def _empty_unnamed_answers(client_id: int) -> int:
    """Answers of responses marked anonymous that still point at the client: their text goes, their scores stay."""
    responses = SurveyResponse.select(SurveyResponse.id).where(
        (SurveyResponse.client == client_id) | SurveyResponse.case.in_(Case.select(Case.id).where(Case.client == client_id)))
    return SurveyAnswer.update(value="").where(SurveyAnswer.response.in_(responses), SurveyAnswer.value != "").execute()


def _anonymize_client(client) -> None:
    Client.update(name=f"Cliente suprimido {client.id}", name_key=f"cliente suprimido {client.id}", document_type="",
                  document_number=None, document_index=None, document_last4="", email="", phone="", phone_alt="",
                  address="", city="", customer_type="", need="", special_requirements="", sensitive_data=None,
                  referred_by=None, blocked_on=None, blocked_until=None, erased_at=utcnow(),
                  updated_at=utcnow()).where(Client.id == client.id).execute()


def _close_request(request, user) -> None:
    """An erasure request answered by carrying it out."""
    if request is not None and request.status in ("received", "in_progress"):
        type(request).update(status="answered", answered_by=user, answered_at=utcnow(), updated_at=utcnow()).where(
            type(request).id == request.id).execute()
        request.status = "answered"


# ----- retention (PR6) -----

def list_due(now=None) -> int:
    """The retention job (``flask jobs run``): list the clients whose period has run out, once each; returns how
    many new ones. Former clients and rejected prospects untouched for their period, blocked clients past their
    blocking. Nothing is erased here: quality or management approve each on the retention page."""
    today = today_local()
    period = years()
    found = []
    for category, status in (("former_client", "former"), ("rejected_prospect", "rejected")):
        cutoff = add_months(today, -12 * period[category])
        for client in Client.select(Client.id).where(
                Client.status == status, Client.erased_at.is_null(), Client.blocked_on.is_null(),
                Client.updated_at < cutoff):
            found.append({"client": client.id, "category": category, "due_on": today})
    for client in Client.select(Client.id).where(Client.blocked_until <= today, Client.erased_at.is_null()):
        found.append({"client": client.id, "category": "blocking_ended", "due_on": today})
    if not found:
        return 0
    with transaction():
        before = RetentionDue.select().count()
        RetentionDue.insert_many(found).on_conflict_ignore().execute()
        added = RetentionDue.select().count() - before
        if added:
            audit.record("retention_listed", object_type="retention_due", actor=None, detail=f"new={added}")
    return added


def approve(due, user) -> Erasure:
    """Carry out the erasure (or the blocking) a retention line calls for; ``Refused`` while holds remain."""
    client = Client.get_by_id(due.client_id)
    return carry_out(client, user, f"retention:{due.category}", due=due)


def dismiss(due, user) -> None:
    with transaction():
        _decide(due, "dismissed", user)
        audit.record("retention_dismissed", object_type="retention_due", object_id=due.id, actor=user,
                     detail=f"client={due.client_id} {due.category}")


def _decide(due, status, user) -> None:
    RetentionDue.update(status=status, decided_by=user, decided_at=utcnow(), updated_at=utcnow()).where(
        RetentionDue.id == due.id).execute()
    due.status = status


def blocked_clients():
    """The blocked clients, for the legal-claims page (the only place they show)."""
    return (Client.select().where(Client.blocked_on.is_null(False), Client.erased_at.is_null())
            .order_by(Client.blocked_until, Client.id).limit(200))


def blocked_client(client_id: int):
    if not 0 < client_id < 2**63:
        return None
    return Client.select().where(Client.id == client_id, Client.blocked_on.is_null(False)).first()


def client_of(client_id: int):
    """A client the erasure page may act on: any not yet erased (blocked ones included)."""
    if not 0 < client_id < 2**63:
        return None
    return Client.select().where(Client.id == client_id).first()


def open_blocked(client, user) -> None:
    """Opening a blocked client for legal claims is a confidential read of everything it holds, recorded."""
    with transaction():
        audit.record("sensitive_read", client, actor=user, fields=["document_number"], detail="legal_claims")


def erasures(limit: int = 200):
    return list(Erasure.register().limit(limit))


def hold_label(hold) -> str:
    from services.privacy.labels import HOLDS

    return f"{HOLDS[hold.kind]} #{hold.ref_id}"
