"""Meetings, attendance, sign-in, votes, files, themed Party Days and the scheduled work."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fengling.meetings import services
from fengling.meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    PartyDayTemplate,
    PartyDayTheme,
)
from fengling.meetings.selectors import compliance_report, push_status
from fengling.members.models import Membership, MemberStatus
from fengling.notifications.models import Notification
from fengling.testing.factories import MemberFactory, make_user

from .helpers import at, schedule
from .helpers import library as make_library

pytestmark = pytest.mark.django_db


def statuses(meeting):
    return {a.member.name: a.status for a in meeting.attendance.select_related("member")}


# --- attendance list -------------------------------------------------------------------------


def test_attendance_lists_active_members_mobile_on_leave_lost_contact_left_out(cast):
    MemberFactory(organization=cast.branch_a, name="流动", status=MemberStatus.MOBILE)
    MemberFactory(organization=cast.branch_a, name="失联", status=MemberStatus.LOST_CONTACT)
    MemberFactory(organization=cast.branch_a, name="转出", status=MemberStatus.TRANSFERRED_OUT)
    meeting = schedule(cast.branch_secretary, cast.branch_a)
    assert statuses(meeting) == {"张三": "expected", "李四": "expected", "流动": "leave"}
    assert meeting.attendance.get(member__name="流动").reason


def test_schedule_refuses_bad_input_and_changes_nothing(cast):
    with pytest.raises(ValidationError) as err:
        schedule(cast.branch_secretary, cast.branch_a, topic="", place="", hours=-1)
    assert set(err.value.message_dict) == {"topic", "ends_at", "place"}
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError):
        schedule(cast.branch_secretary, cast.branch_b)  # outside the secretary's scope


# --- state machine ---------------------------------------------------------------------------


def test_notify_notifies_every_expected_member_once(cast):
    meeting = schedule(cast.branch_secretary, cast.branch_a, start=at(2030, 1, 1, 9))
    services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED)
    # Only members with an account get an inbox entry: 张三 (member) and 李四 (secretary).
    got = set(Notification.objects.filter(dedupe_key=f"meeting:{meeting.pk}:notice")
              .values_list("recipient__username", flat=True))
    assert got == {"member", "branch_secretary"}
    with pytest.raises(ValidationError):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED)


def test_the_notice_is_in_the_notification_language_whoever_sends_it(cast):
    """A secretary working in English sends the notice; members read it in Chinese, the
    notification language (as reminders, greetings and dues reminders)."""
    from django.utils import translation

    meeting = schedule(cast.branch_secretary, cast.branch_a, start=at(2030, 1, 1, 9))
    with translation.override("en"):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED)
    with translation.override("zh-hans"):
        kind = str(meeting.get_kind_display())
    title = Notification.objects.filter(dedupe_key=f"meeting:{meeting.pk}:notice").values_list(
        "title", flat=True).first()
    assert title.startswith(kind) and " on " not in title, title


def test_the_notice_opens_a_page_the_member_may_open(client, cast):
    meeting = schedule(cast.branch_secretary, cast.branch_a, start=at(2030, 1, 1, 9))
    services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED)
    notice = Notification.objects.get(dedupe_key=f"meeting:{meeting.pk}:notice",
                                      recipient__username="member")
    client.force_login(cast.member)
    response = client.get(notice.url)
    assert response.status_code == 200 and meeting.topic in response.content.decode()


def test_cancel_needs_a_reason_and_held_is_final(cast):
    meeting = schedule(cast.branch_secretary, cast.branch_a)
    with pytest.raises(ValidationError):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.CANCELLED)
    with time_machine.travel(at(2026, 3, 11, 9), tick=False):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.HELD)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD and meeting.closed_at is not None
    assert set(statuses(meeting).values()) == {"absent"}  # nobody was marked: absent
    with pytest.raises(ValidationError):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.CANCELLED,
                                    reason="x")


def test_a_meeting_cannot_be_held_before_it_starts(cast):
    meeting = schedule(cast.branch_secretary, cast.branch_a)
    with time_machine.travel(at(2026, 3, 1, 9), tick=False), pytest.raises(ValidationError):
        services.meeting_transition(cast.branch_secretary, meeting, MeetingState.HELD)


# --- sign-in ---------------------------------------------------------------------------------


@pytest.fixture
def notified(cast):
    meeting = schedule(cast.branch_secretary, cast.branch_a, start=at(2026, 3, 10, 9))
    services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED,
                                now=at(2026, 3, 1, 9))
    return meeting


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (at(2026, 3, 10, 8, 29), "too_early"),  # 31 minutes before the start
        (at(2026, 3, 10, 11, 1), "too_late"),  # after the end
        (at(2026, 3, 9, 9, 0), "too_early"),
    ],
)
def test_sign_in_outside_the_window_is_refused(cast, notified, moment, code):
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(cast.member, notified, now=moment)
    assert err.value.code == code
    assert notified.attendance.get(member=cast.member_a).status == "expected"


def test_sign_in_in_the_window_once_only(cast, notified):
    row = services.meeting_signin(cast.member, notified, now=at(2026, 3, 10, 8, 30))
    assert row.status == AttendanceStatus.PRESENT
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(cast.member, notified, now=at(2026, 3, 10, 9, 0))
    assert err.value.code == "twice"
    assert notified.attendance.get(member=cast.member_a).signed_in_at == at(2026, 3, 10, 8, 30)


def test_sign_in_by_a_non_attendee_is_refused(cast, notified):
    outsider = make_user("outsider_member", member=cast.member_b)
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(outsider, notified, now=at(2026, 3, 10, 9))
    assert err.value.code == "not_attendee"
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(cast.district_admin, notified, now=at(2026, 3, 10, 9))
    assert err.value.code == "no_member"
    assert not Attendance.objects.filter(member=cast.member_b).exists()


def test_sign_in_to_a_cancelled_meeting_is_refused(cast, notified):
    services.meeting_transition(cast.branch_secretary, notified, MeetingState.CANCELLED,
                                reason="台风")
    notified.refresh_from_db()
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(cast.member, notified, now=at(2026, 3, 10, 9))
    assert err.value.code == "cancelled"


# --- attendance and votes --------------------------------------------------------------------


def test_leave_needs_a_reason_all_or_nothing(cast, notified):
    changes = {cast.member_a.pk: ("present", ""), cast.secretary_a_member.pk: ("leave", " ")}
    with pytest.raises(ValidationError):
        services.attendance_set(cast.branch_secretary, notified, changes)
    assert set(statuses(notified).values()) == {"expected"}
    changes[cast.secretary_a_member.pk] = ("leave", "出差")
    assert services.attendance_set(cast.branch_secretary, notified, changes) == 2
    assert statuses(notified) == {"张三": "present", "李四": "leave"}


def test_vote_checks_the_quorum(cast):
    for i in range(2):
        MemberFactory(organization=cast.branch_a, name=f"正式{i}")
    MemberFactory(organization=cast.branch_a, name="预备", membership=Membership.PROBATIONARY,
                  conversion_date=None)
    meeting = schedule(cast.branch_secretary, cast.branch_a)  # 4 full members + 1 probationary
    ids = dict(meeting.attendance.values_list("member__name", "member_id"))
    services.attendance_set(cast.branch_secretary, meeting, {
        ids["张三"]: ("present", ""), ids["李四"]: ("present", ""), ids["预备"]: ("present", "")})
    with pytest.raises(ValidationError) as err:  # 2 of 4 full members: not more than half
        services.meeting_vote_record(cast.branch_secretary, meeting, subject="接收预备党员",
                                     votes_for=2)
    assert "2" in err.value.messages[0] and "4" in err.value.messages[0]
    services.attendance_set(cast.branch_secretary, meeting, {ids["正式0"]: ("present", "")})
    vote = services.meeting_vote_record(cast.branch_secretary, meeting, subject="接收预备党员",
                                        votes_for=3)
    assert (vote.full_members, vote.full_present, vote.passed) == (4, 3, True)
    vote = services.meeting_vote_record(cast.branch_secretary, meeting, subject="另一议题",
                                        votes_for=2, votes_against=1)
    assert vote.passed is False  # 2 is not more than half of the 4 who should attend


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0rest", True),
        ("scan.PDF", b"%PDF-1.7 ...", True),
        ("minutes.docx", b"PK\x03\x04....", True),
        ("virus.exe", b"MZ....", False),
        ("fake.png", b"%PDF-1.7", False),
        ("empty.pdf", b"", False),
    ],
)
def test_files_are_checked_by_type_and_content(cast, name, content, ok):
    meeting = schedule(cast.branch_secretary, cast.branch_a)
    upload = SimpleUploadedFile(name, content)
    if ok:
        item = services.meeting_file_add(cast.branch_secretary, meeting, upload)
        assert item.size == len(content) and item.file.read() == content
    else:
        with pytest.raises(ValidationError):
            services.meeting_file_add(cast.branch_secretary, meeting, upload)
        assert not meeting.files.exists()


def test_files_over_the_size_limit_are_refused(cast, settings):
    settings.FENGLING_MEETING_FILE_MAX_MB = 1
    meeting = schedule(cast.branch_secretary, cast.branch_a)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as err:
        services.meeting_file_add(cast.branch_secretary, meeting, upload)
    assert "1 MB" in err.value.messages[0]


# --- themed Party Day ------------------------------------------------------------------------


@pytest.fixture
def library(db):
    return make_library()


def test_the_library_is_seeded_with_defaults():
    assert PartyDayTheme.objects.filter(title="学习贯彻党的二十大精神").exists()
    assert PartyDayTemplate.objects.filter(is_active=True).count() >= 2


def test_one_click_creates_notifies_and_is_idempotent(cast, library):
    theme, template = library
    services.party_day_setting_set(cast.branch_secretary, cast.branch_a, 31)
    meeting, created = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 4, 9), theme=theme,
        template=template)
    assert created
    assert meeting.state == MeetingState.NOTIFIED and meeting.kind == MeetingKind.PARTY_DAY
    assert meeting.starts_at == at(2026, 4, 30, template.start_time.hour,
                                   template.start_time.minute)  # April has 30 days
    assert meeting.topic == theme.title and meeting.agenda == template.agenda
    assert set(statuses(meeting)) == {"张三", "李四"}
    assert Notification.objects.filter(dedupe_key=f"meeting:{meeting.pk}:notice").count() == 2
    again, created = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 4, 1), theme=theme,
        template=template)
    assert not created and again.pk == meeting.pk
    assert Meeting.objects.count() == 1 and Attendance.objects.count() == 2
    assert Notification.objects.count() == 2


def test_default_party_day_is_the_15th(cast, library):
    meeting, _ = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 5, 1), theme=library[0],
        template=library[1])
    assert meeting.starts_at.astimezone(at(2026, 1, 1, 0).tzinfo).day == 15


def test_push_creates_each_branch_event_once(cast, library, django_assert_max_num_queries):
    theme, template = library
    # Branch A already has its own themed day this month (open): it takes the pushed theme.
    own, _ = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 6, 1), theme=theme,
        template=template)
    with django_assert_max_num_queries(40):
        push, created = services.party_day_push(cast.street_admin, cast.street1,
                                                month=dt.date(2026, 6, 1), theme=theme,
                                                template=template)
    assert created == 2  # branch A2 and A3; not branch B (another street)
    orgs = set(Meeting.objects.filter(push=push).values_list("organization__name", flat=True))
    assert orgs == {"望春社区第一支部", "望春社区第二支部", "五江口社区第一支部"}
    assert not Meeting.objects.filter(organization=cast.branch_b).exists()
    assert Attendance.objects.filter(meeting__organization=cast.branch_a2).count() == 1
    # Members with accounts among those expected (张三 and 李四 in branch A) are told once.
    assert set(Notification.objects.filter(dedupe_key=f"theme_push:{push.pk}")
               .values_list("recipient__username", flat=True)) == {"member", "branch_secretary"}
    assert services.party_day_push(cast.street_admin, cast.street1, month=dt.date(2026, 6, 1),
                                   theme=theme, template=template) == (push, 0)
    assert Meeting.objects.count() == 3
    rows = {r.name: (r.state, r.on_theme) for r in push_status(push)}
    assert rows["望春社区第一支部"] == ("notified", True)
    own.refresh_from_db()
    assert own.push_id == push.pk


def test_reminder_day_before_and_close_after_the_day(cast, library):
    theme, template = library
    meeting, _ = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 7, 1), theme=theme,
        template=template)
    assert services.meetings_remind(dt.date(2026, 7, 13)) == 0
    assert services.meetings_remind(dt.date(2026, 7, 14)) == 1
    assert services.meetings_remind(dt.date(2026, 7, 14)) == 1  # idempotent: no new rows
    assert Notification.objects.filter(dedupe_key=f"meeting:{meeting.pk}:reminder").count() == 2
    services.meeting_signin(cast.member, meeting, now=meeting.starts_at)
    assert services.meetings_close(dt.date(2026, 7, 15))["held"] == 0  # the day is not over
    result = services.meetings_close(dt.date(2026, 7, 16))
    assert (result["held"], result["absent"]) == (1, 1)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD and meeting.closed_at is not None
    assert statuses(meeting) == {"张三": "present", "李四": "absent"}
    assert services.meetings_close(dt.date(2026, 7, 17)) == {
        "held": 0, "cancelled": 0, "closed": 0, "absent": 0}
    report = compliance_report(cast.branch_secretary, cast.branch_a, dt.date(2026, 7, 1),
                               dt.date(2026, 7, 31), today=dt.date(2026, 8, 1))
    assert report.own.kinds[MeetingKind.PARTY_DAY] == [1, 1, 1]
    assert report.own.kinds[MeetingKind.COMMITTEE] == [1, 0, 0]


def test_close_cancels_a_day_nobody_attended(cast, library):
    meeting, _ = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 7, 1), theme=library[0],
        template=library[1])
    assert services.meetings_close(dt.date(2026, 8, 1))["cancelled"] == 1
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED


# --- compliance ------------------------------------------------------------------------------


def test_compliance_rolls_up_the_subtree_in_a_few_queries(cast, django_assert_num_queries):
    for month in (1, 2, 3):
        m = schedule(cast.branch_secretary, cast.branch_a, kind=MeetingKind.PARTY_DAY,
                     start=at(2025, month, 15, 9))
        services.meeting_transition(cast.branch_secretary, m, MeetingState.HELD,
                                    now=at(2026, 1, 1))
    m = schedule(cast.community_secretary, cast.branch_a2, kind=MeetingKind.GENERAL_ASSEMBLY,
                 start=at(2025, 2, 1, 9))
    services.meeting_transition(cast.community_secretary, m, MeetingState.HELD,
                                now=at(2026, 1, 1))
    schedule(cast.community_secretary, cast.branch_a2, kind=MeetingKind.COMMITTEE,
             start=at(2025, 2, 1, 9))  # planned, never held: does not count
    # The user's scope (1), the organizations, the grouped held meetings, the children.
    with django_assert_num_queries(4):
        report = compliance_report(cast.street_admin, cast.street1, dt.date(2025, 1, 1),
                                   dt.date(2025, 12, 31), today=dt.date(2026, 1, 10))
    assert report.own is None  # a street working committee has no 三会一课 of its own
    children = {r.organization.name: r for r in report.children}
    community_a = children["望春社区党委"]
    assert community_a.organizations == 2  # branches A and A2
    assert community_a.kinds[MeetingKind.PARTY_DAY] == [24, 3, 3]
    assert community_a.kinds[MeetingKind.GENERAL_ASSEMBLY] == [8, 1, 1]
    assert community_a.kinds[MeetingKind.COMMITTEE] == [24, 0, 0]
    assert children["五江口社区党委"].kinds[MeetingKind.PARTY_DAY] == [12, 0, 0]
    assert report.total.organizations == 3
    assert report.total.kinds[MeetingKind.LIFE_MEETING] == [3, 0, 0]


# --- Party groups (党小组) ----------------------------------------------------------------------


@pytest.fixture
def groups(cast):
    """Branch A's two Party groups: 张三 in the first, 李四 and a mobile member in the second;
    王五 of branch A2 is in A2's group (the same batch must keep them apart)."""
    from fengling.members.services import member_update
    from fengling.organizations.kinds import OrgKind
    from fengling.testing.factories import make_org

    first = make_org(cast.branch_a, "第一党小组", OrgKind.PARTY_GROUP)
    second = make_org(cast.branch_a, "第二党小组", OrgKind.PARTY_GROUP)
    other = make_org(cast.branch_a2, "第二支部党小组", OrgKind.PARTY_GROUP)
    member_update(cast.community_secretary, cast.member_a, party_group=first)
    member_update(cast.community_secretary, cast.secretary_a_member, party_group=second)
    member_update(cast.community_secretary, cast.member_a2, party_group=other)
    MemberFactory(organization=cast.branch_a, name="流动", status=MemberStatus.MOBILE,
                  party_group=second)
    MemberFactory(organization=cast.branch_a, name="未编组")
    return first, second, other


