"""Satisfaction surveys: templates, invitations and results for staff (``/encuestas``), and the public form
clients answer through their link (``/e/<token>``, no sign-in)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from blueprints.surveys import public, results, routes  # noqa: E402,F401
