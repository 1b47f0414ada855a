"""The management review (quality, ISO 9001 §9.3): a period, the texts its reviewer writes, and on approval the
compiled inputs as a JSON snapshot, who approved it and when. An approved review never changes: a trigger
refuses any UPDATE or DELETE of a row whose status is 'approved'. Improvement actions opened from a review
keep a link to it."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class ManagementReview(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        period_start = DateField()
        period_end = DateField()
        status = CharField(max_length=10, default='draft')
        procedure_changes = TextField(default='')
        conclusions = TextField(default='')
        opportunities = TextField(default='')
        resource_needs = TextField(default='')
        decisions = TextField(default='')
        snapshot = TextField(null=True)
        approved_at = DateTimeField(null=True)
        approved_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'management_review'
            indexes = ((('status', 'period_end'), False),)
    db.create_tables([ManagementReview])
    migrator.migrate(migrator.add_column('improvement_action', 'review_id', ForeignKeyField(
        ManagementReview, field=ManagementReview.id, null=True, on_delete='SET NULL')))

    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION traza_review_frozen() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'an approved management review cannot change'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER management_review_frozen BEFORE UPDATE OR DELETE ON management_review "
            "FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION traza_review_frozen()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER management_review_frozen_{op.lower()} BEFORE {op} ON management_review "
                "WHEN OLD.status = 'approved' "
                "BEGIN SELECT RAISE(ABORT, 'an approved management review cannot change'); END"
            )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS management_review_frozen ON management_review")
        db.execute_sql("DROP FUNCTION IF EXISTS traza_review_frozen()")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS management_review_frozen_update")
        db.execute_sql("DROP TRIGGER IF EXISTS management_review_frozen_delete")
    migrator.migrate(migrator.drop_index('improvement_action', 'improvement_action_review_id'))
    migrator.migrate(migrator.drop_column('improvement_action', 'review_id'))
    migrator.migrate(migrator.drop_table('management_review'))
