"""qmail and its descendants (netqmail, vpopmail, s/qmail, Yahoo's and mail.ru's variants).

    Hi. This is the qmail-send program at mx.example.org.
    I'm afraid I wasn't able to deliver your message to the following addresses.
    <rcpt@example.com>:
    192.0.2.1 does not like recipient.
    Remote host said: 550 5.1.1 <rcpt@example.com>: Recipient address rejected
    Giving up on 192.0.2.1.

The qmail's own sentence ("does not like recipient", "Sorry, I couldn't find any host")
says which step failed, so it stays in the diagnostic in front of the remote reply.
"""

from __future__ import annotations

from collections.abc import Container

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence
from bouncekit._extract.mta.postfix import address_paragraphs
from bouncekit._message import MailView

FINGERPRINTS = (
    "this is the qmail-send program",
    "qmail-send program",
    "i'm afraid i wasn't able to deliver your message",
    "i was not able to deliver your message",
    "this is the mail delivery agent at",
)


def detect(view: MailView, text: str) -> bool:
    head = text[:3000].lower()
    return any(f in head for f in FINGERPRINTS)


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    out = []
    for rcpt, block in address_paragraphs(text.split("\n"), own):
        ev = evidence(rcpt, block, "qmail", keep_prose=True)
        out.append(ev)
    return out
