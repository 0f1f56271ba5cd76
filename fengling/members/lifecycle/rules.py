"""Member lifecycle rules (党籍, 组织关系转接, 流动党员, 失联党员) as data and pure functions.

Sources: RULES.md Part A "Transfers and mobile members", Part B §4.3 (组织关系转接) and §4.4
(流动党员 and 失联党员). Nothing here touches the database; the services call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.organizations.rules import add_months, add_years

from ..models import MemberStatus

# --- status history (党籍) --------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    """What happened to a member's standing (one row of the status history)."""

    # The status a member had when the history started (data migration, demo, new record).
    INITIAL = "initial", _("Recorded")
    # 党籍 decisions, entered by hand with a reason.
    RESTORED = "restored", _("Membership restored (恢复党籍)")
    RESERVED = "reserved", _("Membership reserved (保留党籍)")
    STOPPED = "stopped", _("Membership stopped (停止党籍)")
    WITHDREW = "withdrew", _("Left the Party (出党)")
    REMOVED = "removed", _("Removed from the Party (除名)")
    EXPELLED = "expelled", _("Expelled (开除党籍)")
    DECEASED = "deceased", _("Deceased")
    # Situations written only by the mobile, lost-contact and transfer services.
    MOBILE = "mobile", _("Became a mobile member")
    MOBILE_ENDED = "mobile_ended", _("Mobile period ended")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    FOUND = "found", _("Contact regained")
    TRANSFERRED = "transferred", _("Moved to another branch")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of the district")
    TRANSFERRED_IN = "transferred_in", _("Transferred in from outside the district")


# The status each kind leaves the member in; None: the status stays as it was
# (a move between two branches of the district does not change the standing).
RESULTING_STATUS: dict[str, str | None] = {
    ChangeKind.RESTORED: MemberStatus.NORMAL,
    ChangeKind.RESERVED: MemberStatus.RESERVED,
    ChangeKind.STOPPED: MemberStatus.STOPPED,
    ChangeKind.WITHDREW: MemberStatus.LEFT,
    ChangeKind.REMOVED: MemberStatus.LEFT,
    ChangeKind.EXPELLED: MemberStatus.LEFT,
    ChangeKind.DECEASED: MemberStatus.DECEASED,
    ChangeKind.MOBILE: MemberStatus.MOBILE,
    ChangeKind.MOBILE_ENDED: MemberStatus.NORMAL,
    ChangeKind.LOST_CONTACT: MemberStatus.LOST_CONTACT,
    ChangeKind.FOUND: MemberStatus.NORMAL,
    ChangeKind.TRANSFERRED: None,
    ChangeKind.TRANSFERRED_OUT: MemberStatus.TRANSFERRED_OUT,
    ChangeKind.TRANSFERRED_IN: MemberStatus.NORMAL,
}

# Kinds a user records by hand on the status form (each with a date and a reason). The
# situations (mobile, lost contact, transfers) come from their own records so that the record
# and the status cannot disagree.
MANUAL_KINDS = (
    ChangeKind.RESERVED, ChangeKind.STOPPED, ChangeKind.RESTORED, ChangeKind.WITHDREW,
    ChangeKind.REMOVED, ChangeKind.EXPELLED, ChangeKind.DECEASED,
)

_ENDINGS = (ChangeKind.WITHDREW, ChangeKind.REMOVED, ChangeKind.EXPELLED, ChangeKind.DECEASED)
S = MemberStatus

