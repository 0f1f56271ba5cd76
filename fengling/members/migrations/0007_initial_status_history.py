"""Give every member an initial status-history row matching their current status.

Set-based and batched: members are read as plain values in chunks and their rows written
with bulk_create; no query per member. Members that already have a history are skipped.
"""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    StatusChange = apps.get_model("members", "StatusChange")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        # Keyset batches: each read is a finished list, so writing between reads is safe on
        # every database.
        chunk = list(
            Member.objects.using(alias)
            .filter(pk__gt=last, status_changes__isnull=True)
            .order_by("pk")
            .values_list("pk", "status", "join_date")[:BATCH]
        )
        if not chunk:
            break
        # The status each member had before the history was kept, dated from joining: the
        # date of the change that led to it is not known.
        StatusChange.objects.using(alias).bulk_create([
            StatusChange(member_id=pk, kind="initial", status=status, effective_on=join_date)
            for pk, status, join_date in chunk
        ])
        last = chunk[-1][0]


def backwards(apps, schema_editor):
    StatusChange = apps.get_model("members", "StatusChange")
    StatusChange.objects.using(schema_editor.connection.alias).filter(kind="initial").delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0006_lifecycle_records")]
    operations = [migrations.RunPython(forwards, backwards)]
