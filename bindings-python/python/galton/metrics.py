"""Verification accuracy from genuine and impostor scores, in numpy.

The same measures as galton's core (``galton::evaluation``), computed the same way, so the
numbers are equal: FMR and FNMR at a threshold, the threshold for a target FMR, the FVC
equal error rate with its interval, the DET curve, the FNMR at a target FMR and the
error-versus-reject curve of a quality measure. Only numpy is needed; the native extension
is not.

Scores are similarities and **a score at or above the threshold is a match**. At threshold
``t``:

- FMR(t), the false match rate, is the share of impostor scores ``>= t``;
- FNMR(t), the false non-match rate, is the share of genuine scores ``< t``.

A comparison that could not be made (a failure to enrol or to extract) must still be counted:
pass it as a **genuine score of 0**, as FVC counts such failures as rejections of genuine
pairs.

Like the core, scores, qualities and thresholds are held as ``float32`` (the precision
galton's matcher scores have): inputs of another dtype are converted first, so a Python
``0.35`` means ``float32(0.35)`` on both sides of a comparison. Thresholds are returned as
``numpy.float32``; rates as Python ``float`` (``float64`` arrays for arrays of thresholds).

Inputs must be one-dimensional, non-empty and free of NaN; anything else raises
:class:`ValueError`.

>>> from galton import metrics
>>> genuine = [0.9, 0.8, 0.7, 0.3]
>>> impostor = [0.1, 0.2, 0.35, 0.05]
>>> metrics.eer(genuine, impostor).eer
0.25
>>> metrics.fmr(impostor, 0.2), metrics.fnmr(genuine, 0.2)
(0.5, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Tuple, Union, overload

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "EER",
    "ErrorRejectCurve",
    "det_curve",
    "eer",
    "error_reject_curve",
    "fmr",
    "fnmr",
    "fnmr_at_fmr",
    "threshold_at_fmr",
]

_Threshold = Union[float, np.floating]


# --- validation ------------------------------------------------------------------------------


def _as_1d(what: str, one: str, values: ArrayLike) -> np.ndarray:
    """``values`` as a 1-D float32 array; refuses other shapes, an empty array and NaN.

    ``what`` names the values in messages (``"genuine scores"``), ``one`` one of them
    (``"genuine score"``).
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be an array of numbers: {e}") from None
    if array.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"no {what}")
    nan = np.flatnonzero(np.isnan(array))
    if nan.size:
        raise ValueError(f"{one} {nan[0]} is NaN")
    with np.errstate(over="ignore"):
        return array.astype(np.float32)


def _sorted(what: str, scores: ArrayLike) -> np.ndarray:
    """A float32 copy of the scores, sorted ascending."""
    return np.sort(_as_1d(f"{what} scores", f"{what} score", scores))


def _thresholds(threshold: ArrayLike) -> np.ndarray:
    """Thresholds as float32 (any shape); refuses NaN."""
    try:
        t = np.asarray(threshold, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"threshold must be a number or an array of numbers: {e}") from None
    if np.isnan(t).any():
        raise ValueError("threshold is NaN")
    with np.errstate(over="ignore"):
        return t.astype(np.float32)


def _target(target: float) -> float:
    """A target false match rate in ``[0, 1]``, as Python float."""
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target false match rate {target!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"target false match rate {value} is not in [0, 1]")
    return value


def _next_up(value: np.float32) -> np.float32:
    """The smallest float32 above ``value`` (Rust's ``f32::next_up``)."""
    return np.nextafter(np.float32(value), np.float32(np.inf))


# --- rates from sorted scores ----------------------------------------------------------------


def _fmr_sorted(impostor: np.ndarray, t: np.ndarray) -> np.ndarray:
    n = impostor.size
    return (n - np.searchsorted(impostor, t, side="left")) / n


