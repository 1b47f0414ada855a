"""Which tables hold something about a client: a foreign key to the client or to one of its cases, directly or
through the tables it points to (a quotation's lines, a document's versions, a survey's answers). The access export
(services/privacy/export.py) and the traceability report (services/reports/trace.py) each name every such table,
as a source or as excluded with a reason; their coverage tests walk ``ALL_MODELS`` with this."""

from peewee import ForeignKeyField


def refers_to_client(model, seen=()) -> bool:
    """A foreign key to Client or Case, directly or through the tables it points to (not through staff, files or
    the catalogue, which do not belong to a client)."""
    from models.cases import Case
    from models.clients import Client

    for f in model._meta.sorted_fields:
        if not isinstance(f, ForeignKeyField) or f.rel_model in seen or f.rel_model is model:
            continue
        if f.rel_model in (Client, Case) or refers_to_client(f.rel_model, (*seen, model)):
            return True
    return False


def tables_about_a_client(all_models) -> set[str]:
    """The table names of ``all_models`` (models.ALL_MODELS) that hold something about a client."""
    from models.clients import Client

    return {m._meta.table_name for m in all_models if m is Client or refers_to_client(m)}
