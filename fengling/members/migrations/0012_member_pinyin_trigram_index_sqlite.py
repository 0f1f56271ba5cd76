"""SQLite only: a trigram index (FTS5) for full pinyin typed inside a name.

See `fengling.members.pinyin_index`. PostgreSQL has pg_trgm's index since 0009.
"""

from django.db import migrations


def create(apps, schema_editor):
    from fengling.members import pinyin_index

    pinyin_index.ensure(schema_editor.connection.alias)


def drop(apps, schema_editor):
    from fengling.members import pinyin_index

    pinyin_index.drop(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0011_member_search_key_covering_indexes_postgresql"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
