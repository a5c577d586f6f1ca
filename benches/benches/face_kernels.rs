//! Face scan kernels: one 512-d query against 4,096 rows (in cache) per kernel and encoding,
//! as bytes of rows read per second.
//!
//! `cargo bench -p galton-benches --bench face_kernels`
//!
//! With `GALTON_BENCH_BIG=1` it first scans a 2 GB f32 gallery (out of cache) with the best
//! kernel, on one thread and on all cores, next to a plain memory-read loop over the same
//! buffer, and prints the GB/s of each (`GALTON_BENCH_BIG_GB` changes the size).

use criterion::{criterion_group, Criterion, Throughput};
use galton::face::kernels::Kernel;
use std::hint::black_box;
use std::time::Instant;

const DIM: usize = 512;
const ROWS: usize = 4096;

/// Unit-norm pseudo-random vectors, `n` of `d` floats.
fn vectors(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out: Vec<f32> = (0..n * d)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect();
    for row in out.chunks_exact_mut(d) {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        row.iter_mut().for_each(|x| *x /= norm);
    }
    out
}

fn bench(c: &mut Criterion) {
    let query = vectors(1, DIM, 1);
    let rows = vectors(ROWS, DIM, 2);
    let rows_f16 = to_f16(&rows);
    let (query_i8, rows_i8) = (to_i8(&query), to_i8(&rows));
    let mut out = vec![0.0f32; ROWS];
    let mut out_i32 = vec![0i32; ROWS];

    for (encoding, bytes) in [("f32", 4), ("f16", 2), ("i8", 1)] {
        let mut group = c.benchmark_group(format!("face_scan_{encoding}"));
        group.throughput(Throughput::Bytes((ROWS * DIM * bytes) as u64));
        for kernel in Kernel::supported() {
            group.bench_function(kernel.name(), |b| match encoding {
                "f32" => b.iter(|| kernel.dots_f32(black_box(&query), &rows, &mut out)),
                "f16" => b.iter(|| kernel.dots_f16(black_box(&query), &rows_f16, &mut out)),
                _ => b.iter(|| kernel.dots_i8(black_box(&query_i8), &rows_i8, &mut out_i32)),
            });
        }
        group.finish();
    }
}

fn to_f16(v: &[f32]) -> Vec<u16> {
    v.iter()
        .map(|&x| half::f16::from_f32(x).to_bits())
        .collect()
}

/// Codes of unit-norm 512-d values (about ±0.05 each): scaled by 8 × 127, clamped.
fn to_i8(v: &[f32]) -> Vec<i8> {
    v.iter()
        .map(|&x| (x * 127.0 * 8.0).round().clamp(-128.0, 127.0) as i8)
        .collect()
}

/// Reads `data` with a plain loop: the memory bandwidth a scan could reach at best.
fn read_all(data: &[f32]) -> u32 {
    let mut acc = [0u32; 16];
    for chunk in data.chunks_exact(16) {
        for i in 0..16 {
            acc[i] ^= chunk[i].to_bits();
        }
    }
    acc.iter().fold(0, |a, &b| a ^ b)
}

/// Best of `runs` timings of `f` over `bytes` bytes, in GB/s.
fn gbps(bytes: usize, runs: usize, mut f: impl FnMut()) -> f64 {
    let best = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    bytes as f64 / best / 1e9
}

/// The out-of-cache scan, when asked for.
fn big_scan() {
    if std::env::var_os("GALTON_BENCH_BIG").is_none() {
        return;
    }
    let gb: f64 = std::env::var("GALTON_BENCH_BIG_GB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let n = (gb * 1e9 / (DIM * 4) as f64) as usize;
    let bytes = n * DIM * 4;
    let rows = vectors(n, DIM, 3);
    let query = vectors(1, DIM, 4);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let mut out = vec![0.0f32; n];
    let runs = 5;
    eprintln!(
        "out of cache: {n} rows × {DIM} f32 = {:.2} GB, {threads} threads, best of {runs}",
        bytes as f64 / 1e9
    );

    let read_1 = gbps(bytes, runs, || {
        black_box(read_all(black_box(&rows)));
    });
    let read_n = gbps(bytes, runs, || {
        std::thread::scope(|s| {
            for part in rows.chunks(rows.len().div_ceil(threads)) {
                s.spawn(move || black_box(read_all(black_box(part))));
            }
        })
    });
    eprintln!("  memory read: {read_1:6.2} GB/s one thread, {read_n:6.2} GB/s {threads} threads");
    let rows_f16 = to_f16(&rows);
    let (query_i8, rows_i8) = (to_i8(&query), to_i8(&rows));
    let mut out_i32 = vec![0i32; n];
    let kernel = Kernel::detect();
    let f32_s = scan(n, threads, &rows, &mut out, |r, o| {
        kernel.dots_f32(&query, r, o)
    });
    let f16_s = scan(n, threads, &rows_f16, &mut out, |r, o| {
        kernel.dots_f16(&query, r, o)
    });
    let i8_s = scan(n, threads, &rows_i8, &mut out_i32, |r, o| {
        kernel.dots_i8(&query_i8, r, o)
    });
    for (encoding, width, [one, all]) in [("f32", 4, f32_s), ("f16", 2, f16_s), ("i8", 1, i8_s)] {
        let gb = (n * DIM * width) as f64 / 1e9;
        eprintln!(
            "  dots_{encoding} {}: {:6.2} GB/s one thread ({:3.0}% of read), {:6.2} GB/s \
             {threads} threads ({:3.0}% of read); {:6.1} ms a query on {threads} threads, \
             {:4.2}x faster than f32",
            kernel.name(),
            gb / one,
            100.0 * gb / one / read_1,
            gb / all,
            100.0 * gb / all / read_n,
            all * 1e3,
            f32_s[1] / all,
        );
    }
}

/// Best of five seconds a query takes over all `n` rows, one thread and `threads` threads,
/// each thread scanning its share in chunks of 4,096 rows as an index would.
fn scan<T: Sync, O: Send>(
    n: usize,
    threads: usize,
    rows: &[T],
    out: &mut [O],
    kernel: impl Fn(&[T], &mut [O]) + Sync,
) -> [f64; 2] {
    const CHUNK: usize = 4096;
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let one = best(&mut || {
        for (r, o) in rows.chunks(CHUNK * DIM).zip(out.chunks_mut(CHUNK)) {
            kernel(r, o);
        }
    });
    let per = n.div_ceil(threads);
    let all = best(&mut || {
        std::thread::scope(|s| {
            for (r, o) in rows.chunks(per * DIM).zip(out.chunks_mut(per)) {
                let kernel = &kernel;
                s.spawn(move || {
                    for (r, o) in r.chunks(CHUNK * DIM).zip(o.chunks_mut(CHUNK)) {
                        kernel(r, o);
                    }
                });
            }
        })
    });
    [one, all]
}

criterion_group!(benches, bench);

fn main() {
    big_scan();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
