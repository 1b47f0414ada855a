"""Complaints, claims, requests and suggestions (``/quejas``) and crisis incidents (``/crisis``)."""

from flask import Blueprint

bp = Blueprint("complaints", __name__)

from blueprints.complaints import crisis, routes  # noqa: E402,F401
