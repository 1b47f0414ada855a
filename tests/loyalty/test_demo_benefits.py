"""The demo firm has the two benefit rules, a recurring client with the 10 % discount on its new quotation, and a
referrer with two referrals (one became a client, one in evaluation) thanked for the first."""

from decimal import Decimal

from models.benefits import BenefitGrant, BenefitRule, ReferralThanks
from models.commercial import Quotation
from services import demo
from services.loyalty import referrals


def test_demo_has_a_discount_applied_and_a_thanked_referrer(app):
    with app.test_request_context():
        demo.load()
        assert BenefitRule.select().count() == 2
        grant = BenefitGrant.get()
        quotation = Quotation.get_by_id(grant.quotation_id)
        lines = quotation.lines_list()
        own = Quotation.totals([ln for ln in lines if ln.benefit_id is None])
        assert Quotation.totals(lines)["total"] == (own["total"] * Decimal("0.9")).quantize(Decimal("0.01"))
        assert quotation.status == "draft" and grant.kind == "discount"
        [top] = [r for r in referrals.ranking() if r["total"] == 2]
        assert top["became"] == 1
        outcomes = sorted(r["outcome"] for r in referrals.referrals() if r["referrer_id"] == top["id"])
        assert outcomes == ["client", "evaluating"]
        assert ReferralThanks.select().where(ReferralThanks.referrer == top["id"]).count() == 1
