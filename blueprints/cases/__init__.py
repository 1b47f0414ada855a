from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/casos")

from blueprints.cases import routes  # noqa: E402,F401
