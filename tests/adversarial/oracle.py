"""The checks every hostile input must pass (reliability contract G1 and G7).

Shared by the adversarial, property and scaling suites and by the fuzz harnesses, so that
one definition of "a correct answer to junk" is used everywhere.
"""

from __future__ import annotations

from typing import Any

from bouncekit import Bounce, BounceKitError, BounceReport

# Caps of G7: what a caller may store without checking (docs/reliability.md).
CAPS = {"diagnostic": 1000, "recipient": 254, "original_from": 254}
DEFAULT_CAP = 255
# Strings that come from bouncekit's own data files, not from the input (advice texts, links).
TRUSTED = frozenset({"en", "fr", "links", "name", "key", "id"})


class ContractBroken(AssertionError):
    """An output or behaviour that the reliability contract forbids."""


def check_string(path: str, value: str) -> None:
    """G7: one line, valid Unicode without lone surrogates, no NUL, capped."""
    name = path.rsplit(".", 1)[-1].rstrip("]0123456789[")
    if any(c in value for c in "\r\n\x00"):
        raise ContractBroken(f"{path}: CR/LF/NUL in {value[:80]!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ContractBroken(f"{path}: lone surrogate in {value[:80]!r}") from exc
    if name not in TRUSTED:
        cap = CAPS.get(name, DEFAULT_CAP)
        if len(value) > cap:
            raise ContractBroken(f"{path}: {len(value)} chars > {cap}")


def _walk(path: str, value: Any) -> None:
    if isinstance(value, str):
        check_string(path, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_string(f"{path}.<key>", str(key))
            _walk(f"{path}.{key}", item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(f"{path}[{i}]", item)


def check_bounce(bounce: Bounce, path: str = "bounce") -> None:
    """G7 on one recipient result, codes included."""
    _walk(path, bounce.to_dict())
    code = bounce.smtp_code
    if code is not None and not 200 <= code <= 599:
        raise ContractBroken(f"{path}.smtp_code {code} out of 2xx-5xx")
    st = bounce.enhanced_status
    if st is not None and (st.klass not in (2, 4, 5) or not (0 <= st.subject <= 999)):
        raise ContractBroken(f"{path}.enhanced_status {st} invalid")
    if st is not None and not 0 <= st.detail <= 999:
        raise ContractBroken(f"{path}.enhanced_status {st} invalid")
    if bounce.recipient is not None and bounce.recipient.count("@") != 1:
        raise ContractBroken(f"{path}.recipient {bounce.recipient!r} is not an address")


def check_report(report: BounceReport, *, allow_internal_errors: bool = False) -> None:
    """G7 on a whole report, and no internal error swallowed by the exception boundary.

    The boundary turns an unexpected exception into an `error:<Type>` defect; the caller
    is safe, but it is still a bug, so the suites treat it as a failure.
    """
    if not isinstance(report, BounceReport):
        raise ContractBroken(f"not a BounceReport: {type(report).__name__}")
    _walk("report", report.to_dict())
    for i, bounce in enumerate(report.bounces):
        check_bounce(bounce, f"report.bounces[{i}]")
    if not allow_internal_errors:
        errors = [d for d in report.defects if d.startswith("error:")]
        if errors:
            raise ContractBroken(f"internal error swallowed: {errors}")


def call_parse(data: object, **kwargs: Any) -> BounceReport | None:
    """parse_bounce under the G1 oracle: a result, a documented error, or ContractBroken."""
    from bouncekit import parse_bounce

    try:
        report = parse_bounce(data, **kwargs)  # type: ignore[arg-type]
    except BounceKitError:
        return None
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        raise ContractBroken(f"undocumented {type(exc).__name__}: {exc}") from exc
    check_report(report)
    return report
