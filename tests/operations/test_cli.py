"""`bouncekit parse` in batch: folders, mbox, Maildir, stdin; JSONL/CSV; summary and
incidents; the progress bar on a terminal only; exit codes."""

from __future__ import annotations

import csv
import io
import json
import mailbox
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import CORPUS, EXAMPLES
from .streams import ARF, AUTO_REPLY, HOTMAIL_REPLIES

SEED_EML = (EXAMPLES / "hotmail-ip-block.eml").read_bytes()
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "bouncekit", *args],
        input=stdin,
        capture_output=True,
        env=ENV,
        timeout=300,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


def hotmail_dsn(i: int) -> str:
    """A Postfix-style DSN carrying Outlook's S3150 block-list reply for reader{i}."""
    reply = HOTMAIL_REPLIES[0].format(ip="192.0.2.1", tag=f"DB3EUR04FT{i:03d}")
    return f"""From: MAILER-DAEMON@mail.example.com
To: news@example.com
Subject: Undelivered Mail Returned to Sender
Date: Mon, 02 Mar 2026 10:{i % 60:02d}:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; reader{i}@hotmail.com
Action: failed
Status: 5.7.1
Remote-MTA: dns; eur.olc.protection.outlook.com
Diagnostic-Code: smtp; {reply}

--B--
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "bounces"
    (d / "sub").mkdir(parents=True)
    for i in range(20):
        (d / ("sub" if i % 2 else ".") / f"{i:02d}.eml").write_text(hotmail_dsn(i))
    (d / ".hidden").write_text("not read")
    return d


def test_folder_gives_results_summary_and_one_incident(folder: Path) -> None:
    r = run("parse", str(folder))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("== " + str(folder)) == 20  # one header per message
    summary = r.stdout[r.stdout.index("== Summary") :]
    assert "== Summary: 20 messages (dsn 20), 20 recipients" in summary
    assert "Outlook.com / Hotmail" in summary and "ip_reputation" in summary
    assert "Incidents (the sender was refused: keep these recipients): 1" in summary
    assert "IP 192.0.2.1 [microsoft/block-list]" in summary
    assert "20 recipients, 20 bounces, from 2026-03-02 10:00:00 to 2026-03-02 10:19:00" in summary
    assert "who can fix it: ip_owner" in summary
    assert "do not suppress: reader0@hotmail.com" in summary
    assert r.stderr == ""  # piped: no progress bar


def test_mbox_file_and_stdin(tmp_path: Path) -> None:
    box = mailbox.mbox(str(tmp_path / "bounces.mbox"))
    body = "From here on, this line must survive mbox quoting.\n"
    for text in (
        SEED_EML.decode(),
        ARF.format(rcpt="angry@example.org"),
        AUTO_REPLY.format(rcpt="away@example.org") + "\n" + body,
    ):
        box.add(mailbox.mboxMessage(text))
    box.flush()
    box.close()
    raw = (tmp_path / "bounces.mbox").read_bytes()
    assert raw.count(b"\n>From here on") == 1  # the writer quoted it
    for args, stdin in (([str(tmp_path / "bounces.mbox")], b""), (["-"], raw)):
        r = run("parse", "--jsonl", *args, stdin=stdin)
        assert r.returncode == 0, r.stderr
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert [row["input"].rsplit("#", 1)[1] for row in rows] == ["1", "2", "3"]
        assert [row["category"] for row in rows] == ["block", "complaint", "auto_reply"]
        assert rows[0]["recipient"] == "x@hotmail.com"
        assert rows[0]["date"] == "2007-03-13T10:22:31+01:00"
        assert rows[1]["recipient"] == "angry@example.org"


def test_maildir(tmp_path: Path) -> None:
    md = mailbox.Maildir(str(tmp_path / "Maildir"))
    for i in range(4):
        msg = mailbox.MaildirMessage(hotmail_dsn(i))
        if i % 2:
            msg.set_subdir("cur")
        md.add(msg)
    md.add(mailbox.MaildirMessage(SEED_EML))
    r = run("parse", "--csv", str(tmp_path / "Maildir"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 5
    assert sorted(row["recipient"] for row in rows) == [
        "reader0@hotmail.com",
        "reader1@hotmail.com",
        "reader2@hotmail.com",
        "reader3@hotmail.com",
        "x@hotmail.com",
    ]
    assert {row["provider"] for row in rows} == {"microsoft"}
    assert {row["category"] for row in rows} == {"block"}
    assert {row["rule"] for row in rows} == {"microsoft/block-list", "microsoft/ip-complaints"}
    assert all(row["fixer"] == "ip_owner" and row["advice"] for row in rows)


def test_csv_and_jsonl_summary_go_to_stderr(folder: Path) -> None:
    r = run("parse", "--csv", "--summary", str(folder))
    assert r.returncode == 0
    assert r.stdout.splitlines()[0].startswith("input,date,kind,recipient,category,reason")
    assert "== Summary: 20 messages" in r.stderr and "== Summary" not in r.stdout


def test_french(folder: Path) -> None:
    r = run("parse", "--lang", "fr", str(folder / "00.eml"), str(folder / "sub" / "01.eml"))
    assert r.returncode == 0
    assert "Le blocage porte sur l'IP" in r.stdout or "l'IP du serveur d'envoi" in r.stdout
    assert "== Résumé: 2 messages" in r.stdout
    assert "ne pas supprimer: reader0@hotmail.com, reader1@hotmail.com" in r.stdout


def test_single_file_output_is_unchanged() -> None:
    r = run("parse", "--explain", str(EXAMPLES / "hotmail-ip-block.eml"))
    assert r.returncode == 0
    assert r.stdout.startswith("kind: dsn\n- x@hotmail.com: block / complaints")
    assert "decided by: stage provider_rule, rule microsoft/ip-complaints" in r.stdout
    assert "Summary" not in r.stdout  # one message: no summary unless asked
    r = run("parse", "--json", str(EXAMPLES / "hotmail-ip-block.eml"))
    assert json.loads(r.stdout)["bounces"][0]["category"] == "block"


def test_exit_codes(folder: Path, tmp_path: Path) -> None:
    r = run("parse", str(tmp_path / "missing.eml"), str(folder / "00.eml"))
    assert r.returncode == 1
    assert "missing.eml" in r.stderr
    assert "reader0@hotmail.com" in r.stdout  # the readable input is still reported
    assert "1 unreadable" in r.stdout
    assert run("parse", "--jobs", "-1", str(folder)).returncode == 2
    assert run("parse", "--no-such-option").returncode == 2
    assert run("frobnicate").returncode == 2
    r = run("parse", "-", stdin=b"550 5.1.1 <a@example.org>: User unknown")
    assert r.returncode == 0 and "(recipient unknown): hard (user_unknown" in r.stdout


def _run_on_pty(args: list[str], stdin_tty: bool = False) -> tuple[int, str, str]:
    """Run the command with stderr (and optionally stdin) on a pseudo-terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bouncekit", *args],
        stdin=slave if stdin_tty else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=ENV,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    out = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait(10)
    os.close(master)
    return proc.returncode, out.decode(), seen.decode(errors="replace")


