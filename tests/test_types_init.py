"""The result records' fast `__init__` (`_types._fast_init`) behaves as the dataclass one."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from bouncekit import classify_reply
from bouncekit._api import _clean_bounce, _cleaned_bounce
from bouncekit._types import Advice, Bounce, BounceReport, Match, Provider, ReportKind, Stage

RECORDS = (Provider, Advice, Match, Bounce, BounceReport)


@pytest.mark.parametrize("cls", RECORDS)
def test_signature_follows_the_fields(cls: type) -> None:
    params = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in params] == [f.name for f in dataclasses.fields(cls)]
    for p, f in zip(params, dataclasses.fields(cls), strict=True):
        expected = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == expected


def test_records_stay_frozen_equal_and_hashable() -> None:
    b = classify_reply("550 5.1.1 <a@example.com>: Recipient address rejected: User unknown")
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.reason = b.reason  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.match.detail = "x"  # type: ignore[misc]
    copy = dataclasses.replace(b)
    assert copy == b and hash(copy) == hash(b) and copy is not b
    assert pickle.loads(pickle.dumps(b)) == b
    assert Match(Stage.NONE) == Match(stage=Stage.NONE, pack=None, rule=None, detail="")
    report = BounceReport(ReportKind.REPLY, (b,))
    assert report.defects == () and report.extra == () and report.bounces[0] is b


def test_missing_or_unknown_arguments_raise() -> None:
    with pytest.raises(TypeError):
        Match()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Match(Stage.NONE, nope=1)  # type: ignore[call-arg]


DIRTY: dict[str, Any] = {
    "action": "failed\n",
    "remote_mta": "mx\x00.example.com",
    "smtp_command": "RCPT\u2028TO",
    "blocklist": "x" * 300,
    "blocked_ip": "192.0.2.1\r",
    "feedback_type": "abuse\x7f",
    "source": "dsn\t",
    "provenance": "dsn\ud800",
    "diagnostic": "y" * 1001,
    "recipient": "a@b@example.com",
    "smtp_code": 999,
}


@pytest.mark.parametrize("name", [*sorted(DIRTY), "match.detail"])
def test_g7_check_cleans_each_field(name: str) -> None:
    """The written-out check sends every dirty field to the field-by-field cleaner."""
    b = classify_reply("550 5.1.1 <a@example.com>: Recipient address rejected: User unknown")
    assert _clean_bounce(b) is b
    if name == "match.detail":
        dirty = dataclasses.replace(b, match=dataclasses.replace(b.match, detail="a\nb"))
    else:
        dirty = dataclasses.replace(b, **{name: DIRTY[name]})
    cleaned = _clean_bounce(dirty)
    assert cleaned is not dirty and cleaned == _cleaned_bounce(dirty)
    assert cleaned.to_dict() != dirty.to_dict()
