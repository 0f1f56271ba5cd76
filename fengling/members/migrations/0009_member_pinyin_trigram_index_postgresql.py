"""PostgreSQL only: indexes for the parts of member search that match inside a text.

* `name_pinyin LIKE '%jian%'` (pinyin typed inside a name, `jian` → 陈建国) cannot use a
  B-tree index; a GIN trigram index (pg_trgm, a trusted extension since PostgreSQL 13)
  answers it. Where the extension cannot be created (no privilege) it is left out and
  search still works, by a scan.
* `name LIKE '%陈建%'` (a fragment of a Chinese name, too short for trigrams) is a scan
  either way; `(name) INCLUDE (id)` makes it an index-only scan of the names instead of a
  scan of the whole table (about ten times faster at district scale).

SQLite scans its covering B-tree indexes for both and needs nothing.
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

INDEX = "member_name_pinyin_trgm_idx"
COVERING = "member_name_cover_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {COVERING} ON members_member (name) INCLUDE (id)"
    )
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member "
        "USING gin (name_pinyin gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {COVERING}")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0008_member_digit_search_keys"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
