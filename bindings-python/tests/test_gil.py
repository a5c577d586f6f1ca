"""Heavy calls release the GIL: two threads run in parallel, and Python threads progress.

Timing on a shared machine is noisy, so the parallel test compares two threads with a
control that no GIL can serialise: the same work in two processes, measured at the same
moment. On an idle 2-core machine both take about the time of one; with the GIL held the
threads would take twice as long. When other processes leave less than a second core free,
no measurement can tell the two apart, and the test says so instead of guessing.
"""

import multiprocessing
import threading
import time

import numpy as np

import galton

N = 25


def extract_n(image):
    for _ in range(N):
        galton.extract(image)


def in_threads(image, n):
    ts = [threading.Thread(target=extract_n, args=(image,)) for _ in range(n)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - start


def in_processes(image, n):
    # fork: the children run single-image extractions only (no thread pool is used).
    ctx = multiprocessing.get_context("fork")
    ps = [ctx.Process(target=extract_n, args=(image,)) for _ in range(n)]
    start = time.perf_counter()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    assert all(p.exitcode == 0 for p in ps)
    return time.perf_counter() - start


def test_two_threads_extract_in_parallel(synth_image):
    image, _ = synth_image
    galton.extract(image)  # warm up
    tries = []
    for _ in range(6):  # other processes may share the machine: take the calmest try
        one = in_threads(image, 1)
        threads = in_threads(image, 2) / one
        processes = in_processes(image, 2) / one
        tries.append((threads, processes))
        if threads < 1.4 and processes < 1.4:
            break
    threads, processes = min(tries, key=lambda t: t[1])
    detail = f"two threads {threads:.2f}x one thread, two processes {processes:.2f}x; {tries}"
    assert processes < 1.6, f"the machine is too busy to see two extractions run at once: {detail}"
    # Released, threads do as well as processes; held, they would take 2x.
    assert threads < 1.75 and threads < processes + 0.25, detail


def spin_during(call):
    """How many times a pure-Python thread counts while `call` runs in this thread."""
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = counter[0]
        start = time.perf_counter()
        call()
        elapsed = time.perf_counter() - start
        during = counter[0] - before
    finally:
        stop.set()
        t.join()
    return during, elapsed


def test_python_thread_progresses_during_native_calls(synth_image):
    """With the GIL held a Python thread could not count at all during a native call (it
    would get the GIL only between calls); released, it counts about a million a second."""
    image, _ = synth_image
    rng = np.random.default_rng(0)
    index = galton.FaceIndex(256)
    index.add(np.arange(20000), rng.standard_normal((20000, 256), dtype=np.float32))
    queries = rng.standard_normal((400, 256), dtype=np.float32)
    templates = galton.synth.templates(seed=1, fingers=200, impressions=1)
    gallery = [t[0] for t in templates]
    matcher = galton.Matcher()
    for name, call in [
        ("FaceIndex.search", lambda: index.search(queries, k=10)),
        ("extract_many", lambda: galton.extract_many([image] * 8)),
        ("Matcher.score_many", lambda: [matcher.score_many(gallery[0], gallery) for _ in range(3)]),
    ]:
        during, elapsed = spin_during(call)
        assert elapsed > 0.01, f"{name}: too short to tell ({elapsed:.4f}s)"
        assert during > 1000, f"{name}: {during} iterations in {elapsed:.3f}s"