def _fnmr_sorted(genuine: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.searchsorted(genuine, t, side="left") / genuine.size


def _distinct(genuine: np.ndarray, impostor: np.ndarray) -> np.ndarray:
    """Every distinct score of either list, ascending."""
    return np.unique(np.concatenate([genuine, impostor]))


def _points(genuine: np.ndarray, impostor: np.ndarray) -> Tuple[np.ndarray, ...]:
    """``(thresholds, fmr, fnmr)`` at every distinct score and just above the highest one."""
    distinct = _distinct(genuine, impostor)
    t = np.append(distinct, _next_up(distinct[-1])).astype(np.float32)
    return t, _fmr_sorted(impostor, t), _fnmr_sorted(genuine, t)


def _rates_out(rates: np.ndarray, t: np.ndarray) -> Union[float, np.ndarray]:
    return float(rates) if t.ndim == 0 else rates


# --- public API ------------------------------------------------------------------------------


@overload
def fmr(impostor: ArrayLike, threshold: _Threshold) -> float: ...
@overload
def fmr(impostor: ArrayLike, threshold: np.ndarray) -> np.ndarray: ...


def fmr(impostor: ArrayLike, threshold: ArrayLike) -> Union[float, np.ndarray]:
    """False match rate: the share of impostor scores ``>= threshold``.

    ``threshold`` may be a number (the result is a ``float``) or an array of any shape (the
    result is a ``float64`` array of that shape).

    >>> fmr([0.1, 0.2, 0.35, 0.05], 0.2)
    0.5
    >>> fmr([0.1, 0.2, 0.35, 0.05], [0.0, 0.35, 0.4]).tolist()
    [1.0, 0.25, 0.0]
    """
    t = _thresholds(threshold)
    return _rates_out(_fmr_sorted(_sorted("impostor", impostor), t), t)


@overload
def fnmr(genuine: ArrayLike, threshold: _Threshold) -> float: ...
@overload
def fnmr(genuine: ArrayLike, threshold: np.ndarray) -> np.ndarray: ...


def fnmr(genuine: ArrayLike, threshold: ArrayLike) -> Union[float, np.ndarray]:
    """False non-match rate: the share of genuine scores ``< threshold``.

    ``threshold`` may be a number (the result is a ``float``) or an array of any shape (the
    result is a ``float64`` array of that shape).

    >>> fnmr([0.9, 0.8, 0.7, 0.3], 0.7)
    0.25
    >>> fnmr([0.9, 0.8, 0.7, 0.3], [0.3, 0.8, 1.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    t = _thresholds(threshold)
    return _rates_out(_fnmr_sorted(_sorted("genuine", genuine), t), t)


def threshold_at_fmr(impostor: ArrayLike, target: float) -> np.float32:
    """The decision threshold for a target false match rate, from impostor scores alone.

    Returns the smallest threshold ``t`` with FMR(t) ``<= target``, searched among the impostor
    scores themselves and the value just above the highest one (returned when even the
    highest impostor score is one false match too many). Tied scores move together: a score
    is only returned if *all* the impostor scores equal to it fit within the target. Any
    threshold between the returned one and the next lower impostor score (excluded) gives
    the same FMR; the returned one is the most lenient. Same as the core's
    ``evaluation::threshold_at_fmr``.

    Raises :class:`ValueError` when ``target`` is not in ``[0, 1]``.

    >>> impostor = [0.4, 0.1, 0.3, 0.2]
    >>> print(threshold_at_fmr(impostor, 0.5))
    0.3
    >>> t = threshold_at_fmr(impostor, 0.0)  # just above 0.4
    >>> bool(t > 0.4), fmr(impostor, t)
    (True, 0.0)
    >>> print(threshold_at_fmr([0.5, 0.5, 0.1, 0.2], 0.5))
    0.5
    """
    fmr_target = _target(target)
    scores = _sorted("impostor", impostor)
    distinct = np.unique(scores)
    within = _fmr_sorted(scores, distinct) <= fmr_target
    # FMR falls as the threshold rises, so the scores within target are a top run.
    if within.any():
        return np.float32(distinct[int(np.argmax(within))])
    return _next_up(scores[-1])


@dataclass(frozen=True)
class EER:
    """The equal error rate, FVC definition, with the interval that holds it.

    ``float(result)`` is ``result.eer``.
    """

    eer: float
    """The midpoint of ``[low, high]``."""
    low: float
    """Lower end of the FVC interval that holds the EER."""
    high: float
    """Upper end of the FVC interval that holds the EER."""
    threshold: np.float32
    """The threshold (``t1`` or ``t2`` of the FVC definition) the interval was read at."""

    def __float__(self) -> float:
        return self.eer


def eer(genuine: ArrayLike, impostor: ArrayLike) -> EER:
    """The equal error rate as FVC defines it, with its interval and threshold.

    The rates are read at every distinct score (genuine or impostor) and just above the
    highest one. Following Maio et al., "FVC2000: Fingerprint Verification Competition"
    (2002): with ``t1`` the highest of those thresholds where FNMR ``<=`` FMR and ``t2`` the
    lowest where FNMR ``>=`` FMR, the EER lies in ``[FNMR(t1), FMR(t1)]`` if
    ``FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2)``, otherwise in ``[FMR(t2), FNMR(t2)]``, and is
    the midpoint of that interval. Where the curves meet at a threshold the interval is that
    single value. Same numbers as the core's ``ErrorRates::compute``.

    >>> r = eer([0.3, 0.5, 0.7, 0.9], [0.1, 0.2, 0.4, 0.6, 0.8])
    >>> r.low, r.high, round(r.eer, 6)
    (0.25, 0.4, 0.325)
    >>> print(r.threshold)
    0.5
    """
    g = _sorted("genuine", genuine)
    i = _sorted("impostor", impostor)
    t, fm, fnm = _points(g, i)
    # The first threshold accepts everything (FNMR 0) and the last rejects everything
    # (FMR 0), so both t1 and t2 exist.
    t1 = int(np.flatnonzero(fnm <= fm)[-1])
    t2 = int(np.flatnonzero(fnm >= fm)[0])
    if fnm[t1] + fm[t1] <= fm[t2] + fnm[t2]:
        low, high, at = float(fnm[t1]), float(fm[t1]), t[t1]
    else:
        low, high, at = float(fm[t2]), float(fnm[t2]), t[t2]
    return EER(eer=(low + high) / 2.0, low=low, high=high, threshold=np.float32(at))


def det_curve(genuine: ArrayLike, impostor: ArrayLike) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The DET curve: ``(fmr, fnmr, thresholds)`` at each distinct score, ascending.

    One point per distinct score of either list, by ascending threshold, so FMR falls and
    FNMR rises along it (the core's ``evaluation::det_curve``). ``fmr`` and ``fnmr`` are
    ``float64``, ``thresholds`` ``float32``.

    >>> fm, fnm, t = det_curve([0.3, 0.5, 0.5, 0.9], [0.1, 0.5, 0.3])
    >>> t.tolist() == [float(np.float32(v)) for v in (0.1, 0.3, 0.5, 0.9)]
    True
    >>> fnm.tolist()
    [0.0, 0.0, 0.25, 0.75]
    """
    g = _sorted("genuine", genuine)
    i = _sorted("impostor", impostor)
    t = _distinct(g, i)
    return _fmr_sorted(i, t), _fnmr_sorted(g, t), t


