"""The version of what a draft management review reads from the survey and complaint tables
(services/quality/reviews.py keeps a draft's survey and complaint figures between views while it is unchanged).

One row, ``review_input_version``: every write to a table those figures read (any path: the app, a script, a
migration, a cascade) gives it a new random value in the same transaction, so a value names one state of those
rows. A random value rather than a count: a copy of the database (a restored backup, a test's copy of the
migrated template) starts again from an old value together with the old rows, and a count would come back to a
value it had with other rows. A reader that sees a value sees the rows of the same commit.

PostgreSQL fires once per statement (a bulk write moves it once); SQLite once per row."""
from peewee import *

TABLES = ("survey_response", "survey_answer", "survey_question", "survey_invitation", "complaint",
          "complaint_category")
# A client's blocking takes its responses out of the named lists; a deleted client takes its rows with it.
CLIENT_EVENTS = ("UPDATE OF blocked_on", "DELETE")
SQLITE_BUMP = "UPDATE review_input_version SET version = random()"
PG_BUMP = "UPDATE review_input_version SET version = (random() * 9007199254740991)::bigint"


def up(migrator, db):
    class ReviewInputVersion(Model):
        version = BigIntegerField()

        class Meta:
            database = db
            table_name = 'review_input_version'

    db.create_tables([ReviewInputVersion])
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("INSERT INTO review_input_version (id, version) VALUES (1, (random() * 9007199254740991)::bigint)")
        db.execute_sql(f"CREATE FUNCTION review_input_changed() RETURNS trigger AS $$ BEGIN {PG_BUMP}; RETURN NULL; "
                       "END; $$ LANGUAGE plpgsql")
        for table in TABLES:
            db.execute_sql(f"CREATE TRIGGER review_input_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                           f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION review_input_changed()")
        db.execute_sql(f"CREATE TRIGGER review_input_client AFTER {' OR '.join(CLIENT_EVENTS)} ON client "
                       "FOR EACH STATEMENT EXECUTE FUNCTION review_input_changed()")
        return
    db.execute_sql("INSERT INTO review_input_version (id, version) VALUES (1, random())")
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute_sql(f"CREATE TRIGGER review_input_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {SQLITE_BUMP}; END")
    for event in CLIENT_EVENTS:
        db.execute_sql(f"CREATE TRIGGER review_input_client_{event.split()[0].lower()} AFTER {event} ON client "
                       f"BEGIN {SQLITE_BUMP}; END")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for table in (*TABLES, "client"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS review_input_{table} ON {table}")
        db.execute_sql("DROP FUNCTION IF EXISTS review_input_changed()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS review_input_{table}_{event}")
        for event in CLIENT_EVENTS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS review_input_client_{event.split()[0].lower()}")
    migrator.migrate(migrator.drop_table('review_input_version'))
