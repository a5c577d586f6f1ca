"""Gallery over SQLite: enroll, verify, identify, deduplicate, remove."""

import numpy as np
import pytest

import galton

from conftest import SYNTH


@pytest.fixture(scope="module")
def prints():
    """Templates of fixture fingers 1-4, impressions 1-3: {finger: [t1, t2, t3]}."""
    return {f: [galton.extract(SYNTH / f"{f}_{i}.png") for i in (1, 2, 3)] for f in (1, 2, 3, 4)}


@pytest.fixture(scope="module")
def faces():
    return galton.synth.faces(dim=64, persons=10, captures=3, spread=0.2, seed=5)


def face_of(faces, person, capture):
    return faces[person * 3 + capture]


def test_enroll_verify_identify_persisted(tmp_path, prints, faces):
    db = tmp_path / "people.db"
    g = galton.Gallery.open(db)
    for f in (1, 2, 3):
        r = g.enroll(f"p{f}", {"right-index": prints[f][0]}, face=face_of(faces, f, 0), metadata={"site": "A"})
        assert isinstance(r, galton.EnrollResult)
        assert (r.outcome, r.stored, r.duplicates) == ("enrolled", True, [])
    assert len(g) == 3 and "p1" in g and g.path == db
    assert sorted(g.ids()) == ["p1", "p2", "p3"] and g.metadata("p1") == {"site": "A"}

    v = g.verify("p2", {"right-index": prints[2][1]}, face=face_of(faces, 2, 1))
    assert isinstance(v, galton.Verification) and v.is_match and v.id == "p2"
    assert {m.modality for m in v.modalities} == {"right-index", "face"}
    assert 0 < v.fmr < 1e-4
    wrong = g.verify("p1", {"right-index": prints[2][1]})
    assert not wrong.is_match

    hits = g.identify({"right-index": prints[3][2]}, k=2)
    assert hits[0].id == "p3" and hits[0].is_match and isinstance(hits[0], galton.Hit)
    assert g.identify(face=face_of(faces, 1, 2), k=1)[0].id == "p1"
    assert g.identify({"right-index": prints[3][2]}, exhaustive=True)[0].id == "p3"

    del g
    reopened = galton.Gallery.open(str(db))
    assert len(reopened) == 3
    reopened.remove("p3")
    assert len(galton.Gallery.open(db)) == 2


def test_duplicates_rejected_flagged_and_deduplicated(prints):
    g = galton.Gallery()
    assert g.enroll("a", {"right-index": prints[1][0]}).outcome == "enrolled"
    again = g.enroll("b", {"right-index": prints[1][1]})
    assert again.outcome == "rejected-duplicate" and not again.stored
    assert again.duplicates[0].id == "a"
    flagged = g.enroll("b", {"right-index": prints[1][1]}, policy="flag")
    assert flagged.outcome == "flagged" and flagged.stored
    same = g.enroll("a", {"right-index": prints[1][2]})
    assert same.outcome == "already-enrolled" and same.comparison.is_match
    other = g.enroll("a", {"right-index": prints[2][0]})
    assert other.outcome == "id-registered-with-different-biometrics"
    assert g.enroll("c", {"right-index": prints[4][0]}).outcome == "enrolled"

    report = g.deduplicate()
    assert isinstance(report, galton.DedupReport)
    assert report.subjects == 3
    assert all(isinstance(p, galton.DuplicatePair) for p in report.pairs)


def test_deduplicate_finds_a_planted_duplicate():
    sets = galton.synth.templates(seed=4, fingers=80, impressions=2)
    g = galton.Gallery(min_shortlist=10)
    for i in range(40):
        g.enroll(f"P{i}", {"right-index": sets[2 * i][0], "left-index": sets[2 * i + 1][0]})
    flagged = g.enroll("DUP-5", {"right-index": sets[10][1], "left-index": sets[11][1]}, policy="flag")
    assert flagged.outcome == "flagged" and flagged.duplicates[0].id == "P5"
    report = g.deduplicate()
    assert [(p.a, p.b) for p in report.pairs] == [("P5", "DUP-5")]
    assert report.clusters == [["P5", "DUP-5"]]


def test_fingers_argument_forms(prints):
    g = galton.Gallery()
    t = galton.Template.from_bytes(prints[1][0].to_bytes("galton"))
    positioned = galton.Template(t.width, t.height, t.minutiae, finger="left-thumb")
    g.enroll("x", positioned)
    g.enroll("y", {"right-thumb": [prints[2][0], prints[2][1]], 2: prints[3][0]})
    assert g.verify("x", {"left-thumb": prints[1][1]}).is_match
    assert g.verify("y", [galton.Template(t.width, t.height, prints[2][2].minutiae, finger=1)]).is_match
    with pytest.raises(ValueError, match="finger position"):
        g.enroll("z", prints[1][0])  # no position
    with pytest.raises(TypeError):
        g.enroll("z", {"right-thumb": "template"})
    with pytest.raises(ValueError):
        g.enroll("z", prints[4][0], policy="maybe")


def test_to_pandas_optional(prints):
    g = galton.Gallery()
    g.enroll("a", {"right-index": prints[1][0]})
    g.enroll("b", {"right-index": prints[1][1]}, policy="flag")
    hits = g.identify({"right-index": prints[1][2]}, k=2)
    report = g.deduplicate()
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            report.to_pandas()
        with pytest.raises(ImportError, match="pandas"):
            galton.hits_to_pandas(hits)
    else:  # pragma: no cover - pandas is not installed by scripts/python-env.sh
        df = galton.hits_to_pandas(hits)
        assert list(df["id"])[0] in ("a", "b") and "score_right-index" in df.columns
        assert len(report.to_pandas()) == len(report.pairs)
