import pytest

from intake.filetypes import sniff


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "heic"),
        (b"PK\x03\x04", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_type_comes_from_magic_bytes(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind
