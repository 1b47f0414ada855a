from flask import Blueprint

bp = Blueprint("commercial", __name__, url_prefix="/comercial")

from blueprints.commercial import routes  # noqa: E402,F401
