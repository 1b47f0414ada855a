"""Legal deadlines of data-subject requests on the firm's business-day calendar (Ley 1581 arts. 14–15; GDPR art.
12(3) with Regulation 1182/71 art. 3(4)), with the holidays of each region and the clock frozen (SECURITY.md PR4)."""

from datetime import date

import pytest

from models.documents import Holiday
from services import privacy as service

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def holidays(app):
    with app.app_context():
        for region, day, name in (("CO", date(2026, 3, 23), "Día de San José"),
                                  ("CO", date(2026, 4, 2), "Jueves Santo"), ("CO", date(2026, 4, 3), "Viernes Santo"),
                                  ("ES", date(2026, 4, 6), "Lunes de Pascua")):
            Holiday.create(region=region, day=day, name=name)


def test_colombia_query_takes_10_business_days_skipping_a_holiday(app, holidays, firm_today):
    assert firm_today == date(2026, 3, 9)  # a Monday (the clock's day in Bogotá)
    with app.app_context():
        # 10 business days after Monday 9 March: Monday 23 is San José, so Tuesday 24.
        assert service.legal_deadline("query", firm_today, "CO") == date(2026, 3, 24)
        # Extended once by 5 business days.
        assert service.extended_deadline("query", firm_today, "CO") == date(2026, 3, 31)
        # Escalated 2 business days before: the holiday on the 23rd does not count.
        assert service.escalation_day(date(2026, 3, 24), "CO") == date(2026, 3, 19)


@pytest.mark.parametrize("kind", ["rectification", "erasure", "revocation", "objection"])
def test_colombia_claims_take_15_business_days_and_8_more(app, holidays, firm_today, kind):
    with app.app_context():
        assert service.legal_deadline(kind, firm_today, "CO") == date(2026, 3, 31)
        # 8 business days after the 31st; Holy Thursday and Good Friday are skipped.
        assert service.extended_deadline(kind, firm_today, "CO") == date(2026, 4, 14)


def test_colombia_received_on_a_weekend_counts_from_monday(app, holidays):
    with app.app_context():
        assert service.legal_deadline("query", date(2026, 3, 7), "CO") == service.legal_deadline(
            "query", date(2026, 3, 6), "CO") == date(2026, 3, 20)


def test_spain_one_month_moved_off_a_holiday_and_extended_by_two(app, holidays):
    with app.app_context():
        # 6 March + 1 month = Monday 6 April, a holiday of the firm's Spanish calendar: Tuesday 7 April.
        assert service.legal_deadline("erasure", date(2026, 3, 6), "ES") == date(2026, 4, 7)
        # The kind does not change the term under the GDPR.
        assert service.legal_deadline("query", date(2026, 3, 6), "ES") == date(2026, 4, 7)
        # + 2 more months from receipt: 6 June 2026 is a Saturday, so Monday 8 June.
        assert service.extended_deadline("query", date(2026, 3, 6), "ES") == date(2026, 6, 8)
        # 31 January + 1 month: the last day of February (a Saturday in 2026), then Monday 2 March.
        assert service.legal_deadline("query", date(2026, 1, 31), "ES") == date(2026, 3, 2)
        # Without the holiday the same request would be due on the 6th.
        Holiday.delete().where(Holiday.region == "ES").execute()
        assert service.legal_deadline("erasure", date(2026, 3, 6), "ES") == date(2026, 4, 6)


def test_add_months_clamps_to_the_month_end():
    assert service.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert service.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert service.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
