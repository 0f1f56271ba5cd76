"""Fill the pinyin search keys of existing members, in batches; safe to run again."""

from django.db import migrations

from fengling.core.lib import pinyin

BATCH_SIZE = 2000


def fill_keys(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    last_pk = 0
    while True:
        batch = list(
            Member.objects.filter(pk__gt=last_pk).order_by("pk")
            .only("pk", "name", "name_pinyin", "name_initials")[:BATCH_SIZE]
        )
        if not batch:
            return
        for member in batch:
            member.name_pinyin, member.name_initials = pinyin.keys(member.name, surname=True)
        Member.objects.bulk_update(batch, ["name_pinyin", "name_initials"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0004_member_pinyin_search_keys"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
