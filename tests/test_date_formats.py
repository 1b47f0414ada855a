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


def test_a_calendars_own_pattern_reads_as_flask_babel_writes_it_in_a_zone_with_summer_time(make_app):
    """``|datetime("EEE d MMM, HH:mm")`` goes to Babel directly; it must say what Flask-Babel said, on both sides
    of a clock change, in each language."""
    from flask_babel import format_datetime

    from core.i18n import _datetime_filter

    app = make_app(TIMEZONE="Europe/Madrid")
    moments = [datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 1, 30), datetime(2026, 10, 25, 0, 30),
               datetime(2026, 10, 25, 1, 30), datetime(2026, 12, 31, 23, 59)]
    for language in ("es", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            for moment in moments:
                for pattern in ("EEE d MMM y, HH:mm", "EEE d MMM, HH:mm", "HH:mm"):
                    assert _datetime_filter(moment, pattern) == format_datetime(moment, pattern)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert _datetime_filter(datetime(2026, 3, 29, 0, 30), "HH:mm") == "01:30"  # CET, UTC+1
        assert _datetime_filter(datetime(2026, 3, 29, 1, 30), "HH:mm") == "03:30"  # CEST, UTC+2


def test_a_kept_calendar_text_is_never_another_zones(make_app):
    """The calendar texts are kept per process; the same instant in another firm's zone reads in that zone (aware
    moments are equal whatever their zone, so the zone is part of what they are kept under)."""
    from core.i18n import _datetime_filter

    moment = datetime(2026, 12, 5, 22, 57)  # UTC
    said = {}
    for zone in ("America/Bogota", "Europe/Madrid", "America/Bogota"):
        app = make_app(TIMEZONE=zone)
        with app.test_request_context(headers={"Accept-Language": "es"}):
            said.setdefault(zone, set()).add(_datetime_filter(moment, "EEE d MMM, HH:mm"))
    assert said == {"America/Bogota": {"sáb 5 dic, 17:57"}, "Europe/Madrid": {"sáb 5 dic, 23:57"}}
