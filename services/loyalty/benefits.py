"""The loyalty programme (PRO 008 §5.5.1 "Programa de Fidelización: Ofrecer descuentos, promociones o servicios
adicionales a clientes recurrentes"): the rules management defines, who qualifies, and a benefit applied on a draft
quotation as a line of it (recorded with who, when and which rule, audited).

Who qualifies is computed in SQL from the client's contracts (not drafts) and its referrals, in one query whatever
the number of contracts or rules; a rule for referrers counts the referred clients that became clients."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import IntegrityError, fn

from core import audit
from core.db import db, transaction, utcnow
from models.benefits import (
    BASES,
    BECAME_CLIENT,
    KINDS,
    BenefitGrant,
    BenefitRule,
    refresh_benefit_lines,
)
from models.clients import Client
from models.commercial import Contract, Quotation, QuotationLine
from services.loyalty.labels import BENEFIT_KINDS


class BenefitError(ValueError):
    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


# ----- who qualifies -----

def contracts_of(client_alias=Client):
    return (Contract.select(fn.COUNT(Contract.id))
            .where(Contract.client == client_alias.id, Contract.status != "draft"))


def client_since(client_alias=Client):
    """The start of the client's first contract (not a draft): a client "for N years" counts from it."""
    return (Contract.select(fn.MIN(Contract.start_date))
            .where(Contract.client == client_alias.id, Contract.status != "draft"))


def referrals_of(client_alias=Client):
    """Referred clients (``referred_by``, captured at intake) that became clients."""
    referred = Client.alias("referred")
    return (referred.select(fn.COUNT(referred.id))
            .where(referred.referred_by == client_alias.id, referred.status.in_(BECAME_CLIENT)))


def full_years(since, today: date) -> int:
    if since is None:
        return 0
    if isinstance(since, str):  # SQLite returns MIN() over a date column as text
        since = date.fromisoformat(since[:10])
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def stats(client_id: int, today: date) -> dict:
    """{"contracts", "years", "referrals", "since"} for one client, in one query."""
    row = (Client.select(contracts_of().alias("contracts"), client_since().alias("since"),
                         referrals_of().alias("referrals"))
           .where(Client.id == client_id).dicts().first()) or {}
    return {"contracts": row.get("contracts") or 0, "referrals": row.get("referrals") or 0,
            "since": row.get("since"), "years": full_years(row.get("since"), today)}


def offers(quotation: Quotation, today: date) -> dict:
    """What the quotation page offers ("Aplicar beneficio"): the rules in force the client qualifies for and that
    are not yet applied on this quotation, and the benefits already applied (three queries)."""
    applied = list(BenefitGrant.on_quotation(quotation.id))
    if quotation.status != "draft" or not quotation.is_current:
        return {"eligible": [], "applied": applied, "stats": None, "kinds": BENEFIT_KINDS}
    figures = stats(quotation.client_id, today)
    taken = {g.rule_id for g in applied}
    eligible = [r for r in BenefitRule.in_force() if r.id not in taken and r.qualifies(figures)]
    return {"eligible": eligible, "applied": applied, "stats": figures, "kinds": BENEFIT_KINDS}


# ----- the rules (management) -----

def _rule_values(data: dict) -> dict:
    errors = {}
    name = (data.get("name") or "").strip()
    kind, basis = data.get("kind"), data.get("basis")
    if len(name) < 3:
        errors["name"] = _("Give the benefit a name.")
    if kind not in KINDS:
        errors["kind"] = _("Choose what the benefit is.")
    if basis not in BASES:
        errors["basis"] = _("Choose who qualifies.")
    threshold = data.get("threshold")
    if not isinstance(threshold, int) or not 1 <= threshold <= 100:
        errors["threshold"] = _("Enter a whole number from 1 to 100.")
    percent, service = None, (data.get("service") or "").strip()
    if kind == "discount":
        try:
            percent = Decimal(str(data.get("percent"))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError, TypeError):
            percent = None
        if percent is None or not Decimal("0") < percent <= Decimal("100"):
            errors["percent"] = _("Enter the discount as a whole percent from 1 to 100.")
        service = ""
    elif kind == "service" and len(service) < 3:
        errors["service"] = _("Describe the additional service.")
    if errors:
        raise BenefitError("; ".join(errors.values()), errors)
    return {"name": name[:120], "kind": kind, "basis": basis, "threshold": threshold, "percent": percent,
            "service": service[:200] if kind == "service" else ""}


