"""Client loyalty (``/fidelizacion``, PRO 008 §5.5): renewing a contract and recording why one is not renewed, and the
outcome of the contacts after a case. The renewals list stays at ``/comercial/renovaciones``."""

from flask import Blueprint

bp = Blueprint("loyalty", __name__, url_prefix="/fidelizacion")

from blueprints.loyalty import benefits, routes  # noqa: E402,F401  (benefits: the loyalty and referral programmes)

# The newsletter's unsubscribe link, which clients open from their mail: an address of its own (``/boletin/<token>``),
# outside the staff's ``/fidelizacion``, redacted from the request log like every token address.
public_bp = Blueprint("loyalty_public", __name__, url_prefix="/boletin")

from blueprints.loyalty import newsletter, public  # noqa: E402,F401
