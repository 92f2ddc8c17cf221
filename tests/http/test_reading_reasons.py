"""The applicant is told why a document cannot be used, on the screen where it was uploaded
(issue 12 item 4): a password-protected PDF, a photo too blurred to read, a document of another
kind than the screen asks for, and one of another month. Locked and blurred files go through the
real reader; kind and month are what the reader stored, set here, so that the web side's words
are tested apart from how well the reader reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter, ImageOps
from sqlmodel import Session, select

from intake.models import Attachment
from intake.norm.months import month_index, month_text
from portal.i18n import format_month, use_locale
from tests.completeness_support import read
from tests.conftest import csrf_of, login_pnr
from tests.http.test_apply_flow import answer
from tests.unit.test_extract_safety import locked_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def blurred_photo() -> bytes:
    """The corpus photo of a rent notice, blurred as by a shaking hand."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = ImageOps.exif_transpose(Image.open(FIXTURES / "rent_notice-000-slip-photo.heic"))
    assert image is not None
    radius = 2.5 * image.size[0] / 1200
    out = io.BytesIO()
    image.convert("RGB").filter(ImageFilter.GaussianBlur(radius)).save(out, "JPEG", quality=85)
    return out.getvalue()


def upload(client: TestClient, url: str, name: str, data: bytes, content_type: str) -> None:
    response = answer(
        client,
        url,
        {"upload_only": "1"},
        files=[("documents__rent_notice__", (name, data, content_type))],
    )
    assert response.status_code == 303, response.text[:400]


def rent_step(client: TestClient) -> str:
    started = client.post(
        "/applicant/apply",
        data={"csrf_token": csrf_of(client, "/applicant")},
        follow_redirects=False,
    )
    assert started.status_code == 303
    url = started.headers["location"]
    url = answer(client, url, {"value": "no"}).headers["location"]
    assert "/step/rent" in url
    return url


def attachment(db: Session, name: str) -> Attachment:
    db.expire_all()
    return db.exec(select(Attachment).where(Attachment.filename == name)).one()


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_each_reason_is_said_on_the_upload_screen(  # type: ignore[no-untyped-def]
    client: TestClient, new_household, app, db: Session, language: str
) -> None:
    household = new_household(language)
    login_pnr(client, household.members[0].personnummer)
    url = rent_step(client)
    tag = f"{language}-{id(household)}"
    files = {
        "locked": (f"avi-{tag}-locked.pdf", locked_pdf("hemligt"), "application/pdf"),
        "blurred": (f"avi-{tag}-foto.jpg", blurred_photo(), "image/jpeg"),
        "kind": (f"avi-{tag}-el.pdf", locked_pdf(""), "application/pdf"),
        "month": (f"avi-{tag}-gammal.pdf", locked_pdf(""), "application/pdf"),
    }
    for name, data, content_type in files.values():
        upload(client, url, name, data, content_type)
    assert app.state.queue.drain() >= 4  # the worker reads them all with the real reader

    month = url.split("/apply/")[1].split("/")[0]
    old = month_text(month_index(month) - 3)
    read(db, attachment(db, files["kind"][0]), kind="electricity_bill", period=month)
    read(db, attachment(db, files["month"][0]), kind="rent_notice", period=old, amount_ore=785000)

    page = client.get(url + "?edit=1")
    assert page.status_code == 200
    text = page.text
    with use_locale(language):
        from portal.i18n import gettext as _

        expected = {
            "locked": _(
                "%(file)s is protected with a password, so we cannot open it. Save the "
                "document again without a password, or take a photo of the paper, and add it "
                "here.",
                file=files["locked"][0],
            ),
            "blurred": _(
                "The photo %(file)s is too blurred to read. Take a new photo in good light: "
                "hold the phone still above the page, with the whole page in the picture.",
                file=files["blurred"][0],
            ),
            "kind": _(
                "%(file)s looks like another document (%(kind)s). Here we need: %(document)s. "
                "Add the right document.",
                file=files["kind"][0],
                kind=_("Electricity bill"),
                document=_("Rent notice"),
            ),
            "month": _(
                "%(file)s is for %(period)s. Here we need the document for %(expected)s. Add "
                "the right one if you have it.",
                file=files["month"][0],
                period=format_month(old),
                expected=format_month(month),
            ),
        }
    import html

    for reason, sentence in expected.items():
        assert html.escape(sentence, quote=False) in text or sentence in html.unescape(text), reason
    # A document with a reason is never confirmed by one tap: "Yes" is not chosen beforehand.
    for name in (files["kind"][0], files["month"][0]):
        row = attachment(db, name)
        assert f'id="read-yes-{row.id}" name="answer" value="yes">' in text, name
    if language == "sv":  # translated, not the English msgid
        assert "är skyddad med lösenord" in text and "för suddigt" in text
    else:
        assert "محمي بكلمة مرور" in text and 'dir="rtl"' in text
    # The htmx fragment that replaces "Reading your document…" says the same.
    locked = attachment(db, files["locked"][0])
    fragment = client.get(
        f"/applicant/attachments/{locked.id}/reading", headers={"HX-Request": "true"}
    )
    assert expected["locked"] in html.unescape(fragment.text)
    assert f'aria-describedby="read-problem-{locked.id}"' in fragment.text


def test_a_good_document_gets_no_reason(
    client: TestClient, new_household, app, db: Session
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("sv")
    login_pnr(client, household.members[0].personnummer)
    url = rent_step(client)
    upload(client, url, "ratt-avi.pdf", locked_pdf(""), "application/pdf")
    app.state.queue.drain()
    month = url.split("/apply/")[1].split("/")[0]
    read(db, attachment(db, "ratt-avi.pdf"), kind="rent_notice", period=month, amount_ore=785000)
    page = client.get(url + "?edit=1")
    assert "reading__problem" not in page.text
    row = attachment(db, "ratt-avi.pdf")
    assert f'id="read-yes-{row.id}" name="answer" value="yes" checked>' in page.text
    assert "Stämmer det?" in page.text or "Is that right?" in page.text
    assert csrf_of(client, url)
