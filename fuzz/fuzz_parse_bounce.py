"""atheris harness for `parse_bounce`: bytes, str (with lone surrogates) and Message input.

Run: .venv/bin/python fuzz/fuzz_parse_bounce.py fuzz/.work/corpus/parse_bounce -max_len=65536
(fuzz/run.py builds the seed corpus and runs every harness for a while).
"""

from __future__ import annotations

import email
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo: fuzz/, tests/
import zlib

import atheris
import flufl.bounce  # noqa: F401 - imported (and so not instrumented) before bouncekit
import regex  # noqa: F401 - its pure-Python compiler, instrumented, makes startup crawl

with atheris.instrument_imports(include=["bouncekit"]):
    import bouncekit
    from fuzz._common import import_all_of_bouncekit

    import_all_of_bouncekit()

from fuzz._common import timed
from tests.adversarial.oracle import call_parse


def one_input(data: bytes) -> None:
    """Every input as bytes; some also as str and as a caller's Message (chosen by CRC)."""
    timed("parse_bounce", data, lambda: call_parse(data))
    mode = zlib.crc32(data) % 8
    if mode == 0:
        text = data.decode("utf-8", "surrogateescape")  # lone surrogates on purpose
        timed("parse_bounce-str", data, lambda: call_parse(text))
    elif mode == 1:
        try:
            msg = email.message_from_bytes(data)
        except Exception:  # noqa: BLE001 - no Message to give bouncekit
            # The stdlib's parser failing on its own (its recursion limit; a NUL in an RFC
            # 2231 boundary's charset: ValueError from get_boundary) is before bouncekit is
            # called: a caller holds no such Message. bouncekit reads those bytes above.
            return
        timed("parse_bounce-msg", data, lambda: call_parse(msg))
    elif mode == 2:
        policy = bouncekit.Policy(max_depth=3, max_parts=8, max_headers=20, max_recipients=2)
        timed("parse_bounce-policy", data, lambda: call_parse(data, policy=policy))


def main() -> None:
    bouncekit.default_registry()  # built once here, not inside the first timed input
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
