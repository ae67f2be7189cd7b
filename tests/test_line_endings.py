"""The reader reads line endings as they are: the same view as after normalising the input.

`read` finds boundaries and header blocks in the raw bytes (CRLF, LF, lone CR, mixed) and
normalises only what it reads (`MailView.span`), so that a large CRLF message is never
copied whole. These tests compare everything a view gives the extractors with the view of
the same input normalised first, on the corpus with its line endings rewritten and on small
generated messages made of the pieces where offsets go wrong (CR/LF pairs cut by a limit,
delimiters after a lone CR, empty parts, header blocks over the limit).
"""

from __future__ import annotations

import random

import pytest

from bouncekit._message import MailView, looks_like_message, normalise_newlines, read
from bouncekit._policy import Policy
from tests.conftest import CORPUS

POLICIES = (
    Policy(),
    Policy(max_header_bytes=64, text_budget=50),
    Policy(max_header_bytes=200, text_budget=300, max_parts=3),
    Policy(max_header_bytes=1, text_budget=1),
    Policy(max_header_bytes=7, text_budget=9, max_depth=2),
)


def signature(view: MailView) -> object:
    """Everything an extractor can read of a view, as comparable values."""
    parts = [
        (
            p.ctype,
            sorted(p.params.items()),
            p.headers.items(),
            p.depth,
            p.attachment,
            view.body(p),
            view.body(p, decode=False),
            view.span(p.start, p.end),
            view.span(p.start, p.end, 5),
        )
        for p in view.parts
    ]
    embedded = view.embedded_headers()
    return (
        parts,
        view.headers.items(),
        list(view.defects),
        embedded.items() if embedded is not None else None,
        view.span(0, view.parts[0].start),
    )


def rewrite_eol(data: bytes, rng: random.Random, choices: tuple[bytes, ...]) -> bytes:
    lines = normalise_newlines(data).split(b"\n")
    return b"".join(line + rng.choice(choices) for line in lines)


def assert_same_view(data: bytes) -> None:
    assert looks_like_message(data) == looks_like_message(normalise_newlines(data))
    normalised = normalise_newlines(data)
    for policy in POLICIES:
        expected = signature(read(normalised, policy))
        assert signature(read(data, policy)) == expected, (data[:200], policy)


@pytest.mark.parametrize(
    "choices",
    [(b"\r\n",), (b"\r",), (b"\r\n", b"\n"), (b"\r\n", b"\n", b"\r")],
    ids=["crlf", "cr", "crlf+lf", "crlf+lf+cr"],
)
def test_corpus_in_every_line_ending(choices: tuple[bytes, ...]) -> None:
    folder = CORPUS / "eml"
    if not folder.is_dir():
        pytest.skip("shared corpus not available")
    rng = random.Random(5)
    files = sorted(folder.iterdir())[::4]  # a quarter of it: every family, a few seconds
    for path in files:
        raw = path.read_bytes()
        assert_same_view(raw)
        assert_same_view(rewrite_eol(raw, rng, choices))


_PIECES = (
    b"a",
    b":",
    b"-",
    b" ",
    b"--b",
    b"--b--",
    b"--b\r\n",
    b"\n--b\n",
    b"\r",
    b"\n",
    b"\r\n",
    b"\r\n\r\n",
    b"\n\n",
    b"X: y",
    b"Content-Type: multipart/mixed; boundary=b",
    b"Content-Type: message/rfc822",
    b"Content-Transfer-Encoding: base64",
    b"From ",
)


def test_generated_structures() -> None:
    """Small messages built from the pieces where raw and normalised offsets part ways."""
    rng = random.Random(20261128)
    for _ in range(3000):
        head = b"Content-Type: multipart/mixed; boundary=b" + rng.choice((b"\r\n", b"\n", b"\r"))
        body = b"".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 60)))
        assert_same_view(rng.choice((b"", b"From x\r\n", b"\r\n", b"\n\r")) + head + body)


