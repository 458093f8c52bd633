"""The prior of the format model: global template and convention frequencies, the hierarchy below them, calibration.

Hierarchy. A company nobody here knows is ranked by its prior alone, so the prior is made as specific as the
data allows: global → group (academic, government, non-profit, country code, generic) → TLD → mail provider
(Microsoft 365, Google Workspace, a gateway ...) → company. Each level's template distribution is shrunk
towards its parent's:

    π_L(t) = ((1 − φ) · S_L(t) + n_L · φ_t + κ_L · π_parent(t)) / (n_L + κ_L)

S_L sums the template shares of the n_L learning companies in the group (each company one vote: its shares sum
to 1, so one large company cannot set a TLD's habits); φ_t is the floor share every template has in the global
distribution (φ = Σ φ_t), so a group's shares are smoothed like the global ones and a big group does not lose
the rare templates merely by being big; κ_L, the level's strength in companies, is chosen by
leave-one-company-out cross-validation (benchmarks/learn_prior.py, benchmarks/learn_hierarchy.py). A group
without learning companies, or a level without a strength (κ = ∞), gets exactly its parent's distribution.
The company level is formats.learn_mixture, whose Dirichlet prior is centred on π of the most specific level.
Provider counts are pooled over TLDs (too few companies share both) and shrunk towards the domain's TLD
distribution; they are learned only where the learning data names each domain's provider. The shipped data
(public commit authors) has no MX facts, so the shipped provider level is empty and shrinks fully to its
parent; so does the TLD level, which cross-validation found no better than the group level on that data.
Conventions (umlauts, particles ...) stay global: the data holds too few such names to split them.

Calibration: p' = σ(a·logit(p) + b), with a and b fitted (`fit_calibration`) on held-out public data.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from leadassist import paths
from leadassist.core.templates import TEMPLATES

OTHER = "other"
# Default of "write the best guess into empty Email cells at >= N%" (CLI --min-confidence, the export dialog):
# the lowest candidate threshold at which benchmarks/format_accuracy.py measures >= 90% precision on held-out
# companies (2026-12, apache/* half B: 92.1% of 328 guesses at >= 80%; 88.0% at >= 75%).
FILL_MIN_CONFIDENCE = 80
PRIOR_FILENAME = "format_prior.json"
LEVELS = ("group", "tld", "provider")
# Suffixes that say what kind of organisation a domain belongs to, whatever its country.
_ACADEMIC = frozenset({"edu", "ac"})
_GOVERNMENT = frozenset({"gov", "gob", "gouv", "govt", "mil"})
# Country codes mostly sold as generic names (a .io or .ai company is rarely from that country).
_GENERIC_CC = frozenset({"io", "ai", "co", "me", "tv", "ly", "to", "gg", "fm", "sh", "so", "cc", "ws", "vc"})


def group_of(domain: str) -> str:
    """The coarse kind of a mail domain: academic, government, nonprofit, country or generic."""
    labels = domain.lower().rstrip(".").split(".")
    tld, second = labels[-1], (labels[-2] if len(labels) > 2 else "")  # ox.ac.uk: "ac" under "uk"
    if tld in _ACADEMIC or second in _ACADEMIC:
        return "academic"
    if tld in _GOVERNMENT or second in _GOVERNMENT:
        return "government"
    if tld == "org":
        return "nonprofit"
    if len(tld) == 2 and tld not in _GENERIC_CC:
        return "country"
    return "generic"


def level_keys(domain: str, provider: str = "") -> tuple[str, str, str]:
    """The hierarchy's group keys of a domain: ("group:...", "tld:...", "provider:..." or "")."""
    tld = domain.lower().rstrip(".").rpartition(".")[2]
    return f"group:{group_of(domain)}", f"tld:{tld}", f"provider:{provider.strip().lower()}" if provider else ""


@dataclass(frozen=True)
class Prior:
    """The prior: global template and convention frequencies, hierarchy groups, and the model's constants.

    `groups` maps a level key ("tld:de") to (n companies, summed template shares); `strengths` maps a level
    ("group", "tld", "provider") to κ. Without groups the prior is flat (every company starts from `templates`).
    """

    templates: Mapping[str, float]
    conventions: Mapping[str, Mapping[str, float]]
    template_strength: float = 2.0
    convention_strength: float = 2.0
    domain_reliability: Mapping[str, float] = field(default_factory=dict)
    calibration: tuple[float, float] = (1.0, 0.0)
    taken_factor: float = 0.05
    source: str = ""
    groups: Mapping[str, tuple[float, Mapping[str, float]]] = field(default_factory=dict)
    strengths: Mapping[str, float] = field(default_factory=dict)
    floor: Mapping[str, float] = field(default_factory=dict)  # each template's minimum share in `templates`
    # (group, tld, provider) keys -> π of the most specific level (filled on use, not compared)
    base_memo: dict[tuple[str, str, str], Mapping[str, float]] = field(default_factory=dict, compare=False, repr=False)

    def convention(self, dim: str, choice: str) -> float:
        """Global share of `choice` in dimension `dim` (0.5 when the prior says nothing)."""
        return self.conventions.get(dim, {}).get(choice, 0.5)

    def flat(self) -> Prior:
        """The same prior without its hierarchy (every company starts from the global distribution)."""
        return replace(self, groups={}, strengths={}, base_memo={})

    def base(self, domain: str, provider: str = "") -> Mapping[str, float]:
        """π for a company at `domain` (whose mail `provider` is known, or ''): the hierarchy's most specific level."""
        if not self.groups:
            return self.templates
        keys = level_keys(domain, provider)
        found = self.base_memo.get(keys)
        if found is None:
            pi = shrink(self.templates, keys, self.groups, self.strengths, floor=self.floor)
            found = self.base_memo[keys] = normalise(pi)
        return found


