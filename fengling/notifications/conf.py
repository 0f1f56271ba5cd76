"""The notification settings, with their defaults (documented in docs/notifications.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

DEFAULT_SENDERS = {
    "email": "fengling.notifications.senders.FileSender",
    "sms": "fengling.notifications.senders.SmsSender",
    "wechat": "fengling.notifications.senders.WeChatSender",
}


def channels() -> tuple[str, ...]:
    """The outbound channels that are on. The in-app inbox is always on."""
    return tuple(getattr(settings, "NOTIFY_CHANNELS", ("email",)))


def sender_path(channel: str) -> str:
    senders = {**DEFAULT_SENDERS, **getattr(settings, "NOTIFY_SENDERS", {})}
    return senders[channel]


def file_dir() -> Path:
    return Path(getattr(settings, "NOTIFY_FILE_DIR", settings.BASE_DIR / "var" / "notifications"))


def drain_on_commit() -> bool:
    return bool(getattr(settings, "NOTIFY_DRAIN_ON_COMMIT", False))


def site_url() -> str:
    return str(getattr(settings, "NOTIFY_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5))


def language() -> str:
    """The language notifications are rendered in: the site's default (zh-Hans)."""
    return settings.LANGUAGE_CODE
