"""Build the seed corpora: the shared sisimai corpus, the adversarial generators at small
sizes, and (for classify_reply) the reply lines found in both plus every signature example.

Seeds go to `fuzz/.work/corpus/<harness>/` (ignored by git: the shared corpus is never
copied into the repository).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "corpus" / "sisimai" / "eml"
MAX_SEED = 65536
_REPLY_FIELD = re.compile(rb"^(?:Diagnostic-Code|Status):[^\n]{0,2000}", re.M | re.I)


def message_seeds() -> Iterator[bytes]:
    if SHARED.is_dir():
        for path in sorted(SHARED.iterdir()):
            yield path.read_bytes()[:MAX_SEED]
    from tests.adversarial import generators

    for family in generators.FAMILIES.values():
        for data in family.seeds():
            yield data[:MAX_SEED]


def reply_seeds() -> Iterator[bytes]:
    for data in message_seeds():
        for m in _REPLY_FIELD.finditer(data):
            line = m.group(0).split(b":", 1)[1].strip()
            yield line.split(b";", 1)[-1].strip()
    from bouncekit import default_registry
    from tests.adversarial import generators

    # the keyword pre-filter's hostile shapes (keyword runs, prefixes, İ, Japanese...)
    for text in generators.prefilter_texts(2048).values():
        yield text.encode("utf-8")
    for rule in default_registry().rules():
        for example in rule.examples:
            text = example if isinstance(example, str) else getattr(example, "text", "")
            yield str(text).encode("utf-8")


def write(directory: Path, seeds: Iterator[bytes]) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    n = 0
    for data in seeds:
        if not data:
            continue
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
        n += 1
    return n


def build(work: Path) -> dict[str, Path]:
    dirs = {
        "parse_bounce": work / "corpus" / "parse_bounce",
        "classify_reply": work / "corpus" / "classify_reply",
    }
    write(dirs["parse_bounce"], message_seeds())
    write(dirs["classify_reply"], reply_seeds())
    return dirs


if __name__ == "__main__":
    for name, path in build(ROOT / "fuzz" / ".work").items():
        print(name, path, len(list(path.iterdir())))
