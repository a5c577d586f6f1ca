"""galton.metrics against brute-force references, hand-made cases and bad inputs.

The hand-made cases are those of the core's ``evaluation`` tests, so the Python and Rust
numbers are checked on the same inputs. The references below are deliberately naive: plain
Python loops over float32 values, written from the definitions rather than from the module.
"""

import doctest
import math
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

from galton import metrics

F32 = np.float32


def f32_up(x):
    return np.nextafter(F32(x), F32(np.inf))


# --- brute-force references -------------------------------------------------------------------


def ref_fmr(impostor, t):
    t = F32(t)
    return sum(1 for s in impostor if F32(s) >= t) / len(impostor)


def ref_fnmr(genuine, t):
    t = F32(t)
    return sum(1 for s in genuine if F32(s) < t) / len(genuine)


def ref_points(genuine, impostor, top=True):
    scores = sorted({F32(s) for s in list(genuine) + list(impostor)})
    if top:
        scores.append(f32_up(scores[-1]))
    return [(t, ref_fmr(impostor, t), ref_fnmr(genuine, t)) for t in scores]


def ref_eer(genuine, impostor):
    points = ref_points(genuine, impostor)
    t1 = [p for p in points if p[2] <= p[1]][-1]
    t2 = [p for p in points if p[2] >= p[1]][0]
    if t1[2] + t1[1] <= t2[1] + t2[2]:
        low, high, t = t1[2], t1[1], t1[0]
    else:
        low, high, t = t2[1], t2[2], t2[0]
    return (low + high) / 2, low, high, t


def ref_threshold_at_fmr(impostor, target):
    # The core's loop: walk down the distinct scores while the share at or above stays
    # within target.
    s = sorted(F32(v) for v in impostor)
    n = len(s)
    threshold = f32_up(s[-1])
    i = n
    while i > 0:
        value = s[i - 1]
        start = sum(1 for v in s if v < value)
        if (n - start) / n > target:
            break
        threshold = value
        i = start
    return threshold


def ref_fnmr_at_fmr(genuine, impostor, target):
    return next(p[2] for p in ref_points(genuine, impostor) if p[1] <= target)


