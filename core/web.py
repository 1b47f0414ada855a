"""The web kit every blueprint shares: the signed-in person, loading a row or answering 404, the status of a
page that shows form errors, and the switch beside a catalog entry.

An object out of the person's scope answers 404 like one that does not exist (DESIGN.md §3), so loaders
take the scoped named query (``Client.for_page(id)``) or a model and its conditions.
"""

from flask import abort
from flask_login import current_user
from peewee import ModelSelect

from core import audit
from core.db import transaction, utcnow
from core.forms import ActionForm


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
