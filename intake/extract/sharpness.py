"""How sharp a photo is, to tell an applicant "the photo is blurred" rather than "we could not
read it".

The measure compares what a slight blur (1 px) takes away with what a strong one (4 px) takes
away, on the picture scaled to 1 200 px: a sharp page of text loses much of its detail already at
1 px, a blurred one has no fine detail left to lose. The ratio does not depend on light or
contrast. On the corpus photos (A4 pages, phone camera), sharp photos measure 0.27–0.39; blurred
by 1 px (at 1 200 px) they measure 0.19–0.24 and are still read; by 1.5 px, 0.14–0.18, and the
reader no longer finds the amount. Only a photo that was not read is called blurred.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

# Below this a photo of a page is too blurred to read (see the module's text for the figures).
BLURRED_BELOW = 0.175
_SCALE = 1200
_EMPTY = 0.5  # mean change under a strong blur below which a picture has nothing on it


def _detail(image: Image.Image) -> tuple[float, float]:
    grey = ImageOps.grayscale(image)
    grey.thumbnail((_SCALE, _SCALE))
    fine = ImageStat.Stat(ImageChops.difference(grey, grey.filter(ImageFilter.GaussianBlur(1))))
    coarse = ImageStat.Stat(ImageChops.difference(grey, grey.filter(ImageFilter.GaussianBlur(4))))
    return float(fine.mean[0]), float(coarse.mean[0])


def sharpness(image: Image.Image) -> float:
    """A contrast-independent measure of fine detail: about 0.3 for a sharp photo of text, 0 for
    an empty, even picture."""
    fine, coarse = _detail(image)
    return 0.0 if coarse < _EMPTY else fine / coarse


def is_blurred(image: Image.Image) -> bool:
    """Blurred, as opposed to empty: a blank page is not a blurred photo (it is read as an
    unknown document)."""
    fine, coarse = _detail(image)
    return coarse >= _EMPTY and fine / coarse < BLURRED_BELOW
