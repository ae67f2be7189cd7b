"""Blocklists named in a reply: which list, which IP, and who can fix it (providers.md §26)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import regex

from bouncekit import Action, BlockType, Category, Fixer, SignatureError, classify_reply
from bouncekit._blocklists import blocklists, find_blocklist, listed_ip, parse_table

TABLE = blocklists()


@pytest.mark.parametrize(
    ("bl", "text"),
    [pytest.param(bl, ex, id=f"{bl.id}#{i}") for bl in TABLE for i, ex in enumerate(bl.examples)],
)
def test_every_example_names_its_own_list(bl, text) -> None:
    """Order matters (sub-lists before ZEN, receiver errors first): each example proves it."""
    hit = find_blocklist(text)
    assert hit is not None and hit.blocklist.id == bl.id, (hit and hit.blocklist.id, text)


def test_the_table_covers_the_lists_the_issue_names() -> None:
    names = {bl.name for bl in TABLE}
    for name in ("Spamhaus ZEN", "Spamhaus SBL", "Spamhaus XBL", "Spamhaus PBL", "Spamhaus CSS",
                 "Spamhaus DBL", "SpamCop", "Barracuda BRBL", "UCEPROTECT Level 1",
                 "UCEPROTECT Level 2", "UCEPROTECT Level 3", "Cloudmark CSI", "Mailspike", "PSBL",
                 "SURBL", "URIBL", "Invaluement", "Abusix Mail Intelligence", "Backscatterer",
                 "SpamRATS", "NiX Spam", "Lashback UBL", "DroneBL"):  # fmt: skip
        assert name in names, name
    assert any(bl.name.startswith("SORBS") and bl.kind == "defunct" for bl in TABLE)


def test_zen_through_a_postfix_wrapper_names_the_list_and_the_listed_ip() -> None:
    b = classify_reply(
        "<x@example.com>: host mx.example.com[198.51.100.7] said: 554 5.7.1 Service "
        "unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/192.0.2.1 (in reply to RCPT TO command)"
    )
    assert b.category is Category.BLOCK
    assert b.block_type is BlockType.NAMED_BLOCKLIST
    assert b.blocklist == "Spamhaus ZEN"
    assert b.blocked_ip == "192.0.2.1"  # not the receiving server's 198.51.100.7
    assert "https://check.spamhaus.org/listed/?searchterm=192.0.2.1" in b.advice.links
    assert b.advice.action is Action.REQUEST_DELISTING and b.advice.fixer is Fixer.IP_OWNER


@pytest.mark.parametrize(
    ("text", "name", "ip"),
    [
        ("553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see "
         "http://postmaster.yahoo.com/errors/550-bl23.html [550]", "Spamhaus XBL", None),
        ("550 5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL. For "
         "details please see http://www.spamhaus.org/query/bl?ip=192.0.2.1",
         "Spamhaus SBL", "192.0.2.1"),
        ("554 Connection refused. This IP has a poor reputation on Cloudmark Sender Intelligence "
         "(CSI). IB103", "Cloudmark CSI", None),
        ("550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked "
         "for spamming issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/"
         "?ip=192.0.2.1 [102]", "Cloudmark CSI", "192.0.2.1"),
        ("550 Rejected because 192.0.2.9 is in a black list at dnsbl-1.uceprotect.net",
         "UCEPROTECT Level 1", "192.0.2.9"),
        ("554 5.7.1 Service unavailable; Client host [192.0.2.3] blocked using "
         "dnsbl-3.uceprotect.net", "UCEPROTECT Level 3", "192.0.2.3"),
        ("554 Service unavailable; Client host [192.0.2.4] blocked using Barracuda Reputation; "
         "http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.4",
         "Barracuda BRBL", "192.0.2.4"),
        ("JunkMail rejected - host.example [192.0.2.5]:3412 is in an RBL: "
         "https://www.spamcop.net/bl.shtml?192.0.2.5", "SpamCop", "192.0.2.5"),
        ("554 5.7.1 Service unavailable; Client host [192.0.2.6] blocked using bl.mailspike.net",
         "Mailspike", "192.0.2.6"),
        ("554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using psbl.surriel.com",
         "PSBL", "192.0.2.7"),
    ],
)  # fmt: skip
def test_named_lists_in_real_wordings(text: str, name: str, ip: str | None) -> None:
    b = classify_reply(text)
    assert b.category is Category.BLOCK
    assert b.blocklist == name
    if ip is not None:
        assert b.blocked_ip == ip


@pytest.mark.parametrize(
    "text",
    [
        "554 5.7.1 Message rejected: URL listed on multi.surbl.org",
        "554 5.7.1 <x@example.com>: Sender address rejected: blocked using dbl.spamhaus.org",
    ],
)
def test_domain_lists_list_no_ip(text: str) -> None:
    hit = find_blocklist(text)
    assert hit is not None and hit.blocklist.kind == "domain" and hit.ip is None


def test_pbl_advice_says_use_a_relay_not_delist() -> None:
    b = classify_reply(
        "553-mail rejected because your IP is in the PBL. See http://www.spamhaus.org/pbl"
    )
    assert b.blocklist == "Spamhaus PBL"
    assert b.advice.key == "blocklist-pbl"
    assert "relay" in b.advice.text("en") and "relais" in b.advice.text("fr")


OPEN_RESOLVER = (
    "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
    "Error: open resolver; https://www.spamhaus.org/returnc/pub/203.0.113.9"
)


@pytest.mark.parametrize(
    "text",
    [
        OPEN_RESOLVER,
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
        "Query Refused. See https://www.spamhaus.org/returnc/vol/",
        "550 5.7.1 Rejected: 192.0.2.1 listed at zen.spamhaus.org (127.255.255.254)",
    ],
)
def test_refused_query_is_the_receivers_fault_not_a_listing(text: str) -> None:
    b = classify_reply(text)
    assert b.category is Category.BLOCK  # the mail was refused all the same
    assert b.blocklist is not None and "receiver misconfigured" in b.blocklist
    assert b.blocked_ip is None  # nobody listed the sender's IP
    assert b.advice.key == "blocklist-receiver-error"
    assert b.advice.fixer is Fixer.RECEIVING_ADMIN
    assert b.advice.action is Action.CONTACT_RECIPIENT
    en = b.advice.text("en").lower()
    assert "not because the sending ip is listed" in en and "do not request delisting" in en
    assert "ne demandez pas de retrait" in b.advice.text("fr").lower()


def test_open_resolver_without_spamhaus_is_not_a_spamhaus_error() -> None:
    hit = find_blocklist(
        "554 5.7.1 Client host [192.0.2.1] blocked using bl.spamcop.net; open resolver"
    )
    assert hit is not None and hit.name == "SpamCop"


def test_sorbs_is_closed_and_says_so() -> None:
    b = classify_reply(
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using dnsbl.sorbs.net"
    )
    assert b.blocklist is not None and b.blocklist.startswith("SORBS") and "2024" in b.blocklist
    assert b.blocked_ip is None
    assert b.advice.key == "blocklist-defunct"
    assert b.advice.fixer is Fixer.RECEIVING_ADMIN
    assert "sorbs shut down in june 2024" in b.advice.text("en").lower()
    assert "sorbs a fermé en juin 2024" in b.advice.text("fr").lower()
    sorbs = next(bl for bl in TABLE if bl.id == "sorbs")
    assert "2024" in sorbs.note and sorbs.lookup is None


def test_a_provider_rule_keeps_its_name_but_gains_the_sub_list() -> None:
    """A rule that says blocklist = "Spamhaus" reports the more precise table name."""
    b = classify_reply(
        "550 5.7.1 Service unavailable; Client host [198.51.100.25] blocked using Spamhaus. "
        "To request removal from this list see https://www.spamhaus.org/lookup/ (S3140). "
        "[AM5EUR03FT045.eop-EUR03.prod.protection.outlook.com]"
    )
    assert b.blocklist == "Spamhaus" and b.blocked_ip == "198.51.100.25"
    assert b.block_type is BlockType.NAMED_BLOCKLIST


@pytest.mark.parametrize(
    "text",
    [
        "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown",
        "550 5.7.1 The message contains CSS styling that absorbs the layout",  # css, absorbs
        "554 5.7.1 Message refused: the sbl team said no",  # a bare "sbl" word is no list
        "451 4.7.1 Please try again later (pbl check pending)",
    ],
)
def test_near_misses_name_no_list(text: str) -> None:
    hit = find_blocklist(text)
    assert hit is None or hit.name not in ("Spamhaus CSS", "SORBS (closed June 2024)",
                                           "Spamhaus SBL", "Spamhaus PBL"), hit  # fmt: skip


def test_non_block_results_carry_no_blocklist() -> None:
    b = classify_reply("550 5.1.1 <x@example.com>: Recipient address rejected: User unknown")
    assert b.blocklist is None and b.blocked_ip is None


def test_listed_ip_skips_the_receivers_own_ip() -> None:
    text = "Client host [198.51.100.7] blocked; see https://www.spamcop.net/bl.shtml?192.0.2.8"
    assert listed_ip(text, exclude="198.51.100.7") == "192.0.2.8"
    assert listed_ip("no address here") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"list": [{"id": "x", "name": "X", "kind": "ip", "pattern": "x", "examples": ["x"],
                    "colour": "red"}]}, "unknown key"),
        ({"list": [{"id": "x", "name": "X", "kind": "dead", "pattern": "x",
                    "examples": ["x"]}]}, "kind must be"),
        ({"list": [{"id": "x", "name": "X", "kind": "ip", "pattern": "x("
                    , "examples": ["x"]}]}, "invalid pattern"),
        ({"list": [{"id": "x", "name": "X", "kind": "ip", "pattern": "x"}]}, "examples"),
    ],
)  # fmt: skip
def test_table_errors_name_the_entry(data, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_table(data, "test.toml")


def test_importing_bouncekit_does_not_read_the_table() -> None:
    code = (
        "import bouncekit, bouncekit._blocklists as b; assert b._table is None; "
        "bouncekit.classify_reply('554 Client host [192.0.2.1] blocked using bl.spamcop.net'); "
        "assert b._table is not None"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_table_and_ip_patterns_pass_the_pattern_safety_check() -> None:
    from bouncekit._blocklists import _IP_AFTER, _IP_BEFORE
    from bouncekit._pattern_safety import check_pattern

    for bl in TABLE:
        check_pattern(bl.pattern)
        if bl.context is not None:
            check_pattern(bl.context)
    check_pattern(_IP_AFTER)
    check_pattern(_IP_BEFORE)


@pytest.mark.parametrize(
    ("text", "name", "kind", "ip"),
    [
        ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using dnsbl.example.net",
         "dnsbl.example.net", "ip", "192.0.2.1"),
        ("550 Rejected because 192.0.2.2 is in a black list at bl.example.com",
         "bl.example.com", "ip", "192.0.2.2"),
        ("554 5.7.1 <x@example.com>: Sender address rejected: blocked using rhsbl.example.org",
         "rhsbl.example.org", "domain", None),
    ],
)  # fmt: skip
def test_an_unknown_zone_is_named_as_written(
    text: str, name: str, kind: str, ip: str | None
) -> None:
    hit = find_blocklist(text)
    assert hit is not None and hit.name == name and hit.blocklist.kind == kind and hit.ip == ip
    assert hit.links == ()  # no lookup page is invented


@pytest.mark.parametrize(
    "text",
    [
        "550 5.7.1 Message rejected: listed at https://example.org",
        "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent: part of their network "
        "is on our block list (S3150).",
    ],
)
def test_no_zone_no_name(text: str) -> None:
    assert find_blocklist(text) is None


def test_zone_pattern_is_safe() -> None:
    from bouncekit._blocklists import _ZONE
    from bouncekit._pattern_safety import check_pattern

    check_pattern(_ZONE)


def test_table_patterns_are_linear_on_64k_pumps() -> None:
    """The table is read lazily, so the package-wide pump test does not see its patterns:
    the same budget here (64 KB in <= 10 ms of this thread's CPU, best of 3). The combined
    pre-filter (`_Table.any`) is left out: it only ever sees the first 4 KB of a text."""
    units = ("a", "a ", "a.", "1.", "[1.", "192.0.2.1 ", "a-", "(", "spamhaus ", "level ")
    patterns = [bl.pattern for bl in TABLE] + [bl.context for bl in TABLE if bl.context]
    slow = []
    for pattern in patterns:
        for unit in units:
            text = (unit * (65536 // len(unit) + 1))[:65536] + "\x00!"
            best = min(_cpu_seconds(pattern, text) for _ in range(3))
            if best > 0.010:
                slow.append((pattern.pattern[:40], unit, best))
    assert not slow, slow


def _cpu_seconds(pattern: regex.Pattern[str], text: str) -> float:
    started = time.thread_time()
    pattern.search(text)
    return time.thread_time() - started
