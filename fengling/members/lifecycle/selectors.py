"""Scoped reads of the member lifecycle records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from fengling.core.scoping import guard, scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.models import Organization

from ..models import Member, MemberStatus
from . import rules
from .models import LostContactRecord, MobileRecord, StatusChange, Transfer


def access_transfer(user, pk, write: bool = False) -> Transfer:
    """A transfer seen from either end (404 outside both; 403 if neither may be changed)."""
    return guard(Transfer.objects.select_related("member", "from_organization",
                                                 "to_organization"), user, pk, write=write)


def access_mobile_record(user, pk, write: bool = False) -> MobileRecord:
    return guard(MobileRecord.objects.select_related("member__organization"), user, pk,
                 write=write)


def access_lost_record(user, pk, write: bool = False) -> LostContactRecord:
    return guard(LostContactRecord.objects.select_related("member__organization"), user, pk,
                 write=write)


def status_history(user, member: Member):
    """The member's history, oldest first (call after `access_member`)."""
    return (StatusChange.objects.visible_to(user).filter(member=member)
            .select_related("recorded_by").order_by("effective_on", "id"))


@dataclass(frozen=True)
class TransferView:
    transfer: Transfer
    state: str  # the effective state (expired when overdue)
    can_send: bool  # the viewer acts for the sending side
    can_receive: bool  # the viewer acts for the receiving side

    @property
    def overdue(self) -> bool:
        return self.state == rules.TransferState.EXPIRED

    @property
    def state_label(self) -> str:
        return rules.TransferState(self.state).label

    def actions(self, today: dt.date) -> list[str]:
        """The actions the viewer may take now, in the state machine's order."""
        out = []
        for action in rules.TransferAction:
            step = rules.transition(self.transfer.state, self.transfer.valid_until, action,
                                    today)
            if step is None:
                continue
            side = rules.actor_side(self.transfer.direction, step[1])
            if (self.can_send if side == rules.SENDER else self.can_receive):
                out.append(action)
        return out


def transfer_view(user, transfer: Transfer, today: dt.date | None = None) -> TransferView:
    today = today or timezone.localdate()
    scope = scope_of(user)

    def writes(org):
        return org is not None and scope.covers_path(org.path, write=True)

    return TransferView(
        transfer=transfer,
        state=rules.effective_state(transfer.state, transfer.valid_until, today),
        can_send=writes(transfer.from_organization),
        can_receive=writes(transfer.to_organization),
    )


@dataclass(frozen=True)
class MemberLifecycle:
    """The lifecycle sections of the member page, in a fixed number of queries."""

    history: list[StatusChange]
    transfers: list[TransferView]
    mobile_records: list[MobileRecord]
    lost_records: list[LostContactRecord]
    can_write: bool
    today: dt.date

    @property
    def open_transfer(self):
        return next((t for t in self.transfers if t.transfer.state in rules.OPEN_STATES), None)

    @property
    def open_mobile(self):
        return next((r for r in self.mobile_records if r.ended_on is None), None)

    @property
    def open_lost(self):
        return next((r for r in self.lost_records if r.found_on is None), None)

    @property
    def manual_kinds(self) -> list[str]:
        status = self.history[-1].status if self.history else MemberStatus.NORMAL
        return [k for k in rules.MANUAL_KINDS if rules.allowed(status, k)]


def member_lifecycle(user, member: Member, can_write: bool,
                     today: dt.date | None = None) -> MemberLifecycle:
    today = today or timezone.localdate()
    transfers = list(
        Transfer.objects.filter(member=member)
        .select_related("from_organization", "to_organization").order_by("-issued_on", "-id")
    )
    mobile = list(member.mobile_records.prefetch_related("reports").order_by("-since", "-id"))
    lost = list(member.lost_contact_records.prefetch_related("efforts")
                .order_by("-since", "-id"))
    for record in mobile:
        last = max((r.reported_on for r in record.reports.all()), default=None)
        record.report_due = rules.mobile_report_due(record.since, last)
    for record in lost:
        record.stop_due = rules.lost_stop_due(record.since)
    return MemberLifecycle(
        history=list(status_history(user, member)),
        transfers=[transfer_view(user, t, today) for t in transfers],
        mobile_records=mobile, lost_records=lost, can_write=can_write, today=today,
    )


# --- per-organization lists -------------------------------------------------------------------

DIRECTION_IN, DIRECTION_OUT = "in", "out"
STATE_OVERDUE = "overdue"


def transfer_list(user, *, organization: Organization | None = None, direction: str = "",
                  state: str = "", today: dt.date | None = None):
    """Transfers visible to `user`; with `organization`, those into (`in`), out of (`out`)
    or either side of its subtree. `state` "overdue" keeps issued letters past validity."""
    today = today or timezone.localdate()
    qs = Transfer.objects.visible_to(user).select_related(
        "member", "from_organization", "to_organization")
    if organization is not None:
        into = Q(to_organization__path__subtree=organization.path)
        out = Q(from_organization__path__subtree=organization.path)
        qs = qs.filter(into if direction == DIRECTION_IN else out
                       if direction == DIRECTION_OUT else into | out)
    if state == STATE_OVERDUE:
        qs = qs.overdue(today)
    elif state == rules.TransferState.ISSUED:
        qs = qs.filter(state=state, valid_until__gte=today)
    elif state in rules.TransferState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-issued_on", "-id")


def mobile_list(user, *, organization: Organization | None = None, open_only: bool = True):
    """Mobile members of the home branches in scope, with the date of their last report."""
    qs = MobileRecord.objects.visible_to(user).select_related("member__organization")
    if organization is not None:
        qs = qs.filter(member__organization__path__subtree=organization.path)
    if open_only:
        qs = qs.open()
    return qs.annotate(last_report_on=Max("reports__reported_on")).order_by("since", "id")


def lost_list(user, *, organization: Organization | None = None, open_only: bool = True):
    """Lost-contact members in scope, with the number and date of search efforts."""
    qs = LostContactRecord.objects.visible_to(user).select_related("member__organization")
    if organization is not None:
        qs = qs.filter(member__organization__path__subtree=organization.path)
    if open_only:
        qs = qs.open()
    stopped_on = (StatusChange.objects.filter(member=OuterRef("member"),
                                              kind=rules.ChangeKind.STOPPED)
                  .order_by("-effective_on", "-id").values("effective_on")[:1])
    return qs.annotate(effort_count=Count("efforts"), last_effort_on=Max("efforts__made_on"),
                       stopped_on=Subquery(stopped_on)).order_by("since", "id")


def receiving_choices():
    """Organizations of the district that can receive a member (names are not personal
    data; the receiving side may lie outside the sender's scope)."""
    return (Organization.objects.filter(kind__in=MEMBER_HOME_KINDS)
            .only("id", "name", "path").order_by("path"))


# --- one member's record (锋领e家) ------------------------------------------------------------


def member_status_changes_in(member_id: int, year: int):
    """The member's status changes effective in `year`, newest first."""
    return StatusChange.objects.filter(member_id=member_id, effective_on__year=year).order_by(
        "-effective_on", "-id")


def member_transfers_in(member_id: int, year: int):
    """The member's transfer letters issued in `year`, newest first, with both ends."""
    return (Transfer.objects.filter(member_id=member_id, issued_on__year=year)
            .select_related("from_organization", "to_organization")
            .order_by("-issued_on", "-id"))
