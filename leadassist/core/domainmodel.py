"""The fitted, calibrated score of guessed company domains: features, a conditional-logit model and its fitting.

Two models share one form. For a company with candidates i = 1..n (plus "none of them") each candidate gets a
score s_i = Σ_f w_f·x_if and

    P(i is the company's mail domain) = exp(s_i) / (1 + Σ_j exp(s_j)),    P(none) = 1 / (1 + Σ_j exp(s_j)).

The "prior" model scores every candidate from the name alone (how the label was made, its length, the TLD and
what the country, legal form and known domains say about it) and picks which ~20 to ask DNS about; the "final"
model adds what DNS said (business mail, registrar mail, website only, parked, Microsoft 365 links, ...) on top of
the prior score. Both are fitted by maximum likelihood with a small L2 penalty (`fit`, Newton's method) on dev
data (benchmarks/learn_domain_model.py writes resources/domain_model.json); a maximum-likelihood conditional logit
is calibrated on the data it was fitted on, and benchmarks/domain_discovery.py measures it on held-out data.
Nothing here is hand-set except the feature definitions.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leadassist import paths
from leadassist.core.companyname import LABEL_KINDS
from leadassist.core.tldhints import GENERIC_TLDS, TldFact

MODEL_FILENAME = "domain_model.json"
Features = dict[str, float]

# DNS facts of a candidate as the final model sees them (see core.domainprobe.DomainFacts.kind).
DNS_KINDS = (
    "mx-business",
    "mx-registrar",
    "mx-consumer",
    "mx-forwarding",
    "mx-self",
    "mx-other",
    "website-only",
    "no-mail",
    "parked",
)


def prior_features(
    label: str, kind: str, tld: str, fact: TldFact, *, name_words: int, foreign: bool, legal_foreign: bool
) -> Features:
    """Name-only features of one candidate domain (label made by `kind`, under `tld`)."""
    x: Features = {f"kind:{kind}": 1.0, "len": min(len(label), 30) / 10}
    if len(label) <= 4:
        x["short"] = 1.0
    if len(label) > 12:
        x["long"] = (min(len(label), 40) - 12) / 10
    if name_words == 1:
        x["one-word-name"] = 1.0
    x[f"tld:{tld}" if tld in GENERIC_TLDS else "tld:other"] = 1.0
    if fact.country:
        x["tld-country"] = fact.country
    if fact.legal:
        x["tld-legal"] = fact.legal
    if fact.known:
        x["tld-known"] = fact.known
    if tld == "com" and foreign:
        x["com-foreign"] = 1.0
    if tld == "com" and legal_foreign:
        x["com-legal-foreign"] = 1.0
    return x


def final_features(
    prior_score: float,
    dns_kind: str,
    *,
    prior_share: float = 1.0,
    named_by_other: bool = False,
    names_other: bool = False,
    shares_mx: bool = False,
    best_prior_alive: bool = False,
    others_business: int = 0,
    alias: bool = False,
) -> Features:
    """What the final model sees of one candidate that exists: its prior score and what DNS said about it."""
    # prior_share: the prior probability renormalised over the candidates that exist (the rest were ruled out)
    x: Features = {"prior": prior_score, "log-prior-share": math.log(max(prior_share, 1e-9)), f"dns:{dns_kind}": 1.0}
    if named_by_other:
        x["m365-named-by-other"] = 1.0
    if names_other:
        x["m365-names-other"] = 1.0
    if shares_mx:
        x["shares-mx"] = 1.0
    if best_prior_alive:
        x["best-prior-alive"] = 1.0
    if others_business:
        x["others-business"] = math.log1p(others_business)
    if alias:
        x["cname-alias"] = 1.0
    return x


def feature_names(stage: str) -> tuple[str, ...]:
    """Every feature a stage's model may weigh (for reports and for fitting)."""
    if stage == "prior":
        kinds = tuple(f"kind:{k}" for k in (*LABEL_KINDS, "linked"))
        tlds = tuple(f"tld:{t}" for t in (*GENERIC_TLDS, "other"))
        rest = ("len", "short", "long", "one-word-name", "tld-country", "tld-legal", "tld-known")
        return (*kinds, *rest, *tlds, "com-foreign", "com-legal-foreign")
    return (
        "prior",
        "log-prior-share",
        *(f"dns:{k}" for k in DNS_KINDS),
        "m365-named-by-other",
        "m365-names-other",
        "shares-mx",
        "best-prior-alive",
        "others-business",
        "cname-alias",
    )


@dataclass(frozen=True)
class LinearModel:
    """Weights of one stage; `score` is the linear predictor s = Σ w·x."""

    weights: Mapping[str, float]

    def score(self, x: Mapping[str, float]) -> float:
        """s = Σ_f w_f·x_f (features the model never saw weigh 0)."""
        return sum(self.weights.get(k, 0.0) * v for k, v in x.items())


