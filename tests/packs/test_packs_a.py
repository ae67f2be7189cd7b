"""Packs A: Microsoft (consumer and 365), Yahoo/AOL, Orange, La Poste, SFR, Free, Bouygues, Google.

The rule examples are checked one by one in tests/test_signatures.py. These tests check what
the packs are for: the provider is named from the reply text alone, the code *families* are
recognised in replies that are not the rules' own examples (other IPs, other members of a
code scheme), the codes that lie get the right permanence, and the advice for an IP block
says the address is fine, in English and French.
"""

from __future__ import annotations

import pytest

from bouncekit import BlockType, Category, Reason, Stage, classify_reply, parse_bounce

from ..conftest import corpus_file

SEED = (
    "<x@hotmail.com>: host mx1.hotmail.com[65.54.244.136] said: 550 Mail rejected by Windows "
    "Live Hotmail for policy reasons. A block has been placed against your IP address because "
    "we have received complaints concerning mail coming from that IP address. We recommend "
    "enrolling in our Junk E-Mail Reporting Program (JMRP), a free program intended to help "
    "senders remove unwanted recipients from their e-mail lists. (in reply to MAIL FROM command)"
)


def test_seed_still_decided_by_the_complaints_rule() -> None:
    b = parse_bounce(SEED).bounces[0]
    assert b.match.rule_id == "microsoft/ip-complaints"
    assert (b.category, b.block_type, b.permanent) == (Category.BLOCK, BlockType.COMPLAINTS, True)


def test_current_sc004_wording_reads_like_the_seed() -> None:
    """The 2011+ SC-004 text is the same complaint block and gets the same advice."""
    b = classify_reply(
        "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed "
        "against your IP address because we have received complaints concerning mail coming "
        "from that IP address. (BAY004-MC1F22)"
    )
    seed = parse_bounce(SEED).bounces[0]
    assert b.provider is not None and b.provider.id == "microsoft"
    assert b.advice.key == seed.advice.key == "microsoft-ip-complaints"


# Replies that are *not* any rule's example: other IPs, hosts and members of each code scheme.
FAMILY_CASES = [
    # text, provider, reason, block type (None: not a block)
    (
        "550 SC-001 (COL004-MC5F3) Unfortunately, messages from 198.51.100.7 weren't sent. "
        "Please contact your Internet service provider since part of their network is on our "
        "block list.",
        "microsoft",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "421 RP-002 The mail server IP connecting to Outlook.com server has exceeded the rate "
        "limit allowed on this connection.",
        "microsoft",
        Reason.RATE_LIMITED,
        BlockType.RATE_LIMIT,
    ),
    (
        "451 4.7.651 The mail server [203.0.113.61] has been temporarily rate limited due to IP "
        "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
        "microsoft",
        Reason.BAD_REPUTATION,
        BlockType.RATE_LIMIT,
    ),
    (
        "550 5.7.621 Access denied, banned sending IP [203.0.113.9]. To request removal from "
        "this list please visit https://sender.office.com/ and follow the directions. "
        "AS(1430) [AM6EUR05FT011.eop-eur05.prod.protection.outlook.com]",
        "microsoft365",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup "
        "[DB9PR00MB1234.eurprd00.prod.outlook.com]",
        "microsoft365",
        Reason.USER_UNKNOWN,
        None,
    ),
    (
        "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains "
        "[BN8NAM12FT055.eop-nam12.prod.protection.outlook.com]",
        "microsoft365",
        Reason.SENDER_REJECTED,
        BlockType.SENDER_ACCOUNT,
    ),
    (
        "421 4.7.0 [TSS05] Messages from 203.0.113.5 temporarily deferred due to unexpected "
        "volume or user complaints - 4.16.55.1; see https://senders.yahooinc.com/error-codes",
        "yahoo",
        Reason.SENDER_REJECTED,
        BlockType.IP_REPUTATION,
    ),
    (
        "553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see "
        "https://senders.yahooinc.com/error-codes [550]",
        "yahoo",
        Reason.IP_BLOCKED,
        BlockType.NAMED_BLOCKLIST,
    ),
    (
        "554 (RLY:B2) http://postmaster.info.aol.com/errors/554rlyb2.html",
        "yahoo",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "550 mwinf5c22 ME Mail rejete. Mail rejected. OFR004_506 [506]",
        "orange",
        Reason.SPAM_CONTENT,
        BlockType.CONTENT_SPAM,
    ),
    (
        "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR004_416 "
        "[416]",
        "orange",
        Reason.USER_UNKNOWN,
        None,
    ),
    (
        "550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN003_416",
        "laposte",
        Reason.USER_UNKNOWN,
        None,
    ),
    (
        "421 4.2.1 Service refuse. Veuillez essayer plus tard. Service refused, please try "
        "later. LPN105_104",
        "laposte",
        Reason.TOO_MANY_CONNECTIONS,
        BlockType.RATE_LIMIT,
    ),
    (
        "550 5.7.1 <mx.example.net[203.0.113.4]>: Client host rejected: Abus detecte GU_EIB_04",
        "sfr",
        Reason.IP_BLOCKED,
        BlockType.COMPLAINTS,
    ),
    (
        "421 Too many spams from your IP (203.0.113.8), please visit http://postmaster.free.fr/",
        "free",
        Reason.IP_BLOCKED,
        BlockType.COMPLAINTS,
    ),
    (
        "421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from "
        "your SPF domain [example.net]. To protect our users from spam, email sent from your "
        "domain has been temporarily rate limited. z1si123456qtx.7 - gsmtp",
        "google",
        Reason.RATE_LIMITED,
        BlockType.COMPLAINTS,
    ),
    (
        "550-5.7.1 This message is not RFC 5322 compliant. There are multiple From headers. "
        "ab12cd34ef.5 - gsmtp",
        "google",
        Reason.NOT_RFC_COMPLIANT,
        BlockType.PROTOCOL,
    ),
]


