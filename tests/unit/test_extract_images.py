"""Photos and scans: OCR after the sheet is found, flattened and turned the right way up."""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

from intake.extract import Kind, extract_file
from intake.extract.imageprep import _clear_edges, find_sheet, flatten
from intake.extract.layout import Word, build_lines
from intake.extract.ocr import _unshear
from tests.extract_support import jpeg, on_table, picture

RENT = [
    "Bostadsbolaget AB",
    "HYRESAVI",
    "Avser: november 2026",
    "Förfallodag: 2026-10-30",
    [(20, "Hyra lägenhet"), (190, "6 850,00", "r")],
    [(20, "Parkering"), (190, "1 000,00", "r")],
    [(20, "Att betala"), (190, "7 850,00", "r")],
]


def test_a_scan_as_png(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    picture(RENT).save(path)
    result = extract_file(path)
    assert (result.kind, result.amount, result.period, result.source) == (
        Kind.rent_notice,
        "7850.00",
        "2026-11",
        "ocr",
    )
    assert result.checks["rows_sum"] is True and result.confidence >= 0.9


def test_a_photo_held_sideways_with_exif_orientation(tmp_path: Path) -> None:
    sideways = on_table(picture(RENT)).rotate(90, expand=True)  # pixels stored turned; EXIF says so
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg(sideways, exif_orientation=6))
    result = extract_file(path)
    assert (result.kind, result.amount, result.period) == (Kind.rent_notice, "7850.00", "2026-11")


def test_an_upside_down_photo_without_exif(tmp_path: Path) -> None:
    path = tmp_path / "upside-down.jpg"
    path.write_bytes(jpeg(on_table(picture(RENT)).rotate(180)))
    result = extract_file(path)
    assert (result.kind, result.amount) == (Kind.rent_notice, "7850.00")


def test_a_heic_photo(tmp_path: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    on_table(picture(RENT)).rotate(2, expand=True, fillcolor=70).convert("RGB").save(
        out, format="HEIF", quality=60
    )
    path = tmp_path / "photo.heic"
    path.write_bytes(out.getvalue())
    result = extract_file(path)
    assert (result.kind, result.amount, result.period) == (Kind.rent_notice, "7850.00", "2026-11")


def test_a_pdf_without_a_text_layer_is_read_by_ocr(tmp_path: Path) -> None:
    from fpdf import FPDF

    buffer = io.BytesIO()
    picture(RENT).save(buffer, format="PNG")
    buffer.seek(0)
    document = FPDF(unit="mm", format="A4")
    document.add_page()
    document.image(buffer, x=0, y=0, w=210, h=297)
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(document.output()))
    result = extract_file(path)
    assert (result.kind, result.amount, result.source) == (Kind.rent_notice, "7850.00", "ocr")


def test_a_blank_page_is_unknown_not_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (1240, 1754), 255).save(path)
    result = extract_file(path)
    assert (result.kind, result.amount, result.error) == (Kind.unknown, None, None)


# --- regressions, each with its own small image --------------------------------------------------


def shaded(image: Image.Image, darkest: float) -> Image.Image:
    """Light falling from the left: the right edge ``darkest`` times as bright."""
    ramp = Image.linear_gradient("L").rotate(90, expand=True).resize(image.size)
    ramp = ramp.point(lambda v: int(255 - (255 - 255 * darkest) * v / 255))
    from PIL import ImageChops

    return ImageChops.multiply(image.convert("L"), ramp)


def test_regression_the_sheet_is_found_under_uneven_light() -> None:
    """A global threshold cut a photo with a dark right half down to its left half (and tesseract
    lost the amounts column); edges are now steps of brightness ratio."""
    photo = shaded(on_table(picture(RENT), margin=100, shade=80), darkest=0.45)
    sheet = find_sheet(photo)
    assert abs(sheet.width / sheet.height - 1240 / 1754) < 0.03  # all of the sheet, no table


