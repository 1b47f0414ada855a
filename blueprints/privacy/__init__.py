"""Privacy operations (``/privacidad``, issue 19): who viewed a client's or a case's confidential data (a tab of
each page) and one person's confidential reads (the access review), and the register of data-subject requests."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from blueprints.privacy import access_review, erasure, export, inventory, reads, routes  # noqa: E402,F401
