"""Words with positions, grouped into lines: the one shape both PDF text and OCR output take.

A line's text joins its words with a space when they sit a word-space apart and with a tab when
the gap is wider (a column boundary), so that "32 500" in one column and "292 500" in the next
are never read as one number.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from intake.extract.amounts import AmountMatch, find_amounts, normalise

# A gap wider than this (in ems) between two words separates columns.
COLUMN_GAP_EM = 0.8


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float = 100.0  # OCR confidence, 0..100
    size: float = 0.0  # font size where the PDF gives it (0: unknown)
    bold: bool = False

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    words: list[Word]
    page: int
    em: float
    text: str = ""
    folded: str = ""
    starts: list[int] = field(default_factory=list)
    amounts: list[AmountMatch] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts: list[str] = []
        position = 0
        for index, word in enumerate(self.words):
            if index:
                gap = word.x0 - self.words[index - 1].x1
                separator = "\t" if gap > COLUMN_GAP_EM * self.em else " "
                parts.append(separator)
                position += 1
            self.starts.append(position)
            parts.append(word.text)
            position += len(word.text)
        self.text = "".join(parts)
        self.folded = fold(self.text)
        self.amounts = find_amounts(self.text)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    def word_at(self, offset: int) -> int:
        """The index of the word holding character ``offset``."""
        index = 0
        for i, start in enumerate(self.starts):
            if start <= offset:
                index = i
        return index

    def span(self, start: int, end: int) -> tuple[float, float]:
        """The horizontal extent of characters ``start:end``."""
        first, last = self.word_at(start), self.word_at(max(start, end - 1))
        return self.words[first].x0, self.words[last].x1

    def conf(self, start: int, end: int) -> float:
        first, last = self.word_at(start), self.word_at(max(start, end - 1))
        return min(w.conf for w in self.words[first : last + 1])


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    ocr: bool = False
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # rectangles


_FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "à": "a",
        "á": "a",
        "â": "a",
        "ö": "o",
        "ø": "o",
        "ó": "o",
        "ò": "o",
        "ô": "o",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ü": "u",
        "í": "i",
        "ì": "i",
        "|": "l",
        "\t": " ",
    }
)


def fold(text: str) -> str:
    """Lower case without Swedish diacritics, one character for one (offsets stay valid)."""
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_FOLD)


@lru_cache(maxsize=1024)
def phrase(words: str) -> re.Pattern[str]:
    """A pattern for a label written as plain words: folded, word-bounded, flexible spacing and
    dots ("prel. skatt" matches "prel skatt" and "Prel.skatt")."""
    parts = [re.escape(fold(word).rstrip(".")) for word in words.split()]
    body = r"[\s.:]*".join(parts)
    return re.compile(rf"(?<![\w]){body}\.?(?![\w])")


def fuzzy_phrase(words: str, min_letters: int = 7) -> re.Pattern[str]:
    """Like ``phrase``, but one letter may be wrong or missing (OCR): "perodens" matches
    "periodens". Short labels stay exact: one error in five letters is another word."""
    label = " ".join(fold(words).replace(".", " ").split())
    variants = {label}
    if sum(c.isalpha() for c in label) >= min_letters:
        for i, char in enumerate(label):
            if char != " ":
                variants.add(label[:i] + "\x00" + label[i + 1 :])
                variants.add(label[:i] + label[i + 1 :])
    bodies = [
        r"[\s.:]*".join(re.escape(part).replace("\x00", r"\w") for part in variant.split(" "))
        for variant in sorted(variants, key=len, reverse=True)
    ]
    return re.compile(r"(?<![\w])(?:" + "|".join(bodies) + r")\.?(?![\w])")


def build_lines(words: Iterable[Word], page: int, em_per_height: float = 1.0) -> list[Line]:
    """Group words into lines (by vertical overlap) and sort them left to right. A PDF word's
    height is its font size (``em_per_height`` 1); an OCR box is about three quarters of one."""
    pending = sorted((w for w in words if w.text.strip()), key=lambda w: (w.middle, w.x0))
    rows: list[list[Word]] = []
    for word in pending:
        for row in reversed(rows[-3:]):
            top = statistics.median(w.top for w in row)
            bottom = statistics.median(w.bottom for w in row)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            shift = abs((top + bottom) / 2 - word.middle)
            if overlap > 0.5 * min(bottom - top, word.height) or shift < 0.3 * (bottom - top):
                row.append(word)
                break
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        em = statistics.median(w.height for w in row) * em_per_height
        words_ = [
            Word(normalise(w.text), w.x0, w.x1, w.top, w.bottom, w.conf, w.size, w.bold)
            for w in row
        ]
        lines.append(Line(words_, page, em))
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines
