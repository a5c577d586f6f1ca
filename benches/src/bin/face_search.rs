//! Face search at gallery scale, measured against this machine's memory bandwidth and,
//! optionally, against faiss on the same data.
//!
//! One run measures, on synthetic embeddings ([`FaceSynth`], one capture per enrolled person,
//! queries are other captures of enrolled persons):
//!
//! 1. the read bandwidth of a buffer the size of the gallery (at least 2 GB), on every core;
//! 2. the exact single-query f32 scan (median of 20 queries) as GB/s and queries/s;
//! 3. the f16, int8 (per vector) and int8 (per dimension) scans, with recall@10 against the
//!    exact f32 top-10 after each index's own re-ranking;
//! 4. a batch of queries (top-10) on the f32 and the lossy indexes;
//! 5. the all-pairs join at cosine ≥ 0.6 over 10⁵ embeddings with planted duplicates;
//! 6. the IVF approximate index: build time, memory, and speed against recall per `nprobe`;
//! 7. with `--faiss PYTHON`, faiss (IndexFlatIP, numpy brute force, IndexHNSWFlat) on the
//!    same gallery and queries, through `benches/face_search_faiss.py`.
//!
//! ```text
//! cargo run --release -p galton-benches --bin face-search -- \
//!     [--n N] [--dim D] [--json] [--queries Q] [--faiss PYTHON] [--ann-n M] [--skip-ann]
//! ```
//!
//! Prints a markdown table, or with `--json` one JSON object; progress goes to stderr.
//! `--save-json PATH` also writes the JSON object to PATH (one run gives both forms).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use galton::face::kernels::Kernel;
use galton::face::{EmbeddingBatch, Encoding, FaceIndex, Hit, IvfConfig, IvfIndex};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::synth::rng::Rng;
use rayon::prelude::*;
use serde_json::{json, Map, Value};

/// Results kept per query.
const K: usize = 10;
/// Queries timed one by one (the median is reported).
const SINGLE: usize = 20;
/// Size of the join gallery.
const JOIN_N: usize = 100_000;
/// Share of the join gallery's persons enrolled twice.
const JOIN_PLANTED_SHARE: f64 = 0.01;
/// Similarity threshold of the join.
const JOIN_THRESHOLD: f32 = 0.6;
/// IVF probes tried.
/// The sweep stops once recall@10 reaches 0.995 (higher settings only cost time).
const NPROBES: [usize; 11] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
/// Seed of the gallery's identities.
const SEED: u64 = 0x5EA2C4;
/// Seed of the join gallery's identities (other people).
const JOIN_SEED: u64 = 0x10_1A;

struct Args {
    n: usize,
    dim: usize,
    json: bool,
    queries: usize,
    faiss: Option<String>,
    ann_n: Option<usize>,
    skip_ann: bool,
    save_json: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: face-search [--n N] [--dim D] [--json] [--queries Q] [--faiss PYTHON] \
         [--ann-n M] [--skip-ann] [--save-json PATH]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        n: 1_000_000,
        dim: 512,
        json: false,
        queries: 1000,
        faiss: None,
        ann_n: None,
        skip_ann: false,
        save_json: None,
    };
    let mut it = std::env::args().skip(1);
    let number = |it: &mut dyn Iterator<Item = String>, flag: &str| -> usize {
        let v = it.next().unwrap_or_else(|| usage());
        v.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("{flag} expects a whole number, not {v:?}");
            usage()
        })
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--n" => args.n = number(&mut it, "--n"),
            "--dim" => args.dim = number(&mut it, "--dim"),
            "--queries" => args.queries = number(&mut it, "--queries"),
            "--ann-n" => args.ann_n = Some(number(&mut it, "--ann-n")),
            "--json" => args.json = true,
            "--skip-ann" => args.skip_ann = true,
            "--faiss" => args.faiss = Some(it.next().unwrap_or_else(|| usage())),
            "--save-json" => args.save_json = Some(it.next().unwrap_or_else(|| usage()).into()),
            "-h" | "--help" => usage(),
            other => {
                eprintln!("unknown argument {other:?}");
                usage()
            }
        }
    }
    if args.n < 2 * K || args.queries == 0 || args.dim < 2 {
        eprintln!("--n must be at least {}, --queries at least 1", 2 * K);
        usage()
    }
    args
}

/// Progress on stderr, stamped with the time since the start.
struct Log(Instant);

impl Log {
    fn say(&self, what: impl AsRef<str>) {
        eprintln!(
            "[{:7.1} s] {}",
            self.0.elapsed().as_secs_f64(),
            what.as_ref()
        );
    }
}

