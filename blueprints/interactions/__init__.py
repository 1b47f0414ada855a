from flask import Blueprint

bp = Blueprint("interactions", __name__, url_prefix="/interacciones")

from blueprints.interactions import routes  # noqa: E402,F401