def test_a_group_meeting_expects_the_members_placed_in_the_group(cast, groups):
    first, second, _other = groups
    # RULES Part A: 党小组会 monthly; those placed in the group attend it.
    assert statuses(schedule(cast.branch_secretary, first, kind=MeetingKind.GROUP)) == {
        "张三": "expected"}
    assert statuses(schedule(cast.branch_secretary, second, kind=MeetingKind.GROUP)) == {
        "李四": "expected", "流动": "leave"}
    # Everything else is unchanged: the branch's own meetings expect all its members.
    everyone = {"张三": "expected", "李四": "expected", "流动": "leave", "未编组": "expected"}
    assert statuses(schedule(cast.branch_secretary, cast.branch_a)) == everyone
    assert statuses(schedule(cast.branch_secretary, cast.branch_a,
                             kind=MeetingKind.GROUP)) == everyone


def test_group_meetings_are_synced_in_one_member_query_per_kind(
        cast, groups, django_assert_num_queries):
    first, second, other = groups
    meetings = [Meeting.objects.create(
        organization=org, kind=MeetingKind.GROUP, topic="党小组会", place="活动室",
        starts_at=at(2026, 3, 10, 19), ends_at=at(2026, 3, 10, 21))
        for org in (first, second, other, cast.branch_a)]
    with django_assert_num_queries(2):  # the members, one INSERT
        services.attendance_sync(meetings)
    by_meeting = {m.organization.name: set(statuses(m)) for m in meetings}
    assert by_meeting == {
        "第一党小组": {"张三"}, "第二党小组": {"李四", "流动"}, "第二支部党小组": {"王五"},
        cast.branch_a.name: {"张三", "李四", "流动", "未编组"},
    }


