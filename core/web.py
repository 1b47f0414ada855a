"""The web kit every blueprint shares: the signed-in person, loading a row or answering 404, the status of a
page that shows form errors, and the switch beside a catalog entry.

An object out of the person's scope answers 404 like one that does not exist (DESIGN.md §3), so loaders
take the scoped named query (``Client.for_page(id)``) or a model and its conditions.
"""

import re
from functools import lru_cache

from flask import abort, g, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from peewee import ModelSelect

from core import audit
from core.db import transaction, utcnow
from core.forms import ActionForm
from core.guard import permissions_of


def me():
    """The signed-in member of staff (the real object, not the proxy: it goes into queries and audit rows)."""
    return current_user._get_current_object()


def get_or_404(query_or_model, *where):
    """The first row of a model or query matching ``where``, or 404 (as playhouse.flask_utils does)."""
    query = query_or_model if isinstance(query_or_model, ModelSelect) else query_or_model.select()
    found = query.where(*where).first() if where else query.first()
    return or_404(found)


def or_404(found):
    """What a named query found, or 404 when it found nothing."""
    if found is None:
        abort(404)
    return found


def status_for(*forms) -> int:
    """422 when any of the forms was submitted with errors (the page shows them beside the fields), else 200."""
    return 422 if any(form is not None and form.errors for form in forms) else 200


def toggle_active(row, event: str = "catalog_update", detail: str = "") -> bool:
    """The retire/restore button of a catalog entry (practice areas, complaint categories, requirement
    templates): when its form (the CSRF token only) is valid, flip the row's ``is_active`` in one transaction
    with its ``event`` audit row. True when it flipped; ``row`` then holds the new state."""
    if not ActionForm().validate_on_submit():
        return False
    model = type(row)
    with transaction():
        model.update(is_active=not row.is_active, updated_at=utcnow()).where(model.id == row.id).execute()
        audit.record(event, row, actor=me(), fields=["is_active"], detail=detail)
    row.is_active = not row.is_active
    return True


def main_nav() -> Markup:
    """The main menu's links (``templates/_nav_links.html``) for the signed-in person's permissions, language and
    page. They are the same for everyone with those permissions on that page, so each is rendered once per process:
    two dozen translated labels and links were a third of an empty signed-in page."""
    user = current_user._get_current_object()
    return _main_nav(permissions_of(user.role_names), str(get_locale()), request.endpoint or "", request.script_root)


@lru_cache(maxsize=4096)
def _main_nav(permissions: frozenset, locale: str, endpoint: str, script_root: str) -> Markup:
    return Markup(render_template("_nav_links.html", ep=endpoint))  # noqa: S704 (an autoescaped template's output)


class RowLink:
    """The link of each row of a list to one endpoint, built by Flask once for the list: ``link_for('clients.show',
    'client_id')`` in a template, then ``link(c.id)`` per row (``link_for(endpoint, 'document_id', 'version_id')``
    takes two ids, in that order). ``url_for`` walks the URL map on every call; a list of a few hundred rows paid
    for it on each."""

    _SLOT = 918_273_645_120  # ids no path holds otherwise: where each row's own ids go

    def __init__(self, endpoint: str, *keys: str, **values):
        slots = [str(self._SLOT + i) for i in range(len(keys))]
        url = url_for(endpoint, **dict(zip(keys, (int(s) for s in slots), strict=True)), **values)
        if not keys or any(url.count(slot) != 1 for slot in slots):
            raise ValueError(f"link_for: {endpoint}'s URL must hold each of {keys} once")
        self._order = sorted(range(len(keys)), key=lambda i: url.index(slots[i]))  # the ids' order in the URL
        self._pieces = re.split("|".join(slots[i] for i in self._order), url)

    def __call__(self, *ids) -> str:
        pieces = self._pieces
        if len(pieces) == 2:
            return f"{pieces[0]}{int(ids[0])}{pieces[1]}"
        return pieces[0] + "".join(f"{int(ids[i])}{piece}" for i, piece in zip(self._order, pieces[1:], strict=True))


def link_for(endpoint: str, *keys: str, **values) -> RowLink:
    return RowLink(endpoint, *keys, **values)


def csrf_token() -> str:
    """The templates' ``csrf_token()``: Flask-WTF's signs the token once per request and keeps it in ``g``, but reads
    its settings again on every call; this takes it from ``g`` first (a list with a form per row asks a hundred
    times: 20 µs each)."""
    token = g.get("csrf_token")
    return token if token is not None else generate_csrf()
