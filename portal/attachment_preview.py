"""Pictures of uploaded documents for staff to read inline: every image re-encoded as a plain
JPEG (orientation fixed, metadata gone) and every PDF page rendered to one, so that the browser
never opens the applicant's file itself.

Rendering happens in a child process (``python -m portal.attachment_preview``) that limits its
own memory and CPU time before it opens the file: a malformed or hostile document takes only the
child down. Results are kept beside the uploads, named by the file's SHA-256.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_PAGES = 10
MAX_SIDE = 1600  # pixels, the longer side of a rendered page or image
MAX_PIXELS = 60_000_000  # of a source image, from its header, before it is decoded
MEMORY_BYTES = 1024**3
CPU_SECONDS = 20
WALL_SECONDS = 40


@dataclass(frozen=True)
class Preview:
    pages: int  # pages of the document (1 for an image)
    shown: int  # pages rendered (at most MAX_PAGES)


def folder(uploads: Path) -> Path:
    return uploads / "previews"


def page_path(uploads: Path, sha256: str, page: int) -> Path:
    return folder(uploads) / f"{sha256}-{page}.jpg"


def prepare(uploads: Path, source: Path, sha256: str) -> Preview | None:
    """Render the document's pages once (or reuse them); None when it cannot be shown."""
    meta = folder(uploads) / f"{sha256}.json"
    if meta.exists():
        data = json.loads(meta.read_text())
        return Preview(int(data["pages"]), int(data["shown"])) if data.get("ok") else None
    folder(uploads).mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(  # noqa: S603 - our own module, the path is ours
            [sys.executable, "-m", "portal.attachment_preview", str(source), str(uploads), sha256],
            check=False,
            timeout=WALL_SECONDS,
            capture_output=True,
        )
    if not meta.exists():
        meta.write_text(json.dumps({"ok": False}))
        return None
    return prepare(uploads, source, sha256)


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _render(source: Path, uploads: Path, sha256: str) -> Preview:
    from PIL import Image, ImageOps

    from intake.filetypes import sniff

    head = source.read_bytes()[:16]
    kind = sniff(head)
    if kind == "pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(source))
        pages = len(document)
        shown = min(pages, MAX_PAGES)
        for index in range(shown):
            page = document[index]
            width, height = page.get_size()
            scale = min(2.0, MAX_SIDE / max(width, height, 1))
            image = page.render(scale=scale).to_pil().convert("RGB")
            image.save(page_path(uploads, sha256, index + 1), "JPEG", quality=85)
        return Preview(pages, shown)
    if kind in ("jpeg", "png", "heic"):
        if kind == "heic":
            from pillow_heif import register_heif_opener

            register_heif_opener()
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with Image.open(source) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            image = ImageOps.exif_transpose(opened).convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        image.save(page_path(uploads, sha256, 1), "JPEG", quality=85)
        return Preview(1, 1)
    raise ValueError("not a document type we show")


def main(argv: list[str]) -> int:
    _limit()
    source, uploads, sha256 = Path(argv[0]), Path(argv[1]), argv[2]
    preview = _render(source, uploads, sha256)
    meta = folder(uploads) / f"{sha256}.json"
    meta.write_text(json.dumps({"ok": True, "pages": preview.pages, "shown": preview.shown}))
    return 0


if __name__ == "__main__":  # pragma: no cover - the child process
    sys.exit(main(sys.argv[1:]))
