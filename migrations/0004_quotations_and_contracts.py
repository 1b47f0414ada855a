"""Quotations with versions and lines, and service contracts."""
import decimal

from peewee import *


def up(migrator, db):
    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Quotation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        number = IntegerField()
        version = IntegerField(default=1)
        is_current = BooleanField(default=True)
        status = CharField(max_length=10, default='draft')
        currency = CharField(max_length=3, default='COP')
        valid_until = DateField()
        notes = TextField(default='')
        sent_at = DateTimeField(null=True)
        decided_at = DateTimeField(null=True)
        decision_reason = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'quotation'
            indexes = ((('number', 'version'), True), (('client', 'is_current'), False))
    db.create_tables([Quotation])

    class Contract(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        quotation = ForeignKeyField(Quotation, on_delete='RESTRICT')
        status = CharField(max_length=10, default='draft')
        conditions = TextField(default='')
        frequency = CharField(max_length=10, default='one_off')
        duration_months = IntegerField(default=12)
        start_date = DateField()
        end_date = DateField()
        firm_duties = TextField(default='')
        client_duties = TextField(default='')
        signed_on = DateField(null=True)
        signer = CharField(max_length=200, default='')
        renews = ForeignKeyField('self', null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'contract'
            indexes = ((('status', 'end_date'), False),)
    db.create_tables([Contract])

    class QuotationLine(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        quotation = ForeignKeyField(Quotation, on_delete='CASCADE')
        position = IntegerField(default=0)
        service = CharField(max_length=300)
        quantity = DecimalField(max_digits=12, decimal_places=2)
        unit_price = DecimalField(max_digits=16, decimal_places=2)
        tax_rate = DecimalField(max_digits=5, decimal_places=2, default=decimal.Decimal('0'))
        class Meta:
            database = db
            table_name = 'quotation_line'
    db.create_tables([QuotationLine])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('quotation_line'))
    migrator.migrate(migrator.drop_table('contract'))
    migrator.migrate(migrator.drop_table('quotation'))
