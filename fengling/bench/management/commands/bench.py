import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengling.bench import runner


class Command(BaseCommand):
    help = (
        "Benchmark Fengling on its own database (var/bench-<scale>.sqlite3, or "
        "<db>_bench_<scale> on PostgreSQL; never yours): seed the demo district if absent, "
        "then time pages and the API as a community secretary and as the district admin. "
        "Prints a JSON list of figures to stdout ({name, p50_ms, p95_ms, ratio_to_floor}, "
        "or {name, seconds, rows_per_s} for bulk work) and a table to stderr. "
        "ratio_to_floor is a figure's p50 divided by the p50 of a minimal Django view "
        "(/healthz), the floor. Exits non-zero on errors (a non-200 answer), not on missed "
        "targets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=runner.SCALES, default="small",
                            help="size of the demo district (default small)")
        parser.add_argument("--json", dest="json_file", metavar="FILE",
                            help="also write the figures to FILE")
        parser.add_argument(
            "--requests", type=int, metavar="N",
            help="timed requests per figure, after 5 warm-up ones "
                 f"(default {runner.DEFAULT_REQUESTS['small']} at small scale, "
                 f"{runner.DEFAULT_REQUESTS['district']} at district scale)",
        )
        parser.add_argument("--rebuild", action="store_true",
                            help="drop the bench database and seed it afresh")
        parser.add_argument(
            "--scan-scaling", action="store_true",
            help="also time the warning scan on 4x the district's data (copied inside a "
                 "rolled-back transaction) against the 1x scan: figure alerts.scan_scaling")

    def handle(self, *args, scale, json_file, requests, rebuild, scan_scaling=False,
               **options):
        if requests is not None and requests < 1:
            raise CommandError("--requests must be at least 1")

        def log(line):
            self.stderr.write(line)

        try:
            if os.environ.get(runner.CHILD_ENV) == "1":
                outcome = runner.run_child(scale, requests, rebuild, log,
                                           scan_scaling=scan_scaling)
                Path(os.environ[runner.RESULT_ENV]).write_text(
                    json.dumps({"figures": outcome.figures, "errors": outcome.errors})
                )
                return
            outcome = runner.run_parent(scale, requests, rebuild, log,
                                         scan_scaling=scan_scaling)
        except runner.BenchError as exc:
            raise CommandError(str(exc)) from exc

        self.stderr.write("")
        self.stderr.write(runner.summary_table(outcome.figures, scale))
        text = json.dumps(outcome.figures, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        if json_file:
            Path(json_file).write_text(text + "\n")
        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(self.style.ERROR(f"error: {error}"))
            sys.exit(1)
