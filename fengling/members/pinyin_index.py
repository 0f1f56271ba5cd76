"""SQLite only: a trigram index of the members' full-pinyin search keys (拼音检索).

Pinyin typed inside a name (`jian` → 陈建国, from 3 letters) is `name_pinyin LIKE '%jian%'`,
which no B-tree index answers: SQLite would read all of the district's 45,618 keys on every
keystroke (5–8 ms). An FTS5 table with the trigram tokenizer answers it from an index: the
phrase "jian" matches the keys holding its trigrams at consecutive positions, which are
exactly the keys that contain "jian" (3 letters or more; shorter text never comes here).
The table is contentless (content=''): it holds the trigrams and the member ids, no copy
of the keys. PostgreSQL gets the same from pg_trgm (members/0009).

Triggers on members_member keep it in step with every write, raw SQL and bulk inserts
included. Django rebuilds a SQLite table for many schema changes (copy, drop, rename),
which drops the table's triggers: `ensure` runs after every `migrate` (see `apps.py`) and,
when anything is missing, recreates it and refills the index from the table.
"""

from __future__ import annotations

from django.db import connections, transaction
from django.db.models.expressions import RawSQL

TABLE = "members_member_pinyin_fts"
# The SQL names the table literally (no string building): these are constants.
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS members_member_pinyin_fts USING fts5"
    "(key, content='', tokenize='trigram', detail='full', columnsize=0)"
)
TRIGGERS = {
    "members_member_pinyin_fts_insert": (
        "CREATE TRIGGER IF NOT EXISTS members_member_pinyin_fts_insert "
        "AFTER INSERT ON members_member BEGIN "
        "INSERT INTO members_member_pinyin_fts (rowid, key) VALUES (new.id, new.name_pinyin); "
        "END"
    ),
    # A contentless FTS5 table forgets a row by being told the values it was given.
    "members_member_pinyin_fts_delete": (
        "CREATE TRIGGER IF NOT EXISTS members_member_pinyin_fts_delete "
        "AFTER DELETE ON members_member BEGIN "
        "INSERT INTO members_member_pinyin_fts (members_member_pinyin_fts, rowid, key) "
        "VALUES ('delete', old.id, old.name_pinyin); "
        "END"
    ),
    "members_member_pinyin_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS members_member_pinyin_fts_update "
        "AFTER UPDATE OF id, name_pinyin ON members_member "
        "WHEN old.id IS NOT new.id OR old.name_pinyin IS NOT new.name_pinyin BEGIN "
        "INSERT INTO members_member_pinyin_fts (members_member_pinyin_fts, rowid, key) "
        "VALUES ('delete', old.id, old.name_pinyin); "
        "INSERT INTO members_member_pinyin_fts (rowid, key) VALUES (new.id, new.name_pinyin); "
        "END"
    ),
}
REFILL = (
    "INSERT INTO members_member_pinyin_fts (members_member_pinyin_fts) VALUES ('delete-all')",
    "INSERT INTO members_member_pinyin_fts (rowid, key) SELECT id, name_pinyin "
    "FROM members_member",
)
DROP_TRIGGERS = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS)
MATCHING = "SELECT rowid FROM members_member_pinyin_fts WHERE members_member_pinyin_fts MATCH %s"


def phrase(key: str) -> str:
    """`key` as one FTS5 phrase (a string in double quotes, inner quotes doubled)."""
    return '"' + key.replace('"', '""') + '"'


def members_containing(queryset, key: str):
    """`queryset` narrowed to the members whose full pinyin contains `key` (3 letters or
    more): from the trigram index on SQLite, a LIKE (pg_trgm's index) elsewhere."""
    if connections[queryset.db].vendor != "sqlite":
        return queryset.filter(name_pinyin__contains=key)
    return queryset.filter(
        pk__in=RawSQL(MATCHING, (phrase(key),))  # noqa: S611 (a constant; the key is a parameter)
    )


def ensure(alias: str = "default", *, repair: bool = False) -> bool:
    """Create whatever of the index and its triggers is missing; if anything was, refill
    the index from members_member. True if it did anything. Nothing to do off SQLite, or
    before the members table exists; with `repair` (after a migrate), nothing unless the
    index itself exists (members/0012 made it and has not been unapplied)."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    wanted = {TABLE, *TRIGGERS}
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        present = {row[0] for row in cursor.fetchall()}
        if "members_member" not in present or wanted <= present:
            return False
        if repair and TABLE not in present:
            return False
        for sql in (CREATE_TABLE, *TRIGGERS.values(), *REFILL):
            cursor.execute(sql)
    return True


def repair_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: put back the triggers a table rebuild dropped (see the module doc)."""
    ensure(using, repair=True)


def drop(alias: str = "default") -> None:
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in DROP_TRIGGERS:
            cursor.execute(sql)
        cursor.execute("DROP TABLE IF EXISTS members_member_pinyin_fts")
