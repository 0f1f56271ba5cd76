"""Pluggable senders: how a queued `Delivery` leaves the system.

A sender is any class with `send(delivery) -> SendResult`, named per channel in
`settings.NOTIFY_SENDERS` (see `conf.DEFAULT_SENDERS`). It raises `NotConfigured` when it
cannot work at all (the delivery fails at once, without retries) and any other exception
for a failure worth retrying. Senders run in `send_notifications`, never inside a page.

Shipped: `FileSender` (default for e-mail: one text file per delivery under var/),
`ConsoleSender`, `EmailSender` (Django's e-mail, so EMAIL_BACKEND and EMAIL_HOST apply), and
`SmsSender` / `WeChatSender`, the extension points for an SMS gateway or WeChat Work: they
refuse clearly until a subclass implements `deliver`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from . import conf


class NotConfigured(Exception):  # noqa: N818 - the name says what it means
    """The channel has no working sender: nothing was sent, and retrying will not help."""


@dataclass(frozen=True)
class SendResult:
    """What a sender reports after a successful send: a short receipt (file, message id)."""

    receipt: str = ""


class Sender(Protocol):
    channel: str

    def send(self, delivery) -> SendResult: ...


def compose(delivery) -> tuple[str, str]:
    """(subject, text) of a delivery: the title, then the body and an absolute link."""
    notification = delivery.notification
    parts = [notification.body.strip()]
    if notification.url:
        url = notification.url
        if url.startswith("/"):
            url = conf.site_url() + url
        parts.append(url)
    return notification.title, "\n\n".join(p for p in parts if p)


class ConsoleSender:
    """Prints each delivery to standard output (development)."""

    channel = ""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, delivery) -> SendResult:
        subject, text = compose(delivery)
        self.stream.write(
            f"--- {delivery.channel} to {delivery.address} ---\n{subject}\n\n{text}\n\n"
        )
        self.stream.flush()
        return SendResult("console")


class FileSender:
    """Writes each delivery to `<NOTIFY_FILE_DIR>/<delivery id>-<channel>.txt` (default).

    Written atomically; sending the same delivery again rewrites the same file.
    """

    channel = ""

    def __init__(self, directory=None):
        self.directory = directory or conf.file_dir()

    def send(self, delivery) -> SendResult:
        subject, text = compose(delivery)
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, f"{delivery.pk:010d}-{delivery.channel}.txt")
        content = (
            f"To: {delivery.address}\nChannel: {delivery.channel}\n"
            f"Subject: {subject}\n\n{text}\n"
        )
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return SendResult(path)


class EmailSender:
    """Sends through Django's e-mail (EMAIL_BACKEND, EMAIL_HOST, DEFAULT_FROM_EMAIL)."""

    channel = "email"

    def send(self, delivery) -> SendResult:
        subject, text = compose(delivery)
        message = EmailMessage(subject=subject, body=text,
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[delivery.address])
        message.send(fail_silently=False)
        return SendResult(message.extra_headers.get("Message-ID", "email"))


class ExternalSender:
    """Base of senders that need an outside service (SMS gateway, WeChat Work).

    The extension point: subclass, implement `deliver(address, subject, text) -> str` (the
    provider's message id; raise on failure), and name the subclass in
    `settings.NOTIFY_SENDERS[<channel>]`. Until then `send` raises `NotConfigured`, so a
    delivery is marked failed with a clear reason instead of pretending to be sent.
    """

    channel = ""
    service = ""

    def deliver(self, address: str, subject: str, text: str) -> str:
        raise NotConfigured(
            f"No {self.service} sender is configured: subclass "
            f"{type(self).__module__}.{type(self).__name__}, implement deliver() and name "
            f"it in settings.NOTIFY_SENDERS['{self.channel}']."
        )

    def send(self, delivery) -> SendResult:
        subject, text = compose(delivery)
        return SendResult(self.deliver(delivery.address, subject, text))


class SmsSender(ExternalSender):
    """SMS (短信) through a provider's gateway. A stub until a subclass implements deliver."""

    channel = "sms"
    service = "SMS"


class WeChatSender(ExternalSender):
    """WeChat Work (企业微信) messages; the address is the member's mobile phone, which
    WeChat Work can map to a user id. A stub until a subclass implements deliver."""

    channel = "wechat"
    service = "WeChat"


@cache
def _sender_class(path: str):
    return import_string(path)


def sender_for(channel: str) -> Sender:
    """A sender instance for `channel`, as the settings name it."""
    try:
        path = conf.sender_path(channel)
    except KeyError:
        raise NotConfigured(f"No sender is named for the channel {channel!r}.") from None
    return _sender_class(path)()
