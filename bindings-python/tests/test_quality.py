"""finger_quality and face_quality."""

import numpy as np
import pytest

import galton


def test_finger_quality_good_image(synth_png):
    q = galton.finger_quality(synth_png)
    assert isinstance(q, galton.FingerQuality)
    assert 0 <= q.score <= 100 and q.passed
    assert q.feedback == [] and q.messages == []
    assert q.measures and all(isinstance(m, galton.Measure) for m in q.measures)
    m = q.measures[0]
    assert isinstance(m.id, str) and isinstance(m.passed, bool) and 0 <= m.score <= 100
    assert q.measure(m.id) == m and q.measure("nope") is None
    assert isinstance(q.features, dict) and len(q.features) == 15


def test_finger_quality_blank_and_messages():
    blank = np.full((300, 300), 200, np.uint8)
    q = galton.finger_quality(blank)
    assert not q.passed and q.score == 0
    assert q.feedback == ["no_finger"] and len(q.messages) == 1
    es = galton.finger_quality(blank, lang="es")
    assert es.feedback == q.feedback and es.messages != q.messages
    assert q.features is None


def test_finger_quality_real(fvc_db1b):
    q = galton.finger_quality(fvc_db1b / "101_1.tif")
    assert q.score > 20


def test_finger_quality_bad_lang(synth_png):
    with pytest.raises(ValueError, match="locale"):
        galton.finger_quality(synth_png, lang="fr")


def test_face_quality_eyes_box_and_inputs(astronaut):
    path, meta = astronaut
    eyes = (tuple(meta["eyes"]["left"]), tuple(meta["eyes"]["right"]))
    q = galton.face_quality(path, eyes=eyes)
    assert isinstance(q, galton.FaceQuality) and q.inter_eye_source == "eyes"
    assert q.measure("inter_eye_distance").value == pytest.approx(meta["inter_eye_distance_px"], abs=0.5)
    assert len(q.measures) == 10 and len(q.region) == 4
    b = meta["face_box"]
    qb = galton.face_quality(path.read_bytes(), box=(b["x"], b["y"], b["width"], b["height"]))
    assert qb.inter_eye_source == "box"
    assert galton.face_quality(path, box=b).score == pytest.approx(qb.score)
    assert galton.face_quality(path, eyes=meta["eyes"]).score == pytest.approx(q.score)
    assert galton.face_quality(path).inter_eye_source == "assumed"


def test_face_quality_arrays_rgb_rgba_gray(astronaut):
    path, meta = astronaut
    # Arrays of every accepted shape (random pixels: the measures need no real face).
    q = galton.face_quality(path, eyes=meta["eyes"])
    h, w = 500, 500
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    rgba = np.concatenate([rgb, np.full((h, w, 1), 255, np.uint8)], axis=2)
    q_rgb = galton.face_quality(rgb, eyes=meta["eyes"])
    q_rgba = galton.face_quality(rgba, eyes=meta["eyes"])
    assert q_rgb.score == pytest.approx(q_rgba.score)
    q_gray = galton.face_quality(rgb[:, :, 0], eyes=meta["eyes"])
    assert 0 <= q_gray.score <= 100
    assert q.score != q_rgb.score  # noise is not a face
    dark = rgb // 16  # under-exposed: feedback in both languages
    en = galton.face_quality(dark, eyes=meta["eyes"])
    es = galton.face_quality(dark, eyes=meta["eyes"], lang="es")
    assert not en.passed and en.feedback and en.feedback == es.feedback
    assert len(en.messages) == len(en.feedback) and en.messages != es.messages


def test_face_quality_bad_arguments(astronaut):
    path, meta = astronaut
    with pytest.raises(ValueError):
        galton.face_quality(path, eyes=meta["eyes"], box=(0, 0, 10, 10))
    with pytest.raises(TypeError):
        galton.face_quality(path, eyes="left")
    with pytest.raises(galton.InvalidArgumentError):
        galton.face_quality(path, box=(-5000, -5000, 10, 10))
    with pytest.raises(galton.InvalidImageError):
        galton.face_quality(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(TypeError):
        galton.face_quality(np.zeros((10, 10, 3), np.float32))
