"""Which check function can emit which diagnostic codes.

Every check function of the validator is registered here with the codes of
:mod:`milcontacts.checks` it can emit (``@emits("T007", "T008")``); a test
checks that every code of the catalogue is registered by some function and
has a fixture that triggers it.
"""

from __future__ import annotations

from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable[..., object])

#: qualified function name -> the codes it can emit
REGISTRY: dict[str, tuple[str, ...]] = {}


def emits(*codes: str) -> Callable[[F], F]:
    """Register the decorated check function as the emitter of ``codes``."""
    def register(func: F) -> F:
        REGISTRY[f"{func.__module__}.{func.__qualname__}"] = codes
        return func

    return register


def register(name: str, *codes: str) -> None:
    """Register ``codes`` for a function defined outside the validator (the YAML reader)."""
    REGISTRY[name] = codes


def registered_codes() -> set[str]:
    """Every code some registered function can emit."""
    return {code for codes in REGISTRY.values() for code in codes}
