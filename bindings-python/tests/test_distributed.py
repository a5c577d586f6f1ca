"""galton.distributed on a LocalCluster: the sharded results equal the single-process ones."""

import pytest

import galton
import galton.distributed as gd

distributed = pytest.importorskip("distributed")

SUBJECTS = 60
# Planted duplicates: (new id, subject whose second impressions it holds, fingers shared).
PLANTED = [
    ("dup-a", 3, ("right-index", "left-index")),  # same shard as subject 3
    ("dup-b", 5, ("right-index", "left-index")),  # another shard than subject 5
    ("dup-c", 5, ("right-index",)),  # a third record of subject 5: a cluster of three
    ("dup-d", 41, ("right-index", "left-index")),
    ("dup-e", 12, ("left-index",)),
]
# Where each planted id goes in the enrollment order (after that many subjects).
AFTER = {"dup-a": 10, "dup-b": 30, "dup-c": 55, "dup-d": 44, "dup-e": 58}
# Settings under which the single-process prefilter keeps every voted candidate.
SETTINGS = dict(min_shortlist=10_000)


@pytest.fixture(scope="module")
def population():
    t = galton.synth.templates(seed=11, fingers=2 * SUBJECTS, impressions=3)
    people = [
        (f"p{s:03d}", {"right-index": t[2 * s][0], "left-index": t[2 * s + 1][0]})
        for s in range(SUBJECTS)
    ]
    planted = {
        id: (id, {f: t[2 * s + (f == "left-index")][1] for f in fingers})
        for id, s, fingers in PLANTED
    }
    order = []
    for i, p in enumerate(people):
        order.append(p)
        order.extend(planted[id] for id, after in AFTER.items() if after == i + 1)
    probes = [{"right-index": t[2 * s][2], "left-index": t[2 * s + 1][2]} for s in (0, 5, 33, 59)]
    return order, probes


@pytest.fixture(scope="module")
def shards(population, tmp_path_factory):
    order, _ = population
    cut = [0, 22, 45, len(order)]
    paths = []
    for i in range(3):
        path = tmp_path_factory.mktemp("shards") / f"shard-{i}.db"
        g = galton.Gallery.open(path, **SETTINGS)
        for id, fingers in order[cut[i] : cut[i + 1]]:
            g.enroll(id, fingers, policy="flag")
        del g
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def reference(population):
    order, _ = population
    g = galton.Gallery(**SETTINGS)
    for id, fingers in order:
        g.enroll(id, fingers, policy="flag")
    return g


@pytest.fixture(scope="module")
def client():
    # Worker processes: shards, probes and results cross process boundaries (pickled), and
    # each worker keeps its own shard cache, as on a real cluster. Starts in about 1.5 s.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_the_population_has_planted_duplicates(reference):
    r = reference.deduplicate()
    found = {frozenset((p.a, p.b)) for p in r.pairs}
    for id, s, _ in PLANTED:
        assert frozenset((id, f"p{s:03d}")) in found
    assert ["p005", "dup-b", "dup-c"] in r.clusters


@pytest.mark.parametrize("exhaustive", [True, False])
def test_deduplicate_equals_single_process(client, shards, reference, exhaustive):
    want = reference.deduplicate()
    got = gd.deduplicate(client, shards, exhaustive=exhaustive, **SETTINGS)
    assert got.pairs == want.pairs
    assert got.clusters == want.clusters
    assert got.inconsistent == want.inconsistent
    assert got.subjects == want.subjects == len(reference)


def test_in_memory_records_equal_sqlite_shards(client, shards, population):
    order, _ = population
    records = [
        gd.Records([(id, {p: t.to_bytes("galton") for p, t in f.items()}, None) for id, f in part])
        for part in (order[:22], order[22:45], order[45:])
    ]
    a = gd.deduplicate(client, records, **SETTINGS)
    b = gd.deduplicate(client, shards, **SETTINGS)
    assert a.pairs == b.pairs and a.clusters == b.clusters


def test_identify_equals_single_process(client, shards, reference, population):
    _, probes = population
    for probe in probes:
        want = reference.identify(probe, k=7, exhaustive=True)
        got = gd.identify(client, shards, probe, k=7, exhaustive=True, **SETTINGS)
        assert got == want
        fast = gd.identify(client, shards, probe, k=3, **SETTINGS)
        assert fast[0] == want[0]


def test_an_id_in_two_shards_is_refused(client, shards):
    with pytest.raises(ValueError, match="more than one shard"):
        gd.deduplicate(client, [shards[0], shards[0]], **SETTINGS)


def test_workers_cache_loaded_shards(shards):
    g = gd.load_shard(shards[0], **SETTINGS)
    assert gd.load_shard(shards[0], **SETTINGS) is g
    assert gd.load_shard(shards[0], min_shortlist=7) is not g


def test_faces_cross_shards(client):
    # Faces come back L2-normalised and are normalised again as probes: the pairs and
    # clusters are the single-process ones, the evidence within a rounding step.
    faces = galton.synth.faces(dim=128, persons=8, captures=2, seed=3)
    t = galton.synth.templates(seed=5, fingers=8, impressions=1)
    recs = [(f"f{i}", {"right-index": t[i][0]}, faces[2 * i]) for i in range(8)]
    recs.append(("face-dup", None, faces[2 * 2 + 1]))  # subject f2's other capture, no fingers
    g = galton.Gallery(**SETTINGS)
    for id, fingers, face in recs:
        g.enroll(id, fingers, face=face, policy="flag")
    want = g.deduplicate()
    got = gd.deduplicate(client, [gd.Records(recs[:4]), gd.Records(recs[4:])], exhaustive=True, **SETTINGS)
    assert ["f2", "face-dup"] in want.clusters
    assert got.clusters == want.clusters
    assert [(p.a, p.b) for p in got.pairs] == [(p.a, p.b) for p in want.pairs]
    for a, b in zip(got.pairs, want.pairs):
        assert a.evidence == pytest.approx(b.evidence, rel=1e-5)
