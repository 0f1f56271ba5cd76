"""Writes of the member lifecycle: one transaction each, validated, audited.

The member's `status` is written here only, from the status history (`rules.derive_status`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.models import Organization

from ..models import Member, MemberStatus
from . import rules
from .models import (
    LostContactRecord,
    MobileRecord,
    MobileReport,
    SearchEffort,
    StatusChange,
    Transfer,
)
from .rules import ChangeKind, TransferAction, TransferDirection, TransferState


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _require_write(actor, organization: Organization) -> None:
    if not scope_of(actor).covers_path(organization.path, write=True):
        raise PermissionDenied


def _last_change(member: Member) -> StatusChange | None:
    return member.status_changes.order_by("-effective_on", "-id").first()


def _record(actor, member: Member, kind: str, effective_on: dt.date, *, reason: str = "",
            document: str = "", transfer: Transfer | None = None) -> StatusChange:
    """Append a history row and derive the member's status from the history."""
    row = StatusChange.objects.create(
        member=member, kind=kind, status=rules.resulting_status(kind, member.status),
        effective_on=effective_on, reason=reason, document=document, transfer=transfer,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    history = [rules.HistoryRow(k, s, d, i) for k, s, d, i in
               member.status_changes.values_list("kind", "status", "effective_on", "id")]
    member.status = rules.derive_status(history, default=member.status)
    member.save(update_fields=["status", "updated_at"])
    return row


def _move_home(member: Member, organization: Organization) -> None:
    """A new home branch; the Party group (党小组) of the old one is left behind."""
    member.organization = organization
    member.party_group = None
    member.save(update_fields=["organization", "party_group", "updated_at"])


def record_initial(actor, member: Member) -> StatusChange:
    """The first history row of a new member record (called by `member_create`)."""
    return StatusChange.objects.create(
        member=member, kind=ChangeKind.INITIAL, status=member.status,
        effective_on=member.join_date,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )


def home_change_errors(member: Member) -> dict[str, list[str]]:
    """Editing the record may correct a wrongly entered home branch, but not while a
    transfer letter is under way: then the branch changes when the letter is received."""
    if member.pk and member.transfers.filter(state__in=rules.OPEN_STATES).exists():
        return {"organization": [_(
            "This member has a transfer letter under way: the home branch changes when it "
            "is received.")]}
    return {}


def record_home_correction(actor, member: Member) -> StatusChange:
    """The history row of a home branch corrected by editing the record (not a transfer)."""
    return _record(actor, member, ChangeKind.TRANSFERRED, timezone.localdate(),
                   reason=_("Home branch corrected in the member record."))


def _situation_errors(member: Member, kind: str, effective_on: dt.date | None,
                      today: dt.date, field: str) -> dict[str, str]:
    """The checks of a status change written by a record's service (no reason needed)."""
    last = _last_change(member)
    errors = rules.change_errors(
        current=member.status, kind=kind, effective_on=effective_on, reason="-",
        join_date=member.join_date, last_effective_on=last.effective_on if last else None,
        today=today)
    if "effective_on" in errors:
        errors[field] = errors.pop("effective_on")
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


# --- status history (党籍) --------------------------------------------------------------------


@transaction.atomic
def status_change_add(actor, member: Member, *, kind: str, effective_on: dt.date | None,
                      reason: str, document: str = "", today: dt.date | None = None,
                      ) -> StatusChange:
    """Record a 党籍 decision (保留, 停止, 恢复, 出党, 除名, 开除, deceased)."""
    _require_write(actor, member.organization)
    today = _today(today)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if kind not in rules.MANUAL_KINDS:
        _raise({"kind": _("Mobile, lost-contact and transfer changes come from their own "
                          "records.")})
    last = _last_change(member)
    lost = member.lost_contact_records.open().first()
    _raise(rules.change_errors(
        current=member.status, kind=kind, effective_on=effective_on, reason=reason,
        join_date=member.join_date, last_effective_on=last.effective_on if last else None,
        today=today, lost_since=lost.since if lost else None))
    before = member.status
    row = _record(actor, member, kind, effective_on, reason=reason.strip(),
                  document=document.strip())
    audit_log(actor, "member.status_change", member,
              {"kind": kind, "changes": {"status": [before, member.status]},
               "effective_on": effective_on.isoformat()},
              organization_path=member.organization.path)
    return row


# --- transfers (组织关系转接) -----------------------------------------------------------------


def _letter_errors(letter_number: str) -> dict[str, str]:
    if not letter_number.strip():
        return {"letter_number": _("Enter the letter number.")}
    if Transfer.objects.filter(letter_number=letter_number.strip()).exists():
        return {"letter_number": _("A letter with this number is already recorded.")}
    return {}


@transaction.atomic
def transfer_issue(actor, member: Member, *, letter_number: str, issued_on: dt.date | None,
                   to_organization: Organization | None = None, outside_unit: str = "",
                   valid_until: dt.date | None = None, reason: str = "",
                   today: dt.date | None = None) -> Transfer:
    """Issue a transfer letter for `member` from their home branch, to another organization
    of the district or (with `outside_unit`) outside it. The member stays with the home
    branch until the letter is received (RULES Part A; §4.3)."""
    _require_write(actor, member.organization)
    today = _today(today)
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if issued_on is not None and valid_until is None:
        valid_until = rules.default_valid_until(issued_on)
    errors = rules.issue_errors(issued_on=issued_on, valid_until=valid_until, today=today)
    errors.update(_letter_errors(letter_number))
    if member.status not in (MemberStatus.NORMAL, MemberStatus.MOBILE):
        errors["member"] = _("Only members in normal standing or mobile members can be "
                             "transferred.")
    if member.transfers.filter(state__in=rules.OPEN_STATES).exists():
        errors["member"] = _("This member already has a transfer letter under way.")
    if to_organization is None and not outside_unit.strip():
        errors["to_organization"] = _(
            "Choose the receiving organization, or name the unit outside the district.")
    if to_organization is not None:
        if to_organization.kind not in MEMBER_HOME_KINDS:
            errors["to_organization"] = _(
                "A member's home must be a branch, general branch or committee.")
        elif to_organization.pk == member.organization_id:
            errors["to_organization"] = _("The member already belongs to this organization.")
    if issued_on and issued_on < member.join_date:
        errors["issued_on"] = _("The date cannot be before the member joined.")
    _raise(errors)
    transfer = Transfer.objects.create(
        member=member,
        direction=TransferDirection.INTERNAL if to_organization else TransferDirection.OUTGOING,
        from_organization=member.organization, to_organization=to_organization,
        outside_unit="" if to_organization else outside_unit.strip(),
        letter_number=letter_number.strip(), issued_on=issued_on, valid_until=valid_until,
        reason=reason.strip(), issued_by=actor,
    )
    audit_log(actor, "transfer.issue", transfer,
              {"member": member.pk, "letter_number": transfer.letter_number,
               "to": to_organization.pk if to_organization else transfer.outside_unit},
              organization_path=member.organization.path)
    return transfer


def _acting_organization(transfer: Transfer, side: str) -> Organization:
    side = rules.actor_side(transfer.direction, side)
    return transfer.from_organization if side == rules.SENDER else transfer.to_organization


@transaction.atomic
def transfer_act(actor, transfer: Transfer, action: str, *, reason: str = "",
                 on: dt.date | None = None, today: dt.date | None = None) -> Transfer:
    """Receive (回执), reject (with a reason), suspend (with a reason) or resume a letter.

    Only the side the state machine names may act (`rules.TRANSITIONS`): 403 otherwise.
    Receiving moves the member to the new branch (or out of the district) in the same
    transaction, with a status-history row.
    """
    today = _today(today)
    transfer = (Transfer.objects.select_for_update(of=("self",))
                .select_related("member", "from_organization", "to_organization")
                .get(pk=transfer.pk))
    step = rules.transition(transfer.state, transfer.valid_until, action, today)
    if step is None:
        state = rules.effective_state(transfer.state, transfer.valid_until, today)
        _raise({"__all__": _("A letter that is “%(state)s” cannot be “%(action)s”.") % {
            "state": TransferState(state).label, "action": TransferAction(action).label}})
    new_state, side = step
    _require_write(actor, _acting_organization(transfer, side))
    errors: dict[str, str] = {}
    if action in rules.NEEDS_REASON and not reason.strip():
        errors["reason"] = _("Give the reason.")
    on = on or today
    if action == TransferAction.RECEIVE:
        if on > today:
            errors["received_on"] = _("The date cannot be in the future.")
        elif on < transfer.issued_on:
            errors["received_on"] = _("A letter cannot be received before it is issued.")
        elif on > transfer.valid_until:
            errors["received_on"] = _("The letter was no longer valid on that day.")
    if action == TransferAction.RESUME and today > transfer.valid_until:
        errors["__all__"] = _("The letter is no longer valid: issue a new one.")
    member = transfer.member
    kind = None
    if action == TransferAction.RECEIVE:
        kind = (ChangeKind.TRANSFERRED_OUT if transfer.direction == TransferDirection.OUTGOING
                else ChangeKind.TRANSFERRED)
        if not errors:
            errors.update(_situation_errors(member, kind, on, today, "received_on"))
    _raise(errors)
    before = transfer.state
    transfer.state = new_state
    transfer.decided_by = actor
    if action in rules.NEEDS_REASON:
        transfer.decision_reason = reason.strip()
    if action == TransferAction.RECEIVE:
        transfer.received_on = on
        if transfer.direction == TransferDirection.INTERNAL:
            _move_home(member, transfer.to_organization)
        else:
            # Out of the district: the mobile period, if any, ends with the transfer, and
            # the member leaves their Party group (党小组) with the branch.
            member.mobile_records.open().update(ended_on=on)
            if member.party_group_id is not None:
                member.party_group = None
                member.save(update_fields=["party_group", "updated_at"])
        _record(actor, member, kind, on, reason=transfer.reason, transfer=transfer)
    transfer.save()
    audit_log(actor, f"transfer.{action}", transfer,
              {"changes": {"state": [before, new_state]}, "member": member.pk,
               "reason": reason.strip()},
              organization_path=(transfer.from_organization or transfer.to_organization).path)
    return transfer


@transaction.atomic
def transfer_incoming(actor, member: Member, *, to_organization: Organization,
                      outside_unit: str, letter_number: str, issued_on: dt.date | None,
                      received_on: dt.date | None = None, reason: str = "",
                      today: dt.date | None = None) -> Transfer:
    """Record a letter from outside the district, received by `to_organization`: the member
    (a new record, or one transferred out earlier) joins it at once."""
    _require_write(actor, member.organization)
    _require_write(actor, to_organization)
    today = _today(today)
    member = Member.objects.select_for_update().get(pk=member.pk)
    received_on = received_on or today
    errors = rules.issue_errors(issued_on=issued_on, valid_until=None, today=today)
    errors.update(_letter_errors(letter_number))
    if not outside_unit.strip():
        errors["outside_unit"] = _("Name the sending unit outside the district.")
    if to_organization.kind not in MEMBER_HOME_KINDS:
        errors["to_organization"] = _(
            "A member's home must be a branch, general branch or committee.")
    if member.transfers.filter(state__in=rules.OPEN_STATES).exists():
        errors["member"] = _("This member already has a transfer letter under way.")
    if issued_on and received_on < issued_on:
        errors["received_on"] = _("A letter cannot be received before it is issued.")
    errors.update(_situation_errors(member, ChangeKind.TRANSFERRED_IN, received_on, today,
                                    "received_on"))
    if "kind" in errors:
        errors["member"] = errors.pop("kind")
    _raise(errors)
    transfer = Transfer.objects.create(
        member=member, direction=TransferDirection.INCOMING, to_organization=to_organization,
        outside_unit=outside_unit.strip(), letter_number=letter_number.strip(),
        issued_on=issued_on, valid_until=max(rules.default_valid_until(issued_on), received_on),
        state=TransferState.RECEIVED, received_on=received_on, reason=reason.strip(),
        issued_by=actor, decided_by=actor,
    )
    if member.organization_id != to_organization.pk:
        _move_home(member, to_organization)
    _record(actor, member, ChangeKind.TRANSFERRED_IN, received_on, reason=transfer.reason,
            transfer=transfer)
    audit_log(actor, "transfer.incoming", transfer,
              {"member": member.pk, "letter_number": transfer.letter_number,
               "from": transfer.outside_unit}, organization_path=to_organization.path)
    return transfer


# --- 流动党员 ----------------------------------------------------------------------------------


@transaction.atomic
def mobile_open(actor, member: Member, *, destination: str, since: dt.date | None,
                contact: str = "", certificate_number: str = "",
                today: dt.date | None = None) -> MobileRecord:
    """Record that a member is away (流动党员). Membership stays with the home branch
    (RULES §4.4); the status becomes mobile."""
    _require_write(actor, member.organization)
    today = _today(today)
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    errors: dict[str, str] = {}
    if not destination.strip():
        errors["destination"] = _("Say where the member has gone.")
    if member.mobile_records.open().exists():
        errors["member"] = _("This member already has an open mobile record.")
    # A member already marked mobile (before records were kept) gets the record only.
    change = member.status != MemberStatus.MOBILE
    if change:
        errors.update(_situation_errors(member, ChangeKind.MOBILE, since, today, "since"))
        if "kind" in errors:
            errors["member"] = errors.pop("kind")
    elif since is None or since > today:
        errors["since"] = _("The date cannot be in the future.")
    _raise(errors)
    record = MobileRecord.objects.create(member=member, destination=destination.strip(),
                                         since=since, contact=contact.strip(),
                                         certificate_number=certificate_number.strip())
    if change:
        _record(actor, member, ChangeKind.MOBILE, since, reason=record.destination)
    audit_log(actor, "mobile.open", record, {"member": member.pk,
                                             "destination": record.destination},
              organization_path=member.organization.path)
    return record


@transaction.atomic
def mobile_report_add(actor, record: MobileRecord, *, year: int | None,
                      reported_on: dt.date | None, summary: str = "",
                      today: dt.date | None = None) -> MobileReport:
    """The member's annual report to the sending branch (年度报告, RULES §4.4)."""
    member = record.member
    _require_write(actor, member.organization)
    today = _today(today)
    errors: dict[str, str] = {}
    if reported_on is None:
        errors["reported_on"] = _("Enter the date of the report.")
    elif reported_on > today:
        errors["reported_on"] = _("The date cannot be in the future.")
    elif reported_on < record.since:
        errors["reported_on"] = _("The report cannot come before the member left.")
    if year is None or year < record.since.year or (reported_on and year > reported_on.year):
        errors["year"] = _("Choose a year of the mobile period, up to the year of the report.")
    elif record.reports.filter(year=year).exists():
        errors["year"] = _("The report for this year is already recorded.")
    _raise(errors)
    report = MobileReport.objects.create(record=record, year=year, reported_on=reported_on,
                                         summary=summary.strip())
    audit_log(actor, "mobile.report", record, {"year": year},
              organization_path=member.organization.path)
    return report


@transaction.atomic
def mobile_close(actor, record: MobileRecord, *, ended_on: dt.date | None,
                 today: dt.date | None = None) -> MobileRecord:
    """The member is back (or settled): the mobile period ends."""
    member = record.member
    _require_write(actor, member.organization)
    today = _today(today)
    record = MobileRecord.objects.select_for_update().get(pk=record.pk)
    member = Member.objects.select_for_update().select_related("organization").get(
        pk=member.pk)
    errors: dict[str, str] = {}
    if record.ended_on is not None:
        errors["__all__"] = _("This mobile record is already closed.")
    elif ended_on is None or ended_on > today:
        errors["ended_on"] = _("The date cannot be in the future.")
    elif ended_on < record.since:
        errors["ended_on"] = _("The member cannot return before leaving.")
    change = member.status == MemberStatus.MOBILE
    if change and not errors:
        errors.update(_situation_errors(member, ChangeKind.MOBILE_ENDED, ended_on, today,
                                        "ended_on"))
    _raise(errors)
    record.ended_on = ended_on
    record.save(update_fields=["ended_on"])
    if change:
        _record(actor, member, ChangeKind.MOBILE_ENDED, ended_on)
    audit_log(actor, "mobile.close", record, {"ended_on": ended_on.isoformat()},
              organization_path=member.organization.path)
    return record


# --- 失联党员 ----------------------------------------------------------------------------------


@transaction.atomic
def lost_open(actor, member: Member, *, since: dt.date | None, circumstances: str = "",
              today: dt.date | None = None) -> LostContactRecord:
    """Record that the branch lost contact with a member (失联党员)."""
    _require_write(actor, member.organization)
    today = _today(today)
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    errors: dict[str, str] = {}
    if member.lost_contact_records.open().exists():
        errors["member"] = _("This member already has an open lost-contact record.")
    change = member.status != MemberStatus.LOST_CONTACT
    if change:
        errors.update(_situation_errors(member, ChangeKind.LOST_CONTACT, since, today, "since"))
        if "kind" in errors:
            errors["member"] = errors.pop("kind")
    elif since is None or since > today:
        errors["since"] = _("The date cannot be in the future.")
    _raise(errors)
    record = LostContactRecord.objects.create(member=member, since=since,
                                              circumstances=circumstances.strip())
    if change:
        _record(actor, member, ChangeKind.LOST_CONTACT, since, reason=record.circumstances)
    audit_log(actor, "lost_contact.open", record, {"member": member.pk,
                                                   "since": since.isoformat()},
              organization_path=member.organization.path)
    return record


@transaction.atomic
def lost_effort_add(actor, record: LostContactRecord, *, made_on: dt.date | None,
                    method: str, outcome: str = "", today: dt.date | None = None,
                    ) -> SearchEffort:
    member = record.member
    _require_write(actor, member.organization)
    today = _today(today)
    errors: dict[str, str] = {}
    if record.found_on is not None:
        errors["__all__"] = _("This member has been found.")
    if made_on is None or made_on > today:
        errors["made_on"] = _("The date cannot be in the future.")
    elif made_on < record.since:
        errors["made_on"] = _("The search cannot come before contact was lost.")
    if not method.strip():
        errors["method"] = _("Say how the member was looked for.")
    _raise(errors)
    effort = SearchEffort.objects.create(record=record, made_on=made_on, method=method.strip(),
                                         outcome=outcome.strip())
    audit_log(actor, "lost_contact.effort", record, {"made_on": made_on.isoformat()},
              organization_path=member.organization.path)
    return effort


@transaction.atomic
def lost_found(actor, record: LostContactRecord, *, found_on: dt.date | None,
               note: str = "", today: dt.date | None = None) -> LostContactRecord:
    """Found again: the record closes; a lost-contact member is back in normal standing (a
    stopped membership needs its own 恢复党籍 decision)."""
    member = record.member
    _require_write(actor, member.organization)
    today = _today(today)
    record = LostContactRecord.objects.select_for_update().get(pk=record.pk)
    member = Member.objects.select_for_update().select_related("organization").get(
        pk=member.pk)
    errors: dict[str, str] = {}
    if record.found_on is not None:
        errors["__all__"] = _("This member has been found already.")
    elif found_on is None or found_on > today:
        errors["found_on"] = _("The date cannot be in the future.")
    elif found_on < record.since:
        errors["found_on"] = _("The member cannot be found before contact was lost.")
    change = member.status == MemberStatus.LOST_CONTACT
    if change and not errors:
        errors.update(_situation_errors(member, ChangeKind.FOUND, found_on, today, "found_on"))
    _raise(errors)
    record.found_on = found_on
    record.found_note = note.strip()
    record.save(update_fields=["found_on", "found_note"])
    if change:
        _record(actor, member, ChangeKind.FOUND, found_on, reason=record.found_note)
    audit_log(actor, "lost_contact.found", record, {"found_on": found_on.isoformat()},
              organization_path=member.organization.path)
    return record
