"""The demo organization tree as plain rows, with treebeard's materialized paths computed here.

Rows are built in memory, then numbered depth-first: a child's path is its parent's path plus
its position in base 36 on `STEPLEN` characters ("0001", "0002" …), exactly what treebeard's
`MP_Node` (steplen 4, alphabet 0-9A-Z) would store, so the loader can bulk-insert them.

Branches are first planned as *pools* (a parent, a count, a way to name the n-th branch) so
the generator can fit the number of grassroots organizations to the exact figure before any
branch exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fengling.organizations.kinds import GRASSROOTS_KINDS

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# 支部工作条例: a branch has 3 to 50 members; a general branch holding members 50 to 99.
BRANCH_SIZE = (3, 50)
GENERAL_BRANCH_SIZE = (50, 99)


def path_step(position: int) -> str:
    """Position 1 → "0001"; base 36 on STEPLEN characters."""
    digits = ""
    while position:
        position, rest = divmod(position, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    if len(digits) > STEPLEN:
        raise ValueError("too many children")
    return digits.rjust(STEPLEN, "0")


@dataclass(eq=False)
class OrgRow:
    name: str
    kind: str
    domain: str
    parent: OrgRow | None = field(default=None, repr=False)
    short_name: str = ""
    functional_type: str = ""
    supervising_department: str = ""
    registration: str = ""
    address: str = ""
    phone: str = ""
    units_covered: int = 1
    established_on: dt.date | None = None
    code: str = ""
    path: str = ""
    depth: int = 0
    numchild: int = 0
    children: list = field(default_factory=list, repr=False)  # OrgRow or Pool, in order
    # Members held directly: their profile, work unit, place and target size.
    profile: str = ""
    unit: str = ""
    place: str = ""
    size_range: tuple[int, int, int] | None = None  # triangular (low, mode, high)
    size_bounds: tuple[int, int] = (0, 0)
    size: int = 0
    # The members below this row (its subtree) are members[first_member:end_member].
    first_member: int = 0
    end_member: int = 0
    pk: int | None = None

    @property
    def holds_members(self) -> bool:
        return self.size_range is not None

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS


@dataclass(eq=False)
class Pool:
    """`count` branches under `parent`, named and profiled by `make(n)` (n from 1).

    A flexible pool may grow or shrink between `low` and `high` to fit the district's total.
    """

    parent: OrgRow
    count: int
    make: Callable[[int], OrgRow]
    low: int = 0
    high: int = 0
    rows: list[OrgRow] = field(default_factory=list)

    @property
    def flexible(self) -> bool:
        return self.low < self.high


class TreeBuilder:
    def __init__(self, rng: random.Random, as_of: dt.date):
        self.rng = rng
        self.as_of = as_of
        self.roots: list[OrgRow] = []
        self.pools: list[Pool] = []
        self.rows: list[OrgRow] = []  # every row created, in creation order

    def add(self, parent: OrgRow | None, name: str, kind: str, domain: str = "",
            **fields) -> OrgRow:
        row = OrgRow(name=name, kind=kind, domain=domain or parent.domain, parent=parent,
                     **fields)
        self._place(row)
        return row

    def attach(self, parent: OrgRow, row: OrgRow) -> OrgRow:
        row.parent = parent
        row.domain = row.domain or parent.domain
        self._place(row)
        return row

    def _place(self, row: OrgRow) -> None:
        if row.established_on is None:
            row.established_on = self.established_date()
        (self.roots if row.parent is None else row.parent.children).append(row)
        self.rows.append(row)

    def pool(self, parent: OrgRow, count: int, make: Callable[[int], OrgRow], *,
             low: int | None = None, high: int | None = None) -> Pool:
        pool = Pool(parent, count, make, count if low is None else low,
                    count if high is None else high)
        parent.children.append(pool)
        self.pools.append(pool)
        return pool

    def established_date(self) -> dt.date:
        start = dt.date(1985, 1, 1)
        span = (self.as_of - dt.timedelta(days=400) - start).days
        return start + dt.timedelta(days=self.rng.randint(0, span))

    # -- fitting -----------------------------------------------------------------------------

    def grassroots_count(self) -> int:
        planned = sum(1 for row in self.rows if row.is_grassroots)
        return planned + sum(pool.count for pool in self.pools)

    def fit_grassroots(self, target: int) -> None:
        """Grow or shrink the flexible pools, one branch at a time in a shuffled round, until
        the tree holds exactly `target` grassroots organizations."""
        gap = target - self.grassroots_count()
        flexible = [pool for pool in self.pools if pool.flexible]
        while gap:
            self.rng.shuffle(flexible)
            moved = False
            for pool in flexible:
                if gap > 0 and pool.count < pool.high:
                    pool.count += 1
                    gap -= 1
                    moved = True
                elif gap < 0 and pool.count > pool.low:
                    pool.count -= 1
                    gap += 1
                    moved = True
                if not gap:
                    break
            if not moved:
                raise ValueError(f"cannot fit {target} grassroots organizations")

    def materialize(self) -> None:
        """Turn every pool into its branches, in place among its parent's children."""
        for pool in self.pools:
            for n in range(1, pool.count + 1):
                row = pool.make(n)
                row.parent = pool.parent
                row.domain = row.domain or pool.parent.domain
                if row.established_on is None:
                    row.established_on = self.established_date()
                pool.rows.append(row)
                self.rows.append(row)
            pool.parent.children = [
                child for item in pool.parent.children
                for child in (pool.rows if item is pool else [item])
            ]
        self.pools = []

    def fit_sizes(self, units: list[OrgRow], target: int) -> None:
        """Draw each unit's size, then add or take one member at a time (shuffled rounds,
        within the unit's bounds) until the sizes sum to exactly `target`."""
        for unit in units:
            low, mode, high = unit.size_range
            unit.size = round(self.rng.triangular(low, high, mode))
            unit.size = min(max(unit.size, unit.size_bounds[0]), unit.size_bounds[1])
        gap = target - sum(unit.size for unit in units)
        order = list(units)
        while gap:
            self.rng.shuffle(order)
            moved = False
            for unit in order:
                if gap > 0 and unit.size < unit.size_bounds[1]:
                    unit.size += 1
                    gap -= 1
                    moved = True
                elif gap < 0 and unit.size > unit.size_bounds[0]:
                    unit.size -= 1
                    gap += 1
                    moved = True
                if not gap:
                    break
            if not moved:
                raise ValueError(f"cannot fit {target} members")

    # -- paths ---------------------------------------------------------------------------------

    def depth_first(self) -> list[OrgRow]:
        ordered: list[OrgRow] = []

        def visit(row: OrgRow) -> None:
            ordered.append(row)
            for child in row.children:
                visit(child)

        for root in self.roots:
            visit(root)
        return ordered

    def number(self, code_prefix: str = "HS") -> list[OrgRow]:
        """Assign path, depth, numchild and code; return the rows depth-first."""
        for position, root in enumerate(self.roots, start=1):
            root.path, root.depth = path_step(position), 1
        ordered = self.depth_first()
        for n, row in enumerate(ordered, start=1):
            row.numchild = len(row.children)
            row.code = f"{code_prefix}{n:06d}"
            for position, child in enumerate(row.children, start=1):
                child.path = row.path + path_step(position)
                child.depth = row.depth + 1
        return ordered
