"""Senders and the outbox drain: each delivery is sent once; failures are recorded."""

import io
import os

import pytest
from django.core.management import call_command

from fengling.notifications.models import Delivery, DeliveryStatus, Kind
from fengling.notifications.senders import (
    ConsoleSender,
    FileSender,
    NotConfigured,
    SmsSender,
    WeChatSender,
)
from fengling.notifications.services import drain_outbox, notify

pytestmark = pytest.mark.django_db

EMAIL_SENDER = "fengling.notifications.senders.EmailSender"


@pytest.fixture
def queued(cast):
    """The member (with an e-mail address) has one queued e-mail delivery."""
    cast.member.email = "zhangsan@example.org"
    cast.member.save()
    notify([cast.member], kind=Kind.MEETING_NOTICE, title="支部党员大会通知",
           body="7月1日 9:00 在党群服务中心召开", url="/meetings/7/", dedupe_key="m7")
    return Delivery.objects.select_related("notification").get()


def test_file_sender_writes_the_message(queued, tmp_path, settings):
    settings.NOTIFY_FILE_DIR = tmp_path
    assert drain_outbox().sent == 1
    (written,) = tmp_path.iterdir()
    text = written.read_text(encoding="utf-8")
    assert "To: zhangsan@example.org" in text
    assert "Subject: 支部党员大会通知" in text
    assert "7月1日 9:00 在党群服务中心召开" in text
    assert "http://127.0.0.1:8000/meetings/7/" in text
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.SENT and queued.attempts == 1
    assert queued.sent_at is not None


def test_file_sender_rewrites_the_same_file_for_the_same_delivery(queued, tmp_path):
    sender = FileSender(directory=tmp_path)
    first = sender.send(queued).receipt
    second = sender.send(queued).receipt
    assert first == second and len(os.listdir(tmp_path)) == 1


def test_email_sender_uses_django_mail(queued, settings, mailoutbox):
    settings.NOTIFY_SENDERS = {"email": EMAIL_SENDER}
    assert drain_outbox().sent == 1
    (mail,) = mailoutbox
    assert mail.to == ["zhangsan@example.org"]
    assert mail.subject == "支部党员大会通知"
    assert "http://127.0.0.1:8000/meetings/7/" in mail.body


def test_console_sender_prints(queued):
    out = io.StringIO()
    ConsoleSender(stream=out).send(queued)
    assert "支部党员大会通知" in out.getvalue() and "zhangsan@example.org" in out.getvalue()


def test_outbox_is_drained_once(queued, settings, mailoutbox):
    settings.NOTIFY_SENDERS = {"email": EMAIL_SENDER}
    assert drain_outbox().sent == 1
    assert drain_outbox().total == 0
    call_command("send_notifications", "--once", stdout=io.StringIO())
    assert len(mailoutbox) == 1


def test_a_claimed_delivery_is_not_sent_by_another_worker(queued, settings, mailoutbox):
    settings.NOTIFY_SENDERS = {"email": EMAIL_SENDER}
    # Another worker holds the claim (status sending): this one leaves it alone.
    Delivery.objects.update(status=DeliveryStatus.SENDING, claim="other",
                            claimed_at=queued.created_at.now(tz=queued.created_at.tzinfo))
    assert drain_outbox().total == 0
    assert mailoutbox == []


def test_sms_and_wechat_stubs_refuse_clearly(queued):
    for sender in (SmsSender(), WeChatSender()):
        with pytest.raises(NotConfigured, match="NOTIFY_SENDERS"):
            sender.send(queued)


def test_not_configured_channel_fails_at_once_with_the_reason(cast, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    notify([cast.member], kind=Kind.SYSTEM, title="t", dedupe_key="k")
    result = drain_outbox()
    assert (result.sent, result.failed) == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "No SMS sender is configured" in delivery.last_error
    assert drain_outbox().total == 0


class Flaky:
    calls = 0

    def send(self, delivery):
        Flaky.calls += 1
        raise ConnectionError("SMTP server went away")


def test_a_failed_send_is_retried_later_then_given_up(queued, settings, monkeypatch):
    import datetime as dt

    import time_machine

    settings.NOTIFY_SENDERS = {"email": f"{__name__}.Flaky"}
    settings.NOTIFY_MAX_ATTEMPTS = 2
    assert drain_outbox().retried == 1
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.PENDING and queued.attempts == 1
    assert "SMTP server went away" in queued.last_error
    # Not due again straight away.
    assert drain_outbox().total == 0
    with time_machine.travel(queued.due_at + dt.timedelta(seconds=1)):
        assert drain_outbox().failed == 1
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.FAILED and queued.attempts == 2
    assert Flaky.calls == 2


def test_send_notifications_command_reports(queued, settings):
    settings.NOTIFY_SENDERS = {"email": EMAIL_SENDER}
    out = io.StringIO()
    call_command("send_notifications", "--once", stdout=out)
    assert "sent 1" in out.getvalue()
