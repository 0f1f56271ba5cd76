"""The hook through which the member index (锋领指数) is evidence for the committee's
proposal in a democratic appraisal (RULES Part A: "a coefficient turns the total into the
annual report that informs the appraisal").

`index_evidence` returns, per member, what the proposal shows; the proposal stores it frozen.
"""

from __future__ import annotations


def index_evidence(member_ids: list[int], year: int) -> dict[int, dict]:
    """{member id: {"index_total": "12.50"}} for the year's approved credits so far."""
    from .index import totals

    return {m: {"index_total": str(t)} for m, t in totals(member_ids, year).items()}
