"""Plain inserts of many rows: the demo's big tables (attendance, study records) and the
warnings a district scan opens.

Django's bulk_create builds SQL per object, which costs most of a district seed's time at a
million rows. `insert_rows` takes values already adapted for the database (what a field's
`get_db_prep_value` returns) and inserts them the fastest way each database has:

* SQLite runs in-process: one prepared single-row INSERT executed for every row
  (`executemany`).
* PostgreSQL: one `INSERT … SELECT * FROM unnest(…)` of column arrays per batch, each array
  cast to the column's type. A VALUES list of tens of thousands of placeholders spends most
  of its time in the driver.
"""

from __future__ import annotations

from django.db import connection

UNNEST_BATCH = 100_000


def column_type(model, column: str) -> str:
    """The database type of `model`'s column (by its column name), for an array cast."""
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    if field.is_relation:
        return field.target_field.rel_db_type(connection)
    return field.db_type(connection)


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert `rows` (tuples in `columns` order, values already adapted) into `model`'s
    table; return how many. No signals, no audit trail, no ids returned: for tables whose
    rows need none of these (demo data, warnings)."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    # Table and column names come from the model; every value is a parameter.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{column_type(model, c)}[]" for c in columns)
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608
            for start in range(0, len(rows), UNNEST_BATCH):
                chunk = rows[start:start + UNNEST_BATCH]
                cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                               rows)
    return len(rows)
