"""Free-text screening: personal identity numbers, phone numbers and e-mail addresses are masked
before a comment is stored. The masks are codes (``[pnr]``, ``[phone]``, ``[email]``) that the
web side shows as words.

Screening errs on the side of masking: any long run of digits is masked, even if it is something
else; only dates (2024-05-01, 1/5/2024) and short numbers such as amounts are left. Digits are
matched in every script (Arabic-Indic and Persian digits too), since applicants write in their own
language.
"""

from __future__ import annotations

import re
import unicodedata

PNR_MASK = "[pnr]"
PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
MASKS = (PNR_MASK, PHONE_MASK, EMAIL_MASK)

# E-mail: anything@domain.tld, also with spaces around the @ as people sometimes write.
_EMAIL = re.compile(r"[\w.+%-]+ ?@ ?[\w-]+(?:\.[\w-]+)+")
# Personnummer and samordningsnummer: (YY)YYMMDD, optional - + or space, four digits. Dates and
# check digits are not verified: a mistyped number identifies a person too.
_PNR = re.compile(r"(?<!\d)(?:\d{2})?\d{6}([-+ ]?)\d{4}(?!\d)")
# A run of digits with the separators people put in phone numbers.
_NUMBER_RUN = re.compile(r"(?<![\w])(?:\+|\()?\d[\d \-./()\u00a0]*\d\)?")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _digits(text: str) -> int:
    return sum(1 for char in text if char.isdigit())


def _is_zero(char: str) -> bool:
    return unicodedata.digit(char, None) == 0


def _mask_pnr(match: re.Match[str]) -> str:
    text = match.group(0)
    # Ten digits in a row starting with 0 are more likely a mobile number (070…); masked anyway.
    if not match.group(1) and len(text) == 10 and _is_zero(text[0]):
        return PHONE_MASK
    return PNR_MASK


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = _digits(text)
    if _DATE.fullmatch(text.strip("()")):
        return text
    leading = text.lstrip("(")
    phone_like = leading.startswith("+") or _is_zero(leading[0])
    if digits >= 8 or (phone_like and digits >= 7):
        return PHONE_MASK
    return text


def clean(text: str) -> str:
    """Control characters removed and Unicode in normal form (NFC)."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def screen(text: str) -> str:
    """``text`` cleaned, with e-mail addresses, personal identity numbers and phone numbers
    masked."""
    text = clean(text)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _PNR.sub(_mask_pnr, text)
    return _NUMBER_RUN.sub(_mask_number, text)