def ref_erc(genuine, quality, threshold, fractions):
    n = len(genuine)
    order = sorted(range(n), key=lambda k: (F32(quality[k]), k))
    out = []
    for f in fractions:
        skip = int(Decimal(f * n).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        kept = order[min(skip, n - 1):]
        out.append(sum(1 for k in kept if F32(genuine[k]) < F32(threshold)) / len(kept))
    return out


def random_scores(seed, n_genuine, n_impostor, decimals):
    rng = np.random.default_rng(seed)
    genuine = rng.normal(0.6, 0.15, n_genuine)
    impostor = rng.normal(0.35, 0.15, n_impostor)
    if decimals is not None:  # ties, within and across the lists
        genuine, impostor = genuine.round(decimals), impostor.round(decimals)
    return genuine.astype(F32), impostor.astype(F32)


RANDOM = [
    (seed, ng, ni, d)
    for seed, (ng, ni) in enumerate([(1, 1), (1, 7), (9, 1), (40, 60), (150, 300), (37, 500)])
    for d in (None, 2, 1)
]


# --- against the references -------------------------------------------------------------------


@pytest.mark.parametrize("seed,ng,ni,decimals", RANDOM)
def test_rates_match_the_reference(seed, ng, ni, decimals):
    genuine, impostor = random_scores(seed, ng, ni, decimals)
    thresholds = np.concatenate(
        [genuine, impostor, np.linspace(-0.5, 1.5, 41, dtype=F32), [f32_up(impostor.max())]]
    )
    got_fmr = metrics.fmr(impostor, thresholds)
    got_fnmr = metrics.fnmr(genuine, thresholds)
    assert got_fmr.dtype == np.float64 and got_fmr.shape == thresholds.shape
    assert got_fmr.tolist() == [ref_fmr(impostor, t) for t in thresholds]
    assert got_fnmr.tolist() == [ref_fnmr(genuine, t) for t in thresholds]
    # Scalars give floats, equal to the vectorised values.
    assert isinstance(metrics.fmr(impostor, thresholds[0]), float)
    assert metrics.fmr(impostor, float(thresholds[3])) == got_fmr[3]
    assert metrics.fnmr(genuine, thresholds[5]) == got_fnmr[5]


@pytest.mark.parametrize("seed,ng,ni,decimals", RANDOM)
def test_eer_matches_the_reference(seed, ng, ni, decimals):
    genuine, impostor = random_scores(seed, ng, ni, decimals)
    r = metrics.eer(genuine, impostor)
    assert (r.eer, r.low, r.high, r.threshold) == ref_eer(genuine, impostor)
    assert r.low <= r.eer <= r.high
    assert isinstance(r.threshold, np.float32)
    assert float(r) == r.eer


@pytest.mark.parametrize("seed,ng,ni,decimals", RANDOM)
def test_det_curve_matches_the_reference(seed, ng, ni, decimals):
    genuine, impostor = random_scores(seed, ng, ni, decimals)
    fm, fnm, t = metrics.det_curve(genuine, impostor)
    assert t.dtype == np.float32
    expected = ref_points(genuine, impostor, top=False)
    assert t.tolist() == [p[0] for p in expected]
    assert fm.tolist() == [p[1] for p in expected]
    assert fnm.tolist() == [p[2] for p in expected]
    assert np.all(np.diff(fm) <= 0) and np.all(np.diff(fnm) >= 0)


@pytest.mark.parametrize("seed,ng,ni,decimals", RANDOM)
@pytest.mark.parametrize("target", [0.0, 0.001, 0.01, 0.1, 1 / 3, 0.5, 1.0])
def test_threshold_and_fnmr_at_fmr_match_the_reference(seed, ng, ni, decimals, target):
    genuine, impostor = random_scores(seed, ng, ni, decimals)
    t = metrics.threshold_at_fmr(impostor, target)
    assert isinstance(t, np.float32)
    assert t == ref_threshold_at_fmr(impostor, target)
    # Within target, and the next lower impostor score would not be.
    assert metrics.fmr(impostor, t) <= target
    lower = impostor[impostor < t]
    if lower.size:
        assert metrics.fmr(impostor, lower.max()) > target
    got = metrics.fnmr_at_fmr(genuine, impostor, target)
    assert got == ref_fnmr_at_fmr(genuine, impostor, target)
    assert got <= metrics.fnmr(genuine, t)


@pytest.mark.parametrize("seed", range(6))
def test_error_reject_curve_matches_the_reference(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 60))
    genuine = rng.normal(0.6, 0.2, n).round(2).astype(F32)
    quality = rng.integers(0, 6, n).astype(F32)  # many ties, broken by input order
    fractions = np.concatenate([[0.0], rng.uniform(0, 1, 10), np.arange(1, 2 * n, 2) / (2 * n)])
    fractions = fractions[fractions < 1]
    curve = metrics.error_reject_curve(genuine, quality, 0.5, fractions)
    assert curve.rejected.tolist() == fractions.tolist()
    assert curve.fnmr.tolist() == ref_erc(genuine, quality, 0.5, fractions)


# --- hand-made cases (those of the core's tests) ----------------------------------------------


def test_eer_where_the_curves_meet_at_a_threshold():
    # At 0.35: FNMR = 1/4 (0.3 rejected), FMR = 1/4 (0.35 accepted).
    r = metrics.eer([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.35, 0.05])
    assert (r.eer, r.low, r.high) == (0.25, 0.25, 0.25)
    assert r.threshold == F32(0.35)


def test_eer_interval_read_at_t1():
    # t      0.1  0.2  0.3  0.4  0.5  0.6  0.7  0.8  0.9  above
    # FNMR   0    0    0    1/4  1/4  2/4  2/4  3/4  3/4  1
    # FMR    5/5  4/5  3/5  3/5  2/5  2/5  1/5  1/5  0    0
    # t1 = 0.5, t2 = 0.6; sums .65 <= .9: the interval is [FNMR(t1), FMR(t1)].
    genuine = [0.3, 0.5, 0.7, 0.9]
    impostor = [0.1, 0.2, 0.4, 0.6, 0.8]
    r = metrics.eer(genuine, impostor)
    assert (r.low, r.high) == (0.25, 0.4)
    assert r.eer == pytest.approx(0.325, abs=1e-12)
    assert r.threshold == F32(0.5)
    for target in (0.01, 0.001, 0.0):
        assert metrics.fnmr_at_fmr(genuine, impostor, target) == 0.75
        assert metrics.threshold_at_fmr(impostor, target) == f32_up(0.8)


