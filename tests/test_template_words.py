"""Templates and lazy words (labels, choices) say their words in the request's language, and in the one
``force_locale`` sets for a mail in the middle of a request (core.i18n keeps each language's catalogue for the
process)."""

from flask import render_template_string
from flask_babel import force_locale
from markupsafe import escape

from core.i18n import lazy_gettext, lazy_pgettext

WORDS = ('{{ _("Clients") }} · {{ ngettext("%(days)s day before", "%(days)s days before", 3, days=3) }} · '
         '{{ pgettext("quotation", "Accepted") }}')


def test_a_page_and_a_mail_in_its_own_language_within_one_request(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = render_template_string(WORDS)
        with force_locale("en"):
            english = render_template_string(WORDS)
        again = render_template_string(WORDS)
    assert spanish == again == "Clientes · 3 días antes · Aceptada"
    assert english == "Clients · 3 days before · Accepted"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(WORDS) == english


def test_a_lazy_word_is_said_when_shown_in_the_language_of_that_moment(app):
    clients, accepted = lazy_gettext("Clients"), lazy_pgettext("quotation", "Accepted")
    days = lazy_gettext("response time: %(time)s", time="2 h")
    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = [str(clients), str(escape(accepted)), f"{days}"]
        with force_locale("en"):
            english = [str(clients), str(escape(accepted)), f"{days}"]
        assert render_template_string("{{ w }}", w=clients) == "Clientes"
    assert spanish == ["Clientes", "Aceptada", "tiempo de respuesta: 2 h"]
    assert english == ["Clients", "Accepted", "response time: 2 h"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(clients) == "Clients" and clients == "Clients"


def test_a_template_word_is_always_formatted_and_its_values_escaped(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        page = render_template_string(
            '{{ _("Required: the search found a strong match (the same document, email or phone, or a name at '
            '%(score)d %% or more).", score=95) }} | {{ _("by %(name)s on %(date)s", name=who, date="1/12") }}',
            who="<b>Ana</b>")
    assert page == ("Obligatorio: la búsqueda encontró una coincidencia fuerte (el mismo documento, correo o teléfono, "
                    "o un nombre al 95 % o más). | por &lt;b&gt;Ana&lt;/b&gt; el 1/12")