@pytest.mark.parametrize(("text", "provider", "reason", "block_type"), FAMILY_CASES)
def test_family_is_recognised_from_the_reply_alone(
    text: str, provider: str, reason: Reason, block_type: BlockType | None
) -> None:
    b = classify_reply(text)
    assert b.provider is not None and b.provider.id == provider
    assert b.match.stage is Stage.PROVIDER_RULE
    assert b.reason is reason
    assert b.block_type is block_type


@pytest.mark.parametrize(
    "text",
    [
        "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient"
        " table",
        "554 5.7.1 <x@example.ch>: Recipient address rejected: Access denied",  # Postfix, not EOP
        "550 5.7.1 Access denied",
        "421 4.7.0 Service refuse. Veuillez essayer plus tard.",  # no OFR/LPN code: whose?
        "550 Requested action not taken: mailbox unavailable",  # RFC 5321's own wording
    ],
)
def test_generic_mta_wording_names_no_provider(text: str) -> None:
    assert classify_reply(text).provider is None


def test_bouygues_is_known_by_its_domain_only() -> None:
    """Its one known reply has no marker: the recipient domain names the provider."""
    text = "554 5.7.1 Rejected for policy reason"
    assert classify_reply(text).provider is None
    b = classify_reply(text, recipient="x@bbox.fr")
    assert b.provider is not None and b.provider.id == "bouygues"
    assert b.block_type is BlockType.POLICY


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("apc.olc.protection.outlook.com", "microsoft"),
        ("contoso-com.mail.protection.outlook.com", "microsoft365"),
    ],
)
def test_shared_eop_reply_is_attributed_by_its_host(host: str, provider: str) -> None:
    """5.7.509 reads the same from Outlook.com and from a tenant: the MX decides."""
    text = (
        "550 5.7.509 Access denied, sending domain [EXAMPLE.COM] does not pass DMARC "
        "verification and has a DMARC policy of reject. [AB1PR00MB0001.eurprd00.prod.outlook.com]"
    )
    b = classify_reply(text, remote_host=host)
    assert b.provider is not None and b.provider.id == provider
    assert b.block_type is BlockType.AUTH


def test_consumer_markers_win_over_the_shared_eop_stack() -> None:
    b = classify_reply(
        "550 5.7.1 Unfortunately, messages from [203.0.113.3] weren't sent. Please contact your "
        "Internet service provider since part of their network is on our block list (S3150). "
        "[AM4EUR01FT012.eop-eur01.prod.protection.outlook.com]"
    )
    assert b.provider is not None and b.provider.id == "microsoft"


