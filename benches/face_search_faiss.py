#!/usr/bin/env python3
"""faiss and numpy on the gallery and queries of galton's face-search bench.

Run by `cargo run --release -p galton-benches --bin face-search -- --faiss PYTHON`, which
writes the (unit-length) gallery and queries as raw little-endian f32 files and reads the
JSON object this script prints as the last line of stdout. Progress goes to stderr.
Needs numpy and faiss (faiss-cpu); no galton test depends on this script.

Measures:
- IndexFlatIP: the batch of queries, top-k (qps), and single queries (median seconds);
- numpy brute force: queries @ gallery.T in blocks, top-k by argpartition (qps);
- IndexHNSWFlat(dim, 32, METRIC_INNER_PRODUCT) over the first --hnsw-n rows: build time and,
  for each efSearch, batch and single-query qps and recall@k against the flat result over the
  same rows; the fastest efSearch reaching recall 0.95 and 0.99.
"""

import argparse
import json
import sys
import time

import numpy as np
import faiss

# The sweep stops once recall reaches 0.995.
EF_SEARCH = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
START = time.perf_counter()


def say(what):
    print(f"[faiss {time.perf_counter() - START:7.1f} s] {what}", file=sys.stderr, flush=True)


def load(path, rows, dim):
    data = np.fromfile(path, dtype="<f4")
    if data.size != rows * dim:
        sys.exit(f"{path}: {data.size} values, expected {rows} x {dim}")
    return data.reshape(rows, dim)


def recall(found, truth):
    k = truth.shape[1]
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth))
    return hits / (k * len(truth))


