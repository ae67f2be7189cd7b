"""bouncekit.compat.flufl: flufl.bounce's shapes, bouncekit's judgement; side by side on the corpus.

Counts measured when this was written are in docs/migrating-from-flufl-bounce.md; the test
prints the current ones (`pytest -s -k corpus_side_by_side`).
"""

from __future__ import annotations

import collections
import email
import logging
from email import policy

import flufl.bounce
import pytest

from bouncekit import Category, parse_bounce
from bouncekit.compat.flufl import NOT_COUNTED, all_failures, counted, scan_message
from bouncekit.testing import make_auto_reply, make_bounce, make_complaint
from tests.conftest import CORPUS


def _msg(raw: bytes) -> email.message.Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def test_shapes_match_flufl_bounce() -> None:
    """Frozensets of bytes, exactly as flufl.bounce returns them, on the same message."""
    msg = _msg(make_bounce(reason="user_unknown", recipient="ann@example.com"))
    ours = all_failures(msg)
    theirs = flufl.bounce.all_failures(msg)
    assert type(ours) is tuple and len(ours) == 2
    for mine, flufls in zip(ours, theirs, strict=True):
        assert isinstance(mine, frozenset) and isinstance(flufls, frozenset)
    assert ours == (frozenset(), frozenset({b"ann@example.com"}))
    assert ours[1] == theirs[1]
    assert scan_message(msg) == flufl.bounce.scan_message(msg) == frozenset({b"ann@example.com"})


def test_provider_ip_block_is_not_counted_against_the_reader() -> None:
    """The seed case: Hotmail refusing the sending IP says nothing about jane@hotmail.com."""
    msg = _msg(make_bounce(provider="microsoft", reason="ip_blocked", recipient="jane@hotmail.com"))
    assert parse_bounce(msg).bounces[0].category is Category.BLOCK
    assert flufl.bounce.scan_message(msg) == {b"jane@hotmail.com"}
    assert scan_message(msg) == frozenset()
    assert all_failures(msg) == (frozenset(), frozenset())


def test_delay_is_temporary_and_soft_option() -> None:
    delayed = _msg(make_bounce(reason="mailbox_full", recipient="bob@example.com"))
    report = parse_bounce(delayed)
    b = report.bounces[0]
    expected_perm = frozenset({b"bob@example.com"}) if b.permanent else frozenset()
    assert all_failures(delayed)[1] == expected_perm
    temporary, permanent = all_failures(delayed, soft_is_temporary=True)
    assert (temporary, permanent) == (frozenset({b"bob@example.com"}), frozenset())


def test_complaint_and_auto_reply_are_not_failures() -> None:
    for raw in (make_complaint("ann@example.com"), make_auto_reply("ann@example.com")):
        assert all_failures(raw) == (frozenset(), frozenset())


def test_malformed_input_gives_empty_sets_not_an_exception() -> None:
    assert all_failures(b"\x00\xff garbage") == (frozenset(), frozenset())
    assert scan_message("") == frozenset()


def _lower(values: frozenset[bytes] | frozenset[str]) -> set[str]:
    return {(v.decode("utf-8", "replace") if isinstance(v, bytes) else v).lower() for v in values}


# flufl.bounce names an address bouncekit does not see at all. Reviewed one by one; each is
# flufl.bounce reading the wrong thing or the two libraries picking a different address for
# the same recipient, not a recipient bouncekit loses. A new entry here is a regression.
_FLUFL_ONLY_REVIEWED: set[tuple[str, str]] = {
    # The DSN's Original-Recipient (flufl) versus Final-Recipient after aliasing (bouncekit).
    ("lhost-postfix-01.eml", "kijitora@example.org"),
    ("lhost-postfix-01.cr.eml", "kijitora@example.org"),
    ("lhost-postfix-01.crlf.eml", "kijitora@example.org"),
    ("rfc3464-04.eml", "kijitora@neko.example.edu"),
    ("rfc3464-09.eml", "kijitora-nyaaaaaan@example.co.jp"),
    ("rhost-google-06.eml", "michitsuna@example.org"),
    ("lhost-exchange2007-04.eml", "neko-nyaan@cat.example.jp"),
    ("lhost-exim-03.eml", "kijitora@example.jp"),
    # flufl.bounce's Zoho and SimpleMatch detectors take the sender or the Message-ID.
    ("lhost-zoho-01.eml", "shironeko@zoho.example.com"),
    ("lhost-zoho-01.crlf.eml", "shironeko@zoho.example.com"),
    ("lhost-zoho-05.eml", "shironeko@zoho.example.com"),
    ("lhost-zoho-01.eml", "14a3e1b4b5a.10b1a4c5610175.8588386083425091336@zoho.example.com"),
    ("lhost-zoho-01.crlf.eml", "14a3e1b4b5a.10b1a4c5610175.8588386083425091336@zoho.example.com"),
    ("lhost-zoho-05.eml", "14a3e1f7f3c.110ef7cb910716.7530578479836940184@zoho.example.com"),
    ("rhost-franceptt-03.eml", "noraneko.nyaan@example.com"),
    ("rhost-google-03.eml", "neko@example.co.jp"),
    ("rhost-google-04.eml", "contact@example.co.jp"),
    ("rhost-yahooinc-03.eml", "kijitora@neko.example.com"),
    ("lhost-sendmail-41.eml", "kijitora@neko.example.com"),
    ("lhost-postfix-77.eml", "neko@example.co.jp"),
    ("lhost-postfix-78.eml", "neko@example.co.jp"),
    # Local-part quirks: flufl keeps trailing dots bouncekit's normaliser strips.
    ("lhost-postfix-32.eml", "neko....nyaan....@libsisimai.org"),
}


