"""The 红领学院 certificate as a PDF that renders Chinese on any viewer.

fpdf2 embeds a subset of a CJK font (only the glyphs used: a few KB), so the PDF needs no
font on the reader's machine. The font is found, in order:
1. `settings.CJK_FONT` (env FENGLING_CJK_FONT), a TTF/OTF, or a TTC (Simplified Chinese face);
2. Noto Sans SC TTF from the npm package @expo-google-fonts/noto-sans-sc, installed by
   `make assets` into node_modules/ (pinned in package-lock.json; nothing committed);
3. Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Certificate

NPM_FONT_DIR = Path(settings.BASE_DIR) / "node_modules" / "@expo-google-fonts" / "noto-sans-sc"
DEBIAN_FONT_DIR = Path("/usr/share/fonts/opentype/noto")
# NotoSansCJK-*.ttc holds JP, KR, SC, TC, HK in this order: SC is face 2.
TTC_SC_FACE = 2


class FontMissing(RuntimeError):
    """No CJK font found: run `make assets`, install fonts-noto-cjk or set FENGLING_CJK_FONT."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    face: int = 0


def _font(path: Path) -> FontFile:
    return FontFile(path, TTC_SC_FACE if path.suffix.lower() == ".ttc" else 0)


def find_fonts() -> tuple[FontFile, FontFile]:
    """(regular, bold) font files; the bold falls back to the regular one."""
    configured = getattr(settings, "CJK_FONT", "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(f"FENGLING_CJK_FONT={configured} is not a file")
        return _font(path), _font(path)
    candidates = [
        (NPM_FONT_DIR / "400Regular" / "NotoSansSC_400Regular.ttf",
         NPM_FONT_DIR / "700Bold" / "NotoSansSC_700Bold.ttf"),
        (DEBIAN_FONT_DIR / "NotoSansCJK-Regular.ttc", DEBIAN_FONT_DIR / "NotoSansCJK-Bold.ttc"),
    ]
    for regular, bold in candidates:
        if regular.is_file():
            return _font(regular), _font(bold if bold.is_file() else regular)
    raise FontMissing("no CJK font: run `make assets` or set FENGLING_CJK_FONT")


def _date(day: dt.date) -> str:
    return _("%(year)d-%(month)02d-%(day)02d") % {
        "year": day.year, "month": day.month, "day": day.day}


RED = (178, 34, 34)
GOLD = (191, 144, 0)
INK = (33, 37, 41)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate, A4 landscape, always in Chinese (it is an official document)."""
    regular, bold = find_fonts()
    member = certificate.member
    course = certificate.course
    with translation.override("zh-hans"):
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_title(f"{certificate.title} {certificate.number}")
        pdf.set_author(course.organization.name)
        pdf.set_creator("Fengling")
        pdf.set_auto_page_break(False)
        pdf.add_page()
        pdf.add_font("cjk", "", regular.path, collection_font_number=regular.face)
        pdf.add_font("cjk", "B", bold.path, collection_font_number=bold.face)
        width, height = pdf.w, pdf.h
        # Double red frame with a gold line inside.
        pdf.set_draw_color(*RED)
        pdf.set_line_width(2.2)
        pdf.rect(10, 10, width - 20, height - 20)
        pdf.set_line_width(0.6)
        pdf.rect(15, 15, width - 30, height - 30)
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.3)
        pdf.rect(17.5, 17.5, width - 35, height - 35)

        pdf.set_text_color(*RED)
        pdf.set_font("cjk", "B", 18)
        pdf.set_xy(0, 32)
        pdf.cell(width, 10, _("Red Collar Academy"), align="C")
        pdf.set_font("cjk", "B", 34)
        pdf.set_xy(0, 48)
        pdf.cell(width, 18, certificate.title, align="C")

        pdf.set_text_color(*INK)
        pdf.set_font("cjk", "B", 20)
        pdf.set_xy(40, 84)
        pdf.cell(width - 80, 12, _("Comrade %(name)s:") % {"name": member.name})
        pdf.set_font("cjk", "", 15)
        pdf.set_xy(52, 100)
        pdf.multi_cell(
            width - 104, 10,
            _("of %(organization)s completed “%(course)s” and passed the examination. "
              "This certificate qualifies the holder to work as a party worker.")
            % {"organization": member.organization.name, "course": course.title},
        )

        pdf.set_font("cjk", "", 12)
        rows = [
            (_("Certificate number"), certificate.number),
            (_("Issued on"), _date(certificate.issued_on)),
            (_("Valid until"), _date(certificate.expires_on)),
        ]
        y = 142
        for label, value in rows:
            pdf.set_xy(52, y)
            pdf.cell(34, 8, f"{label}：")
            pdf.cell(80, 8, value)
            y += 9
        pdf.set_font("cjk", "B", 14)
        pdf.set_xy(width - 150, 152)
        pdf.cell(100, 9, course.organization.name, align="R")
        pdf.set_font("cjk", "", 12)
        pdf.set_xy(width - 150, 162)
        pdf.cell(100, 8, _date(certificate.issued_on), align="R")
        # The seal: a red ring with the academy's name.
        pdf.set_draw_color(*RED)
        pdf.set_line_width(1.2)
        pdf.circle(x=width - 68, y=158, radius=17)  # its centre, over the issuer (as a seal)
        if certificate.revoked:
            pdf.set_text_color(*RED)
            pdf.set_font("cjk", "B", 28)
            pdf.set_xy(0, 120)
            pdf.cell(width, 14, _("Revoked"), align="C")
        return bytes(pdf.output())


def certificate_filename(certificate: Certificate) -> str:
    return f"{certificate.number}.pdf"
