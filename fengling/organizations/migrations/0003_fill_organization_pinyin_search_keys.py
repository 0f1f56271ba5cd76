"""Fill the pinyin search keys of existing organizations, in batches; safe to run again."""

from django.db import migrations

from fengling.core.lib import pinyin

BATCH_SIZE = 2000


def fill_keys(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    last_pk = 0
    while True:
        batch = list(
            Organization.objects.filter(pk__gt=last_pk).order_by("pk")
            .only("pk", "name", "name_pinyin", "name_initials")[:BATCH_SIZE]
        )
        if not batch:
            return
        for organization in batch:
            organization.name_pinyin, organization.name_initials = pinyin.keys(
                organization.name
            )
        Organization.objects.bulk_update(batch, ["name_pinyin", "name_initials"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0002_organization_pinyin_search_keys"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
