"""bouncekit.compat.smtplib: smtplib's exceptions, from a real SMTP dialogue on loopback."""

from __future__ import annotations

import smtplib
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from bouncekit import Category, Reason
from bouncekit.compat.smtplib import from_refused, from_reply, from_smtp_error

# A Gmail-style multi-line refusal, line by line as the server sends it.
NO_SUCH_USER = [
    "550-5.1.1 The email account that you tried to reach does not exist. Please try",
    "550-5.1.1 double-checking the recipient's email address for typos or",
    "550-5.1.1 unnecessary spaces. For more information, go to",
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1-20020a05.123 - gsmtp",
]
OVER_QUOTA = ["452 4.2.2 The email account that you tried to reach is over quota."]
SPAMHAUS = [
    "554 5.7.1 Service unavailable; Client host [192.0.2.77] blocked using zen.spamhaus.org"
]
CONTENT = ["550 5.7.1 Message rejected as spam by Content Filtering."]


class _Handler(socketserver.StreamRequestHandler):
    """Just enough of an SMTP server: replies chosen by the address in each command."""

    timeout = 5

    def reply(self, lines: list[str]) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())

    def handle(self) -> None:
        self.reply(["220 mx.example.com ESMTP test"])
        for _ in range(50):  # bounded: a test dialogue is a dozen commands
            raw = self.rfile.readline(1000)
            if not raw:
                return
            cmd = raw.decode("ascii", "replace").strip()
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply(["250-mx.example.com", "250 8BITMIME"])
            elif verb == "MAIL":
                blocked = "blocked-sender" in cmd
                self.reply(SPAMHAUS if blocked else ["250 2.1.0 OK"])
            elif verb == "RCPT":
                if "nobody" in cmd:
                    self.reply(NO_SUCH_USER)
                elif "full" in cmd:
                    self.reply(OVER_QUOTA)
                else:
                    self.reply(["250 2.1.5 OK"])
            elif verb == "DATA":
                self.reply(["354 Go ahead"])
                spam = False
                for _ in range(1000):
                    line = self.rfile.readline(2000)
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    spam = spam or b"BUY NOW" in line
                self.reply(CONTENT if spam else ["250 2.0.0 OK queued"])
            elif verb == "RSET" or verb == "NOOP":
                self.reply(["250 2.0.0 OK"])
            elif verb == "QUIT":
                self.reply(["221 2.0.0 Bye"])
                return
            else:
                self.reply(["502 5.5.2 Command not recognized"])


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv.server_address[0], srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


MESSAGE = "From: shop@example.org\r\nSubject: hi\r\n\r\nhello\r\n"


def test_recipients_refused_gives_one_bounce_per_recipient(server: tuple[str, int]) -> None:
    rcpts = ["nobody@example.com", "full@example.net"]
    with (
        smtplib.SMTP(*server, timeout=5) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as info,
    ):
        smtp.sendmail("shop@example.org", rcpts, MESSAGE)
    bounces = {b.recipient: b for b in from_smtp_error(info.value, remote_host="mx.example.com")}
    assert set(bounces) == {"nobody@example.com", "full@example.net"}
    gone = bounces["nobody@example.com"]
    assert (gone.category, gone.reason, gone.smtp_code) == (Category.HARD, Reason.USER_UNKNOWN, 550)
    assert str(gone.enhanced_status) == "5.1.1"
    assert gone.diagnostic.count("5.1.1") == 1  # the continuation tokens are folded away
    assert gone.remote_mta == "mx.example.com"
    full = bounces["full@example.net"]
    assert (full.category, full.reason, full.permanent) == (
        Category.SOFT,
        Reason.MAILBOX_FULL,
        False,
    )


def test_partial_refusal_returned_by_sendmail(server: tuple[str, int]) -> None:
    with smtplib.SMTP(*server, timeout=5) as smtp:
        refused = smtp.sendmail(
            "shop@example.org", ["ok@example.com", "nobody@example.com"], MESSAGE
        )
    (b,) = from_refused(refused)
    assert (b.recipient, b.reason, b.category) == (
        "nobody@example.com",
        Reason.USER_UNKNOWN,
        Category.HARD,
    )


def test_data_refused_applies_to_the_accepted_recipients(server: tuple[str, int]) -> None:
    spam = MESSAGE.replace("hello", "BUY NOW")
    with smtplib.SMTP(*server, timeout=5) as smtp, pytest.raises(smtplib.SMTPDataError) as info:
        smtp.sendmail("shop@example.org", ["ok@example.com"], spam)
    (b,) = from_smtp_error(info.value, recipients=["ok@example.com"])
    assert (b.recipient, b.category, b.smtp_code) == ("ok@example.com", Category.BLOCK, 550)
    assert b.reason is Reason.SPAM_CONTENT


def test_sender_refused_is_a_block_for_every_recipient(server: tuple[str, int]) -> None:
    rcpts = ["ann@example.com", "bob@example.com", "ann@example.com"]
    with smtplib.SMTP(*server, timeout=5) as smtp, pytest.raises(smtplib.SMTPSenderRefused) as info:
        smtp.sendmail("blocked-sender@example.org", rcpts, MESSAGE)
    bounces = from_smtp_error(info.value, recipients=rcpts)
    assert [b.recipient for b in bounces] == ["ann@example.com", "bob@example.com"]
    for b in bounces:
        assert b.category is Category.BLOCK and b.blocklist is not None
        assert b.smtp_code == 554


def test_errors_without_a_reply() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(OSError) as info:
        smtplib.SMTP("127.0.0.1", port, timeout=2)
    (b,) = from_smtp_error(info.value)
    assert b.recipient is None and b.smtp_code is None
    assert not b.permanent
    (d,) = from_smtp_error(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert d.smtp_code is None and d.diagnostic == "Connection unexpectedly closed"


def test_from_reply_restores_the_wire_form() -> None:
    b = from_reply(421, b"4.7.0 Try again later, closing connection.\n4.7.0 (EHLO)")
    assert b.smtp_code == 421 and not b.permanent
    assert b.diagnostic.startswith("421 4.7.0 Try again later")
