"""Quotations ("Formulario de Cotización") with versions, and service contracts ("Contrato de Servicio").

Money is Decimal; each line's tax is computed on its subtotal and rounded to the currency's cents.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from core.db import BaseModel
from models.clients import Client
from models.files import StoredFile
from models.users import User

# "superseded": an earlier version still open (sent) when a later version of the same number was accepted.
QUOTATION_STATES = ("draft", "sent", "accepted", "rejected", "expired", "superseded")
CONTRACT_STATES = ("draft", "active", "expired", "renewed", "terminated")
FREQUENCIES = ("one_off", "monthly", "quarterly", "yearly", "on_demand")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Quotation(BaseModel):
    client = ForeignKeyField(Client, backref="quotations", on_delete="RESTRICT")
    number = IntegerField()  # the same for every version of one proposal
    version = IntegerField(default=1)
    is_current = BooleanField(default=True)
    status = CharField(max_length=10, default="draft")
    currency = CharField(max_length=3, default="COP")
    valid_until = DateField()
    notes = TextField(default="")
    sent_at = DateTimeField(null=True)
    decided_at = DateTimeField(null=True)
    decision_reason = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The contract this quotation renews ("Renovar", PRO 008 §5.5.3): the contract made from it links back.
    renews = DeferredForeignKey("Contract", null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("number", "version"), True), (("client", "is_current"), False),
                   (("decided_at", "sent_at", "status"), False))  # a period's decisions (models/journey.py)

    @property
    def code(self) -> str:
        return f"COT-{self.number:05d}" + (f" v{self.version}" if self.version > 1 else "")

    @classmethod
    def in_reach(cls):
        """Quotations of a client not blocked (a blocked client's are out of reach but legal claims')."""
        return cls.select().where(Client.reachable_by(cls.client))

    @classmethod
    def next_number(cls) -> int:
        return (cls.select(fn.MAX(cls.number)).scalar() or 0) + 1

    @classmethod
    def of_client(cls, client):
        return cls.select().where(cls.client == client).order_by(cls.number.desc(), cls.version.desc())

    @classmethod
    def versions(cls, number: int):
        return cls.select().where(cls.number == number).order_by(cls.version)

    def lines_list(self) -> list["QuotationLine"]:
        return list(QuotationLine.select().where(QuotationLine.quotation == self).order_by(QuotationLine.position))

    def effective_status(self, today: date) -> str:
        """A sent quotation past its validity is expired, even before anyone marks it."""
        if self.status == "sent" and self.valid_until < today:
            return "expired"
        return self.status

    @staticmethod
    def totals(lines) -> dict:
        subtotal = sum((line.subtotal for line in lines), Decimal("0"))
        tax = sum((line.tax for line in lines), Decimal("0"))
        return {"subtotal": money(subtotal), "tax": money(tax), "total": money(subtotal + tax)}


class QuotationLine(BaseModel):
    quotation = ForeignKeyField(Quotation, backref="lines", on_delete="CASCADE")
    position = IntegerField(default=0)
    service = CharField(max_length=300)
    quantity = DecimalField(max_digits=12, decimal_places=2)
    unit_price = DecimalField(max_digits=16, decimal_places=2)
    tax_rate = DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))  # percent
    # A line a loyalty benefit added (models/benefits.py): kept out of the edit form, a discount follows the others.
    benefit = DeferredForeignKey("BenefitGrant", null=True, backref="+", on_delete="SET NULL")

    @property
    def subtotal(self) -> Decimal:
        return money(Decimal(self.quantity) * Decimal(self.unit_price))

    @property
    def tax(self) -> Decimal:
        return money(self.subtotal * Decimal(self.tax_rate) / 100)


class Contract(BaseModel):
    client = ForeignKeyField(Client, backref="contracts", on_delete="RESTRICT")
    quotation = ForeignKeyField(Quotation, backref="contracts", on_delete="RESTRICT")
    status = CharField(max_length=10, default="draft")
    conditions = TextField(default="")
    frequency = CharField(max_length=10, default="one_off")
    duration_months = IntegerField(default=12)
    start_date = DateField()
    end_date = DateField()
    firm_duties = TextField(default="")
    client_duties = TextField(default="")
    signed_on = DateField(null=True)
    signer = CharField(max_length=200, default="")
    signed_copy = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="SET NULL")
    renews = ForeignKeyField("self", null=True, backref="renewals", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("status", "end_date"), False), (("signed_on", "quotation"), False))  # models/journey.py

    @property
    def code(self) -> str:
        return f"CON-{self.id:05d}"

    def effective_status(self, today: date) -> str:
        """An active contract past its end date is expired, even before anyone marks it."""
        return "expired" if self.status == "active" and self.end_date < today else self.status

    @classmethod
    def of_client(cls, client):
        return cls.select().where(cls.client == client).order_by(cls.id.desc())

    @classmethod
    def in_reach(cls):
        """Contracts of a client not blocked (a blocked client's are out of reach but legal claims')."""
        return cls.select().where(Client.reachable_by(cls.client))

    @classmethod
    def draft_of(cls, quotation):
        """The contract being prepared from this quotation, if any (one draft per quotation)."""
        return cls.select().where(cls.quotation == quotation, cls.status == "draft").order_by(cls.id).first()

    @classmethod
    def renewal_queue(cls, today: date, window_days: int = 60):
        """Active contracts ending within the window, soonest first, with their client (one query)."""
        return (cls.select(cls, Client, User).join(Client).join(User, JOIN.LEFT_OUTER, on=(Client.responsible == User.id))
                .where(cls.status == "active", cls.end_date >= today, cls.end_date <= today + timedelta(days=window_days),
                       Client.reachable())
                .order_by(cls.end_date, cls.id))
