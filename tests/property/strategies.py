"""Structured generators for property tests: DSNs, ARF reports and SMTP replies built from
random recipients, actions, statuses, junk, line endings and boundaries, and byte-level
mutations of real corpus files.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

LOCAL = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1, max_size=20).filter(
    lambda s: s[0] not in "._" and s[-1] not in "._" and ".." not in s
)
DOMAIN = st.sampled_from(["example.com", "example.net", "mx.example.org", "example.co.uk"])
ADDRESS = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)
ACTION = st.sampled_from(["failed", "delayed", "delivered", "relayed", "expanded"])
STATUS = st.builds(
    lambda k, s, d: f"{k}.{s}.{d}", st.sampled_from([2, 4, 5]), st.integers(0, 7),
    st.integers(0, 9),
)  # fmt: skip
PHRASES = st.sampled_from([
    "User unknown", "Mailbox full", "Recipient address rejected: Access denied",
    "Message rejected as spam", "Domain not found", "Requested action aborted",
    "Service unavailable; client host [192.0.2.7] blocked using zen.spamhaus.org",
    "Too many connections", "Delivery expired", "mailbox unavailable",
])  # fmt: skip
# Junk of any printable kind, but no line breaks: a line break inside a field is a different
# message (reliability.md §4: bare CR is a line end for some readers, not others).
JUNK = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
               max_size=40)  # fmt: skip
EOL = st.sampled_from(["\n", "\r\n", "\r"])
BOUNDARY = st.text("abcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=?", min_size=1, max_size=60)


@dataclass(frozen=True)
class Recipient:
    address: str
    action: str
    status: str
    phrase: str
    junk: str


@dataclass(frozen=True)
class Dsn:
    raw: bytes
    recipients: tuple[Recipient, ...]
    eol: str


RECIPIENT = st.builds(Recipient, ADDRESS, ACTION, STATUS, PHRASES, JUNK)


@st.composite
def dsns(draw: st.DrawFn) -> Dsn:
    """A multipart/report DSN with 1-6 recipient blocks (distinct addresses)."""
    rcpts = draw(st.lists(RECIPIENT, min_size=1, max_size=6, unique_by=lambda r: r.address))
    eol = draw(EOL)
    b = draw(BOUNDARY)
    blocks = "\n".join(
        f"Final-Recipient: rfc822; {r.address}\nAction: {r.action}\nStatus: {r.status}\n"
        f"Diagnostic-Code: smtp; {550 if r.status[0] == '5' else 450} {r.status} {r.phrase}"
        f" X{r.junk}\n"
        for r in rcpts
    )
    text = "Delivery to the following recipients failed.\n\n" + "\n".join(
        f"   {r.address}" for r in rcpts
    )
    msg = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        "To: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"\n\n'
        f"--{b}\nContent-Type: text/plain\n\n{text}\n\n"
        f"--{b}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example.com\n\n{blocks}\n"
        f"--{b}\nContent-Type: text/rfc822-headers\n\n"
        f"From: sender@example.org\nSubject: hi\nMessage-ID: <x@example.org>\n\n--{b}--\n"
    )
    raw = msg.replace("\n", eol).encode("utf-8", "surrogatepass")
    return Dsn(raw, tuple(rcpts), eol)


@st.composite
def arfs(draw: st.DrawFn) -> tuple[bytes, list[str], str]:
    """An ARF report: (raw, complaining recipients, feedback type)."""
    rcpts = draw(st.lists(ADDRESS, min_size=1, max_size=4, unique=True))
    ftype = draw(st.sampled_from(["abuse", "fraud", "virus", "other", "opt-out"]))
    b = draw(BOUNDARY)
    fields = "".join(f"Original-Rcpt-To: {r}\n" for r in rcpts)
    msg = (
        "From: fbl@example.net\nTo: fbl@example.org\nSubject: complaint\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{b}"\n\n'
        f"--{b}\nContent-Type: text/plain\n\nA complaint {draw(JUNK)}\n"
        f"--{b}\nContent-Type: message/feedback-report\n\nFeedback-Type: {ftype}\n"
        f"User-Agent: probe/1\nVersion: 1\n{fields}\n"
        f"--{b}\nContent-Type: message/rfc822\n\nFrom: a@example.org\nTo: {rcpts[0]}\n\nhi\n"
        f"--{b}--\n"
    )
    return msg.replace("\n", draw(EOL)).encode("utf-8", "surrogatepass"), rcpts, ftype


@st.composite
def replies(draw: st.DrawFn) -> tuple[str, int, str]:
    """An SMTP reply line: (text, code, status)."""
    status = draw(STATUS.filter(lambda s: s[0] in "45"))
    code = draw(st.sampled_from([421, 450, 451, 452]) if status[0] == "4" else
                st.sampled_from([550, 551, 552, 553, 554]))  # fmt: skip
    sep = draw(st.sampled_from([" ", "-"]))
    return f"{code}{sep}{status} {draw(PHRASES)} {draw(JUNK)}", code, status


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """A few byte-level edits of `data`: flips, inserts, deletions, duplications, cuts."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not out:
            break
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup", "cut", "special"]))
        i = draw(st.integers(0, len(out) - 1))
        if op == "flip":
            out[i] = draw(st.integers(0, 255))
        elif op == "insert":
            out[i:i] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del out[i : i + draw(st.integers(1, 256))]
        elif op == "dup":
            chunk = out[i : i + draw(st.integers(1, 512))]
            out[i:i] = chunk * draw(st.integers(1, 20))
        elif op == "cut":
            del out[i:]
        else:
            out[i:i] = draw(st.sampled_from([
                b"\r", b"\x00", b"\n\n", b"--", b"=?utf-8?b?", b"Content-Type: multipart/mixed;"
                b" boundary=x\n", b"\n--x\n", b"\xff\xfe", b"\xe2\x80\xa8", b";" * 100,
            ]))  # fmt: skip
    return bytes(out)
