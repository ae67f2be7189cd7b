"""Small report formats, each recognised by one sentence and parsed in a few lines."""

from __future__ import annotations

from collections.abc import Callable

from bouncekit._evidence import Evidence
from bouncekit._message import MailView

FAMILIES: list[
    tuple[str, Callable[[MailView, str], bool], Callable[[MailView, str, set[str]], list[Evidence]]]
] = []
