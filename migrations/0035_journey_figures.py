"""The client journey's period figures kept for the day (``journey_figure``): for each stage, the median days spent in
it over the 12 months of closed days before the firm's day, its sample and a rate's two counts. A closed day does not
change, so ``/manual/recorrido`` computes them once a day (or the job ``recorrido_del_cliente`` does, before anyone
reads them) and then reads ten rows instead of sorting every stage's year of rows on each view."""
from peewee import *


def up(migrator, db):
    class JourneyFigure(Model):
        day = DateField()
        stage = CharField(max_length=16)
        median = DoubleField(null=True)
        n = IntegerField(default=0)
        base = IntegerField(null=True)
        hits = IntegerField(null=True)
        computed_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'journey_figure'
            indexes = ((('day', 'stage'), True),)

    db.create_tables([JourneyFigure])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('journey_figure'))