def fnmr_at_fmr(genuine: ArrayLike, impostor: ArrayLike, target: float) -> float:
    """The lowest FNMR with FMR ``<= target``, as FVC reports FMR100 (``target=0.01``),
    FMR1000 (``0.001``) and ZeroFMR (``0``).

    Read at the lowest of the thresholds :func:`eer` uses (every distinct score and just
    above the highest) whose FMR is within target, as the core's ``ErrorRates::compute``
    does. That threshold may be a genuine score below :func:`threshold_at_fmr`, so
    ``fnmr(genuine, threshold_at_fmr(impostor, target))`` is never lower than this and is
    equal when no genuine score lies just below that threshold.

    Raises :class:`ValueError` when ``target`` is not in ``[0, 1]``.

    >>> fnmr_at_fmr([0.3, 0.5, 0.7, 0.9], [0.1, 0.2, 0.4, 0.6, 0.8], 0.0)
    0.75
    >>> fnmr_at_fmr([0.4], [0.2, 0.5], 0.5), fnmr([0.4], threshold_at_fmr([0.2, 0.5], 0.5))
    (0.0, 1.0)
    """
    fmr_target = _target(target)
    g = _sorted("genuine", genuine)
    i = _sorted("impostor", impostor)
    _, fm, fnm = _points(g, i)
    return float(fnm[int(np.flatnonzero(fm <= fmr_target)[0])])


