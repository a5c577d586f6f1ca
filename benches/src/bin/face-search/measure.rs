//! The measurements on galton's exact indexes: memory bandwidth, single-query scans, batch
//! search and the all-pairs join; and the timing helpers the other sections share.

use std::time::Instant;

use galton::face::{EmbeddingBatch, Encoding, FaceIndex, Hit};

use crate::data::{self, mate_at_1, recall, Queries};
use crate::report::{Log, Report};
use crate::{JOIN_N, JOIN_THRESHOLD, K, SINGLE};

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The result of `f` and the seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

/// Median seconds of `search` over the first [`SINGLE`] queries (after one warm-up), and the
/// results.
pub fn time_single(
    queries: &EmbeddingBatch,
    mut search: impl FnMut(&[f32]) -> Vec<Hit>,
) -> (f64, Vec<Vec<Hit>>) {
    let count = SINGLE.min(queries.len());
    std::hint::black_box(search(queries.row(0)));
    let mut times = Vec::with_capacity(count);
    let mut hits = Vec::with_capacity(count);
    for q in queries.rows().take(count) {
        let (h, s) = timed(|| search(q));
        times.push(s);
        hits.push(h);
    }
    (median(times), hits)
}

/// Read bandwidth: best and median GB/s of `passes` sums over a buffer of `bytes`, split over
/// every core.
pub fn bandwidth(bytes: usize, passes: usize, log: &Log) -> (f64, f64) {
    let words = bytes / 8;
    let mut buffer = vec![0u64; words];
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = words.div_ceil(threads);
    // Touch every page (and give the sum something to add).
    std::thread::scope(|s| {
        for (t, chunk) in buffer.chunks_mut(per).enumerate() {
            s.spawn(move || {
                for (i, w) in chunk.iter_mut().enumerate() {
                    *w = (t * per + i) as u64;
                }
            });
        }
    });
    let sum = |chunk: &[u64]| {
        // Four independent lanes: the sum is not the bottleneck.
        let mut acc = [0u64; 4];
        let mut quads = chunk.chunks_exact(4);
        for q in &mut quads {
            for (a, &v) in acc.iter_mut().zip(q) {
                *a = a.wrapping_add(v);
            }
        }
        let tail: u64 = quads.remainder().iter().fold(0, |a, &v| a.wrapping_add(v));
        acc.iter().fold(tail, |a, &v| a.wrapping_add(v))
    };
    let mut rates = Vec::new();
    for _ in 0..passes {
        let (total, s) = timed(|| {
            std::thread::scope(|s| {
                let handles: Vec<_> = buffer
                    .chunks(per)
                    .map(|chunk| s.spawn(move || sum(chunk)))
                    .collect();
                handles
                    .into_iter()
                    .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()))
            })
        });
        std::hint::black_box(total);
        rates.push(words as f64 * 8.0 / s / 1e9);
    }
    log.say(format!(
        "bandwidth: {} passes over {:.2} GB on {threads} threads: {:.1?} GB/s",
        passes,
        words as f64 * 8.0 / 1e9,
        rates
    ));
    let best = rates.iter().cloned().fold(0.0, f64::max);
    (best, median(rates))
}

/// Prefix of an encoding's report keys.
fn key(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::F32 => "f32",
        Encoding::F16 => "f16",
        Encoding::Int8PerVector => "i8",
        Encoding::Int8PerDimension => "i8dim",
    }
}

/// The lossy encodings, measured against the f32 one.
const LOSSY: [Encoding; 3] = [
    Encoding::F16,
    Encoding::Int8PerVector,
    Encoding::Int8PerDimension,
];

/// Sections `scan` (single queries) and `batch` (the batch of queries) on each exact-index
/// encoding, f32 first; the lossy ones are scored against the f32 results. Returns the f32
/// batch results (the exact top-[`K`] of `queries`) when the batch ran.
pub fn bench_scans(
    scan: bool,
    batch: bool,
    gallery: &EmbeddingBatch,
    queries: &Queries,
    report: &mut Report,
    log: &Log,
) -> Option<Vec<Vec<Hit>>> {
    let mut exact_single = None;
    let mut exact_batch = None;
    for encoding in std::iter::once(Encoding::F32).chain(LOSSY) {
        let index = build(encoding, gallery, report, log);
        if scan {
            let found = single(&index, &queries.batch, exact_single.as_deref(), report, log);
            exact_single.get_or_insert(found);
        }
        if batch {
            // The int8-dim batch costs as much as the int8 one: a tenth of the queries.
            let nq = queries.batch.len();
            let limit = if encoding == Encoding::Int8PerDimension {
                (nq / 10).max(1)
            } else {
                nq
            };
            let found = search_batch(&index, queries, limit, exact_batch.as_deref(), report, log);
            if encoding == Encoding::F32 {
                report.set("batch_qps", report.f("f32_batch_qps").unwrap());
                report.set("batch_seconds", report.f("f32_batch_seconds").unwrap());
            }
            exact_batch.get_or_insert(found);
        }
    }
    // Speed of each lossy index against the f32 one: `{key}_speedup_vs_f32` (single) and
    // `{key}_batch_speedup_vs_f32`.
    for (on, kind, name) in [(scan, "single", ""), (batch, "batch", "batch_")] {
        if !on {
            continue;
        }
        let f32_qps = report.f(&format!("f32_{kind}_qps")).unwrap();
        for k in LOSSY.map(key) {
            let qps = report.f(&format!("{k}_{kind}_qps")).unwrap();
            report.set(&format!("{k}_{name}speedup_vs_f32"), qps / f32_qps);
        }
    }
    if scan {
        report.set(
            "f32_single_bandwidth_share",
            report.f("f32_single_gbs").unwrap() / report.f("bandwidth_gbs").unwrap(),
        );
    }
    exact_batch
}

