"""The certificate PDF: Chinese text extracts and renders (poppler's pdftotext/pdftoppm)."""

import os
import shutil
import subprocess  # noqa: S404 - fixed poppler commands on our own temporary files
from pathlib import Path

import pytest
from django.conf import settings

from fengling.training import services
from fengling.training.models import Certificate
from fengling.training.pdf import certificate_pdf, find_fonts

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="poppler-utils is not installed",
)


@pytest.fixture
def certificate(cast, training) -> Certificate:
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "88")
    return Certificate.objects.select_related("member__organization", "course__organization") \
        .get(member=cast.member_a)


def test_a_cjk_font_is_found_without_manual_steps():
    regular, bold = find_fonts()
    assert regular.path.is_file() and bold.path.is_file()


def test_the_font_is_embedded_as_a_subset(certificate):
    content = certificate_pdf(certificate)
    assert content.startswith(b"%PDF")
    # Only the glyphs used are embedded: a few KB, not the 10 MB font.
    assert len(content) < 200_000
    assert b"/FontFile2" in content or b"/FontFile3" in content


@needs_poppler
def test_pdf_text_holds_the_chinese_name_title_and_number(certificate, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],  # noqa: S603, S607
                          capture_output=True, text=True, check=True).stdout
    assert "张三" in text
    assert "党务工作者资格证书" in text
    assert "红领学院" in text
    assert "红领学院第一期党务工作者培训班" in text
    assert certificate.number in text
    assert "2029年6月29日" in text


@needs_poppler
def test_pdf_rasterizes(certificate, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate))
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path),  # noqa: S603, S607
                    str(tmp_path / "c")], check=True)
    png = tmp_path / "c.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("FENGLING_WRITE_DOCS_IMAGES") == "1":
        shutil.copyfile(png, Path(settings.BASE_DIR) / "docs" / "certificate.png")


@needs_poppler
def test_a_revoked_certificate_says_so(cast, certificate, tmp_path):
    services.certificate_revoke(cast.district_admin, certificate, "调离党务岗位")
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate))
    text = subprocess.run(["pdftotext", str(path), "-"],  # noqa: S603, S607
                          capture_output=True, text=True, check=True).stdout
    assert "已撤销" in text
