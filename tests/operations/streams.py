"""A generated day of bounces for a mailing list, built from real reply texts.

10,000 bounces over one day: 3,000 of them are Outlook.com/Hotmail refusing the sending
IP 192.0.2.1 between 10:00 and 11:00 (the S3150 / SC-001 block-list replies of the
microsoft pack), the rest a realistic mix of unknown users, full mailboxes, Spamhaus
listings at other receivers, complaints (ARF) and out-of-office replies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from bouncekit import Bounce, classify_reply, parse_bounce

DAY = datetime(2026, 3, 2, tzinfo=UTC)
BLOCK_START = DAY + timedelta(hours=10)
BLOCKED_IP = "192.0.2.1"

# Outlook.com's block-list replies as they come, with the front-end server tag varying.
HOTMAIL_REPLIES = (
    "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet "
    "service provider since part of their network is on our block list (S3150). You can also "
    "refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
    "[{tag}.eop-eur04.prod.protection.outlook.com]",
    "550 SC-001 ({tag}) Unfortunately, messages from {ip} weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list. You can also "
    "refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
)
HARD = "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table"
SOFT = "452 4.2.2 The email account that you tried to reach is over quota."
SPAMHAUS = "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org"

ARF = """From: feedback@example.net
To: abuse@example.com
Subject: FW: newsletter
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b"

--b
Content-Type: text/plain

This is an email abuse report.
--b
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: test/1.0
Version: 1
Original-Rcpt-To: <{rcpt}>

--b
Content-Type: message/rfc822

From: news@example.com
To: {rcpt}
Subject: March news

body
--b--
"""
AUTO_REPLY = """From: {rcpt}
To: news@example.com
Subject: Out of office: March news
Auto-Submitted: auto-replied

I am away until Monday.
"""


@lru_cache(maxsize=64)
def _classified(text: str, domain: str) -> Bounce:
    return classify_reply(text, recipient=f"someone@{domain}")


def reply_bounce(text: str, recipient: str) -> Bounce:
    """`classify_reply(text, recipient=...)`, classified once per text and recipient domain.

    For texts that do not name the recipient, the result depends only on the text and the
    domain (the provider guess); this keeps the 7,000 background bounces cheap.
    """
    b = _classified(text, recipient.rpartition("@")[2])
    return replace(b, recipient=recipient)


@dataclass(frozen=True)
class Stream:
    events: list[tuple[datetime, Bounce]]  # in time order
    hotmail_recipients: frozenset[str]  # the 3,000 addresses behind the Hotmail block


def generate(seed: int = 8) -> Stream:
    rnd = random.Random(seed)
    events: list[tuple[datetime, Bounce]] = []

    def at_random() -> datetime:
        return DAY + timedelta(seconds=rnd.uniform(0, 86_400))

    hotmail = set()
    domains = ("hotmail.com", "outlook.com", "live.com", "hotmail.fr", "msn.com")
    for i in range(3000):
        rcpt = f"reader{i}@{domains[i % len(domains)]}"
        hotmail.add(rcpt)
        text = HOTMAIL_REPLIES[i % 2].format(
            ip=BLOCKED_IP, tag=f"DB3EUR04FT{rnd.randrange(999):03d}"
        )
        when = BLOCK_START + timedelta(seconds=3600 * i / 3000 + rnd.uniform(0, 1))
        events.append((when, classify_reply(text, recipient=rcpt)))
    for i in range(2500):
        rcpt = f"gone{i}@example.org"
        events.append((at_random(), reply_bounce(HARD, rcpt)))
    for i in range(2000):
        rcpt = f"full{i % 400}@example.net"  # the same 400 mailboxes fill up again and again
        events.append((at_random(), reply_bounce(SOFT, rcpt)))
    for i in range(1500):
        rcpt = f"member{i}@example.edu"
        ip = f"192.0.2.{50 + i % 3}"  # three other sending IPs, listed all day
        events.append((at_random(), reply_bounce(SPAMHAUS.format(ip=ip), rcpt)))
    for i in range(1000):
        rcpt = f"angry{i}@example.com" if i % 2 else f"away{i}@example.com"
        template = ARF if i % 2 else AUTO_REPLY
        (bounce,) = parse_bounce(template.format(rcpt=rcpt)).bounces
        events.append((at_random(), bounce))
    events.sort(key=lambda e: e[0])
    return Stream(events, frozenset(hotmail))
