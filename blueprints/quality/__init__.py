"""Quality management (``/calidad``): the indicators of PRO 008 §7 and what the data allows, their targets and
the dashboard of management and quality (routes.py); improvement actions (actions.py) on the same ``bp``."""

from importlib.util import find_spec

from flask import Blueprint

bp = Blueprint("quality", __name__)

from blueprints.quality import routes  # noqa: E402,F401

if find_spec("blueprints.quality.actions"):  # improvement actions, a module of their own
    from blueprints.quality import actions  # noqa: E402,F401

if find_spec("blueprints.quality.reviews"):  # the management review, a module of its own
    from blueprints.quality import reviews  # noqa: E402,F401

if find_spec("blueprints.quality.notes"):  # notes to the staff, acknowledged, a module of their own
    from blueprints.quality import notes  # noqa: E402,F401
