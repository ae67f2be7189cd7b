"""atheris harness for `classify_reply(text, code=, recipient=, remote_host=)`.

The first bytes choose the optional arguments; the rest is the reply text, so seeds that
are plain reply lines still mean what they say.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo: fuzz/, tests/

import atheris
import flufl.bounce  # noqa: F401 - imported (and so not instrumented) before bouncekit
import regex  # noqa: F401 - its pure-Python compiler, instrumented, makes startup crawl

with atheris.instrument_imports(include=["bouncekit"]):
    import bouncekit
    from fuzz._common import import_all_of_bouncekit

    import_all_of_bouncekit()

from fuzz._common import timed
from tests.adversarial.oracle import ContractBroken, check_bounce


def _call(text: str, code: int | None, recipient: str | None, host: str | None) -> None:
    try:
        bounce = bouncekit.classify_reply(text, code=code, recipient=recipient, remote_host=host)
    except bouncekit.BounceKitError:
        return
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        raise ContractBroken(f"undocumented {type(exc).__name__}: {exc}") from exc
    check_bounce(bounce)


def one_input(data: bytes) -> None:
    code = recipient = host = None
    text_bytes = data
    if data[:1] == b"\x01" and len(data) > 3:
        fdp = atheris.FuzzedDataProvider(data[1:])
        code = fdp.ConsumeIntInRange(-1000, 100000)
        recipient = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 300))
        host = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 300))
        text_bytes = fdp.ConsumeBytes(fdp.remaining_bytes())
    text = text_bytes.decode("utf-8", "surrogateescape")
    timed("classify_reply", data, lambda: _call(text, code, recipient, host))


def main() -> None:
    bouncekit.default_registry()  # built once here, not inside the first timed input
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