def test_header_block_over_the_limit_is_cut_at_the_same_place() -> None:
    """`max_header_bytes` counts normalised bytes, also when CRLFs precede the cut."""
    for eol in (b"\r\n", b"\r", b"\n"):
        lines = [b"X-%d: %s" % (i, b"v" * (i % 7)) for i in range(40)]
        data = eol.join(lines) + eol + eol + b"body" + eol
        for limit in range(1, 120):
            policy = Policy(max_header_bytes=limit)
            assert signature(read(data, policy)) == signature(
                read(normalise_newlines(data), policy)
            ), (eol, limit)


def test_large_crlf_attachment_is_not_normalised() -> None:
    """A CRLF message's attachment stays raw: the view keeps the input itself, uncopied."""
    attachment = b"QUJD\r\n" * 20000
    data = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + attachment
        + b"--b--\r\n"
    )
    view = read(data, Policy())
    assert view.raw is data
    assert [p.ctype for p in view.parts] == [
        "multipart/mixed",
        "text/plain",
        "application/octet-stream",
    ]
    assert view.text(view.parts[1]) == "hello"
    assert view.span(view.parts[2].start, view.parts[2].end) == attachment.replace(
        b"\r\n", b"\n"
    ).removesuffix(b"\n")


def test_returned_head_is_the_body_before_its_first_blank_line() -> None:
    """The returned message's header block is read without its body, as `body` would give it.

    Covers both ways in: a LF message (raw bytes are the normalised ones) and CR/CRLF ones,
    with text budgets that cut the block before, at and after its blank line.
    """
    rng = random.Random(3464)
    pieces = (b"X: y", b"Subject: s", b" folded", b"\r", b"\n", b"\r\n", b"\n\n", b"aaaaaaa")
    for _ in range(2000):
        eol = rng.choice((b"\r\n", b"\n", b"\r"))
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        data = (
            b"Content-Type: multipart/report; boundary=b" + eol + eol + b"--b" + eol + b"hi"
            + eol + b"--b" + eol + b"Content-Type: message/rfc822" + eol + eol + body + eol
            + b"--b--" + eol
        )  # fmt: skip
        for budget in (1, 5, 13, 30, 256 * 1024):
            view = read(data, Policy(text_budget=budget))
            part = next(p for p in view.parts if p.ctype == "message/rfc822")
            assert view._returned_head(part) == view.body(part).split(b"\n\n", 1)[0], data


def test_boundary_repeated_inside_lines() -> None:
    """Past a few occurrences of the boundary string inside lines the reader searches for
    it after each kind of line break instead: the same parts either way."""
    for eol in (b"\r\n", b"\n", b"\r"):
        noise = b"x--b y--b--" * 150  # 300 occurrences inside one line
        data = (
            b"Content-Type: multipart/mixed; boundary=b" + eol + eol
            + b"--b" + eol + b"Content-Type: text/plain" + eol + eol + noise + eol
            + b"--b" + eol + eol + noise + eol + b"--bb" + eol
            + b"--b  " + eol + eol + b"last" + eol
            + b"--b--" + eol
        )  # fmt: skip
        assert_same_view(data)
        view = read(data, Policy())
        assert [p.ctype for p in view.parts] == ["multipart/mixed", *["text/plain"] * 3]
        assert view.body(view.parts[-1]) == b"last"


def test_lf_blank_line_agrees_with_a_search_of_the_whole_window() -> None:
    """`_lf_blank_line` stops at a CR on the first line; the answer is the one a search for
    LF LF, then for a CR before it, gives (the reader's LF-only shortcut depends on it)."""
    from bouncekit._message import _lf_blank_line

    def whole_window(data: bytes, start: int, window: int) -> int | None:
        sep = data.find(b"\n\n", start, window)
        return None if data.find(b"\r", start, sep if sep >= 0 else window) >= 0 else sep

    rng = random.Random(5)
    pieces = (b"a", b"b: c", b"\n", b"\r", b"\r\n", b" ", b"\n\n", b"\r\n\r\n")
    for _ in range(20000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        start = rng.randrange(len(data) + 1)
        window = rng.randrange(start, len(data) + 2)
        assert _lf_blank_line(data, start, window) == whole_window(data, start, window), (
            data,
            start,
            window,
        )