def test_eer_interval_read_at_t2():
    # t      0.1  0.2  0.3  0.4  0.5  0.6  0.7  0.8  0.9  above
    # FNMR   0    0    1/5  1/5  2/5  2/5  3/5  3/5  4/5  1
    # FMR    4/4  3/4  3/4  2/4  2/4  1/4  1/4  0    0    0
    # t1 = 0.5 (sum .9), t2 = 0.6 (sum .65): the interval is [FMR(t2), FNMR(t2)].
    genuine = [0.2, 0.4, 0.6, 0.8, 0.9]
    impostor = [0.1, 0.3, 0.5, 0.7]
    r = metrics.eer(genuine, impostor)
    assert (r.low, r.high) == (0.25, 0.4)
    assert r.eer == pytest.approx(0.325, abs=1e-12)
    assert r.threshold == F32(0.6)
    assert metrics.fnmr_at_fmr(genuine, impostor, 0.0) == 0.6


def test_fmr100_fmr1000_and_zero_fmr_with_enough_impostors():
    # 2000 impostors k/2000: FMR <= 1% allows 20 of them (threshold 0.99), FMR <= 0.1%
    # allows 2 (0.999), FMR = 0 none.
    impostor = np.arange(2000, dtype=F32) / F32(2000)
    genuine = [0.2, 0.995, 0.9992, 1.0]
    assert metrics.fnmr_at_fmr(genuine, impostor, 0.01) == 0.25
    assert metrics.fnmr_at_fmr(genuine, impostor, 0.001) == 0.5
    assert metrics.fnmr_at_fmr(genuine, impostor, 0.0) == 0.75
    assert metrics.threshold_at_fmr(impostor, 0.01) == F32(0.99)
    assert metrics.threshold_at_fmr(impostor, 0.001) == F32(0.999)


def test_perfect_separation_and_total_overlap():
    assert metrics.eer([0.8, 0.9], [0.1, 0.2, 0.3]).eer == 0.0
    assert metrics.fnmr_at_fmr([0.8, 0.9], [0.1, 0.2, 0.3], 0.0) == 0.0
    # Every score equal: accept everything (FMR 1) or reject everything (FNMR 1).
    r = metrics.eer([0.5] * 3, [0.5] * 3)
    assert (r.eer, r.low, r.high) == (0.5, 0.0, 1.0)
    assert metrics.fnmr_at_fmr([0.5] * 3, [0.5] * 3, 0.0) == 1.0


def test_failures_passed_as_zero_genuine_scores_are_rejections():
    assert metrics.fnmr_at_fmr([0.0, 0.9, 0.9, 0.9], [0.1, 0.2], 0.0) == 0.25


def test_det_curve_has_one_point_per_distinct_score():
    fm, fnm, t = metrics.det_curve([0.3, 0.5, 0.5, 0.9], [0.1, 0.5, 0.3])
    assert t.tolist() == [F32(v) for v in (0.1, 0.3, 0.5, 0.9)]
    assert fm.tolist() == [1.0, 2 / 3, 1 / 3, 0.0]
    assert fnm.tolist() == [0.0, 0.0, 0.25, 0.75]


def test_threshold_at_fmr_is_the_lowest_impostor_score_within_target():
    impostor = [0.4, 0.1, 0.3, 0.2]
    assert metrics.threshold_at_fmr(impostor, 1.0) == F32(0.1)
    assert metrics.threshold_at_fmr(impostor, 0.5) == F32(0.3)
    assert metrics.threshold_at_fmr(impostor, 0.3) == F32(0.4)
    assert metrics.threshold_at_fmr(impostor, 0.25) == F32(0.4)
    assert metrics.threshold_at_fmr(impostor, 0.0) == f32_up(0.4)
    # Ties move together: 0.5 would let two of four through.
    tied = [0.5, 0.5, 0.1, 0.2]
    assert metrics.threshold_at_fmr(tied, 0.25) == f32_up(0.5)
    assert metrics.threshold_at_fmr(tied, 0.5) == F32(0.5)


