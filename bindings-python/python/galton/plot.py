"""Plots of verification accuracy and of minutiae, with matplotlib.

matplotlib is an optional dependency (``pip install matplotlib``): it is imported only when a
function here is called. Every function draws on ``ax`` when given one, otherwise on the axes
of a new figure, and returns the axes.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from galton import plot
>>> ax = plot.det([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.35, 0.05], label="matcher")
>>> ax.get_xscale(), ax.get_yscale()
('log', 'log')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from . import metrics as _metrics

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["det", "error_reject", "minutiae", "score_histogram"]

_INSTALL_HINT = "galton.plot needs matplotlib, an optional dependency: pip install matplotlib"


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    return plt


def _axes(ax: Optional["Axes"]) -> "Axes":
    if ax is not None:
        return ax
    _, new = _pyplot().subplots()
    return new


def det(
    genuine: ArrayLike,
    impostor: ArrayLike,
    ax: Optional["Axes"] = None,
    label: Optional[str] = None,
) -> "Axes":
    """The DET curve (:func:`galton.metrics.det_curve`): FMR on x, FNMR on y, both on log axes.

    Draws one line. Points where either rate is 0 cannot be shown on log axes and are left
    out. Pass the same ``ax`` and a ``label`` per call to compare matchers on one plot.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = det([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.35, 0.05])
    >>> len(ax.lines)
    1
    """
    fm, fnm, _ = _metrics.det_curve(genuine, impostor)
    ax = _axes(ax)
    shown = (fm > 0) & (fnm > 0)
    ax.plot(fm[shown], fnm[shown], label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if not any(len(line.get_xdata()) for line in ax.lines):
        # Nothing on log axes yet (such as perfectly separated scores): their default
        # limits include 0 and could not be drawn. Span the smallest rates the scores allow.
        ax.set_xlim(0.5 / np.size(impostor), 1)
        ax.set_ylim(0.5 / np.size(genuine), 1)
    ax.set_xlabel("FMR (false match rate)")
    ax.set_ylabel("FNMR (false non-match rate)")
    ax.grid(True, which="both", alpha=0.3)
    if label is not None:
        ax.legend()
    return ax


def score_histogram(
    genuine: ArrayLike,
    impostor: ArrayLike,
    ax: Optional["Axes"] = None,
    bins: Union[int, ArrayLike] = 50,
    *,
    density: bool = True,
    threshold: Optional[float] = None,
) -> "Axes":
    """Histograms of the genuine and impostor scores on shared bins.

    Draws two filled outlines (one patch each); ``density`` (the default) scales each to unit
    area, as impostor scores usually outnumber genuine ones by far. ``threshold``, if given,
    is drawn as a vertical line.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = score_histogram([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.35, 0.05], bins=10)
    >>> len(ax.patches)
    2
    """
    g = _metrics._as_1d("genuine scores", "genuine score", genuine)
    i = _metrics._as_1d("impostor scores", "impostor score", impostor)
    edges = np.histogram_bin_edges(np.concatenate([g, i]).astype(np.float64), bins=bins)
    ax = _axes(ax)
    ax.hist(i, bins=edges, density=density, histtype="stepfilled", alpha=0.5, label="impostor")
    ax.hist(g, bins=edges, density=density, histtype="stepfilled", alpha=0.5, label="genuine")
    if threshold is not None:
        ax.axvline(float(threshold), color="black", linestyle="--", linewidth=1, label="threshold")
    ax.set_xlabel("score")
    ax.set_ylabel("density" if density else "comparisons")
    ax.legend()
    return ax


def error_reject(
    curve_fractions: Union[ArrayLike, Tuple[ArrayLike, ArrayLike]],
    curve_fnmr: Optional[ArrayLike] = None,
    ax: Optional["Axes"] = None,
    label: Optional[str] = None,
) -> "Axes":
    """An error-versus-reject curve: FNMR against the fraction rejected for quality.

    Takes the fractions and FNMRs, or the output of
    :func:`galton.metrics.error_reject_curve` alone. Draws one line with markers.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> from galton import metrics
    >>> curve = metrics.error_reject_curve([0.2, 0.9, 0.8, 0.3], [1, 9, 8, 2], 0.5, [0, 0.25, 0.5])
    >>> len(error_reject(curve).lines)
    1
    """
    if curve_fnmr is None:
        try:
            fractions, fnmr = curve_fractions  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(
                "error_reject takes (fractions, fnmr) or the output of "
                "metrics.error_reject_curve"
            ) from None
    else:
        fractions, fnmr = curve_fractions, curve_fnmr
    x = np.asarray(fractions, dtype=np.float64)
    y = np.asarray(fnmr, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"fractions and FNMRs must be 1-D arrays of one length (shapes {x.shape}, {y.shape})"
        )
    ax = _axes(ax)
    ax.plot(x, y, marker="o", label=label)
    ax.set_xlabel("fraction rejected for quality")
    ax.set_ylabel("FNMR (false non-match rate)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if label is not None:
        ax.legend()
    return ax


# --- minutiae --------------------------------------------------------------------------------

_KINDS = ("ending", "bifurcation", "other")
_STYLE = {
    "ending": dict(marker="o", color="tab:red"),
    "bifurcation": dict(marker="s", color="tab:blue"),
    "other": dict(marker="^", color="tab:green"),
}


def _kind(value: Any) -> str:
    """ "ending", "bifurcation" or "other" from a kind as string, bytes or enum."""
    name = getattr(value, "name", value)  # an Enum member
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    name = str(name).strip().lower()
    if "bif" in name:
        return "bifurcation"
    if "end" in name or "termination" in name:
        return "ending"
    return "other"


def _minutiae_arrays(source: Any) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, direction, kind)`` from a template, a structured array or a list of minutiae."""
    if hasattr(source, "minutiae") and not isinstance(source, np.ndarray):
        source = source.minutiae
    if isinstance(source, np.ndarray) and source.dtype.names is not None:
        missing = {"x", "y", "direction", "kind"} - set(source.dtype.names)
        if missing:
            raise ValueError(f"minutiae array lacks the fields {sorted(missing)}")
        if source.ndim != 1:
            raise ValueError(f"minutiae array must be 1-D, got shape {source.shape}")
        kinds = [_kind(k) for k in source["kind"].tolist()]
        x, y, d = source["x"], source["y"], source["direction"]
    else:
        try:
            items = list(source)
        except TypeError:
            raise ValueError(
                "expected a template (with .minutiae), a structured array with fields x, y, "
                f"direction and kind, or a list of minutiae; got {type(source).__name__}"
            ) from None
        try:
            x = [m.x for m in items]
            y = [m.y for m in items]
            d = [m.direction for m in items]
            kinds = [_kind(m.kind) for m in items]
        except AttributeError as e:
            raise ValueError(f"a minutia needs x, y, direction and kind: {e}") from None
    return (
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(d, dtype=np.float64),
        np.asarray(kinds, dtype=object),
    )


