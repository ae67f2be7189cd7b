"""G10, honest classification: every result says where it came from and how far to trust it.

Real reports of each kind of source (the repo's format samples, corpus files) get the
provenance and confidence of docs/results.md; a heuristic guess or a forwarded bounce is never
`high`; and the consumers that remove readers (the policy, the Mailman adapter) do not act
at once on `low` evidence.
"""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest

from bouncekit import (
    Bounce,
    Category,
    Confidence,
    ReportKind,
    classify_reply,
    parse_bounce,
)
from bouncekit.compat.flufl import all_failures, counted
from bouncekit.compat.mailman import patch_bounce_runner
from bouncekit.esp import parse_event
from bouncekit.policy import SuppressionPolicy, Verdict, decide
from tests.adversarial import generators as g
from tests.integrations import esp_payloads as P

from .conftest import CORPUS, DATA, corpus_file

FORMATS = DATA / "formats"
H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


def _results(raw: bytes) -> list[tuple[str | None, str, Confidence]]:
    return [(b.recipient, b.provenance, b.confidence) for b in parse_bounce(raw).bounces]


# --- one real report per kind of source --------------------------------------------------

SAMPLES = {
    # RFC 3464: the per-recipient fields name the recipient and its status.
    "dsn-multi.eml": [("Sybil@example.com", "dsn", H), ("trent@example.net", "dsn", H)],
    # A status part that names nobody: nothing to act on.
    "broken.eml": [(None, "dsn", L)],
    # ARF with Original-Rcpt-To; ARF that names nobody (the returned message's To is read).
    "arf.eml": [("xavier@example.net", "arf", H)],
    "arf-no-rcpt.eml": [("Yvonne@isp.example.net", "arf", M)],
    # Amazon SES notifications mailed as JSON.
    "ses-bounce.eml": [("gina@example.com", "esp:ses", H), ("hank@example.net", "esp:ses", H)],
    # Known MTA formats: with a code for the recipient, and without any (Notes).
    "exim-multi.eml": [("carol@example.com", "ndr:exim", H), ("dave@example.net", "ndr:exim", H)],
    "notes.eml": [("rupert@example.com", "ndr:notes", M)],
    # DSN fields pasted into a text report (WorkMail).
    "workmail-embedded.eml": [("nina@example.com", "ndr:embedded-dsn", H)],
    # RFC 3834 auto-reply.
    "vacation-fr.eml": [("bruno@example.fr", "auto-reply", M)],
    # A relay's bounce carrying the DSN it received (read from inside it).
    "nested.eml": [("frank@example.com", "heuristic:nested", M)],
    # "Delivery report unavailable": the returned message's only recipient is a guess.
    "report-unavailable.eml": [("olga@example.net", "heuristic:original-recipient", L)],
    # Ordinary mail: nothing at all.
    "not-bounce.eml": [],
    "postmaster-question.eml": [],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_format_samples(name: str) -> None:
    assert _results((FORMATS / name).read_bytes()) == SAMPLES[name]


def test_source_is_kept_under_the_provenance() -> None:
    # The nested DSN is still read by the DSN extractor; only the provenance says "nested".
    (b,) = parse_bounce((FORMATS / "nested.eml").read_bytes()).bounces
    assert (b.source, b.provenance, b.category) == ("dsn", "heuristic:nested", Category.HARD)


CORPUS_CASES = {
    # iMail has no family reader: the generic reader picks the address from the text.
    "lhost-imailserver-01.eml": [("kijitora@example.com", "heuristic:generic", L)],
    # Google Groups names the group in X-Failed-Recipients; the text is read generically.
    "lhost-googlegroups-01.eml": [("libsisimai@googlegroups.com", "ndr:x-failed-recipients", M)],
    # A relay (X5) wrapping the bounce it received.
    "lhost-x5-01.eml": [("kijitora@neko.example.org", "heuristic:nested", M)],
    # A person forwarded a Sendmail bounce inline ("Fwd: Returned mail", quoted with "> "):
    # the address read is not even the failed recipient (it is the bounce's Message-Id),
    # which is exactly why a forward must never count as strong evidence.
    "err-make-test-36.eml": [
        ("200704060826.n888ba7x019999@smtp.example.jp", "heuristic:forwarded", L)
    ],
    "lhost-qmail-03.eml": [("kijitora@example.org", "ndr:qmail", H)],
}


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus_files(name: str) -> None:
    assert _results(corpus_file(name)) == CORPUS_CASES[name]


def test_smtp_reply() -> None:
    coded = classify_reply("550 5.1.1 <bob@example.com>: Recipient address rejected")
    assert (coded.provenance, coded.confidence) == ("smtp-reply", H)
    bare = classify_reply("Recipient address rejected: User unknown", recipient="bob@example.com")
    assert (bare.provenance, bare.confidence) == ("smtp-reply", M)
    # A bare reply given to parse_bounce is the same reader.
    report = parse_bounce(b"550 5.1.1 <bob@example.com>: Recipient address rejected")
    assert report.kind is ReportKind.REPLY
    assert [(b.provenance, b.confidence) for b in report.bounces] == [("smtp-reply", H)]


def test_esp_webhook() -> None:
    (ses,) = parse_event(P.SES_PERMANENT)
    assert (ses.provenance, ses.confidence) == ("esp:ses", H)
    (postmark,) = parse_event(P.POSTMARK_HARD)
    assert (postmark.provenance, postmark.confidence) == ("esp:postmark", H)


# flufl.bounce finds a recipient only where bouncekit's own readers find none; no corpus file
# gets that far, so this report is made for it: a failure list (a format flufl.bounce knows)
# whose only address is a system one, which bouncekit's generic reader never picks.
FLUFL_ONLY = (
    b"From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\n"
    b"Subject: Returned mail: User unknown\n\nHere is your list of failed recipients:\n\n"
    b"<postmaster@example.net>\n\nHere is your returned mail.\n"
)


def test_flufl_bounce_guess() -> None:
    assert _results(FLUFL_ONLY) == [("postmaster@example.net", "heuristic:flufl", L)]


# --- X1 (reliability.md §7.1): spoofing and forwarded bounces ----------------------------

POSTFIX_TEXT = (
    b"This is the mail system at host mx.example.com.\n\n"
    b"I'm sorry to have to inform you that your message could not\n"
    b"be delivered to one or more recipients.\n\n"
    b"<bob@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>:\n"
    b"    Recipient address rejected: User unknown in local recipient table (in reply to RCPT"
    b" TO command)\n"
)


def test_plain_mail_naming_a_failed_recipient_is_not_a_bounce() -> None:
    for raw in (g.spoof_cases()["plain-failed-recipient"], g.spoof_lines(50)):
        report = parse_bounce(raw)
        assert report.kind is ReportKind.NOT_BOUNCE and not report.bounces


def test_bounce_attached_to_ordinary_mail_is_forwarded_low() -> None:
    raw = g.spoof_cases()["forwarded-bounce"]
    (b,) = parse_bounce(raw).bounces
    assert (b.recipient, b.category) == ("bob@example.com", Category.HARD)
    assert (b.source, b.provenance, b.confidence) == ("dsn", "heuristic:forwarded", L)
    # The same attachment under a forward subject that names a bounce: still a person's.
    fwd = raw.replace(b"Fwd: look at this", b"Fwd: Undelivered Mail Returned to Sender")
    assert _results(fwd) == [("bob@example.com", "heuristic:forwarded", L)]
    # Sent on by a mailer daemon instead, the wrapper is a relay: medium.
    relay = raw.replace(b"colleague@example.org", b"MAILER-DAEMON@relay.example.org")
    assert _results(relay) == [("bob@example.com", "heuristic:nested", M)]


def test_bounce_pasted_under_a_forward_subject_is_forwarded_low() -> None:
    head = b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\nTo: a@example.org\n"
    own = head + b"Subject: Undelivered Mail Returned to Sender\n\n" + POSTFIX_TEXT
    assert _results(own) == [("bob@example.com", "ndr:postfix", H)]
    for prefix in (b"Fwd:", b"FW:", b"TR:", b"WG:", b"Re: [list] Fwd:"):
        pasted = (
            b"From: Alice <alice@example.org>\nTo: list-bounces@example.org\nSubject: "
            + prefix
            + b" Undelivered Mail Returned to Sender\n\nAnyone know why?\n\n"
            + b"---------- Forwarded message ---------\n"
            + POSTFIX_TEXT
        )
        (b,) = parse_bounce(pasted).bounces
        assert (b.recipient, b.category) == ("bob@example.com", Category.HARD), prefix
        assert (b.provenance, b.confidence) == ("heuristic:forwarded", L), prefix


def test_a_daemon_forward_subject_is_not_a_person() -> None:
    # An MTA's own report keeps its grade whatever its subject quotes.
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\nTo: a@example.org\n"
        b"Subject: Fwd: Undelivered Mail Returned to Sender\n\n" + POSTFIX_TEXT
    )
    assert _results(raw) == [("bob@example.com", "ndr:postfix", H)]


