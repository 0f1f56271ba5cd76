"""Meeting pages: scope of every page (outside 404, read-only 403), the list's filters and
pinned query count, the meeting page, sign-in from a phone, the themed-day button, the push
and the compliance page."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengling.meetings import services
from fengling.meetings.models import Attendance, Meeting, MeetingFile

from .helpers import at, library, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cast):
    m = schedule(cast.branch_secretary, cast.branch_a)
    MeetingFile.objects.create(meeting=m, kind="document", name="a.pdf", size=5,
                               file=SimpleUploadedFile("a.pdf", b"%PDF-"))
    return m


def page(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {})


def meeting_urls(m):
    f = m.files.first()
    return {
        "detail": ("get", reverse("meetings:detail", args=[m.pk])),
        "edit": ("get", reverse("meetings:edit", args=[m.pk])),
        "qr": ("get", reverse("meetings:qr", args=[m.pk])),
        "download": ("get", reverse("meetings:download", args=[m.pk, f.pk])),
        "state": ("post", reverse("meetings:transition", args=[m.pk])),
        "attendance": ("post", reverse("meetings:attendance", args=[m.pk])),
        "upload": ("post", reverse("meetings:upload", args=[m.pk])),
        "vote": ("post", reverse("meetings:vote", args=[m.pk])),
    }


READS = {"detail", "download"}


@pytest.mark.parametrize("name", ["detail", "edit", "qr", "download", "state", "attendance",
                                  "upload", "vote"])
@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [("branch_secretary", 200, 200), ("community_secretary", 200, 200),
     ("auditor", 200, 403), ("outsider_secretary", 404, 404), ("member", 404, 404)],
)
def test_meeting_pages_scope(client, cast, meeting, name, who, reads, writes):
    method, url = meeting_urls(meeting)[name]
    response = page(client, getattr(cast, who), url, method)
    expected = reads if name in READS else writes
    if expected == 200 and method == "post":
        assert response.status_code == 302  # back to the meeting page
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "meetings", "party_day", "push"),
    [
        ("district_admin", 200, 200, 200),
        ("street_admin", 200, 200, 200),
        ("branch_secretary", 200, 200, 404),  # street 1 is above the secretary's branch
        ("auditor", 200, 200, 200),
        ("outsider_secretary", 404, 404, 404),
        # A member has no organization pages (their own meetings are on "My meetings").
        ("member", 403, 404, 403),
    ],
)
def test_organization_pages_scope(client, cast, who, meetings, party_day, push):
    user = getattr(cast, who)
    org = cast.branch_a.pk
    for url in (f"{reverse('meetings:list')}?organization={org}",
                f"{reverse('meetings:compliance')}?organization={org}"):
        assert page(client, user, url).status_code == meetings, url
    url = f"{reverse('meetings:party_day')}?organization={org}"
    assert page(client, user, url).status_code == party_day
    url = f"{reverse('meetings:push')}?organization={cast.street1.pk}"
    assert page(client, user, url).status_code == push


def test_create_page_scope(client, cast):
    url = f"{reverse('meetings:create')}?organization={cast.branch_a.pk}"
    assert page(client, cast.branch_secretary, url).status_code == 200
    assert page(client, cast.auditor, url).status_code == 403
    assert page(client, cast.outsider_secretary, url).status_code == 404


def test_create_form_plans_a_meeting_and_shows_errors(client, cast):
    url = f"{reverse('meetings:create')}?organization={cast.branch_a.pk}"
    data = {"kind": "lecture", "topic": "党课", "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T08:00", "place": ""}
    response = page(client, cast.branch_secretary, url, "post", data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert response.context["form"].errors["ends_at"]
    assert response.context["form"].errors["place"]
    data.update(ends_at="2030-01-01T10:00", place="会议室")
    response = page(client, cast.branch_secretary, url, "post", data)
    m = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[m.pk])
    assert m.attendance.count() == 2


def test_list_filters_and_pins_its_query_count(client, cast, django_assert_num_queries):
    schedule(cast.branch_secretary, cast.branch_a, kind="lecture")
    url = reverse("meetings:list")
    client.force_login(cast.street_admin)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["page"].paginator.count == 1
    for i in range(6):
        schedule(cast.community_secretary, cast.branch_a2, kind="committee",
                 start=at(2026, 4, 1 + i, 9))
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["page"].paginator.count == 7
    response = client.get(url, {"kind": "lecture"})
    assert response.context["page"].paginator.count == 1
    response = client.get(url, {"start": "2026-04-03", "end": "2026-04-04"})
    assert response.context["page"].paginator.count == 2
    response = client.get(url, {"organization": cast.branch_a2.pk, "state": "held"})
    assert response.context["page"].paginator.count == 0


def test_meeting_page_shows_attendance_and_qr_for_those_who_run_it(client, cast, meeting):
    url = reverse("meetings:detail", args=[meeting.pk])
    html = page(client, cast.branch_secretary, url).content.decode()
    assert "张三" in html and "李四" in html
    assert reverse("meetings:qr", args=[meeting.pk]) in html
    assert meeting.signin_token in html
    html = page(client, cast.auditor, url).content.decode()
    assert "张三" in html and meeting.signin_token not in html
    svg = page(client, cast.branch_secretary, reverse("meetings:qr", args=[meeting.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in svg.content


def test_attendance_form_records_and_refuses_leave_without_reason(client, cast, meeting):
    url = reverse("meetings:attendance", args=[meeting.pk])
    data = {f"status_{cast.member_a.pk}": "leave", f"reason_{cast.member_a.pk}": ""}
    page(client, cast.branch_secretary, url, "post", data)
    assert Attendance.objects.get(member=cast.member_a).status == "expected"
    data[f"reason_{cast.member_a.pk}"] = "生病"
    page(client, cast.branch_secretary, url, "post", data)
    assert Attendance.objects.get(member=cast.member_a).status == "leave"


def test_upload_refuses_wrong_type_with_a_message(client, cast, meeting):
    url = reverse("meetings:upload", args=[meeting.pk])
    client.force_login(cast.branch_secretary)
    response = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert meeting.files.count() == 1
    assert "不接受" in response.content.decode() or "not accepted" in response.content.decode()


@pytest.fixture
def open_meeting(cast):
    m = schedule(cast.branch_secretary, cast.branch_a, start=at(2026, 3, 10, 9))
    services.meeting_transition(cast.branch_secretary, m, "notified", now=at(2026, 3, 1))
    return m


def test_signin_page_needs_login_and_signs_in_once(client, cast, open_meeting, settings):
    settings.LANGUAGE_CODE = "en"
    url = reverse("meetings:signin", args=[open_meeting.signin_token])
    assert client.get(url).status_code == 302  # to the login page
    with time_machine.travel(at(2026, 3, 10, 7, 0), tick=False):
        client.force_login(cast.member)
        response = client.post(url)
        assert response.status_code == 400 and "Sign-in opens at 2026-03-10 08:30" in \
            response.content.decode()
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        client.force_login(cast.member)
        response = client.get(url)
        assert 'name="viewport"' in response.content.decode() and response.status_code == 200
        assert client.post(url).status_code == 200
        response = client.post(url)
        assert response.status_code == 400 and "already signed in" in response.content.decode()
    assert Attendance.objects.get(member=cast.member_a).status == "present"
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        client.force_login(cast.outsider_secretary)
        assert "not linked to a member" in client.post(url).content.decode()
        assert client.get(reverse("meetings:signin", args=["wrong-token"])).status_code == 404


def test_my_meetings(client, cast, open_meeting):
    with time_machine.travel(at(2026, 3, 5, 9, 0), tick=False):
        response = page(client, cast.member, reverse("meetings:mine"))
    assert open_meeting.topic in response.content.decode()
    assert open_meeting.signin_token in response.content.decode()
    assert page(client, cast.district_admin, reverse("meetings:mine")).status_code == 404


def test_party_day_button_is_idempotent(client, cast):
    url = f"{reverse('meetings:party_day')}?organization={cast.branch_a.pk}"
    today = dt.date.today()
    lib = library()
    data = {"action": "create", "month": f"{today:%Y-%m}",
            "theme": lib[0].pk,
            "template": lib[1].pk}
    first = page(client, cast.branch_secretary, url, "post", data)
    second = page(client, cast.branch_secretary, url, "post", data)
    assert Meeting.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert page(client, cast.auditor, url, "post", data).status_code == 403
    assert page(client, cast.branch_secretary,
                f"{reverse('meetings:party_day')}?organization={cast.community_a.pk}"
                ).status_code == 404  # a community committee holds no themed day itself


def test_party_day_setting(client, cast):
    url = f"{reverse('meetings:party_day')}?organization={cast.branch_a.pk}"
    page(client, cast.branch_secretary, url, "post", {"action": "setting", "day_of_month": "40"})
    assert services.party_day_of(cast.branch_a) == 15
    page(client, cast.branch_secretary, url, "post", {"action": "setting", "day_of_month": "8"})
    assert services.party_day_of(cast.branch_a) == 8


def test_push_page_and_who_has_held_it(client, cast):
    url = f"{reverse('meetings:push')}?organization={cast.street1.pk}"
    lib = library()
    data = {"month": f"{dt.date.today():%Y-%m}", "theme": lib[0].pk,
            "template": lib[1].pk}
    assert page(client, cast.auditor, url, "post", data).status_code == 403
    response = page(client, cast.street_admin, url, "post", data)
    assert response.status_code == 302
    assert Meeting.objects.count() == 3
    status = page(client, cast.street_admin, response["Location"])
    assert status.status_code == 200
    assert [r.state for r in status.context["rows"]] == ["notified"] * 3
    assert status.context["held"] == 0 and status.context["not_held"] == 3
    assert page(client, cast.outsider_secretary, response["Location"]).status_code == 404
    assert page(client, cast.auditor, response["Location"]).status_code == 200


def test_compliance_page(client, cast):
    m = schedule(cast.branch_secretary, cast.branch_a, kind="party_day",
                 start=at(2025, 1, 15, 9))
    services.meeting_transition(cast.branch_secretary, m, "held", now=at(2025, 2, 1))
    url = reverse("meetings:compliance")
    response = page(client, cast.community_secretary, url, "get",
                    {"organization": cast.community_a.pk, "start": "2025-01-01",
                     "end": "2025-12-31"})
    report = response.context["report"]
    assert [r.organization.name for r in report.children] == ["望春社区第一支部",
                                                              "望春社区第二支部"]
    assert report.children[0].kinds["party_day"][:2] == [12, 1]
    assert 'id="compliance-table"' in response.content.decode()


def test_meeting_page_query_count_does_not_grow_with_attendance(client, cast, meeting,
                                                                 django_assert_num_queries):
    url = reverse("meetings:detail", args=[meeting.pk])
    client.force_login(cast.branch_secretary)
    with django_assert_num_queries(8):
        client.get(url)
    from fengling.testing.factories import MemberFactory

    for i in range(10):
        MemberFactory(organization=cast.branch_a, name=f"新党员{i}")
    services.attendance_sync([meeting])
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["attendance"]) == 12


def test_edit_form_saves_minutes_and_refuses_a_bad_time(client, cast, meeting):
    url = reverse("meetings:edit", args=[meeting.pk])
    data = {"kind": meeting.kind, "topic": "学习会", "starts_at": "2026-03-10T09:00",
            "ends_at": "2026-03-10T11:00", "place": "党群服务中心",
            "minutes": "会议记录正文", "resolutions": "决议一", "host": cast.member_a.pk}
    response = page(client, cast.branch_secretary, url, "post", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.resolutions, meeting.host) == ("会议记录正文", "决议一",
                                                                    cast.member_a)
    data["ends_at"] = "2026-03-10T08:00"
    response = page(client, cast.branch_secretary, url, "post", data)
    assert response.status_code == 200 and response.context["form"].errors["ends_at"]
    meeting.refresh_from_db()
    assert meeting.ends_at == at(2026, 3, 10, 11)
    # The host must be a member of the organization (the form offers no one else).
    data.update(ends_at="2026-03-10T11:00", host=cast.member_b.pk)
    response = page(client, cast.branch_secretary, url, "post", data)
    assert response.status_code == 200 and response.context["form"].errors["host"]


def test_cancelled_meeting_cannot_be_edited(cast, meeting):
    services.meeting_transition(cast.branch_secretary, meeting, "cancelled", reason="台风")
    meeting.refresh_from_db()
    with pytest.raises(services.ValidationError):
        services.meeting_update(cast.branch_secretary, meeting, topic="新")
