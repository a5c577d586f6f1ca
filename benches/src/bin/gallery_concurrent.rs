//! Identification throughput of a file-backed `SharedGallery` with 1, 2 and 3 reader threads,
//! without and with a writer thread enrolling and removing subjects meanwhile, printed as a
//! Markdown table (medians over `--repeats` runs of `--seconds` each).
//!
//! `cargo run --release -p galton-benches --bin gallery-concurrent -- [--people 1000]
//!  [--churn 200] [--seconds 2] [--repeats 3]`
//!
//! Identification itself runs its comparisons on every core (rayon), so on a machine with few
//! cores more reader threads mostly share the same cores; the writer's cost shows as the drop
//! between the two columns.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, SharedGallery};
use galton::synth::population::{person_id, Population, PopulationSpec};

struct Args {
    people: usize,
    churn: usize,
    seconds: f64,
    repeats: usize,
}

fn parse() -> Args {
    let mut a = Args {
        people: 1000,
        churn: 200,
        seconds: 2.0,
        repeats: 3,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        let name = pair[0].as_str();
        match name {
            "--people" => a.people = number(name, &value),
            "--churn" => a.churn = number(name, &value),
            "--seconds" => a.seconds = number(name, &value),
            "--repeats" => a.repeats = number(name, &value),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name} wants a number, got {value:?}"))
}

/// Identifications per second and writes done, over one run.
fn run(
    shared: &Arc<SharedGallery>,
    population: &Arc<Population>,
    args: &Args,
    readers: usize,
    writer: bool,
) -> (f64, usize) {
    let done = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let stable = args.people - args.churn;
    let threads: Vec<_> = (0..readers)
        .map(|r| {
            let (shared, population) = (Arc::clone(shared), Arc::clone(population));
            let (done, queries) = (Arc::clone(&done), Arc::clone(&queries));
            std::thread::spawn(move || {
                let mut i = r * 101;
                while !done.load(Relaxed) {
                    i += 1;
                    let probe = population.probe(i % stable, 2, true);
                    let hits = shared.identify(&probe, 5).unwrap();
                    assert!(!hits.is_empty());
                    queries.fetch_add(1, Relaxed);
                }
            })
        })
        .collect();
    let writes = if writer {
        let (shared, population) = (Arc::clone(shared), Arc::clone(population));
        let (done, churn) = (Arc::clone(&done), args.churn);
        Some(std::thread::spawn(move || {
            let mut writes = 0;
            let mut k = 0;
            while !done.load(Relaxed) {
                let p = stable + k % churn;
                k += 1;
                let id = person_id(p);
                if shared.contains(&id).unwrap() {
                    shared.remove(&id).unwrap();
                } else {
                    let subject = population.subjects[p].clone();
                    shared.enroll(subject, DuplicatePolicy::Flag).unwrap();
                }
                writes += 1;
            }
            writes
        }))
    } else {
        None
    };
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(args.seconds));
    done.store(true, Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let writes = writes.map_or(0, |w| w.join().unwrap());
    (queries.load(Relaxed) as f64 / elapsed, writes)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args = parse();
    assert!(args.churn < args.people && args.repeats > 0);
    let population = Arc::new(Population::generate(PopulationSpec {
        seed: 77,
        people: args.people,
        fingers: 2,
        face_dim: Some(128),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    }));
    let dir = std::env::temp_dir().join(format!("galton-bench-concurrent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut gallery = Gallery::open(dir.join("gallery.db"), GalleryConfig::default()).unwrap();
    gallery
        .import(population.subjects[..args.people - args.churn / 2].to_vec())
        .unwrap();
    let shared = Arc::new(SharedGallery::new(gallery));
    println!(
        "{} subjects (2 fingers + face), {} churned by the writer; medians of {} runs of {} s",
        args.people - args.churn / 2,
        args.churn,
        args.repeats,
        args.seconds
    );
    println!();
    println!("| readers | identify/s, no writer | identify/s, with writer | writes/s |");
    println!("|---|---|---|---|");
    for readers in 1..=3 {
        let mut alone: Vec<f64> = (0..args.repeats)
            .map(|_| run(&shared, &population, &args, readers, false).0)
            .collect();
        let (mut with, mut writes): (Vec<f64>, Vec<f64>) = (0..args.repeats)
            .map(|_| {
                let (q, w) = run(&shared, &population, &args, readers, true);
                (q, w as f64 / args.seconds)
            })
            .unzip();
        println!(
            "| {readers} | {:.1} | {:.1} | {:.1} |",
            median(&mut alone),
            median(&mut with),
            median(&mut writes)
        );
    }
    drop(shared);
    let _ = std::fs::remove_dir_all(&dir);
}
