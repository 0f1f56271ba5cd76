"""Several workers draining at once send each delivery exactly once (PostgreSQL)."""

import contextlib
import threading
import time

import pytest
from django.db import connection

from fengling.accounts.models import User
from fengling.notifications import services
from fengling.notifications.models import Delivery, DeliveryStatus, Kind
from fengling.notifications.services import drain_outbox, notify

SENT: list[int] = []
_lock = threading.Lock()


class SlowRecorder:
    def send(self, delivery):
        time.sleep(0.002)
        with _lock:
            SENT.append(delivery.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_delivery_once(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row claim is exercised on PostgreSQL")
    settings.NOTIFY_SENDERS = {"email": f"{__name__}.SlowRecorder"}
    # Let the workers of one process run side by side, as separate processes would.
    monkeypatch.setattr(services, "_drain_lock", contextlib.nullcontext())
    users = [User.objects.create_user(username=f"u{i}", email=f"u{i}@example.org")
             for i in range(60)]
    notify(users, kind=Kind.SYSTEM, title="t", dedupe_key="k")
    SENT.clear()

    def work():
        try:
            drain_outbox(batch=5)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(SENT) == 60 and len(set(SENT)) == 60
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 60


@pytest.mark.django_db(transaction=True)
def test_drain_on_commit_sends_in_a_background_thread(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the background thread needs a database it can share (PostgreSQL)")
    settings.NOTIFY_SENDERS = {"email": f"{__name__}.SlowRecorder"}
    settings.NOTIFY_DRAIN_ON_COMMIT = True
    threads = []
    real = services.start_background_drain
    monkeypatch.setattr(services, "start_background_drain", lambda: threads.append(real()))
    user = User.objects.create_user(username="u", email="u@example.org")
    SENT.clear()
    notify([user], kind=Kind.SYSTEM, title="t", dedupe_key="k")
    (thread,) = threads
    thread.join(timeout=10)
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert len(SENT) == 1
