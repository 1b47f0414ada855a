"""The loyalty and referral programmes (issue 18, PRO 008 §5.5.1): the firm's benefit rules (``benefit_rule``: a
discount, an additional service or priority, for recurring clients or referrers, with its threshold), each benefit
applied on a quotation (``benefit_grant``: who, when, which rule) and the lines it added (``quotation_line.benefit``),
the client's priority flag, and the thanks sent to a referrer for a referral (``referral_thanks``)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class Quotation(Model):
        class Meta:
            database = db
            table_name = 'quotation'

    class BenefitRule(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=120)
        kind = CharField(max_length=10)
        percent = DecimalField(max_digits=5, decimal_places=2, null=True)
        service = CharField(max_length=200, default='')
        basis = CharField(max_length=10)
        threshold = IntegerField()
        active = BooleanField(default=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'benefit_rule'

    class BenefitGrant(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        quotation = ForeignKeyField(Quotation, null=True, on_delete='SET NULL')
        rule = ForeignKeyField(BenefitRule, on_delete='RESTRICT')
        kind = CharField(max_length=10)
        percent = DecimalField(max_digits=5, decimal_places=2, null=True)
        description = CharField(max_length=300)
        applied_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        applied_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'benefit_grant'
            indexes = ((('quotation', 'rule'), True), (('client', 'applied_at'), False))

    class ReferralThanks(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        referred = ForeignKeyField(Client, unique=True, on_delete='CASCADE')
        referrer = ForeignKeyField(Client, null=True, on_delete='SET NULL')
        emailed = BooleanField(default=False)
        sent_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        sent_at = DateTimeField()
        note = TextField(default='')

        class Meta:
            database = db
            table_name = 'referral_thanks'

    db.create_tables([BenefitRule, BenefitGrant, ReferralThanks])
    migrator.migrate(
        migrator.add_column('quotation_line', 'benefit_id', ForeignKeyField(BenefitGrant, null=True, on_delete='SET NULL',
                                                                             field=BenefitGrant.id)),
        # A database default too: rows written by plain INSERTs that do not name it (imports, the bench) are not priority.
        migrator.add_column('client', 'priority', BooleanField(default=False, constraints=[SQL('DEFAULT FALSE')])),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('quotation_line', 'quotation_line_benefit_id'))
    migrator.migrate(
        migrator.drop_column('client', 'priority'),
        migrator.drop_column('quotation_line', 'benefit_id'),
    )
    db.execute_sql('DROP TABLE referral_thanks')
    db.execute_sql('DROP TABLE benefit_grant')
    db.execute_sql('DROP TABLE benefit_rule')
