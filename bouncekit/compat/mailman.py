"""Mailman 3 plugin: the bounce runner scores recipients with bouncekit's classification.

Mailman's bounce runner (`mailman.runners.bounce`) calls flufl.bounce's `all_failures(msg)`
and registers every permanent address it returns. Enable this in `mailman.cfg`:

    [plugin.bouncekit]
    class: bouncekit.compat.mailman.plugin
    enabled: yes

and restart Mailman. The plugin's `pre_hook` replaces the runner's `all_failures` by
`bouncekit.compat.flufl.all_failures`: same arguments, same return shape, but a block of the
sender (an IP or domain block, authentication, content, rate), a complaint, an auto-reply or a
delivery notice counts against nobody. Mailman then finds no address and, as for any bounce it
cannot attribute, forwards it to the list owner (`forward_unrecognized_bounces_to`), which is
where a block belongs: the owner, not the member, has to act. The same goes for a failure
bouncekit could only guess (`Bounce.confidence` `low`: a report of no known format read by
heuristics, a bounce someone forwarded inside ordinary mail): the plugin calls
`all_failures` with `min_confidence=Confidence.MEDIUM`, so weak evidence never scores a
member; the owner sees the message and decides.

Nothing here imports Mailman or zope.interface until Mailman calls `plugin()`.
"""

from __future__ import annotations

from functools import partial
from types import ModuleType
from typing import Any

from bouncekit._provenance import Confidence
from bouncekit.compat.flufl import all_failures

__all__ = ["patch_bounce_runner", "plugin"]


def patch_bounce_runner(runner: ModuleType | None = None) -> None:
    """Point Mailman's bounce runner (or the module given) at bouncekit's `all_failures`,
    counting only failures of at least medium confidence."""
    if runner is None:
        import mailman.runners.bounce as runner_module  # type: ignore[import-not-found]

        runner = runner_module
    weighed = partial(all_failures, min_confidence=Confidence.MEDIUM)
    setattr(runner, "all_failures", weighed)  # noqa: B010 - a module attribute


def plugin() -> Any:
    """The IPlugin object Mailman's `class:` setting names (Mailman calls this to get it)."""
    from mailman.interfaces.plugin import IPlugin  # type: ignore[import-not-found]
    from zope.interface import implementer  # type: ignore[import-not-found]

    @implementer(IPlugin)
    class BounceKitPlugin:
        """Installs bouncekit's bounce classification in the bounce runner."""

        resource = None  # no REST resources

        def pre_hook(self) -> None:
            patch_bounce_runner()

        def post_hook(self) -> None:
            pass

    return BounceKitPlugin()
