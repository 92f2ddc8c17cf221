"""PDF pages: the text layer through pdfplumber (words with positions); OCR for pages without."""

from __future__ import annotations

import io
import re
import time

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image

from intake.extract.layout import Page, Word, build_lines
from intake.extract.limits import LimitExceeded, Limits
from intake.extract.ocr import ocr_page
from intake.extract.result import ErrorCode

# Fewer characters than this on a page means it is a scan (at most a stamp or a page number).
MIN_TEXT_CHARS = 25
# Pages are rendered for OCR at this resolution, or lower when the page is large.
RENDER_DPI = 200
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


class PdfProblem(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_complete(data: bytes) -> None:
    """A PDF ends with ``%%EOF`` (junk after it is tolerated); a cut-off download does not."""
    if b"%%EOF" not in data[-2048:]:
        raise PdfProblem(ErrorCode.truncated, "the PDF is truncated (no end-of-file marker)")


def open_document(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise PdfProblem(ErrorCode.encrypted, "the PDF is protected by a password") from error
        raise PdfProblem(ErrorCode.damaged, "the PDF is damaged and cannot be opened") from error


def read_pdf(data: bytes, limits: Limits, deadline: float) -> list[Page]:
    check_complete(data)
    document = open_document(data)
    try:
        count = len(document)
        if count == 0:
            raise PdfProblem(ErrorCode.damaged, "the PDF has no pages")
        if count > limits.pages:
            raise LimitExceeded(
                ErrorCode.too_many_pages, f"the PDF has {count} pages; the limit is {limits.pages}"
            )
        texts = _text_pages(data)
        pages = []
        for number in range(count):
            text_page = texts[number] if number < len(texts) else None
            if text_page is not None:
                pages.append(text_page)
                continue
            if time.monotonic() > deadline:
                raise LimitExceeded(
                    ErrorCode.time_limit, f"reading took longer than {limits.seconds:g} s"
                )
            pages.append(ocr_page(_render(document[number], limits), number, deadline))
        return pages
    finally:
        document.close()


def _text_pages(data: bytes) -> list[Page | None]:
    """The pages with a usable text layer; None where OCR must read the page."""
    found: list[Page | None] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages):
                words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
                upright = [w for w in words if w.get("upright", True)]
                if sum(len(w["text"]) for w in upright) < MIN_TEXT_CHARS or len(
                    upright
                ) < 0.8 * len(words):
                    found.append(None)
                    continue
                items = [
                    Word(
                        w["text"],
                        float(w["x0"]),
                        float(w["x1"]),
                        float(w["top"]),
                        float(w["bottom"]),
                        size=float(w.get("size") or 0.0),
                        bold=_BOLD.search(str(w.get("fontname", ""))) is not None,
                    )
                    for w in upright
                ]
                boxes = [
                    (float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"]))
                    for r in page.rects[:200]
                    if r["x1"] - r["x0"] > 20 and r["bottom"] - r["top"] > 8
                ]
                found.append(
                    Page(
                        number,
                        float(page.width),
                        float(page.height),
                        build_lines(items, number),
                        boxes=boxes,
                    )
                )
    except Exception as error:  # noqa: BLE001 - pdfminer gave up: the pages go to OCR instead
        if _out_of_memory(error):
            raise LimitExceeded(
                ErrorCode.memory_limit, "the PDF unpacks to more than the memory limit"
            ) from error
        return []
    return found


def _out_of_memory(error: BaseException | None) -> bool:
    """pdfplumber wraps pdfminer's errors; zlib reports a failed allocation as its own error."""
    while error is not None:
        if isinstance(error, MemoryError) or "memory" in str(error).lower():
            return True
        error = (
            error.__cause__
            or error.__context__
            or (error.args[0] if error.args and isinstance(error.args[0], BaseException) else None)
        )
    return False


def _render(page: pdfium.PdfPage, limits: Limits) -> Image.Image:
    width, height = page.get_size()  # points
    dpi = RENDER_DPI
    if width * height * (dpi / 72) ** 2 > limits.render_pixels:
        dpi = 72 * (limits.render_pixels / (width * height)) ** 0.5
    if dpi < 30:
        raise LimitExceeded(ErrorCode.too_many_pixels, "a page is too large to read")
    return page.render(scale=dpi / 72, grayscale=True).to_pil()
