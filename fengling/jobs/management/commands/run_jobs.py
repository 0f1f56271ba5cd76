"""`fengling run_jobs [--once] [--interval SECONDS]`: the background job worker."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fengling.jobs import runner
from fengling.jobs.services import purge_input_files


class Command(BaseCommand):
    help = ("Run queued background jobs (Excel imports, …). For deployments that set "
            "FENGLING_JOBS=worker; by default the web process runs them in a thread. On "
            "start, jobs left running by a process that died are marked failed.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run the jobs queued now, then exit")
        parser.add_argument("--interval", type=float, default=2.0,
                            help="seconds between looks at the queue (default 2)")

    def handle(self, *args, once: bool = False, interval: float = 2.0, **options):
        interrupted = runner.fail_interrupted()
        if interrupted:
            self.stderr.write(f"marked {interrupted} interrupted job(s) failed")
        purge_input_files()
        while True:
            ran = runner.run_pending()
            if ran:
                self.stdout.write(f"ran {ran} job(s)")
            if once:
                return
            time.sleep(max(interval, 0.1))
