"""pytest plugin (entry point `pytest11`): the `bounce_factory` fixture.

pytest imports this module in every project where bouncekit is installed, so it imports
only pytest here; the signature packs load when a test first asks for the fixture.
"""

from __future__ import annotations

from email.message import Message
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bouncekit._types import BounceReport


class BounceFactory:
    """Builds bounces for a test; each call takes `make_bounce`'s keyword arguments."""

    def __call__(self, **kwargs: Any) -> bytes:
        from bouncekit.testing import make_bounce

        return make_bounce(**kwargs)

    def message(self, **kwargs: Any) -> Message:
        """The bounce as an `email.message.Message` (what Mailman and flufl.bounce take)."""
        import email
        from email import policy

        return email.message_from_bytes(self(**kwargs), policy=policy.compat32)

    def reply(self, **kwargs: Any) -> str:
        """The bare SMTP reply text of a rule, as `classify_reply` or smtplib would see it."""
        from bouncekit.testing import fixture_for

        return fixture_for(**kwargs).reply

    def complaint(self, recipient: str = "jane@example.com", **kwargs: Any) -> bytes:
        from bouncekit.testing import make_complaint

        return make_complaint(recipient, **kwargs)

    def auto_reply(self, recipient: str = "jane@example.com", **kwargs: Any) -> bytes:
        from bouncekit.testing import make_auto_reply

        return make_auto_reply(recipient, **kwargs)

    def parse(self, raw: bytes | str | Message) -> BounceReport:
        """`parse_bounce`, for tests that check their fixture reads as intended."""
        from bouncekit import parse_bounce

        return parse_bounce(raw)


@pytest.fixture
def bounce_factory() -> BounceFactory:
    """Realistic bounces built from bouncekit's signature examples (see bouncekit.testing)."""
    return BounceFactory()
