"""DNS blocklists and reputation lists named inside a reply text (providers.md §26).

A rule may name its list (`blocklist = "Spamhaus"`); otherwise the engine asks this table
for the first list a block text names, so that `Bounce.blocklist` and the advice links are
filled for any provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex


@dataclass(frozen=True, slots=True)
class Blocklist:
    name: str
    pattern: regex.Pattern[str]
    lookup: str  # where to look an IP up and request delisting


def _bl(name: str, pattern: str, lookup: str) -> Blocklist:
    return Blocklist(name, regex.compile(pattern, regex.IGNORECASE), lookup)


BLOCKLISTS: tuple[Blocklist, ...] = (
    _bl("Spamhaus", r"spamhaus", "https://check.spamhaus.org/"),
    _bl("SpamCop", r"spamcop", "https://www.spamcop.net/bl.shtml"),
    _bl(
        "Barracuda BRBL",
        r"barracudacentral|b\.barracuda",
        "https://www.barracudacentral.org/lookups",
    ),
    _bl("UCEPROTECT", r"uceprotect", "https://www.uceprotect.net/en/rblcheck.php"),
    _bl("SORBS", r"\bsorbs\b", "https://www.sorbs.net/"),
)


def find_blocklist(text: str) -> Blocklist | None:
    """The first known list named in `text`, or None."""
    lowered = text[:4096]
    for bl in BLOCKLISTS:
        if bl.pattern.search(lowered):
            return bl
    return None
