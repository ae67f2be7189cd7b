"""How the provider is found (issue 4 point 3): text fingerprints first, then the remote MTA
host, then the recipient domain; a filtering gateway is reported as the provider, with the
mailbox provider behind it kept in `recipient_provider`. Synthetic packs keep these tests
about the mechanics, whatever the real packs say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouncekit import Registry, build_registry, classify_reply

PACKS = {
    "gw.toml": """
id = "gw"
name = "Gateway"
kind = "filter"
priority = 10
hosts = [".gw.example"]
fingerprints = ["gw-marker"]
""",
    "mbx.toml": """
id = "mbx"
name = "Mailbox provider"
domains = ["mbx.example"]
hosts = [".mx.mbx.example"]
fingerprints = ["mbx-code"]
""",
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder: Path = tmp_path_factory.mktemp("packs")
    for name, text in PACKS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return build_registry([folder], plugins=False)


@pytest.mark.parametrize(
    ("text", "recipient", "remote", "provider", "behind"),
    [
        # The reply alone is enough.
        ("550 5.7.1 mbx-code refused", None, None, "mbx", None),
        # Text first: the text names the provider whatever the host or the domain say.
        ("550 5.7.1 mbx-code refused", "x@other.example", "in.gw.example", "mbx", None),
        # Then the remote host, then the recipient domain.
        ("550 5.7.1 refused", "x@other.example", "a.mx.mbx.example", "mbx", None),
        ("550 5.7.1 refused", "x@MBX.example", None, "mbx", None),
        # A gateway is reported, the recipient's provider kept behind it.
        ("550 5.7.1 gw-marker refused", "x@mbx.example", None, "gw", "mbx"),
        ("550 5.7.1 refused", "x@mbx.example", "in.gw.example", "gw", "mbx"),
        ("550 5.7.1 gw-marker refused", None, "a.mx.mbx.example", "gw", "mbx"),
        ("550 5.7.1 gw-marker refused", "x@other.example", None, "gw", None),
        # No marker anywhere: no provider, not a guess.
        ("550 5.7.1 refused", "x@other.example", "mx.other.example", None, None),
    ],
)
def test_provider_order(
    registry: Registry,
    text: str,
    recipient: str | None,
    remote: str | None,
    provider: str | None,
    behind: str | None,
) -> None:
    b = classify_reply(text, recipient=recipient, remote_host=remote, registry=registry)
    assert (b.provider.id if b.provider else None) == provider
    assert (b.recipient_provider.id if b.recipient_provider else None) == behind


def test_recipient_provider_is_in_the_json(registry: Registry) -> None:
    b = classify_reply("550 5.7.1 gw-marker refused", recipient="x@mbx.example", registry=registry)
    data = json.loads(json.dumps(b.to_dict()))
    assert data["provider"]["id"] == "gw"
    assert data["recipient_provider"] == {"id": "mbx", "name": "Mailbox provider", "links": {}}


def test_a_real_gateway_keeps_the_mailbox_provider() -> None:
    """Proofpoint's words in front of iCloud (providers.md §10: iCloud's inbound filter)."""
    b = classify_reply(
        "550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.61",
        recipient="x@icloud.com",
        remote_host="mx01.mail.icloud.com",
    )
    assert b.provider is not None and b.provider.id == "proofpoint"
    assert b.recipient_provider is not None and b.recipient_provider.id == "apple"
