# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled twins of core.formats' two innermost loops (issue 15): rendering templates for a person's spellings
and adding up each address's probability; and `make`, which builds the frozen dataclasses made for every lead. Built
by setup.py when a C compiler is at hand; core.compiled falls back to the pure-Python twins (the same results,
tests/core/test_speedups.py) when this module is missing or LEADASSIST_PURE_PYTHON=1.

A template is given as its `templates.render_ops`: per token a literal str or (part index, characters kept; 0 =
all), the parts being (first, last, middle). `render` is `templates.compile_template`'s renderer on those parts.
"""

from cpython.object cimport PyObject_GenericSetAttr


cdef inline object _render(tuple ops, tuple parts):
    cdef list pieces = []
    cdef object op
    cdef str part, text
    cdef Py_ssize_t n
    for op in ops:
        if type(op) is str:
            pieces.append(op)
        else:
            part = <str>parts[<Py_ssize_t>(<tuple>op)[0]]
            if not part:
                return None  # a part the template needs is missing
            n = <Py_ssize_t>(<tuple>op)[1]
            pieces.append(part[:n] if n else part)
    text = "".join(pieces)
    if text[0] in ".-_" or text[len(text) - 1] in ".-_" or ".." in text:  # no wraparound: no text[-1]
        return None
    return text


def render(tuple ops, tuple parts):
    """The local part `ops` renders for (first, last, middle), or None (as compile_template's renderer)."""
    return _render(ops, parts)


def matching(list heads, tuple parts, str local):
    """The keys of `heads` ((key, index of the part the rendering starts with or -1, ops), in order) whose
    rendering for `parts` is `local`."""
    cdef list out = []
    cdef tuple head
    cdef Py_ssize_t start
    cdef str first = local[:1]
    for head in heads:
        start = <Py_ssize_t>head[1]
        if start >= 0 and (<str>parts[start])[:1] != first:
            continue
        if _render(<tuple>head[2], parts) == local:
            out.append(head[0])
    return out


def accumulate(list applicable, list weights, double keep, double norm, double mass, list spellings, Py_ssize_t limit,
               dict taken, str owner, frozenset exclude, frozenset ruled_out, double taken_factor,
               double tail_mass, double min_share):
    """core.formats._accumulate: each address's summed probability and the pair that names it, and the mass of
    this person's own bounced addresses."""
    cdef dict scores = {}
    cdef dict best_pair = {}
    cdef double remaining = mass
    cdef double tail = tail_mass * mass
    cdef double gone = 0.0
    cdef double top_weight = (<tuple>spellings[0])[1]
    cdef double w, pt, p
    cdef bint truncated
    cdef bint has_taken = len(taken) > 0
    cdef bint has_excl = len(exclude) > 0
    cdef bint has_ruled = len(ruled_out) > 0
    cdef tuple item, sp, current, ops
    cdef object local, holder, key, v
    cdef list parts = [(sp[0].first, sp[0].last, sp[0].middle) for sp in spellings]
    cdef Py_ssize_t i, j, ns = len(spellings)
    if len(weights) != len(applicable):
        raise ValueError("one weight per template")
    for j in range(len(applicable)):
        item = <tuple>applicable[j]
        key = item[0]
        w = <double>weights[j]
        truncated = item[2]
        ops = <tuple>item[3]
        pt = keep * w / norm
        if len(scores) >= limit and (remaining < tail or pt * top_weight < min_share):
            break  # templates are sorted by weight: nothing left can reach the shown candidates
        remaining -= w
        for i in range(ns):
            sp = <tuple>spellings[i]
            p = pt * <double>sp[1]
            if p < min_share and len(scores) >= limit:
                break  # spellings are sorted by weight too
            local = _render(ops, <tuple>parts[i])
            if local is None:
                continue
            if has_excl and local in exclude:
                continue
            if has_taken:
                holder = taken.get(local)
                if holder is not None and holder != owner:
                    p *= taken_factor
            if has_ruled and local in ruled_out:
                gone += p
                continue
            v = sp[0]
            current = best_pair.get(local)
            if current is None:
                scores[local] = p
                best_pair[local] = (p, key, v, truncated)
                continue
            scores[local] += p
            if <bint>current[3] > truncated or (<bint>current[3] == truncated and <double>current[0] < p):
                best_pair[local] = (p, key, v, truncated)
    return scores, best_pair, gone


def make(type cls, tuple names, tuple values):
    """cls(*values) for a frozen slots dataclass without __post_init__ (core.compiled.fields_of gives `names`):
    each slot set directly instead of by the generated __init__'s object.__setattr__ calls."""
    cdef Py_ssize_t i, n = len(names)
    if len(values) != n:
        raise TypeError(f"{cls.__name__} takes {n} values, not {len(values)}")
    cdef object obj = object.__new__(cls)
    for i in range(n):
        PyObject_GenericSetAttr(obj, names[i], values[i])
    return obj
