from flask import Blueprint

bp = Blueprint("system", __name__)

from blueprints.system import routes  # noqa: E402,F401
