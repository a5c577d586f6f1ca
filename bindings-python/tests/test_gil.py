"""Heavy calls release the GIL: two threads run native calls at once, and Python threads
progress during them.

Both tests count what another thread gets done *while* a native call is in progress, which
needs no timing assumptions: with the GIL held for the call, the other thread could not run
at all until it returned (at most one call can slip in between setting the flag and entering
native code); released, it keeps going even on a busy machine, just more slowly.
"""

import threading
import time

import numpy as np

import galton


def test_two_threads_extract_at_once(synth_image):
    image, _ = synth_image
    galton.extract(image)  # warm up
    running = threading.Event()
    done = threading.Event()
    completed_during = [0]

    def long_call():
        running.set()
        galton.extract_many([image] * 24)
        done.set()

    def short_calls():
        running.wait()
        while not done.is_set():
            galton.extract(image)
            if not done.is_set():
                completed_during[0] += 1

    a = threading.Thread(target=long_call)
    b = threading.Thread(target=short_calls)
    b.start()
    a.start()
    a.join()
    b.join()
    assert completed_during[0] >= 3, (
        f"only {completed_during[0]} extractions finished in one thread while another "
        "thread's extract_many ran: the GIL is not released"
    )


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
