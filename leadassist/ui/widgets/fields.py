"""Reading the store's detail objects tolerantly (attribute or mapping, several names) and formatting times.

The widgets take whatever `store.leads.get_lead` / `company_detail` return; reading by name here keeps them
working when a field is renamed, missing, or a nested `DomainCheck` carries it instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QDateTime

_MISSING = object()


def field(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of `names` that `obj` has (attribute or key) and is not None, else `default`."""
    if obj is None:
        return default
    for name in names:
        value = obj.get(name, _MISSING) if isinstance(obj, Mapping) else getattr(obj, name, _MISSING)
        if value is not _MISSING and value is not None:
            return value
    return default


def text(obj: Any, *names: str) -> str:
    """A field as display text ('' when absent); enums show their value."""
    value = field(obj, *names, default="")
    return str(getattr(value, "value", value))


def items(obj: Any, *names: str) -> list[Any]:
    """A sequence field as a list ([] when absent or not iterable)."""
    value = field(obj, *names, default=())
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return []
    return list(value)


def to_datetime(value: Any) -> QDateTime | None:
    """POSIX seconds, an ISO string or a datetime as a local QDateTime (None when absent or unreadable)."""
    if value in (None, "", 0, 0.0):
        return None
    if isinstance(value, int | float):
        return QDateTime.fromMSecsSinceEpoch(round(float(value) * 1000)).toLocalTime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP is UTC without an offset
            value = value.replace(tzinfo=dt.UTC)
        return QDateTime.fromMSecsSinceEpoch(round(value.timestamp() * 1000)).toLocalTime()
    if isinstance(value, str):
        try:
            return to_datetime(dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1)))
        except ValueError:
            return None
    return None


def epoch_ms(value: Any) -> int:
    """A timestamp as milliseconds since the epoch (0 when absent), for sorting mixed representations."""
    when = to_datetime(value)
    return when.toMSecsSinceEpoch() if when is not None else 0


def format_time(value: Any, *, fallback: str = "") -> str:
    """A timestamp as local 'YYYY-MM-DD HH:MM' (`fallback` when absent; unreadable text as it is)."""
    when = to_datetime(value)
    if when is None:
        return fallback if not isinstance(value, str) or not value else value
    return when.toString("yyyy-MM-dd HH:mm")  # unambiguous in every locale, sorts as text


def first_line(body: str, limit: int = 80) -> str:
    """The first non-empty line of a text, elided to `limit` characters."""
    line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
