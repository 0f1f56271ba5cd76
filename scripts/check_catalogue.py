"""CI check: the zh_Hans catalogue is complete and current.

1. Extract the messages from the code now (Django's makemessages into a scratch copy).
2. Fail if any of them is missing from the committed catalogue, untranslated, or fuzzy.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def extract() -> polib.POFile:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(
            ROOT, work,
            ignore=shutil.ignore_patterns(".venv", "node_modules", "var", ".git", "static"),
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete",
             "--no-location", "-i", "scripts/*", "-i", "conftest.py"],
            cwd=work, env=env, check=True, capture_output=True,
        )
        return polib.pofile(str(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w+)\}")


def _names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def placeholder_problems(entry) -> list[str]:
    """A translation must use the placeholders of its source, no more and no fewer: one
    left over from a fuzzy match (%(year)s where the code passes none) fails at run time."""
    wanted = _names(entry.msgid) | _names(entry.msgid_plural or "")
    texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    return [f"placeholders differ: {entry.msgid!r} -> {text!r}" for text in texts
            if _names(text) != wanted]


def main() -> int:
    committed = polib.pofile(str(CATALOGUE))
    translated = {(e.msgctxt, e.msgid) for e in committed.translated_entries()
                  if not e.obsolete}
    problems = []
    for entry in committed:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
        else:
            problems += placeholder_problems(entry)
    for entry in extract():
        if (entry.msgctxt, entry.msgid) not in translated:
            problems.append(f"not in the catalogue: {entry.msgid!r}")
    for line in sorted(set(problems)):
        print(line)
    if problems:
        print(f"{len(set(problems))} problem(s) in {CATALOGUE.relative_to(ROOT)}; run "
              "`fengling makemessages -l zh_Hans --no-location` and translate them.")
        return 1
    print(f"zh_Hans catalogue complete: {len(translated)} messages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