@dataclass(frozen=True)
class DomainModel:
    """The two fitted stages and where they came from."""

    prior: LinearModel
    final: LinearModel
    source: str = ""
    meta: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        """The file form (resources/domain_model.json)."""
        data = {
            "source": self.source,
            "meta": dict(self.meta),
            "prior": {k: round(v, 6) for k, v in sorted(self.prior.weights.items())},
            "final": {k: round(v, 6) for k, v in sorted(self.final.weights.items())},
        }
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def model_from_json(text: str) -> DomainModel:
    """Parse the file form; ValueError when it is not a domain model."""
    data = json.loads(text)
    if not isinstance(data, dict) or "prior" not in data or "final" not in data:
        raise ValueError("not a LeadAssist domain model (needs 'prior' and 'final' weights)")
    return DomainModel(
        prior=LinearModel({str(k): float(v) for k, v in data["prior"].items()}),
        final=LinearModel({str(k): float(v) for k, v in data["final"].items()}),
        source=str(data.get("source", "")),
        meta=dict(data.get("meta", {})),
    )


@functools.cache
def load_domain_model(path: Path | None = None) -> DomainModel:
    """The model shipped in resources/ (or another file of the same form)."""
    path = path or paths.resources_dir() / MODEL_FILENAME
    return model_from_json(path.read_text(encoding="utf-8"))


def choice_probabilities(scores: Sequence[float]) -> tuple[list[float], float]:
    """P(candidate i) for each score, and P(none): exp(s_i) / (1 + Σ exp(s_j)), computed without overflow."""
    top = max([0.0, *scores])
    exps = [math.exp(s - top) for s in scores]
    none = math.exp(-top)
    total = none + sum(exps)
    return [e / total for e in exps], none / total


# -- fitting ----------------------------------------------------------------------------------------------------
Group = tuple[Sequence[Mapping[str, float]], int | None]  # candidates' features, index of the true one (None)


def fit(groups: Iterable[Group], names: Sequence[str], *, l2: float = 1.0, iterations: int = 30) -> dict[str, float]:
    """Maximum-likelihood weights of the conditional logit over `groups` with penalty l2·|w|²/2 (Newton's method).

    Each group is one company: its candidates' feature dicts and which candidate is its mail domain (None when
    none is). Features outside `names` are ignored.
    """
    index = {n: i for i, n in enumerate(names)}
    data = []
    for cands, truth in groups:
        rows = [[(index[k], v) for k, v in x.items() if k in index and v] for x in cands]
        data.append((rows, truth))
    d = len(names)
    w = [0.0] * d

    def objective(weights: list[float]) -> float:  # penalised log-likelihood
        total = -0.5 * l2 * sum(x * x for x in weights)
        for rows, truth in data:
            scores = [sum(weights[j] * v for j, v in row) for row in rows]
            top = max([0.0, *scores])
            log_norm = top + math.log(math.exp(-top) + sum(math.exp(sc - top) for sc in scores))
            total += (scores[truth] if truth is not None else 0.0) - log_norm
        return total

    current = objective(w)
    for _ in range(iterations):
        grad = [-l2 * wi for wi in w]
        hess = [[0.0] * d for _ in range(d)]
        for i in range(d):
            hess[i][i] = l2
        for rows, truth in data:
            if not rows:
                continue
            probs, _ = choice_probabilities([sum(w[j] * v for j, v in row) for row in rows])
            mean = [0.0] * d
            for row, p in zip(rows, probs, strict=True):
                for j, v in row:
                    mean[j] += p * v
                    for k, u in row:
                        hess[j][k] += p * v * u
            if truth is not None:
                for j, v in rows[truth]:
                    grad[j] += v
            nz = [j for j in range(d) if mean[j]]
            for j in nz:
                grad[j] -= mean[j]
                for k in nz:
                    hess[j][k] -= mean[j] * mean[k]
        step = _solve(hess, grad)
        for _ in range(30):  # Newton can overshoot far from the optimum: halve the step until it improves
            trial = [wi + si for wi, si in zip(w, step, strict=True)]
            value = objective(trial)
            if value >= current - 1e-12:
                break
            step = [si / 2 for si in step]
        w, current = trial, value
        if max(abs(s) for s in step) < 1e-6:
            break
    return {n: w[i] for n, i in index.items() if abs(w[i]) > 1e-9}


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gaussian elimination with partial pivoting; `a` is positive definite here)."""
    n = len(b)
    m = [[*row, bi] for row, bi in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) >= 1e-12:
            x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x
