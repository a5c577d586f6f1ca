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
//!     [--n N] [--dim D] [--json] [--queries Q] [--faiss PYTHON] [--ann-n M] [--skip-ann] \
//!     [--save-json PATH] [--only scan,batch,join,ann,faiss]
//! ```
//!
//! Prints a markdown table, or with `--json` one JSON object; progress goes to stderr.
//! `--save-json PATH` also writes the JSON object to PATH (one run gives both forms).
//! `--only LIST` runs only the listed sections (comma-separated: `scan` 2–3, `batch` 4,
//! `join` 5, `ann` 6, `faiss` 7; default all, `--skip-ann` drops `ann`); the others print
//! nothing and leave no keys. The bandwidth (1) always runs: it is the scans' reference.

mod ann;
mod data;
mod faiss;
mod measure;
mod report;

use std::path::PathBuf;
use std::time::Instant;

use galton::face::kernels::Kernel;
use galton::synth::faces::FaceSynth;

use crate::report::{Log, Report};

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
/// Seed of the gallery's identities.
const SEED: u64 = 0x5EA2C4;
/// Seed of the join gallery's identities (other people).
const JOIN_SEED: u64 = 0x10_1A;

/// The sections a run measures (`--only`).
#[derive(Clone, Copy)]
struct Sections {
    scan: bool,
    batch: bool,
    join: bool,
    ann: bool,
    faiss: bool,
}

impl Sections {
    const NAMES: &'static str = "scan,batch,join,ann,faiss";

    fn parse(list: &str) -> Option<Sections> {
        let mut s = Sections {
            scan: false,
            batch: false,
            join: false,
            ann: false,
            faiss: false,
        };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            *match name {
                "scan" => &mut s.scan,
                "batch" => &mut s.batch,
                "join" => &mut s.join,
                "ann" => &mut s.ann,
                "faiss" => &mut s.faiss,
                _ => return None,
            } = true;
        }
        Some(s)
    }
}

struct Args {
    n: usize,
    dim: usize,
    json: bool,
    queries: usize,
    faiss: Option<String>,
    ann_n: Option<usize>,
    save_json: Option<PathBuf>,
    only: Sections,
}

fn usage() -> ! {
    eprintln!(
        "usage: face-search [--n N] [--dim D] [--json] [--queries Q] [--faiss PYTHON] \
         [--ann-n M] [--skip-ann] [--save-json PATH] [--only {}]",
        Sections::NAMES
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
        save_json: None,
        only: Sections::parse(Sections::NAMES).unwrap(),
    };
    let (mut skip_ann, mut only_given) = (false, false);
    let mut it = std::env::args().skip(1);
    let value = |it: &mut dyn Iterator<Item = String>| it.next().unwrap_or_else(|| usage());
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
            "--skip-ann" => skip_ann = true,
            "--faiss" => args.faiss = Some(value(&mut it)),
            "--save-json" => args.save_json = Some(value(&mut it).into()),
            "--only" => {
                let list = value(&mut it);
                only_given = true;
                args.only = Sections::parse(&list).unwrap_or_else(|| {
                    eprintln!(
                        "--only takes a comma-separated subset of {}",
                        Sections::NAMES
                    );
                    usage()
                })
            }
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
    args.only.ann &= !skip_ann;
    // faiss runs only when given a Python.
    if only_given && args.only.faiss && args.faiss.is_none() {
        eprintln!("--only faiss needs --faiss PYTHON");
        usage()
    }
    args.only.faiss &= args.faiss.is_some();
    args
}

fn main() {
    let args = parse_args();
    let only = args.only;
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
    let buffer = gallery_bytes.max(2_000_000_000);
    let (best, med) = measure::bandwidth(buffer, 5, &log);
    report.set("bandwidth_gbs", best);
    report.set("bandwidth_median_gbs", med);
    report.set("bandwidth_buffer_bytes", buffer);

    let synth = FaceSynth::new(dim, SEED);
    let main = (only.scan || only.batch || only.ann || only.faiss).then(|| {
        let t = Instant::now();
        let gallery = data::gallery(&synth, n);
        let queries = data::queries(&synth, n, nq, SEED ^ 1);
        log.say(format!(
            "gallery of {n} × {dim} ({:.2} GB) and {nq} queries generated in {:.1} s",
            gallery_bytes as f64 / 1e9,
            t.elapsed().as_secs_f64()
        ));
        (gallery, queries)
    });

    // 2–4. Exact scans.
    let mut exact = None;
    if let (true, Some((gallery, queries))) = (only.scan || only.batch, &main) {
        exact = measure::bench_scans(only.scan, only.batch, gallery, queries, &mut report, &log);
    }

    // 5. The deduplication join (on its own gallery).
    if only.join {
        measure::bench_join(dim, &mut report, &log);
    }

    if let Some((gallery, queries)) = &main {
        // The ANN queries, over the first `ann_n` persons, when that is not all of them.
        let ann_queries = (ann_n < n).then(|| data::queries(&synth, ann_n, nq, SEED ^ 2));
        // The exact top-k over the whole gallery (the f32 batch when it ran), for the faiss
        // check and the ANN recall.
        if exact.is_none() && (only.faiss || only.ann && ann_queries.is_none()) {
            exact = Some(data::exact_top_k(gallery, &queries.batch));
            log.say(format!("exact top-{K} over the gallery computed"));
        }
        report.set("ann_n", ann_n);

        // 6. The approximate indexes.
        if only.ann {
            ann::bench_ann(
                gallery,
                ann_n,
                queries,
                ann_queries.as_ref(),
                exact.as_deref(),
                &mut report,
                &log,
            );
        }

        // 7. faiss on the same data.
        if let (true, Some(python)) = (only.faiss, &args.faiss) {
            let run = faiss::FaissRun {
                python,
                gallery,
                queries: &queries.batch,
                ann_queries: ann_queries.as_ref().map(|q| &q.batch),
                ann_n,
                exact: exact.as_deref().expect("computed above"),
            };
            faiss::bench(&run, &mut report, &log);
        }
    }
    drop(main);
    if let Some(rss) = measure::peak_rss() {
        report.set("peak_rss_bytes", rss);
    }
    report.set("total_seconds", log.0.elapsed().as_secs_f64());
    log.say("done");

    let object = report.to_json();
    if let Some(path) = &args.save_json {
        if let Err(e) = std::fs::write(path, format!("{object:#}\n")) {
            log.say(format!("cannot write {}: {e}", path.display()));
        }
    }
    if args.json {
        println!("{object}");
    } else {
        print!("{}", report::table(&report));
    }
}
