"""The conditional-logit domain model: probabilities, fitting that recovers known weights, the shipped file."""

from __future__ import annotations

import math
import random

import pytest

from leadassist.core.domainmodel import (
    DomainModel,
    LinearModel,
    choice_probabilities,
    feature_names,
    fit,
    load_domain_model,
    model_from_json,
)


def test_probabilities_and_none_sum_to_one_without_overflow():
    probs, none = choice_probabilities([1000.0, 999.0, -5.0])
    assert math.isclose(sum(probs) + none, 1.0)
    assert probs[0] > probs[1] > probs[2] and none < 1e-300 + 1e-12
    probs, none = choice_probabilities([])
    assert probs == [] and none == 1.0


def test_fit_recovers_the_weights_that_generated_the_data():
    rng = random.Random(7)
    true = {"a": 1.5, "b": -2.0, "c": 0.5}
    groups = []
    for _ in range(3000):
        cands = [{k: rng.choice((0.0, 1.0)) for k in true} for _ in range(rng.randint(1, 5))]
        probs, _ = choice_probabilities([sum(true[k] * v for k, v in x.items()) for x in cands])
        u, acc, truth = rng.random(), 0.0, None
        for i, p in enumerate(probs):
            acc += p
            if u < acc:
                truth = i
                break
        groups.append((cands, truth))
    got = fit(groups, ["a", "b", "c"], l2=0.1)
    for k, w in true.items():
        assert got[k] == pytest.approx(w, abs=0.2)


def test_fit_survives_separable_data():
    groups = [([{"good": 1.0}, {"bad": 1.0}], 0) for _ in range(50)]
    got = fit(groups, ["good", "bad"], l2=1.0)
    assert got["good"] > 2 and got["bad"] < 0 and all(math.isfinite(v) for v in got.values())


def test_json_round_trip_and_bad_files():
    model = DomainModel(LinearModel({"kind:slug": 1.25}), LinearModel({"prior": 0.9}), source="test", meta={"n": 1})
    back = model_from_json(model.to_json())
    assert back.prior.weights == {"kind:slug": 1.25} and back.final.weights == {"prior": 0.9} and back.meta == {"n": 1}
    with pytest.raises(ValueError):
        model_from_json('{"weights": {}}')


def test_shipped_model_was_fitted_and_uses_only_known_features():
    model = load_domain_model()
    assert set(model.prior.weights) <= set(feature_names("prior"))
    assert set(model.final.weights) <= set(feature_names("final"))
    assert "learn_domain_model.py" in model.source
    w = model.final.weights
    assert w["dns:mx-business"] > w["dns:website-only"] and w["dns:mx-business"] > w["dns:parked"]
    assert w["prior"] > 0 and w["m365-named-by-other"] > 0
