"""Renewals and the follow-up after the case (issue 18, PRO 008 §5.5.3): the decision recorded on a contract that
reached its end without a renewal (``renewal_decision``: not renewed or lost, with its reason, who and when; a
renewal itself is the contract that names the old one in ``renews``), the contract a quotation renews (set by
"Renovar", so the contract made from it links back), and the outcome of a post-case follow-up task."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Contract(Model):
        class Meta:
            database = db
            table_name = 'contract'

    class RenewalDecision(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        contract = ForeignKeyField(Contract, unique=True, on_delete='CASCADE')
        outcome = CharField(max_length=12)
        reason = TextField(default='')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'renewal_decision'

    db.create_tables([RenewalDecision])
    migrator.migrate(
        migrator.add_column('quotation', 'renews_id', ForeignKeyField(Contract, null=True, on_delete='SET NULL',
                                                                      field=Contract.id)),
        migrator.add_column('task', 'outcome', CharField(max_length=12, default='')),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('quotation', 'quotation_renews_id'))
    migrator.migrate(
        migrator.drop_column('task', 'outcome'),
        migrator.drop_column('quotation', 'renews_id'),
        migrator.drop_table('renewal_decision'),
    )
