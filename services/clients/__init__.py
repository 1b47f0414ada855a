"""Writes on clients: each change and its audit row in one transaction (DESIGN.md §3).

Reads live on the models (``Client.listing``, ``models.conflict_search``); this module holds the steps
that change state: registration with its conflict search, status transitions with their rules, the
conflict decision, and revealing a confidential field; and ``header``, what the client page's frame shows
around every tab.
"""

import json
from dataclasses import dataclass

from flask_babel import gettext as _

from core import audit, files
from core.db import transaction
from core.text import name_key
from models import conflict_search
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, document_index
from models.consent import Consent, PrivacyNotice
from models.intake import IntakeEvaluation, VerificationCheck
from services import interactions
from services.clients import labels
from services.complaints import crisis, crisis_protocol

PROFILE_FIELDS = ("kind", "name", "email", "phone", "phone_alt", "address", "city", "country", "preferred_channel",
                  "source", "practice_area", "responsible", "customer_type", "need", "special_requirements")


class TransitionError(ValueError):
    pass


def header(client: Client, user) -> dict:
    """What the client page's frame (templates/clients/_layout.html) needs, whichever domain renders the tab: the
    client, the open crisis incident behind the flag (one query), the words of the customer-type advice and the
    periodic-update check. ``user`` is the viewer, as for services.cases.header; nothing in this header depends
    on who looks."""
    return {"client": client, "client_labels": labels, "crisis": crisis.flag(client), "crisis_protocol": crisis_protocol,
            "update_gap": interactions.update_gap}


def search_hits(data: dict, counterparties: list[dict], exclude_id=None) -> dict:
    """The duplicate and conflict search for an intake form's data (nothing is written). ``capped``: the names
    shared by so many records that only the ``conflict_search.CANDIDATES`` closest were compared."""
    doc = (data.get("document_type") or "", data.get("document_number") or "")
    capped: set[str] = set()
    return {
        "duplicates": conflict_search.duplicates(data["name"], doc[0], doc[1], data.get("email", ""),
                                                 data.get("phone", ""), exclude_id, capped),
        "conflicts": conflict_search.conflicts(data["name"], doc, counterparties, exclude_id, capped),
        "capped": sorted(capped),
        "candidates": conflict_search.CANDIDATES,
    }


def register(data: dict, counterparties: list[dict], user) -> Client:
    """Save a prospect, the parties it declared and the conflict search as it was."""
    with transaction():
        client = Client(**{f: data[f] for f in PROFILE_FIELDS if f in data}, name_key=name_key(data["name"]),
                        status="prospect", created_by=user, referred_by=data.get("referred_by"))
        client.save()
        client.set_document(data.get("document_type", ""), data.get("document_number", ""))
        client.save()
        client.reindex()
        for declared in counterparties:
            party = Party.create(kind=declared["kind"], name=declared["name"], name_key=name_key(declared["name"]),
                                 document_type=declared.get("document_type", ""), client=client, created_by=user,
                                 document_index=document_index(declared["document_type"], declared["document_number"])
                                 if declared.get("document_number") else None)
            party.reindex()
        hits = search_hits(data, counterparties, exclude_id=client.id)
        terms = [data["name"]] + [p["name"] for p in counterparties]
        if client.document_index:
            terms.append("#" + client.document_index)  # the document, as its blind index only
        ConflictCheck.create(client=client, created_by=user, terms=json.dumps(terms, ensure_ascii=False),
                             hits=json.dumps([h.as_dict() for h in hits["duplicates"] + hits["conflicts"]],
                                             ensure_ascii=False))
        ClientStatusChange.create(client=client, from_status="", to_status="prospect", by=user)
        audit.record("client_create", client, actor=user, fields=[f for f in PROFILE_FIELDS if data.get(f)] +
                     (["document_number"] if client.document_number else []))
    return client


def register_many(rows: list[dict], user) -> list[int]:
    """Imports: the same rows as ``register`` writes, in bulk (one audit event for the import, empty
    conflict checks to be run from the client page). Call inside a transaction. The ids are taken first,
    so each document number is encrypted for its row before the row is written, and each table gets one
    INSERT per batch of rows (core.db.insert_rows), not one statement per row."""
    from core.db import insert_rows, reserve_ids, utcnow
    from models.clients import SearchToken

    ids = reserve_ids(Client, len(rows))
    clients, tokens, checks, changes = [], [], [], []
    now = utcnow()
    for client_id, data in zip(ids, rows, strict=True):
        client = Client(id=client_id, **{f: data[f] for f in PROFILE_FIELDS if f in data},
                        name_key=name_key(data["name"]), status="prospect", created_by=user, created_at=now,
                        updated_at=now)
        number = data.get("document_number", "")
        client.set_document(data.get("document_type", "") if number else "", number)
        clients.append(client.__data__)
        tokens += [{"kind": "client", "ref_id": client_id, "token": w[:60], "created_at": now, "updated_at": now}
                   for w in sorted({w[:60] for w in client.index_words()}) if w]
        checks.append({"client": client_id, "created_by": user, "terms": json.dumps([client.name], ensure_ascii=False),
                       "hits": "[]", "created_at": now, "updated_at": now})
        changes.append({"client": client_id, "from_status": "", "to_status": "prospect", "by": user,
                        "created_at": now, "updated_at": now})
    for model, batch in ((Client, clients), (SearchToken, tokens), (ConflictCheck, checks), (ClientStatusChange, changes)):
        insert_rows(model, batch)
    return ids


