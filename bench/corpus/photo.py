"""Phone photos and scans of generated PDFs: rotation, blur, uneven light, noise, JPEG/HEIC."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageChops, ImageDraw, ImageFilter


@dataclass
class Photo:
    data: bytes
    suffix: str  # ".jpg", ".heic", ".png"
    note: str  # what was done, for the manifest


def render(pdf: bytes, page: int, dpi: float) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def _shade(image: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Light falling unevenly: a gradient from one side, darkest ``1 - strength``."""
    small = Image.linear_gradient("L").resize((64, 64))
    small = small.rotate(
        rng.uniform(0, 360), resample=Image.Resampling.BILINEAR, expand=False, fillcolor=128
    )
    low, high = int(255 * (1 - strength)), 255
    small = small.point(lambda v: low + (high - low) * v // 255)
    mask = small.resize(image.size, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(8))
    return ImageChops.multiply(image, Image.merge("RGB", [mask, mask, mask]))


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination for the 8 perspective coefficients (no numpy here)."""
    size = len(values)
    rows = [row[:] + [value] for row, value in zip(matrix, values, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def _tilt(
    image: Image.Image, rng: random.Random, amount: float, fill: tuple[int, ...]
) -> Image.Image:
    """A phone not held flat: each corner moved a little (a perspective transform)."""
    w, h = image.size
    target = [(0, 0), (w, 0), (w, h), (0, h)]
    source = [
        (x + rng.uniform(-amount, amount) * w, y + rng.uniform(-amount, amount) * h)
        for x, y in target
    ]
    matrix, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    coefficients = _solve(matrix, values)
    return image.transform(
        image.size,
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=fill,
    )


def phone_photo(pdf: bytes, rng: random.Random, *, page: int = 0, hard: bool = False) -> Photo:
    dpi = rng.uniform(150, 210) if not hard else rng.uniform(115, 150)
    sheet = render(pdf, page, dpi)
    margin = int(sheet.width * rng.uniform(0.03, 0.09))
    table = tuple(rng.randint(60, 140) for _ in range(3))
    canvas = Image.new("RGB", (sheet.width + 2 * margin, sheet.height + 2 * margin), table)
    canvas.paste(
        sheet,
        (
            margin + rng.randint(-margin // 3, margin // 3),
            margin + rng.randint(-margin // 3, margin // 3),
        ),
    )
    angle = rng.uniform(-4, 4) if not hard else rng.uniform(-6, 6)
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    canvas = _tilt(canvas, rng, 0.012 if not hard else 0.025, table)
    canvas = _shade(canvas, rng, rng.uniform(0.15, 0.45 if not hard else 0.6))
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.1 if not hard else 1.6)))
    noise = Image.effect_noise(canvas.size, rng.uniform(6, 18)).convert("RGB")
    canvas = Image.blend(
        canvas, ImageChops.multiply(canvas, noise.point(lambda v: min(255, v + 128))), 0.25
    )
    notes = [f"dpi {dpi:.0f}", f"angle {angle:.1f}"] + (["hard"] if hard else [])
    orientation = None
    roll = rng.random()
    if roll < 0.15:
        canvas = canvas.rotate(90, expand=True)  # the phone held sideways; EXIF says so
        orientation = 6
        notes.append("exif 6")
    elif roll < 0.22:
        canvas = canvas.rotate(180, expand=True)  # upside down, no EXIF: OCR must notice
        notes.append("upside down")
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if rng.random() < 0.2:
        import pillow_heif

        pillow_heif.register_heif_opener()
        canvas.save(out, format="HEIF", quality=rng.randint(30, 50), exif=exif.tobytes())
        return Photo(out.getvalue(), ".heic", ", ".join([*notes, "heic"]))
    quality = rng.randint(55, 85)
    canvas.save(out, format="JPEG", quality=quality, exif=exif.tobytes())
    return Photo(out.getvalue(), ".jpg", ", ".join([*notes, f"jpeg q{quality}"]))


def scanned_pdf(pdf: bytes, rng: random.Random) -> bytes:
    """Every page as a grey, slightly crooked 150-200 dpi image in a PDF without a text layer."""
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    document.close()
    out = FPDF(unit="mm", format="A4")
    for page in range(pages):
        image = render(pdf, page, rng.uniform(150, 200)).convert("L")
        image = image.rotate(
            rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=255
        )
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.6)))
        draw = ImageDraw.Draw(image)
        for _ in range(rng.randint(0, 40)):  # dust
            x, y = rng.randrange(image.width), rng.randrange(image.height)
            draw.point((x, y), fill=rng.randint(0, 120))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=rng.randint(60, 85))
        buffer.seek(0)
        out.add_page()
        out.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(out.output())
