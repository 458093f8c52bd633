"""The address-template language: `{first}.{last}`, `{f}{last:7}`, `{first}.{m}.{last}` ...

Fields: `first`, `last`, `middle` (whole parts) and `f`, `l`, `m` (their initials); `{field:N}` keeps the first
N characters (8-character logins are `{f}{last:7}`). Everything outside braces is copied literally and may only
be `.`, `_` or `-`. A template renders to None when the person lacks a part it needs (no middle name for
`{f}{m}{last}`), so it does not apply to that person. Templates are compiled once into small functions
because ranking renders tens of them per lead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from leadassist.core.models import NameVariant

# The templates LeadAssist knows, most common first in public samples. The order is only a tie-breaker;
# probabilities come from the prior in resources/format_prior.json and each company's own addresses.
TEMPLATES: tuple[str, ...] = (
    "{first}.{last}",
    "{f}{last}",
    "{first}",
    "{first}{last}",
    "{last}",
    "{first}_{last}",
    "{f}.{last}",
    "{last}.{first}",
    "{first}{l}",
    "{last}{f}",
    "{first}-{last}",
    "{last}{first}",
    "{first}.{l}",
    "{f}{m}{last}",
    "{first}.{m}.{last}",
    "{last}_{first}",
    "{f}_{last}",
    "{last}.{f}",
    "{f}{l}",
    "{first}{m}{last}",
    "{f}{last:7}",
    "{f}{last:6}",
    "{f}{last:5}",
    "{last:7}{f}",
    "{first:3}{last:3}",
    "{f}{m}{l}",
    "{last}-{first}",
    "{first}_{l}",
    "{f}-{last}",
    "{first}.{middle}.{last}",
    "{last}{f}{m}",
    "{f}.{m}.{last}",
    "{last}_{f}",
    "{l}{first}",
    "{middle}.{last}",
    "{first}{l}{m}",
    # Logins cut to 8 characters or made of name prefixes (seen at several companies in apache/* commit data).
    "{first:2}{last}",
    "{first:3}{last}",
    "{first:6}{last:2}",
    "{first:4}{last:4}",
    "{first:5}{last:3}",
)

_FIELD = re.compile(r"\{(first|last|middle|f|l|m)(?::(\d+))?\}")
_LITERAL = re.compile(r"^[._-]*$")
_VALID_LOCAL = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_ATTR = {"first": "first", "last": "last", "middle": "middle", "f": "first", "l": "last", "m": "middle"}

Renderer = Callable[[NameVariant], "str | None"]
# A template for the compiled loops (core/_speedups.pyx): per token a literal or (index in PART_INDEX, kept chars)
RenderOps = tuple["str | tuple[int, int]", ...]
PART_INDEX = {"first": 0, "last": 1, "middle": 2}


def parse(key: str) -> list[tuple[str, str, int]]:
    """Split a template into ('lit', text, 0) and ('field', attr, n) tokens; raise ValueError if malformed."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    for match in _FIELD.finditer(key):
        literal = key[pos : match.start()]
        if literal:
            if not _LITERAL.match(literal):
                raise ValueError(f"template {key!r}: only . _ - may stand between fields")
            tokens.append(("lit", literal, 0))
        name, width = match.group(1), match.group(2)
        n = 1 if name in ("f", "l", "m") else (int(width) if width else 0)
        tokens.append(("field", _ATTR[name], n))
        pos = match.end()
    tail = key[pos:]
    if tail:
        if not _LITERAL.match(tail):
            raise ValueError(f"template {key!r}: only . _ - may stand between fields")
        tokens.append(("lit", tail, 0))
    if not any(kind == "field" for kind, _, _ in tokens):
        raise ValueError(f"template {key!r} has no name field")
    return tokens


@functools.cache
def compile_template(key: str) -> Renderer:
    """A function rendering `key` for one name variant (None when a needed part is missing or invalid).

    The template is turned into one Python expression (fields and literals only, checked by `parse`), which is
    several times faster than interpreting the tokens for each of the ~100 renders a lead needs.
    """
    tokens = parse(key)
    pieces = []
    for kind, value, n in tokens:
        if kind == "lit":
            pieces.append(repr(value))
        else:
            pieces.append(f"v.{value}[:{n}]" if n else f"v.{value}")
    needed = sorted({f"v.{attr}" for kind, attr, _ in tokens if kind == "field"})
    source = (
        f"def render(v):\n"
        f"    if not ({' and '.join(needed)}):\n"
        f"        return None\n"
        f"    text = {' + '.join(pieces)}\n"
        f"    if text[0] in '.-_' or text[-1] in '.-_' or '..' in text:\n"
        f"        return None\n"
        f"    return text\n"
    )
    namespace: dict[str, Renderer] = {}
    exec(compile(source, f"<template {key}>", "exec"), namespace)
    return namespace["render"]


@functools.cache
def render_ops(key: str) -> RenderOps:
    """`key` for the compiled renderer: per token its literal text, or (PART_INDEX of the part, characters kept; 0
    for the whole part); it renders exactly what `compile_template(key)` does."""
    return tuple(text if kind == "lit" else (PART_INDEX[text], n) for kind, text, n in parse(key))


@functools.cache
def needs(key: str) -> frozenset[str]:
    """The name parts a template needs (first, last, middle)."""
    return frozenset(attr for kind, attr, _ in parse(key) if kind == "field")


@functools.cache
def label(key: str) -> str:
    """A short human label: '{first}.{last}' -> 'first.last', '{f}{last:7}' -> 'flast(7)'."""
    if key == "other":
        return "another format"
    return _FIELD.sub(lambda m: m.group(1) + (f"({m.group(2)})" if m.group(2) else ""), key)


def is_valid_local(local: str) -> bool:
    """True when a rendered local part is safe to propose (dot-atom of a-z0-9._- without edge/double dots)."""
    return bool(_VALID_LOCAL.match(local)) and ".." not in local
