"""The quality indicators' figures of closed months, kept between requests (services/quality/figures.py), and the
triggers that forget them when their rows change.

A cached figure is one indicator's numerator and denominator for one whole, settled month of one scope (filters and
settings). It stays valid only while the rows behind it do not change, so every table an indicator reads carries a
trigger: a write (any path: the app, a script, a migration, a cascade) deletes the cached months it could touch —
the month of the row's anchor (its answer day, reception, closing, due moment…) before and after the change, or the
whole indicator when the link is not a month (a contract renewing another, a holiday, a client's status). The
trigger also advances ``quality_figure_epoch``: a figure computed while a write was under way is stored only if the
epoch did not move meanwhile and no writer holds it (services/quality/figures.py), so a figure can never outlive
the data it was computed from."""
from peewee import *

# (table, columns whose UPDATE matters, row condition or None, [(indicators, how, anchor expression)]):
# how = "at" (a UTC moment against at_lo/at_hi), "day" (a date against day_lo/day_hi), "all" (every month).
# {r} stands for OLD or NEW.
ROWS = [
    ("survey_response", "answered_on, ratings_high, ratings_count, nps, anonymous, practice_area_id, responsible_id, "
     "client_id", None, [(("satisfaccion", "nps"), "day", "{r}.answered_on")]),
    ("survey_invitation", "sent_at, answered_at, withdrawn_at, practice_area_id, responsible_id, client_id, case_id",
     None, [(("respuesta",), "at", "{r}.sent_at"),
            (("encuestas",), "at", "(SELECT c.closed_at FROM legal_case c WHERE c.id = {r}.case_id)")]),
    ("legal_case", "status, closed_at, survey_sent_at, practice_area_id, responsible_id, client_id", None,
     [(("encuestas",), "at", "{r}.closed_at")]),
    ("complaint", "kind, received_at, resolved_at, due_at, practice_area_id, owner_id, client_id", None,
     [(("sla", "resolucion"), "at", "{r}.received_at")]),
    ("contract", "status, end_date, signed_on, renews_id, client_id", None,
     [(("retencion", "contratacion"), "all", None)]),
    ("client_status_change", "from_status, to_status, created_at, client_id", None,
     [(("admision",), "at", "{r}.created_at")]),
    ("interaction", "kind, direction, occurred_at, next_update_days, client_id",
     "{r}.kind = 'update' AND {r}.direction = 'out'", [(("actualizaciones",), "at", "{r}.occurred_at")]),
    ("deadline", "status, due_at, done_at, responsible_id, case_id", None, [(("plazos",), "at", "{r}.due_at")]),
    ("holiday", "day, region", None, [(("resolucion",), "all", None)]),
]
# Updates that change which rows a filter selects, or a figure's inputs outside any month: (table, column,
# indicators or None for every one, only the filtered scopes).
CHANGES = [
    ("legal_case", "practice_area_id", ("plazos",), True),
    ("legal_case", "client_id", ("plazos",), True),
    ("client", "kind", None, True),
    ("client", "practice_area_id", None, True),
    ("client", "responsible_id", None, True),
    ("client", "status", ("actualizaciones",), False),
    ("client", "created_at", ("contratacion",), False),
]
BUMP = "UPDATE quality_figure_epoch SET n = n + 1"


def _names(indicators):
    return ", ".join(f"'{name}'" for name in indicators)


def _forget(indicators, how, anchor):
    where = f"indicator IN ({_names(indicators)})"
    if how == "at":
        where += f" AND at_lo <= {anchor} AND {anchor} < at_hi"
    elif how == "day":
        where += f" AND day_lo <= {anchor} AND {anchor} < day_hi"
    return f"DELETE FROM quality_figure WHERE {where}"


def _forget_scope(indicators, filtered):
    where = [f"indicator IN ({_names(indicators)})"] if indicators else []
    if filtered:
        where.append("filtered")
    return "DELETE FROM quality_figure" + (f" WHERE {' AND '.join(where)}" if where else "")


def up(migrator, db):
    class QualityFigure(Model):
        indicator = CharField(max_length=16)
        scope = CharField(max_length=64)
        filtered = BooleanField(default=False)
        month = DateField()
        day_lo = DateField()
        day_hi = DateField()
        at_lo = DateTimeField()
        at_hi = DateTimeField()
        numerator = DoubleField()
        denominator = IntegerField()
        lists = TextField(null=True)
        computed_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'quality_figure'
            indexes = ((('scope', 'month', 'indicator'), True),)

    class QualityFigureEpoch(Model):
        n = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = 'quality_figure_epoch'

    db.create_tables([QualityFigure, QualityFigureEpoch])
    db.execute_sql("INSERT INTO quality_figure_epoch (id, n) VALUES (1, 0)")
    pg = isinstance(db, PostgresqlDatabase)
    for table, columns, condition, actions in ROWS:
        if pg:
            _pg_rows(db, table, columns, condition, actions)
        else:
            _sqlite_rows(db, table, columns, condition, actions)
    for table, column, indicators, filtered in CHANGES:
        name = f"quality_figure_{table}_{column}"
        body = f"{BUMP}; {_forget_scope(indicators, filtered)};"
        if pg:
            db.execute_sql(f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} RETURN NULL; END; $$ "
                           "LANGUAGE plpgsql")
            db.execute_sql(f"CREATE TRIGGER {name} AFTER UPDATE OF {column} ON {table} FOR EACH ROW "
                           f"WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) EXECUTE FUNCTION {name}()")
        else:
            db.execute_sql(f"CREATE TRIGGER {name} AFTER UPDATE OF {column} ON {table} "
                           f"WHEN OLD.{column} IS NOT NEW.{column} BEGIN {body} END")


def _statements(actions, ref):
    return "; ".join(_forget(indicators, how, (anchor or "").format(r=ref)) for indicators, how, anchor in actions)


def _sqlite_rows(db, table, columns, condition, actions):
    for event, refs in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), (f"UPDATE OF {columns}", ("OLD", "NEW"))):
        when = " OR ".join(f"({condition.format(r=r)})" for r in refs) if condition else ""
        body = "; ".join([BUMP, *(_statements(actions, r) for r in refs)])
        kind = event.split()[0].lower()
        db.execute_sql(f"CREATE TRIGGER quality_figure_{table}_{kind} AFTER {event} ON {table} "
                       + (f"WHEN {when} " if when else "") + f"BEGIN {body}; END")


def _pg_rows(db, table, columns, condition, actions):
    def part(ref):
        statements = f"{_statements(actions, ref)};"
        if condition:
            statements = f"IF {condition.format(r=ref)} THEN {BUMP}; {statements} END IF;"
        else:
            statements = f"{BUMP}; {statements}"
        return statements

    name = f"quality_figure_{table}"
    db.execute_sql(
        f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {part('OLD')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {part('NEW')} END IF; "
        "RETURN NULL; END; $$ LANGUAGE plpgsql")
    db.execute_sql(f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")


def down(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    for table, _columns, _condition, _actions in ROWS:
        if pg:
            db.execute_sql(f"DROP TRIGGER IF EXISTS quality_figure_{table} ON {table}")
            db.execute_sql(f"DROP FUNCTION IF EXISTS quality_figure_{table}()")
        else:
            for kind in ("insert", "delete", "update"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS quality_figure_{table}_{kind}")
    for table, column, _indicators, _filtered in CHANGES:
        name = f"quality_figure_{table}_{column}"
        if pg:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            db.execute_sql(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_table('quality_figure_epoch'))
    migrator.migrate(migrator.drop_table('quality_figure'))