def test_exchange_wrapper_yields_to_the_provider_inside() -> None:
    """Microsoft 365 relaying Gmail's refusal: Gmail refused, so Gmail is named."""
    b = classify_reply(
        "550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550-5.1.1 "
        "The email account that you tried to reach does not exist. qz9si1.2 - gsmtp"
    )
    assert b.provider is not None and b.provider.id == "google"
    assert b.category is Category.HARD


# --- codes that lie ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "permanent", "category", "block_type"),
    [
        # Yahoo: "deferred" but a 553 refusal that retrying will not clear (◐ GO comments).
        (
            "553 5.7.2 [TSS11] All messages from 203.0.113.25 will be permanently deferred; "
            "Retrying will NOT succeed. See https://senders.yahooinc.com/error-codes",
            True,
            Category.BLOCK,
            BlockType.IP_REPUTATION,
        ),
        # Legacy Yahoo [TS03]: the same, sent as a 421 (◐ MOM, SGR).
        (
            "421 4.7.1 [TS03] All messages from 203.0.113.1 will be permanently deferred; "
            "Retrying will NOT succeed. See http://postmaster.yahoo.com/421-ts03.html",
            True,
            Category.BLOCK,
            BlockType.IP_REPUTATION,
        ),
        # Orange OFR_999: a 421 that needs a pause of hours, a rate limit (● SOE).
        (
            "421 mwinf5c61 ME Service refuse. Veuillez essayer plus tard. Service refused, "
            "please try later. OFR_999 [999]",
            False,
            Category.BLOCK,
            BlockType.RATE_LIMIT,
        ),
        # Orange 103: "please try later" in a 550 from Orange's own block list (◐ GO).
        (
            "550 mwinf5c18 ME Service refuse. Veuillez essayer plus tard. Service refused, please "
            "try later. OFR004_103 203.0.113.2 [103]",
            True,
            Category.BLOCK,
            BlockType.IP_REPUTATION,
        ),
        # Full mailboxes sent as 552: they clear when the owner makes room.
        (
            "552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR004_417 [417]",
            False,
            Category.SOFT,
            None,
        ),
        # AOL RLY:B1: a 554 that lifts by itself within a day (◐ MANTA, MOM).
        (
            "554 RLY:B1 http://postmaster.info.aol.com/errors/554rlyb1.html",
            False,
            Category.BLOCK,
            BlockType.COMPLAINTS,
        ),
        # Orange 411: "4.1.1" but a temporary refusal, not an unknown address.
        (
            "421 4.1.1 ZxYw Service refuse. Veuillez essayer plus tard. OFR005_411 [411]",
            False,
            Category.SOFT,
            None,
        ),
    ],
)
def test_codes_that_lie(
    text: str, permanent: bool, category: Category, block_type: BlockType | None
) -> None:
    b = classify_reply(text)
    assert b.permanent is permanent
    assert b.category is category
    assert b.block_type is block_type


def test_status_words_that_lie_about_the_side() -> None:
    # AOL's 521 5.2.1 is a refusal of the message, not a disabled mailbox.
    aol = classify_reply("521 5.2.1 AOL will not accept delivery of this message")
    assert aol.category is Category.BLOCK and aol.reason is Reason.POLICY
    # EOP's "Access denied" at 5.4.1 is an address missing from the tenant (DBEB).
    dbeb = classify_reply(
        "550 5.4.1 Recipient address rejected: Access denied. For more information see "
        "https://aka.ms/EXOSmtpErrors [AM0PR00MB0000.eurprd00.prod.outlook.com]"
    )
    assert dbeb.category is Category.HARD and dbeb.reason is Reason.USER_UNKNOWN
    # Exchange's "5.1.0 Sender denied" is about the recipient (a stale directory entry).
    stale = classify_reply("550 5.1.0 Sender denied", remote_host="x.mail.protection.outlook.com")
    assert stale.reason is Reason.USER_UNKNOWN
    # SFR: an unknown recipient under 5.7.1.
    sfr = classify_reply("550 5.7.1 <x@sfr.fr>: Recipient address rejected: User unknown")
    assert sfr.category is Category.HARD


# --- advice ------------------------------------------------------------------------------------