def create_rule(data: dict, user) -> BenefitRule:
    values = _rule_values(data)
    with transaction():
        rule = BenefitRule.create(**values, created_by=user.id)
        audit.record("benefit_rule_create", rule, actor=user,
                     fields=["name", "kind", "percent", "service", "basis", "threshold"], detail=rule.name)
    return rule


def set_active(rule: BenefitRule, active: bool, user) -> None:
    with transaction():
        BenefitRule.update(active=active, updated_at=utcnow()).where(BenefitRule.id == rule.id).execute()
        audit.record("benefit_rule_update", rule, actor=user, fields=["active"], detail=f"{rule.name}: {active}")
    rule.active = active


# ----- applying a benefit on a quotation -----

def describe(rule: BenefitRule) -> str:
    """The line's text, in the firm's language (it is printed on the client's quotation)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if rule.kind == "discount":
            percent = f"{Decimal(rule.percent).normalize():f}".replace(".", ",")
            return _("Loyalty benefit: %(name)s (%(percent)s %% discount)", name=rule.name, percent=percent)[:300]
        if rule.kind == "service":
            return _("Additional service, loyalty benefit: %(service)s", service=rule.service)[:300]
        return _("Priority attention, loyalty benefit: %(name)s", name=rule.name)[:300]


def apply(quotation: Quotation, rule_id: int, user, today: date) -> BenefitGrant:
    """"Aplicar beneficio": on the current draft of a quotation whose client qualifies, the benefit becomes a line
    (a discount, one per tax rate; an additional service or priority at no cost), recorded and audited; priority
    marks the client."""
    with transaction():
        fresh = Quotation.get_or_none(Quotation.id == quotation.id)
        if fresh is None or fresh.status != "draft" or not fresh.is_current:
            raise BenefitError(_("A benefit is applied on the current draft of a quotation."))
        rule = BenefitRule.get_or_none(BenefitRule.id == rule_id, BenefitRule.active == True)  # noqa: E712
        if rule is None:
            raise BenefitError(_("Choose a benefit in force."), {"rule": _("Choose a benefit in force.")})
        if not rule.qualifies(stats(fresh.client_id, today)):
            raise BenefitError(_("The client does not qualify for this benefit."))
        lines = fresh.lines_list()
        if rule.kind == "discount" and not any(ln.benefit_id is None and ln.subtotal > 0 for ln in lines):
            raise BenefitError(_("Add the quotation's services before its discount."))
        try:
            with db.atomic():
                grant = BenefitGrant.create(client=fresh.client_id, quotation=fresh.id, rule=rule.id, kind=rule.kind,
                                            percent=rule.percent, description=describe(rule), applied_by=user.id,
                                            applied_at=utcnow())
        except IntegrityError as exc:
            raise BenefitError(_("This benefit is already applied on this quotation.")) from exc
        if rule.kind != "discount":  # at no cost; a discount's lines are computed by refresh_benefit_lines
            QuotationLine.create(quotation=fresh.id, position=max((ln.position for ln in lines), default=-1) + 1,
                                 service=grant.description, quantity=Decimal("1"), unit_price=Decimal("0"),
                                 tax_rate=Decimal("0"), benefit=grant.id)
        refresh_benefit_lines(fresh)
        Quotation.update(updated_at=utcnow()).where(Quotation.id == fresh.id).execute()
        audit.record("benefit_apply", fresh, actor=user, fields=["lines"], detail=grant.description[:200])
        if rule.kind == "priority":
            client = Client.get_by_id(fresh.client_id)
            if not client.priority:
                Client.update(priority=True).where(Client.id == client.id).execute()
                audit.record("client_priority", client, actor=user, fields=["priority"], detail=rule.name)
    return grant


def recent(limit: int = 20):
    """The latest benefits applied, with their client and rule (one query)."""
    return (BenefitGrant.select(BenefitGrant, BenefitRule, Client).join(BenefitRule)
            .switch(BenefitGrant).join(Client).order_by(BenefitGrant.applied_at.desc(), BenefitGrant.id.desc())
            .limit(limit))
