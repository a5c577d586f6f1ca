"""galton.plot with matplotlib's Agg backend: what each function draws, and saving it."""

import doctest
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402

from galton import metrics, plot  # noqa: E402

GENUINE = np.random.default_rng(1).normal(0.6, 0.15, 200).astype(np.float32)
IMPOSTOR = np.random.default_rng(2).normal(0.3, 0.15, 2000).astype(np.float32)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def saved(ax, tmp_path, name="plot.png"):
    path = tmp_path / name
    ax.figure.savefig(path)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
    return path


# --- det --------------------------------------------------------------------------------------


def test_det_draws_the_curve_on_log_axes(tmp_path):
    ax = plot.det(GENUINE, IMPOSTOR)
    assert len(ax.lines) == 1
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert "FMR" in ax.get_xlabel() and "FNMR" in ax.get_ylabel()
    assert ax.get_legend() is None
    fm, fnm, _ = metrics.det_curve(GENUINE, IMPOSTOR)
    shown = (fm > 0) & (fnm > 0)
    x, y = ax.lines[0].get_data()
    assert np.array_equal(x, fm[shown]) and np.array_equal(y, fnm[shown])
    saved(ax, tmp_path)


def test_det_curves_share_axes_with_labels(tmp_path):
    fig, ax = plt.subplots()
    assert plot.det(GENUINE, IMPOSTOR, ax=ax, label="a") is ax
    plot.det(GENUINE + 0.1, IMPOSTOR, ax=ax, label="b")
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    saved(ax, tmp_path)


def test_det_of_separated_scores_has_nothing_on_log_axes(tmp_path):
    # Every point has FMR or FNMR at 0: the line is there, empty.
    ax = plot.det([0.8, 0.9], [0.1, 0.2])
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 0
    assert ax.get_xlim() == (0.25, 1) and ax.get_ylim() == (0.25, 1)
    saved(ax, tmp_path)


def test_det_refuses_bad_scores():
    with pytest.raises(ValueError, match="genuine score 0 is NaN"):
        plot.det([math.nan], [0.1])
    with pytest.raises(ValueError, match="no impostor scores"):
        plot.det([0.5], [])


# --- score_histogram --------------------------------------------------------------------------


def test_score_histogram_draws_two_outlines_on_shared_bins(tmp_path):
    ax = plot.score_histogram(GENUINE, IMPOSTOR, bins=20)
    assert len(ax.patches) == 2
    assert len(ax.lines) == 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["impostor", "genuine"]
    assert ax.get_ylabel() == "density"
    # Both outlines span the shared range of all scores.
    lo, hi = min(GENUINE.min(), IMPOSTOR.min()), max(GENUINE.max(), IMPOSTOR.max())
    for patch in ax.patches:
        xs = patch.get_xy()[:, 0]
        assert xs.min() == pytest.approx(lo) and xs.max() == pytest.approx(hi)
    saved(ax, tmp_path)


def test_score_histogram_with_counts_and_threshold(tmp_path):
    ax = plot.score_histogram(GENUINE, IMPOSTOR, density=False, threshold=0.45)
    assert len(ax.patches) == 2 and len(ax.lines) == 1
    assert ax.lines[0].get_xdata()[0] == 0.45
    assert ax.get_ylabel() == "comparisons"
    # Counts: the impostor outline rises to its tallest bin of 50.
    counts, _ = np.histogram(
        IMPOSTOR, bins=np.histogram_bin_edges(np.concatenate([GENUINE, IMPOSTOR]), bins=50)
    )
    assert ax.patches[0].get_xy()[:, 1].max() == counts.max()
    saved(ax, tmp_path)


def test_score_histogram_refuses_bad_scores():
    with pytest.raises(ValueError, match="impostor score 1 is NaN"):
        plot.score_histogram([0.5], [0.1, math.nan])
    with pytest.raises(ValueError, match="1-D"):
        plot.score_histogram([[0.5]], [0.1])


# --- error_reject -----------------------------------------------------------------------------


def test_error_reject_takes_the_curve_or_its_two_arrays(tmp_path):
    quality = np.random.default_rng(3).uniform(0, 100, GENUINE.size)
    curve = metrics.error_reject_curve(GENUINE, quality, 0.45, np.linspace(0, 0.5, 11))
    ax = plot.error_reject(curve, label="quality")
    assert len(ax.lines) == 1
    x, y = ax.lines[0].get_data()
    assert np.array_equal(x, curve.rejected) and np.array_equal(y, curve.fnmr)
    assert ax.get_legend() is not None
    other = plot.error_reject(curve.rejected, curve.fnmr)
    assert np.array_equal(other.lines[0].get_ydata(), y)
    assert other.get_legend() is None
    saved(ax, tmp_path)


def test_error_reject_refuses_mismatched_input():
    with pytest.raises(ValueError, match="one length"):
        plot.error_reject([0.0, 0.1], [0.5])
    with pytest.raises(ValueError, match="output of metrics.error_reject_curve"):
        plot.error_reject([0.0, 0.1, 0.2])


# --- minutiae ---------------------------------------------------------------------------------


@dataclass
class FakeMinutia:
    x: float
    y: float
    direction: float
    kind: str
    quality: int = 50


