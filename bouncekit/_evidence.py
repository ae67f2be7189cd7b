"""What the extractors hand to the engine: the facts about one recipient, not yet judged."""

from __future__ import annotations

from dataclasses import dataclass

from bouncekit._smtp import EnhancedStatus
from bouncekit._types import Reason


@dataclass(slots=True)
class Evidence:
    """One recipient as a report states it: address, codes, server, command, text.

    `status` and `code` are only ever codes written in the message for this recipient (a
    Status field, or the reply quoted for it); None when the message gives none, never a
    code inferred from words.
    """

    recipient: str | None
    action: str | None = None  # RFC 3464 Action, lowercase
    status: EnhancedStatus | None = None  # from a Status field (authoritative)
    code: int | None = None  # SMTP reply code when a field states it
    remote_mta: str | None = None
    command: str | None = None
    diagnostic: str = ""  # the text the decision rests on
    source: str = ""  # dsn, ndr, ndr:<family>, ses, arf, auto_reply, reply
    feedback_type: str | None = None
    decided: Reason | None = None  # set when the report kind itself decides (ARF, vacation)
    via: str = ""  # how the recipient was found, when a guess (`_provenance.py`); "" = fields