# Allowed transitions: from each current status, the kinds that may follow. Anything else is
# refused. 恢复党籍 only ends a 保留 or 停止 (教育管理条例; RULES Part B §4.4 "reinstatement
# of 党籍 is possible under set conditions"); nothing follows death or leaving the Party (a
# former member comes back only through a new admission, 发展党员工作细则). 停止党籍 applies to
# lost-contact members and members abroad (§4.4).
ALLOWED: dict[str, tuple[str, ...]] = {
    # TRANSFERRED_IN from normal: a record just created for a member arriving from outside.
    S.NORMAL: (ChangeKind.RESERVED, ChangeKind.STOPPED, *_ENDINGS, ChangeKind.MOBILE,
               ChangeKind.LOST_CONTACT, ChangeKind.TRANSFERRED, ChangeKind.TRANSFERRED_OUT,
               ChangeKind.TRANSFERRED_IN),
    S.MOBILE: (ChangeKind.MOBILE_ENDED, ChangeKind.RESERVED, ChangeKind.STOPPED, *_ENDINGS,
               ChangeKind.LOST_CONTACT, ChangeKind.TRANSFERRED, ChangeKind.TRANSFERRED_OUT),
    S.LOST_CONTACT: (ChangeKind.FOUND, ChangeKind.STOPPED, ChangeKind.REMOVED,
                     ChangeKind.EXPELLED, ChangeKind.DECEASED),
    S.RESERVED: (ChangeKind.RESTORED, ChangeKind.STOPPED, *_ENDINGS),
    S.STOPPED: (ChangeKind.RESTORED, ChangeKind.REMOVED, ChangeKind.EXPELLED,
                ChangeKind.DECEASED),
    S.TRANSFERRED_OUT: (ChangeKind.TRANSFERRED_IN, ChangeKind.DECEASED),
    S.LEFT: (),
    S.DECEASED: (),
}


def resulting_status(kind: str, current: str) -> str:
    status = RESULTING_STATUS[kind]
    return current if status is None else status


def allowed(current: str, kind: str) -> bool:
    return kind in ALLOWED.get(current, ())


@dataclass(frozen=True)
class HistoryRow:
    kind: str
    status: str
    effective_on: dt.date
    seq: int  # the order rows were written in, for rows of the same day


def derive_status(rows: list[HistoryRow], default: str = MemberStatus.NORMAL) -> str:
    """The current status: that of the latest row (by effective date, then write order)."""
    if not rows:
        return default
    return max(rows, key=lambda r: (r.effective_on, r.seq)).status


def change_errors(*, current: str, kind: str, effective_on: dt.date | None, reason: str,
                  join_date: dt.date, last_effective_on: dt.date | None, today: dt.date,
                  lost_since: dt.date | None = None) -> dict[str, str]:
    """Why a status change may not be recorded, by field ({} when it may).

    The date is not in the future, not before joining, not before the latest recorded change
    (the history reads in order); a reason is required; the transition must be allowed.
    Stopping a lost-contact member needs ≥6 months of lost contact (RULES Part A: "Lost
    contact ≥6 months → 停止党籍"; Part B §4.4).
    """
    errors: dict[str, str] = {}
    if not allowed(current, kind):
        errors["kind"] = str(_("This change is not possible from the status “%(status)s”.")
                             % {"status": MemberStatus(current).label})
    if not reason.strip():
        errors["reason"] = str(_("Give the reason for this change."))
    if effective_on is None:
        errors["effective_on"] = str(_("Enter the date the change takes effect."))
        return errors
    if effective_on > today:
        errors["effective_on"] = str(_("The date cannot be in the future."))
    elif effective_on < join_date:
        errors["effective_on"] = str(_("The date cannot be before the member joined."))
    elif last_effective_on is not None and effective_on < last_effective_on:
        errors["effective_on"] = str(
            _("The date cannot be before the latest recorded change (%(date)s).")
            % {"date": last_effective_on.isoformat()})
    elif (kind == ChangeKind.STOPPED and current == MemberStatus.LOST_CONTACT
          and lost_since is not None and effective_on < add_months(lost_since, LOST_STOP_MONTHS)):
        errors["effective_on"] = str(
            _("A lost-contact member's membership is stopped after 6 months without contact "
              "(from %(date)s).") % {"date": add_months(lost_since, LOST_STOP_MONTHS).isoformat()})
    return errors


# --- transfers (组织关系转接) -----------------------------------------------------------------

# RULES Part B §4.3 (中组发〔2004〕10号): a 介绍信 is valid 30 days, 3 months at most.
DEFAULT_VALIDITY_DAYS = 30
MAX_VALIDITY_MONTHS = 3


class TransferState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    # Never stored: an issued letter past its validity (see `effective_state`).
    EXPIRED = "expired", _("Expired")


class TransferDirection(models.TextChoices):
    INTERNAL = "internal", _("Within the district")
    OUTGOING = "outgoing", _("To outside the district")
    INCOMING = "incoming", _("From outside the district")


