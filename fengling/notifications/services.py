"""Writing notifications and draining the outbox.

`notify` / `notify_members` / `notify_many` create in-app notifications idempotently (one per
recipient and `dedupe_key`) and queue one `Delivery` per enabled outbound channel the
recipient can be reached on. Nothing is sent inside the caller's request: the outbox is
drained by `fengling send_notifications` (cron), or, when `NOTIFY_DRAIN_ON_COMMIT` is on, by
a background thread started after the caller's transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, close_old_connections, connection, models, transaction
from django.http import Http404
from django.utils import timezone, translation

from . import conf
from .models import Channel, Delivery, DeliveryStatus, Kind, Notification
from .senders import NotConfigured, sender_for

log = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
KEY_MAX = Notification._meta.get_field("dedupe_key").max_length
URL_MAX = Notification._meta.get_field("url").max_length
# A claimed delivery whose worker died is offered again after this long.
STALE_CLAIM = dt.timedelta(minutes=15)
# Waits before retrying a failed send: 1, 5, 30 minutes, then 2 hours.
RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
                dt.timedelta(hours=2))


@dataclass(frozen=True)
class Message:
    """One notification to one user (the unit `notify_many` writes)."""

    recipient_id: int
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    url: str = ""
    organization_id: int | None = None
    send_at: dt.datetime | dt.date | None = None


def render(text) -> str:
    """A string or lazy translation as stored: rendered in the notification language."""
    with translation.override(conf.language()):
        return str(text)


def _moment(value: dt.datetime | dt.date | None, now: dt.datetime) -> dt.datetime:
    """When a notification becomes visible: now, a given time, or a date's local midnight."""
    if value is None:
        return now
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def _user_ids(recipients) -> list[int]:
    if isinstance(recipients, models.QuerySet):
        return list(recipients.values_list("pk", flat=True))
    return [r if isinstance(r, int) else r.pk for r in recipients]


def _addresses(channel: str, email: str, phone: str) -> str:
    if channel == Channel.EMAIL:
        return email or ""
    if channel in (Channel.SMS, Channel.WECHAT):
        return phone or ""
    return ""


def notify(recipients, *, kind: str, title, body="", url: str = "", dedupe_key: str,
           organization=None, send_at=None) -> int:
    """Send one message to each of `recipients` (users or a User QuerySet).

    Idempotent on (recipient, dedupe_key): a recipient who already has a notification with
    this key gets nothing new. Returns how many notifications were created. Title and body
    may be lazy translations; they are stored rendered in the notification language.
    """
    title, body = render(title), render(body)
    org_id = organization.pk if organization is not None else None
    return notify_many(
        Message(recipient_id=uid, kind=kind, title=title, body=body, url=url,
                dedupe_key=dedupe_key, organization_id=org_id, send_at=send_at)
        for uid in dict.fromkeys(_user_ids(recipients))
    )


def notify_members(members, **kwargs) -> int:
    """`notify` the user accounts of `members` (Member objects, ids or a QuerySet).

    Members without an account are skipped (and counted in the log).
    """
    from fengling.accounts.models import User

    if isinstance(members, models.QuerySet):
        member_filter = {"member__in": members.values("pk")}
        wanted = None
    else:
        ids = {m if isinstance(m, int) else m.pk for m in members}
        member_filter = {"member_id__in": ids}
        wanted = len(ids)
    user_ids = list(User.objects.filter(**member_filter).values_list("pk", flat=True))
    if wanted is not None and wanted > len(user_ids):
        log.info("notify %s: %d member(s) have no account and were skipped",
                 kwargs.get("dedupe_key"), wanted - len(user_ids))
    return notify(user_ids, **kwargs)


def notify_many(messages: Iterable[Message]) -> int:
    """Write many messages at once, set-based: one query for the recipients, one for the
    keys they already have, one insert of notifications and one of deliveries.

    Inactive or unknown users are skipped. Returns how many notifications were created.
    """
    messages = list(messages)
    if not messages:
        return 0
    for m in messages:
        if m.kind not in Kind.values:
            raise ValueError(f"Unknown notification kind {m.kind!r}: add it to Kind.")
        if not m.dedupe_key or len(m.dedupe_key) > KEY_MAX:
            raise ValueError("A notification needs a dedupe_key of 1 to 200 characters.")
        if len(m.url) > URL_MAX:
            raise ValueError("A notification link is at most 500 characters.")
    try:
        with transaction.atomic():
            created = _write(messages)
    except IntegrityError:
        # Another process wrote some of the same keys meanwhile: the second pass skips them.
        with transaction.atomic():
            created = _write(messages)
    if created and conf.drain_on_commit():
        transaction.on_commit(start_background_drain)
    return created


