"""A bounce as the model sees it: that address is ruled out for that person, the template(s) that made it lose weight
as one negative observation, the person's other candidates are conditioned on it, and the evidence names it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadassist.core.enrich import Enricher
from leadassist.core.formats import load_prior
from leadassist.core.models import KnownAddress

DOMAIN = "acme.example"
COLLEAGUES = [("Hans", "Meier"), ("Eva", "Lang"), ("Tim", "Kurz"), ("Ute", "Roth"), ("Karl", "Berg"), ("Ida", "Wolf")]
FORMATS = {
    "first.last": lambda f, s: f"{f}.{s}",
    "flast": lambda f, s: f[0] + s,
    "first": lambda f, s: f,
    "firstl": lambda f, s: f + s[0],
    "last.first": lambda f, s: f"{s}.{f}",
}
# Names a rep's CRM holds: umlauts (two spellings), particles, double surnames, nicknames, short names.
PEOPLE = [
    ("Jürgen", "Weiß"),
    ("Jane", "Doe"),
    ("Robert", "van der Berg"),
    ("María", "García López"),
    ("Bo", "Li"),
    ("Anne-Marie", "Østergaard"),
    ("William", "Smith"),
    ("Zoë", "Müller-Lüdenscheidt"),
]
ALL = 500  # no candidate cut off: probabilities are then complete sums over the model


def _model_p(p: float) -> float:
    """The probability before calibration (the model's, times the domain's reliability): σ(a·logit(p) + b) undone."""
    a, b = load_prior().calibration
    return 1.0 / (1.0 + math.exp(-((math.log(p / (1 - p)) - b) / a)))


def _engine(colleague_formats: list[str], bounced: list[KnownAddress] = ()) -> Enricher:
    known = [
        KnownAddress(f, s, f"{FORMATS[fmt](f.lower(), s.lower())}@{DOMAIN}")
        for (f, s), fmt in zip(COLLEAGUES, colleague_formats, strict=False)
    ]
    return Enricher(max_candidates=ALL, known=known, bounced=bounced)


@settings(max_examples=120, deadline=None)
@given(
    formats=st.lists(st.sampled_from(sorted(FORMATS)), max_size=len(COLLEAGUES)),
    person=st.sampled_from(PEOPLE),
    pick=st.integers(0, 7),
    earlier=st.booleans(),
    reliability=st.sampled_from([1.0, 0.97, 0.85]),  # the chance the domain is right (colleagues, website)
)
def test_marking_a_candidate_bounced_never_raises_another_above_its_share_of_the_remaining_mass(
    formats, person, pick, earlier, reliability
):
    first, last = person
    colleague_bounce = [KnownAddress("Eva", "Lang", f"eva.lang@{DOMAIN}")] if earlier else []
    before = _engine(formats, colleague_bounce).candidates(first, last, "", DOMAIN, reliability)
    x = before[min(pick, len(before) - 1)]
    mark = KnownAddress(first, last, x.email, source="feedback")
    after = _engine(formats, [*colleague_bounce, mark]).candidates(first, last, "", DOMAIN, reliability)
    assert x.email not in {c.email for c in after}
    p_x = _model_p(x.probability)
    was = {c.email: _model_p(c.probability) for c in before}
    for c in after:
        assert _model_p(c.probability) <= was[c.email] / (1 - p_x) + 1e-6, (c.email, x.email)
        # ... and it is exactly that share: P(y | not x) = P(y) / (1 - P(x)), nothing else moved them
        assert _model_p(c.probability) == pytest.approx(was[c.email] / (1 - p_x), abs=1e-5)


def test_a_bounce_lowers_the_format_that_made_it_for_colleagues_and_the_others_follow_the_model():
    formats = ["first.last"] * 3 + ["flast"] * 2
    before = {c.email: c.probability for c in _engine(formats).candidates("Jane", "Doe", "", DOMAIN)}
    bounce = KnownAddress("Ida", "Wolf", f"ida.wolf@{DOMAIN}", source="feedback")
    after = {c.email: c.probability for c in _engine(formats, [bounce]).candidates("Jane", "Doe", "", DOMAIN)}
    assert after[f"jane.doe@{DOMAIN}"] < before[f"jane.doe@{DOMAIN}"]
    assert after[f"jdoe@{DOMAIN}"] > before[f"jdoe@{DOMAIN}"]
    # One bounce weighs about what one colleague's address does: first.last (3 of 5 colleagues) stays first.
    assert max(after, key=after.__getitem__) == f"jane.doe@{DOMAIN}"


def test_evidence_names_exactly_what_bounced_and_only_on_the_format_that_made_it():
    formats = ["first.last"] * 3 + ["flast"] * 2
    bounce = KnownAddress("Jane", "Doe", f"jane.doe@{DOMAIN}", source="feedback")
    engine = _engine(formats, [bounce])
    own = engine.candidates("Jane", "Doe", "", DOMAIN)
    assert own and all(f"jane.doe@{DOMAIN} bounced" in c.evidence for c in own)
    assert not any("bounced here before" in c.evidence for c in own)
    colleague = {c.email: c.evidence for c in engine.candidates("Ole", "Holm", "", DOMAIN)}
    assert f"jane.doe@{DOMAIN} (first.last) bounced" in colleague[f"ole.holm@{DOMAIN}"]
    assert "bounced" not in colleague[f"oholm@{DOMAIN}"]  # flast made nothing that bounced


def test_a_bounce_without_the_persons_name_is_only_ruled_out():
    engine = Enricher(bounced=[f"jane.doe@{DOMAIN}"])
    cands = engine.candidates("Jane", "Doe", "", DOMAIN)
    assert cands and f"jane.doe@{DOMAIN}" not in {c.email for c in cands}
    assert engine.mixture(DOMAIN).bounced == 0