def test_fnmr_at_fmr_may_read_below_threshold_at_fmr():
    # FMR is 1/2 from 0.2 (excluded) to 0.5: the genuine 0.4 is accepted at the lowest such
    # threshold, not at the impostor score 0.5 threshold_at_fmr returns.
    assert metrics.threshold_at_fmr([0.2, 0.5], 0.5) == F32(0.5)
    assert metrics.fnmr([0.4], F32(0.5)) == 1.0
    assert metrics.fnmr_at_fmr([0.4], [0.2, 0.5], 0.5) == 0.0


def test_scores_and_thresholds_are_float32():
    # float64 0.35 is above float32 0.35; both sides become float32, as in the core.
    assert metrics.fmr([0.35], 0.35) == 1.0
    assert metrics.fmr(np.array([0.35], dtype=F32), 0.35) == 1.0
    assert metrics.fnmr([0.35], np.float64(0.35)) == 0.0
    # Integers and lists are fine too.
    assert metrics.fmr([1, 2, 3, 4], 3) == 0.5


def test_threshold_arrays_keep_their_shape():
    t = np.array([[0.0, 0.2], [0.35, 1.0]])
    assert metrics.fmr([0.1, 0.2, 0.35, 0.05], t).tolist() == [[1.0, 0.5], [0.25, 0.0]]
    assert metrics.fnmr([0.9, 0.8, 0.7, 0.3], t).shape == (2, 2)
    assert metrics.fmr([0.1], []).shape == (0,)


def test_error_reject_curve_by_hand():
    # Errors at threshold 0.5: the scores 0.2 and 0.3, of quality 10 and 20.
    genuine = [0.2, 0.9, 0.8, 0.3]
    quality = [10, 90, 80, 20]
    curve = metrics.error_reject_curve(genuine, quality, 0.5, [0.0, 0.25, 0.5, 0.75, 0.99])
    # 0.99 * 4 rounds to 4, but one comparison is always kept.
    assert curve.fnmr.tolist() == [0.5, 1 / 3, 0.0, 0.0, 0.0]
    rejected, fnmr = curve
    assert rejected.tolist() == [0.0, 0.25, 0.5, 0.75, 0.99]
    assert fnmr is curve.fnmr


def test_error_reject_curve_rounds_halves_up_and_breaks_ties_by_order():
    # 4 comparisons, all of quality 1: input order decides, the first is rejected first.
    genuine = [0.1, 0.9, 0.2, 0.9]
    quality = [1, 1, 1, 1]
    # 0.125 * 4 = 0.5 rounds to 1 (numpy's round would give 0), 1.5 to 2, 2.5 to 3 (not 2).
    curve = metrics.error_reject_curve(genuine, quality, 0.5, [0.125, 0.375, 0.625])
    assert curve.fnmr.tolist() == [1 / 3, 0.5, 0.0]
    # Reversed order: the errors are now the last ones rejected.
    curve = metrics.error_reject_curve(genuine[::-1], quality, 0.5, [0.125, 0.375, 0.625])
    assert curve.fnmr.tolist() == [2 / 3, 0.5, 1.0]
    # A single fraction may be a number.
    assert metrics.error_reject_curve(genuine, quality, 0.5, 0.0).fnmr.tolist() == [0.5]


# --- bad inputs -------------------------------------------------------------------------------

NAN = float("nan")


@pytest.mark.parametrize(
    "call",
    [
        lambda g, i: metrics.eer(g, i),
        lambda g, i: metrics.det_curve(g, i),
        lambda g, i: metrics.fnmr_at_fmr(g, i, 0.01),
    ],
    ids=["eer", "det_curve", "fnmr_at_fmr"],
)
@pytest.mark.parametrize(
    "genuine,impostor,message",
    [
        ([], [0.5], "no genuine scores"),
        ([0.5], [], "no impostor scores"),
        ([0.5, NAN], [0.1], "genuine score 1 is NaN"),
        ([0.5], [NAN], "impostor score 0 is NaN"),
        ([[0.5, 0.6]], [0.1], r"genuine scores must be a 1-D array, got shape \(1, 2\)"),
        ([0.5], 0.1, r"impostor scores must be a 1-D array, got shape \(\)"),
        (["a"], [0.1], "genuine scores must be an array of numbers"),
    ],
)
def test_bad_scores_are_refused(call, genuine, impostor, message):
    with pytest.raises(ValueError, match=message):
        call(genuine, impostor)


