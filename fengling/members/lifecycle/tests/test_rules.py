"""The lifecycle rules as pure functions, table-driven (RULES Part A; Part B §4.3, §4.4)."""

import datetime as dt

import pytest

from fengling.members.lifecycle import rules
from fengling.members.lifecycle.rules import (
    RECEIVER,
    SENDER,
    ChangeKind,
    TransferAction,
    TransferDirection,
    TransferState,
)
from fengling.members.models import MemberStatus

D = dt.date
ISSUED = D(2026, 3, 1)
VALID = D(2026, 3, 31)  # 30 days

# --- the transfer state machine: every (state, action) pair -----------------------------------

# (stored state, today, action) → (new state, acting side) or None (refused).
TRANSFER_TABLE = [
    # Within validity.
    (TransferState.ISSUED, D(2026, 3, 31), TransferAction.RECEIVE,
     (TransferState.RECEIVED, RECEIVER)),
    (TransferState.ISSUED, D(2026, 3, 10), TransferAction.REJECT,
     (TransferState.REJECTED, RECEIVER)),
    (TransferState.ISSUED, D(2026, 3, 10), TransferAction.SUSPEND,
     (TransferState.SUSPENDED, SENDER)),
    (TransferState.ISSUED, D(2026, 3, 10), TransferAction.RESUME, None),
    # The day after the last valid day the letter is expired: no receipt any more.
    (TransferState.ISSUED, D(2026, 4, 1), TransferAction.RECEIVE, None),
    (TransferState.ISSUED, D(2026, 4, 1), TransferAction.REJECT,
     (TransferState.REJECTED, RECEIVER)),
    (TransferState.ISSUED, D(2026, 4, 1), TransferAction.SUSPEND,
     (TransferState.SUSPENDED, SENDER)),
    (TransferState.ISSUED, D(2026, 4, 1), TransferAction.RESUME, None),
    # Suspended: only resumed (by the sender).
    (TransferState.SUSPENDED, D(2026, 3, 10), TransferAction.RESUME,
     (TransferState.ISSUED, SENDER)),
    (TransferState.SUSPENDED, D(2026, 3, 10), TransferAction.RECEIVE, None),
    (TransferState.SUSPENDED, D(2026, 3, 10), TransferAction.REJECT, None),
    (TransferState.SUSPENDED, D(2026, 3, 10), TransferAction.SUSPEND, None),
    # Received and rejected letters are final.
    *[(state, D(2026, 3, 10), action, None)
      for state in (TransferState.RECEIVED, TransferState.REJECTED)
      for action in TransferAction],
]


@pytest.mark.parametrize(("state", "today", "action", "expected"), TRANSFER_TABLE)
def test_transfer_state_machine(state, today, action, expected):
    assert rules.transition(state, VALID, action, today) == expected


def test_the_table_covers_every_state_and_action():
    pairs = {(s, a) for s, _t, a, _e in TRANSFER_TABLE}
    stored = [TransferState.ISSUED, TransferState.SUSPENDED, TransferState.RECEIVED,
              TransferState.REJECTED]
    assert pairs == {(s, a) for s in stored for a in TransferAction}


@pytest.mark.parametrize(("today", "state"), [
    (D(2026, 3, 31), TransferState.ISSUED),
    (D(2026, 4, 1), TransferState.EXPIRED),
])
def test_an_issued_letter_expires_after_its_last_valid_day(today, state):
    assert rules.effective_state(TransferState.ISSUED, VALID, today) == state


def test_received_letters_never_expire():
    assert rules.effective_state(TransferState.RECEIVED, VALID, D(2030, 1, 1)) == "received"


@pytest.mark.parametrize(("direction", "side", "acting"), [
    (TransferDirection.INTERNAL, SENDER, SENDER),
    (TransferDirection.INTERNAL, RECEIVER, RECEIVER),
    # Out of the district the sender records the receipt (回执) and refusals.
    (TransferDirection.OUTGOING, RECEIVER, SENDER),
    (TransferDirection.OUTGOING, SENDER, SENDER),
])
def test_who_acts(direction, side, acting):
    assert rules.actor_side(direction, side) == acting


# RULES Part B §4.3: valid 30 days by default, 3 months at most.
@pytest.mark.parametrize(("issued", "valid_until", "error_field"), [
    (D(2026, 3, 1), None, None),
    (D(2026, 3, 1), D(2026, 6, 1), None),  # exactly 3 months
    (D(2026, 3, 1), D(2026, 6, 2), "valid_until"),  # a day more
    (D(2026, 3, 1), D(2026, 2, 28), "valid_until"),  # before issue
    (D(2026, 11, 30), D(2027, 2, 28), None),  # 3 months from 30 Nov ends on 28 Feb
    (D(2026, 11, 30), D(2027, 3, 1), "valid_until"),
    (D(2026, 12, 2), None, "issued_on"),  # in the future
])
def test_issue_validity(issued, valid_until, error_field):
    errors = rules.issue_errors(issued_on=issued, valid_until=valid_until,
                                today=D(2026, 12, 1))
    assert (next(iter(errors)) if errors else None) == error_field


