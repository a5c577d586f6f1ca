"""Heavy calls release the GIL: two threads run in parallel, and Python threads progress.

Timing on a shared machine is noisy, so the parallel test compares galton with a reference
that is known to release the GIL (hashlib on large buffers) measured the same way, at the
same moment: on an idle 2-core machine both reach about 2 CPU-seconds per second; with the
GIL held galton would stay at 1. When other processes leave less than a second core free,
no measurement can tell the two apart, and the test says so instead of guessing.
"""

import hashlib
import threading
import time

import numpy as np

import galton

N = 25
BUFFER = bytes(8 << 20)


def run_threads(task, threads):
    """Wall time and process CPU time of `threads` threads running `task`."""
    barrier = threading.Barrier(threads + 1)

    def work():
        barrier.wait()
        task()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    wall, cpu = time.perf_counter(), time.process_time()
    for t in ts:
        t.join()
    return time.perf_counter() - wall, time.process_time() - cpu


def parallelism(task):
    """(CPU / wall of two threads, wall of two threads / wall of one thread)."""
    one, _ = run_threads(task, 1)
    two, cpu = run_threads(task, 2)
    return cpu / two, two / one


def test_two_threads_extract_in_parallel(synth_image):
    image, _ = synth_image
    galton.extract(image)  # warm up

    def extract():
        for _ in range(N):
            galton.extract(image)

    def reference():
        for _ in range(60):  # about as long as the extractions
            hashlib.sha256(BUFFER).digest()

    tries = []
    for _ in range(8):  # best of eight: other processes may share the machine
        ref = parallelism(reference)
        got = parallelism(extract)
        tries.append((got, ref))
        if got[0] > 1.5 and got[1] < 1.4 and ref[0] > 1.5:
            break
    # The try where the machine let the reference use both cores the most.
    (cpu, slowdown), (ref_cpu, ref_slowdown) = max(tries, key=lambda t: t[1][0])
    detail = f"galton {cpu:.2f} CPU/wall, {slowdown:.2f}x; reference {ref_cpu:.2f}, {ref_slowdown:.2f}x; {tries}"
    assert ref_cpu > 1.15, f"the machine is too busy to see two threads run at once: {detail}"
    assert cpu > 1.0 + 0.6 * (ref_cpu - 1.0), detail
    assert slowdown < 1.95 and slowdown < ref_slowdown + 0.3, detail


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