IP_BLOCKS = [
    "550 SC-003 Mail rejected by Outlook.com for policy reasons. Your IP address appears to be "
    "an open proxy/relay.",
    "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from this "
    "list please visit https://sender.office.com/ and follow the directions.",
    "550 5.7.511 Access denied, banned sender[203.0.113.1]. To request removal from this list, "
    "forward this message to delist@microsoft.com.",
    "553 5.7.2 [TSS09] All messages from 203.0.113.25 will be permanently deferred; Retrying "
    "will NOT succeed.",
    "421 4.7.0 [TSS04] Messages from 203.0.113.19 temporarily deferred due to unexpected volume "
    "or user complaints - 4.16.55.1; see https://senders.yahooinc.com/error-codes",
    "550 mwinf5c10 ME Service refuse. Veuillez essayer plus tard. Service refused, please try "
    "later. OFR006_103 203.0.113.1 [103]",
    "421 mwinf5c77 ME Service refuse. Service refused, please try later. OFR_999 [999]",
    "550 5.5.0 Service refuse. Veuillez essayer plus tard. service refused, please try later. "
    "LPN001_108",
    "550 5.7.1 <mx.example.net[203.0.113.4]>: Client host rejected: Abus detecte GU_EIB_02",
    "421 Too many spams from your IP (203.0.113.8), please visit http://postmaster.free.fr/",
    "421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your "
    "IP address [203.0.113.1]. - gsmtp",
]


@pytest.mark.parametrize("text", IP_BLOCKS)
def test_ip_block_advice_keeps_the_recipient(text: str) -> None:
    b = classify_reply(text)
    assert b.category is Category.BLOCK
    assert b.provider is not None
    en, fr = b.advice.text("en").lower(), b.advice.text("fr").lower()
    assert "do not unsubscribe" in en
    assert "ne désabonnez pas" in fr
    assert "the address is fine" in en
    assert "l'adresse est valide" in fr


@pytest.mark.parametrize(
    ("text", "words", "link"),
    [
        (
            "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed "
            "against your IP address because we have received complaints concerning mail coming "
            "from that IP address.",
            ("jmrp", "snds", "support form"),
            "JMRP",
        ),
        (
            "421 4.7.0 [TSS04] Messages from 203.0.113.19 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1",
            ("sender hub", "feedback loop"),
            "senders.yahooinc.com",
        ),
        (
            "550 mwinf5c10 ME Service refuse. Service refused, please try later. OFR006_103 [103]",
            ("postmaster.orange.fr", "deliverability issue"),
            "postmaster.orange.fr",
        ),
        (
            "421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from "
            "your IP address [203.0.113.1]. - gsmtp",
            ("postmaster tools", "0.3 %"),
            "postmaster.google.com",
        ),
        (
            "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail "
            "requires all senders to authenticate with either SPF or DKIM. - gsmtp",
            ("spf", "dkim", "dmarc", "bulk"),
            "support.google.com",
        ),
        (
            "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from "
            "this list please visit https://sender.office.com/ and follow the directions.",
            ("sender.office.com", "delist"),
            "sender.office.com",
        ),
    ],
)
def test_advice_names_who_fixes_it_and_how(text: str, words: tuple[str, ...], link: str) -> None:
    advice = classify_reply(text).advice
    en = advice.text("en").lower()
    for word in words:
        assert word in en, word
    assert advice.text("fr") != advice.text("en")
    assert any(link in url for url in advice.links)


# --- real bounces from the shared corpus --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provider", "reason", "block_type"),
    [
        ("rhost-franceptt-06.eml", "orange", Reason.IP_BLOCKED, BlockType.NAMED_BLOCKLIST),
        ("rhost-franceptt-05.eml", "laposte", Reason.ACCOUNT_DISABLED, None),
        ("rhost-yahooinc-02.eml", "yahoo", Reason.SENDER_REJECTED, BlockType.IP_REPUTATION),
        ("rhost-yahooinc-01.eml", "yahoo", Reason.POLICY, BlockType.AUTH),
        ("rhost-microsoft-01.eml", "microsoft365", Reason.IP_BLOCKED, BlockType.IP_REPUTATION),
        ("rhost-microsoft-04.eml", "microsoft", Reason.AUTH_FAILURE, BlockType.AUTH),
        ("rhost-google-08.eml", "google", Reason.NOT_RFC_COMPLIANT, BlockType.PROTOCOL),
    ],
)
def test_corpus_bounce(
    name: str, provider: str, reason: Reason, block_type: BlockType | None
) -> None:
    (b,) = parse_bounce(corpus_file(name)).bounces
    assert b.provider is not None and b.provider.id == provider
    assert b.reason is reason
    assert b.block_type is block_type