def update_profile(client: Client, data: dict, user) -> list[str]:
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(client, f if f not in ("practice_area", "responsible")
                                                                       else f + "_id") != data[f]]
    # A blank number keeps the stored one (the edit form never shows it in clear).
    doc_changed = bool(data.get("document_number")) and (
        data["document_number"] != client.reveal_document() or data.get("document_type") != client.document_type)
    with transaction():
        for f in changed:
            setattr(client, f, data[f])
        client.name_key = name_key(client.name)
        if doc_changed:
            client.set_document(data.get("document_type", ""), data.get("document_number", ""))
            changed.append("document_number")
        if changed:
            client.save()
            client.reindex()
            audit.record("client_update", client, actor=user, fields=changed)
    return changed


@dataclass(frozen=True)
class IntakeRecord:
    """What the intake step has recorded for a client: the latest conflict check (None before any), the evaluation
    (a blank unsaved one before any) and the verification checklist. The admission tab shows them and judges its
    status steps on the same reads."""

    check: ConflictCheck | None
    evaluation: IntakeEvaluation
    checklist: list[VerificationCheck]

    @classmethod
    def of(cls, client: Client) -> "IntakeRecord":
        return cls(ConflictCheck.latest_for(client), IntakeEvaluation.for_client(client),
                   VerificationCheck.checklist(client))


def transition_blockers(client: Client, to: str, record: IntakeRecord | None = None) -> list[str]:
    """Why the client cannot move to ``to`` now (empty when it can); ``record``: the intake record, when the caller
    has read it already."""
    if to not in client.allowed_transitions():
        return [_("That step is not possible from the current status.")]
    problems = []
    if to == "accepted":
        record = record or IntakeRecord.of(client)
        check = record.check
        if check is None or check.decision is None:
            problems.append(_("Record the conflict-check decision first."))
        elif check.decision == "conflict":
            problems.append(_("The conflict check found a conflict of interest: the client cannot be accepted."))
        if record.evaluation.specialty_fit is None:
            problems.append(_("Judge whether the need falls in the firm's practice areas."))
        elif record.evaluation.specialty_fit is False:
            problems.append(_("The need does not fall in the firm's practice areas."))
        if any(v.state == "pending" for v in record.checklist):
            problems.append(_("Complete the identity and background verification."))
        if not Consent.has(client, "service"):
            problems.append(_("Record the client's consent to process their data for the service."))
    if to == "active":
        problems.append(_("A client becomes active when their service contract is accepted."))
    return problems


def transition(client: Client, to: str, reason: str, user) -> None:
    problems = transition_blockers(client, to)
    if problems:
        raise TransitionError(" ".join(problems))
    with transaction():
        ClientStatusChange.create(client=client, from_status=client.status, to_status=to, reason=reason, by=user)
        Client.update(status=to).where(Client.id == client.id).execute()
        audit.record("client_status", client, actor=user, fields=["status"], detail=f"{client.status}→{to}")
        client.status = to


def decide_conflicts(client: Client, decision: str, reason: str, user, check: ConflictCheck | None = None) -> ConflictCheck:
    """Record the decision on the latest check. Setting aside a strong match (or deciding a conflict or a
    waiver) needs a reason; the audit row keeps it, since a later decision replaces the one on the check."""
    check = check or ConflictCheck.latest_for(client)
    if check.needs_reason(decision) and len(reason.strip()) < 5:
        raise TransitionError(_("Explain the decision (at least a few words)."))
    strong = len(check.strong_hits)
    with transaction():
        check.decide(decision, reason, user)
        audit.record("conflict_decision", client, actor=user, fields=["decision"] + (["reason"] if reason else []),
                     detail=f"{decision} · strong={strong}" + (f" · {reason}" if reason else ""))
    return check


REVEALABLE = {"document_number": Client.reveal_document, "sensitive_data": Client.reveal_sensitive}


