"""SMTP reply codes and RFC 3463 enhanced status codes: parsing and validation.

Codes are read only from text that carries them; nothing here invents a code.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

# `class.subject.detail`: class 2/4/5, subject up to 3 digits, detail up to 3 digits.
_STATUS = regex.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
# A reply code at the start of a reply, or after a wrapper's colon/quote.
_CODE = regex.compile(r"(?<![\w.#-])([245][0-5]\d)(?=[ \-]|$)")
_0_5 = ("0", "1", "2", "3", "4", "5")
_AFTER = ("", " ", "-")  # what may follow a code that starts the text ("$": its end)


@dataclass(frozen=True, slots=True, order=True)
class EnhancedStatus:
    """An RFC 3463 enhanced status code; `str()` gives `"5.7.1"`."""

    klass: int
    subject: int
    detail: int

    def __str__(self) -> str:
        return f"{self.klass}.{self.subject}.{self.detail}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, EnhancedStatus):
            return (self.klass, self.subject, self.detail) == (
                other.klass,
                other.subject,
                other.detail,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    @property
    def permanent(self) -> bool:
        return self.klass == 5

    @property
    def transient(self) -> bool:
        return self.klass == 4

    @property
    def success(self) -> bool:
        return self.klass == 2

    @classmethod
    def parse(cls, text: str | None) -> EnhancedStatus | None:
        """The first valid status in `text`, or None. `x.0.9NN` placeholders are real codes."""
        if not text:
            return None
        m = _STATUS.search(text[:2000])
        if m is None:
            return None
        spelt = m.group()
        status = _READ.get(spelt) if cls is EnhancedStatus else None
        if status is None:
            status = cls(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if cls is EnhancedStatus and len(_READ) < _READ_MAX:
                _READ[spelt] = status
        return status


# The statuses read from texts, by spelling: replies repeat a few ("5.1.1", "5.7.1") and a
# status is immutable, so one record is shared (a frozen dataclass costs ~0.4 us to build).
# Bounded, so that texts full of odd statuses cannot grow it.
_READ: dict[str, EnhancedStatus] = {}
_READ_MAX = 4096


def parse_status_field(value: str | None) -> EnhancedStatus | None:
    """A DSN `Status:` field: the value must *be* a status (comments allowed after it)."""
    if not value:
        return None
    m = _STATUS.match(value.strip()[:40])
    return EnhancedStatus(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def find_reply_code(text: str | None) -> int | None:
    """The first SMTP reply code (2xx-5xx) in `text`, or None."""
    if not text:
        return None
    # The usual case, a code that starts the text ("550 ...", "421-..."), read as `_CODE`
    # would read it (nothing precedes it; `\d` is any decimal digit) without a search.
    if text[0] in "245" and text[1:2] in _0_5 and text[2:3].isdecimal() and text[3:4] in _AFTER:
        return int(text[:3])
    m = _CODE.search(text[:2000])
    return int(m.group(1)) if m else None


def find_status(text: str | None) -> EnhancedStatus | None:
    """The first enhanced status code in `text`, or None."""
    return EnhancedStatus.parse(text)
