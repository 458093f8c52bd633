"""The hierarchical prior (core.prior): levels shrunk towards their parents, empty levels equal to their parent,
the provider level used once a domain's provider is known, and the learning scripts' leave-one-out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.format_accuracy import FILL_THRESHOLDS, Tally, fill_table
from benchmarks.learn_hierarchy import build_groups
from leadassist.core.enrich import Enricher
from leadassist.core.models import DomainCheck, Lead, MailStatus
from leadassist.core.prior import group_of, level_keys, load_prior, normalise, shrink

FIRST_LAST, FLAST = "{first}.{last}", "{f}{last}"


def hierarchical(**strengths: float):  # type: ignore[no-untyped-def]
    """The shipped prior with a .de TLD group of 4 companies that all use flast and a provider group."""
    prior = load_prior().flat()
    groups = {
        "tld:de": (4.0, {FLAST: 4.0}),
        "provider:microsoft 365": (3.0, {"{first}": 3.0}),
    }
    return replace(prior, groups=groups, strengths=strengths, base_memo={})


@pytest.mark.parametrize(
    ("domain", "group"),
    [
        ("acme.com", "generic"),
        ("startup.io", "generic"),
        ("uni.edu", "academic"),
        ("cs.ox.ac.uk", "academic"),
        ("agency.gov.uk", "government"),
        ("charity.org", "nonprofit"),
        ("firma.de", "country"),
    ],
)
def test_domains_fall_into_their_group(domain, group):
    assert group_of(domain) == group
    assert level_keys(domain)[0] == f"group:{group}"


def test_a_level_without_data_is_exactly_its_parent_and_one_with_data_moves_towards_it():
    prior = hierarchical(tld=2.0)
    assert prior.base("firma.fr") == pytest.approx(prior.templates)  # no .fr group: the global prior
    de = prior.base("firma.de")
    g = prior.templates
    # (S + n·φ + κ·g) / (n + κ) with S = 4 companies all flast, κ = 2: flast rises, first.last falls
    phi = prior.floor[FLAST]
    expected = ((1 - sum(prior.floor.values())) * 4.0 + 4.0 * phi + 2.0 * g[FLAST]) / 6.0
    assert de[FLAST] == pytest.approx(expected, rel=1e-6)
    assert de[FIRST_LAST] < g[FIRST_LAST] and sum(de.values()) == pytest.approx(1.0)
    assert hierarchical().base("firma.de") == pytest.approx(g)  # no strength for the level: shrunk fully


def test_the_provider_level_applies_once_the_domain_check_names_the_provider():
    prior = hierarchical(provider=1.0)
    engine = Enricher(prior)
    lead = Lead(0, "Karin", "Lindqvist", company="Firma", website="firma.de")
    before = engine.result(lead)
    check = DomainCheck("firma.de", MailStatus.MX, mx_hosts=("firma-de.mail.protection.outlook.com",))
    check = replace(check, provider="Microsoft 365")
    after = engine.result(lead, check)
    assert engine.mixture("firma.de").prior_templates["{first}"] > 3 * prior.templates["{first}"]
    assert before.candidates[0].email == "karin.lindqvist@firma.de"
    assert "karin@firma.de" in [c.email for c in after.candidates[:2]]


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 50),
    kappa=st.floats(0.01, 1000),
    share=st.floats(0, 1),
)
def test_a_shrunk_level_is_a_proper_distribution_between_its_data_and_its_parent(n, kappa, share):
    parent = normalise({FIRST_LAST: 3.0, FLAST: 2.0, "other": 1.0})
    sums = {FIRST_LAST: n * share, FLAST: n * (1 - share)}
    pi = shrink(parent, ["tld:de"], {"tld:de": (float(n), sums)}, {"tld": kappa})
    assert sum(pi.values()) == pytest.approx(1.0)
    for t in parent:
        own = sums.get(t, 0.0) / n
        assert min(own, parent[t]) - 1e-9 <= pi[t] <= max(own, parent[t]) + 1e-9


def test_leaving_a_company_out_equals_never_having_seen_it():
    shares = {"a.de": {FLAST: 1.0}, "b.de": {FIRST_LAST: 0.5, "other": 0.5}, "c.com": {FIRST_LAST: 1.0}}
    parent = normalise({FIRST_LAST: 3.0, FLAST: 2.0, "other": 1.0})
    groups = build_groups(shares, {})
    without_a = build_groups({k: v for k, v in shares.items() if k != "a.de"}, {})
    keys = level_keys("a.de")
    strengths = {"group": 2.0, "tld": 3.0}
    loo = shrink(parent, keys, groups, strengths, exclude=(shares["a.de"], 1.0))
    assert loo == pytest.approx(shrink(parent, keys, without_a, strengths))


def test_fill_table_picks_the_lowest_threshold_with_ninety_percent_precision():
    t = Tally()
    assert t.top is not None and t.cold_top is not None
    t.top.extend([(0.72, True)] * 6 + [(0.72, False)] * 4)  # 60% right at 72%
    t.top.extend([(0.86, True)] * 19 + [(0.86, False)] * 1)  # 95% right at 86%
    t.cold_top.extend([(0.3, True), (0.3, False)])
    text, chosen = fill_table(t)
    assert chosen == 75 and chosen in FILL_THRESHOLDS  # 25 of 30 (83%) from 50% up, 19 of 20 from 75% up
    assert text.count("<- lowest") == 1 and ">= 75%" in text.splitlines()[4]
