from django.db import migrations, models


def backfill(apps, schema_editor):
    """Every conversation's waits, recomputed with the epoch seconds, in chunks (the same
    recompute as live). It runs the current ``recompute_sql``, which writes every column of
    the table: 0002's backfill moved here with the columns, and a later migration that
    changes the table's columns takes it over in turn."""
    from breakwater.reports.waits import CHUNK, recompute_sql

    Conversation = apps.get_model("inbox", "Conversation")
    ResponseWait = apps.get_model("reports", "ResponseWait")
    ResponseWait.objects.all().delete()
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    with schema_editor.connection.cursor() as cur:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            cur.execute(recompute_sql(", ".join(["%s"] * len(chunk))), chunk)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0003_reportrun_attempts'),
    ]

    operations = [
        migrations.AddField(
            model_name='responsewait',
            name='asked_epoch',
            field=models.FloatField(default=0.0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='responsewait',
            name='answered_epoch',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
