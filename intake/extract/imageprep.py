"""From a photo or a scan to a flat, evenly lit, upright-ish sheet that tesseract reads well.

1. grey and no larger than needed;
2. small skew straightened by the projection profile (text lines make it sharpest);
3. the sheet found by its edges against the darker table (steps of brightness *ratio*, so uneven
   light does not matter) and mapped to a rectangle (a perspective transform: a phone is seldom
   held flat); a scan or a rendered page has no such edges and stays as it is;
4. scaled so its long side is about ``LONG_SIDE`` pixels (A4 at ~200 dpi);
5. light evened out (divided by the blurred background) and the paper's texture whitened.

The sheet is first looked for with OpenCV (``opencv-python-headless``): the outline of the largest
bright four-cornered region (Otsu threshold, contours, a polygon of four corners) mapped with
``warpPerspective``; when no such outline stands out, by the Pillow edge fit of step 3.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import accumulate

from PIL import Image, ImageFilter, ImageMath, ImageOps

# The image tesseract sees: its long side in pixels.
LONG_SIDE = 2300
# Below _INK is ink, above _PAPER is paper; in between is stretched.
_INK, _PAPER = 60, 200
_LEVELS = [
    0 if v < _INK else 255 if v > _PAPER else (v - _INK) * 255 // (_PAPER - _INK)
    for v in range(256)
]
# Sides are found on an image this many times smaller.
_STEP = 8


def flatten(image: Image.Image) -> Image.Image:
    gray = prepare(image)
    angle = skew_angle(gray)
    if abs(angle) >= 0.2:
        corners = [gray.getpixel((0, 0)), gray.getpixel((gray.width - 1, gray.height - 1))]
        fill = int(sum(corners) / 2)  # type: ignore[arg-type]
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    sheet = cv_sheet(gray)
    return _clear_edges(even_light(sheet if sheet is not None else find_sheet(gray)))


def cv_sheet(gray: Image.Image) -> Image.Image | None:
    """The sheet as OpenCV sees it: the largest bright quadrilateral covering at least a third of
    the photo and not the whole of it (a scan or a rendered page has no table around it)."""
    import cv2
    import numpy as np

    scale = 800 / max(gray.size)
    small = np.asarray(
        gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))))
    )
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(outline) / (small.shape[0] * small.shape[1])
    if not 0.3 <= area <= 0.97:
        return None
    quad = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    points = quad.reshape(4, 2).astype("float32") / scale
    # Order: top left, top right, bottom right, bottom left.
    total, difference = points.sum(axis=1), np.diff(points, axis=1).ravel()
    ordered = np.array(
        [
            points[total.argmin()],
            points[difference.argmin()],
            points[total.argmax()],
            points[difference.argmax()],
        ],
        dtype="float32",
    )
    corners = [(float(x), float(y)) for x, y in ordered]
    width = max(_distance(corners[0], corners[1]), _distance(corners[3], corners[2]))
    height = max(_distance(corners[0], corners[3]), _distance(corners[1], corners[2]))
    inset = 0.008 * max(width, height)
    factor = LONG_SIDE / max(width, height)
    w, h = round(width * factor), round(height * factor)
    target = np.array(
        [[-inset, -inset], [w + inset, -inset], [w + inset, h + inset], [-inset, h + inset]],
        dtype="float32",
    )
    matrix = cv2.getPerspectiveTransform(ordered, target)
    flat = cv2.warpPerspective(
        np.asarray(gray), matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255
    )
    return Image.fromarray(flat)


def prepare(image: Image.Image) -> Image.Image:
    """Grey, and no larger than needed."""
    gray = ImageOps.grayscale(image) if image.mode != "L" else image
    return scaled(gray, only_down=True)


def scaled(gray: Image.Image, only_down: bool = False) -> Image.Image:
    """The image with its long side about ``LONG_SIDE`` pixels: large enough for tesseract to see
    small print, small enough to read fast."""
    scale = LONG_SIDE / max(gray.size)
    if 0.9 <= scale <= 1.1 or (only_down and scale > 1):
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)


def even_light(gray: Image.Image) -> Image.Image:
    """Divide by the background (the page without its ink) so shadows and gradients vanish, then
    stretch: paper becomes white and its texture with it (tesseract's page layout analysis takes
    a textured page for a picture and skips the text on it)."""
    small = gray.resize((max(1, gray.width // 16), max(1, gray.height // 16)), Image.Resampling.BOX)
    background = small.filter(ImageFilter.MaxFilter(5)).resize(gray.size, Image.Resampling.BILINEAR)
    even = ImageMath.lambda_eval(lambda a: a["g"] * 255 / (a["b"] + 1), g=gray, b=background)
    return even.convert("L").point(_LEVELS)


def _clear_edges(gray: Image.Image) -> Image.Image:
    """Paint white any dark band along the edges (the table's last sliver, a scanner's lid): a
    black bar by the text makes tesseract skip the column beside it."""
    w, h = gray.size
    rows = gray.resize((1, h), Image.Resampling.BOX).tobytes()
    columns = gray.resize((w, 1), Image.Resampling.BOX).tobytes()

    def band(means: bytes) -> int:
        count = 0
        while count < len(means) // 20 and means[count] < 160:
            count += 1
        return count

    top, bottom = band(rows), band(rows[::-1])
    left, right = band(columns), band(columns[::-1])
    if not (top or bottom or left or right):
        return gray
    gray = gray.copy()
    for box in ((0, 0, w, top), (0, h - bottom, w, h), (0, 0, left, h), (w - right, 0, w, h)):
        if box[2] > box[0] and box[3] > box[1]:
            gray.paste(255, box)
    return gray


def skew_angle(gray: Image.Image) -> float:
    """The small rotation (degrees, counter-clockwise) that makes text lines horizontal: the angle
    whose horizontal projection profile is sharpest."""
    small = gray.resize((max(1, gray.width // 4), max(1, gray.height // 4)), Image.Resampling.BOX)
    ink = small.point(lambda v: 255 if v < 160 else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()
        return sum((rows[i + 1] - rows[i]) ** 2 for i in range(len(rows) - 1))

    best = max((a / 2 for a in range(-14, 15)), key=sharpness)
    return max((best + a / 10 for a in range(-4, 5)), key=sharpness)


# --- the sheet -----------------------------------------------------------------------------------


def _edge(profile: bytes, length: int) -> int | None:
    """Where a dark band at the start of a run of pixels ends: the first step up to at least 1.4
    times as bright, within the outer third."""
    k = max(2, length // 50)
    sums = [0, *accumulate(profile[: length // 3 + k])]
    for x in range(k, min(length // 3, len(sums) - k)):
        outside = sums[x] - sums[x - k]
        inside = sums[x + k] - sums[x]
        if inside > 60 * k and outside * 1.4 < inside:
            return x
    return None


def _edge_points(runs: Sequence[bytes], length: int) -> list[tuple[int, int]]:
    """(index of the run, position of the edge) for the runs that have one."""
    return [(i, e) for i, run in enumerate(runs) if (e := _edge(run, length)) is not None]


def _fit(points: list[tuple[int, int]], count: int) -> tuple[float, float] | None:
    """A robust straight line ``position = slope * index + offset`` through edge points, if
    enough of the runs had one (text near a side must not pass for the sheet's edge)."""
    if len(points) < 0.4 * count or len(points) < 6:
        return None
    ordered = sorted(points)
    half = len(ordered) // 2
    slopes = [
        (b[1] - a[1]) / (b[0] - a[0])
        for a, b in zip(ordered[:half], ordered[half:], strict=False)
        if b[0] != a[0]
    ]
    slope = statistics.median(slopes) if slopes else 0.0
    offset = statistics.median(p - slope * i for i, p in points)
    inliers = [(i, p) for i, p in points if abs(p - slope * i - offset) <= 3]
    if len(inliers) < 0.3 * count:
        return None
    offset = statistics.median(p - slope * i for i, p in inliers)
    return slope, offset


def find_sheet(gray: Image.Image) -> Image.Image:
    """The sheet of paper in a photo, cut out, made rectangular and scaled (one resampling), or
    the whole image scaled when no sheet stands out."""
    small = gray.resize(
        (max(1, gray.width // _STEP), max(1, gray.height // _STEP)), Image.Resampling.BOX
    ).filter(ImageFilter.BoxBlur(1))
    w, h = small.size
    data = small.tobytes()
    rows = [data[y * w : (y + 1) * w] for y in range(h)]
    columns = [data[x::w] for x in range(w)]
    # Each side as a line: x = a*y + b for left and right, y = a*x + b for top and bottom.
    left = _fit(_edge_points(rows, w), h)
    right = _fit([(i, w - e) for i, e in _edge_points([r[::-1] for r in rows], w)], h)
    top = _fit(_edge_points(columns, h), w)
    bottom = _fit([(i, h - e) for i, e in _edge_points([c[::-1] for c in columns], h)], w)
    if not any((left, right, top, bottom)):
        return scaled(gray)
    left = left or (0.0, 0.0)
    right = right or (0.0, float(w))
    top = top or (0.0, 0.0)
    bottom = bottom or (0.0, float(h))
    corners = [_cross(left, top), _cross(right, top), _cross(right, bottom), _cross(left, bottom)]
    corners = [(x * _STEP, y * _STEP) for x, y in corners]
    return _warp(gray, corners)


def _cross(side: tuple[float, float], end: tuple[float, float]) -> tuple[float, float]:
    """Where a vertical side ``x = a*y + b`` meets a horizontal one ``y = c*x + d``."""
    a, b = side
    c, d = end
    y = (c * b + d) / (1 - a * c)
    return a * y + b, y


def _warp(gray: Image.Image, corners: list[tuple[float, float]]) -> Image.Image:
    """Map the quadrilateral (top left, top right, bottom right, bottom left) to a rectangle a
    little inside its edges, with its long side ``LONG_SIDE`` pixels."""
    width = max(_distance(corners[0], corners[1]), _distance(corners[3], corners[2]))
    height = max(_distance(corners[0], corners[3]), _distance(corners[1], corners[2]))
    if width < 0.3 * gray.width or height < 0.3 * gray.height:
        return scaled(gray)  # not a sheet: leave the image as it is
    inset = 0.01 * max(width, height)
    scale = LONG_SIDE / max(width - 2 * inset, height - 2 * inset)
    w, h = (width - 2 * inset) * scale, (height - 2 * inset) * scale
    # Output pixel (0, 0) is ``inset`` inside the top left corner, and so on.
    pad = inset * scale
    target = [(-pad, -pad), (w + pad, -pad), (w + pad, h + pad), (-pad, h + pad)]
    coefficients = perspective(target, corners)
    return gray.transform(
        (max(1, round(w)), max(1, round(h))),
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def perspective(
    target: Sequence[tuple[float, float]], source: Sequence[tuple[float, float]]
) -> list[float]:
    """Pillow's eight PERSPECTIVE coefficients taking each target point to its source point."""
    matrix: list[list[float]] = []
    values: list[float] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    return _solve(matrix, values)


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 unknowns)."""
    size = len(values)
    rows = [row[:] + [value] for row, value in zip(matrix, values, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col and rows[col][col]:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] if rows[i][i] else 0.0 for i in range(size)]