def test_regression_a_scan_is_not_cropped() -> None:
    """Otsu's threshold on a white scan fell inside the paper's noise and cropped a scan to a
    strip; a page without a dark surround stays whole."""
    scan = picture(RENT).filter(ImageFilter.GaussianBlur(0.8))
    noisy = Image.blend(scan, Image.effect_noise(scan.size, 30).convert("L"), 0.15)
    sheet = find_sheet(noisy)
    assert abs(sheet.width / sheet.height - noisy.width / noisy.height) < 0.01


def test_regression_a_tilted_photo_is_made_rectangular() -> None:
    """A phone not held flat: rows drifted apart across the page until labels and amounts no
    longer shared a line. The sheet's four edges now give a perspective transform."""
    sheet = on_table(picture(RENT), margin=150, shade=60)
    w, h = sheet.size
    from intake.extract.imageprep import perspective

    tilt = perspective(
        [(0, 0), (w, 0), (w, h), (0, h)], [(0, 0), (w, 40), (w - 30, h - 20), (25, h)]
    )
    tilted = sheet.transform(sheet.size, Image.Transform.PERSPECTIVE, tilt, fillcolor=60)
    flat = flatten(tilted)
    assert abs(flat.width / flat.height - 1240 / 1754) < 0.03


def test_regression_a_dark_band_at_the_edge_is_painted_white() -> None:
    """A sliver of table left along the top made tesseract skip the amounts column."""
    page = picture(RENT)
    ImageDraw.Draw(page).rectangle((0, 0, page.width, 12), fill=30)
    cleared = _clear_edges(page)
    assert cleared.crop((0, 0, page.width, 12)).getextrema() == (255, 255)
    assert (
        cleared.crop((0, 100, page.width, page.height)).tobytes()
        == page.crop((0, 100, page.width, page.height)).tobytes()
    )


def test_regression_textured_paper_is_whitened_for_tesseract() -> None:
    """Paper texture (noise, JPEG) made tesseract's layout analysis take the page for a picture
    and drop whole columns; after evening the light, paper is plain white."""
    page = Image.blend(picture(RENT), Image.effect_noise((1240, 1754), 40).convert("L"), 0.2)
    flat = flatten(page)
    paper = flat.crop((flat.width // 2, flat.height * 3 // 4, flat.width - 10, flat.height - 10))
    assert paper.getextrema()[0] > 200


@pytest.mark.parametrize("slope", [0.0, 0.012, -0.02])
def test_regression_words_of_a_slightly_skewed_line_stay_on_one_line(slope: float) -> None:
    """After a scan rotated by under a degree the amount at the far right sat half a line higher
    than its label: two lines, no amount."""

    def at(text: str, x0: float, x1: float, top: float) -> Word:
        middle = (x0 + x1) / 2
        return Word(text, x0, x1, top + slope * middle, top + 20 + slope * middle)

    words = [at("Att", 100, 150, 500), at("betala", 160, 250, 500)]
    words += [at("7", 1300, 1315, 500), at("850,00", 1325, 1420, 500)]
    words += [at("Hyra", 100, 160, 560), at("6", 1300, 1315, 560), at("850,00", 1325, 1420, 560)]
    ids = [("1", "1", "1")] * 2 + [("2", "1", "1")] * 2 + [("1", "1", "2")] + [("2", "1", "2")] * 2
    for n in range(3):  # long lines of running text, from which tesseract's slope is measured
        words += [at("Lönen", 100, 180, 700 + 60 * n), at("konto", 1200, 1290, 700 + 60 * n)]
        ids += [("3", "1", str(n))] * 2
    straight = _unshear(words, ids)
    lines = build_lines(straight, 0, em_per_height=1 / 0.75)
    assert [line.text for line in lines][:2] == ["Att betala\t7 850,00", "Hyra\t6 850,00"]


def test_regression_a_transparent_screenshot_is_read_on_white(tmp_path: Path) -> None:
    """A PNG with a transparent background turned black when made grey: no text at all."""
    ink = picture(RENT)
    clear = Image.new("RGBA", ink.size, (0, 0, 0, 0))
    clear.putalpha(ink.point(lambda v: 255 - v))  # black text, transparent paper
    path = tmp_path / "screenshot.png"
    clear.save(path)
    result = extract_file(path)
    assert (result.kind, result.amount) == (Kind.rent_notice, "7850.00")