/// The index of `encoding` over `gallery`, with its build time and memory reported.
fn build(
    encoding: Encoding,
    gallery: &EmbeddingBatch,
    report: &mut Report,
    log: &Log,
) -> FaceIndex {
    let (index, build) = timed(|| data::index(gallery, encoding));
    log.say(format!(
        "{encoding}: index of {} built in {build:.1} s, {:.2} GB, kernel {}",
        index.len(),
        index.memory_bytes() as f64 / 1e9,
        index.kernel().name()
    ));
    let key = key(encoding);
    report.set(&format!("{key}_build_seconds"), build);
    report.set(&format!("{key}_memory_bytes"), index.memory_bytes());
    index
}

/// Single queries on `index`, with recall@10 against `exact` (the f32 results) if given.
fn single(
    index: &FaceIndex,
    queries: &EmbeddingBatch,
    exact: Option<&[Vec<Hit>]>,
    report: &mut Report,
    log: &Log,
) -> Vec<Vec<Hit>> {
    let (encoding, key) = (index.encoding(), key(index.encoding()));
    let (s, found) = time_single(queries, |q| index.search(q, K).expect("valid query"));
    let scanned = (encoding.bytes_per_vector(index.dim()) * index.len()) as f64;
    report.set(&format!("{key}_single_seconds"), s);
    report.set(&format!("{key}_single_qps"), 1.0 / s);
    report.set(&format!("{key}_single_gbs"), scanned / s / 1e9);
    let line = format!(
        "{encoding}: single query {:.2} ms median ({:.1} GB/s of codes)",
        s * 1e3,
        scanned / s / 1e9
    );
    scored(
        &found,
        exact,
        &format!("{key}_recall_at_10"),
        line,
        report,
        log,
    );
    found
}

/// The first `limit` queries as one batch on `index`, with recall@10 against `exact` (the
/// f32 results) if given.
fn search_batch(
    index: &FaceIndex,
    queries: &Queries,
    limit: usize,
    exact: Option<&[Vec<Hit>]>,
    report: &mut Report,
    log: &Log,
) -> Vec<Vec<Hit>> {
    let (encoding, key) = (index.encoding(), key(index.encoding()));
    let subset;
    let batch = if limit < queries.batch.len() {
        subset = data::head(&queries.batch, limit);
        &subset
    } else {
        &queries.batch
    };
    let nq = batch.len();
    let (found, s) = timed(|| index.search_batch(batch, K).expect("valid queries"));
    report.set(&format!("{key}_batch_queries"), nq);
    report.set(&format!("{key}_batch_seconds"), s);
    report.set(&format!("{key}_batch_qps"), nq as f64 / s);
    let mate = mate_at_1(&found, &queries.persons[..nq]);
    report.set(&format!("{key}_batch_mate_at_1"), mate);
    let line = format!(
        "{encoding}: batch of {nq} in {s:.2} s ({:.0} qps)",
        nq as f64 / s
    );
    let exact = exact.map(|truth| &truth[..nq]);
    scored(
        &found,
        exact,
        &format!("{key}_batch_recall_at_10"),
        line,
        report,
        log,
    );
    found
}

/// Logs `line`, followed by the recall@10 of `found` against `exact` when given, which is
/// also reported as `key`.
fn scored(
    found: &[Vec<Hit>],
    exact: Option<&[Vec<Hit>]>,
    key: &str,
    mut line: String,
    report: &mut Report,
    log: &Log,
) {
    if let Some(truth) = exact {
        let r = recall(found, truth);
        report.set(key, r);
        line += &format!(", recall@10 {r:.4}");
    }
    log.say(line);
}

/// Section `join`: the all-pairs join over [`JOIN_N`] embeddings of other people with planted
/// duplicates.
pub fn bench_join(dim: usize, report: &mut Report, log: &Log) {
    let (batch, planted) = data::join_gallery(dim, JOIN_N);
    let index = data::index(&batch, Encoding::F32);
    drop(batch);
    let planted_total = planted.count;
    log.say(format!(
        "join: {JOIN_N} embeddings, {planted_total} planted duplicates; joining at {JOIN_THRESHOLD}"
    ));
    let (pairs, s) = timed(|| index.join(JOIN_THRESHOLD).expect("valid threshold"));
    let found = pairs.iter().filter(|p| planted.contains(p.a, p.b)).count();
    let unplanted = pairs.len() - found;
    log.say(format!(
        "join: {s:.1} s, {} pairs: {found}/{planted_total} planted, {unplanted} others",
        pairs.len()
    ));
    report.set("allpairs_n", JOIN_N);
    report.set("allpairs_threshold", JOIN_THRESHOLD);
    report.set("allpairs_seconds", s);
    report.set(
        "allpairs_pairs_per_second",
        JOIN_N as f64 * (JOIN_N - 1) as f64 / 2.0 / s,
    );
    report.set("allpairs_planted_found", found);
    report.set("allpairs_planted_total", planted_total);
    report.set("allpairs_unplanted_pairs", unplanted);
}

/// Peak resident memory of this process (Linux), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
