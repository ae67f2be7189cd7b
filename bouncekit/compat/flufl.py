"""flufl.bounce's API answered with bouncekit's classification (a drop-in for Mailman 3).

    from bouncekit.compat.flufl import all_failures, scan_message
    temporary, permanent = all_failures(msg)   # frozensets of bytes addresses, as flufl's

Same shapes as flufl.bounce 4.x-6.x: `scan_message(msg)` is a frozenset of the permanently
failing addresses, `all_failures(msg)` a `(temporary, permanent)` pair of frozensets, each
address `bytes` (UTF-8) as flufl.bounce returns them. The difference is what gets counted:
flufl.bounce reports every address a bounce names; here a recipient is counted only when the
failure is *about the recipient*. A refusal of the sender (IP or domain block, authentication,
content, rate limit: category `block`), a spam complaint, an auto-reply and a delivery or
relay notice are not counted, so a provider-wide IP block does not unsubscribe every reader
at that provider. Failures bouncekit cannot explain (`unknown`) are counted, as flufl.bounce
would count them.

Permanence follows the reply codes (`Bounce.permanent`: 5xx/5.x.x permanent, 4xx delayed),
as flufl.bounce's DSN detector does; `soft_is_temporary=True` files recipient-side soft
failures (mailbox full, disabled account) as temporary whatever their code, for lists that
want to score only addresses that are plainly gone.

`min_confidence=Confidence.MEDIUM` also leaves out the recipients bouncekit could only guess
(`Bounce.confidence` `low`: a heuristic reading, a bounce forwarded inside ordinary mail);
the Mailman plugin sets it, so such a bounce goes to the list owner instead of scoring a
member. The default counts them, as flufl.bounce does.

Unlike flufl.bounce, these functions never raise on a malformed message: they return empty
sets, which Mailman treats as an unrecognised bounce.
"""

from __future__ import annotations

from email.message import Message

from bouncekit._api import parse_bounce
from bouncekit._provenance import Confidence
from bouncekit._types import Bounce, Category

__all__ = ["NOT_COUNTED", "all_failures", "counted", "scan_message"]

Recipients = frozenset[bytes]

# Categories that say nothing against the recipient's address.
NOT_COUNTED = frozenset(
    {Category.BLOCK, Category.COMPLAINT, Category.AUTO_REPLY, Category.DELIVERED}
)


def counted(bounce: Bounce, min_confidence: Confidence = Confidence.LOW) -> bool:
    """True when this bounce counts against its recipient (hard, soft or unknown failure),
    on evidence of at least `min_confidence`."""
    return (
        bounce.recipient is not None
        and bounce.category not in NOT_COUNTED
        and bounce.confidence >= min_confidence
    )


def all_failures(
    msg: Message | bytes | str,
    *,
    soft_is_temporary: bool = False,
    min_confidence: Confidence = Confidence.LOW,
) -> tuple[Recipients, Recipients]:
    """`(temporary, permanent)` failing recipients, as UTF-8 bytes, like flufl.bounce's."""
    temporary: set[bytes] = set()
    permanent: set[bytes] = set()
    for bounce in parse_bounce(msg).bounces:
        if not counted(bounce, min_confidence):
            continue
        assert bounce.recipient is not None
        address = bounce.recipient.encode("utf-8")
        is_permanent = bounce.permanent and not (
            soft_is_temporary and bounce.category is Category.SOFT
        )
        (permanent if is_permanent else temporary).add(address)
    return frozenset(temporary - permanent), frozenset(permanent)


def scan_message(
    msg: Message | bytes | str,
    *,
    soft_is_temporary: bool = False,
    min_confidence: Confidence = Confidence.LOW,
) -> Recipients:
    """The permanently failing recipients, as UTF-8 bytes, like flufl.bounce's."""
    return all_failures(msg, soft_is_temporary=soft_is_temporary, min_confidence=min_confidence)[1]
