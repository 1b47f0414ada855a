"""Words of the search: the name of each kind of result (the kinds live in services/search/__init__.py)."""

from core.i18n import lazy_gettext as _l

KINDS = {"clients": _l("Clients"), "cases": _l("Cases"), "complaints": _l("Complaints"),
         "quotations": _l("Quotations"), "contracts": _l("Contracts"), "documents": _l("Documents"),
         "interactions": _l("Interactions")}
