"""notify / notify_members / notify_many: idempotent, set-based, queue deliveries."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fengling.accounts.models import User
from fengling.members.models import Member
from fengling.notifications import services
from fengling.notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification
from fengling.notifications.services import Message, notify, notify_many, notify_members
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _kw(**extra):
    return {"kind": Kind.MEETING_NOTICE, "title": "支部党员大会通知", "body": "请准时参加",
            "url": "/meetings/1/", "dedupe_key": "meeting:1:notice", **extra}


def test_notify_creates_one_per_recipient_and_is_idempotent(cast):
    users = [cast.member, cast.branch_secretary]
    assert notify(users, **_kw()) == 2
    assert notify(users, **_kw()) == 0
    assert Notification.objects.filter(dedupe_key="meeting:1:notice").count() == 2
    # A new recipient with the same key gets theirs; the others are not doubled.
    assert notify([*users, cast.street_admin], **_kw()) == 1
    assert Notification.objects.count() == 3


def test_notify_accepts_a_queryset_and_ids_and_skips_repeats(cast):
    assert notify(User.objects.filter(username__in=["member", "auditor"]), **_kw()) == 2
    assert notify([cast.district_admin.pk, cast.district_admin.pk], **_kw()) == 1


def test_notify_query_count_does_not_grow_with_recipients(cast, django_assert_num_queries):
    # Recipient ids, the users' addresses, the keys they have, insert notifications, insert
    # deliveries; plus the savepoint around the writes.
    User.objects.update(email="x@example.org")
    count = User.objects.count()
    with django_assert_num_queries(7):
        assert notify(User.objects.all(), **_kw(dedupe_key="a")) == count
    for i in range(20):
        User.objects.create_user(username=f"extra{i}", email=f"e{i}@example.org")
    with django_assert_num_queries(7):
        assert notify(User.objects.all(), **_kw(dedupe_key="b")) == count + 20
    assert Delivery.objects.count() == 2 * count + 20


def test_inactive_users_get_nothing(cast):
    cast.auditor.is_active = False
    cast.auditor.save()
    assert notify([cast.auditor, cast.member], **_kw()) == 1
    assert not Notification.objects.filter(recipient=cast.auditor).exists()


def test_deliveries_are_queued_per_enabled_channel_with_an_address(cast, settings):
    settings.NOTIFY_CHANNELS = ["email", "sms"]
    cast.member.email = "zhangsan@example.org"
    cast.member.save()
    cast.street_admin.email = ""
    cast.street_admin.save()
    notify([cast.member, cast.street_admin], **_kw())
    rows = {(d.notification.recipient.username, d.channel, d.address)
            for d in Delivery.objects.select_related("notification__recipient")}
    # The member has an e-mail address and, through the member record, a phone; the street
    # administrator has neither: in-app only.
    assert rows == {("member", Channel.EMAIL, "zhangsan@example.org"),
                    ("member", Channel.SMS, cast.member_a.phone)}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    # Nothing more is queued on a repeat.
    notify([cast.member, cast.street_admin], **_kw())
    assert Delivery.objects.count() == 2


def test_nothing_is_sent_inside_notify(cast, mailoutbox, settings):
    settings.NOTIFY_SENDERS = {"email": "fengling.notifications.senders.EmailSender"}
    cast.member.email = "zhangsan@example.org"
    cast.member.save()
    notify([cast.member], **_kw())
    assert mailoutbox == []
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_notify_members_resolves_accounts_and_skips_members_without_one(cast):
    lonely = MemberFactory(organization=cast.branch_a)
    assert notify_members([cast.member_a, cast.secretary_a_member, lonely], **_kw()) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "member", "branch_secretary"}
    assert notify_members(Member.objects.filter(organization=cast.branch_a), **_kw()) == 0


def test_lazy_text_is_stored_in_the_default_language(cast, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("en"):
        notify([cast.member], kind=Kind.SYSTEM, title=gettext_lazy("Members"),
               dedupe_key="lang")
    assert Notification.objects.get().title == "党员"


def test_send_at_delays_visibility_and_delivery(cast):
    later = timezone.now() + dt.timedelta(days=1)
    notify([cast.member], **_kw(send_at=later))
    assert not Notification.objects.for_user(cast.member).exists()
    assert Notification.objects.get().visible_from == later


def test_bad_kind_or_key_is_refused_and_writes_nothing(cast):
    with pytest.raises(ValueError):
        notify([cast.member], **_kw(kind="nonsense"))
    with pytest.raises(ValueError):
        notify([cast.member], **_kw(dedupe_key=""))
    assert not Notification.objects.exists()


def test_notify_many_personal_messages_in_one_go(cast):
    msgs = [Message(recipient_id=u.pk, kind=Kind.BIRTHDAY, title=f"{u.username} 生日快乐",
                    dedupe_key="birthday:2026") for u in (cast.member, cast.auditor)]
    assert notify_many(msgs) == 2
    assert notify_many(msgs) == 0
    assert Notification.objects.get(recipient=cast.auditor).title == "auditor 生日快乐"


def test_drain_on_commit_starts_a_background_drain(cast, settings, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    started = []
    monkeypatch.setattr(services, "start_background_drain", lambda: started.append(1))
    settings.NOTIFY_DRAIN_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        notify([cast.member], **_kw())
    assert started == [1]
    settings.NOTIFY_DRAIN_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True):
        notify([cast.auditor], **_kw())
    assert started == [1]
