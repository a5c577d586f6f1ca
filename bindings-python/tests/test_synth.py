"""The synthetic generator: images with true templates, templates-only sets, faces."""

import json

import numpy as np
import pytest

import galton

from conftest import SYNTH


def test_fingerprint_image_and_truth():
    image, truth = galton.synth.fingerprint(seed=11, finger=2, impression=1)
    assert image.shape == (384, 288) and image.dtype == np.uint8 and image.flags.c_contiguous
    assert isinstance(truth, galton.Template)
    assert (truth.width, truth.height, truth.ppi) == (288, 384, 500.0)
    assert len(truth.minutiae) > 10
    again, truth2 = galton.synth.fingerprint(seed=11, finger=2, impression=1)
    assert (again == image).all() and truth2 == truth
    other, _ = galton.synth.fingerprint(seed=11, finger=2, impression=2)
    assert (other != image).any()


def test_fingerprint_reproduces_the_fixtures():
    """fixtures/synth was generated with seed 2025 and uniform classes (dataset.json)."""
    spec = json.loads((SYNTH / "dataset.json").read_text())
    image, truth = galton.synth.fingerprint(seed=spec["seed"], finger=0, impression=0, config=spec["config"])
    fixture = galton.extract(SYNTH / "1_1.png")
    assert galton.extract(image) == fixture
    want = json.loads((SYNTH / "1_1.json").read_text())["minutiae"]
    assert len(truth.minutiae) == len(want)
    for m, w in zip(truth.minutiae, want):
        assert m.x == pytest.approx(w["x"], abs=0.01) and m.y == pytest.approx(w["y"], abs=0.01)
        assert m.kind == w["type"]


def test_config_overrides_and_errors():
    image, _ = galton.synth.fingerprint(seed=1, config={"image_width": 200, "image_height": 220, "noise": 0.0})
    assert image.shape == (220, 200)
    with pytest.raises(ValueError, match="synth config"):
        galton.synth.fingerprint(config={"noise": "loud"})
    with pytest.raises(ValueError):
        galton.synth.fingerprint(config={"image_width": 0})


def test_extracted_matches_truth():
    image, truth = galton.synth.fingerprint(seed=5)
    assert galton.match(galton.extract(image), truth) > galton.thresholds["fmr_0_1_percent"]


def test_fingerprints_nested():
    sets = galton.synth.fingerprints(seed=2, fingers=2, impressions=2)
    assert len(sets) == 2 and all(len(s) == 2 for s in sets)
    assert sets[0][0][0].shape == (384, 288)


def test_templates_only_genuine_vs_impostor():
    sets = galton.synth.templates(seed=3, fingers=4, impressions=2)
    assert len(sets) == 4 and all(len(s) == 2 for s in sets)
    m = galton.Matcher()
    genuine = [m.score(a, b) for a, b in sets]
    impostor = [m.score(sets[i][0], sets[j][1]) for i in range(4) for j in range(4) if i != j]
    assert min(genuine) > max(impostor)
    assert galton.synth.templates(seed=3, fingers=2, impressions=2, first=2)[0] == sets[2]


def test_faces_shape_and_determinism():
    a = galton.synth.faces(dim=32, persons=4, captures=3, seed=9)
    assert a.shape == (12, 32) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (galton.synth.faces(dim=32, persons=4, captures=3, seed=9) == a).all()
    with pytest.raises(ValueError):
        galton.synth.faces(dim=0)
    with pytest.raises(ValueError, match="2\\^28"):
        galton.synth.faces(dim=512, persons=10**9, captures=10)