class ErrorRejectCurve(NamedTuple):
    """An error-versus-reject curve: ``rejected[k]`` of the genuine comparisons rejected for
    quality leave an FNMR of ``fnmr[k]``. Unpacks as ``rejected, fnmr = curve``."""

    rejected: np.ndarray
    """Fraction of the genuine comparisons rejected, 0–1 (the ``fractions`` asked for)."""
    fnmr: np.ndarray
    """FNMR of the remaining genuine comparisons at the fixed threshold."""


def error_reject_curve(
    genuine: ArrayLike,
    quality: ArrayLike,
    threshold: float,
    fractions: ArrayLike,
) -> ErrorRejectCurve:
    """The error-versus-reject curve of a quality measure (as NFIQ 2 is validated).

    The genuine comparisons are ranked by ``quality`` (the quality of a pair, usually the
    lower of its two samples'); for each fraction in ``fractions`` the lowest-quality share
    of them is rejected and the FNMR of the rest is measured at the fixed ``threshold``
    (a score ``>= threshold`` is a match). Ties in quality are broken by input order (the
    earlier is rejected first), so exactly ``round(fraction * n)`` comparisons are rejected,
    rounding halves up, and at least one is always kept. Same as the core's
    ``evaluation::error_reject_curve``.

    A quality measure that predicts errors makes the curve fall faster than random
    rejection, which leaves the FNMR where it was.

    Raises :class:`ValueError` when ``genuine`` and ``quality`` differ in length, a score,
    quality or the threshold is NaN, or a fraction is outside ``[0, 1)``.

    >>> genuine = [0.2, 0.9, 0.8, 0.3]   # two errors at threshold 0.5 ...
    >>> quality = [10, 90, 80, 20]       # ... on the two worst samples
    >>> curve = error_reject_curve(genuine, quality, 0.5, [0.0, 0.25, 0.5])
    >>> curve.fnmr.tolist()
    [0.5, 0.3333333333333333, 0.0]
    """
    g = _as_1d("genuine scores", "genuine score", genuine)
    q = _as_1d("qualities", "quality", quality)
    if g.size != q.size:
        raise ValueError(
            "error-versus-reject curve needs one quality per genuine score "
            f"({g.size} scores, {q.size} qualities)"
        )
    t = _thresholds(threshold)
    if t.ndim != 0:
        raise ValueError(f"threshold must be a single number, got shape {t.shape}")
    try:
        f = np.asarray(fractions, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"fractions must be an array of numbers: {e}") from None
    if f.ndim > 1:
        raise ValueError(f"fractions must be a 1-D array, got shape {f.shape}")
    f = np.atleast_1d(f)
    bad = ~((f >= 0.0) & (f < 1.0))  # also catches NaN
    if bad.any():
        raise ValueError(f"rejected fraction {f[bad][0]} is not in [0, 1)")
    n = g.size
    order = np.argsort(q, kind="stable")
    errors_in_order = g[order] < t
    # Errors among order[k:], for every k.
    errors_from = np.cumsum(errors_in_order[::-1])[::-1]
    # round() as Rust's f64::round: halves away from zero (numpy rounds them to even).
    x = f * n
    whole = np.trunc(x)
    skip = (whole + (x - whole >= 0.5)).astype(np.int64)
    skip = np.minimum(skip, n - 1)
    return ErrorRejectCurve(rejected=f, fnmr=errors_from[skip] / (n - skip))