def shrink(
    top: Mapping[str, float],
    keys: Iterable[str],
    groups: Mapping[str, tuple[float, Mapping[str, float]]],
    strengths: Mapping[str, float],
    exclude: tuple[Mapping[str, float], float] | None = None,
    floor: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """π down the chain of level `keys` from the global `top` (see the module docstring).

    `exclude` = (one company's template shares, its weight) is taken out of every group on the way, so
    cross-validation can rank a learning company as if nobody knew it. `floor` is the share every template
    gets in the global distribution whatever the counts (`Prior.floor`); a group's own shares are smoothed by
    the same floor, so a large group does not lose the rare templates' mass merely by being large.
    """
    pi = dict(top)
    for key in keys:
        if not key:
            continue
        n, sums = groups.get(key, (0.0, {}))
        if exclude is not None:
            shares, weight = exclude
            n -= weight
            sums = {t: sums.get(t, 0.0) - weight * shares.get(t, 0.0) for t in set(sums) | set(shares)}
        kappa = strengths.get(key.partition(":")[0], math.inf)
        if n <= 1e-9 or math.isinf(kappa):
            continue  # no data at this level: exactly the parent
        smooth = 1.0 - sum(floor.values()) if floor else 1.0
        pi = {
            t: (smooth * max(sums.get(t, 0.0), 0.0) + n * (floor or {}).get(t, 0.0) + kappa * p) / (n + kappa)
            for t, p in pi.items()
        }
    return pi


def normalise(counts: Mapping[str, float]) -> dict[str, float]:
    """Counts scaled to sum to 1 (unchanged when they sum to 0)."""
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total > 0 else dict(counts)


def prior_from_json(data: Mapping[str, object]) -> Prior:
    """Build a Prior from the JSON layout of resources/format_prior.json."""
    tpl = {k: float(v) for k, v in dict(data["templates"]).items()}  # type: ignore[call-overload]
    for key in TEMPLATES:  # every known template keeps a little mass even if the sample never saw it
        tpl.setdefault(key, 0.0)
    tpl.setdefault(OTHER, 1.0)
    floor = 0.5
    tpl = {k: v + floor for k, v in tpl.items()}
    total = sum(tpl.values())
    conv = {
        d: normalise({c: float(n) + 0.5 for c, n in dict(ch).items()})
        for d, ch in dict(data.get("conventions", {})).items()  # type: ignore[call-overload]
    }
    model = dict(data.get("model", {}))  # type: ignore[call-overload]
    cal = model.get("calibration", [1.0, 0.0])
    hierarchy = dict(data.get("hierarchy", {}))  # type: ignore[call-overload]
    groups = {
        str(key): (float(g["companies"]), {str(t): float(v) for t, v in dict(g["templates"]).items()})
        for key, g in dict(hierarchy.get("groups", {})).items()
    }
    return Prior(
        templates=normalise(tpl),
        conventions=conv,
        template_strength=float(model.get("template_strength", 2.0)),
        convention_strength=float(model.get("convention_strength", 2.0)),
        domain_reliability={k: float(v) for k, v in dict(model.get("domain_reliability", {})).items()},
        calibration=(float(cal[0]), float(cal[1])),
        taken_factor=float(model.get("taken_factor", 0.05)),
        source=str(data.get("source", "")),
        groups=groups,
        strengths={str(k): float(v) for k, v in dict(hierarchy.get("strengths", {})).items()},
        floor={k: floor / total for k in tpl},
    )


@functools.cache
def load_prior(path: Path | None = None) -> Prior:
    """The prior shipped in resources/ (or another file of the same layout)."""
    path = path or paths.resources_dir() / PRIOR_FILENAME
    return prior_from_json(json.loads(path.read_text(encoding="utf-8")))


def calibrate(p: float, prior: Prior) -> float:
    """Map a model probability to a calibrated one: σ(a·logit(p) + b)."""
    a, b = prior.calibration
    p = min(max(p, 1e-6), 1 - 1e-6)
    z = a * math.log(p / (1 - p)) + b
    return 1.0 / (1.0 + math.exp(-z))


def fit_calibration(pairs: Iterable[tuple[float, bool]]) -> tuple[float, float]:
    """(a, b) maximising the likelihood of σ(a·logit(p) + b) on (model probability, was right) pairs."""
    xs, ys = [], []
    for p, ok in pairs:
        p = min(max(p, 1e-6), 1 - 1e-6)
        xs.append(math.log(p / (1 - p)))
        ys.append(1.0 if ok else 0.0)
    a, b = 1.0, 0.0
    for _ in range(50):  # Newton's method on the two-parameter logistic likelihood (concave: converges fast)
        g_a = g_b = h_aa = h_ab = h_bb = 0.0
        for x, y in zip(xs, ys, strict=True):
            q = 1.0 / (1.0 + math.exp(-(a * x + b)))
            w = q * (1 - q)
            g_a, g_b = g_a + (y - q) * x, g_b + (y - q)
            h_aa, h_ab, h_bb = h_aa + w * x * x, h_ab + w * x, h_bb + w
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 1e-12:
            break
        da, db = (h_bb * g_a - h_ab * g_b) / det, (h_aa * g_b - h_ab * g_a) / det
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-9:
            break
    return round(a, 4), round(b, 4)
