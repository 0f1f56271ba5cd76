"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib (no system gettext needed)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
