from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clientes")

from blueprints.clients import routes  # noqa: E402,F401
