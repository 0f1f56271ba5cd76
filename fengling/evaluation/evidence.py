"""The hook through which the member index (锋领指数) is evidence for the committee's
proposal in a democratic appraisal (RULES Part A: "a coefficient turns the total into the
annual report that informs the appraisal").

`index_evidence` returns, per member, what the proposal should show. Until the index is
built it returns nothing; the proposal stores whatever it returns, frozen.
"""

from __future__ import annotations


def index_evidence(member_ids: list[int], year: int) -> dict[int, dict]:
    """{member id: {"total": ..., ...}} for the year; empty while no index exists."""
    return {}