@pytest.mark.parametrize(
    "scores,threshold,message",
    [
        ([], 0.5, "no impostor scores"),
        ([0.1, NAN], 0.5, "impostor score 1 is NaN"),
        (np.zeros((2, 2)), 0.5, "must be a 1-D array"),
        ([0.1], NAN, "threshold is NaN"),
        ([0.1], [0.2, NAN], "threshold is NaN"),
        ([0.1], "x", "threshold must be a number"),
    ],
)
def test_bad_fmr_inputs_are_refused(scores, threshold, message):
    with pytest.raises(ValueError, match=message):
        metrics.fmr(scores, threshold)
    with pytest.raises(ValueError, match=message.replace("impostor", "genuine")):
        metrics.fnmr(scores, threshold)


@pytest.mark.parametrize("target", [-0.1, 1.1, NAN, float("inf")])
def test_target_outside_0_1_is_refused(target):
    with pytest.raises(ValueError, match=r"target false match rate .* is not in \[0, 1\]"):
        metrics.threshold_at_fmr([0.5], target)
    with pytest.raises(ValueError, match=r"target false match rate .* is not in \[0, 1\]"):
        metrics.fnmr_at_fmr([0.5], [0.4], target)
    with pytest.raises(ValueError, match="not a number"):
        metrics.threshold_at_fmr([0.5], "often")


def test_bad_threshold_at_fmr_scores_are_refused():
    with pytest.raises(ValueError, match="no impostor scores"):
        metrics.threshold_at_fmr([], 0.01)
    with pytest.raises(ValueError, match="impostor score 0 is NaN"):
        metrics.threshold_at_fmr([NAN], 0.01)
    with pytest.raises(ValueError, match="1-D"):
        metrics.threshold_at_fmr([[0.5]], 0.01)


@pytest.mark.parametrize(
    "genuine,quality,threshold,fractions,message",
    [
        ([0.5, 0.6], [1.0], 0.5, [0.0], r"one quality per genuine score \(2 scores, 1 qualities\)"),
        ([], [], 0.5, [0.0], "no genuine scores"),
        ([0.5], [], 0.5, [0.0], "no qualities"),
        ([NAN], [1.0], 0.5, [0.0], "genuine score 0 is NaN"),
        ([0.5], [NAN], 0.5, [0.0], "quality 0 is NaN"),
        ([0.5], [[1.0]], 0.5, [0.0], "qualities must be a 1-D array"),
        ([0.5], [1.0], NAN, [0.0], "threshold is NaN"),
        ([0.5], [1.0], [0.5, 0.6], [0.0], "threshold must be a single number"),
        ([0.5], [1.0], 0.5, [1.0], r"rejected fraction 1.0 is not in \[0, 1\)"),
        ([0.5], [1.0], 0.5, [0.2, -0.1], r"rejected fraction -0.1 is not in \[0, 1\)"),
        ([0.5], [1.0], 0.5, [NAN], r"rejected fraction nan is not in \[0, 1\)"),
        ([0.5], [1.0], 0.5, [[0.1]], "fractions must be a 1-D array"),
        ([0.5], [1.0], 0.5, ["x"], "fractions must be an array of numbers"),
    ],
)
def test_bad_error_reject_inputs_are_refused(genuine, quality, threshold, fractions, message):
    with pytest.raises(ValueError, match=message):
        metrics.error_reject_curve(genuine, quality, threshold, fractions)


# --- the module itself ------------------------------------------------------------------------


def test_docstring_examples():
    result = doctest.testmod(metrics, extraglobs={"metrics": metrics}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_imports_with_numpy_alone():
    # Loaded by path as a standalone module: no relative import, no native extension, no
    # matplotlib.
    path = Path(metrics.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(path)!r})\n"
        "m = sys.modules['m'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(m)\n"
        "assert m.eer([0.9], [0.1]).eer == 0.0\n"
        "bad = [n for n in sys.modules if n.startswith(('galton', 'matplotlib'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rates_are_exact_fractions():
    # Division of integer counts, as in the core: 1/3 is the nearest double, not a sum.
    assert metrics.fmr([0.1, 0.2, 0.3], 0.3) == 1 / 3
    assert math.isclose(metrics.eer([0.3, 0.5, 0.7, 0.9], [0.1, 0.2, 0.4, 0.6, 0.8]).eer, 0.325)