# --- the grades over the corpus ----------------------------------------------------------

KNOWN = ("dsn", "arf", "esp:", "ndr:", "smtp-reply", "auto-reply", "heuristic:")


def test_every_corpus_result_is_graded_honestly() -> None:
    eml = CORPUS / "eml"
    if not eml.is_dir():
        pytest.skip("shared corpus not available")
    seen: set[str] = set()
    for path in sorted(eml.iterdir()):
        for b in parse_bounce(path.read_bytes()).bounces:
            assert b.provenance.startswith(KNOWN), (path.name, b.provenance)
            assert isinstance(b.confidence, Confidence)
            seen.add(b.provenance.split(":")[0])
            if b.provenance.startswith("heuristic:"):
                assert b.confidence <= M, (path.name, b.provenance, b.confidence)
            if b.source == "ndr":  # the generic reader
                assert b.confidence <= M, path.name
            if b.recipient is None:
                assert b.confidence is L, path.name
            if b.provenance in ("dsn", "arf") and b.recipient and b.confidence is not H:
                assert b.provenance == "arf" and b.confidence is M, path.name  # To of original
            data = b.to_dict()
            assert (data["provenance"], data["confidence"]) == (b.provenance, b.confidence.value)
    assert {"dsn", "arf", "esp", "ndr", "auto-reply", "heuristic"} <= seen


