"""The cost of one galton.distributed dedup block, single process: loading a shard of N
two-finger subjects (from Records, with the enroll-time duplicate check) and probing 200
subjects of another shard against it, prefiltered and exhaustive.

    target/pyenv/bin/python benches/python/distributed_block.py [N]      (default 5000)

Build the extension with GALTON_PY_PROFILE=release ./scripts/python-env.sh for release figures.
"""
import os, time, resource, statistics, sys
import galton, galton.distributed as gd
N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
P = 200
def rss():
    with open("/proc/self/status") as f:
        for l in f:
            if l.startswith("VmRSS"):
                return int(l.split()[1]) * 1024
t = galton.synth.templates(seed=7, fingers=2 * N, impressions=2)
recs = [(f"s{i:06d}", {"right-index": t[2*i][0], "left-index": t[2*i+1][0]}, None) for i in range(N)]
probes = [(f"q{i:04d}", {"right-index": t[2*i][1], "left-index": t[2*i+1][1]}, None) for i in range(P)]
r0 = rss(); t0 = time.perf_counter()
gb = gd.load_shard(gd.Records(recs, key="bench-b"))
t1 = time.perf_counter(); r1 = rss()
print(f"load {N} subjects: {t1-t0:.1f} s; RSS delta {(r1-r0)/2**20:.0f} MiB; memory_bytes {gb.memory_bytes()/2**20:.0f} MiB "
      f"({gb.memory_bytes()/N/1024:.1f} KiB/subject)", flush=True)
ga = gd.load_shard(gd.Records(probes, key="bench-a"))
for ex in (False, True):
    t0 = time.perf_counter()
    pairs, compared = gd._block_task(gd.Records(probes, key="bench-a"), gd.Records(recs, key="bench-b"), {}, ex)
    dt = time.perf_counter() - t0
    print(f"block exhaustive={ex}: {P} probes x {N}: {dt:.2f} s, {dt/P*1e3:.1f} ms per probe, "
          f"{compared} comparisons ({dt/max(compared,1)*1e6:.1f} us each, {compared/P:.0f} per probe); pairs {len(pairs)}", flush=True)