def reveal(client: Client, field: str, reason: str, user) -> str:
    """A confidential field in clear, for this response only; the read is audited first (SECURITY.md L1, L2)."""
    with transaction():
        audit.record("sensitive_read", client, actor=user, fields=[field], detail=reason)
    return REVEALABLE[field](client)

EVALUATION_FIELDS = ("specialty_fit", "viability_notes", "consultation_at", "consultation_mode", "attendees",
                     "consultation_notes", "expectations")


def save_evaluation(client: Client, data: dict, user) -> None:
    evaluation = IntakeEvaluation.for_client(client)
    changed = [f for f in EVALUATION_FIELDS if getattr(evaluation, f) != data[f]]
    with transaction():
        for f in EVALUATION_FIELDS:
            setattr(evaluation, f, data[f])
        evaluation.updated_by = user
        evaluation.save()
        audit.record("client_evaluation", client, actor=user, fields=changed)


def record_verification(client: Client, item: str, state: str, notes: str, user, upload=None) -> None:
    with transaction():
        stored = files.store(upload, "verification", user) if upload else None
        VerificationCheck.record(client, item, state, notes, user, stored)
        audit.record("client_verification", client, actor=user, fields=[item] + (["file"] if stored else []),
                     detail=state)


def record_consent(client: Client, purposes, method: str, given_on, notes: str, user, upload=None) -> None:
    """One append-only row per purpose, bound to the notice text shown (SECURITY.md PR1)."""
    notice = PrivacyNotice.current()
    with transaction():
        evidence = files.store(upload, "consent", user) if upload else None
        for purpose in purposes:
            Consent.create(client=client, purpose=purpose, granted=True, method=method, given_on=given_on,
                           notice=notice, notice_sha256=notice.sha256, collected_by=user, notes=notes, evidence=evidence)
        audit.record("consent_given", client, actor=user, fields=sorted(purposes), detail=method)


def withdraw_consent(client: Client, purpose: str, method: str, given_on, user, notes: str = "") -> None:
    """Withdrawing is a new record; what depended on it stops now (SECURITY.md PR2, PR3). ``notes``: how it
    came in, when nobody collected it (the client's own click on a survey mail)."""
    with transaction():
        Consent.create(client=client, purpose=purpose, granted=False, method=method, given_on=given_on,
                       notice=PrivacyNotice.current(), notice_sha256=PrivacyNotice.current().sha256, collected_by=user,
                       notes=notes[:500])
        fields = [purpose]
        if purpose == "sensitive_data" and client.sensitive_data:
            client.set_sensitive("")
            client.save()
            fields.append("sensitive_data")
        audit.record("consent_withdrawn", client, actor=user, fields=fields, detail=method)


def save_sensitive(client: Client, text: str, user) -> None:
    if text and not Consent.has(client, "sensitive_data"):
        raise TransitionError(_("Sensitive data can only be stored with the client's explicit consent for it."))
    with transaction():
        client.set_sensitive(text)
        client.save()
        audit.record("client_update", client, actor=user, fields=["sensitive_data"])



def rerun_conflict_check(client: Client, user) -> ConflictCheck:
    """Search again with today's clients and parties; the earlier check stays in the record."""
    parties = [{"name": p.name, "kind": p.kind, "document_type": "", "document_number": ""} for p in Party.of_client(client)]
    data = {"name": client.name, "document_type": client.document_type, "document_number": client.reveal_document(),
            "email": client.email, "phone": client.phone}
    hits = search_hits(data, parties, exclude_id=client.id)
    with transaction():
        terms = [client.name] + [p["name"] for p in parties] + (["#" + client.document_index] if client.document_index else [])
        check = ConflictCheck.create(client=client, created_by=user, terms=json.dumps(terms, ensure_ascii=False),
                                     hits=json.dumps([h.as_dict() for h in hits["duplicates"] + hits["conflicts"]],
                                                     ensure_ascii=False))
        audit.record("conflict_check", client, actor=user)
    return check


def client_file(client: Client, file_id: int):
    """A stored file only if it belongs to this client (evidence, consent form, signed contract)."""
    from models.commercial import Contract
    from models.files import StoredFile

    owned = (VerificationCheck.select().where(VerificationCheck.client == client, VerificationCheck.file == file_id).exists()
             or Consent.select().where(Consent.client == client, Consent.evidence == file_id).exists()
             or Contract.select().where(Contract.client == client, Contract.signed_copy == file_id).exists())
    return StoredFile.get_or_none(StoredFile.id == file_id) if owned else None


def read_file(client: Client, stored, reason: str, user):
    with transaction():
        audit.record("sensitive_read", client, actor=user, fields=[f"file:{stored.purpose}"], detail=reason or stored.original_name)
    return files.download(stored)
