"""The public surface: types accepted, results as plain data, errors."""

from __future__ import annotations

import json

import pytest

import bouncekit
from bouncekit import Category, Reason, ReportKind, classify_reply, parse_bounce


@pytest.mark.parametrize("bad", [None, 42, 3.5, ["550"], object(), bytearray(b"550")])
def test_wrong_types_raise_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        parse_bounce(bad)  # type: ignore[arg-type]


def test_classify_reply_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        classify_reply(b"550 5.1.1 user unknown")  # type: ignore[arg-type]


def test_all_is_literal_and_complete() -> None:
    for name in bouncekit.__all__:
        assert hasattr(bouncekit, name), name


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_input_is_a_result(text: str) -> None:
    report = parse_bounce(text)
    assert report.kind is ReportKind.NOT_BOUNCE
    assert report.bounces == ()


def test_every_reason_names_a_sisimai_reason_and_a_category() -> None:
    for reason in Reason:
        assert reason.sisimai.isalpha() and reason.sisimai.islower()
        assert isinstance(reason.default_category, Category)


def test_to_dict_is_json_ready_and_stable() -> None:
    report = parse_bounce("550 5.1.1 <x@example.com>: Recipient address rejected: User unknown")
    data = report.to_dict()
    text = json.dumps(data, sort_keys=True)
    assert json.loads(text) == data
    b = data["bounces"][0]
    assert b["enhanced_status"] == "5.1.1" and b["smtp_code"] == 550
    assert b["category"] == "hard" and b["reason"] == "user_unknown"
    assert json.dumps(parse_bounce("550 5.1.1 <x@example.com>: Recipient address rejected: "
                                   "User unknown").to_dict(), sort_keys=True) == text  # fmt: skip


def test_code_and_recipient_given_by_the_caller() -> None:
    b = classify_reply("Mailbox full", code=452, recipient="Y@Example.COM")
    assert b.smtp_code == 452 and b.recipient == "Y@example.com"
    assert b.reason is Reason.MAILBOX_FULL and b.permanent is False


def test_a_bare_hard_bounce_reply() -> None:
    b = classify_reply("550 5.1.1 The email account that you tried to reach does not exist.")
    assert b.category is Category.HARD and b.permanent


def test_size_limit_gives_a_rejected_report() -> None:
    report = parse_bounce(b"x" * 100, policy=bouncekit.Policy(max_bytes=10))
    assert report.kind is ReportKind.REJECTED and report.defects == ("limit:size",)
    with pytest.raises(bouncekit.InputTooLarge):
        parse_bounce(b"x" * 100, policy=bouncekit.Policy(max_bytes=10, strict=True))
