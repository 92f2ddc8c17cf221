"""A photo too blurred to read is said to be blurred (issue 12 item 4), and a sharp one never is."""

from __future__ import annotations

import io
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image, ImageFilter, ImageOps

from intake.extract.reader import read_bytes
from intake.extract.result import ErrorCode, Kind
from intake.extract.sharpness import BLURRED_BELOW, is_blurred, sharpness

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
PHOTOS = sorted(p for p in FIXTURES.glob("*-photo.*"))
pillow_heif.register_heif_opener()


def photo(path: Path, blur: float = 0.0) -> Image.Image:
    image = ImageOps.exif_transpose(Image.open(path))
    assert image is not None
    image = image.convert("RGB")
    return image.filter(ImageFilter.GaussianBlur(blur * image.size[0] / 1200)) if blur else image


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.name)
def test_sharp_photos_measure_sharp_and_blurred_ones_blurred(path: Path) -> None:
    assert sharpness(photo(path)) > BLURRED_BELOW + 0.05
    assert sharpness(photo(path, blur=2.0)) < BLURRED_BELOW


def test_an_empty_picture_is_neither_sharp_nor_blurred() -> None:
    blank = Image.new("L", (800, 1100), 250)
    assert sharpness(blank) == 0.0 and not is_blurred(blank)


def test_a_blurred_photo_is_unreadable_with_its_reason() -> None:
    path = FIXTURES / "rent_notice-000-slip-photo.heic"
    result = read_bytes(jpeg(photo(path, blur=2.5)))
    assert result.kind is Kind.unreadable
    assert result.error_code is ErrorCode.blurred


def test_a_sharp_photo_is_read_as_before() -> None:
    path = FIXTURES / "rent_notice-000-slip-photo.heic"
    result = read_bytes(jpeg(photo(path)))
    assert result.error_code is None and result.kind is Kind.rent_notice
    assert result.amount_ore == 838300