def single_median(index, queries, k, count):
    index.search(queries[:1], k)  # warm-up
    times = []
    for q in queries[:count]:
        t = time.perf_counter()
        index.search(q[None, :], k)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def numpy_topk(gallery, queries, k, rows=65536):
    """Exact top-k by blocked products and argpartition (best first)."""
    nq = len(queries)
    best_s = np.full((nq, k), -np.inf, dtype=np.float32)
    best_i = np.zeros((nq, k), dtype=np.int64)
    for start in range(0, len(gallery), rows):
        scores = queries @ gallery[start:start + rows].T
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(scores, part, axis=1)], axis=1)
        cand_i = np.concatenate([best_i, part + start], axis=1)
        keep = np.argpartition(-cand_s, k - 1, axis=1)[:, :k]
        best_s = np.take_along_axis(cand_s, keep, axis=1)
        best_i = np.take_along_axis(cand_i, keep, axis=1)
    order = np.argsort(-best_s, axis=1)
    return np.take_along_axis(best_i, order, axis=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gallery", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--nq", type=int, required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--single", type=int, default=20, help="queries timed one by one")
    p.add_argument("--ann-n", type=int, default=None, help="rows of the ANN gallery")
    p.add_argument("--hnsw-n", type=int, default=None,
                   help="limit of the HNSW gallery (default: --ann-n)")
    p.add_argument("--ann-queries", default=None,
                   help="queries for the ANN gallery (default: --queries)")
    p.add_argument("--ef-construction", type=int, default=40)
    p.add_argument("--flat-ids-out", default=None,
                   help="write the flat top-k ids of the batch here (raw little-endian i64)")
    p.add_argument("--skip-hnsw", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    ann_n = min(a.ann_n or a.n, a.n)
    hnsw_n = min(a.hnsw_n or ann_n, ann_n)
    k = a.k
    out = {
        "version": faiss.__version__,
        "numpy_version": np.__version__,
        "threads": faiss.omp_get_max_threads(),
        "compile_options": faiss.get_compile_options(),
    }

    gallery = load(a.gallery, a.n, a.dim)
    queries = load(a.queries, a.nq, a.dim)
    say(f"loaded gallery {gallery.shape} and queries {queries.shape}; "
        f"faiss {faiss.__version__}, {out['threads']} threads, {out['compile_options']}")

    # Exact: IndexFlatIP.
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(a.dim)
    flat.add(gallery)
    out["flat_build_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    _, flat_ids = flat.search(queries, k)
    s = time.perf_counter() - t
    out["flat_batch_seconds"] = s
    out["flat_batch_qps"] = a.nq / s
    say(f"IndexFlatIP batch of {a.nq}: {s:.2f} s ({a.nq / s:.0f} qps)")
    if a.flat_ids_out:
        flat_ids.astype("<i8").tofile(a.flat_ids_out)
    s = single_median(flat, queries, k, min(a.single, a.nq))
    out["flat_single_seconds"] = s
    out["flat_single_qps"] = 1.0 / s
    out["flat_single_gbs"] = a.n * a.dim * 4 / s / 1e9
    say(f"IndexFlatIP single query: {s * 1e3:.2f} ms median ({a.n * a.dim * 4 / s / 1e9:.1f} GB/s)")
    del flat

    # Exact: numpy brute force.
    t = time.perf_counter()
    np_ids = numpy_topk(gallery, queries, k)
    s = time.perf_counter() - t
    out["numpy_batch_seconds"] = s
    out["numpy_batch_qps"] = a.nq / s
    out["numpy_agreement_at_10"] = recall(np_ids, flat_ids)
    say(f"numpy batch of {a.nq}: {s:.2f} s ({a.nq / s:.0f} qps), "
        f"agreement with flat {out['numpy_agreement_at_10']:.4f}")
    del np_ids

    if not a.skip_hnsw:
        base = gallery[:hnsw_n]
        if a.ann_queries:
            ann_q = np.fromfile(a.ann_queries, dtype="<f4").reshape(-1, a.dim)
        else:
            ann_q = queries
        if hnsw_n == a.n and not a.ann_queries:
            truth = flat_ids
        else:
            exact = faiss.IndexFlatIP(a.dim)
            exact.add(base)
            _, truth = exact.search(ann_q, k)
            del exact
        del gallery
        out["hnsw_n"] = hnsw_n
        out["hnsw_m"] = 32
        out["hnsw_ef_construction"] = a.ef_construction
        hnsw = faiss.IndexHNSWFlat(a.dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = a.ef_construction
        say(f"HNSW: building over {hnsw_n} rows (M 32, efConstruction {a.ef_construction})")
        t = time.perf_counter()
        step = max(10_000, hnsw_n // 20)
        for start in range(0, hnsw_n, step):
            hnsw.add(base[start:start + step])
            done = min(start + step, hnsw_n)
            el = time.perf_counter() - t
            say(f"HNSW: {done}/{hnsw_n} added, {el:.0f} s "
                f"(rate {done / el:.0f}/s)")
        out["hnsw_build_seconds"] = time.perf_counter() - t
        # Vectors, plus the graph's neighbour lists (int32) and offsets/levels.
        out["hnsw_memory_bytes"] = int(
            hnsw_n * a.dim * 4
            + faiss.vector_to_array(hnsw.hnsw.neighbors).nbytes
            + faiss.vector_to_array(hnsw.hnsw.offsets).nbytes
            + faiss.vector_to_array(hnsw.hnsw.levels).nbytes
        )
        sweep = []
        for ef in EF_SEARCH:
            hnsw.hnsw.efSearch = ef
            t = time.perf_counter()
            _, ids = hnsw.search(ann_q, k)
            s = time.perf_counter() - t
            r = recall(ids, truth)
            single = single_median(hnsw, ann_q, k, min(a.single, len(ann_q)))
            sweep.append({"ef_search": ef, "batch_qps": len(ann_q) / s,
                          "single_qps": 1.0 / single, "recall_at_10": r})
            say(f"HNSW efSearch {ef}: batch {len(ann_q) / s:.0f} qps, "
                f"single {1.0 / single:.0f} qps, recall@{k} {r:.4f}")
            if r >= 0.995:
                break
        out["hnsw_sweep"] = sweep
        for target, key in [(0.95, "95"), (0.99, "99")]:
            ok = [row for row in sweep if row["recall_at_10"] >= target]
            best = max(ok, key=lambda row: row["batch_qps"]) if ok else None
            out[f"hnsw_ef_at_{key}"] = best and best["ef_search"]
            out[f"hnsw_qps_at_{key}"] = best and best["batch_qps"]
            out[f"hnsw_single_qps_at_{key}"] = best and best["single_qps"]

    out["seconds"] = time.perf_counter() - START
    if a.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