def _is_address(text: str) -> bool:
    """flufl.bounce also returns JSON fragments, file paths and pipes; those are not addresses."""
    from bouncekit._text import normalise_address

    normal = normalise_address(text)
    return normal is not None and normal.lower() == text and " " not in text


def test_corpus_side_by_side_with_flufl_bounce() -> None:
    eml = CORPUS / "eml"
    if not eml.is_dir():
        pytest.skip("shared corpus not available")
    logging.getLogger("flufl.bounce").disabled = True
    counts: collections.Counter[str] = collections.Counter()
    unexplained: list[tuple[str, str, list[str]]] = []
    for path in sorted(eml.iterdir()):
        raw = path.read_bytes()
        msg = _msg(raw)
        try:
            theirs = set().union(*map(_lower, flufl.bounce.all_failures(msg)))
        except Exception:  # noqa: BLE001 - flufl.bounce lets its detectors' errors escape
            counts["flufl.bounce raised"] += 1
            theirs = set()
        temporary, permanent = all_failures(msg)
        ours = _lower(temporary) | _lower(permanent)
        report = parse_bounce(raw)
        # The adapter is parse_bounce's counted failures, nothing more and nothing less.
        assert ours == {b.recipient.lower() for b in report.bounces if counted(b)}, path.name
        seen: dict[str, set[Category]] = collections.defaultdict(set)
        for b in report.bounces:
            if b.recipient:
                seen[b.recipient.lower()].add(b.category)
        counts["messages"] += 1
        counts["same addresses"] += theirs == ours
        counts["addresses both report"] += len(theirs & ours)
        counts["addresses only bouncekit reports"] += len(ours - theirs)
        for address in sorted(theirs - ours):
            categories = seen.get(address)
            if categories:
                # bouncekit read this recipient: it may drop it only for a not-counted category.
                assert categories <= NOT_COUNTED, (path.name, address, categories)
                for c in categories:
                    counts[f"flufl only, bouncekit says {c.value}"] += 1
            elif not _is_address(address):
                counts["flufl only, not an address (JSON, path, pipe)"] += 1
            elif (path.name, address) in _FLUFL_ONLY_REVIEWED:
                counts["flufl only, reviewed: another address for the recipient"] += 1
            else:
                unexplained.append((path.name, address, sorted(seen)))
    print("\nflufl.bounce vs bouncekit.compat.flufl on the corpus:")
    for key, value in sorted(counts.items()):
        print(f"  {key}: {value}")
    assert not unexplained, f"flufl.bounce finds recipients bouncekit misses: {unexplained}"
    assert counts["messages"] > 0


def _mailman_registers(runner: object, msg: email.message.Message) -> set[str]:
    """The addresses Mailman 3.3's bounce runner registers for a non-VERP bounce."""
    temporary, addresses = runner.all_failures(msg)  # type: ignore[attr-defined]
    if len(addresses) == 0 and len(temporary) > 0:
        return set()
    return {a.decode("utf-8") if isinstance(a, bytes) else a for a in addresses}


def test_mailman_plugin_patches_the_bounce_runner() -> None:
    import types

    from bouncekit.compat.mailman import patch_bounce_runner

    runner = types.ModuleType("mailman.runners.bounce")
    runner.all_failures = flufl.bounce.all_failures  # type: ignore[attr-defined]
    block = _msg(make_bounce(provider="microsoft", reason="ip_blocked", recipient="jo@hotmail.com"))
    gone = _msg(make_bounce(reason="user_unknown", recipient="al@example.com"))
    assert _mailman_registers(runner, block) == {"jo@hotmail.com"}
    patch_bounce_runner(runner)
    assert _mailman_registers(runner, block) == set()
    assert _mailman_registers(runner, gone) == {"al@example.com"}


def test_mailman_plugin_object() -> None:
    pytest.importorskip("mailman.interfaces.plugin")
    from mailman.interfaces.plugin import IPlugin
    from zope.interface.verify import verifyObject

    from bouncekit.compat.mailman import plugin

    assert verifyObject(IPlugin, plugin())
