"""The periodic access review (SECURITY.md A6): a review over a period and one line per active staff member with
a snapshot of what was shown (roles, case teams, last sign-in, two-step verification, confidential reads in the
period) and its decision. A signed-off review never changes: triggers refuse any UPDATE or DELETE of a signed
review and any INSERT, UPDATE or DELETE of a line of one."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class AccessReview(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        period_start = DateField()
        period_end = DateField()
        status = CharField(max_length=6, default='open')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        signed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        signed_at = DateTimeField(null=True)
        signed_on = DateField(null=True)
        class Meta:
            database = db
            table_name = 'access_review'
            indexes = ((('status', 'signed_on'), False),)

    class AccessReviewLine(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        review = ForeignKeyField(AccessReview, on_delete='RESTRICT')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        user_name = CharField(max_length=120)
        user_email = CharField(max_length=254)
        roles = CharField(max_length=200, default='')
        teams = TextField(default='[]')
        last_login_at = DateTimeField(null=True)
        has_2fa = BooleanField(default=False)
        reads = IntegerField(default=0)
        decision = CharField(max_length=9, null=True)
        note = TextField(default='')
        revoked = CharField(max_length=7, default='')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'access_review_line'
            indexes = ((('review', 'user_name', 'id'), False), (('review', 'decision'), False))

    db.create_tables([AccessReview, AccessReviewLine])

    signed = "(SELECT status FROM access_review WHERE id = {}.review_id) = 'signed'"
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION traza_access_review_frozen() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'a signed-off access review cannot change'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER access_review_frozen BEFORE UPDATE OR DELETE ON access_review "
            "FOR EACH ROW WHEN (OLD.status = 'signed') EXECUTE FUNCTION traza_access_review_frozen()"
        )
        for op, row in (("UPDATE OR DELETE", "OLD"), ("INSERT", "NEW")):
            name = "access_review_line_frozen" + ("_insert" if row == "NEW" else "")
            # A trigger's WHEN cannot hold a subquery on PostgreSQL: the function checks the review.
            db.execute_sql(
                f"CREATE FUNCTION {name}_check() RETURNS trigger AS $$ BEGIN "
                f"IF (SELECT status FROM access_review WHERE id = {row}.review_id) = 'signed' THEN "
                "RAISE EXCEPTION 'a signed-off access review cannot change'; END IF; "
                f"RETURN {'NEW' if row == 'NEW' else 'COALESCE(NEW, OLD)'}; END; $$ LANGUAGE plpgsql"
            )
            db.execute_sql(f"CREATE TRIGGER {name} BEFORE {op} ON access_review_line "
                           f"FOR EACH ROW EXECUTE FUNCTION {name}_check()")
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER access_review_frozen_{op.lower()} BEFORE {op} ON access_review "
                "WHEN OLD.status = 'signed' "
                "BEGIN SELECT RAISE(ABORT, 'a signed-off access review cannot change'); END"
            )
        for op, row in (("UPDATE", "OLD"), ("DELETE", "OLD"), ("INSERT", "NEW")):
            db.execute_sql(
                f"CREATE TRIGGER access_review_line_frozen_{op.lower()} BEFORE {op} ON access_review_line "
                f"WHEN {signed.format(row)} "
                "BEGIN SELECT RAISE(ABORT, 'a signed-off access review cannot change'); END"
            )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS access_review_frozen ON access_review")
        db.execute_sql("DROP FUNCTION IF EXISTS traza_access_review_frozen()")
        for name in ("access_review_line_frozen", "access_review_line_frozen_insert"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON access_review_line")
            db.execute_sql(f"DROP FUNCTION IF EXISTS {name}_check()")
    else:
        for name in ("access_review_frozen_update", "access_review_frozen_delete", "access_review_line_frozen_update",
                     "access_review_line_frozen_delete", "access_review_line_frozen_insert"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_table('access_review_line'))
    migrator.migrate(migrator.drop_table('access_review'))
