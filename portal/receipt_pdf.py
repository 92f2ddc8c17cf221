"""The receipt as a PDF: in the applicant's language for them, in Swedish for the case file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

from intake.languages import RTL
from portal.flow_view import MissingDocument, SummarySection
from portal.i18n import format_datetime, format_month, use_locale
from portal.i18n import gettext as _

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONTS = {
    "latin": "NotoSans",
    "arabic": "NotoSansArabic",
    "ethiopic": "NotoSansEthiopic",
}


class FontsMissing(RuntimeError):
    """The Noto fonts (Debian package fonts-noto-core) are needed for every script we write."""


def _script(language: str) -> str:
    return {"ar": "arabic", "fa": "arabic", "ti": "ethiopic"}.get(language, "latin")


def render(
    language: str,
    *,
    municipality: str,
    application: Any,
    names: list[str],
    sections: list[SummarySection],
    missing: list[MissingDocument],
    attachments: list[Any],
) -> bytes:
    for family in FONTS.values():
        if not (FONT_DIR / f"{family}-Regular.ttf").exists():
            raise FontsMissing(str(FONT_DIR / f"{family}-Regular.ttf"))
    with use_locale(language):
        pdf = FPDF(format="A4")
        pdf.set_margins(18, 18, 18)
        pdf.set_auto_page_break(True, margin=18)
        for key, family in FONTS.items():
            pdf.add_font(key, "", str(FONT_DIR / f"{family}-Regular.ttf"))
            pdf.add_font(key, "B", str(FONT_DIR / f"{family}-Bold.ttf"))
        main = _script(language)
        pdf.set_fallback_fonts([name for name in FONTS if name != main])
        rtl = language in RTL
        pdf.set_text_shaping(
            use_shaping_engine=True,
            direction="rtl" if rtl else "ltr",
        )
        align = "R" if rtl else "L"
        pdf.set_title(_("Application for financial assistance"))
        pdf.set_lang(language)
        pdf.add_page()

        def line(text: str, size: float = 10.5, bold: bool = False, gap: float = 1.5) -> None:
            pdf.set_font(main, "B" if bold else "", size)
            pdf.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(gap)

        line(municipality, 11, bold=True)
        line(
            _(
                "Application for financial assistance for %(month)s",
                month=format_month(application.month),
            ),
            16,
            bold=True,
            gap=3,
        )
        if application.reference:
            line(f"{_('Reference number')}: {application.reference}")
        if application.submitted_at:
            line(f"{_('Received')}: {format_datetime(application.submitted_at)}")
        line(f"{_('Household')}: {', '.join(names)}", gap=4)
        for section in sections:
            line(section.title, 13, bold=True, gap=1)
            for row in section.lines:
                line(row.question, 9.5, gap=0.5)
                line("; ".join(row.answer), 10.5, bold=True, gap=2)
            pdf.ln(1)
        if attachments:
            line(_("Documents"), 13, bold=True, gap=1)
            for attachment in attachments:
                line(
                    f"{attachment.filename} ({format_datetime(attachment.received_at)}, "
                    f"SHA-256 {attachment.sha256[:16]}…)",
                    9.5,
                    gap=0.5,
                )
            pdf.ln(1)
        if missing:
            line(_("Documents still missing"), 13, bold=True, gap=1)
            for document in missing:
                line(document.label, 10, gap=0.5)
        return bytes(pdf.output())
