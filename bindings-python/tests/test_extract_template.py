"""Extraction from every kind of image input, and templates round trips."""

import math
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import galton

from conftest import SYNTH


def test_extract_from_path_str_pathlike_and_bytes(synth_png):
    a = galton.extract(str(synth_png))
    b = galton.extract(synth_png)  # os.PathLike
    c = galton.extract(synth_png.read_bytes())
    d = galton.extract(bytearray(synth_png.read_bytes()))
    e = galton.extract(memoryview(synth_png.read_bytes()))
    assert a == b == c == d == e
    assert (a.width, a.height, a.ppi) == (288, 384, 500.0)
    assert len(a.minutiae) > 10


def test_extract_from_array_matches_png(synth_image):
    image, _ = synth_image
    assert image.dtype == np.uint8 and image.ndim == 2
    t = galton.extract(image)
    assert (t.width, t.height) == (image.shape[1], image.shape[0])
    # A non-contiguous view of the same pixels gives the same template.
    wide = np.zeros((image.shape[0], image.shape[1] * 2), np.uint8)
    wide[:, ::2] = image
    assert galton.extract(wide[:, ::2]) == t
    assert galton.extract(np.asfortranarray(image)) == t


def test_extract_finds_most_true_minutiae(synth_png, synth_truth):
    t = galton.extract(synth_png)
    found = 0
    for m in synth_truth["minutiae"]:
        if any(math.hypot(m["x"] - e.x, m["y"] - e.y) < 12 for e in t.minutiae):
            found += 1
    assert found >= 0.5 * len(synth_truth["minutiae"])


def test_extract_ppi_changes_the_template(synth_png):
    t = galton.extract(synth_png, ppi=600)
    assert t.ppi == 600.0


def test_extract_many_in_order():
    paths = sorted(SYNTH.glob("*_1.png"))[:4]
    many = galton.extract_many(paths)
    assert many == [galton.extract(p) for p in paths]


def test_extract_real_fvc2002(fvc_db1b):
    t = galton.extract(fvc_db1b / "101_1.tif")
    assert (t.width, t.height) == (388, 374)
    assert len(t.minutiae) >= 20


@pytest.mark.parametrize("fmt", ["iso", "ansi", "galton", "json"])
def test_template_round_trip(fmt, synth_png):
    t = galton.extract(synth_png)
    data = t.to_bytes(fmt)
    assert isinstance(data, bytes)
    back = galton.Template.from_bytes(data)
    assert len(back.minutiae) == len(t.minutiae)
    assert (back.width, back.height) == (t.width, t.height)
    for a, b in zip(back.minutiae, t.minutiae):
        assert abs(a.x - b.x) <= 1 and abs(a.y - b.y) <= 1
        assert abs(math.remainder(a.direction - b.direction, 2 * math.pi)) < 0.05
        assert a.kind == b.kind
    if fmt in ("galton", "json"):
        assert back == t  # lossless formats
    assert t.to_bytes() == t.to_bytes("iso")


def test_template_properties_and_minutiae_objects(synth_png):
    t = galton.extract(synth_png)
    assert t.finger is None
    assert t.quality is None or 0 <= t.quality <= 100
    m = t.minutiae[0]
    assert isinstance(m, galton.Minutia)
    assert m.kind in ("ending", "bifurcation", "other")
    assert 0 <= m.direction < 2 * math.pi and 0 <= m.quality <= 100
    assert repr(m).startswith("Minutia(x=")
    assert len(t) == len(t.minutiae)
    assert "minutiae" in repr(t)


def test_minutiae_array(synth_png):
    t = galton.extract(synth_png)
    a = t.minutiae_array()
    assert a.dtype.names == ("x", "y", "direction", "kind", "quality")
    assert a.dtype["x"] == np.float32 and a.dtype["quality"] == np.uint8
    assert len(a) == len(t.minutiae)
    for row, m in zip(a, t.minutiae):
        assert (row["x"], row["y"], row["kind"], row["quality"]) == (m.x, m.y, m.kind, m.quality)
        assert np.isclose(row["direction"], m.direction)
    # and back: a Template from the array's rows
    rebuilt = galton.Template(
        t.width,
        t.height,
        [galton.Minutia(float(r["x"]), float(r["y"]), float(r["direction"]), str(r["kind"]), int(r["quality"])) for r in a],
    )
    assert rebuilt.minutiae == t.minutiae


def test_template_constructor_and_finger():
    t = galton.Template(300, 400, [galton.Minutia(1.0, 2.0, 0.5)], ppi=500, finger="right_index", quality=70)
    assert t.finger == "right-index" and t.quality == 70
    assert galton.Template(300, 400, finger=7).finger == "left-index"
    assert galton.Template.from_bytes(t.to_bytes("iso")).finger == "right-index"
    with pytest.raises(ValueError):
        galton.Template(300, 400, finger="left-toe")
    with pytest.raises(ValueError):
        galton.Template(300, 400, [galton.Minutia(1.0, 2.0, 0.5, "loop")])
    with pytest.raises(TypeError):
        galton.Template(300, 400, finger=1.5j)


def test_template_pickles(synth_png):
    t = galton.extract(synth_png)
    assert pickle.loads(pickle.dumps(t)) == t
