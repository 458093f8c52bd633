"""Per-company address-format mixtures and ranked, calibrated candidates with their evidence.

The model. A company (one mail domain) uses a *mixture* of templates t with weights θ_t, and per convention
dimension d (how umlauts are folded, whether particles are dropped, nicknames ...) a distribution φ_d over its
choices. An address for person p is made by drawing t ~ θ, then a spelling v of p's name with
P(v) ∝ Π_d φ_d(v_d), and rendering t(v). Hence

    P(local part = s | p) = Σ_{t, v : t(v) = s} θ̃_t · P(v),     θ̃_t = θ_t · (1 − θ_other) / Σ_{t ∈ T(p)} θ_t

where θ_other is the mass of formats no template renders; it stays as the chance that none of our guesses
is right. T(p) holds the templates open to p *had we both the first and the last name*: a template needing a
middle name p does not have is renormalised away (an admin uses another format for people without one), but
one needing a first or last name the CRM lacks is not. Its mass is our uncertainty: the person has that name
and the company may well use it, we just cannot render the address. (Until issue 13 the sum ran over the
templates applicable to p, so a lone token got all of a first.last company's mass on `{first}`.)

Estimation: each known address at the company is explained by the (t, v) pairs that render it; its unit count is
shared among them in proportion to the company's prior π (one E-step), which yields fractional counts c_t and
c_{d,choice}; an address nothing renders counts for "other". π is the hierarchical prior of core.prior (global →
group → TLD → mail provider, each level shrunk towards its parent; the global distribution g when the prior is
flat). With a Dirichlet prior centred on π (strength α) the posterior mean is θ_t = (c_t + α·π_t) / (N + α); φ
likewise around the global conventions with strength β. A company with no known address is ranked by π alone.
An address already held by a *different* known colleague is unlikely to be this person's (× taken factor).

Bounces. A bounced address x of person p is a negative observation: p's address is not x. Its likelihood is
1 − Σ_t θ_t q_t, with q_t = Σ_{v : t(v) = x} P(v) the chance that template t gives x for p. Under the Dirichlet
posterior with pseudo-counts a_t (a_0 = Σ a_t, Q = Σ_t q_t a_t) the posterior mean is exactly

    θ'_t = a_t · (1 − (Q + q_t) / (a_0 + 1)) / (a_0 − Q)

and the update continues from a'_t = (a_0 + 1) θ'_t (one more observation; moment matching). So a bounce lowers
the template(s) that made x by about as much as one colleague's address raises a template, the others gain in
proportion, and nothing is renormalised onto a single format. For p's own ranking the exact answer is simpler:
P(y | p's address ≠ x) = P(y) / (1 − P(x)), computed from the mixture learned *without* p's own bounces (`rank`'s
`ruled_out`), so no other candidate of p rises above its share of the remaining mass.

Calibration: the model probability is multiplied by the chance that the domain is right (its source) and
then passed through p' = σ(a·logit(p) + b), with a and b fitted (`core.prior.fit_calibration`) on held-out public
data by benchmarks/learn_prior.py and stored in resources/format_prior.json beside the prior counts.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadassist.core.addresses import DOT_ATOM, MAX_ADDRESS, MAX_LOCAL, valid_domain
from leadassist.core.compiled import fields_of, make, speedups
from leadassist.core.models import Candidate, FormatCounts, FormatMixture, NameVariant
from leadassist.core.prior import (
    FILL_MIN_CONFIDENCE,
    OTHER,
    Prior,
    calibrate,
    fit_calibration,
    load_prior,
    normalise,
    prior_from_json,
)
from leadassist.core.templates import (
    PART_INDEX,
    TEMPLATES,
    Renderer,
    RenderOps,
    compile_template,
    label,
    needs,
    parse,
    render_ops,
)

# The prior lives in core.prior; these names stay importable from here, where the model uses them.
__all__ = [
    "FILL_MIN_CONFIDENCE",
    "OTHER",
    "Example",
    "Prior",
    "calibrate",
    "evidence",
    "explain",
    "fit_calibration",
    "format_counts",
    "learn_mixture",
    "load_prior",
    "prior_from_json",
    "rank",
]
# fast functions with a `_reference` twin giving the same results (tests/cli/test_enrich_reference.py)
REFERENCE_SWAPS = ("rank", "explain", "learn_mixture")
# The compiled loops (core.compiled) or their pure-Python twins below (the same results).
_matching: Callable[[list[tuple[str, int, RenderOps]], tuple[str, str, str], str], list[str]] | None
_matching = speedups.matching if speedups is not None else None
_TAIL_MASS = 0.01  # stop rendering once the templates left carry less than this share of the mass
_MIN_SHARE = 0.0005  # a (template, spelling) pair below this probability cannot reach the shown candidates
_LEVEL_NOTE = 0.03  # name the TLD in a cold company's evidence when its share differs this much from the global
_MISSING_NOTE = 0.2  # say so in the evidence when formats needing a missing name part hold this much mass


@dataclass(frozen=True, slots=True)
class Example:
    """A known (name spellings, local part) pair at one company."""

    variants: tuple[NameVariant, ...]
    local: str


def _tag_weights(variants: Sequence[NameVariant], conv: Mapping[str, Mapping[str, float]]) -> list[float]:
    """P(v) for each spelling: Π_d φ_d(choice), shared among spellings with the same tags, normalised."""
    same: dict[frozenset[str], int] = defaultdict(int)
    for v in variants:
        same[v.tags] += 1
    raw = []
    for v in variants:
        w = 1.0
        for tag in v.tags:
            dim, _, choice = tag.partition(":")
            w *= conv.get(dim, {}).get(choice, 0.5)
        raw.append(w / same[v.tags])
    total = sum(raw)
    return [w / total for w in raw] if total > 0 else [1.0 / len(variants)] * len(variants)


def _template_heads() -> list[tuple[str, str | None, frozenset[str], Renderer, RenderOps]]:
    """Each template (in TEMPLATES order) with the name part its rendering starts with (None when it starts with
    a literal), the characters its literals put in every rendering, its renderer and its render_ops."""
    out = []
    for key in TEMPLATES:
        tokens = parse(key)
        kind, value, _ = tokens[0]
        literals = frozenset(ch for k, text, _ in tokens if k == "lit" for ch in text)
        head = value if kind == "field" else None  # value: the part
        out.append((key, head, literals, compile_template(key), render_ops(key)))
    return out


_HEADS = _template_heads()
_LITERAL_CHARS = frozenset().union(*(lits for _, _, lits, _, _ in _HEADS))
# local part's literal characters -> (the templates `_could_render`, the same for the compiled `matching`)
_BY_LITERALS: dict[frozenset[str], tuple[list[tuple[str, str | None, Renderer]], list[tuple[str, int, RenderOps]]]] = {}


def _could_render(local: str) -> tuple[list[tuple[str, str | None, Renderer]], list[tuple[str, int, RenderOps]]]:
    """The templates whose renderings can equal `local`, in TEMPLATES order, with the name part a rendering starts
    with: a template's literals appear in each of its renderings, so one with a literal `local` lacks cannot make it
    (and one starting with a name part can make it only for a spelling whose part starts as `local` does). Twice:
    with renderers for `_matching_py`, with part indexes (-1: a literal) and render_ops for the compiled one."""
    present = _LITERAL_CHARS.intersection(local)
    found = _BY_LITERALS.get(present)
    if found is None:
        heads = [(key, head, r, ops) for key, head, lits, r, ops in _HEADS if lits <= present]
        found = _BY_LITERALS[present] = (
            [(key, head, r) for key, head, r, _ in heads],
            [(key, -1 if head is None else PART_INDEX[head], ops) for key, head, _, ops in heads],
        )
    return found


def _matching_py(heads: list[tuple[str, str | None, Renderer]], v: NameVariant, local: str) -> list[str]:
    """The keys of `heads` (in order) whose rendering for spelling `v` is `local`."""
    first = local[:1]
    return [key for key, head, render in heads
            if (head is None or getattr(v, head)[:1] == first) and render(v) == local]  # fmt: skip


def _renders(
    example: Example, conventions: Mapping[str, Mapping[str, float]]
) -> Iterator[tuple[str, NameVariant, float]]:
    """Each (template, spelling, P(spelling)) that renders the example's local part, spellings in order and
    templates in TEMPLATES order within each, trying only the templates `_could_render` leaves."""
    local = example.local
    heads, compiled_heads = _could_render(local)
    for v, pv in zip(example.variants, _spelling_weights(example.variants, conventions)[0], strict=True):
        if _matching is None:
            keys = _matching_py(heads, v, local)
        else:
            keys = _matching(compiled_heads, (v.first, v.last, v.middle), local)
        for key in keys:
            yield key, v, pv


def explain(
    example: Example, prior: Prior, base: Mapping[str, float] | None = None
) -> list[tuple[str, NameVariant, float]]:
    """The (template, spelling, share) pairs that produce a known address, shares summing to 1 (or []).

    Shares follow `base` (the company's prior π; the global template frequencies when None)."""
    tpl = prior.templates if base is None else base
    hits = [(key, v, tpl.get(key, 0.0) * pv) for key, v, pv in _renders(example, prior.conventions)]
    total = sum(w for _, _, w in hits)
    return [(k, v, w / total) for k, v, w in hits] if total > 0 else []


def explain_reference(
    example: Example, prior: Prior, base: Mapping[str, float] | None = None
) -> list[tuple[str, NameVariant, float]]:
    """`explain` rendering every template for every spelling (the reference the filtered loop is checked by)."""
    local = example.local
    weights = _tag_weights(example.variants, prior.conventions)
    tpl = prior.templates if base is None else base
    hits = [(key, v, tpl.get(key, 0.0) * pv) for v, pv in zip(example.variants, weights, strict=True)
            for key in TEMPLATES if compile_template(key)(v) == local]  # fmt: skip
    total = sum(w for _, _, w in hits)
    return [(k, v, w / total) for k, v, w in hits] if total > 0 else []


def learn_mixture(
    domain: str,
    known: Iterable[Example],
    prior: Prior,
    bounced: Iterable[Example] = (),
    patterns: dict[str, str] | None = None,
    *,
    provider: str = "",
    base: Mapping[str, float] | None = None,
    extra: FormatCounts | None = None,
    reuse: bool = True,
) -> FormatMixture:
    """Estimate a company's template and convention mixture from its known (and bounced) addresses.

    The Dirichlet prior is centred on `base`, by default the prior's hierarchy for `domain` and its mail
    `provider` (core.prior). When `patterns` is given it receives, for each known local part, the template
    that most likely made it. `extra` adds counts learned elsewhere (a team pack) to those of `known`. With
    `reuse` a mixture learned from the same counts before is returned under `domain` (its dictionaries shared).
    """
    if base is None:
        base = prior.base(domain, provider) if domain else prior.templates
    t_counts: dict[str, float] = defaultdict(float)
    fits: dict[str, int] = defaultdict(int)
    c_counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    n = 0
    explained = 0.0
    for ex in known:
        n += 1
        pairs = explain(ex, prior, base)
        if not pairs:
            t_counts[OTHER] += 1.0
            continue
        explained += 1.0
        if patterns is not None:
            patterns[ex.local] = max(pairs, key=lambda pair: (pair[2], ":" not in pair[0]))[0]
        for key in {k for k, _, _ in pairs}:
            fits[key] += 1
        for key, v, share in pairs:
            t_counts[key] += share
            for tag in v.tags:
                dim, _, choice = tag.partition(":")
                c_counts[dim][choice] += share
    bounced = list(bounced)
    shared = None
    # The counts alone decide the mixture (no bounces, no team pack): share it with the domains learned alike.
    if reuse and not bounced and extra is None:
        shared = (id(prior), id(base), n, explained, tuple(t_counts.items()), tuple(fits.items()),
                  tuple((d, tuple(c.items())) for d, c in c_counts.items()))  # fmt: skip
        core = _SHARED.get(shared)
        if core is not None:
            return _for_domain(core[2], domain)
    if extra is not None:
        n, explained = n + extra.known, explained + extra.explained
        for key, count in extra.templates.items():
            t_counts[key] += count
        for key, k in extra.fits.items():
            fits[key] += k
        for dim, seen in extra.conventions.items():
            for choice, count in seen.items():
                c_counts[dim][choice] += count
    alpha, beta = prior.template_strength, prior.convention_strength
    dims = set(prior.conventions) | set(c_counts)
    phi = {}
    for dim in dims:
        g = prior.conventions.get(dim, {})
        seen = c_counts.get(dim, {})
        n_d = sum(seen.values())
        choices = set(g) | set(seen)
        phi[dim] = {c: (seen.get(c, 0.0) + beta * g.get(c, 1.0 / len(choices))) / (n_d + beta) for c in choices}
    pseudo = {k: t_counts.get(k, 0.0) + alpha * g for k, g in base.items()}
    total = n + alpha
    n_bounced = 0
    bounced_by: dict[str, list[str]] = defaultdict(list)
    renderings: list[dict[str, float]] = []
    for ex in bounced:
        n_bounced += 1
        q = _renderings(ex, phi)
        renderings.append(q)
        for key in q:
            bounced_by[key].append(ex.local)
        pseudo, total = _bounce_update(pseudo, total, q)
    if extra is not None:  # a teammate's bounces: the same negative observations, known by their template shares
        for q in extra.bounces:
            n_bounced += 1
            renderings.append(dict(q))
            pseudo, total = _bounce_update(pseudo, total, q)
    theta = normalise(pseudo)
    ordered = dict(sorted(theta.items(), key=lambda kv: -kv[1]))
    mixture = FormatMixture(
        domain=domain,
        templates=ordered,
        conventions=phi,
        template_counts=dict(t_counts),
        convention_counts={d: dict(c) for d, c in c_counts.items()},
        known=n,
        explained=explained,
        bounced=n_bounced,
        template_fits=dict(fits),
        prior_templates=base if isinstance(base, dict) else dict(base),  # shared with the prior: never modified
        bounced_templates={k: tuple(v) for k, v in bounced_by.items()},
        bounce_renderings=tuple(renderings),
    )
    if shared is not None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[shared] = (prior, base, mixture)  # the prior and base kept alive: their ids are in the key
    return mixture


# Mixtures learned from the same counts under the same prior (most companies: none or a few known addresses whose
# formats are common) are one mixture under several domains, sharing its dictionaries and the templates' memo.
_SHARED: dict[tuple[Any, ...], tuple[Prior, Mapping[str, float], FormatMixture]] = {}
_SHARED_MAX = 1 << 16


def _afresh(fast: Callable[..., FormatMixture]) -> Callable[..., FormatMixture]:
    def learn_mixture_reference(*args: Any, **kwargs: Any) -> FormatMixture:
        """`learn_mixture` learning every mixture afresh (the reference the shared ones are checked by)."""
        return fast(*args, **{**kwargs, "reuse": False})

    return learn_mixture_reference


learn_mixture_reference = _afresh(learn_mixture)  # holds `learn_mixture` itself, as rank_reference holds `rank`


def _for_domain(mixture: FormatMixture, domain: str) -> FormatMixture:
    """`mixture` (learned from no bounces) under another domain; its dictionaries shared, never modified."""
    if mixture.domain == domain:
        return mixture
    m = mixture
    return FormatMixture(
        domain, m.templates, m.conventions, m.template_counts, m.convention_counts, m.known, m.explained, m.bounced,
        m.template_fits, m.prior_templates, m.bounced_templates, m.bounce_renderings, m.applicable_memo,
    )  # fmt: skip


def format_counts(mixture: FormatMixture) -> FormatCounts:
    """The counts a mixture was learned from (what a team pack carries for its domain): no names, no addresses;
    each bounce only as the template shares that rendered it."""
    return FormatCounts(
        templates=dict(mixture.template_counts),
        conventions={d: dict(c) for d, c in mixture.convention_counts.items()},
        known=mixture.known,
        explained=mixture.explained,
        fits=dict(mixture.template_fits),
        bounced=mixture.bounced,
        bounces=mixture.bounce_renderings,
    )


def _renderings(example: Example, conventions: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """q_t for a (bounced) address: the chance that template t renders it for that person (spellings weighted by
    the company's conventions); templates that cannot render it are left out."""
    q: dict[str, float] = defaultdict(float)
    for key, _, pv in _renders(example, conventions):
        q[key] += pv
    return {k: min(w, 1.0) for k, w in q.items()}


def _bounce_update(pseudo: dict[str, float], total: float, q: Mapping[str, float]) -> tuple[dict[str, float], float]:
    """The Dirichlet pseudo-counts after one negative observation (see the module docstring)."""
    mass = sum(w * pseudo.get(k, 0.0) for k, w in q.items())
    if not q or total - mass <= 1e-12:
        return pseudo, total
    scale = (total + 1.0) / (total - mass)
    return {k: a * (1.0 - (mass + q.get(k, 0.0)) / (total + 1.0)) * scale for k, a in pseudo.items()}, total + 1.0


_BOTH = frozenset({"first", "last"})


# What `_accumulate` needs of one template, made once per template and shared by every mixture's lists (a list of
# references per mixture instead of a tuple per template and mixture: ~90 bytes a template at a million leads).
Template = tuple[str, Renderer, bool, RenderOps]  # key, its renderer, whether it is a truncation, its render_ops


@functools.cache
def _template(key: str) -> Template:
    return key, compile_template(key), ":" in key, render_ops(key)


def _applicable(mixture: FormatMixture, have: frozenset[str]) -> tuple[list[Template], list[float], float, float]:
    """Templates (by falling weight) a person with the name parts `have` can use and their weights, the weights'
    total, and the normaliser Z: the weight of every template open to this person had we both their first and
    last name. Made once per mixture and set of name parts."""
    memo = mixture.applicable_memo
    found = memo.get(have)
    if found is None:
        usable = [(k, w) for k, w in mixture.templates.items() if k != OTHER and needs(k) <= have]
        full = have | _BOTH
        z = sum(w for k, w in mixture.templates.items() if k != OTHER and needs(k) <= full)
        weights = [w for _, w in usable]
        found = memo[have] = ([_template(k) for k, _ in usable], weights, sum(weights), z)
    return found


def _parts_present(variants: Sequence[NameVariant]) -> frozenset[str]:
    """Which name parts (first, last, middle) at least one spelling has."""
    first = last = middle = False
    for v in variants:
        first = first or bool(v.first)
        last = last or bool(v.last)
        middle = middle or bool(v.middle)
    return _PARTS[first, last, middle]


_SCORE = operator.itemgetter(1)
_CANDIDATE = fields_of(Candidate)
_PARTS = {
    (f, la, m): frozenset(name for name, on in (("first", f), ("last", la), ("middle", m)) if on)
    for f in (False, True)
    for la in (False, True)
    for m in (False, True)
}


def rank(
    variants: Sequence[NameVariant],
    mixture: FormatMixture,
    prior: Prior,
    *,
    domain: str,
    taken: Mapping[str, str] | None = None,
    owner: str = "",
    exclude: frozenset[str] = frozenset(),
    ruled_out: frozenset[str] = frozenset(),
    reliability: float = 1.0,
    limit: int = 5,
    explained: int | None = None,
) -> list[Candidate]:
    """The most likely addresses for one person at `domain`, best first, with calibrated probabilities.

    `taken` maps local parts already held by known people to who holds them; `owner` identifies this person
    in that map; `exclude` holds local parts that bounced for someone else (no such mailbox: never proposed);
    `ruled_out` those that bounced for this person, whose ranking is then conditioned on not being any of them
    (`mixture` should be learned without them; see the module docstring); `reliability` is the chance the
    domain itself is right. Only addresses email-validator accepts unchanged are returned (core.addresses).
    `explained` limits the candidates that get their evidence line to the first few (the others' is ''), for a
    caller that shows only those (the CLI writes the best one's).
    """
    if not variants or not domain or valid_domain(domain) != domain:
        return []
    # The compiled loop takes exactly these types (a caller's Mapping or set is copied, the usual ones are not).
    taken = taken if isinstance(taken, dict) else dict(taken or {})
    exclude = exclude if isinstance(exclude, frozenset) else frozenset(exclude)
    ruled_out = ruled_out if isinstance(ruled_out, frozenset) else frozenset(ruled_out)
    spellings = [(variants[i], w) for i, w in _spelling_weights(variants, mixture.conventions)[1]]
    have = _parts_present(variants)
    applicable, weights, mass, norm = _applicable(mixture, have)
    if mass <= 0:
        return []
    keep = 1.0 - mixture.templates.get(OTHER, 0.0)
    scores, best_pair, gone = _accumulate(
        applicable,
        weights,
        keep,
        norm,
        mass,
        spellings,
        limit,
        taken,
        owner,
        exclude,
        ruled_out,
        prior.taken_factor,
        _TAIL_MASS,
        _MIN_SHARE,
    )
    # Best first, ties by address: sort by address, then stably by falling score (both in C, no key tuples).
    top = sorted(scores.items())
    top.sort(key=_SCORE, reverse=True)
    missing = 1.0 - mass / norm if norm > 0 else 0.0
    # P(y | not any of this person's bounced addresses) = P(y) / (1 − P(x)), both including the domain's reliability
    rest = 1.0 / max(1.0 - gone * reliability, 1e-9)
    longest = min(MAX_LOCAL, MAX_ADDRESS - 1 - len(domain))  # local + "@" + domain within the address limit
    own = "; ".join([f"{x}@{domain} bounced" for x in sorted(ruled_out)]) if ruled_out else ""
    calibrated = _CALIBRATED.get(prior.calibration)
    if calibrated is None:
        calibrated = _CALIBRATED[prior.calibration] = {}
    out: list[Candidate] = []
    for local, p in top:
        # core.addresses.is_safe_local, inlined (every shown candidate): e.g. no local part over 64 characters
        if len(local) > longest or not DOT_ATOM.match(local):  # DOT_ATOM is ASCII only
            continue
        _, key, v, _ = best_pair[local]
        if explained is not None and len(out) >= explained:
            why = ""
        else:
            why = evidence(key, v, mixture, prior, taken_by=taken.get(local) if taken.get(local) != owner else None)
            if own:
                why += f"; {own}"
            if missing >= _MISSING_NOTE:
                why += f"; only one name part is known and {missing:.0%} of the formats here need both"
        x = min(p * rest * reliability, 1.0)
        prob = calibrated.get(x)
        if prob is None:
            if len(calibrated) >= _CALIBRATED_MAX:
                calibrated.clear()
            prob = calibrated[x] = calibrate(x, prior)
        out.append(make(Candidate, _CANDIDATE, (f"{local}@{domain}", prob, key, why, v.tags)))
        if len(out) >= limit:
            break
    return out


def _accumulate_py(
    applicable: list[Template],
    weights: list[float],
    keep: float,
    norm: float,
    mass: float,
    spellings: list[tuple[NameVariant, float]],
    limit: int,
    taken: Mapping[str, str],
    owner: str,
    exclude: frozenset[str],
    ruled_out: frozenset[str],
    taken_factor: float,
    tail_mass: float,
    min_share: float,
) -> tuple[dict[str, float], dict[str, tuple[float, str, NameVariant, bool]], float]:
    """`rank`'s inner loop: each address's summed probability over the (template, spelling) pairs that render it,
    the pair that names it (probability, template, spelling, template is a truncation), and the mass of the
    person's own bounced addresses (`ruled_out`). `applicable` (with its `weights`) and `spellings` are sorted by
    falling weight."""
    top_weight = spellings[0][1]
    scores: dict[str, float] = {}
    # local -> (probability, template, spelling, template is a truncation): the pair that names the candidate
    best_pair: dict[str, tuple[float, str, NameVariant, bool]] = {}
    remaining = mass
    tail = tail_mass * mass
    gone = 0.0
    for (key, render, truncated, _), w in zip(applicable, weights, strict=True):
        pt = keep * w / norm
        if len(scores) >= limit and (remaining < tail or pt * top_weight < min_share):
            break  # templates are sorted by weight: nothing left can reach the shown candidates
        remaining -= w
        for v, pv in spellings:
            p = pt * pv
            if p < min_share and len(scores) >= limit:
                break  # spellings are sorted by weight too
            local = render(v)
            if local is None or local in exclude:  # a bounced address: the mailbox does not exist
                continue
            if taken:
                holder = taken.get(local)
                if holder is not None and holder != owner:
                    p *= taken_factor
            if ruled_out and local in ruled_out:
                gone += p  # this person's own bounce: its mass is what the others are conditioned on
                continue
            current = best_pair.get(local)
            if current is None:
                scores[local] = p
                best_pair[local] = (p, key, v, truncated)
                continue
            scores[local] += p
            # Name the simplest template that gives this address: "flast" rather than its truncation
            # "flast(7)", which renders the same for short surnames.
            if current[3] > truncated or (current[3] == truncated and current[0] < p):
                best_pair[local] = (p, key, v, truncated)
    return scores, best_pair, gone


_accumulate = speedups.accumulate if speedups is not None else _accumulate_py


# P(v) of spellings by their tags, per conventions (by id; the dictionary is kept alive beside): in the spellings'
# order and as (index, weight) best first. The shared mixtures and common name shapes make a few thousand of these.
_Conventions = Mapping[str, Mapping[str, float]]
_Weights = tuple[list[float], list[tuple[int, float]]]
_WEIGHTS: dict[tuple[int, tuple[frozenset[str], ...]], tuple[_Conventions, _Weights]] = {}
_WEIGHTS_MAX = 1 << 16


def _spelling_weights(variants: Sequence[NameVariant], conventions: _Conventions) -> _Weights:
    """`_tag_weights` of the spellings, and the same as (index, weight) by falling weight (memoised)."""
    sig = tuple([v.tags for v in variants])
    hit = _WEIGHTS.get((id(conventions), sig))
    if hit is not None and hit[0] is conventions:
        return hit[1]
    weights = _tag_weights(variants, conventions)
    both = weights, sorted(enumerate(weights), key=lambda iw: -iw[1])
    if len(_WEIGHTS) >= _WEIGHTS_MAX:
        _WEIGHTS.clear()
    _WEIGHTS[id(conventions), sig] = (conventions, both)
    return both


# Calibrated probabilities per calibration, by model probability: the shared mixtures and spelling weights give
# the same few thousand values over and over (a dictionary look-up instead of a log and an exp per candidate).
_CALIBRATED: dict[tuple[float, float], dict[float, float]] = {}
_CALIBRATED_MAX = 1 << 16


def _every_evidence(fast: Callable[..., list[Candidate]]) -> Callable[..., list[Candidate]]:
    def rank_reference(*args: Any, **kwargs: Any) -> list[Candidate]:
        """`rank` with every candidate's evidence made (the reference the CLI's best-only evidence is checked by)."""
        return fast(*args, **{**kwargs, "explained": None})

    return rank_reference


rank_reference = _every_evidence(rank)  # holds `rank` itself, so a test may swap the module's name for it


# Human phrases for name conventions (dimension:choice -> phrase); "{first}" is the spelling used.
_CONVENTION_PHRASES = {
    "fold:expand": "umlauts written out (ü→ue)",
    "fold:plain": "accents dropped (ü→u)",
    "particle:drop": "surname particle dropped",
    "particle:keep": "surname particle kept",
    "compound:first": "first part of a double surname",
    "compound:last": "second part of a double surname",
    "compound:hyphen": "hyphenated surname",
    "compound:full": "double surname joined",
    "given:nick": "nickname {first}",
    "given:all": "all given names",
    "order:eastern": "family name first",
}


def _company_uses(mixture: FormatMixture, tag: str) -> bool:
    dim, _, choice = tag.partition(":")
    seen = mixture.convention_counts.get(dim, {})
    return seen.get(choice, 0.0) >= 0.5 and seen.get(choice, 0.0) >= max(seen.values(), default=0.0)


def evidence(key: str, v: NameVariant, mixture: FormatMixture, prior: Prior, *, taken_by: str | None = None) -> str:
    """One line saying why a candidate is likely: colleagues' formats, conventions, the global prior."""
    name = label(key)
    n = mixture.known
    if n:
        k = mixture.template_fits.get(key, 0)
        if k >= 1:
            parts = [f"{k} of {n} known colleague{'s' if n != 1 else ''} use{'s' if n == 1 else ''} {name}"]
        else:
            share = prior.templates.get(key, 0.0)
            parts = [f"{name}: none of {n} known colleague{'s' if n != 1 else ''} use it ({share:.0%} elsewhere)"]
    else:
        share = prior.templates.get(key, 0.0)
        here = mixture.prior_templates.get(key, share)
        if abs(here - share) >= _LEVEL_NOTE:  # the hierarchy knows better than the global share: say where from
            tld = mixture.domain.rpartition(".")[2]
            parts = [
                f"no known colleague at {mixture.domain}; {name} is used by {here:.0%} of addresses at .{tld} "
                f"domains ({share:.0%} generally)"
            ]
        else:
            parts = [f"no known colleague at {mixture.domain}; {name} is used by {share:.0%} of addresses generally"]
    bounced = mixture.bounced_templates.get(key)
    if bounced:  # name exactly what bounced, and only on the format(s) that made it
        shown = ", ".join(f"{b}@{mixture.domain}" for b in bounced[:2])
        more = f" and {len(bounced) - 2} more" if len(bounced) > 2 else ""
        parts.append(f"{shown}{more} ({name}) bounced")
    for tag in sorted(v.tags):
        phrase = _CONVENTION_PHRASES.get(tag)
        if phrase is None:
            continue
        default = not tag.endswith(":plain") and not tag.endswith(":keep") and not tag.endswith(":full")
        if _company_uses(mixture, tag):
            parts.append(phrase.format(first=v.first) + " as at this company")
        elif default and not tag.endswith(":first") and not tag.endswith(":western"):
            parts.append(phrase.format(first=v.first))
    if taken_by:
        parts.append(f"already used by {taken_by}")
    return "; ".join(parts)
