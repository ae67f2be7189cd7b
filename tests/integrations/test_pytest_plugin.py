"""The `bounce_factory` fixture in a throwaway project, as another application would use it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

APP_TESTS = """
import sys

from bouncekit import Category, parse_bounce


def test_0_nothing_heavy_before_use():
    registry = sys.modules["bouncekit._registry"]
    assert registry._default is None, "signature packs loaded before any test asked"
    assert "bouncekit.testing.strategies" not in sys.modules


def test_hard_bounce_unsubscribes(bounce_factory):
    raw = bounce_factory(reason="user_unknown", recipient="ann@example.com", mta="exim")
    (b,) = parse_bounce(raw).bounces
    assert (b.recipient, b.category) == ("ann@example.com", Category.HARD)


def test_message_and_reply_forms(bounce_factory):
    msg = bounce_factory.message(reason="mailbox_full", form="ndr")
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    text = bounce_factory.reply(reason="mailbox_full")
    assert text[:1] in "45"


def test_complaint(bounce_factory):
    (b,) = bounce_factory.parse(bounce_factory.complaint("ann@example.com")).bounces
    assert b.category is Category.COMPLAINT


def test_wrong_expectation_fails(bounce_factory):
    (b,) = parse_bounce(bounce_factory(reason="user_unknown")).bounces
    assert b.category is Category.BLOCK
"""


def test_bounce_factory_fixture_in_a_throwaway_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_wrong_expectation_fails*"])


def test_plugin_is_registered_under_pytest11() -> None:
    from importlib import metadata

    eps = metadata.entry_points(group="pytest11")
    assert any(ep.value == "bouncekit.testing.pytest_plugin" for ep in eps)


def test_plugin_module_imports_only_pytest() -> None:
    """Loading the plugin must not build the registry nor pull hypothesis in."""
    import subprocess
    import sys

    code = (
        "import sys; import bouncekit.testing.pytest_plugin; "
        "import bouncekit._registry as r; "
        "print(r._default is None, 'hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