class TransferAction(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    REJECT = "reject", _("Reject")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")


SENDER, RECEIVER = "sender", "receiver"

# The state machine, as data: (effective state, action) → (new stored state, who may act).
# The old branch keeps the member until the new one receives (RULES Part A; §4.3). A letter
# past its validity can no longer be received: it is suspended and a new one issued.
# Out of the district the receiving side is not in Fengling, so the sender records the
# receipt (回执) or the refusal (see `actor_side`).
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (TransferState.ISSUED, TransferAction.RECEIVE): (TransferState.RECEIVED, RECEIVER),
    (TransferState.ISSUED, TransferAction.REJECT): (TransferState.REJECTED, RECEIVER),
    (TransferState.ISSUED, TransferAction.SUSPEND): (TransferState.SUSPENDED, SENDER),
    (TransferState.EXPIRED, TransferAction.SUSPEND): (TransferState.SUSPENDED, SENDER),
    (TransferState.EXPIRED, TransferAction.REJECT): (TransferState.REJECTED, RECEIVER),
    (TransferState.SUSPENDED, TransferAction.RESUME): (TransferState.ISSUED, SENDER),
}

# Actions that need a reason.
NEEDS_REASON = (TransferAction.REJECT, TransferAction.SUSPEND)
OPEN_STATES = (TransferState.ISSUED, TransferState.SUSPENDED)


def default_valid_until(issued_on: dt.date) -> dt.date:
    return issued_on + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)


def max_valid_until(issued_on: dt.date) -> dt.date:
    return add_months(issued_on, MAX_VALIDITY_MONTHS)


def effective_state(state: str, valid_until: dt.date, today: dt.date) -> str:
    """An issued letter is expired the day after its last valid day."""
    if state == TransferState.ISSUED and today > valid_until:
        return TransferState.EXPIRED
    return state


def actor_side(direction: str, side: str) -> str:
    """Which organization acts for `side`: out of the district the sender acts for both."""
    if side == RECEIVER and direction == TransferDirection.OUTGOING:
        return SENDER
    return side


def transition(state: str, valid_until: dt.date, action: str, today: dt.date,
               ) -> tuple[str, str] | None:
    """(new state, acting side) for `action` on a letter, or None if it is refused."""
    return TRANSITIONS.get((effective_state(state, valid_until, today), action))


def issue_errors(*, issued_on: dt.date | None, valid_until: dt.date | None,
                 today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if issued_on is None:
        errors["issued_on"] = str(_("Enter the date the letter was issued."))
        return errors
    if issued_on > today:
        errors["issued_on"] = str(_("The date cannot be in the future."))
    if valid_until is not None:
        if valid_until < issued_on:
            errors["valid_until"] = str(_("The letter cannot expire before it is issued."))
        elif valid_until > max_valid_until(issued_on):
            # RULES Part B §4.3: at most 3 months.
            errors["valid_until"] = str(
                _("A transfer letter is valid at most 3 months (until %(date)s).")
                % {"date": max_valid_until(issued_on).isoformat()})
    return errors


# --- 流动党员 and 失联党员 ------------------------------------------------------------------------

# RULES Part A / §4.4: mobile members report to the sending branch at least once a year.
MOBILE_REPORT_EVERY_YEARS = 1
# RULES Part A / §4.4: lost contact ≥6 months → 停止党籍; 2 more years → 除名.
LOST_STOP_MONTHS = 6
STOPPED_REMOVAL_YEARS = 2


def mobile_report_due(since: dt.date, last_report_on: dt.date | None) -> dt.date:
    """The day by which the next annual report (年度报告) is due."""
    return add_years(last_report_on or since, MOBILE_REPORT_EVERY_YEARS)


def lost_stop_due(since: dt.date) -> dt.date:
    """From this day a lost-contact member's membership is to be stopped (停止党籍)."""
    return add_months(since, LOST_STOP_MONTHS)


def stopped_removal_due(stopped_on: dt.date) -> dt.date:
    """From this day a still unreachable stopped member is to be removed (除名)."""
    return add_years(stopped_on, STOPPED_REMOVAL_YEARS)
