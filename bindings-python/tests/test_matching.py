"""match, Matcher (prepared templates, score_many) and explain."""

import numpy as np
import pytest

import galton

from conftest import SYNTH


@pytest.fixture(scope="module")
def templates():
    return {p.stem: galton.extract(p) for p in sorted(SYNTH.glob("[12]_[12].png"))}


def test_match_genuine_above_impostor(templates):
    genuine = galton.match(templates["1_1"], templates["1_2"])
    impostor = galton.match(templates["1_1"], templates["2_1"])
    assert 0.0 <= impostor < genuine <= 1.0
    assert genuine > galton.thresholds["fmr_0_01_percent"]
    assert galton.match(templates["1_1"], templates["1_1"]) > 0.9


def test_match_real_fvc2002(fvc_db1b):
    a = galton.extract(fvc_db1b / "101_1.tif")
    b = galton.extract(fvc_db1b / "101_2.tif")
    c = galton.extract(fvc_db1b / "102_1.tif")
    assert galton.match(a, b) > galton.match(a, c)


def test_matcher_prepared_equals_match(templates):
    m = galton.Matcher()
    a, b = templates["1_1"], templates["1_2"]
    pa, pb = m.prepare(a), m.prepare(b)
    assert isinstance(pa, galton.PreparedTemplate)
    assert pa.template == a and len(pa) > 0
    assert m.score(pa, pb) == pytest.approx(galton.match(a, b))
    assert m.score(a, pb) == pytest.approx(m.score(pa, b))
    scores = m.score_many(pa, [pb, m.prepare(templates["2_1"]), a])
    assert scores.dtype == np.float32 and scores.shape == (3,)
    assert scores[0] == pytest.approx(galton.match(a, b))
    assert "Matcher(kernel=" in repr(m)


def test_explain_plain_objects(templates):
    a, b = templates["1_1"], templates["1_2"]
    e = galton.explain(a, b)
    assert isinstance(e, galton.Explanation)
    assert e.score == pytest.approx(galton.match(a, b))
    assert e.pairs and isinstance(e.pairs[0], galton.MatchedPair)
    weights = [p.weight for p in e.pairs]
    assert weights == sorted(weights, reverse=True)
    for p in e.pairs:
        assert 0 <= p.probe < len(a.minutiae) and 0 <= p.candidate < len(b.minutiae)
    assert isinstance(e.alignment, galton.Alignment) and e.alignment.scale > 0
    assert galton.Matcher().explain(a, b) == e


def test_matching_wrong_types(templates):
    with pytest.raises(TypeError):
        galton.match(templates["1_1"], "not a template")
    with pytest.raises(TypeError):
        galton.Matcher().score(templates["1_1"], 3)
