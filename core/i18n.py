"""Languages and formatting: Spanish first, English available (DESIGN.md §1, §9).

The user's preference wins, then the browser's Accept-Language. Dates and numbers are formatted by Babel
in the firm's time zone.
"""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import current_app, g, has_app_context, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

babel = Babel()

# The app's three ways of writing a date, one per use (docs/decisions.md), in the firm's time zone:
#   event     "5 dic 2026, 22:57"        when something happened or is due: logs, histories, lists of events
#   table     "5 dic 2026"               a day in a table, a list or a summary
#   document  "5 de diciembre de 2026"   documents, letters and mail to clients
# Templates write ``|datetime`` (event), ``|date`` (table) and ``|date("document")``. Babel's own names stand
# for the style they resemble ("short"/"medium" → event or table, "long" → document), so an old or stray one
# cannot bring back a fourth look. Any other pattern is a calendar's or a chart's own label ("EEE d MMM",
# "HH:mm", "MMMM y") and passes through as written.
_DATE_STYLES = {"table": "medium", "short": "medium", "medium": "medium", "document": "long", "long": "long"}
_EVENT_STYLES = frozenset({"event", "short", "medium"})


@lru_cache(maxsize=16384)
def _day_text(day: date, pattern: str, locale: Locale) -> str:
    """A day as ``pattern`` writes it in ``locale``: a pure function of its arguments, so kept for the process (a
    long table repeats its days, and each Babel call costs tens of microseconds)."""
    return babel_dates.format_date(day, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _clock_text(hour: int, minute: int, locale: Locale) -> str:
    """A time of day in the short style ("22:57"), kept for the process like ``_day_text``."""
    return babel_dates.format_time(time(hour, minute), "short", locale=locale)


@lru_cache(maxsize=64)
def _joined(locale: Locale) -> str:
    return locale.datetime_formats["medium"]  # how the language joins a day and a time: "{1}, {0}"


def _spoken():
    """(language, its catalogue, zone) of the app context, or None outside one.

    Flask-Babel keeps the locale in its namespace on ``g`` but finds it again through three context lookups on
    every call (about 2 µs, as much again for the zone and to name the language), and a page says a few hundred
    words and dates. This keeps what was found beside it, for as long as the locale found is the same object:
    ``force_locale`` puts another in its place (a mail in the reader's language) and the old one back after,
    so a forced language is never kept past its block."""
    if not has_app_context():
        return None
    babel_ctx = g._get_current_object().__dict__.get("_flask_babel")
    said = getattr(babel_ctx, "traza_spoken", None)
    if said is not None and said[0] is getattr(babel_ctx, "babel_locale", None):
        return said
    locale = get_locale()  # Flask-Babel's selector, once per app context (it makes the namespace on first use)
    language = str(locale)
    catalogue = _CATALOGUES.get(language)
    if catalogue is None:
        catalogue = _CATALOGUES[language] = get_translations()
    said = (locale, catalogue, ZoneInfo(str(get_timezone())))  # zoneinfo converts in a third of pytz's time
    g._flask_babel.traza_spoken = said
    return said


def _locale_and_zone():
    """The request's language and zone; None outside an app context."""
    said = _spoken()
    return (None, None) if said is None else (said[0], said[2])


def format_event(value) -> str:
    """A moment as the event style writes it: "5 dic 2026, 22:57" (a stored naive datetime is UTC), in the request's
    language and zone."""
    if not value:
        return ""
    locale, zone = _locale_and_zone()
    if locale is None or zone is None or not isinstance(value, datetime):
        pattern = get_locale().datetime_formats["medium"]
        return pattern.replace("{1}", format_date(value, "medium")).replace("{0}", format_time(value, "short"))
    return _event_text((value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone), locale)


def _event_text(local: datetime, locale: Locale, day_text: str | None = None) -> str:
    """A local moment in the event style: the language's way of joining its day and its time of day."""
    day_text = day_text or _day_text(local.date(), "medium", locale)
    return _joined(locale).replace("{1}", day_text).replace("{0}", _clock_text(local.hour, local.minute, locale))


def event_writer():
    """For a page that writes thousands of moments (the traceability report): ``write(utc_naive, day_only)`` gives
    the firm's local day of a stored (naive UTC) moment and the moment as the event style writes it (the day alone,
    in the table style, for a day-only fact), the language and the zone looked up once rather than per moment."""
    locale, zone = get_locale(), _zone()

    def write(utc_naive: datetime, day_only: bool = False) -> tuple[date, str]:
        local = utc_naive.replace(tzinfo=UTC).astimezone(zone)
        text = _day_text(local.date(), "medium", locale)
        return local.date(), text if day_only else _event_text(local, locale, text)

    return write


def format_day(value, style: str = "table") -> str:
    """A day in the table style ("5 dic 2026") or the document style ("5 de diciembre de 2026")."""
    if not value:
        return ""
    pattern = _DATE_STYLES.get(style, style)
    locale, zone = _locale_and_zone()
    if locale is None or zone is None:
        return format_date(value, pattern)
    if isinstance(value, datetime):  # a stored moment (naive: UTC) is on the day it was in the request's zone
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone).date()
    elif type(value) is not date:
        return format_date(value, pattern)
    return _day_text(value, pattern, locale)


def _datetime_filter(value, style: str = "event") -> str:
    if not value:
        return ""
    if style in _EVENT_STYLES:
        return format_event(value)
    said = _spoken()
    if said is None or not isinstance(value, datetime):
        return format_datetime(value, style)
    # A calendar's own pattern ("EEE d MMM, HH:mm"): Babel's, in the request's zone, without Flask-Babel's look-ups
    # of the locale, the zone and its format table on each call (20 → 7 µs; a deadline list writes one per row).
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(said[2])
    return _pattern_text(local, said[2], style, said[0])


