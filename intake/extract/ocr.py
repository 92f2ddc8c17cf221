"""OCR with the ``tesseract`` command (Swedish data), after putting the image the right way up.

Steps: the sheet cut out of the photo and made flat and evenly lit (``imageprep``); a sideways
or upside-down page turned by tesseract's orientation detection (``--psm 0``, with the ``osd``
data that the tesseract-ocr package pulls in through tesseract-ocr-osd; tesseract-ocr-swe
brings only ``swe``); then words read with their boxes (TSV), in Swedish, one thread.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from intake.extract.imageprep import flatten
from intake.extract.layout import Line, Page, Word, build_lines

LANGUAGE = "swe"


class OcrUnavailable(RuntimeError):
    pass


def tesseract() -> str:
    path = shutil.which("tesseract")
    if path is None:
        raise OcrUnavailable("the tesseract command is not installed")
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(args: list[str], deadline: float) -> str:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no time left to read")
    result = subprocess.run(  # noqa: S603 - a fixed command with our own arguments
        [tesseract(), *args],
        capture_output=True,
        env=_env(),
        timeout=remaining,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"tesseract failed: {result.stderr.decode(errors='replace')[-200:]}")
    return result.stdout.decode("utf-8", errors="replace")


_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONFIDENCE = re.compile(r"Orientation confidence:\s*([\d.]+)")


def orientation(path: Path, deadline: float) -> int:
    """Degrees clockwise to turn the image so that text is upright (0, 90, 180, 270)."""
    try:
        output = _run([str(path), "stdout", "--psm", "0", "-l", "osd"], deadline)
    except RuntimeError:
        return 0  # too little text to tell: leave it as it is
    rotate, confidence = _ROTATE.search(output), _CONFIDENCE.search(output)
    if not rotate or not confidence or float(confidence.group(1)) < 1.5:
        return 0
    return int(rotate.group(1)) % 360


def read_words(path: Path, deadline: float, dpi: int) -> list[Word]:
    output = _run(
        [
            str(path),
            "stdout",
            "-l",
            LANGUAGE,
            "--psm",
            "4",  # one column of text of varying sizes: no page layout analysis to drop a column
            "--dpi",
            str(dpi),
            "-c",
            "tessedit_do_invert=0",
            "tsv",
        ],
        deadline,
    )
    words, lines = [], []
    for row in output.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        words.append(Word(cells[11], left, left + width, top, top + height, float(cells[10])))
        lines.append(tuple(cells[2:5]))
    return _unshear(words, lines)


def _unshear(words: list[Word], line_ids: list[tuple[str, ...]]) -> list[Word]:
    """Straighten what skew is left: tesseract's own lines tell the slope (the median over lines
    that are long enough); every word's height is moved back by it."""
    by_line: dict[tuple[str, ...], list[Word]] = {}
    for word, key in zip(words, line_ids, strict=True):
        by_line.setdefault(key, []).append(word)
    slopes = []
    for members in by_line.values():
        first, last = members[0], members[-1]
        if last.x0 - first.x1 > 200:
            slopes.append(
                (last.bottom - first.bottom) / ((last.x0 + last.x1 - first.x0 - first.x1) / 2)
            )
    if len(slopes) < 3:
        return words
    slope = statistics.median(slopes)
    if abs(slope) < 0.002:
        return words
    return [
        Word(
            w.text,
            w.x0,
            w.x1,
            w.top - slope * (w.x0 + w.x1) / 2,
            w.bottom - slope * (w.x0 + w.x1) / 2,
            w.conf,
        )
        for w in words
    ]


def _good_count(words: list[Word]) -> int:
    """Words tesseract is sure of and that look like words (not specks)."""
    return sum(1 for w in words if w.conf >= 80 and len(w.text) >= 3)


def _good_share(words: list[Word]) -> float:
    return _good_count(words) / len(words) if words else 0.0


def binarised(gray: Image.Image) -> Image.Image:
    """The flattened page in black and white by a local (adaptive) threshold: a second look for
    the vote, where blur or shade left grey strokes that tesseract read one way."""
    import cv2
    import numpy as np

    pixels = np.asarray(gray.convert("L"))
    return Image.fromarray(
        cv2.adaptiveThreshold(
            pixels, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 12
        )
    )


def ocr_page(image: Image.Image, number: int, deadline: float, second_look: bool = False) -> Page:
    """Read one page image into lines of words. Most pages come upright (a phone's EXIF turns
    them): read first, and ask for the orientation only when the words read look like noise.
    ``second_look`` reads the page binarised (the second pass of a vote)."""
    gray = flatten(image)
    if second_look:
        gray = binarised(gray)
    dpi = 200  # the sheet's long side is LONG_SIDE pixels: A4 at about 200 dpi
    with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
        path = Path(folder) / "page.png"
        gray.save(path)
        words = read_words(path, deadline, dpi)
        if len(words) < 5 or _good_share(words) < 0.5:
            turn = orientation(path, deadline)
            noise = len(words) >= 5 and _good_share(words) < 0.3
            turns = [turn] if turn else ([180] if noise else [])
            for degrees in turns:
                turned = gray.rotate(-degrees, expand=True)
                turned.save(path)
                other = read_words(path, deadline, dpi)
                if _good_count(other) > 1.5 * _good_count(words):
                    words, gray = other, turned
    lines: list[Line] = build_lines(words, number, em_per_height=1 / 0.75)
    return Page(number, gray.width, gray.height, lines, ocr=True)
