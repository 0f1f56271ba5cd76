"""`fengling send_notifications [--once] [--interval SECONDS] [--batch N]`.

Drains the notification outbox: every due pending delivery is sent once. With `--once` it
sends what is due and exits (for cron: `* * * * * fengling send_notifications --once`);
without it, it keeps running as a worker, looking again every `--interval` seconds. Safe to
run in several processes at once (see `services.drain_outbox`).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fengling.notifications.services import drain_outbox


class Command(BaseCommand):
    help = ("Send the queued notification deliveries (e-mail, SMS, WeChat). --once sends what "
            "is due and exits (cron); otherwise it runs as a worker.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="send what is due, then exit")
        parser.add_argument("--interval", type=float, default=30.0,
                            help="seconds between passes when running as a worker")
        parser.add_argument("--batch", type=int, default=100,
                            help="deliveries claimed per transaction")

    def handle(self, *args, once: bool = False, interval: float = 30.0, batch: int = 100,
               **options):
        while True:
            result = drain_outbox(batch=batch)
            if result.total or once:
                self.stdout.write(
                    f"sent {result.sent}, retrying {result.retried}, failed {result.failed}"
                )
            for error in result.errors[:20]:
                self.stderr.write(error)
            if once:
                return
            time.sleep(interval)
