"""The demo firm's loyalty and referral programmes (PRO 008 §5.5.1, "Programas de referencia"): two rules defined by
management, a recurring client (a one-off contract after it registered, then the one in force) with the 10 % discount applied on its
new quotation, and a referrer with two referrals (one became a client, one in evaluation) thanked for the first."""

from datetime import timedelta
from decimal import Decimal

from core.i18n import to_local, today_local
from models.clients import Client
from models.commercial import Contract, Quotation
from services import commercial
from services.loyalty import benefits, referrals

RECURRING_RULE = {"name": "Cliente recurrente", "kind": "discount", "percent": Decimal("10"), "service": "",
                  "basis": "contracts", "threshold": 2}
REFERRER_RULE = {"name": "Embajador de la firma", "kind": "service", "percent": None,
                 "service": "Revisión anual gratuita de contratos y documentos", "basis": "referrals", "threshold": 2}


def load(accounts) -> dict:
    """Returns the demo's objects by name (the tests read them)."""
    today = today_local()
    management, seller = accounts["management"], accounts["commercial"]
    recurring_rule = benefits.create_rule(RECURRING_RULE, management)
    referrer_rule = benefits.create_rule(REFERRER_RULE, management)
    active = list(Client.select().join(Contract, on=(Contract.client == Client.id))
                  .where(Client.status == "active", Contract.status == "active").order_by(Client.id).distinct())
    loyal, referrer = active[0], active[1]
    # The first contract of the recurring client: a one-off matter right after it registered, now ended.
    start = to_local(loyal.created_at).date()
    end = max(start + timedelta(days=1), min(start + timedelta(days=60), today - timedelta(days=1)))
    earlier = commercial.create_quotation(loyal, {"valid_until": start + timedelta(days=15),
                                                  "notes": "Revisión puntual de contratos."}, [
        {"service": "Revisión de contratos laborales", "quantity": Decimal("1"), "unit_price": Decimal("1800000"),
         "tax_rate": Decimal("19")}], "COP", seller)
    Quotation.update(status="accepted").where(Quotation.id == earlier.id).execute()
    contract = commercial.create_contract(Quotation.get_by_id(earlier.id), {
        "conditions": "Prestación de servicios jurídicos según la cotización aceptada.", "frequency": "one_off",
        "duration_months": 2, "start_date": start, "end_date": end,
        "firm_duties": "Entregar el informe de revisión.", "client_duties": "Pagar los honorarios a tiempo.",
        "signed_on": start, "signer": loyal.name, "renews": None}, seller)
    Contract.update(status="expired").where(Contract.id == contract.id).execute()
    # Its new quotation, with the discount applied.
    quotation = commercial.create_quotation(loyal, {"valid_until": today + timedelta(days=30),
                                                    "notes": "Ampliación del acompañamiento a la sede de Medellín."}, [
        {"service": "Acompañamiento laboral mensual", "quantity": Decimal("12"), "unit_price": Decimal("900000"),
         "tax_rate": Decimal("19")},
        {"service": "Auditoría de contratos laborales", "quantity": Decimal("1"), "unit_price": Decimal("3200000"),
         "tax_rate": Decimal("19")}], "COP", seller)
    grant = benefits.apply(quotation, recurring_rule.id, seller, today)
    # A referrer with two referrals: one became a client, one in evaluation; thanked for the first.
    referred = list(Client.select().where(Client.id.not_in([loyal.id, referrer.id]),
                                          Client.status.in_(("active", "evaluating")))
                    .order_by(Client.status, Client.id))
    became = next(c for c in referred if c.status == "active")
    evaluating = next(c for c in referred if c.status == "evaluating")
    Client.update(referred_by=referrer.id, source="referral").where(Client.id.in_([became.id, evaluating.id])).execute()
    thanks = referrals.thank(Client.get_by_id(became.id), seller, email=bool(referrer.email),
                             note="Llamada y correo de agradecimiento.")
    return {"recurring_rule": recurring_rule, "referrer_rule": referrer_rule, "loyal": loyal, "quotation": quotation,
            "grant": grant, "referrer": referrer, "referred": [became, evaluating], "thanks": thanks}
