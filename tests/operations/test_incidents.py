"""detect_incidents: one provider blocking the sending IP is one incident, not 3,000 bad
addresses; and the suppression policy keeps every one of those readers."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest

from bouncekit import Category, Fixer, classify_reply
from bouncekit.incidents import Incident, IncidentDetector, detect_incidents
from bouncekit.policy import SuppressionPolicy, Verdict

from .streams import (
    BLOCK_START,
    BLOCKED_IP,
    HARD,
    HOTMAIL_REPLIES,
    SPAMHAUS,
    Stream,
    generate,
    reply_bounce,
)


@pytest.fixture(scope="module")
def stream() -> Stream:
    return generate()


@pytest.fixture(scope="module")
def incidents(stream: Stream) -> list[Incident]:
    return list(detect_incidents(iter(stream.events)))


def test_stream_is_what_the_scenario_says(stream: Stream) -> None:
    assert len(stream.events) == 10_000
    hotmail = [b for _, b in stream.events if b.recipient in stream.hotmail_recipients]
    assert len(hotmail) == 3000
    assert {(b.category, b.provider and b.provider.id) for b in hotmail} == {
        (Category.BLOCK, "microsoft")
    }


def test_hotmail_ip_block_is_one_incident_with_every_recipient(
    stream: Stream, incidents: list[Incident]
) -> None:
    ms = [i for i in incidents if i.provider is not None and i.provider.id == "microsoft"]
    assert len(ms) == 1
    (inc,) = ms
    assert inc.blocked_ip == BLOCKED_IP
    assert inc.bounces == 3000
    assert inc.recipient_count == 3000 and not inc.truncated
    assert set(inc.recipients) == stream.hotmail_recipients
    assert set(inc.keep) == stream.hotmail_recipients  # none hard-bounced elsewhere
    assert inc.first_seen is not None and inc.last_seen is not None
    assert BLOCK_START <= inc.first_seen < BLOCK_START + timedelta(seconds=2)
    assert inc.duration is not None
    assert timedelta(minutes=59) < inc.duration <= timedelta(hours=1, seconds=2)
    # Who can fix it, and where.
    assert inc.advice.fixer is Fixer.IP_OWNER
    assert any("sendersupport.olc.protection.outlook.com" in link for link in inc.links)
    assert "block list" in inc.example


def test_other_blocks_are_their_own_incidents(stream: Stream, incidents: list[Incident]) -> None:
    others = [i for i in incidents if i.provider is None]
    # Spamhaus listings of three other IPs, all day long: one incident per IP.
    assert sorted(i.blocked_ip or "" for i in others) == ["192.0.2.50", "192.0.2.51", "192.0.2.52"]
    assert sum(i.recipient_count for i in others) == 1500
    assert all((i.blocklist or "").startswith("Spamhaus") for i in others)
    for inc in others:
        assert not stream.hotmail_recipients.intersection(inc.recipients)
    assert len(incidents) == 4


def test_policy_suppresses_none_of_the_blocked_readers(stream: Stream) -> None:
    policy = SuppressionPolicy()
    history: dict[str, list[tuple[object, Category]]] = defaultdict(list)
    removed: dict[str, Verdict] = {}
    for when, bounce in stream.events:
        rcpt = bounce.recipient or ""
        decision = policy.decide(bounce, history[rcpt], when=when)  # type: ignore[arg-type]
        if decision.removes:
            removed[rcpt] = decision.verdict
        history[rcpt].append((when, bounce.category))
    assert not stream.hotmail_recipients.intersection(removed)
    # The same pass does remove the bad ones, so the test can tell the difference.
    assert sum(1 for r in removed if r.startswith("gone")) == 2500
    assert sum(1 for v in removed.values() if v is Verdict.UNSUBSCRIBE) == 500
    assert not any(r.startswith(("member", "away")) for r in removed)
    # 2,000 over-quota bounces on 400 mailboxes in a day: 5 each reaches the default limit.
    assert sum(1 for r in removed if r.startswith("full")) == 400


def _hotmail(i: int, ip: str | None = BLOCKED_IP) -> tuple[float, object]:
    text = HOTMAIL_REPLIES[0].format(ip=ip, tag="DB3EUR04FT007")
    if ip is None:
        text = text.replace("messages from [None] ", "messages ")
    return float(i), classify_reply(text, recipient=f"r{i}@hotmail.com")


def test_a_quiet_gap_splits_incidents() -> None:
    events = [_hotmail(i) for i in range(10)] + [_hotmail(100_000 + i) for i in range(5)]
    found = list(detect_incidents(events, quiet=timedelta(hours=1)))  # type: ignore[arg-type]
    assert [i.recipient_count for i in found] == [10, 5]
    # The first closes as soon as the second burst starts: streaming, not at the end.
    detector = IncidentDetector(quiet=timedelta(hours=1))
    closed = [detector.add(t, b) for t, b in events]  # type: ignore[arg-type]
    assert [len(c) for c in closed] == [0] * 10 + [1, 0, 0, 0, 0]


def test_replies_without_the_ip_join_the_open_incident() -> None:
    events = [_hotmail(0, None), _hotmail(1), _hotmail(2, None), _hotmail(3)]
    (b0, b1) = (events[0][1], events[1][1])
    assert b0.blocked_ip is None and b1.blocked_ip == BLOCKED_IP  # type: ignore[attr-defined]
    (inc,) = detect_incidents(events)  # type: ignore[arg-type]
    assert inc.blocked_ip == BLOCKED_IP and inc.recipient_count == 4


def _spamhaus_events(n: int, ips: int) -> list[tuple[float, object]]:
    return [
        (
            float(i),
            reply_bounce(SPAMHAUS.format(ip=f"198.51.100.{i % ips}"), f"m{i}@x.org"),
        )
        for i in range(n)
    ]


def test_memory_stays_bounded() -> None:
    # 50 IPs blocked at once, room for 8 open incidents: the least recently seen close early.
    detector = IncidentDetector(max_open=8)
    found = []
    for when, bounce in _spamhaus_events(2000, 50):
        found.extend(detector.add(when, bounce))  # type: ignore[arg-type]
        assert detector.open_count <= 8
    found.extend(detector.flush())
    assert sum(i.bounces for i in found) == 2000
    # 5 IPs fit: one incident each, recipients capped at 10 but every bounce counted.
    found = list(detect_incidents(_spamhaus_events(2000, 5), max_open=8, max_recipients=10))  # type: ignore[arg-type]
    assert len(found) == 5
    assert all(i.bounces == 400 and len(i.recipients) == 10 and i.truncated for i in found)


def test_a_recipient_that_hard_bounced_leaves_the_keep_list() -> None:
    events: list[tuple[float, object]] = [_hotmail(i) for i in range(3)]
    rcpt = "r1@hotmail.com"
    events.append((5.0, classify_reply(HARD, recipient=rcpt)))
    (inc,) = detect_incidents(events)  # type: ignore[arg-type]
    assert set(inc.recipients) == {"r0@hotmail.com", "r1@hotmail.com", "r2@hotmail.com"}
    assert set(inc.keep) == {"r0@hotmail.com", "r2@hotmail.com"}


def test_incident_to_dict_is_plain_data() -> None:
    import json

    (inc,) = detect_incidents([_hotmail(0), _hotmail(60)])  # type: ignore[list-item]
    data = json.loads(json.dumps(inc.to_dict()))
    assert data["provider"]["id"] == "microsoft"
    assert data["keep"] == ["r0@hotmail.com", "r60@hotmail.com"]
    assert data["advice"]["fixer"] == "ip_owner"


def test_out_of_order_input_months_apart_is_two_incidents() -> None:
    # A folder read in name order, not time order: the same block in June, March, March,
    # June is two incidents (June with r0 twice, March with r1 and r2), in both modes.
    march, june = 0.0, 90 * 86_400.0
    b0, b1, b2 = (_hotmail(i)[1] for i in range(3))
    events = [(june, b0), (march, b1), (march + 60, b2), (june + 60, b0)]
    for ordered in (True, False):
        found = sorted(
            detect_incidents(events, ordered=ordered),  # type: ignore[arg-type]
            key=lambda i: i.first_seen,
        )
        assert [(i.bounces, i.recipients) for i in found] == [
            (2, ("r1@hotmail.com", "r2@hotmail.com")),
            (2, ("r0@hotmail.com",)),
        ], ordered
    # Unordered mode never closes on a later date seen first; ordered mode does.
    detector = IncidentDetector(ordered=False)
    assert all(detector.add(t, b) == [] for t, b in events)
    assert len(detector.flush()) == 2
