"""Provider packs of providers.md §10-24: Apple to Naver, and the filtering services.

The rule examples are checked one by one in tests/test_signatures.py. Here the packs are
exercised as a whole, on texts that are *not* their examples (other codes, IPs and hosts of
the same family), for what the issue asks of them: the reply alone names the provider,
codes that lie get the right `permanent`, a gateway is reported ahead of the provider
behind it, and the advice says who can fix what, in English and French.
"""

from __future__ import annotations

import pytest

from bouncekit import BlockType, Category, Reason, classify_reply, default_registry, parse_bounce
from tests.conftest import corpus_file

REGISTRY = default_registry()

OUR_PROVIDERS = (
    "apple", "gmx", "tonline", "yandex", "mailru", "comcast", "cox", "spectrum", "att",
    "godaddy", "zoho", "tencent", "netease", "naver",
)  # fmt: skip
OUR_FILTERS = ("proofpoint", "mimecast", "cisco", "trendmicro", "messagelabs", "barracuda")


def test_every_pack_exists_with_its_kind() -> None:
    for pid in OUR_PROVIDERS:
        cp = REGISTRY.pack(pid)
        assert cp is not None and cp.pack.kind == "provider", pid
    for pid in OUR_FILTERS:
        cp = REGISTRY.pack(pid)
        assert cp is not None and cp.pack.kind == "filter", pid


# --- the reply alone names the provider (family variants, not the rule examples) -------------

# (reply text, provider, reason, block type or None)
FAMILY = [
    (
        "554 5.7.1 [CS02] Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/102322",
        "apple",
        Reason.POLICY,
        BlockType.CONTENT_SPAM,
    ),
    (
        "554-web.de (mxweb108) Nemesis ESMTP Service not available 554-No SMTP service "
        "554-IP address is block listed. 554 For explanation visit "
        "https://postmaster.web.de/en/case?c=r0201&i=ip&v=198.51.100.7&r=ZZ9",
        "gmx",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "554 IP=198.51.100.20 - None/bad reputation. Ask your postmaster for help or to "
        "contact postmaster@rx.t-online.de for reset. (NOWL)",
        "tonline",
        Reason.BAD_REPUTATION,
        BlockType.IP_REPUTATION,
    ),
    (
        "554 5.7.1 [1] Message rejected under suspicion of SPAM; https://ya.cc/7Qx2 "
        "9876543210-ZyXwVuTs",
        "yandex",
        Reason.SPAM_CONTENT,
        BlockType.CONTENT_SPAM,
    ),
    (
        "550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=ZZ "
        "or report details to abuse@corp.mail.ru. Error code: 9F9F. ID: 1234.",
        "mailru",
        Reason.SPAM_CONTENT,
        BlockType.CONTENT_SPAM,
    ),
    (
        "554 resimta-po-22v.sys.comcast.net comcast 198.51.100.4 Comcast BL000110 Please see "
        "http://postmaster.comcast.net/smtp-error-codes.php#BL000110",
        "comcast",
        Reason.IP_BLOCKED,
        BlockType.NAMED_BLOCKLIST,
    ),
    (
        "550 5.1.0 <bounce@news.example.org> sender rejected. Refer to Error Codes section at "
        "https://www.cox.com/residential/support/email-error-codes.html for more information. "
        "AUP#IPBL0101",
        "cox",
        Reason.IP_BLOCKED,
        BlockType.NAMED_BLOCKLIST,
    ),
    (
        "550 5.1.0 <bounce@news.example.org> sender rejected. Please see "
        "https://www.spectrumbusiness.net/support/internet/understanding-email-error-codes "
        "for more information. AUP#In-1160",
        "spectrum",
        Reason.AUTH_FAILURE,
        BlockType.AUTH,
    ),
    (
        "553 5.3.0 alph456 - DNSBL:RBL 521< 198.51.100.5 >_is_blocked.For assistance forward "
        "this error to abuse_rbl@abuse-att.net",
        "att",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "554 This IP has been temporarily blocked for attempting to mail too many invalid "
        "recipients. IB112",
        "godaddy",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "552 5.7.1 virus W97M.Downloader detected by Zoho Mail",
        "zoho",
        Reason.VIRUS,
        BlockType.VIRUS,
    ),
    (
        "550 Mail content denied. https://service.mail.qq.com/detail/122/71",
        "tencent",
        Reason.SPAM_CONTENT,
        BlockType.CONTENT_SPAM,
    ),
    (
        "550 RP:RCL http://mail.163.com/help/help_spam_16.htm?ip=198.51.100.3",
        "netease",
        Reason.RATE_LIMITED,
        BlockType.RATE_LIMIT,
    ),
    (
        "550 5.7.2 Your email has been blocked because the sender is unauthenticated. "
        "For more information, go to https://help.naver.com/alias/mail/newmail10.naver - nsmtp",
        "naver",
        Reason.AUTH_FAILURE,
        BlockType.AUTH,
    ),
    (
        "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.33",
        "proofpoint",
        Reason.IP_BLOCKED,
        BlockType.NAMED_BLOCKLIST,
    ),
    (
        "550 Rejected by header based Anti-Spoofing policy: x@example.org "
        "[Xy12Ab34Cd56Ef78Gh90.eu215]",
        "mimecast",
        Reason.POLICY,
        BlockType.POLICY,
    ),
    (
        "554 5.7.1 Your access to this mail system has been rejected due to the sending MTA's "
        "poor reputation. If you believe that this failure is in error, please contact the "
        "intended recipient via alternate means.",
        "cisco",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "554 5.7.1 Service unavailable; Client host [198.51.100.9] blocked using Trend Micro "
        "Email Reputation database. Please see <http://www.mail-abuse.com/cgi-bin/lookup?x>",
        "trendmicro",
        Reason.IP_BLOCKED,
        BlockType.NAMED_BLOCKLIST,
    ),
    (
        "553 Connection rejected by policy [7.3] 4711, please visit "
        "https://support.symantec.com/en_US/article.TECH246726.html for more details about "
        "this error message.",
        "messagelabs",
        Reason.IP_BLOCKED,
        BlockType.IP_REPUTATION,
    ),
    (
        "550 5.7.1 Message content rejected, UBE, id=98765-04-3",
        "barracuda",
        Reason.SPAM_CONTENT,
        BlockType.CONTENT_SPAM,
    ),
]


