"""`Registry.provider_by_host` looks a host's dot-suffixes up in a dict; it must name the pack
that a scan of the host table (longest suffix first) names, for any host."""

from __future__ import annotations

import random

from bouncekit._registry import Registry, default_registry


def _scan(reg: Registry, host: str | None) -> str | None:
    if not host:
        return None
    host = host.lower().rstrip(".")
    for suffix, pack_id in reg._hosts:
        if host == suffix.lstrip(".") or host.endswith(
            suffix if suffix.startswith(".") else "." + suffix
        ):
            return pack_id
    return None


def test_lookup_is_the_scan() -> None:
    reg = default_registry()
    bare = [h.lstrip(".") for h, _ in reg._hosts]
    assert bare  # the built-in packs name hosts
    pieces = [*sorted({p for h in bare for p in h.split(".")}), "mx1", "", "EXAMPLE", "x-y"]
    rng = random.Random(7)
    hosts = [*bare, *("." + h for h in bare), *("mx." + h for h in bare), *("a" + h for h in bare)]
    hosts += [".".join(rng.choices(pieces, k=rng.randint(1, 5))) for _ in range(5000)]
    hosts += ["", ".", "..", "MX.Example.COM.", None]  # type: ignore[list-item]
    named = 0
    for host in hosts:
        expected = _scan(reg, host)
        assert reg.provider_by_host(host) == expected, host
        named += expected is not None
    assert named > len(bare)