def minutiae(
    image: Optional[ArrayLike],
    template_or_minutiae: Any,
    ax: Optional["Axes"] = None,
    *,
    size: float = 6.0,
    tick: float = 12.0,
) -> "Axes":
    """Minutiae drawn over a grayscale image.

    ``template_or_minutiae`` is anything with a ``.minutiae`` list (a
    :class:`galton.Template`), a numpy structured array with fields ``x``, ``y``,
    ``direction`` and ``kind`` (``Template.minutiae_array()``), or a list of minutiae; each
    minutia has ``x``, ``y`` (pixels, y downwards), ``direction`` (radians, counter-clockwise
    as seen, so it points along ``(cos, -sin)`` in pixel coordinates) and ``kind``
    (``"ending"``, ``"bifurcation"`` or ``"other"``; any string holding "end" or "bif" does).

    Endings are drawn as circles, bifurcations as squares, others as triangles, each with a
    tick ``tick`` pixels long along its direction: one marker collection per kind present
    and one collection of ticks. ``image`` may be ``None`` to draw the minutiae alone.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace as M
    >>> t = M(minutiae=[M(x=10, y=20, direction=0.0, kind="ending")])
    >>> len(minutiae(np.zeros((40, 40), np.uint8), t).collections)
    2
    """
    x, y, d, kinds = _minutiae_arrays(template_or_minutiae)
    ax = _axes(ax)
    if image is not None:
        picture = np.asarray(image)
        if picture.ndim != 2:
            raise ValueError(f"image must be a 2-D grayscale array, got shape {picture.shape}")
        if picture.dtype == np.uint8:
            ax.imshow(picture, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        else:
            ax.imshow(picture, cmap="gray", interpolation="nearest")
        limits = (ax.get_xlim(), ax.get_ylim())
    else:
        ax.set_aspect("equal")
        if not ax.yaxis_inverted():
            ax.invert_yaxis()
    if x.size:
        from matplotlib.collections import LineCollection

        ends = np.stack([x + tick * np.cos(d), y - tick * np.sin(d)], axis=1)
        segments = np.stack([np.stack([x, y], axis=1), ends], axis=1)
        colors = [_STYLE[k]["color"] for k in kinds]
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=1.2))
        for kind in _KINDS:
            mine = kinds == kind
            if mine.any():
                style = _STYLE[kind]
                ax.scatter(
                    x[mine],
                    y[mine],
                    s=size**2,
                    marker=style["marker"],
                    facecolors="none",
                    edgecolors=style["color"],
                    linewidths=1.2,
                    label=f"{kind} ({int(mine.sum())})",
                )
        if image is None:
            ax.autoscale_view()
        else:  # ticks and markers at the border do not widen the view beyond the image
            ax.set_xlim(*limits[0])
            ax.set_ylim(*limits[1])
        ax.legend(loc="upper right", fontsize="small")
    return ax