def test_progress_bar_on_a_terminal_only(folder: Path) -> None:
    code, out, tty = _run_on_pty(["parse", "--summary-only", str(folder)])
    assert code == 0
    assert "\r[" in tty and "/20 files" in tty and "messages" in tty
    assert "[########################] 20/20 files, 20 messages" in tty  # the final state
    assert "== Summary: 20 messages" in out and "\r" not in out
    # The same run piped: no bar anywhere.
    r = run("parse", "--summary-only", str(folder))
    assert r.stderr == "" and "\r" not in r.stdout
    # Forced off on a terminal.
    code, _, tty = _run_on_pty(["parse", "--summary-only", "--progress", "never", str(folder)])
    assert code == 0 and "files" not in tty


def test_no_input_on_a_terminal_is_a_usage_error() -> None:
    code, _, tty = _run_on_pty(["parse"], stdin_tty=True)
    assert code == 2 and "standard input" in tty


def test_jobs_give_the_same_output_in_the_same_order(folder: Path) -> None:
    one = run("parse", "--jsonl", str(folder))
    two = run("parse", "--jsonl", "--jobs", "2", str(folder))
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stdout.count("\n") == 20


@pytest.mark.skipif(not (CORPUS / "eml").is_dir(), reason="shared corpus not available")
def test_whole_corpus_prints_summary_and_incidents() -> None:
    files = [p for p in (CORPUS / "eml").iterdir() if not p.name.startswith(".")]
    timings = {}
    outputs = {}
    for jobs in ("1", "2"):
        start = time.perf_counter()
        r = run("parse", "--summary-only", "--jobs", jobs, str(CORPUS / "eml"))
        timings[jobs] = time.perf_counter() - start
        assert r.returncode == 0, r.stderr
        outputs[jobs] = r.stdout
    print(f"corpus: {len(files)} files, jobs=1 {timings['1']:.2f}s, jobs=2 {timings['2']:.2f}s")
    out = outputs["1"]
    assert outputs["2"] == out  # parallel runs give the same summary
    assert out.startswith(f"== Summary: {len(files)} messages (")
    assert "provider" in out and "category" in out and "block type" in out
    assert "Outlook.com / Hotmail" in out
    head = next(line for line in out.splitlines() if line.startswith("== Incidents"))
    assert int(head.rsplit(": ", 1)[1]) > 0
    assert "do not suppress: " in out and "who can fix it: " in out


def test_summary_only_as_json(folder: Path) -> None:
    r = run("parse", "--summary-only", "--json", str(folder))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (data["messages"], data["recipients"], data["kinds"]) == (20, 20, {"dsn": 20})
    assert data["counts"] == [
        {"provider": "microsoft", "category": "block", "block_type": "ip_reputation", "count": 20}
    ]
    (inc,) = data["incidents"]
    assert inc["blocked_ip"] == "192.0.2.1" and inc["rule"] == "microsoft/block-list"
    assert len(inc["keep"]) == 20 and inc["advice"]["fixer"] == "ip_owner"
    assert inc["first_seen"] == "2026-03-02T10:00:00+00:00"
