"""Writes on quotations and contracts, each with its audit row (DESIGN.md §3).

A quotation moves draft → sent → accepted | rejected (| expired once its validity passes). Adjusting a
sent, rejected or expired quotation creates the next version as a draft and keeps the earlier one; when a
version is accepted, earlier versions still open become superseded. An accepted quotation becomes a
contract, prepared as a draft (editable, or discarded); activating it with its signature makes the client
active.
"""

from flask_babel import gettext as _

from core import audit
from core.db import transaction, utcnow
from models import benefits
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation, QuotationLine


class CommercialError(ValueError):
    pass


QUOTABLE = ("evaluating", "accepted", "active")


def _save_lines(quotation: Quotation, lines: list[dict]) -> None:
    """The quotation's own lines; the lines of loyalty benefits stay, a discount computed again on the new ones."""
    QuotationLine.delete().where(QuotationLine.quotation == quotation, QuotationLine.benefit.is_null()).execute()
    QuotationLine.insert_many([{**line, "quotation": quotation, "position": i, "created_at": utcnow(),
                                "updated_at": utcnow()} for i, line in enumerate(lines)]).execute()
    benefits.refresh_benefit_lines(quotation)


def create_quotation(client: Client, data: dict, lines: list[dict], currency: str, user) -> Quotation:
    if client.status not in QUOTABLE:
        raise CommercialError(_("Quotations are prepared for clients in evaluation, accepted or active."))
    with transaction():
        quotation = Quotation.create(client=client, number=Quotation.next_number(), currency=currency,
                                     valid_until=data["valid_until"], notes=data["notes"], created_by=user)
        _save_lines(quotation, lines)
        audit.record("quotation_create", quotation, actor=user, fields=["lines", "valid_until", "notes"])
    return quotation


def update_quotation(quotation: Quotation, data: dict, lines: list[dict], user) -> None:
    if quotation.status != "draft":
        raise CommercialError(_("Only a draft can be edited; adjust it to make a new version."))
    with transaction():
        Quotation.update(valid_until=data["valid_until"], notes=data["notes"], updated_at=utcnow()).where(
            Quotation.id == quotation.id).execute()
        _save_lines(quotation, lines)
        audit.record("quotation_update", quotation, actor=user, fields=["lines", "valid_until", "notes"])


def change_quotation(quotation: Quotation, to: str, reason: str, user, today) -> None:
    current = quotation.effective_status(today)
    allowed = {"draft": ("sent",), "sent": ("accepted", "rejected")}.get(current, ())
    if to not in allowed or not quotation.is_current:
        raise CommercialError(_("That step is not possible for this quotation now."))
    if to == "rejected" and len(reason) < 3:
        raise CommercialError(_("Say why the client rejected the quotation."))
    values = {"status": to, "updated_at": utcnow()}
    values.update({"sent_at": utcnow()} if to == "sent" else {"decided_at": utcnow(), "decision_reason": reason})
    with transaction():
        changed = Quotation.update(**values).where(Quotation.id == quotation.id,
                                                   Quotation.status == quotation.status).execute()
        if changed != 1:
            raise CommercialError(_("That step is not possible for this quotation now."))
        audit.record(f"quotation_{to}", quotation, actor=user, fields=["status"], detail=reason)
        if to == "accepted":
            _supersede_earlier(quotation, user)
    quotation.status = to


def _supersede_earlier(accepted: Quotation, user) -> None:
    """Earlier versions still open (sent, or past their validity) are replaced by the accepted one."""
    earlier = list(Quotation.select(Quotation.id, Quotation.version).where(
        Quotation.number == accepted.number, Quotation.version < accepted.version, Quotation.status == "sent"))
    if not earlier:
        return
    Quotation.update(status="superseded", updated_at=utcnow()).where(Quotation.id.in_([q.id for q in earlier])).execute()
    for old in earlier:
        audit.record("quotation_superseded", old, actor=user, fields=["status"], detail=f"v{accepted.version}")


def adjust_quotation(quotation: Quotation, user, today) -> Quotation:
    """The next version, as a draft with the same lines; the earlier version is kept as it was."""
    if quotation.effective_status(today) not in ("sent", "rejected", "expired") or not quotation.is_current:
        raise CommercialError(_("Only the current version of a sent, rejected or expired quotation can be adjusted."))
    with transaction():
        Quotation.update(is_current=False).where(Quotation.number == quotation.number).execute()
        adjusted = Quotation.create(client=quotation.client_id, number=quotation.number, version=quotation.version + 1,
                                    currency=quotation.currency, valid_until=max(quotation.valid_until, today),
                                    notes=quotation.notes, created_by=user)
        _save_lines(adjusted, [{"service": ln.service, "quantity": ln.quantity, "unit_price": ln.unit_price,
                                "tax_rate": ln.tax_rate} for ln in quotation.lines_list() if ln.benefit_id is None])
        benefits.carry_over(quotation, adjusted)
        audit.record("quotation_adjust", adjusted, actor=user, detail=f"v{quotation.version}→v{adjusted.version}")
    return adjusted