def test_default_validity_is_30_days():
    assert rules.default_valid_until(D(2026, 3, 1)) == D(2026, 3, 31)


# --- status history ---------------------------------------------------------------------------

S = MemberStatus
K = ChangeKind
STATUS_TABLE = [
    (S.NORMAL, K.RESERVED, S.RESERVED),
    (S.NORMAL, K.STOPPED, S.STOPPED),
    (S.NORMAL, K.WITHDREW, S.LEFT),
    (S.NORMAL, K.REMOVED, S.LEFT),
    (S.NORMAL, K.EXPELLED, S.LEFT),
    (S.NORMAL, K.DECEASED, S.DECEASED),
    (S.NORMAL, K.RESTORED, None),  # nothing to restore
    (S.RESERVED, K.RESTORED, S.NORMAL),
    (S.STOPPED, K.RESTORED, S.NORMAL),
    (S.STOPPED, K.RESERVED, None),
    (S.LOST_CONTACT, K.STOPPED, S.STOPPED),
    (S.LOST_CONTACT, K.FOUND, S.NORMAL),
    (S.LOST_CONTACT, K.MOBILE, None),
    (S.MOBILE, K.MOBILE_ENDED, S.NORMAL),
    (S.MOBILE, K.TRANSFERRED, S.MOBILE),  # a move keeps the standing
    (S.TRANSFERRED_OUT, K.TRANSFERRED_IN, S.NORMAL),
    (S.TRANSFERRED_OUT, K.RESTORED, None),
    *[(S.DECEASED, k, None) for k in K if k != K.INITIAL],
    *[(S.LEFT, k, None) for k in K if k != K.INITIAL],
]


@pytest.mark.parametrize(("current", "kind", "after"), STATUS_TABLE)
def test_status_transitions(current, kind, after):
    assert rules.allowed(current, kind) is (after is not None)
    if after is not None:
        assert rules.resulting_status(kind, current) == after


def test_the_status_is_that_of_the_latest_row():
    rows = [rules.HistoryRow(K.INITIAL, S.NORMAL, D(2000, 1, 1), 1),
            rules.HistoryRow(K.RESERVED, S.RESERVED, D(2020, 1, 1), 2),
            rules.HistoryRow(K.RESTORED, S.NORMAL, D(2020, 1, 1), 3)]
    assert rules.derive_status(rows) == S.NORMAL
    assert rules.derive_status(rows[:2]) == S.RESERVED
    assert rules.derive_status([], default=S.MOBILE) == S.MOBILE


def _errors(**kw):
    base = {"current": S.NORMAL, "kind": K.RESERVED, "effective_on": D(2026, 5, 1),
            "reason": "病休出国", "join_date": D(2005, 7, 1),
            "last_effective_on": D(2005, 7, 1), "today": D(2026, 6, 1)}
    base.update(kw)
    return set(rules.change_errors(**base))


@pytest.mark.parametrize(("changes", "fields"), [
    ({}, set()),
    ({"effective_on": D(2026, 6, 2)}, {"effective_on"}),  # future
    ({"effective_on": D(2005, 6, 30)}, {"effective_on"}),  # before joining
    ({"last_effective_on": D(2026, 5, 2)}, {"effective_on"}),  # before the latest change
    ({"reason": "  "}, {"reason"}),
    ({"kind": K.RESTORED}, {"kind"}),
    ({"effective_on": None}, {"effective_on"}),
    # RULES §4.4: lost contact ≥6 months → 停止党籍.
    ({"current": S.LOST_CONTACT, "kind": K.STOPPED, "lost_since": D(2025, 11, 2)},
     {"effective_on"}),
    ({"current": S.LOST_CONTACT, "kind": K.STOPPED, "lost_since": D(2025, 11, 1)}, set()),
])
def test_change_errors(changes, fields):
    assert _errors(**changes) == fields


@pytest.mark.parametrize(("since", "last", "due"), [
    (D(2025, 3, 1), None, D(2026, 3, 1)),
    (D(2025, 3, 1), D(2026, 2, 1), D(2027, 2, 1)),
])
def test_mobile_report_due_a_year_after_leaving_or_the_last_report(since, last, due):
    assert rules.mobile_report_due(since, last) == due


def test_lost_contact_and_stopped_deadlines():
    assert rules.lost_stop_due(D(2025, 8, 31)) == D(2026, 2, 28)
    assert rules.stopped_removal_due(D(2024, 2, 29)) == D(2026, 2, 28)
