"""Lifecycle services over the cast: status history, transfers, mobile and lost contact."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fengling.core.models import AuditEntry
from fengling.members.lifecycle import services
from fengling.members.lifecycle.models import StatusChange, Transfer
from fengling.members.lifecycle.rules import ChangeKind, TransferState
from fengling.members.models import Member, MemberStatus

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 6, 1)


def fresh(member):
    return Member.objects.get(pk=member.pk)


def kinds(member):
    return list(StatusChange.objects.filter(member=member).order_by("effective_on", "id")
                .values_list("kind", "status"))


# --- status history ---------------------------------------------------------------------------


def test_a_change_is_recorded_and_the_status_derived(cast):
    services.status_change_add(cast.branch_secretary, cast.member_a, kind=ChangeKind.RESERVED,
                               effective_on=D(2026, 5, 1), reason="出国定居前申请", today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.RESERVED
    services.status_change_add(cast.branch_secretary, cast.member_a, kind=ChangeKind.RESTORED,
                               effective_on=D(2026, 5, 20), reason="回国", today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.NORMAL
    assert kinds(cast.member_a) == [("initial", "normal"), ("reserved", "reserved"),
                                    ("restored", "normal")]
    entry = AuditEntry.objects.filter(action="member.status_change").order_by("id").last()
    assert entry.data["changes"] == {"status": ["reserved", "normal"]}


@pytest.mark.parametrize(("kind", "effective_on", "reason", "field"), [
    (ChangeKind.RESTORED, D(2026, 5, 1), "x", "kind"),  # nothing to restore from normal
    (ChangeKind.DECEASED, D(2026, 6, 2), "x", "effective_on"),  # future
    (ChangeKind.DECEASED, D(2005, 6, 30), "x", "effective_on"),  # before joining
    (ChangeKind.DECEASED, D(2026, 5, 1), "", "reason"),
    (ChangeKind.MOBILE, D(2026, 5, 1), "x", "kind"),  # comes from the mobile record
])
def test_a_refused_change_writes_nothing(cast, kind, effective_on, reason, field):
    with pytest.raises(ValidationError) as exc:
        services.status_change_add(cast.branch_secretary, cast.member_a, kind=kind,
                                   effective_on=effective_on, reason=reason, today=TODAY)
    assert field in exc.value.message_dict
    assert kinds(cast.member_a) == [("initial", "normal")]
    assert fresh(cast.member_a).status == MemberStatus.NORMAL


def test_nothing_follows_death(cast):
    services.status_change_add(cast.branch_secretary, cast.member_a, kind=ChangeKind.DECEASED,
                               effective_on=D(2026, 5, 1), reason="病故", today=TODAY)
    with pytest.raises(ValidationError):
        services.status_change_add(cast.branch_secretary, cast.member_a,
                                   kind=ChangeKind.RESTORED, effective_on=D(2026, 5, 2),
                                   reason="x", today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.DECEASED


def test_read_only_and_out_of_scope_users_cannot_record(cast):
    for user in (cast.auditor, cast.outsider_secretary, cast.member):
        with pytest.raises(PermissionDenied):
            services.status_change_add(user, cast.member_a, kind=ChangeKind.DECEASED,
                                       effective_on=D(2026, 5, 1), reason="x", today=TODAY)


def test_a_new_member_starts_a_history(cast):
    from fengling.members.services import member_create
    from fengling.testing.factories import make_id_number
    member = member_create(
        cast.branch_secretary, organization=cast.branch_a,
        id_number=make_id_number(D(1990, 1, 1), "M"), name="钱八", gender="M",
        birth_date=D(1990, 1, 1), education="bachelor", occupation="in_service",
        join_date=D(2015, 7, 1), membership="full", conversion_date=D(2016, 7, 1))
    assert kinds(member) == [("initial", "normal")]


# --- transfers --------------------------------------------------------------------------------


def issue(cast, **kw):
    args = {"letter_number": "海组转〔2026〕1号", "issued_on": D(2026, 5, 1),
                "to_organization": cast.branch_b, "reason": "工作调动", "today": TODAY}
    args.update(kw)
    return services.transfer_issue(kw.pop("actor", cast.branch_secretary), cast.member_a,
                                   **{k: v for k, v in args.items() if k != "actor"})


def test_internal_transfer_moves_the_member_only_on_receipt(cast):
    transfer = issue(cast)
    assert transfer.valid_until == D(2026, 5, 31)  # 30 days
    assert fresh(cast.member_a).organization == cast.branch_a  # the old branch keeps them
    # The sender cannot receive; the receiver (another street) can.
    with pytest.raises(PermissionDenied):
        services.transfer_act(cast.branch_secretary, transfer, "receive", today=D(2026, 5, 20))
    services.transfer_act(cast.outsider_secretary, transfer, "receive", on=D(2026, 5, 20),
                          today=D(2026, 5, 20))
    member = fresh(cast.member_a)
    assert member.organization == cast.branch_b
    assert member.status == MemberStatus.NORMAL
    assert kinds(member)[-1] == ("transferred", "normal")
    assert Transfer.objects.get().state == TransferState.RECEIVED


def test_an_expired_letter_cannot_be_received(cast):
    transfer = issue(cast)
    with pytest.raises(ValidationError):
        services.transfer_act(cast.outsider_secretary, transfer, "receive", today=D(2026, 6, 1))
    assert fresh(cast.member_a).organization == cast.branch_a
    assert list(Transfer.objects.overdue(D(2026, 6, 1))) == [transfer]
    assert list(Transfer.objects.overdue(D(2026, 5, 31))) == []


def test_reject_needs_a_reason_and_keeps_the_member(cast):
    transfer = issue(cast)
    with pytest.raises(ValidationError):
        services.transfer_act(cast.outsider_secretary, transfer, "reject", today=TODAY)
    services.transfer_act(cast.outsider_secretary, transfer, "reject", reason="介绍信抬头有误",
                          today=TODAY)
    transfer.refresh_from_db()
    assert (transfer.state, transfer.decision_reason) == ("rejected", "介绍信抬头有误")
    assert fresh(cast.member_a).organization == cast.branch_a
    issue(cast, letter_number="海组转〔2026〕2号")  # a new letter may follow


def test_suspend_and_resume_by_the_sender_only(cast):
    transfer = issue(cast)
    with pytest.raises(PermissionDenied):
        services.transfer_act(cast.outsider_secretary, transfer, "suspend", reason="x",
                              today=D(2026, 5, 10))
    services.transfer_act(cast.branch_secretary, transfer, "suspend", reason="本人暂缓",
                          today=D(2026, 5, 10))
    with pytest.raises(ValidationError):  # one letter under way per member
        issue(cast, letter_number="海组转〔2026〕3号")
    services.transfer_act(cast.branch_secretary, transfer, "resume", today=D(2026, 5, 12))
    transfer.refresh_from_db()
    assert transfer.state == "issued"


def test_letter_numbers_are_unique_and_validity_capped(cast):
    issue(cast)
    with pytest.raises(ValidationError) as exc:
        services.transfer_issue(cast.district_admin, cast.member_a2,
                                letter_number="海组转〔2026〕1号", issued_on=D(2026, 5, 1),
                                to_organization=cast.branch_b, valid_until=D(2026, 8, 2),
                                today=TODAY)
    assert set(exc.value.message_dict) == {"letter_number", "valid_until"}


def test_transfer_out_of_the_district_receipt_by_the_sender(cast):
    transfer = issue(cast, to_organization=None, outside_unit="杭州市西湖区某街道党工委")
    services.transfer_act(cast.branch_secretary, transfer, "receive", on=D(2026, 5, 15),
                          today=D(2026, 5, 15))
    member = fresh(cast.member_a)
    assert member.status == MemberStatus.TRANSFERRED_OUT
    assert member.organization == cast.branch_a
    # Coming back later from outside.
    services.transfer_incoming(cast.branch_secretary, member, to_organization=cast.branch_a,
                               outside_unit="杭州市西湖区某街道党工委", letter_number="杭转2027-8",
                               issued_on=D(2026, 5, 25), received_on=D(2026, 5, 28),
                               today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.NORMAL


def test_only_members_in_standing_are_transferred(cast):
    services.status_change_add(cast.branch_secretary, cast.member_a, kind=ChangeKind.STOPPED,
                               effective_on=D(2026, 4, 1), reason="x", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        issue(cast)
    assert "member" in exc.value.message_dict


# --- 流动党员 and 失联党员 ------------------------------------------------------------------------


def test_mobile_period_with_annual_reports(cast):
    record = services.mobile_open(cast.branch_secretary, cast.member_a, destination="深圳市南山区",
                                  since=D(2025, 3, 1), contact="13800000000", today=TODAY)
    member = fresh(cast.member_a)
    assert member.status == MemberStatus.MOBILE
    assert member.organization == cast.branch_a  # membership stays at home
    services.mobile_report_add(cast.branch_secretary, record, year=2025,
                               reported_on=D(2025, 12, 20), today=TODAY)
    with pytest.raises(ValidationError):  # once per year
        services.mobile_report_add(cast.branch_secretary, record, year=2025,
                                   reported_on=D(2026, 1, 5), today=TODAY)
    services.mobile_close(cast.branch_secretary, record, ended_on=D(2026, 5, 1), today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.NORMAL
    assert [k for k, _s in kinds(cast.member_a)] == ["initial", "mobile", "mobile_ended"]


def test_lost_contact_search_and_found(cast):
    record = services.lost_open(cast.branch_secretary, cast.member_a, since=D(2025, 10, 1),
                                circumstances="电话停机", today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.LOST_CONTACT
    services.lost_effort_add(cast.branch_secretary, record, made_on=D(2025, 11, 3),
                             method="走访原住址", today=TODAY)
    with pytest.raises(ValidationError):  # an effort before contact was lost
        services.lost_effort_add(cast.branch_secretary, record, made_on=D(2025, 9, 1),
                                 method="x", today=TODAY)
    services.lost_found(cast.branch_secretary, record, found_on=D(2026, 5, 2), note="本人来电",
                        today=TODAY)
    assert fresh(cast.member_a).status == MemberStatus.NORMAL
    assert record.efforts.count() == 1


def test_lost_contact_six_months_before_stopping(cast):
    services.lost_open(cast.branch_secretary, cast.member_a, since=D(2026, 1, 1), today=TODAY)
    with pytest.raises(ValidationError):  # RULES §4.4: only after 6 months
        services.status_change_add(cast.branch_secretary, cast.member_a,
                                   kind=ChangeKind.STOPPED, effective_on=D(2026, 6, 30),
                                   reason="x", today=D(2026, 6, 30))
    services.status_change_add(cast.branch_secretary, cast.member_a, kind=ChangeKind.STOPPED,
                               effective_on=D(2026, 7, 1), reason="失联满6个月",
                               today=D(2026, 7, 1))
    assert fresh(cast.member_a).status == MemberStatus.STOPPED


def test_correcting_the_home_branch_is_in_the_history_and_waits_for_a_letter(cast):
    from fengling.members.services import member_update
    member_update(cast.community_secretary, cast.member_a, organization=cast.branch_a2)
    assert kinds(cast.member_a)[-1] == ("transferred", "normal")
    issue(cast, to_organization=cast.branch_b, actor=cast.community_secretary)
    with pytest.raises(ValidationError) as exc:
        member_update(cast.community_secretary, fresh(cast.member_a),
                      organization=cast.branch_a)
    assert "organization" in exc.value.message_dict
    assert fresh(cast.member_a).organization == cast.branch_a2


def test_imported_members_start_a_history(cast):
    from fengling.members.imports import member_import
    from fengling.members.tests.test_imports import person, xlsx
    result = member_import(cast.community_secretary,
                           xlsx([person(n, cast.branch_a.code) for n in range(1, 4)]))
    assert result.written == 3
    imported = Member.objects.filter(name__startswith="导入")
    assert sorted(StatusChange.objects.filter(member__in=imported)
                  .values_list("kind", "status")) == [("initial", "normal")] * 3


def test_a_suspended_letter_is_resumed_only_while_valid(cast):
    transfer = issue(cast)  # valid until 2026-05-31
    services.transfer_act(cast.branch_secretary, transfer, "suspend", reason="暂缓",
                          today=D(2026, 5, 10))
    with pytest.raises(ValidationError):
        services.transfer_act(cast.branch_secretary, transfer, "resume", today=D(2026, 6, 1))
    assert Transfer.objects.get().state == TransferState.SUSPENDED
    services.transfer_act(cast.branch_secretary, transfer, "resume", today=D(2026, 5, 31))
    assert Transfer.objects.get().state == TransferState.ISSUED


def test_a_receipt_dated_after_validity_or_before_issue_is_refused(cast):
    transfer = issue(cast)
    for day in (D(2026, 4, 30), D(2026, 6, 1)):
        with pytest.raises(ValidationError) as exc:
            services.transfer_act(cast.outsider_secretary, transfer, "receive", on=day,
                                  today=D(2026, 5, 31))
        assert "received_on" in exc.value.message_dict
    assert fresh(cast.member_a).organization == cast.branch_a
