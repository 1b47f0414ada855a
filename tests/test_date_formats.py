"""The three ways of writing a date (core/i18n.py) are kept per process by language: the same moment reads in each
request's own language and in the firm's zone, whichever language formatted it first."""

from datetime import date, datetime

from flask_babel import force_locale

from core.i18n import format_day, format_event


def test_a_moment_and_a_day_in_each_language_from_one_process(app):
    moment = datetime(2026, 12, 5, 22, 57)  # UTC: 17:57 in Bogotá
    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = format_event(moment), format_day(date(2026, 12, 5)), format_day(date(2026, 12, 5), "document")
        with force_locale("en"):
            english = format_event(moment), format_day(date(2026, 12, 5)), format_day(date(2026, 12, 5), "document")
        again = format_event(moment), format_day(date(2026, 12, 5)), format_day(date(2026, 12, 5), "document")
    assert spanish == again == ("5 dic 2026, 17:57", "5 dic 2026", "5 de diciembre de 2026")
    assert english == ("Dec 5, 2026, 5:57\u202fPM", "Dec 5, 2026", "December 5, 2026")


def test_a_datetime_given_as_a_day_is_the_firms_day(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert format_day(datetime(2026, 12, 6, 3, 0)) == "5 dic 2026"  # 22:00 on the 5th in Bogotá
        assert format_event(None) == format_day(None) == ""