@pytest.mark.parametrize(
    ("text", "provider", "reason", "block_type"), [pytest.param(*r, id=r[1]) for r in FAMILY]
)
def test_reply_alone_names_the_provider(text, provider, reason, block_type) -> None:
    b = classify_reply(text)
    assert b.provider is not None and b.provider.id == provider, (b.provider, text)
    assert b.match.pack == provider, b.match  # decided by the provider's own rule
    assert b.reason is reason
    assert b.block_type is block_type


def test_every_pack_of_ours_has_a_family_case() -> None:
    assert {p for _, p, _, _ in FAMILY} == set(OUR_PROVIDERS) | set(OUR_FILTERS)


def test_a_cox_code_missing_from_its_table_is_an_ip_block_not_a_bad_sender_address() -> None:
    """Cox wraps every AUP code in "sender rejected"; an unknown one is still Cox's block."""
    b = classify_reply(
        "550 5.1.0 <b@example.org> sender rejected. Refer to Error Codes section at "
        "https://www.cox.com/residential/support/email-error-codes.html for more information. "
        "AUP#CXRCPTX"
    )
    assert b.provider is not None and b.provider.id == "cox"
    assert b.block_type is BlockType.IP_REPUTATION and b.match.rule == "cxbl-ip-blocked"


@pytest.mark.parametrize(
    ("text", "recipient", "remote", "provider"),
    [
        # No marker in the text: the remote MTA, then the recipient's domain, name it.
        ("550 5.1.1 <x@example.jp>: user does not exist", None, "mx02.mail.icloud.com", "apple"),
        ("550 5.7.1 No such user!", "x@yandex.ru", None, "yandex"),
        ("554 Invalid mailbox", "x@twcny.rr.com", None, "spectrum"),
        ("452 4.3.1 Temporary System Error", None, "mx3.zoho.eu", "zoho"),
        ("550 Mailbox not found", "x@foxmail.com", None, "tencent"),
        ("550 5.1.1 user unknown", "x@sbcglobal.net", None, "att"),
        (
            "451 Recipient temporarily unavailable",
            None,
            "de-smtp-inbound-2.mimecast.com",
            "mimecast",
        ),
        ("550 5.7.1 Message refused", None, "esa1.hc9999-12.iphmx.com", "cisco"),
    ],
)
def test_host_then_domain_name_the_provider(text, recipient, remote, provider) -> None:
    b = classify_reply(text, recipient=recipient, remote_host=remote)
    assert b.provider is not None and b.provider.id == provider