def test_to_dict_and_json() -> None:
    data = json.loads(json.dumps(parse_bounce((FORMATS / "dsn-multi.eml").read_bytes()).to_dict()))
    assert [(b["provenance"], b["confidence"]) for b in data["bounces"]] == [("dsn", "high")] * 2


def test_confidence_is_ordered_by_grade_not_alphabet() -> None:
    assert L < M < H and H > M > L and H >= H and not H < L
    assert sorted([H, L, M]) == [L, M, H]
    assert max(L, H, M) is H
    assert H >= "medium" and L < "medium"  # values compare as grades too
    assert Confidence("low") is L and L == "low"  # still a StrEnum
    with pytest.raises(ValueError):
        assert L < "certain"


# --- what the consumers do with a low-confidence hard bounce ------------------------------

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _forwarded_hard() -> Bounce:
    (b,) = parse_bounce(g.spoof_cases()["forwarded-bounce"]).bounces
    assert b.category is Category.HARD and b.confidence is L
    return b


def test_policy_counts_a_low_confidence_hard_bounce_as_soft() -> None:
    weak = _forwarded_hard()
    d = decide(weak)
    assert d.verdict is Verdict.RETRY and not d.removes and d.category is Category.SOFT
    assert d.counts_against_recipient and d.soft_count == 1
    assert "weak evidence" in d.why and "heuristic:forwarded" in d.why
    # Repeats still suppress a dead address: weak hard bounces in the history count as soft.
    history = [(T0 + timedelta(days=i), weak) for i in range(4)]
    d = decide(weak, history, when=T0 + timedelta(days=5))
    assert d.verdict is Verdict.SUPPRESS and d.soft_count == 5
    # Strong evidence still suppresses at once, and a policy may accept low evidence.
    strong = classify_reply("550 5.1.1 <bob@example.com>: user unknown")
    assert strong.confidence is H and decide(strong).verdict is Verdict.SUPPRESS
    lenient = SuppressionPolicy(min_hard_confidence=Confidence.LOW)
    assert lenient.decide(weak).verdict is Verdict.SUPPRESS
    # Plain categories carry no confidence: taken as they are.
    assert decide(strong, [(T0, "hard")]).verdict is Verdict.SUPPRESS


def test_flufl_adapter_and_mailman_plugin() -> None:
    raw = g.spoof_cases()["forwarded-bounce"]
    # The drop-in counts it by default, as flufl.bounce would.
    assert all_failures(raw) == (frozenset(), frozenset({b"bob@example.com"}))
    assert all_failures(raw, min_confidence=Confidence.MEDIUM) == (frozenset(), frozenset())
    weak = _forwarded_hard()
    assert counted(weak) and not counted(weak, Confidence.MEDIUM)
    # Mailman's runner, patched: the forward scores nobody; a real DSN still does.
    runner = types.ModuleType("mailman.runners.bounce")
    patch_bounce_runner(runner)
    temporary, permanent = runner.all_failures(message_from_bytes(raw))
    assert (temporary, permanent) == (frozenset(), frozenset())
    dsn = message_from_bytes((FORMATS / "dsn-multi.eml").read_bytes())
    temporary, permanent = runner.all_failures(dsn)
    assert b"Sybil@example.com" in permanent | temporary
