//! Gallery store throughput: inserts one transaction each, `insert_many` in batches of 1000,
//! and `load_all`, for galleries of subjects with two fingers each, keyless and encrypted
//! (AES-256-GCM) side by side, each the median of `--repeat` runs.
//!
//! Usage: `cargo run --release -p galton-benches --bin store -- [SIZES…] [--dir DIR]
//! [--repeat R]` (sizes default to 10000 100000, R to 3; the file goes in DIR, default the
//! system temp dir, which should be on the disk a real gallery would use: the single inserts
//! are flush-bound).

use std::path::PathBuf;
use std::time::Instant;

use galton::gallery::store::{Store, StoreKey, StoreOptions, StoredSubject};
use galton::gallery::Subject;
use galton::synth::templates::finger_templates;
use galton::synth::SynthConfig;
use galton::template::TemplateFormat;
use galton::{FingerPosition, Template};

/// Single inserts measured (each one flushes the file).
const SINGLE: usize = 500;
/// Subjects per `insert_many`.
const BATCH: usize = 1000;

fn main() {
    let mut sizes = Vec::new();
    let mut dir = std::env::temp_dir();
    let mut repeat = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--repeat" {
            repeat = args
                .next()
                .and_then(|r| r.parse::<usize>().ok())
                .filter(|&r| r > 0)
                .expect("--repeat needs a count");
        } else if arg == "--dir" {
            dir = PathBuf::from(args.next().expect("--dir needs a folder"));
        } else {
            sizes.push(arg.parse::<usize>().expect("sizes are subject counts"));
        }
    }
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    let config = SynthConfig::default();
    let pool: Vec<Template> = (0..256)
        .map(|f| finger_templates(11, f, 1, &config).impressions.remove(0))
        .collect();
    let bytes: usize = pool
        .iter()
        .map(|t| t.to_bytes(TemplateFormat::Galton).unwrap().len())
        .sum();
    println!(
        "templates: {} bytes each on average (galton format); two fingers a subject; file in {}",
        bytes / pool.len(),
        dir.display()
    );
    let record = |n: usize| {
        StoredSubject::new(
            Subject::new(format!("SUBJ-{n:07}"))
                .with_finger(FingerPosition::RightIndex, pool[n % 256].clone())
                .with_finger(FingerPosition::LeftIndex, pool[(n * 7 + 1) % 256].clone())
                .with_metadata("office", "Quito-3"),
        )
    };

    println!(
        "\n| subjects | key | single inserts/s | insert_many({BATCH}) subjects/s | load_all s | \
         file MiB |"
    );
    println!("|---:|:---|---:|---:|---:|---:|");
    let key = StoreKey::generate();
    for &n in &sizes {
        for encrypted in [false, true] {
            let options = if encrypted {
                StoreOptions::default().with_key(key.clone())
            } else {
                StoreOptions::default()
            };
            let runs: Vec<[f64; 4]> = (0..repeat)
                .map(|_| run(&dir, n, &options, &record))
                .collect();
            let median = |k: usize| {
                let mut v: Vec<f64> = runs.iter().map(|r| r[k]).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            println!(
                "| {n} | {} | {:.0} | {:.0} | {:.2} | {:.1} |",
                if encrypted { "AES-256-GCM" } else { "none" },
                median(0),
                median(1),
                median(2),
                median(3)
            );
        }
    }
}

/// One run: single inserts/s, batched subjects/s, load seconds, file MiB.
fn run(
    dir: &std::path::Path,
    n: usize,
    options: &StoreOptions,
    record: &dyn Fn(usize) -> StoredSubject,
) -> [f64; 4] {
    let path = dir.join(format!("galton-store-bench-{}-{n}.db", std::process::id()));
    remove(&path);
    let mut store = Store::open_with(&path, options).unwrap();

    let start = Instant::now();
    for i in 0..SINGLE {
        store.insert(&record(i)).unwrap();
    }
    let single = SINGLE as f64 / start.elapsed().as_secs_f64();

    let records: Vec<StoredSubject> = (SINGLE..n.max(SINGLE)).map(record).collect();
    let start = Instant::now();
    for chunk in records.chunks(BATCH) {
        store.insert_many(chunk).unwrap();
    }
    let batched = records.len() as f64 / start.elapsed().as_secs_f64();
    drop(records);
    drop(store);

    let store = Store::open_with(&path, options).unwrap();
    let start = Instant::now();
    let all = store.load_all().unwrap();
    let load = start.elapsed().as_secs_f64();
    assert_eq!(all.len(), n.max(SINGLE));
    drop(all);
    drop(store);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64;
    remove(&path);
    [single, batched, load, size]
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
