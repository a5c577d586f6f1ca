"""Error rates, DET and error-versus-reject curves, FVC protocols."""

import numpy as np
import pytest

import galton


@pytest.fixture(scope="module")
def scores():
    sets = galton.synth.templates(seed=8, fingers=12, impressions=3)
    m = galton.Matcher()
    prepared = [[m.prepare(t) for t in s] for s in sets]
    genuine = [m.score(a, b) for s in prepared for i, a in enumerate(s) for b in s[i + 1 :]]
    impostor = [m.score(a[0], b[0]) for i, a in enumerate(prepared) for b in prepared[i + 1 :]]
    return np.array(genuine, np.float32), np.array(impostor, np.float32)


def test_error_rates(scores):
    genuine, impostor = scores
    r = galton.error_rates(genuine, impostor)
    assert (r["genuine"], r["impostor"]) == (len(genuine), len(impostor))
    assert 0 <= r["eer_low"] <= r["eer"] <= r["eer_high"] <= 1
    assert r["eer"] < 0.2
    assert r["zero_fmr"] >= r["fnmr_at_fmr_0_1_percent"] >= r["fnmr_at_fmr_1_percent"]
    assert galton.error_rates(list(map(float, genuine)), impostor.astype(np.float64)) == r


def test_det_curve_and_threshold(scores):
    genuine, impostor = scores
    t, fmr, fnmr = galton.det_curve(genuine, impostor)
    assert t.dtype == np.float32 and len(t) == len(fmr) == len(fnmr) > 0
    assert (np.diff(t) >= 0).all() and (np.diff(fmr) <= 0).all() and (np.diff(fnmr) >= 0).all()
    th = galton.threshold_at_fmr(impostor, 0.01)
    assert (impostor >= th).mean() <= 0.01


def test_error_reject_curve(scores):
    genuine, _ = scores
    quality = np.linspace(0, 100, len(genuine))
    rejected, fnmr = galton.error_reject_curve(genuine, quality, 0.05, [0.0, 0.1, 0.2])
    assert rejected.tolist() == pytest.approx([0.0, 0.1, 0.2], abs=0.02)
    assert len(fnmr) == 3 and ((0 <= fnmr) & (fnmr <= 1)).all()


def test_fvc_pairs():
    samples = [(f, i) for f in range(1, 4) for i in range(1, 4)]
    probe, gallery, genuine = galton.fvc_pairs(samples)
    assert genuine.sum() == 3 * 3  # 3 fingers, 3 pairs each
    assert (~genuine).sum() == 3  # first impressions, pairwise
    p2, g2, gen2 = galton.fvc_pairs(samples, protocol="all-pairs")
    assert len(p2) == 9 * 8 // 2
    for a, b, same in zip(probe, gallery, genuine):
        assert (samples[a][0] == samples[b][0]) == same


def test_evaluation_errors():
    with pytest.raises(galton.InvalidArgumentError):
        galton.error_rates([], [0.1])
    with pytest.raises(galton.InvalidArgumentError):
        galton.error_rates([0.5, float("nan")], [0.1])
    with pytest.raises(galton.InvalidArgumentError):
        galton.fvc_pairs([(1, 1), (1, 1)])
    with pytest.raises(ValueError):
        galton.fvc_pairs([(1, 1)], protocol="round-robin")
    with pytest.raises(TypeError):
        galton.error_rates("abc", [0.1])
    with pytest.raises(ValueError):
        galton.error_rates([[0.1, 0.2]], [0.1])
