"""The loyalty programme (PRO 008 §5.5.1 "Ofrecer descuentos, promociones o servicios adicionales a clientes
recurrentes") and the referral programme ("Programas de referencia: Incentivar recomendaciones a otros posibles
clientes").

A ``BenefitRule`` is what the firm offers (a discount in percent, an additional service, priority attention) and
who qualifies: a recurring client (at least N contracts, or a client for at least N years since its first
contract) or a referrer (at least N referred clients that became clients). A ``BenefitGrant`` is one benefit
applied on a quotation: who, when, which rule, with the percent or service as they were; its lines on the
quotation carry ``QuotationLine.benefit``. A referral is no row: it is the client whose ``referred_by`` names the
referrer (captured at intake); ``ReferralThanks`` records that the referrer was thanked for it."""

from decimal import Decimal

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from core.db import BaseModel
from models.clients import Client
from models.commercial import Quotation, QuotationLine, money
from models.users import User

KINDS = ("discount", "service", "priority")
BASES = ("contracts", "years", "referrals")
# A referred client's outcome, from its status (``referral_outcome``).
BECAME_CLIENT = ("accepted", "active", "former")
NOT_ACCEPTED = ("rejected",)


class BenefitRule(BaseModel):
    name = CharField(max_length=120)
    kind = CharField(max_length=10)
    percent = DecimalField(max_digits=5, decimal_places=2, null=True)  # a discount's percent
    service = CharField(max_length=200, default="")  # an additional service's description
    basis = CharField(max_length=10)  # who qualifies: contracts, years (recurring clients) or referrals (referrers)
    threshold = IntegerField()
    active = BooleanField(default=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @classmethod
    def listed(cls):
        return cls.select().order_by(cls.active.desc(), cls.name, cls.id)

    @classmethod
    def in_force(cls):
        return cls.select().where(cls.active == True).order_by(cls.name, cls.id)  # noqa: E712

    def qualifies(self, stats: dict) -> bool:
        """``stats``: {"contracts": n, "years": n, "referrals": n} for one client (``services.loyalty.benefits``)."""
        return (stats.get(self.basis) or 0) >= self.threshold


class BenefitGrant(BaseModel):
    client = ForeignKeyField(Client, backref="+", on_delete="CASCADE")
    quotation = ForeignKeyField(Quotation, null=True, backref="+", on_delete="SET NULL")
    rule = ForeignKeyField(BenefitRule, backref="grants", on_delete="RESTRICT")
    kind = CharField(max_length=10)
    percent = DecimalField(max_digits=5, decimal_places=2, null=True)
    description = CharField(max_length=300)  # the line's text as applied
    applied_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    applied_at = DateTimeField()

    class Meta:
        # ("applied_at",): the latest benefits applied (``services.loyalty.benefits.recent``), walked newest first
        # and stopped at the list's 20 (migration 0037).
        indexes = ((("quotation", "rule"), True), (("client", "applied_at"), False), (("applied_at",), False))

    @classmethod
    def history(cls, client_id: int):
        """The client's benefits, latest first, with the rule, the quotation and who applied it (one query)."""
        from peewee import JOIN

        return (cls.select(cls, BenefitRule, Quotation, *User.shown()).join(BenefitRule)
                .switch(cls).join(Quotation, JOIN.LEFT_OUTER)
                .switch(cls).join(User, JOIN.LEFT_OUTER, on=(cls.applied_by == User.id))
                .where(cls.client == client_id).order_by(cls.applied_at.desc(), cls.id.desc()))

    @classmethod
    def on_quotation(cls, quotation_id: int):
        return cls.select().where(cls.quotation == quotation_id).order_by(cls.id)


class ReferralThanks(BaseModel):
    referred = ForeignKeyField(Client, unique=True, backref="+", on_delete="CASCADE")
    referrer = ForeignKeyField(Client, null=True, backref="+", on_delete="SET NULL")
    emailed = BooleanField(default=False)
    sent_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    sent_at = DateTimeField()
    note = TextField(default="")


def referral_outcome(status: str) -> str:
    if status in BECAME_CLIENT:
        return "client"
    if status in NOT_ACCEPTED:
        return "not_accepted"
    return "evaluating"


def discount_lines(grant, lines, description: str) -> list[dict]:
    """A discount as lines on the quotation: one per tax rate among the quotation's own lines (not other benefit
    lines), each the percent of those lines' subtotal, negative and taxed at the same rate, so the taxes fall with
    the amounts they were computed on."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.benefit_id is None:
            rate = Decimal(line.tax_rate)
            by_rate[rate] = by_rate.get(rate, Decimal("0")) + line.subtotal
    percent = Decimal(grant.percent)
    rows = []
    for rate, subtotal in sorted(by_rate.items()):
        amount = money(subtotal * percent / 100)
        if amount:
            rows.append({"service": description, "quantity": Decimal("1"), "unit_price": -amount, "tax_rate": rate,
                         "benefit": grant.id})
    return rows


def refresh_benefit_lines(quotation) -> None:
    """After a draft's lines change (``services.commercial``, or a benefit applied): the benefit lines follow the
    quotation's own lines, and each discount is computed again on the new amounts."""
    from core.db import utcnow

    grants = list(BenefitGrant.on_quotation(quotation.id))
    if not grants:
        return
    discounts = [g.id for g in grants if g.kind == "discount"]
    if discounts:
        QuotationLine.delete().where(QuotationLine.quotation == quotation.id,
                                     QuotationLine.benefit.in_(discounts)).execute()
    lines = list(QuotationLine.select().where(QuotationLine.quotation == quotation.id)
                 .order_by(QuotationLine.position, QuotationLine.id))
    own = [ln for ln in lines if ln.benefit_id is None]
    position = max((ln.position for ln in own), default=-1) + 1
    for line in lines:  # the other benefit lines after the quotation's own
        if line.benefit_id is not None:
            QuotationLine.update(position=position).where(QuotationLine.id == line.id).execute()
            position += 1
    rows = []
    for grant in grants:
        if grant.kind == "discount":
            for row in discount_lines(grant, own, grant.description):
                rows.append({**row, "quotation": quotation.id, "position": position, "created_at": utcnow(),
                             "updated_at": utcnow()})
                position += 1
    if rows:
        QuotationLine.insert_many(rows).execute()


def carry_over(earlier, later) -> None:
    """A new version of a quotation keeps the benefits applied on the earlier one (the same rule, who and when)."""
    from core.db import utcnow

    for grant in BenefitGrant.on_quotation(earlier.id):
        copy = BenefitGrant.create(client=grant.client_id, quotation=later.id, rule=grant.rule_id, kind=grant.kind,
                                   percent=grant.percent, description=grant.description,
                                   applied_by=grant.applied_by_id, applied_at=grant.applied_at)
        if grant.kind != "discount":
            QuotationLine.create(quotation=later.id, position=10_000 + copy.id, service=grant.description,
                                 quantity=Decimal("1"), unit_price=Decimal("0"), tax_rate=Decimal("0"),
                                 benefit=copy.id, created_at=utcnow(), updated_at=utcnow())
    refresh_benefit_lines(later)
