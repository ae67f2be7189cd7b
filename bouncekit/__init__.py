"""bouncekit: why an email bounced, and what to do about it.

    >>> from bouncekit import parse_bounce
    >>> report = parse_bounce(open("bounce.eml", "rb").read())   # doctest: +SKIP
    >>> for b in report.bounces:                                   # doctest: +SKIP
    ...     print(b.recipient, b.category, b.reason, b.block_type, b.provider)

`parse_bounce` reads a whole bounce (RFC 3464 DSN, an MTA's own report, an ARF complaint,
an auto-reply, or a bare SMTP reply line); `classify_reply` judges one SMTP reply at send
time. Both return frozen records (`Bounce`, `BounceReport`) whose `category` says what to
do: `hard` (suppress the address), `soft` (retry), `block` (the *sender* was refused: keep
the recipient), `complaint` (unsubscribe), `auto_reply` (ignore), `delivered`, `unknown`.
Signatures are data (TOML packs) and can be extended by plugins: see `Registry`.
"""

from bouncekit._api import classify_reply, parse_bounce
from bouncekit._errors import BounceKitError, InputTooLarge, MalformedInput, SignatureError
from bouncekit._policy import Policy
from bouncekit._provenance import Confidence
from bouncekit._registry import Registry, build_registry, default_registry
from bouncekit._smtp import EnhancedStatus
from bouncekit._types import (
    Action,
    Advice,
    BlockType,
    Bounce,
    BounceReport,
    Category,
    Fixer,
    Match,
    Provider,
    Reason,
    ReportKind,
    Stage,
)

__version__ = "0.1.0"

__all__ = [
    "Action",
    "Advice",
    "BlockType",
    "Bounce",
    "BounceKitError",
    "BounceReport",
    "Category",
    "Confidence",
    "EnhancedStatus",
    "Fixer",
    "InputTooLarge",
    "MalformedInput",
    "Match",
    "Policy",
    "Provider",
    "Reason",
    "Registry",
    "ReportKind",
    "SignatureError",
    "Stage",
    "__version__",
    "build_registry",
    "classify_reply",
    "default_registry",
    "parse_bounce",
]