@lru_cache(maxsize=16384)
def _pattern_text(local: datetime, zone, pattern: str, locale: Locale) -> str:
    """A moment in ``zone`` as a calendar's own ``pattern`` writes it in ``locale``, kept for the process like
    ``_day_text`` (the same deadlines and meetings are written on every view). The zone is part of the key because
    aware datetimes are equal, and hash alike, when they are the same instant, whatever their zone."""
    return babel_dates.format_datetime(local, pattern, locale=locale)


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if (request.endpoint or "").startswith("surveys.public"):
        # The client's survey speaks the firm's language, like its questions (data written by the firm).
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone():
    return current_app.config["TIMEZONE"]


class _WtformsMessages:
    """WTForms' own messages ("Not a valid choice"…) in the request's language, each language's catalogue read
    once per process: Flask-WTF reads the file again on every request that builds a form (it keeps the catalogue
    on ``request.wtforms_translations``, which this stands in for)."""

    def __init__(self):
        self._loaded: dict[str, object] = {}

    def _catalogue(self):
        from babel import support
        from wtforms.i18n import messages_path

        locale = str(get_locale())
        catalogue = self._loaded.get(locale)
        if catalogue is None:
            catalogue = self._loaded[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return catalogue

    def ugettext(self, string):
        return self._catalogue().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalogue().ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WtformsMessages()


def _wtforms_messages():
    request.wtforms_translations = _WTFORMS_MESSAGES


_CATALOGUES: dict[str, object] = {}


def _catalogue():
    """The request's catalogue (its language, or the one ``force_locale`` sets for a mail), kept per language:
    Flask-Babel's template functions look it up through the app context on every call, about 10 µs, and a page
    says its words dozens to hundreds of times. The catalogue itself is Flask-Babel's, read once per language."""
    said = _spoken()
    if said is not None:
        return said[1]
    language = str(get_locale())
    catalogue = _CATALOGUES.get(language)
    if catalogue is None:
        catalogue = _CATALOGUES[language] = get_translations()
    return catalogue


def _word(string, **variables):
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def _word_in_context(context, string, **variables):
    text = _catalogue().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string, **variables) -> LazyString:
    """A word said when it is shown, in the language of the request (or of ``force_locale``) — Flask-Babel's
    ``lazy_gettext`` through the per-language catalogue above. Labels, choices and messages are these: a list page
    shows them by the hundred, and Flask-Babel's own look-up made each one cost twice as much."""
    return LazyString(_word, string, **variables)


def lazy_pgettext(context, string, **variables) -> LazyString:
    """``lazy_gettext`` with a message context (the same English word, two Spanish ones)."""
    return LazyString(_word_in_context, context, string, **variables)


@pass_context
def _say(context, string, **variables):
    """A template's ``_()`` and ``gettext()``: what Jinja's newstyle gettext does (the word from the catalogue, marked
    safe under autoescape, always formatted, so ``%%`` reads ``%``), without its two indirect calls per word (8.6 µs
    became 6.1; a page says 50 to 300 words)."""
    text = _catalogue().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (a translation is trusted markup, as Jinja's own gettext takes it)
    return text % variables


def _install_template_words(app):
    app.jinja_env.install_gettext_callables(
        gettext=_word,  # replaced just below by _say, which does the same in one call
        ngettext=lambda singular, plural, n: _catalogue().ungettext(singular, plural, n),
        pgettext=_word_in_context,
        npgettext=lambda context, singular, plural, n: _catalogue().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_say, gettext=_say)


def said(words: dict) -> dict:
    """A dict of lazy labels said once in the request's language: for a list that writes one on every row (a lazy
    label looks the request's catalogue up each time it is written). In a template: ``labels.STATES|said``."""
    return {key: str(word) for key, word in words.items()}


def init_app(app):
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _install_template_words(app)
    app.before_request(_wtforms_messages)
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["number"] = lambda v: format_decimal(v) if v is not None else ""
    app.jinja_env.filters["device"] = device
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["said"] = said


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """A short, readable name for a browser: "Chrome · Windows"."""
    ua = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in ua), None)
    system = next((name for key, name in _SYSTEMS if key in ua), None)
    if not browser and not system:
        return ua[:40] or "—"
    return " · ".join(p for p in (browser, system) if p)


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(utc_naive):
    """A stored (naive UTC) datetime in the firm's time zone, naive."""
    from datetime import UTC

    return utc_naive.replace(tzinfo=UTC).astimezone(_zone()).replace(tzinfo=None)


def to_utc(local_naive):
    """A datetime typed in the firm's time zone, as the naive UTC the database stores."""
    from datetime import UTC

    return local_naive.replace(tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def today_local():
    from datetime import datetime

    return datetime.now(_zone()).date()


def money(value, currency=None) -> str:
    """Amounts as the firm's country writes them: "$ 2.500.000,00" in Colombia."""
    if value is None:
        return ""
    from babel.numbers import format_currency as babel_currency

    locale = f"{get_locale().language}_{current_app.config['FIRM_REGION']}"
    return babel_currency(value, currency or current_app.config["FIRM_CURRENCY"], locale=locale)


def now_local():
    """The firm's wall-clock time now, naive."""
    from datetime import datetime

    return datetime.now(_zone()).replace(tzinfo=None)
