"""Writes on clients: each change and its audit row in one transaction (DESIGN.md §3).

Reads live on the models (``Client.listing``, ``models.conflict_search``); this module holds the steps
that change state: registration with its conflict search, status transitions with their rules, the
conflict decision, and revealing a confidential field.
"""

import json

from flask_babel import gettext as _

from core import audit
from core.db import transaction
from core.text import name_key
from models import conflict_search
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, document_index

PROFILE_FIELDS = ("kind", "name", "email", "phone", "phone_alt", "address", "city", "country", "preferred_channel",
                  "source", "practice_area", "responsible", "customer_type", "need", "special_requirements",
                  "newsletter")


class TransitionError(ValueError):
    pass


def search_hits(data: dict, counterparties: list[dict], exclude_id=None) -> dict:
    """The duplicate and conflict search for an intake form's data (nothing is written)."""
    doc = (data.get("document_type") or "", data.get("document_number") or "")
    return {
        "duplicates": conflict_search.duplicates(data["name"], doc[0], doc[1], data.get("email", ""),
                                                 data.get("phone", ""), exclude_id),
        "conflicts": conflict_search.conflicts(data["name"], doc, counterparties, exclude_id),
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


def transition_blockers(client: Client, to: str) -> list[str]:
    """Why the client cannot move to ``to`` now (empty when it can)."""
    if to not in client.allowed_transitions():
        return [_("That step is not possible from the current status.")]
    problems = []
    if to == "accepted":
        check = ConflictCheck.latest_for(client)
        if check is None or check.decision is None:
            problems.append(_("Record the conflict-check decision first."))
        elif check.decision == "conflict":
            problems.append(_("The conflict check found a conflict of interest: the client cannot be accepted."))
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


def decide_conflicts(client: Client, decision: str, reason: str, user) -> ConflictCheck:
    check = ConflictCheck.latest_for(client)
    with transaction():
        check.decide(decision, reason, user)
        audit.record("conflict_decision", client, actor=user, fields=["decision"], detail=decision)
    return check


def reveal_document(client: Client, reason: str, user) -> str:
    """The plain document number, for this response only; the read is audited first (SECURITY.md L1, L2)."""
    with transaction():
        audit.record("sensitive_read", client, actor=user, fields=["document_number"], detail=reason)
    return client.reveal_document()
