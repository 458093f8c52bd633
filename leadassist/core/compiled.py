"""The compiled loops (core/_speedups.pyx) when they were built and are not switched off, and `make`.

setup.py builds `_speedups` where a C compiler is at hand; without it, or with LEADASSIST_PURE_PYTHON=1, `speedups`
is None and every caller runs its pure-Python twin (the same results: tests/core/test_speedups.py).
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

T = TypeVar("T")

speedups: Any
if os.environ.get("LEADASSIST_PURE_PYTHON") == "1":
    speedups = None
else:
    try:
        from leadassist.core import _speedups as speedups  # type: ignore[attr-defined,no-redef,unused-ignore]
    except ImportError:
        speedups = None
COMPILED = speedups is not None  # which loops this process runs (the selftest and the benchmark say so)


def fields_of(cls: type) -> tuple[str, ...]:
    """The slots `make` fills: a frozen slots dataclass's fields in order (one without __post_init__ only)."""
    names = getattr(cls, "__slots__", None)
    fields = tuple(getattr(cls, "__dataclass_fields__", {}))
    if names is None or tuple(names) != fields or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a slots dataclass without __post_init__")
    return fields


def _make_py(cls: type[T], names: tuple[str, ...], values: tuple[Any, ...]) -> T:
    return cls(*values)


# make(cls, fields_of(cls), values) == cls(*values), every value given: the compiled one sets the slots directly,
# a third of the generated __init__'s time (its object.__setattr__ per field), for the objects made for every lead.
make = speedups.make if speedups is not None else _make_py
