"""The few errors bouncekit raises. Unrecognised input is a result, never an error."""

from __future__ import annotations


class BounceKitError(Exception):
    """Base of every error bouncekit raises on purpose."""


class SignatureError(BounceKitError):
    """A signature pack is invalid: unknown key, duplicate id, unsafe pattern, bad example."""


class InputTooLarge(BounceKitError):
    """Raised only in strict mode: the input is over `Policy.max_bytes`."""


class MalformedInput(BounceKitError):
    """Raised only in strict mode: the input tripped a structural limit or a parse defect."""