/// The measured figures, in insertion order for the table and as JSON.
#[derive(Default)]
struct Report(Map<String, Value>);

impl Report {
    fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_string(), value.into());
    }
    fn f(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(Value::as_f64)
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// `rows` embeddings: row `i` is capture `capture(i)` of person `person(i)`, generated in
/// parallel, then validated and normalised by [`EmbeddingBatch::from_rows`].
fn generate(
    synth: &FaceSynth,
    rows: usize,
    person: impl Fn(usize) -> u64 + Sync,
    capture: impl Fn(usize) -> u64 + Sync,
) -> EmbeddingBatch {
    let dim = synth.dim();
    let mut flat = vec![0.0f32; rows * dim];
    flat.par_chunks_mut(dim).enumerate().for_each(|(i, out)| {
        out.copy_from_slice(&synth.capture(person(i), capture(i), DEFAULT_SPREAD));
    });
    EmbeddingBatch::from_rows(&flat, dim).expect("synthetic embeddings are valid")
}

/// `count` queries, each a fresh capture (numbers from 1: the gallery holds capture 0) of a
/// random person among `0..persons`; returns the batch and the persons.
fn queries(
    synth: &FaceSynth,
    persons: usize,
    count: usize,
    seed: u64,
) -> (EmbeddingBatch, Vec<u64>) {
    let mut rng = Rng::new(seed);
    let who: Vec<u64> = (0..count).map(|_| rng.below(persons) as u64).collect();
    let batch = generate(synth, count, |i| who[i], |i| 1 + i as u64);
    (batch, who)
}

/// Read bandwidth: best and median GB/s of `passes` sums over a buffer of `bytes`, split over
/// every core.
fn bandwidth(bytes: usize, passes: usize, log: &Log) -> (f64, f64) {
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
    let mut rates = Vec::new();
    for _ in 0..passes {
        let t = Instant::now();
        let total: u64 = std::thread::scope(|s| {
            let handles: Vec<_> = buffer
                .chunks(per)
                .map(|chunk| {
                    s.spawn(move || {
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
                    })
                })
                .collect();
            handles
                .into_iter()
                .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()))
        });
        let s = t.elapsed().as_secs_f64();
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

/// Overlap of the ids of `found` with those of `truth`, over `truth.len()` (averaged by the
/// caller).
fn overlap(found: &[Hit], truth: &[Hit]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let t: HashSet<u64> = truth.iter().map(|h| h.id).collect();
    found.iter().filter(|h| t.contains(&h.id)).count() as f64 / truth.len() as f64
}

fn recall(found: &[Vec<Hit>], truth: &[Vec<Hit>]) -> f64 {
    found
        .iter()
        .zip(truth)
        .map(|(f, t)| overlap(f, t))
        .sum::<f64>()
        / truth.len().max(1) as f64
}

/// Share of queries whose first hit is the queried person (the mate).
fn mate_at_1(found: &[Vec<Hit>], persons: &[u64]) -> f64 {
    found
        .iter()
        .zip(persons)
        .filter(|(f, &p)| f.first().is_some_and(|h| h.id == p))
        .count() as f64
        / persons.len().max(1) as f64
}

/// Median seconds of `search` over the first [`SINGLE`] queries (after one warm-up), and the
/// results.
fn time_single(
    queries: &EmbeddingBatch,
    mut search: impl FnMut(&[f32]) -> Vec<Hit>,
) -> (f64, Vec<Vec<Hit>>) {
    let count = SINGLE.min(queries.len());
    std::hint::black_box(search(queries.row(0)));
    let mut times = Vec::with_capacity(count);
    let mut hits = Vec::with_capacity(count);
    for q in queries.rows().take(count) {
        let t = Instant::now();
        let h = search(q);
        times.push(t.elapsed().as_secs_f64());
        hits.push(h);
    }
    (median(times), hits)
}

/// The exact top-10 of the single queries and of the batch.
type Truth<'a> = (&'a [Vec<Hit>], &'a [Vec<Hit>]);

/// Scans of one exact-index encoding: single queries, then the batch.
#[allow(clippy::too_many_arguments)]
fn bench_encoding(
    encoding: Encoding,
    ids: &[u64],
    gallery: &EmbeddingBatch,
    queries: &EmbeddingBatch,
    persons: &[u64],
    exact: Option<Truth<'_>>,
    batch_limit: usize,
    report: &mut Report,
    log: &Log,
) -> (Vec<Vec<Hit>>, Vec<Vec<Hit>>) {
    let key = match encoding {
        Encoding::F32 => "f32",
        Encoding::F16 => "f16",
        Encoding::Int8PerVector => "i8",
        Encoding::Int8PerDimension => "i8dim",
    };
    let t = Instant::now();
    let mut index = FaceIndex::new(gallery.dim(), encoding).expect("dimension checked");
    index.add_batch(ids, gallery).expect("fresh ids");
    let build = t.elapsed().as_secs_f64();
    log.say(format!(
        "{encoding}: index of {} built in {build:.1} s, {:.2} GB, kernel {}",
        index.len(),
        index.memory_bytes() as f64 / 1e9,
        index.kernel().name()
    ));
    report.set(&format!("{key}_build_seconds"), build);
    report.set(&format!("{key}_memory_bytes"), index.memory_bytes());

    let (s, single) = time_single(queries, |q| index.search(q, K).expect("valid query"));
    let scanned = (encoding.bytes_per_vector(gallery.dim()) * gallery.len()) as f64;
    report.set(&format!("{key}_single_seconds"), s);
    report.set(&format!("{key}_single_qps"), 1.0 / s);
    report.set(&format!("{key}_single_gbs"), scanned / s / 1e9);
    let mut line = format!(
        "{encoding}: single query {:.2} ms median ({:.1} GB/s of codes)",
        s * 1e3,
        scanned / s / 1e9
    );
    if let Some((truth_single, _)) = exact {
        let r = recall(&single, truth_single);
        report.set(&format!("{key}_recall_at_10"), r);
        line += &format!(", recall@10 {r:.4}");
    }
    log.say(line);

    let subset;
    let queries = if batch_limit < queries.len() {
        let values = &queries.as_slice()[..batch_limit * queries.dim()];
        subset = EmbeddingBatch::from_rows(values, queries.dim()).expect("valid rows");
        &subset
    } else {
        queries
    };
    let nq = queries.len();
    let t = Instant::now();
    let batch = index.search_batch(queries, K).expect("valid queries");
    let s = t.elapsed().as_secs_f64();
    report.set(&format!("{key}_batch_queries"), nq);
    report.set(&format!("{key}_batch_seconds"), s);
    report.set(&format!("{key}_batch_qps"), nq as f64 / s);
    let mate = mate_at_1(&batch, &persons[..nq]);
    report.set(&format!("{key}_batch_mate_at_1"), mate);
    let mut line = format!(
        "{encoding}: batch of {nq} in {s:.2} s ({:.0} qps)",
        nq as f64 / s
    );
    if let Some((_, truth_batch)) = exact {
        let r = recall(&batch, &truth_batch[..nq]);
        report.set(&format!("{key}_batch_recall_at_10"), r);
        line += &format!(", recall@10 {r:.4}");
    }
    log.say(line);
    (single, batch)
}

/// The all-pairs join over [`JOIN_N`] embeddings of other people with planted duplicates.
fn bench_join(dim: usize, report: &mut Report, log: &Log) {
    let synth = FaceSynth::new(dim, JOIN_SEED);
    let planted = (JOIN_N as f64 * JOIN_PLANTED_SHARE) as usize;
    let persons = JOIN_N - planted;
    // Rows 0..persons: capture 0 of each person; the last `planted` rows: capture 1 of the
    // first `planted` persons.
    let person = |i: usize| (if i < persons { i } else { i - persons }) as u64;
    let capture = |i: usize| u64::from(i >= persons);
    let batch = generate(&synth, JOIN_N, person, capture);
    let ids: Vec<u64> = (0..JOIN_N as u64).collect();
    let mut index = FaceIndex::new(dim, Encoding::F32).expect("dimension checked");
    index.add_batch(&ids, &batch).expect("fresh ids");
    drop(batch);
    log.say(format!(
        "join: {JOIN_N} embeddings, {planted} planted duplicates; joining at {JOIN_THRESHOLD}"
    ));
    let t = Instant::now();
    let pairs = index.join(JOIN_THRESHOLD).expect("valid threshold");
    let s = t.elapsed().as_secs_f64();
    let is_planted = |a: u64, b: u64| {
        let (lo, hi) = (a.min(b) as usize, a.max(b) as usize);
        hi >= persons && person(hi) == lo as u64
    };
    let found = pairs.iter().filter(|p| is_planted(p.a, p.b)).count();
    let unplanted = pairs.len() - found;
    log.say(format!(
        "join: {s:.1} s, {} pairs: {found}/{planted} planted, {unplanted} others",
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
    report.set("allpairs_planted_total", planted);
    report.set("allpairs_unplanted_pairs", unplanted);
}

/// The IVF index over `gallery` with recall against `truth` (exact top-10 of `queries`).
fn bench_ivf(
    gallery: &EmbeddingBatch,
    queries: &EmbeddingBatch,
    persons: &[u64],
    truth: &[Vec<Hit>],
    report: &mut Report,
    log: &Log,
) {
    let ids: Vec<u64> = (0..gallery.len() as u64).collect();
    let config = IvfConfig::default();
    log.say(format!(
        "ivf: building over {} ({:?}, lists 0 = 4·√n)",
        gallery.len(),
        config
    ));
    let t = Instant::now();
    let ivf = IvfIndex::build(&ids, gallery, &config).expect("valid gallery");
    let build = t.elapsed().as_secs_f64();
    log.say(format!(
        "ivf: built in {build:.1} s, {} lists, {:.2} GB",
        ivf.lists(),
        ivf.memory_bytes() as f64 / 1e9
    ));
    report.set("ivf_n", gallery.len());
    report.set("ivf_lists", ivf.lists());
    report.set("ivf_encoding", config.encoding.name());
    report.set("ivf_build_seconds", build);
    report.set("ivf_memory_bytes", ivf.memory_bytes());
    let mut rows = Vec::new();
    for &nprobe in NPROBES.iter().filter(|&&p| p <= ivf.lists()) {
        let t = Instant::now();
        let found = ivf.search_batch(queries, K, nprobe).expect("valid queries");
        let s = t.elapsed().as_secs_f64();
        let r = recall(&found, truth);
        let mate = mate_at_1(&found, persons);
        let (single, _) = time_single(queries, |q| ivf.search(q, K, nprobe).expect("valid"));
        let qps = queries.len() as f64 / s;
        log.say(format!(
            "ivf nprobe {nprobe}: batch {qps:.0} qps, single {:.0} qps, recall@10 {r:.4}, \
             mate@1 {mate:.4}",
            1.0 / single
        ));
        rows.push(json!({
            "nprobe": nprobe,
            "batch_qps": qps,
            "single_qps": 1.0 / single,
            "recall_at_10": r,
            "mate_at_1": mate,
        }));
        if r >= 0.995 {
            break;
        }
    }
    for (target, key) in [(0.95, "95"), (0.99, "99")] {
        let best = rows
            .iter()
            .filter(|r| r["recall_at_10"].as_f64().unwrap() >= target)
            .max_by(|a, b| {
                a["batch_qps"]
                    .as_f64()
                    .unwrap()
                    .total_cmp(&b["batch_qps"].as_f64().unwrap())
            });
        match best {
            Some(b) => {
                report.set(&format!("ivf_nprobe_at_{key}"), b["nprobe"].clone());
                report.set(&format!("ivf_qps_at_{key}"), b["batch_qps"].clone());
                report.set(&format!("ivf_single_qps_at_{key}"), b["single_qps"].clone());
            }
            None => {
                report.set(&format!("ivf_nprobe_at_{key}"), Value::Null);
                report.set(&format!("ivf_qps_at_{key}"), Value::Null);
                report.set(&format!("ivf_single_qps_at_{key}"), Value::Null);
            }
        }
    }
    report.set("ivf_sweep", Value::Array(rows));
}

/// Writes `values` as raw little-endian f32.
fn write_f32(path: &Path, values: &[f32]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(path)?);
    let mut bytes = Vec::with_capacity(1 << 22);
    for chunk in values.chunks(1 << 20) {
        bytes.clear();
        bytes.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
        out.write_all(&bytes)?;
    }
    out.flush()
}

/// Reads raw little-endian i64.
fn read_i64(path: &Path) -> std::io::Result<Vec<i64>> {
    Ok(std::fs::read(path)?
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect())
}

/// Inputs of the faiss run.
struct FaissRun<'a> {
    python: &'a str,
    gallery: &'a EmbeddingBatch,
    queries: &'a EmbeddingBatch,
    /// The ANN queries when they differ from `queries` (a smaller ANN gallery).
    ann_queries: Option<&'a EmbeddingBatch>,
    ann_n: usize,
    /// galton's exact top-10 of `queries`, to check faiss's flat result against.
    exact: &'a [Vec<Hit>],
}

/// Runs `benches/face_search_faiss.py` on the same data and merges its figures as `faiss_*`.
fn bench_faiss(run: &FaissRun<'_>, report: &mut Report, log: &Log) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("galton-face-search-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = (|| {
        let g = dir.join("gallery.f32");
        let q = dir.join("queries.f32");
        let ids = dir.join("flat_ids.i64");
        let t = Instant::now();
        write_f32(&g, run.gallery.as_slice()).map_err(|e| e.to_string())?;
        write_f32(&q, run.queries.as_slice()).map_err(|e| e.to_string())?;
        let mut command = Command::new(run.python);
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("face_search_faiss.py");
        command
            .arg(&script)
            .args(["--gallery".as_ref(), g.as_os_str()])
            .args(["--queries".as_ref(), q.as_os_str()])
            .args(["--n", &run.gallery.len().to_string()])
            .args(["--dim", &run.gallery.dim().to_string()])
            .args(["--nq", &run.queries.len().to_string()])
            .args(["--k", &K.to_string()])
            .args(["--single", &SINGLE.to_string()])
            .args(["--ann-n", &run.ann_n.to_string()])
            .args(["--hnsw-n", &run.ann_n.to_string()])
            .args(["--flat-ids-out".as_ref(), ids.as_os_str()])
            .arg("--json");
        if let Some(aq) = run.ann_queries {
            let path = dir.join("ann_queries.f32");
            write_f32(&path, aq.as_slice()).map_err(|e| e.to_string())?;
            command.args(["--ann-queries".as_ref(), path.as_os_str()]);
        }
        log.say(format!(
            "faiss: data written in {:.1} s to {}; running {}",
            t.elapsed().as_secs_f64(),
            dir.display(),
            script.display()
        ));
        let output = command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", run.python))?;
        if !output.status.success() {
            return Err(format!("faiss script failed: {}", output.status));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .ok_or("faiss script printed nothing")?;
        let figures: Map<String, Value> =
            serde_json::from_str(last).map_err(|e| format!("faiss JSON: {e}: {last}"))?;
        for (k, v) in figures {
            report.set(&format!("faiss_{k}"), v);
        }
        // Does faiss's exact result agree with galton's?
        let flat = read_i64(&ids).map_err(|e| e.to_string())?;
        let found: Vec<Vec<Hit>> = flat
            .chunks_exact(K)
            .map(|c| {
                c.iter()
                    .map(|&id| Hit {
                        id: id as u64,
                        score: 0.0,
                    })
                    .collect()
            })
            .collect();
        report.set("faiss_flat_agreement_at_10", recall(&found, run.exact));
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let args = parse_args();
    let log = Log(Instant::now());
    let mut report = Report::default();
    let (n, dim, nq) = (args.n, args.dim, args.queries);
    let ann_n = args.ann_n.unwrap_or(n).min(n);
    if args.ann_n.is_some_and(|m| m > n) {
        log.say(format!("--ann-n is capped at --n = {n}"));
    }
    let kernel = Kernel::detect();
    let threads = rayon::current_num_threads();
    log.say(format!(
        "face-search: n {n}, dim {dim}, {nq} batch queries, kernel {}, {threads} threads",
        kernel.name()
    ));
    report.set("kernel", kernel.name());
    report.set("threads", threads);
    report.set("n", n);
    report.set("dim", dim);
    report.set("queries", nq);
    report.set("single_queries", SINGLE.min(nq));
    report.set("k", K);

    // 1. Bandwidth, on a buffer the gallery's size (at least 2 GB), before the gallery exists.
    let gallery_bytes = n * dim * 4;
    let (best, med) = bandwidth(gallery_bytes.max(2_000_000_000), 5, &log);
    report.set("bandwidth_gbs", best);
    report.set("bandwidth_median_gbs", med);
    report.set("bandwidth_buffer_bytes", gallery_bytes.max(2_000_000_000));

    let t = Instant::now();
    let synth = FaceSynth::new(dim, SEED);
    let gallery = generate(&synth, n, |i| i as u64, |_| 0);
    let ids: Vec<u64> = (0..n as u64).collect();
    let (queries, persons) = queries(&synth, n, nq, SEED ^ 1);
    log.say(format!(
        "gallery of {n} × {dim} ({:.2} GB) and {nq} queries generated in {:.1} s",
        gallery_bytes as f64 / 1e9,
        t.elapsed().as_secs_f64()
    ));

    // 2–4. Exact scans.
    let (exact_single, exact_batch) = bench_encoding(
        Encoding::F32,
        &ids,
        &gallery,
        &queries,
        &persons,
        None,
        nq,
        &mut report,
        &log,
    );
    report.set("batch_qps", report.f("f32_batch_qps").unwrap());
    report.set("batch_seconds", report.f("f32_batch_seconds").unwrap());
    for encoding in [
        Encoding::F16,
        Encoding::Int8PerVector,
        Encoding::Int8PerDimension,
    ] {
        bench_encoding(
            encoding,
            &ids,
            &gallery,
            &queries,
            &persons,
            Some((&exact_single, &exact_batch)),
            // The int8-dim batch costs as much as the int8 one: a tenth of the queries.
            if encoding == Encoding::Int8PerDimension {
                (nq / 10).max(1)
            } else {
                nq
            },
            &mut report,
            &log,
        );
    }
    let f32_qps = report.f("f32_single_qps").unwrap();
    let f32_batch = report.f("f32_batch_qps").unwrap();
    for key in ["f16", "i8", "i8dim"] {
        let single = report.f(&format!("{key}_single_qps")).unwrap();
        let batch = report.f(&format!("{key}_batch_qps")).unwrap();
        report.set(&format!("{key}_speedup_vs_f32"), single / f32_qps);
        report.set(&format!("{key}_batch_speedup_vs_f32"), batch / f32_batch);
    }
    report.set(
        "f32_single_bandwidth_share",
        report.f("f32_single_gbs").unwrap() / report.f("bandwidth_gbs").unwrap(),
    );

    // 5. The deduplication join.
    bench_join(dim, &mut report, &log);

    // 6. The approximate index.
    let ann = (ann_n < n).then(|| {
        let sub =
            EmbeddingBatch::from_rows(&gallery.as_slice()[..ann_n * dim], dim).expect("valid rows");
        let (q, p) = self::queries(&synth, ann_n, nq, SEED ^ 2);
        let mut exact = FaceIndex::new(dim, Encoding::F32).expect("dimension checked");
        exact.add_batch(&ids[..ann_n], &sub).expect("fresh ids");
        let truth = exact.search_batch(&q, K).expect("valid queries");
        log.say(format!(
            "ann: exact top-{K} over the first {ann_n} computed"
        ));
        (sub, q, p, truth)
    });
    let (ann_gallery, ann_queries, ann_persons, ann_truth) = match &ann {
        Some((g, q, p, t)) => (g, q, &p[..], &t[..]),
        None => (&gallery, &queries, &persons[..], &exact_batch[..]),
    };
    report.set("ann_n", ann_n);
    if !args.skip_ann {
        bench_ivf(
            ann_gallery,
            ann_queries,
            ann_persons,
            ann_truth,
            &mut report,
            &log,
        );
    }

    // 7. faiss on the same data.
    if let Some(python) = &args.faiss {
        let run = FaissRun {
            python,
            gallery: &gallery,
            queries: &queries,
            ann_queries: ann.as_ref().map(|a| &a.1),
            ann_n,
            exact: &exact_batch,
        };
        if let Err(e) = bench_faiss(&run, &mut report, &log) {
            log.say(format!("faiss: {e}"));
            report.set("faiss_error", e);
        } else {
            for (ours, theirs, name) in [
                (
                    "f32_single_qps",
                    "faiss_flat_single_qps",
                    "vs_faiss_flat_single",
                ),
                (
                    "f32_batch_qps",
                    "faiss_flat_batch_qps",
                    "vs_faiss_flat_batch",
                ),
                ("f32_batch_qps", "faiss_numpy_batch_qps", "vs_numpy_batch"),
                (
                    "i8_single_qps",
                    "faiss_flat_single_qps",
                    "i8_vs_faiss_flat_single",
                ),
                (
                    "i8_batch_qps",
                    "faiss_flat_batch_qps",
                    "i8_vs_faiss_flat_batch",
                ),
                ("ivf_qps_at_95", "faiss_hnsw_qps_at_95", "ivf_vs_hnsw_at_95"),
                ("ivf_qps_at_99", "faiss_hnsw_qps_at_99", "ivf_vs_hnsw_at_99"),
            ] {
                if let (Some(a), Some(b)) = (report.f(ours), report.f(theirs)) {
                    report.set(&format!("ratio_{name}"), a / b);
                }
            }
        }
    }
    drop(ann);
    drop(gallery);
    if let Some(rss) = peak_rss() {
        report.set("peak_rss_bytes", rss);
    }
    report.set("total_seconds", log.0.elapsed().as_secs_f64());
    log.say("done");

    let object = Value::Object(report.0.clone());
    if let Some(path) = &args.save_json {
        if let Err(e) = std::fs::write(path, format!("{object:#}\n")) {
            log.say(format!("cannot write {}: {e}", path.display()));
        }
    }
    if args.json {
        println!("{object}");
    } else {
        print!("{}", table(&report));
    }
}

/// The report as markdown.
fn table(r: &Report) -> String {
    let get = |k: &str| r.f(k);
    let num = |k: &str, digits: usize| get(k).map_or("–".into(), |v| format!("{v:.digits$}"));
    let int = |k: &str| get(k).map_or("–".into(), |v| format!("{v:.0}"));
    let gb = |k: &str| get(k).map_or("–".into(), |v| format!("{:.2}", v / 1e9));
    let ratio = |a: &str, b: &str| match (get(a), get(b)) {
        (Some(x), Some(y)) if y > 0.0 => format!("{:.2}×", x / y),
        _ => "–".into(),
    };
    let text = |k: &str| {
        r.0.get(k)
            .and_then(Value::as_str)
            .unwrap_or("–")
            .to_string()
    };
    let setting = |k: &str| match r.0.get(k) {
        Some(Value::Number(v)) => v.to_string(),
        _ => "none".into(),
    };
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line(format!(
        "# face-search: n = {}, dim = {}, kernel {}, {} threads\n",
        int("n"),
        int("dim"),
        text("kernel"),
        int("threads")
    ));
    line(format!(
        "Memory read bandwidth (sum over {} GB, all threads): best {} GB/s, median {} GB/s.\n",
        gb("bandwidth_buffer_bytes"),
        num("bandwidth_gbs", 1),
        num("bandwidth_median_gbs", 1)
    ));
    line(format!(
        "## Exact search over {} × {} (single: median of {} queries; batch: {} queries, top-{})\n",
        int("n"),
        int("dim"),
        int("single_queries"),
        int("queries"),
        int("k")
    ));
    line("| index | memory GB | single ms | single qps | GB/s scanned | % of bandwidth | × f32 | recall@10 | batch queries | batch s | batch qps | batch × f32 | batch recall@10 | mate@1 |".into());
    line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|".into());
    for (key, name) in [
        ("f32", "f32"),
        ("f16", "f16 (+ f32 re-rank)"),
        ("i8", "int8 per vector (+ re-rank)"),
        ("i8dim", "int8 per dimension (+ re-rank)"),
    ] {
        let f = |suffix: &str| format!("{key}_{suffix}");
        let share = match (get(&f("single_gbs")), get("bandwidth_gbs")) {
            (Some(a), Some(b)) => format!("{:.0}%", 100.0 * a / b),
            _ => "–".into(),
        };
        let recall_single = if key == "f32" {
            "exact".into()
        } else {
            num(&f("recall_at_10"), 4)
        };
        let recall_batch = if key == "f32" {
            "exact".into()
        } else {
            num(&f("batch_recall_at_10"), 4)
        };
        line(format!(
            "| {name} | {} | {} | {} | {} | {share} | {} | {recall_single} | {} | {} | {} | {} | {recall_batch} | {} |",
            gb(&f("memory_bytes")),
            get(&f("single_seconds")).map_or("–".into(), |v| format!("{:.2}", v * 1e3)),
            num(&f("single_qps"), 1),
            num(&f("single_gbs"), 1),
            ratio(&f("single_qps"), "f32_single_qps"),
            int(&f("batch_queries")),
            num(&f("batch_seconds"), 2),
            num(&f("batch_qps"), 0),
            ratio(&f("batch_qps"), "f32_batch_qps"),
            num(&f("batch_mate_at_1"), 4),
        ));
    }
    line(String::new());
    if r.0.contains_key("faiss_flat_batch_qps") {
        line("## galton against faiss / numpy on the same data\n".into());
        line("| measure | galton | faiss / numpy | galton ÷ faiss |".into());
        line("|---|---|---|---|".into());
        for (label, ours, theirs) in [
            (
                "exact single query, qps (f32 vs IndexFlatIP)",
                "f32_single_qps",
                "faiss_flat_single_qps",
            ),
            (
                "exact single query, qps (int8 vs IndexFlatIP)",
                "i8_single_qps",
                "faiss_flat_single_qps",
            ),
            (
                "exact batch, qps (f32 vs IndexFlatIP)",
                "f32_batch_qps",
                "faiss_flat_batch_qps",
            ),
            (
                "exact batch, qps (f32 vs numpy blocks + argpartition)",
                "f32_batch_qps",
                "faiss_numpy_batch_qps",
            ),
            (
                "exact batch, qps (int8 vs IndexFlatIP)",
                "i8_batch_qps",
                "faiss_flat_batch_qps",
            ),
            (
                "ANN batch qps at recall@10 ≥ 0.95 (IVF vs HNSW)",
                "ivf_qps_at_95",
                "faiss_hnsw_qps_at_95",
            ),
            (
                "ANN batch qps at recall@10 ≥ 0.99 (IVF vs HNSW)",
                "ivf_qps_at_99",
                "faiss_hnsw_qps_at_99",
            ),
            (
                "ANN single qps at recall@10 ≥ 0.95 (IVF vs HNSW)",
                "ivf_single_qps_at_95",
                "faiss_hnsw_single_qps_at_95",
            ),
            (
                "ANN build seconds (IVF vs HNSW)",
                "ivf_build_seconds",
                "faiss_hnsw_build_seconds",
            ),
            (
                "ANN memory GB (IVF vs HNSW)",
                "ivf_memory_bytes",
                "faiss_hnsw_memory_bytes",
            ),
        ] {
            let fmt = |k: &str| {
                get(k).map_or("–".into(), |v| {
                    if k.ends_with("bytes") {
                        format!("{:.3}", v / 1e9)
                    } else {
                        format!("{v:.1}")
                    }
                })
            };
            line(format!(
                "| {label} | {} | {} | {} |",
                fmt(ours),
                fmt(theirs),
                ratio(ours, theirs)
            ));
        }
        line(format!(
            "\nfaiss {} (threads {}); IndexFlatIP top-{} agrees with galton's exact f32 top-{} on {} of ids; HNSW over {} rows (M 32, efConstruction {}).\n",
            text("faiss_version"),
            int("faiss_threads"),
            int("k"),
            int("k"),
            num("faiss_flat_agreement_at_10", 4),
            int("faiss_hnsw_n"),
            int("faiss_hnsw_ef_construction"),
        ));
    } else if r.0.contains_key("faiss_error") {
        line(format!("faiss: {}\n", text("faiss_error")));
    }
    line(format!(
        "## All-pairs join at cosine ≥ {} over {} embeddings\n",
        num("allpairs_threshold", 2),
        int("allpairs_n")
    ));
    line(
        "| seconds | pairs/s | planted found | planted total | unplanted pairs ≥ threshold |"
            .into(),
    );
    line("|---|---|---|---|---|".into());
    line(format!(
        "| {} | {} | {} | {} | {} |\n",
        num("allpairs_seconds", 2),
        get("allpairs_pairs_per_second").map_or("–".into(), |v| format!("{v:.3e}")),
        int("allpairs_planted_found"),
        int("allpairs_planted_total"),
        int("allpairs_unplanted_pairs")
    ));
    if let Some(Value::Array(rows)) = r.0.get("ivf_sweep") {
        line(format!(
            "## IVF over {} ({} lists, {}, f32 re-rank): build {} s, {} GB\n",
            int("ivf_n"),
            int("ivf_lists"),
            text("ivf_encoding"),
            num("ivf_build_seconds", 1),
            gb("ivf_memory_bytes")
        ));
        line("| nprobe | batch qps | single qps | recall@10 | mate@1 |".into());
        line("|---|---|---|---|---|".into());
        for row in rows {
            let g = |k: &str| row[k].as_f64().unwrap_or(f64::NAN);
            line(format!(
                "| {} | {:.0} | {:.0} | {:.4} | {:.4} |",
                row["nprobe"],
                g("batch_qps"),
                g("single_qps"),
                g("recall_at_10"),
                g("mate_at_1")
            ));
        }
        line(format!(
            "\nFastest reaching recall@10 ≥ 0.95: nprobe {} ({} qps); ≥ 0.99: nprobe {} ({} qps).\n",
            setting("ivf_nprobe_at_95"),
            num("ivf_qps_at_95", 0),
            setting("ivf_nprobe_at_99"),
            num("ivf_qps_at_99", 0),
        ));
    }
    if let Some(Value::Array(rows)) = r.0.get("faiss_hnsw_sweep") {
        line(format!(
            "## faiss IndexHNSWFlat over {} (M 32): build {} s, {} GB\n",
            int("faiss_hnsw_n"),
            num("faiss_hnsw_build_seconds", 1),
            gb("faiss_hnsw_memory_bytes")
        ));
        line("| efSearch | batch qps | single qps | recall@10 |".into());
        line("|---|---|---|---|".into());
        for row in rows {
            let g = |k: &str| row[k].as_f64().unwrap_or(f64::NAN);
            line(format!(
                "| {} | {:.0} | {:.0} | {:.4} |",
                row["ef_search"],
                g("batch_qps"),
                g("single_qps"),
                g("recall_at_10")
            ));
        }
        line(format!(
            "\nFastest reaching recall@10 ≥ 0.95: efSearch {} ({} qps); ≥ 0.99: efSearch {} ({} qps).\n",
            setting("faiss_hnsw_ef_at_95"),
            num("faiss_hnsw_qps_at_95", 0),
            setting("faiss_hnsw_ef_at_99"),
            num("faiss_hnsw_qps_at_99", 0),
        ));
    }
    line(format!(
        "Peak resident memory {} GB; whole run {} s.",
        gb("peak_rss_bytes"),
        num("total_seconds", 0)
    ));
    s
}