@pytest.mark.parametrize(
    "text",
    [
        "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local "
        "recipient table",
        # Texts these providers send, but other MTAs send too: no guess from the text.
        "421 4.7.0 Too many concurrent SMTP connections from this IP address; please try "
        "again later.",
        "550 5.7.1 Email rejected per DMARC policy for example.com",
        "554 5.7.1 <x@example.com>: Relay access denied",
        # Any MTA may query the BRBL zone: naming the list is not Barracuda refusing.
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
        "b.barracudacentral.org",
        # NetEase and Comcast tokens are upper case; lower case look-alikes are not theirs.
        "550 rp:trc dt:spm es000001 in some id",
    ],
)
def test_generic_texts_have_no_provider(text) -> None:
    assert classify_reply(text).provider is None


# --- codes that lie ---------------------------------------------------------------------------


def test_godaddy_hourly_limit_with_a_user_unknown_status_is_a_temporary_rate_limit() -> None:
    """GoDaddy IB607 comes as 550 5.1.1 but is an hourly limit (SOE rhost-godaddy-03)."""
    b = classify_reply(
        "550 5.1.1 <y@example.org>  - 198.51.100.77 has sent to too many recipients this hour. "
        "IB607  <http://x.co/rlbounce>"
    )
    assert str(b.enhanced_status) == "5.1.1" and b.smtp_code == 550  # the codes are kept
    assert b.category is Category.BLOCK and b.block_type is BlockType.RATE_LIMIT
    assert b.reason is Reason.RATE_LIMITED and b.reason.sisimai == "speeding"
    assert b.permanent is False
    assert "5.1.1" in b.advice.en and "5.1.1" in b.advice.fr


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 This IP has sent too many messages this hour. IB504", Reason.RATE_LIMITED),
        (
            "554 This IP has been temporarily blocked for attempting to send too many messages "
            "containing content judged to be spam by the Internet community. IB110",
            Reason.IP_BLOCKED,
        ),
        (
            "550 5.1.0 <b@example.org> sender rejected. Refer to Error Codes section at "
            "https://www.cox.com/residential/support/email-error-codes.html for more "
            "information. AUP#CDRBL",
            Reason.IP_BLOCKED,
        ),
        (
            "550 5.1.0 <b@example.org> sender rejected. Please see https://www.spectrum.net/"
            "support/internet/understanding-email-error-codes for more information. "
            "AUP#Out-1450",
            Reason.RATE_LIMITED,
        ),
        (
            "550 Ip frequency limited [ ZZZ Blocked IP 198.51.100.8]. "
            "https://service.mail.qq.com/detail/122/172",
            Reason.TOO_MANY_CONNECTIONS,
        ),
        (
            "554 5.7.1 Blocked by spam statistics - see "
            "http://feedback.yandex.ru/?from=mail-rejects&subject=198.51.100.8",
            Reason.IP_BLOCKED,
        ),
    ],
)
def test_5xx_blocks_that_lift_by_themselves_are_not_permanent(text, reason) -> None:
    b = classify_reply(text)
    assert b.smtp_code is not None and b.smtp_code >= 500
    assert b.category is Category.BLOCK and b.reason is reason
    assert b.permanent is False


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ("552 5.2.2 <x@me.com>: user is over quota", "apple"),
        (
            "552-Requested mail action aborted: exceeded storage allocation 552-Quota exceeded. "
            "552 For explanation visit https://postmaster.gmx.net/en/case?c=r1503&i=ip&v=x",
            "gmx",
        ),
    ],
)
def test_full_mailbox_sent_as_552_is_soft_and_not_permanent(text, provider) -> None:
    b = classify_reply(text)
    assert b.provider is not None and b.provider.id == provider
    assert b.reason is Reason.MAILBOX_FULL and b.category is Category.SOFT
    assert b.permanent is False


