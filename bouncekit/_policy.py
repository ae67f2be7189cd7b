"""Limits on what one call may read: immutable, checked before and while parsing.

Each limit that trips leaves its own defect on the report (`limit:size`, `limit:depth`...),
so callers can see what was cut instead of getting an exception.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Policy:
    """How much of a message bouncekit reads. Defaults suit mail up to 16 MiB."""

    max_bytes: int = 16 * 1024 * 1024  # larger input is refused before parsing
    max_depth: int = 32  # MIME nesting read
    max_parts: int = 1000  # MIME parts read
    max_header_bytes: int = 256 * 1024  # one part's header block
    max_headers: int = 1000  # fields in one header block
    # Per-recipient results kept. Each costs ~0.1-0.2 ms of classification, so 100 keeps a
    # small report naming many recipients inside the G3 budget (100 ms/MB + 50 ms) with
    # margin; RFC 5321 servers need accept only 100 recipients per message.
    max_recipients: int = 100
    text_budget: int = 256 * 1024  # bytes of each text part decoded and scanned
    strict: bool = False  # raise MalformedInput / InputTooLarge instead of reporting defects

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_depth", "max_parts", "max_header_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Policy.{name} must be positive")
        if self.max_headers <= 0 or self.max_recipients <= 0 or self.text_budget <= 0:
            raise ValueError("Policy limits must be positive")


DEFAULT_POLICY = Policy()
