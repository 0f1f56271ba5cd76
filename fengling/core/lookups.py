"""`path__subtree=prefix`: rows whose materialized path starts with `prefix`, using an index.

PostgreSQL: `LIKE 'prefix%'`, served by the varchar_pattern_ops index in any collation.
SQLite: its LIKE is case-insensitive and cannot use an ordinary index, so the same condition
is written as a range over the binary collation. Paths use only 0-9A-Z, all below '~'.
"""

from django.db.models import Lookup


class SubtreeLookup(Lookup):
    lookup_name = "subtree"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs} LIKE %s ESCAPE '\\'", [*lhs_params, prefix + "%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, self.rhs, *lhs_params,
                                                   self.rhs + "~"]


class KeyPrefixLookup(SubtreeLookup):
    """`name_initials__keyprefix="zs"`: the same index-friendly prefix condition, for search
    keys made of 0-9a-z only (pinyin keys, see `core.lib.pinyin`), all below '~' too."""

    lookup_name = "keyprefix"
