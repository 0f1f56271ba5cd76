"""Print the README's benchmark table (Markdown) from the bench JSON files.

    .venv/bin/python scripts/bench_table.py docs/bench/district-sqlite.json \
        docs/bench/district-postgresql.json

One row per figure name, one column per file, and the figure's target as `fengling bench`
judges it (`runner.summary_table`), with ✓ or ✗ per database. Requests show p50 / p95 in ms,
the ratio to the floor and the queries of one request ("12 q").
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from fengling.bench import runner  # noqa: E402


def cell(f: dict) -> tuple[str, str, bool | None]:
    """(the figure as text, its target, met?) the way the bench's own summary judges it."""
    line = runner.summary_table([f], "district").splitlines()[1]
    if "seconds" in f:
        text = f"{f['seconds']:,.2f} s"
        if f.get("rows_per_s"):
            text += f" · {f['rows_per_s']:,} rows/s"
        extra = []
        if f.get("ratio_to_read"):
            extra.append(f"×{f['ratio_to_read']} reading the file")
        if f.get("ratio_to_floor"):
            extra.append(f"×{f['ratio_to_floor']} floor")
        if f.get("ratio") is not None and f.get("target_ratio"):
            extra.append(f"×{f['ratio']} of 1×")
        if f.get("queries") is not None:
            extra.append(f"{f['queries']} queries")
        if extra:
            text += " (" + ", ".join(extra) + ")"
        target = line.split("  ")[-1].split(" ok")[0].split(" MISSED")[0].strip()
        if f.get("target_ratio"):
            target = f"≤ ×{f['target_ratio']:.0f} of 1×"
        else:
            target = target.replace("seconds <= ", "≤ ") + " s"
        met = " ok" in line and "MISSED" not in line
        return text, target, met
    text = f"{f['p50_ms']:.1f} / {f['p95_ms']:.1f}"
    extra = []
    if f.get("ratio_to_floor") is not None:
        extra.append(f"×{f['ratio_to_floor']:.0f}")
    if f.get("queries") is not None and not f["name"].startswith("floor."):
        extra.append(f"{f['queries']} q")  # queries of one request (issue 6 asks for them)
    if extra:
        text += " (" + ", ".join(extra) + ")"
    if "errors" in f:
        text += f", {f['errors']} errors, {f.get('requests_per_s')} req/s"
    if f["name"].startswith("floor."):
        return text, "", None
    target = "p95 ≤ " + line.split("p95 <= ")[1].split(" ms")[0] + " ms"
    return text, target, "MISSED" not in line


def main(paths: list[str]) -> None:
    runs = [{f["name"]: f for f in json.loads(Path(p).read_text())} for p in paths]
    names = list(dict.fromkeys(name for run in runs for name in run))
    heads = [runs[i][names[0]].get("database", Path(p).stem) for i, p in enumerate(paths)]
    print("| figure | " + " | ".join(heads) + " | target |")
    print("| --- | " + " | ".join("---" for _ in heads) + " | --- |")
    for name in names:
        cells, target = [], ""
        for run in runs:
            f = run.get(name)
            if f is None:
                cells.append("—")
                continue
            text, target, met = cell(f)
            cells.append(text + ("" if met is None else (" ✓" if met else " ✗")))
        print(f"| `{name}` | " + " | ".join(cells) + f" | {target} |")


if __name__ == "__main__":
    main(sys.argv[1:])