def test_a_branch_member_outside_the_group_cannot_sign_in(cast, groups):
    first, _second, _other = groups
    meeting = schedule(cast.branch_secretary, first, kind=MeetingKind.GROUP,
                       start=at(2030, 1, 1, 9))
    services.meeting_transition(cast.branch_secretary, meeting, MeetingState.NOTIFIED,
                                now=at(2029, 12, 1))
    with pytest.raises(services.SigninRefused) as err:
        services.meeting_signin(cast.branch_secretary, meeting, now=at(2030, 1, 1, 9))
    assert err.value.code == "not_attendee"
    services.meeting_signin(cast.member, meeting, now=at(2030, 1, 1, 9))
    assert statuses(meeting)["张三"] == AttendanceStatus.PRESENT


def test_a_groups_meetings_count_in_its_branchs_compliance(cast, groups):
    first, second, _other = groups
    m = schedule(cast.branch_secretary, first, kind=MeetingKind.GROUP, start=at(2025, 3, 5, 19))
    services.meeting_transition(cast.branch_secretary, m, MeetingState.HELD, now=at(2026, 1, 1))
    report = compliance_report(cast.branch_secretary, cast.branch_a, dt.date(2025, 1, 1),
                               dt.date(2025, 12, 31), today=dt.date(2026, 1, 10))
    # Two groups × 12 months required, one held.
    assert report.total.kinds[MeetingKind.GROUP][:2] == [24, 1]


def test_changing_the_kind_changes_who_is_expected(cast):
    """A 党员大会 turned into a 支委会 before it is held expects the committee only: the
    others leave the list, unless they signed in already; back to a 党员大会, all return."""
    from fengling.organizations.models import CommitteePost, CommitteeTerm

    term = CommitteeTerm.objects.create(organization=cast.branch_a,
                                        started_on=dt.date(2025, 1, 1), years=3)
    CommitteePost.objects.create(term=term, post="secretary", member=cast.secretary_a_member,
                                 started_on=dt.date(2025, 1, 1))
    meeting = schedule(cast.branch_secretary, cast.branch_a, start=at(2030, 1, 1, 9))
    assert set(statuses(meeting)) == {"张三", "李四"}
    services.meeting_update(cast.branch_secretary, meeting, kind=MeetingKind.COMMITTEE)
    assert set(statuses(meeting)) == {"李四"}
    services.meeting_update(cast.branch_secretary, meeting, kind=MeetingKind.GENERAL_ASSEMBLY)
    assert statuses(meeting) == {"张三": "expected", "李四": "expected"}
