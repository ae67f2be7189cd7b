"""Property tests: generated DSN/ARF/reply inputs keep their meaning, mutated corpus files
keep G1/G7, metamorphic changes (line endings, header refolding, a big attachment) leave the
classification unchanged, and results survive a JSON round trip.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouncekit import BounceReport, Category, ReportKind, classify_reply, parse_bounce
from tests.adversarial.oracle import call_parse, check_bounce
from tests.conftest import CORPUS
from tests.property import strategies as s

pytestmark = pytest.mark.timeout(300)

EML = CORPUS / "eml"
FILES = sorted(EML.iterdir()) if EML.is_dir() else []
needs_corpus = pytest.mark.skipif(not FILES, reason="shared corpus not available")


def verdict(report: BounceReport) -> tuple[object, ...]:
    """What a caller acts on: kind and, per recipient, reason, category and codes."""
    return (
        report.kind,
        tuple(
            (b.recipient, b.reason, b.category, b.smtp_code, str(b.enhanced_status))
            for b in report.bounces
        ),
    )


# --- structured generators ------------------------------------------------------------------


@given(s.dsns())
def test_generated_dsn_reports_every_recipient_with_its_status(dsn: s.Dsn) -> None:
    report = call_parse(dsn.raw)
    assert report is not None and report.kind is ReportKind.DSN
    got = {b.recipient: b for b in report.bounces}
    assert list(got) == [r.address for r in dsn.recipients]  # document order, no extras
    for r in dsn.recipients:
        b = got[r.address]
        assert b.action == r.action
        if r.action == "failed" and r.status[0] == "5":
            assert b.category in (Category.HARD, Category.SOFT, Category.BLOCK, Category.UNKNOWN)


@given(s.arfs())
def test_generated_arf_is_a_complaint_for_each_recipient(
    case: tuple[bytes, list[str], str],
) -> None:
    raw, rcpts, ftype = case
    report = call_parse(raw)
    assert report is not None and report.kind is ReportKind.FEEDBACK
    assert [b.recipient for b in report.bounces] == rcpts
    assert all(b.category is Category.COMPLAINT and b.feedback_type == ftype
               for b in report.bounces)  # fmt: skip


@given(s.replies())
def test_generated_reply_keeps_its_codes(case: tuple[str, int, str]) -> None:
    text, code, status = case
    b = classify_reply(text)
    check_bounce(b)
    assert b.smtp_code == code and str(b.enhanced_status) == status
    report = call_parse(text)
    assert report is not None and report.kind is ReportKind.REPLY
    assert (report.bounces[0].reason, report.bounces[0].category) == (b.reason, b.category)


@given(
    st.text(max_size=300),
    st.one_of(st.none(), st.integers(-10, 1000)),
    st.one_of(st.none(), st.text(max_size=80)),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_classify_reply_total_on_any_text(text: str, code: int | None, rcpt: str | None,
                                          host: str | None) -> None:  # fmt: skip
    check_bounce(classify_reply(text, code=code, recipient=rcpt, remote_host=host))


@given(st.binary(max_size=4096))
def test_parse_bounce_total_on_any_bytes(data: bytes) -> None:
    call_parse(data)  # raises ContractBroken on an undocumented error or unclean output


# --- mutations of real files ----------------------------------------------------------------


@needs_corpus
@given(st.data())
def test_mutated_corpus_files_keep_the_contract(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(FILES), label="file")
    mutated = data.draw(s.mutations(path.read_bytes()[:65536]), label="mutated")
    call_parse(mutated)
    call_parse(mutated.decode("utf-8", "surrogateescape"))


# --- metamorphic relations on the corpus ----------------------------------------------------


def _eol(data: bytes, eol: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", eol)


def refold(data: bytes) -> bytes:
    """Fold every long top-level header line once, at a single space between two words."""
    data = _eol(data, b"\n")
    head, sep, body = data.partition(b"\n\n")
    lines = []
    for line in head.split(b"\n"):
        i = line.find(b" ", 30)
        while i > 0 and (
            line[i - 1 : i] in (b" ", b"\t") or line[i + 1 : i + 2] in (b" ", b"\t", b"")
        ):
            i = line.find(b" ", i + 1)  # fmt: skip
        if i > 0 and b":" in line[:i]:
            line = line[:i] + b"\n " + line[i + 1 :]
        lines.append(line)
    return b"\n".join(lines) + sep + body


def add_attachment(data: bytes, size: int = 1 << 20) -> bytes | None:
    """Insert a base64 attachment of `size` bytes before the top multipart's closing line."""
    data = _eol(data, b"\n")
    report = parse_bounce(data)
    from bouncekit._message import content_type, parse_headers

    head = data.partition(b"\n\n")[0]
    ctype, params = content_type(parse_headers(head, 1000, []))
    boundary = params.get("boundary")
    if not ctype.startswith("multipart/") or not boundary or report.kind is ReportKind.REJECTED:
        return None
    close = b"\n--" + boundary.encode("latin-1", "replace") + b"--"
    at = data.rfind(close)
    if at < 0:
        return None
    payload = base64.encodebytes(bytes(range(256)) * (size // 256))
    part = (
        b"\n--" + boundary.encode("latin-1") + b"\nContent-Type: application/octet-stream\n"
        b"Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=a.bin\n\n"
        + payload.rstrip(b"\n")
    )
    return data[:at] + part + data[at:]


@needs_corpus
@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_line_endings_leave_the_corpus_unchanged(eol: bytes) -> None:
    changed = [
        p.name
        for p in FILES
        if verdict(parse_bounce(_eol(p.read_bytes(), eol)))
        != verdict(parse_bounce(_eol(p.read_bytes(), b"\n")))
    ]
    assert changed == []


@needs_corpus
def test_header_refolding_leaves_the_corpus_unchanged() -> None:
    changed = [
        p.name
        for p in FILES
        if verdict(parse_bounce(refold(p.read_bytes())))
        != verdict(parse_bounce(_eol(p.read_bytes(), b"\n")))
    ]
    assert changed == []


@needs_corpus
def test_a_large_attachment_leaves_the_corpus_unchanged() -> None:
    changed, tried = [], 0
    for p in FILES[::4]:
        bigger = add_attachment(p.read_bytes())
        if bigger is None:
            continue
        tried += 1
        if verdict(parse_bounce(bigger)) != verdict(parse_bounce(_eol(p.read_bytes(), b"\n"))):
            changed.append(p.name)
    assert tried > 20
    assert changed == []


@given(s.dsns(), st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_generated_dsn_line_endings_and_attachment(dsn: s.Dsn, eol: bytes) -> None:
    base = verdict(parse_bounce(dsn.raw))
    assert verdict(parse_bounce(_eol(dsn.raw, eol))) == base
    bigger = add_attachment(dsn.raw, size=64 * 1024)
    assert bigger is not None and verdict(parse_bounce(bigger)) == base


# --- JSON round trip ------------------------------------------------------------------------


def _round_trip(report: BounceReport) -> None:
    data = report.to_dict()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    assert json.loads(text) == json.loads(json.dumps(data, sort_keys=True))
    assert json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False) == text
    text.encode("utf-8")  # no lone surrogate can reach a JSON consumer


@given(s.dsns())
def test_json_round_trip_generated(dsn: s.Dsn) -> None:
    _round_trip(parse_bounce(dsn.raw))


@needs_corpus
def test_json_round_trip_corpus() -> None:
    for p in FILES:
        _round_trip(parse_bounce(p.read_bytes()))