def create_contract(quotation: Quotation, data: dict, user) -> Contract:
    if quotation.status != "accepted":
        raise CommercialError(_("A contract is made from an accepted quotation."))
    with transaction():
        if Contract.draft_of(quotation) is not None:
            raise CommercialError(_("This quotation already has a draft contract: complete that one."))
        contract = Contract.create(client=quotation.client_id, quotation=quotation, created_by=user, **data)
        audit.record("contract_create", contract, actor=user, fields=sorted(data))
    return contract


def update_contract(contract: Contract, data: dict, user) -> list[str]:
    """A draft is the contract being prepared: every field may change until it is activated."""
    changed = sorted(f for f, v in data.items() if getattr(contract, "renews_id" if f == "renews" else f) != v)
    with transaction():
        updated = Contract.update(**data, updated_at=utcnow()).where(Contract.id == contract.id,
                                                                     Contract.status == "draft").execute()
        if updated != 1:
            raise CommercialError(_("Only a draft contract can be edited."))
        if changed:
            audit.record("contract_update", contract, actor=user, fields=changed)
    return changed


def discard_contract(contract: Contract, user) -> None:
    """Delete a draft that will not be signed (a signed copy attached to it goes with it)."""
    from core import files
    from models.files import StoredFile

    with transaction():
        deleted = Contract.delete().where(Contract.id == contract.id, Contract.status == "draft").execute()
        if deleted != 1:
            raise CommercialError(_("Only a draft contract can be discarded."))
        stored = StoredFile.get_or_none(StoredFile.id == contract.signed_copy_id) if contract.signed_copy_id else None
        if stored is not None:
            stored.delete_instance()
        audit.record("contract_discard", contract, actor=user, detail=f"{contract.code} ({contract.quotation.code})")
    if stored is not None:
        files.discard(stored)


def activate_contract(contract: Contract, user, signed_on=None, signer: str = "") -> None:
    """The client signed: the contract starts, and the client becomes active (PRO-008 §5.2)."""
    client = Client.get_by_id(contract.client_id)
    signed_on, signer = signed_on or contract.signed_on, signer or contract.signer
    if contract.status != "draft":
        raise CommercialError(_("Only a draft contract can be activated."))
    if not signed_on or not signer:
        raise CommercialError(_("Record who signed the contract and when before activating it."))
    if client.status not in ("accepted", "active", "former"):
        raise CommercialError(_("The client must be accepted before the contract starts."))
    signature = [f for f, v in (("signed_on", signed_on), ("signer", signer)) if getattr(contract, f) != v]
    with transaction():
        updated = Contract.update(status="active", signed_on=signed_on, signer=signer, updated_at=utcnow()).where(
            Contract.id == contract.id, Contract.status == "draft").execute()
        if updated != 1:
            raise CommercialError(_("Only a draft contract can be activated."))
        if contract.renews_id:
            Contract.update(status="renewed").where(Contract.id == contract.renews_id).execute()
        if client.status != "active":
            ClientStatusChange.create(client=client, from_status=client.status, to_status="active", by=user,
                                      reason=_("Contract %(code)s accepted", code=contract.code))
            Client.update(status="active").where(Client.id == client.id).execute()
            audit.record("client_status", client, actor=user, fields=["status"], detail=f"{client.status}→active")
        audit.record("contract_activate", contract, actor=user, fields=["status", *signature])
    contract.status, contract.signed_on, contract.signer = "active", signed_on, signer


def end_contract(contract: Contract, to: str, reason: str, user) -> None:
    if contract.status != "active" or to not in ("terminated", "expired"):
        raise CommercialError(_("Only an active contract can end."))
    with transaction():
        Contract.update(status=to, updated_at=utcnow()).where(Contract.id == contract.id).execute()
        audit.record(f"contract_{to}", contract, actor=user, fields=["status"], detail=reason)


def attach_signed_copy(contract: Contract, upload, user) -> None:
    from core import files

    with transaction():
        stored = files.store(upload, "contract", user)
        Contract.update(signed_copy=stored, updated_at=utcnow()).where(Contract.id == contract.id).execute()
        audit.record("contract_update", contract, actor=user, fields=["signed_copy"])
