"""FaceIndex over numpy arrays, against a numpy brute-force cosine search."""

import numpy as np
import pytest

import galton


def brute_force(gallery, queries, k):
    g = gallery / np.linalg.norm(gallery, axis=1, keepdims=True)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    sims = q @ g.T
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(sims, order, axis=1)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    return rng.standard_normal((2000, 128), dtype=np.float32), rng.standard_normal((50, 128), dtype=np.float32)


def test_search_matches_numpy_brute_force(data):
    gallery, queries = data
    index = galton.FaceIndex(128)
    ids = np.arange(1000, 3000, dtype=np.uint64)
    index.add(ids, gallery)
    assert len(index) == 2000 and index.dim == 128 and index.encoding == "f32"
    got_ids, got_scores = index.search(queries, k=10)
    assert got_ids.shape == (50, 10) and got_ids.dtype == np.uint64
    assert got_scores.shape == (50, 10) and got_scores.dtype == np.float32
    want_rows, want_scores = brute_force(gallery, queries, 10)
    np.testing.assert_allclose(got_scores, want_scores, atol=1e-5)
    assert (got_ids == ids[want_rows]).mean() > 0.99  # ties may swap
    # One query, 1-D in and out.
    one_ids, one_scores = index.search(queries[0], k=3)
    assert one_ids.shape == (3,) and (one_ids == got_ids[0, :3]).all()


def test_search_int8_close_to_exact(data):
    gallery, queries = data
    index = galton.FaceIndex(128, encoding="int8")
    index.add(np.arange(2000), gallery)
    got_ids, got_scores = index.search(queries, k=5)
    want_rows, want_scores = brute_force(gallery, queries, 5)
    np.testing.assert_allclose(got_scores, want_scores, atol=1e-4)  # re-ranked exactly


def test_non_contiguous_and_float64_inputs(data):
    gallery, queries = data
    a, b = galton.FaceIndex(128), galton.FaceIndex(128)
    a.add(np.arange(100), gallery[:100])
    b.add(list(range(100)), np.asfortranarray(gallery[:100].astype(np.float64)))
    np.testing.assert_allclose(a.search(queries, 5)[1], b.search(queries[:, :], 5)[1], atol=1e-6)
    strided = np.repeat(gallery[:100], 2, axis=1)[:, ::2]
    c = galton.FaceIndex(128)
    c.add(np.arange(100), strided)
    np.testing.assert_allclose(c.search(queries, 5)[1], a.search(queries, 5)[1], atol=1e-6)


def test_fewer_than_k():
    index = galton.FaceIndex(4)
    index.add(np.array([7, 8]), np.array([[1, 0, 0, 0], [0, 1, 0, 0]], np.float32))
    ids, scores = index.search(np.array([[1, 0.1, 0, 0]], np.float32), k=4)
    assert ids[0, :2].tolist() == [7, 8]
    assert ids[0, 2] == np.iinfo(np.uint64).max and np.isnan(scores[0, 2])


def test_range_join_get_remove_contains(data):
    gallery, _ = data
    index = galton.FaceIndex(128)
    index.add(np.arange(10), gallery[:10])
    index.add(99, gallery[0] * 2)  # one id, one vector: a duplicate of id 0
    a, b, s = index.join(0.99)
    assert (a.tolist(), b.tolist()) == ([0], [99]) and s[0] == pytest.approx(1.0)
    ids, scores = index.range_search(gallery[0], 0.99)
    assert sorted(ids.tolist()) == [0, 99]
    np.testing.assert_allclose(index.get(0), gallery[0] / np.linalg.norm(gallery[0]), atol=1e-6)
    assert 99 in index and 5 in index and 1234 not in index
    index.remove(99)
    assert 99 not in index and len(index) == 10
    assert index.ids.tolist() == list(range(10))
    assert index.memory_bytes > 0 and "FaceIndex(dim=128" in repr(index)


def test_save_load_bytes(tmp_path, data):
    gallery, queries = data
    index = galton.FaceIndex(128, encoding="f16")
    index.add(np.arange(500), gallery[:500])
    path = tmp_path / "faces.gfi"
    index.save(path)
    loaded = galton.FaceIndex.load(str(path))
    assert len(loaded) == 500 and loaded.encoding == "f16"
    for x, y in zip(index.search(queries, 3), loaded.search(queries, 3)):
        np.testing.assert_array_equal(x, y)
    again = galton.FaceIndex.from_bytes(index.to_bytes())
    np.testing.assert_array_equal(again.search(queries, 3)[0], index.search(queries, 3)[0])


def test_cosine_similarity():
    assert galton.cosine_similarity([1.0, 0.0], np.array([1.0, 1.0], np.float32)) == pytest.approx(2**-0.5)


def test_synthetic_faces_find_their_mates():
    emb = galton.synth.faces(dim=64, persons=50, captures=2, spread=0.3, seed=1)
    index = galton.FaceIndex(64)
    index.add(np.arange(0, 100, 2), emb[0::2])
    ids, _ = index.search(emb[1::2], k=1)
    assert (ids[:, 0] == np.arange(0, 100, 2)).mean() > 0.9
