"""Hostile-input generators: the families of reliability.md §7.1, one size knob each.

Every family has `make(n)` (the scalable shape: n is a count of units — levels, lines,
parts, bytes — chosen so the input grows linearly with n), a small `n` for the normal test
run, a base `n` for the scaling suite (which runs base, 2x, 4x, 8x), and a table of fixed
edge cases. The same code feeds the adversarial tests, the scaling suite, the property
tests and the fuzz seeds, so a shape found in one place is exercised in all of them.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

WRAP = (
    b"From: MAILER-DAEMON@mx.example.com\n"
    b"To: sender@example.org\n"
    b"Subject: Undelivered Mail Returned to Sender\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
    b"MIME-Version: 1.0\n"
)

DSN_TEXT = (
    b"This is the mail system at host mx.example.com.\n\n"
    b"I'm sorry to have to inform you that your message could not\n"
    b"be delivered to one or more recipients.\n\n"
    b"<bob@example.com>: host mx.example.net[192.0.2.1] said: 550 5.1.1 <bob@example.com>:\n"
    b"    Recipient address rejected: User unknown (in reply to RCPT TO command)\n"
)


def wrap(body: bytes, content_type: bytes = b"text/plain", extra: bytes = b"") -> bytes:
    """Standard bounce headers, then `body`."""
    return WRAP + extra + b"Content-Type: " + content_type + b"\n\n" + body


def dsn_block(rcpt: bytes, status: bytes = b"5.1.1", action: bytes = b"failed") -> bytes:
    return (
        b"Final-Recipient: rfc822; " + rcpt + b"\nAction: " + action + b"\nStatus: " + status
        + b"\nRemote-MTA: dns; mx.example.net\n"
        b"Diagnostic-Code: smtp; 550 " + status + b" <" + rcpt + b">: User unknown\n"
    )  # fmt: skip


def dsn(blocks: bytes, text: bytes = DSN_TEXT, boundary: bytes = b"DSN-b0undary") -> bytes:
    """A multipart/report DSN with the given per-recipient field blocks."""
    return wrap(
        b"--" + boundary + b"\nContent-Type: text/plain\n\n" + text + b"\n"
        b"--" + boundary + b"\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.com\n\n" + blocks + b"\n"
        b"--" + boundary + b"\nContent-Type: text/rfc822-headers\n\n"
        b"From: sender@example.org\nTo: bob@example.com\nSubject: hello\n"
        b"Message-ID: <m1@example.org>\n\n"
        b"--" + boundary + b"--\n",
        b'multipart/report; report-type=delivery-status; boundary="' + boundary + b'"',
    )


BASIC_DSN = dsn(dsn_block(b"bob@example.com"))


@dataclass(frozen=True)
class Family:
    """One input family: a scalable generator, its sizes, and fixed edge cases."""

    id: str
    title: str
    make: Callable[[int], bytes]
    small: int  # n for the normal test run
    base: int  # smallest n of the scaling suite (then 2x, 4x, 8x)
    cases: Callable[[], dict[str, bytes]] = field(default=dict)
    expect: str | None = None  # defect the scalable shape must report at base*8, if any
    reply: bool = False  # also a classify_reply input (text, not a message)

    def seeds(self) -> Iterator[bytes]:
        """Small instances for fuzz seeds and property tests."""
        yield self.make(self.small)
        yield from self.cases().values()


# --- S: MIME structure ---------------------------------------------------------------------


def deep_multipart(n: int, shared: bool = False) -> bytes:
    """S1/S4: n nested multipart/mixed levels, innermost a text part, closers in reverse."""
    out = [WRAP]
    for i in range(n):
        b = b"XX" if shared else b"b%07d" % i
        out.append(b'Content-Type: multipart/mixed; boundary="' + b + b'"\n\n--' + b + b"\n")
    out.append(b"Content-Type: text/plain\n\n" + DSN_TEXT)
    for i in reversed(range(n)):
        b = b"XX" if shared else b"b%07d" % i
        out.append(b"--" + b + b"--\n")
    return b"".join(out)


def deep_rfc822(n: int) -> bytes:
    """S2: n nested message/rfc822 levels."""
    out = [WRAP]
    for i in range(n):
        out.append(b"Content-Type: message/rfc822\n\nSubject: level %d\n" % i)
    out.append(b"Content-Type: text/plain\n\n" + DSN_TEXT)
    return b"".join(out)


def deep_and_long(n: int, depth: int = 500) -> bytes:
    """S3: depth 500, then n body lines in the innermost part (lines x depth trap)."""
    inner = DSN_TEXT + b"a line of the innermost part that is not a delimiter\n" * n
    msg = deep_multipart(depth)
    return msg.replace(DSN_TEXT, inner, 1)


def many_parts(n: int, boundary: bytes = b"XX") -> bytes:
    """S5: one multipart with n tiny text parts."""
    part = b"--" + boundary + b"\nContent-Type: text/plain\n\nx\n"
    return wrap(
        part * n + b"--" + boundary + b"--\n",
        b'multipart/mixed; boundary="' + boundary + b'"',
    )


def boundary_storm(n: int) -> bytes:
    """S6: n consecutive delimiter lines."""
    return wrap(b"--XX\n" * n + b"--XX--\n", b'multipart/mixed; boundary="XX"')


def boundary_absent(n: int) -> bytes:
    """S7: a multipart header, then n ordinary lines and never the boundary."""
    line = b"Just an ordinary line of text that mentions no delimiter at all.\n"
    return wrap(DSN_TEXT + line * n, b'multipart/mixed; boundary="never-there"')


def long_boundary(n: int) -> bytes:
    """S8 scalable: a boundary of n characters used for three parts."""
    b = b"q" * n
    return wrap(
        b"--" + b + b"\nContent-Type: text/plain\n\n" + DSN_TEXT + b"--" + b + b"\n"
        b"Content-Type: text/plain\n\nsecond\n--" + b + b"--\n",
        b'multipart/mixed; boundary="' + b + b'"',
    )


def boundary_cases() -> dict[str, bytes]:
    def mp(boundary_param: bytes, body: bytes) -> bytes:
        return wrap(body, b"multipart/mixed; " + boundary_param)

    text = b"Content-Type: text/plain\n\n" + DSN_TEXT
    return {
        "empty": mp(b'boundary=""', b"--\n" + text + b"----\n"),
        "70-chars": mp(b'boundary="' + b"b" * 70 + b'"', b"--" + b"b" * 70 + b"\n" + text),
        "spaces-quotes": mp(b'boundary="a b \\" = c"', b'--a b " = c\n' + text),
        "prefix-collision": mp(
            b'boundary="b1"',
            b"--b10\nContent-Type: text/plain\n\nnot a part\n--b1\n" + text + b"--b1--\n",
        ),
        "in-preamble": mp(b'boundary="P"', b"preamble --P inline\n--P\n" + text + b"--P--\nep --P"),
        "missing-close": mp(b'boundary="M"', b"--M\n" + text),
        "padding": mp(b'boundary="T"', b"--T   \t\n" + text + b"--T--  \n"),
        "rfc2231": mp(b"boundary*=us-ascii'en'R2231", b"--R2231\n" + text + b"--R2231--\n"),
        "unquoted-semicolons": mp(b"boundary=a;;;;;;;;", b"--a\n" + text),
        "no-boundary-param": mp(b"charset=utf-8", text),
        "boundary-at-eof": mp(b'boundary="E"', b"--E"),
        "delimiter-no-newline": mp(b'boundary="N"', b"--N--"),
        "huge-boundary": mp(b'boundary="' + b"h" * 100_000 + b'"', b"--" + b"h" * 100_000),
    }


# --- H: headers ----------------------------------------------------------------------------


def folded_header(n: int) -> bytes:
    """H1: a Subject of n bytes folded at 70 columns."""
    line = b" " + b"w" * 68 + b"\n"
    return (
        WRAP.replace(b"Subject: ", b"Subject: start\n" + line * (n // 70) + b" x")
        + b"\n"
        + (DSN_TEXT)
    )


def header_variants(n: int) -> dict[str, bytes]:
    """H1 shapes at n bytes."""
    k = max(1, n // 20)
    return {
        "one-line": WRAP + b"X-Long: " + b"v" * n + b"\n\n" + DSN_TEXT,
        "folded": folded_header(n),
        "address-list": WRAP + b"Cc: " + b", ".join(b"u%d@example.com" % i for i in range(k))
        + b"\n\n" + DSN_TEXT,
        "encoded-words": WRAP.replace(b"Subject: ", b"Subject: " + b"=?utf-8?q?a?= " * k)
        + b"\n" + DSN_TEXT,
        "semicolons": WRAP + b"Content-Type: text/plain" + b";" * n + b"\n\n" + DSN_TEXT,
        "rfc2231": WRAP + b"Content-Type: text/plain; "
        + b"; ".join(b"name*%d*=x" % i for i in range(k)) + b"\n\n" + DSN_TEXT,
    }  # fmt: skip


def many_headers(n: int, name: bytes = b"X-Hdr-%d: v\n") -> bytes:
    """H2: n header fields."""
    fields = b"".join((name % i) if b"%d" in name else name for i in range(n))
    return WRAP + fields + b"\n" + DSN_TEXT


def many_headers_cases() -> dict[str, bytes]:
    ctypes = b"".join(
        b"Content-Type: " + (b"text/plain" if i == 0 else b"multipart/mixed; boundary=z%d" % i)
        + b"\n" for i in range(1000)
    )  # fmt: skip
    return {
        "received": many_headers(2000, b"Received: from a.example by b.example; Mon, 1 Jan 2024\n"),
        "conflicting-content-type": WRAP + ctypes + b"\n" + DSN_TEXT,
    }


# One-line triggers that make `email` or flufl.bounce raise (reliability.md §4 T3 + issues).
CRASHER_VALUES = (
    b"text/plain; name*",
    b"text/plain; name*0*",
    b"multipart/mixed; boundary*",
    b"attachment; filename*",
    b"(c):",
    b"(x): a@b.com;",
    b'"',
    b"<[abc]@x>",
    b"g1: g2: a@b;;",
    b"undisclosed:a@b;c@d",
    b"Mon, 1 Jan 2024 00:00:00 +99999999999999999999",
    b"Mon, 1 Jan 99999999999 00:00:00 +0000",
    b"=?x-unknown?q?abc?=",
    b"=?utf-8?b?Lor\xe9m?=",
    b"alice@example.org)<bob@example.com>",
    b'"a\\"b" <a@b>, "\\',
    b"rfc822; bob@example.com; x*=us-ascii''y",
    b"f\xe9iled",
    b"=?utf-8?q?=ZZ?= =?utf-16?b?AAAA?=",
    b"",
)
_CRASHER_FIELDS = (
    b"To", b"Cc", b"From", b"Reply-To", b"Date", b"Message-ID", b"Subject", b"Content-Type",
    b"Content-Disposition", b"Final-Recipient", b"Action", b"Status", b"Diagnostic-Code",
)  # fmt: skip


def crasher_headers(n: int) -> bytes:
    """H3 scalable: n header lines cycling through every trigger in every field."""
    pairs = [(f, v) for v in CRASHER_VALUES for f in _CRASHER_FIELDS]
    lines = b"".join(
        pairs[i % len(pairs)][0] + b": " + pairs[i % len(pairs)][1] + b"\n" for i in range(n)
    )
    return WRAP + lines + b"\n" + DSN_TEXT


def crasher_cases() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for i, value in enumerate(CRASHER_VALUES):
        for field_name in _CRASHER_FIELDS:
            key = f"{field_name.decode()}-{i}"
            if field_name in (b"Final-Recipient", b"Action", b"Status", b"Diagnostic-Code"):
                block = dsn_block(b"bob@example.com").replace(
                    field_name + b":", b"X-Old-" + field_name + b":"
                )
                out[key] = dsn(field_name + b": " + value + b"\n" + block)
            else:
                out[key] = WRAP + field_name + b": " + value + b"\n\n" + DSN_TEXT
    return out


CONTROL_BYTES = (b"\x00", b"\x80", b"\xe9", b"\xff", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e",
                 b"\xc2\x85", b"\xe2\x80\xa8", b"\r", b"\x1b")  # fmt: skip


def control_blocks(n: int) -> bytes:
    """H4 scalable: a DSN with n recipient blocks, each field poisoned with a control byte."""
    blocks = []
    for i in range(n):
        c = CONTROL_BYTES[i % len(CONTROL_BYTES)]
        blocks.append(
            b"Final-Recipient: rfc822; u" + c + b"%d@example.com\nAction: fail" % i + c + b"ed\n"
            b"Status: 5.1." + c + b"1\nDiagnostic-Code: smtp; 550 5.1.1 no" + c + b"such user\n"
            b"X-N" + c + b"ame: v\n\n"
        )
    return dsn(b"".join(blocks))


def control_cases() -> dict[str, bytes]:
    out = {}
    for i, c in enumerate(CONTROL_BYTES):
        out[f"byte-{i}"] = control_blocks(1).replace(b"\x00", c)
        out[f"header-name-{i}"] = (
            WRAP.replace(b"Subject:", b"Sub" + c + b"ject:") + b"\n" + DSN_TEXT
        )
        out[f"in-recipient-{i}"] = dsn(dsn_block(b"b" + c + b"ob@example.com"))
    return out


# --- C: charsets and line endings ----------------------------------------------------------

CHARSETS = (b"x-bogus", b"", b"us\x00ascii", b"c" * 1000, b"utf-16", b"utf-32", b"utf-7",
            b"iso-2022-jp", b"unknown-8bit", b"uft-8", b"1", b"iso-8859-8-i", b"idna",
            b"rot13", b"base64", b"zlib", b"hex", b"punycode")  # fmt: skip


def charset_body(n: int) -> bytes:
    """C1 scalable: n lines of broken ISO-2022-JP escapes in a text part."""
    line = b"\x1b$B%G%#\x1b(Bbroken \x1b$ escape \x1b(J\xff\xfe 550 5.1.1 user unknown\n"
    return wrap(line * n, b'text/plain; charset="iso-2022-jp"')


def charset_cases() -> dict[str, bytes]:
    body = DSN_TEXT + "é€ 中文".encode() + b"\xff\xfe\x00\x00"
    out = {}
    for i, cs in enumerate(CHARSETS):
        out[f"body-{i}"] = wrap(body, b'text/plain; charset="' + cs + b'"')
        out[f"word-{i}"] = WRAP.replace(b"Subject: ", b"Subject: =?" + cs + b"?q?abc?= ") + (
            b"\n" + DSN_TEXT
        )
    out["rfc2231"] = wrap(body, b"text/plain; charset*=utf-8''%ff%fe")
    return out


def cr_message(n: int) -> bytes:
    """C2 scalable: a DSN with n extra text lines, all line endings bare CR."""
    text = DSN_TEXT + b"more text about the failure\n" * n
    return dsn(dsn_block(b"bob@example.com"), text=text).replace(b"\n", b"\r")


def line_ending_cases() -> dict[str, bytes]:
    return {
        "lf": BASIC_DSN,
        "crlf": BASIC_DSN.replace(b"\n", b"\r\n"),
        "cr": BASIC_DSN.replace(b"\n", b"\r"),
        "mixed": BASIC_DSN.replace(b"\n", b"\r\n", 5).replace(b"\n\n", b"\r\r", 1),
        "bare-cr-in-value": BASIC_DSN.replace(b"Subject: ", b"Subject: \r\r"),
        "mbox-from": b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n" + BASIC_DSN,
        "bom": b"\xef\xbb\xbf" + BASIC_DSN,
        "no-blank-line": WRAP + DSN_TEXT,
        "only-from-line": b"From x\n",
    }


# --- T: transfer encodings -----------------------------------------------------------------


def base64_attachment(n: int, one_line: bool = False) -> bytes:
    """T1 scalable: a DSN plus an attachment of n KiB of base64 (76-char lines or one line)."""
    payload = base64.b64encode(bytes(range(256)) * 4 * n)
    if not one_line:
        payload = b"\n".join(payload[i : i + 76] for i in range(0, len(payload), 76))
    return wrap(
        b"--A\nContent-Type: text/plain\n\n" + DSN_TEXT + b"--A\n"
        b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
        b'Content-Disposition: attachment; filename="big.bin"\n\n' + payload + b"\n--A--\n",
        b'multipart/mixed; boundary="A"',
    )


def encoding_cases() -> dict[str, bytes]:
    def part(cte: bytes, body: bytes, ctype: bytes = b"text/plain") -> bytes:
        return wrap(body, ctype, b"Content-Transfer-Encoding: " + cte + b"\n")

    return {
        "b64-len-1-mod-4": part(b"base64", base64.b64encode(DSN_TEXT) + b"Q"),
        "b64-junk": part(b"base64", b"!!!@@@###" + base64.b64encode(DSN_TEXT) + b"\x00\xff"),
        "b64-one-line": base64_attachment(4, one_line=True),
        "qp-dangling": part(
            b"quoted-printable",
            DSN_TEXT + b"=\n=4\n=ZZ\n=",
        ),
        "unknown-cte": part(b"x-uuencode", DSN_TEXT),
        "cte-on-multipart": part(b"base64", b"--Z\n\nx\n--Z--\n", b"multipart/mixed; boundary=Z"),
        "b64-rfc822": part(b"base64", base64.b64encode(BASIC_DSN), b"message/rfc822"),
        "b64-dsn-status": BASIC_DSN.replace(
            b"Content-Type: message/delivery-status\n",
            b"Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n",
        ),
    }


# --- R, M: replies -------------------------------------------------------------------------


def reply_pump(n: int) -> bytes:
    """R1 scalable: a 550 reply followed by n characters that neighbouring quantifiers share."""
    junk = (b"a.a-a@a " * (n // 8 + 1))[:n]
    return b"550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using " + junk


def multiline_reply(n: int) -> bytes:
    """M1 scalable: a multi-line `550-` reply of n continuation lines."""
    lines = [b"550-5.7.1 This message was blocked because its content presents a risk %d" % i
             for i in range(n)]  # fmt: skip
    return b"\n".join([*lines, b"550 5.7.1 see https://support.example.com/mail/?p=BlockedMessage"])


def reply_cases() -> dict[str, bytes]:
    return {
        "code-000": b"000 0.0.0 nothing",
        "code-999": b"999 5.999.999 nothing",
        "status-6": b"550 6.0.0 bad class",
        "mismatch": b"250 5.1.1 user unknown",
        "non-ascii": "550 5.1.1 Benutzer unbekannt — ünknown 用户不存在".encode(),
        "repeated-codes": b"550 " * 5000,
        "one-mb": b"550 5.1.1 " + b"x" * (1 << 20),
        "nul": b"550\x005.1.1\x00user\x00unknown",
        "surrogates": "550 5.1.1 \ud800 user \udfff unknown".encode("utf-8", "surrogatepass"),
        "lt-run": b"550 please reply to " + b"<" * 4000,
        "comma-run": b"550 failed , " + b"," * 40000,
        "at-run": b"Message not delivered to the following addresses " + b"a" * 40000,
    }


# --- A, D, X: report bodies ----------------------------------------------------------------


def arf(n: int) -> bytes:
    """A1 scalable: an ARF report with n Original-Rcpt-To fields."""
    fields = b"".join(b"Original-Rcpt-To: u%d@example.com\n" % i for i in range(n))
    return wrap(
        b"--F\nContent-Type: text/plain\n\nThis is an abuse report\n--F\n"
        b"Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\n"
        b"Version: 1\n" + fields + b"\n--F\nContent-Type: message/rfc822\n\n"
        b"From: sender@example.org\nTo: u0@example.com\nSubject: hi\n\nbody\n--F--\n",
        b'multipart/report; report-type=feedback-report; boundary="F"',
    )


def arf_cases() -> dict[str, bytes]:
    return {
        "unknown-type": arf(1).replace(b"Feedback-Type: abuse", b"Feedback-Type: \xff" * 50),
        "no-feedback-part": arf(1).replace(b"message/feedback-report", b"text/plain"),
        "binary-report": arf(1).replace(b"User-Agent: x/1", b"User-Agent: \x00\xff\x1b" * 100),
        "empty-report": wrap(b"", b"multipart/report; report-type=feedback-report"),
    }


def dsn_bulk(n: int) -> bytes:
    """D1 scalable: a DSN with n per-recipient blocks."""
    return dsn(b"\n".join(dsn_block(b"u%d@example.com" % i) for i in range(n)))


def keyword_soup(n: int) -> str:
    """n characters made of every keyword of the default registry: rules' pre-filters all hit."""
    from bouncekit import default_registry

    words = sorted({k for r in default_registry().rules() for k in r.keywords})
    return ((" ".join(words) + " ") * (n // 1000 + 1))[:n]


def prefilter_keywords() -> list[str]:
    """Every string the engine's pre-filter (`Registry.scan`) looks for."""
    from bouncekit import default_registry

    return sorted(default_registry()._index._keywords)


def _shared_prefix_run(keywords: list[str]) -> str:
    """The prefix (2-6 characters) that starts the most keywords: each of its places in a
    text is a search that follows the trie deep and then fails."""
    counts: dict[str, int] = {}
    for k in keywords:
        for n in range(2, min(len(k), 6) + 1):
            counts[k[:n]] = counts.get(k[:n], 0) + 1
    return max(counts, key=lambda p: (counts[p] * len(p), p))


def prefilter_texts(size: int, seed: int = 0) -> dict[str, str]:
    """Lowercased texts of `size` characters, by shape, made of the keywords of the engine's
    pre-filter where its trie search and its first-sight bookkeeping work hardest."""
    rng = random.Random(seed)
    words = [k for k in prefilter_keywords() if k]
    longest = max(words, key=len)
    shuffled = rng.sample(words, len(words))
    fragments = [k[: rng.randint(1, len(k))] for k in words]
    japanese = [k for k in words if not k.isascii()]
    assert japanese, "the registry has non-ASCII keywords: this shape must stay meaningful"
    prefix = _shared_prefix_run(words)

    def fill(piece: Callable[[], str]) -> str:
        parts: list[str] = []
        total = 0
        while total < size:
            parts.append(piece())
            total += len(parts[-1])
        return "".join(parts)[:size]

    def cycle(items: list[str]) -> str:
        joined = "".join(items)
        return (joined * (size // len(joined) + 1))[:size]

    return {
        "run of the longest keyword": fill(lambda: longest),
        "run of a short keyword": fill(lambda: "full"),
        "run of the longest keyword minus its last character": fill(lambda: longest[:-1]),
        "keyword prefixes back to back": fill(lambda: rng.choice(fragments)),
        "every keyword back to back": cycle(shuffled),
        "every keyword minus its last character": cycle([k[:-1] for k in shuffled]),
        "last character swapped for one no keyword has": cycle(
            [k[:-1] + "\u2603" for k in shuffled]
        ),
        "characters that continue many keywords": fill(lambda: prefix),
        "dotted capital I lowered": fill(
            lambda: rng.choice(words).upper().replace("I", "\u0130")
        ).lower(),
        "japanese keywords and their prefixes": fill(
            lambda: (k := rng.choice(japanese))[: rng.randint(1, len(k))]
        ),
        "keyword then a random character": fill(
            lambda: rng.choice(words) + chr(rng.randrange(0x20, 0x3100))
        ),
    }


def dsn_long_diagnostics(n: int, size: int = 4000) -> bytes:
    """n recipients, each with its own `size`-character, keyword-dense Diagnostic-Code."""
    diag = keyword_soup(size).encode()
    return dsn(b"".join(
        b"Final-Recipient: rfc822; u%d@example.com\nAction: failed\nStatus: 5.0.0\n" % i
        + b"Diagnostic-Code: smtp; 550 " + diag + b"\n\n" for i in range(n)
    ))  # fmt: skip


def dsn_shared_context(n: int, lines: int = 20, size: int = 3000) -> bytes:
    """n recipients without a diagnostic, all quoting one long keyword-dense text part."""
    soup = keyword_soup(size).encode()
    text = b"".join(b"u%d@example.com " % i + soup + b"\n" for i in range(lines))
    blocks = b"".join(
        b"Final-Recipient: rfc822; u%d@example.com\nAction: failed\nStatus: 5.0.0\n"
        b"Diagnostic-Code: X-Unknown\n\n" % (i % lines)
        for i in range(n)
    )
    return dsn(blocks, text=text)


def ndr_listing(n: int, line: bytes = b"- %x@e.io\n") -> bytes:
    """N1 scalable: a plain-text NDR listing n recipients on lines alike but for the address,
    none opening its line: the generic reader lists them all like the first (`_listed_like`),
    up to max_recipients."""
    head = b"Delivery has failed to these recipients or groups:\n\n"
    return wrap(head + b"".join(line % i for i in range(n)))


def ndr_listing_cases() -> dict[str, bytes]:
    return {
        "template": ndr_listing(
            1000, b"Unable to deliver message to <user%d@example.com> (and other recipients).\n"
        ),
        "labelled": ndr_listing(3000, b"Unknown user: u%d@example.com\n"),
        "one-address-repeated": ndr_listing(5000, b"- bob@example.com %d\n"),
        "alike-then-not": ndr_listing(3000, b"- u%d@example.com\n")
        + b"".join(b"x%d - v%d@example.com y\n" % (i, i) for i in range(3000)),
    }


def dsn_cases() -> dict[str, bytes]:
    return {
        "no-action": dsn(dsn_block(b"bob@example.com").replace(b"Action: failed\n", b"")),
        "duplicates": dsn(dsn_block(b"bob@example.com") * 3),
        "rfc2231-recipient": dsn(
            dsn_block(b"bob@example.com").replace(
                b"rfc822; bob@example.com", b"rfc822; bob@example.com; x*=us-ascii''y"
            )
        ),
        "no-blank-between": dsn(dsn_block(b"a@example.com") + dsn_block(b"b@example.com")),
        "junk-status": dsn(dsn_block(b"bob@example.com", status=b"9.9.9999999999")),
        "empty-status-part": dsn(b""),
    }


def spoof_lines(n: int) -> bytes:
    """X1 scalable: ordinary mail with n lines that heuristics might take for failures."""
    line = b"foo, bob@example.com, bar Failed Recipient: x@example.net\n"
    return (
        b"From: alice@example.org\nTo: list@example.org\nSubject: minutes of the meeting\n\n"
        + line * n
    )


def spoof_cases() -> dict[str, bytes]:
    return {
        "plain-failed-recipient": spoof_lines(1),
        "forwarded-bounce": wrap(
            b"--W\nContent-Type: text/plain\n\nFYI, see below\n--W\n"
            b"Content-Type: message/rfc822\n\n" + BASIC_DSN + b"\n--W--\n",
            b'multipart/mixed; boundary="W"',
        ).replace(b"MAILER-DAEMON@mx.example.com", b"colleague@example.org")
        .replace(b"Undelivered Mail Returned to Sender", b"Fwd: look at this"),
        "vacation": b"From: bob@example.com\nTo: sender@example.org\nSubject: Out of office\n"
        b"Auto-Submitted: auto-replied\n\nI am away until Monday.\n",
    }  # fmt: skip


# --- E: size edges -------------------------------------------------------------------------


def no_newline(n: int) -> bytes:
    """E1 scalable: n bytes on one line, no header block."""
    return (b"5" + b"a@b " * (n // 4 + 1))[:n]


def size_cases() -> dict[str, bytes]:
    return {
        "empty": b"",
        "one-byte": b"\n",
        "one-nul": b"\x00",
        "headers-only": WRAP,
        "body-only": b"\n\n" + DSN_TEXT,
        "only-newlines": b"\n" * 10000,
        "only-cr": b"\r" * 10000,
        "colon": b":",
        "from-space": b"From ",
    }


FAMILIES: dict[str, Family] = {
    f.id: f
    for f in (
        Family("S1", "deep multipart", deep_multipart, 60, 5000, expect="limit:depth"),
        Family("S2", "deep message/rfc822", deep_rfc822, 60, 5000),
        Family("S3", "deep + long", deep_and_long, 200, 10000),
        Family("S4", "same boundary nested", lambda n: deep_multipart(n, shared=True), 60, 5000),
        Family("S5", "many parts", many_parts, 1500, 10000, expect="limit:parts"),
        Family("S6", "boundary storm", boundary_storm, 2000, 200000),
        Family("S7", "boundary never appears", boundary_absent, 2000, 16000),
        Family("S8", "boundary edge cases", long_boundary, 300, 200000, boundary_cases),
        Family("H1", "huge header", folded_header, 300_000, 1048576, expect="limit:header_size"),
        Family(
            "H2",
            "many headers",
            many_headers,
            1500,
            50000,
            many_headers_cases,
            expect="limit:header_count",
        ),
        Family("H3", "one-line header crashers", crasher_headers, 300, 10000, crasher_cases),
        Family("H4", "8-bit and control bytes", control_blocks, 20, 2000, control_cases),
        Family("C1", "charsets", charset_body, 50, 10000, charset_cases),
        Family("C2", "line endings", cr_message, 50, 32000, line_ending_cases),
        Family("T1", "transfer encodings", base64_attachment, 64, 1024, encoding_cases),
        Family("R1", "regex pumps", reply_pump, 8192, 524288, reply_cases, reply=True),
        Family("M1", "SMTP reply texts", multiline_reply, 100, 8000, reply_cases, reply=True),
        Family("A1", "ARF", arf, 1200, 10000, arf_cases),
        Family("D1", "DSN bulk", dsn_bulk, 1100, 5000, dsn_cases, expect="limit:recipients"),
        Family("N1", "NDR listing addresses", ndr_listing, 300, 800, ndr_listing_cases),
        Family("X1", "semantic / spoofing", spoof_lines, 100, 16000, spoof_cases),
        Family("E1", "size edges", no_newline, 1000, 1048576, size_cases),
    )
}