def _write(messages: list[Message]) -> int:
    from fengling.accounts.models import User

    ids = {m.recipient_id for m in messages}
    people = {
        pk: (email, phone)
        for pk, email, phone in User.objects.filter(pk__in=ids, is_active=True)
        .values_list("pk", "email", "member__phone")
    }
    keys = {m.dedupe_key for m in messages}
    existing = set(
        Notification.objects.filter(recipient_id__in=people.keys(), dedupe_key__in=keys)
        .values_list("recipient_id", "dedupe_key")
    )
    now = timezone.now()
    rows: list[Notification] = []
    seen: set[tuple[int, str]] = set()
    for m in messages:
        pair = (m.recipient_id, m.dedupe_key)
        if m.recipient_id not in people or pair in existing or pair in seen:
            continue
        seen.add(pair)
        rows.append(Notification(
            recipient_id=m.recipient_id, kind=m.kind, title=str(m.title)[:TITLE_MAX],
            body=str(m.body), url=m.url, dedupe_key=m.dedupe_key,
            organization_id=m.organization_id, created_at=now,
            visible_from=_moment(m.send_at, now),
        ))
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, batch_size=500)
    deliveries = []
    for row in rows:
        email, phone = people[row.recipient_id]
        for channel in conf.channels():
            address = _addresses(channel, email, phone)
            if address:
                deliveries.append(Delivery(notification_id=row.pk, channel=channel,
                                           address=address, due_at=row.visible_from,
                                           created_at=now))
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=500)
    return len(rows)


# --- Read state -----------------------------------------------------------------------------


def access_notification(user, pk) -> Notification:
    """`user`'s own notification `pk`; anyone else's is 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    notification = Notification.objects.for_user(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def mark_read(user, pk) -> Notification:
    """Mark one of `user`'s notifications read (404 if it is not theirs)."""
    notification = access_notification(user, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    """Mark every due notification of `user` read; returns how many changed."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


# --- The outbox -----------------------------------------------------------------------------


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


# One drain at a time per process: SQLite has a single writer, and background threads
# started by several commits should queue rather than contend.
_drain_lock = threading.Lock()


def drain_outbox(*, batch: int = 100, limit: int | None = None) -> DrainResult:
    """Send every due pending delivery once; safe to run in several processes at once.

    A batch is claimed in a short transaction (PostgreSQL: `SELECT … FOR UPDATE SKIP
    LOCKED`, so concurrent workers take different rows; everywhere: a conditional UPDATE
    from pending to sending, so a row is claimed by exactly one worker), then sent outside
    any transaction and marked sent, or failed, or pending again for a retry.
    """
    result = DrainResult()
    with _drain_lock:
        _release_stale_claims()
        while limit is None or result.total < limit:
            size = batch if limit is None else min(batch, limit - result.total)
            token, claimed = _claim(size)
            if not claimed:
                break
            _send_batch(token, claimed, result)
    return result


def _release_stale_claims() -> int:
    cutoff = timezone.now() - STALE_CLAIM
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.PENDING, claim=""
    )


def _claim(size: int) -> tuple[str, list[Delivery]]:
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING, due_at__lte=now).order_by(
            "due_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return token, []
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claim=token, claimed_at=now,
            attempts=models.F("attempts") + 1,
        )
    claimed = list(
        Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
        .select_related("notification").order_by("due_at", "pk")
    )
    return token, claimed


def _send_batch(token: str, claimed: list[Delivery], result: DrainResult) -> None:
    sent_ids = []
    for delivery in claimed:
        try:
            sender_for(delivery.channel).send(delivery)
        except NotConfigured as exc:
            _fail(token, delivery, str(exc), retry=False, result=result)
        except Exception as exc:
            log.warning("Sending delivery %s failed: %s", delivery.pk, exc)
            _fail(token, delivery, f"{type(exc).__name__}: {exc}", retry=True, result=result)
        else:
            sent_ids.append(delivery.pk)
    if sent_ids:
        Delivery.objects.filter(pk__in=sent_ids, claim=token).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        result.sent += len(sent_ids)


def _fail(token: str, delivery: Delivery, error: str, *, retry: bool,
          result: DrainResult) -> None:
    result.errors.append(f"{delivery.pk}: {error}")
    if retry and delivery.attempts < conf.max_attempts():
        delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
        Delivery.objects.filter(pk=delivery.pk, claim=token).update(
            status=DeliveryStatus.PENDING, claim="", last_error=error,
            due_at=timezone.now() + delay,
        )
        result.retried += 1
    else:
        Delivery.objects.filter(pk=delivery.pk, claim=token).update(
            status=DeliveryStatus.FAILED, last_error=error
        )
        result.failed += 1


def start_background_drain() -> threading.Thread:
    """Drain the outbox in a daemon thread (used after commit when NOTIFY_DRAIN_ON_COMMIT)."""
    thread = threading.Thread(target=_drain_in_thread, name="fengling-outbox", daemon=True)
    thread.start()
    return thread


def _drain_in_thread() -> None:
    close_old_connections()
    try:
        drain_outbox()
    except Exception:
        log.exception("Background outbox drain failed")
    finally:
        connection.close()