@dataclass
class FakeTemplate:
    width: int
    height: int
    minutiae: list


TEMPLATE = FakeTemplate(
    width=64,
    height=48,
    minutiae=[
        FakeMinutia(10, 20, 0.0, "ending"),
        FakeMinutia(30, 25, math.pi / 2, "bifurcation"),
        FakeMinutia(50, 40, math.pi, "ending"),
    ],
)
IMAGE = (np.arange(48 * 64) % 256).astype(np.uint8).reshape(48, 64)


def marker_path(marker):
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


def collections(ax):
    ticks = [c for c in ax.collections if isinstance(c, LineCollection)]
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    return ticks, markers


def test_minutiae_of_a_template_over_its_image(tmp_path):
    ax = plot.minutiae(IMAGE, TEMPLATE, tick=12)
    assert len(ax.images) == 1
    ticks, markers = collections(ax)
    assert len(ax.collections) == 3 and len(ticks) == 1 and len(markers) == 2
    # Endings as circles, bifurcations as squares, at their positions.
    ends, bifs = markers
    assert np.allclose(ends.get_offsets(), [[10, 20], [50, 40]])
    assert np.allclose(bifs.get_offsets(), [[30, 25]])
    assert np.allclose(ends.get_paths()[0].vertices, marker_path("o"))
    assert np.allclose(bifs.get_paths()[0].vertices, marker_path("s"))
    # Ticks along (cos, -sin): right, up (y falls), left.
    segments = ticks[0].get_segments()
    assert np.allclose(segments[0], [[10, 20], [22, 20]])
    assert np.allclose(segments[1], [[30, 25], [30, 13]])
    assert np.allclose(segments[2], [[50, 40], [38, 40]])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ending (2)", "bifurcation (1)"]
    # The view stays on the image, y downwards.
    assert ax.get_xlim() == (-0.5, 63.5) and ax.get_ylim() == (47.5, -0.5)
    saved(ax, tmp_path)


def test_minutiae_of_a_structured_array(tmp_path):
    # The layout of Template.minutiae_array().
    dtype = [("x", "<f4"), ("y", "<f4"), ("direction", "<f4"), ("kind", "<U11"), ("quality", "u1")]
    array = np.array(
        [
            (5, 5, 0.0, "bifurcation", 40),
            (20, 30, 1.0, "ending", 60),
            (40, 10, 2.0, "other", 10),
            (60, 44, 3.0, "bifurcation", 90),
        ],
        dtype=dtype,
    )
    fig, ax = plt.subplots()
    assert plot.minutiae(IMAGE.astype(np.float32) / 255, array, ax=ax) is ax
    ticks, markers = collections(ax)
    assert len(ticks) == 1 and len(markers) == 3
    assert len(ticks[0].get_segments()) == 4
    ends, bifs, others = markers
    assert np.allclose(ends.get_offsets(), [[20, 30]])
    assert np.allclose(bifs.get_offsets(), [[5, 5], [60, 44]])
    assert np.allclose(others.get_paths()[0].vertices, marker_path("^"))
    end = ticks[0].get_segments()[1][1]
    assert np.allclose(end, [20 + 12 * math.cos(1.0), 30 - 12 * math.sin(1.0)])
    saved(ax, tmp_path)


def test_minutiae_alone_and_kind_spellings(tmp_path):
    # A plain list, kinds spelt otherwise, no image: y still points down.
    items = [
        FakeMinutia(1, 2, 0.5, "ENDING"),
        FakeMinutia(3, 4, 1.5, b"bifurcation"),
        FakeMinutia(5, 6, 2.5, "ridge_ending"),
    ]
    ax = plot.minutiae(None, items)
    assert len(ax.images) == 0
    ticks, markers = collections(ax)
    assert [len(m.get_offsets()) for m in markers] == [2, 1]
    assert ax.yaxis_inverted()
    saved(ax, tmp_path)


def test_minutiae_of_an_empty_template(tmp_path):
    ax = plot.minutiae(IMAGE, FakeTemplate(64, 48, []))
    assert len(ax.images) == 1 and len(ax.collections) == 0
    saved(ax, tmp_path)


def test_minutiae_refuses_bad_input():
    with pytest.raises(ValueError, match="2-D grayscale"):
        plot.minutiae(np.zeros((4, 4, 3)), TEMPLATE)
    with pytest.raises(ValueError, match=r"lacks the fields \['direction', 'kind'\]"):
        plot.minutiae(IMAGE, np.zeros(2, dtype=[("x", "f4"), ("y", "f4")]))
    with pytest.raises(ValueError, match="needs x, y, direction and kind"):
        plot.minutiae(IMAGE, [object()])
    with pytest.raises(ValueError, match="expected a template"):
        plot.minutiae(IMAGE, 42)


# --- the module itself ------------------------------------------------------------------------


def test_missing_matplotlib_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot.det(GENUINE, IMPOSTOR)


def test_importing_plot_does_not_import_matplotlib():
    package = Path(plot.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(package)] + sys.path))
    code = "import sys, galton.plot\nassert 'matplotlib' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_docstring_examples():
    result = doctest.testmod(plot, extraglobs={"plot": plot})
    assert result.attempted > 0
    assert result.failed == 0