def test_a_truthful_5xx_of_the_same_provider_stays_permanent() -> None:
    b = classify_reply(
        "550 5.1.0 198.51.100.2 is not allowed to send from <example.org> per it's SPF Record. "
        "Please inspect your SPF settings, and try again. IB508  <http://x.co/srbounce>"
    )
    assert b.provider is not None and b.provider.id == "godaddy"
    assert b.reason is Reason.AUTH_FAILURE and b.permanent is True


# --- gateways are reported ahead of the provider behind them ----------------------------------


def test_filters_are_tried_before_mailbox_providers() -> None:
    filters = [REGISTRY.pack(p).pack.priority for p in OUR_FILTERS]  # type: ignore[union-attr]
    providers = [p.priority for p in REGISTRY.packs if p.kind == "provider"]
    assert max(filters) < min(providers)


@pytest.mark.parametrize(
    ("text", "recipient", "remote", "gateway", "behind"),
    [
        # GoDaddy's host, Cisco's words (providers.md §19 "Cisco-style").
        (
            "554-m1pismtp01-022.prod.mesa1.secureserver.net 554 Your access to this mail system "
            "has been rejected due to the sending MTA's poor reputation. If you believe that "
            "this failure is in error, please contact the intended recipient via alternate means.",
            "x@example.com",
            "smtp.secureserver.net",
            "cisco",
            "godaddy",
        ),
        # iCloud's host and domain, the Proofpoint layer's words (providers.md §10).
        (
            "550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.61",
            "x@icloud.com",
            "mx01.mail.icloud.com",
            "proofpoint",
            "apple",
        ),
        (
            "554 email rejected due to security policies - MCSpamSignature.sa.7.1",
            "x@cox.net",
            "cxr.mx.a.cloudfilter.net",
            "mimecast",
            "cox",
        ),
        # No marker in the text: the gateway's host wins over the recipient's domain.
        (
            "550 5.1.1 User Unknown",
            "x@comcast.net",
            "mx0b-00998877.pphosted.com",
            "proofpoint",
            "comcast",
        ),
        (
            "550 5.1.1 User Unknown",
            "x@gmx.de",
            "d123456a.ess.barracudanetworks.com",
            "barracuda",
            "gmx",
        ),
    ],
)
def test_a_reply_seen_through_a_gateway_is_reported_as_the_gateway(
    text, recipient, remote, gateway, behind
) -> None:
    """The gateway is the provider; the recipient domain's own provider is kept beside it."""
    b = classify_reply(text, recipient=recipient, remote_host=remote)
    assert b.provider is not None and b.provider.id == gateway
    assert (b.recipient_provider.id if b.recipient_provider else None) == behind


# --- advice: who can fix it, in English and French --------------------------------------------


def _our_advice():
    for pid in OUR_PROVIDERS + OUR_FILTERS:
        yield from REGISTRY.pack(pid).pack.advice  # type: ignore[union-attr]


@pytest.mark.parametrize("spec", list(_our_advice()), ids=lambda s: s.key)
def test_pack_advice_is_bilingual(spec) -> None:
    assert spec.en and spec.fr and spec.en != spec.fr
    assert any(w in spec.fr for w in (" le ", " la ", " les ", " l'", " de ", " du "))


@pytest.mark.parametrize(
    "spec",
    [s for s in _our_advice() if s.fixer.value == "ip_owner" and s.action.value != "slow_down"],
    ids=lambda s: s.key,
)
def test_ip_block_advice_keeps_the_recipient(spec) -> None:
    assert "unsubscribe the recipient" in spec.en and "address is fine" in spec.en
    assert "Ne désabonnez pas le destinataire" in spec.fr and "l'adresse est valide" in spec.fr


