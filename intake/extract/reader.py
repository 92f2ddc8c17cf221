"""Read one file in this process: its type from magic bytes, then its pages, then what they say.

Use ``intake.extract.sandbox.extract_file`` for files from outside: it runs this in a child
process under memory and time limits.
"""

from __future__ import annotations

import io
import subprocess
import time
import warnings

from PIL import Image, ImageOps

from intake.extract.filetype import FileType, detect
from intake.extract.interpret import interpret
from intake.extract.limits import LimitExceeded, Limits
from intake.extract.ocr import OcrUnavailable, ocr_page
from intake.extract.pdf import PdfProblem, read_pdf
from intake.extract.result import ErrorCode, Extraction, Kind
from intake.extract.sharpness import is_blurred


def read_bytes(data: bytes, limits: Limits | None = None, explain: bool = False) -> Extraction:
    """What a document says. Never raises for a bad file: it answers ``unreadable``."""
    limits = limits or Limits()
    deadline = time.monotonic() + limits.seconds
    if not data:
        return Extraction.unreadable(ErrorCode.empty, "the file is empty")
    kind = detect(data[:1024])
    if kind is None:
        return Extraction.unreadable(
            ErrorCode.unsupported_type, "not a PDF, JPEG, PNG or HEIC file"
        )
    image = None
    blurred = False
    try:
        if kind is FileType.pdf:
            pages = read_pdf(data, limits, deadline)
        else:
            image = _open_image(data, kind, limits)
            blurred = is_blurred(image)
            pages = [ocr_page(image, 0, deadline)]
    except (PdfProblem, LimitExceeded) as problem:
        return Extraction.unreadable(problem.code, str(problem))
    except OcrUnavailable as problem:
        return Extraction.unreadable(ErrorCode.ocr_unavailable, str(problem))
    except MemoryError:
        return Extraction.unreadable(
            ErrorCode.memory_limit, "reading needed more memory than allowed"
        )
    except Image.DecompressionBombError:
        return Extraction.unreadable(ErrorCode.too_many_pixels, "the image has too many pixels")
    except (TimeoutError, subprocess.TimeoutExpired):
        return Extraction.unreadable(
            ErrorCode.time_limit, f"reading took longer than {limits.seconds:g} s"
        )
    except _BrokenImage as problem:
        return Extraction.unreadable(problem.code, str(problem))
    result = interpret(pages, explain=explain)
    if image is not None and _worth_a_second_look(result):
        try:
            other = interpret([ocr_page(image, 0, deadline, second_look=True)], explain=explain)
        except (LimitExceeded, OcrUnavailable, TimeoutError, subprocess.TimeoutExpired):
            return result  # the first reading stands
        result = vote(result, other)
    if blurred and not _read_well(result):
        # Said as its own reason, so that the applicant is asked for a sharper photo.
        return Extraction.unreadable(ErrorCode.blurred, "the photo is too blurred to read")
    return result


def _read_well(result: Extraction) -> bool:
    return result.amount_ore is not None and result.confidence >= 0.6


# A photo read with less confidence than this is read a second time, binarised, and the two
# readings vote.
VOTE_BELOW = 0.9


def _worth_a_second_look(result: Extraction) -> bool:
    return result.kind not in (Kind.unreadable, Kind.unknown) and result.confidence < VOTE_BELOW


def vote(first: Extraction, second: Extraction) -> Extraction:
    """Two OCR readings of one photo: agreeing on the amount, the surer one stands; disagreeing,
    the surer one stands with its confidence held low (one of them misread a digit)."""
    if second.kind is not first.kind or second.amount_ore is None:
        return first
    if first.amount_ore is None:
        return second
    best = max(first, second, key=lambda r: r.confidence)
    if first.amount_ore != second.amount_ore:
        best.confidence = min(best.confidence, 0.6)
    return best


class _BrokenImage(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def _open_image(data: bytes, kind: FileType, limits: Limits) -> Image.Image:
    """Decode an image whose stated size is within the limit, turned as its EXIF says."""
    if kind is FileType.heif:
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: the limit below decides
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise
    except Exception as error:  # noqa: BLE001 - any decoder complaint means a broken file
        raise _BrokenImage(
            ErrorCode.damaged, "the image is damaged and cannot be opened"
        ) from error
    width, height = image.size
    if width * height > limits.pixels:
        raise LimitExceeded(
            ErrorCode.too_many_pixels,
            f"the image has {width * height:,} pixels; the limit is {limits.pixels:,}",
        )
    if kind is FileType.jpeg:
        image.draft("RGB", (3200, 3200))  # decode big phone photos at a reduced scale: faster
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - a cut-off or corrupt image
        message = str(error).lower()
        code = ErrorCode.truncated if "truncated" in message else ErrorCode.damaged
        raise _BrokenImage(code, f"the image is {code.value} and cannot be read") from error
    transposed = ImageOps.exif_transpose(image)
    return _on_white(transposed if transposed is not None else image)


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent parts (a screenshot, a cut-out) on white paper, 16-bit grey as 8-bit: as a
    plain grey conversion would make them black or white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image
