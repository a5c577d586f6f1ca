"""galton.FaceIndex against numpy and faiss on the same embeddings, in one run.

Exact top-k cosine search: galton's index (f32, f16 and int8 storage; SIMD kernels chosen at
run time, 2 threads), numpy (normalised float32 matrix product + argpartition, the BLAS numpy
links), and faiss-cpu's IndexFlatIP (benchmark-only dependency: ``pip install faiss-cpu``).
Recall@k is against numpy's float64 exact answer.

    target/pyenv/bin/python benches/python/face_index.py [--n 100000] [--dim 512] [--queries 1000]

Prints a markdown table; times are medians of --repeat runs.
"""

import argparse
import statistics
import time

import numpy as np

import galton


def median_time(f, repeat):
    times = []
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def recall(found, truth):
    k = truth.shape[1]
    return float(np.mean([len(set(f[:k]) & set(t)) / k for f, t in zip(found, truth)]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, d, q, k = args.n, args.dim, args.queries, args.k

    gallery = galton.synth.faces(dim=d, persons=n // 2, captures=2)[:n]
    queries = galton.synth.faces(dim=d, persons=q, captures=1, seed=99)
    g64 = gallery.astype(np.float64)
    g64 /= np.linalg.norm(g64, axis=1, keepdims=True)
    q64 = queries.astype(np.float64)
    q64 /= np.linalg.norm(q64, axis=1, keepdims=True)
    truth = np.argsort(-(q64 @ g64.T), axis=1)[:, :k]

    rows = []
    for encoding in ["f32", "f16", "int8"]:
        start = time.perf_counter()
        index = galton.FaceIndex(d, encoding=encoding, keep_originals=False)
        index.add(np.arange(n, dtype=np.uint64), gallery)
        build = time.perf_counter() - start
        t, (ids, _) = median_time(lambda: index.search(queries, k=k), args.repeat)
        rows.append((f"galton FaceIndex {encoding}", build, t, recall(ids, truth), index.memory_bytes))

    def numpy_search(g):
        s = queries @ g.T
        top = np.argpartition(-s, k, axis=1)[:, :k]
        order = np.take_along_axis(s, top, axis=1).argsort(axis=1)[:, ::-1]
        return np.take_along_axis(top, order, axis=1)

    start = time.perf_counter()
    gn = gallery / np.linalg.norm(gallery, axis=1, keepdims=True)
    build = time.perf_counter() - start
    t, ids = median_time(lambda: numpy_search(gn), args.repeat)
    rows.append(("numpy float32 matmul + argpartition", build, t, recall(ids, truth), gn.nbytes))

    try:
        import faiss
    except ImportError:
        faiss = None
    if faiss is not None:
        start = time.perf_counter()
        fi = faiss.IndexFlatIP(d)
        fi.add(np.ascontiguousarray(gn))
        build = time.perf_counter() - start
        t, (_, ids) = median_time(lambda: fi.search(queries, k), args.repeat)
        rows.append((f"faiss {faiss.__version__} IndexFlatIP", build, t, recall(ids, truth), gn.nbytes))

    print(f"{q} queries, top {k}, against {n:,} × {d} embeddings; median of {args.repeat}")
    print()
    print("| method | build | search | queries/s | recall@10 | memory |")
    print("|---|---|---|---|---|---|")
    for name, build, t, r, mem in rows:
        print(f"| {name} | {build:.2f} s | {t:.3f} s | {q / t:,.0f} | {r:.4f} | {mem / 1e6:.0f} MB |")


if __name__ == "__main__":
    main()