@pytest.mark.parametrize(
    ("text", "key", "who"),
    [
        (
            "554 5.7.1 [HM07] Message rejected due to local policy. Please visit "
            "https://support.apple.com/en-us/HT204137",
            "apple-ip-blocked",
            "icloudadmin@apple.com",
        ),
        (
            "554 IP=198.51.100.1 - A problem occurred. (Ask your postmaster for help or to "
            "contact tosa@rx.t-online.de to clarify.) (BL)",
            "tonline-ip-blocked",
            "tosa@rx.t-online.de",
        ),
        (
            "554 Connection refused. This IP has a poor reputation on Cloudmark Sender "
            "Intelligence (CSI). IB103",
            "cloudmark-csi-reset",
            "csi.cloudmark.com/reset-request",
        ),
        (
            "550 csi.mimecast.org Poor Reputation Sender. - "
            "https://community.mimecast.com/docs/DOC-1369#550",
            "cloudmark-csi-reset",
            "csi.cloudmark.com/reset-request",
        ),
        (
            "554 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.2",
            "proofpoint-delisting",
            "ipcheck.proofpoint.com",
        ),
        (
            "554 Service unavailable; Client host [198.51.100.3] blocked using Barracuda "
            "Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=198.51.100.3",
            "barracuda-brbl",
            "barracudacentral.org",
        ),
        (
            "553 5.3.0 flpd999 - DNSBL:RBL 521< 198.51.100.4 >_is_blocked.For assistance "
            "forward this error to abuse_rbl@abuse-att.net",
            "att-rbl",
            "abuse_rbl@abuse-att.net",
        ),
        (
            "554 Host network not allowed - https://community.mimecast.com/docs/DOC-1369#554 "
            "[Ab12Cd34Ef56Gh78Ij.uk101]",
            "mimecast-recipient-policy",
            "administrator",
        ),
    ],
)
def test_provider_advice_says_who_can_fix_it(text, key, who) -> None:
    b = classify_reply(text)
    assert b.advice.key == key
    assert who in b.advice.en
    assert who.replace("administrator", "administrateur") in b.advice.fr
    assert "{provider}" not in b.advice.en + b.advice.fr


def test_cloudmark_advice_names_the_provider_that_refused() -> None:
    b = classify_reply(
        "550 5.1.0 <b@example.org> sender rejected. Please see https://www.spectrum.net/support/"
        "internet/understanding-email-error-codes for more information. AUP#I-1210"
    )
    assert b.blocklist == "Cloudmark CSI"
    assert "Spectrum" in b.advice.en and "Spectrum" in b.advice.fr


# --- the real bounces of the shared corpus (skipped where it is absent) ------------------------


@pytest.mark.parametrize(
    ("name", "provider", "reason", "permanent"),
    [
        ("rhost-apple-02.eml", "apple", Reason.AUTH_FAILURE, True),
        ("rhost-apple-03.eml", "apple", Reason.MAILBOX_FULL, False),
        ("rhost-cox-01.eml", "cox", Reason.IP_BLOCKED, False),
        ("rhost-godaddy-03.eml", "godaddy", Reason.RATE_LIMITED, False),
        ("rhost-spectrum-01.eml", "spectrum", Reason.TOO_MANY_CONNECTIONS, False),
        ("rhost-tencent-02.eml", "tencent", Reason.TOO_MANY_CONNECTIONS, False),
        ("rhost-mimecast-01.eml", "mimecast", Reason.POLICY, True),
        ("rhost-messagelabs-01.eml", "messagelabs", Reason.SECURITY, True),
    ],
)
def test_corpus_bounces(name, provider, reason, permanent) -> None:
    report = parse_bounce(corpus_file(name))
    b = report.bounces[0]
    assert b.provider is not None and b.provider.id == provider
    assert b.reason is reason and b.permanent is permanent
