"""The compiled loops (core/_speedups.pyx) give exactly what their pure-Python twins in core.formats give: the same
renderings, the same matching templates, the same summed probabilities (bit for bit) and naming pairs; `make` builds
the same objects as the dataclasses' own __init__. Where a C
compiler is installed the module must have been built (pip install -e . does it), so a broken build fails here
instead of silently running the slow loops."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadassist.core import formats
from leadassist.core.models import NameVariant
from leadassist.core.names import name_variants
from leadassist.core.templates import TEMPLATES, compile_template, render_ops

ROOT = Path(__file__).resolve().parents[2]

if os.environ.get("LEADASSIST_PURE_PYTHON") != "1" and shutil.which("cc") and formats.speedups is None:
    pytest.fail("leadassist.core._speedups is not built although a C compiler is here: run pip install -e .",
                pytrace=False)  # fmt: skip
speedups = pytest.importorskip("leadassist.core._speedups")

# Name parts as the spellings hold them (lowercase ASCII), with the separators and empties that make renders fail.
part = st.text(alphabet="abcz.-_9", max_size=9)
parts = st.tuples(part, part, part)


@settings(max_examples=400, deadline=None)
@given(parts)
def test_render_is_the_compiled_templates_rendering(p: tuple[str, str, str]) -> None:
    v = NameVariant(*p)
    for key in TEMPLATES:
        assert speedups.render(render_ops(key), p) == compile_template(key)(v), key


@settings(max_examples=300, deadline=None)
@given(parts, st.sampled_from(TEMPLATES), st.text(alphabet="abz.-_", max_size=12), st.booleans())
def test_matching_equals_the_python_loop(p: tuple[str, str, str], key: str, noise: str, rendered: bool) -> None:
    v = NameVariant(*p)
    local = (compile_template(key)(v) or noise) if rendered else noise  # often a real rendering, else anything
    if not local:
        return
    heads, compiled_heads = formats._could_render(local)
    assert speedups.matching(compiled_heads, p, local) == formats._matching_py(heads, v, local)


def _spellings(draw: st.DrawFn) -> list[tuple[NameVariant, float]]:
    first = draw(st.sampled_from(["Jürgen", "Anna", "José María", "Li", "", "Bob"]))
    last = draw(st.sampled_from(["Müller", "van der Berg", "García-López", "O'Neil", "", "Smith"]))
    variants = name_variants(first, last, "") or name_variants("Anna", "Smith", "")
    weights = [draw(st.floats(0.01, 1.0)) for _ in variants]
    return sorted(zip(variants, weights, strict=True), key=lambda vw: -vw[1])


@st.composite
def _loops(draw: st.DrawFn) -> tuple:
    spellings = _spellings(draw)
    keys = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=len(TEMPLATES), unique=True))
    weights = sorted((draw(st.floats(0.0001, 1.0)) for _ in keys), reverse=True)
    applicable = [(k, compile_template(k), ":" in k, render_ops(k)) for k in keys]
    mass = sum(weights)
    rendered = [r for k in keys for v, _ in spellings if (r := compile_template(k)(v))]
    some = st.lists(st.sampled_from(rendered), max_size=3) if rendered else st.just([])
    taken = {local: draw(st.sampled_from(["Anna Smith", "someone else"])) for local in draw(some)}
    exclude, ruled_out = frozenset(draw(some)), frozenset(draw(some))
    return (applicable, weights, draw(st.floats(0.5, 1.0)), mass + draw(st.floats(0.0, 1.0)), mass, spellings,
            draw(st.integers(1, 6)), taken, "Anna Smith", exclude, ruled_out, 0.1,
            draw(st.sampled_from([0.0, 0.01, 0.2])), draw(st.sampled_from([0.0, 0.0005, 0.01])))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_loops())
def test_accumulate_equals_the_python_loop(args: tuple) -> None:
    assert speedups.accumulate(*args) == formats._accumulate_py(*args)  # floats compared exactly


def test_enrich_output_is_the_same_with_and_without_the_compiled_loops(tmp_path: Path) -> None:
    """End to end on the bundled sample: the CLI's file is byte for byte the same in a pure-Python process."""
    outs = []
    for pure in ("0", "1"):
        out = tmp_path / f"out{pure}.csv"
        env = {**os.environ, "LEADASSIST_PURE_PYTHON": pure}
        code = "import sys; from leadassist.core import compiled; print(compiled.COMPILED)"
        compiled = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert compiled.stdout.strip() == ("False" if pure == "1" else "True")
        subprocess.run(
            [sys.executable, "-m", "leadassist", "--data-dir", str(tmp_path / "data"), "enrich",
             str(ROOT / "resources" / "sample_leads.csv"), "-o", str(out), "--offline"],
            env=env, capture_output=True, check=True, cwd=tmp_path,
        )  # fmt: skip
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_rank_takes_any_mapping_and_sets_as_the_pure_loop_does():
    from leadassist.core.formats import learn_mixture, load_prior

    prior = load_prior()
    mixture = learn_mixture("acme.example", [], prior)
    variants = name_variants("Jana", "Nováková", "")
    plain = formats.rank(variants, mixture, prior, domain="acme.example", taken={"jana.novakova": "Someone"},
                         exclude=frozenset({"jnovakova"}))  # fmt: skip
    loose = formats.rank(variants, mixture, prior, domain="acme.example",
                         taken=dict.fromkeys(["jana.novakova"], "Someone").items().mapping,
                         exclude={"jnovakova"}, ruled_out=set())  # fmt: skip
    assert loose == plain and "jnovakova@acme.example" not in [c.email for c in plain]


def _made_per_lead() -> list[tuple[type, tuple]]:
    from leadassist.core.models import Candidate, DomainCheck, EmailSource, Lead, LeadResult, MailStatus

    cand = Candidate("ann.lee@acme.example", 0.5, "first.last", "why", frozenset({"fold:plain"}))
    check = DomainCheck("acme.example", MailStatus.MX, "", ("mx.acme.example",))
    result = (3, cand.email, EmailSource.INFERRED, 50, "first.last", ("a@acme.example",), "why", "acme.example",
              "website", (cand,), ("role",), check, 90, ())  # fmt: skip
    return [
        (Candidate, ("ann.lee@acme.example", 0.5, "first.last", "why", frozenset({"fold:plain"}))),
        (NameVariant, ("ann", "lee", "", frozenset(), 0.25)),
        (Lead, (3, "Ann", "Lee", "", "Acme", "", "acme.example", "", "", "", "")),
        (LeadResult, result),
    ]


@pytest.mark.parametrize(("cls", "values"), _made_per_lead(), ids=lambda x: getattr(x, "__name__", ""))
def test_make_builds_what_the_dataclass_builds_and_it_stays_frozen(cls: type, values: tuple) -> None:
    import dataclasses

    from leadassist.core.compiled import _make_py, fields_of

    names = fields_of(cls)
    made = speedups.make(cls, names, values)
    assert type(made) is cls
    assert made == cls(*values) == _make_py(cls, names, values)
    assert [getattr(made, n) for n in names] == list(values)
    assert hash(made) == hash(cls(*values))  # all four are frozen dataclasses: hashable
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], values[0])
    with pytest.raises(TypeError):
        speedups.make(cls, names, values[:-1])  # every value is given


def test_fields_of_refuses_a_class_make_would_build_wrongly() -> None:
    import dataclasses

    from leadassist.core.compiled import fields_of

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:  # make would skip this
            raise ValueError

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        x: int

    for cls in (Checked, NoSlots):
        with pytest.raises(TypeError):
            fields_of(cls)
