//! Gallery benchmarks on synthetic populations (templates-only fingers, synthetic faces),
//! printed as Markdown tables:
//!
//! - **identify**: one probe of two fingers (other impressions than the enrolled ones)
//!   against `--people` subjects: latency (median, p95), rank-1 rate, and, on a sample, the
//!   prefilter against an exhaustive search (a mate the full search ranks first and the
//!   prefilter loses would show here);
//! - **dedup**: `--dedup-people` subjects × 2 fingers + face with planted duplicates: wall
//!   time, planted pairs found, false pairs;
//! - **store**: enrollment throughput into an SQLite gallery (with the duplicate check, one
//!   transaction each), bulk import of `--store-people`, and the time to reopen it.
//!
//! `cargo run --release -p galton-benches --bin gallery -- [--only identify,dedup,store]
//!  [--people 100000] [--queries 200] [--exhaustive 20] [--dedup-people 10000]
//!  [--store-people 100000] [--enroll 2000]`
//!
//! The fingerprint tail model is fitted on 200,000 synthetic impostor scores first: the
//! generator's impostors score higher than FVC2002's, and an institution calibrates on its own
//! data the same way.

use std::time::Instant;

use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, TailModel};
use galton::synth::population::{person_id, Population, PopulationSpec};

struct Args {
    only: Vec<String>,
    people: usize,
    queries: usize,
    exhaustive: usize,
    dedup_people: usize,
    store_people: usize,
    enroll: usize,
}

fn parse() -> Args {
    let mut a = Args {
        only: vec!["identify".into(), "dedup".into(), "store".into()],
        people: 100_000,
        queries: 200,
        exhaustive: 20,
        dedup_people: 10_000,
        store_people: 100_000,
        enroll: 2000,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        let number = || -> usize {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{} wants a number", argv[i]))
        };
        match argv[i].as_str() {
            "--only" => a.only = value.split(',').map(String::from).collect(),
            "--people" => a.people = number(),
            "--queries" => a.queries = number(),
            "--exhaustive" => a.exhaustive = number(),
            "--dedup-people" => a.dedup_people = number(),
            "--store-people" => a.store_people = number(),
            "--enroll" => a.enroll = number(),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * q) as usize).min(v.len() - 1)]
}

fn calibrated(population: &Population) -> GalleryConfig {
    let t = Instant::now();
    let impostors = population.finger_impostor_scores(200_000);
    let model = TailModel::fit(&impostors).expect("enough scores");
    eprintln!(
        "fitted the fingerprint tail on {} synthetic impostor scores in {:.1} s: {:?}",
        impostors.len(),
        t.elapsed().as_secs_f64(),
        model.knots()
    );
    GalleryConfig {
        finger_model: model,
        ..GalleryConfig::default()
    }
}

fn identify(args: &Args) {
    let t = Instant::now();
    let population = Population::generate(PopulationSpec {
        seed: 61,
        people: args.people,
        fingers: 2,
        face_dim: None,
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    });
    eprintln!(
        "generated {} people in {:.1} s",
        args.people,
        t.elapsed().as_secs_f64()
    );
    let mut gallery = Gallery::new(calibrated(&population));
    let t = Instant::now();
    gallery
        .import(population.subjects.clone())
        .expect("valid population");
    let import = t.elapsed().as_secs_f64();
    let queries: Vec<usize> = (0..args.queries)
        .map(|q| q * args.people / args.queries.max(1))
        .collect();
    let (mut times, mut first, mut matched) = (Vec::new(), 0, 0);
    for &p in &queries {
        let probe = population.probe(p, 2, false);
        let t = Instant::now();
        let hits = gallery.identify(&probe, 10).expect("valid probe");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if hits.first().is_some_and(|h| h.id == person_id(p)) {
            first += 1;
            matched += hits[0].is_match as usize;
        }
    }
    let (mut lost, mut exhaustive_first, mut exhaustive_ms) = (0, 0, Vec::new());
    for &p in queries.iter().take(args.exhaustive) {
        let probe = population.probe(p, 2, false);
        let t = Instant::now();
        let full = gallery.identify_exhaustive(&probe, 1).expect("valid probe");
        exhaustive_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let fast = gallery.identify(&probe, 1).expect("valid probe");
        if full[0].id == person_id(p) {
            exhaustive_first += 1;
            lost += (fast[0].id != full[0].id) as usize;
        }
    }
    let n = queries.len() as f64;
    println!(
        "\n### identify: one probe of two fingers against {} subjects\n",
        args.people
    );
    println!("| measure | value |\n|---|---|");
    println!("| threads | {} |", rayon::current_num_threads());
    println!(
        "| import (prepare + index), s | {import:.1} ({:.0} subjects/s) |",
        args.people as f64 / import
    );
    println!(
        "| gallery memory | {:.2} GB |",
        gallery.memory_bytes() as f64 / 1e9
    );
    println!("| identify, median ms | {:.1} |", median(&mut times));
    println!("| identify, p95 ms | {:.1} |", percentile(&mut times, 0.95));
    println!(
        "| mate ranked first | {first} of {} ({:.2}%), {matched} of them matches at FMR 1e-4 |",
        queries.len(),
        100.0 * first as f64 / n
    );
    if !exhaustive_ms.is_empty() {
        println!(
            "| exhaustive search, median ms | {:.0} |",
            median(&mut exhaustive_ms)
        );
        println!(
            "| mates ranked first by the exhaustive search and lost by the prefilter | {lost} of {exhaustive_first} |"
        );
    }
}

fn dedup(args: &Args) {
    let spec = PopulationSpec {
        seed: 62,
        people: args.dedup_people,
        fingers: 2,
        face_dim: Some(128),
        reenrolled: args.dedup_people / 100,
        shared_face: args.dedup_people / 500,
        shared_finger: args.dedup_people / 500,
        ..PopulationSpec::default()
    };
    let population = Population::generate(spec);
    let mut gallery = Gallery::new(calibrated(&population));
    gallery
        .import(population.subjects.clone())
        .expect("valid population");
    let t = Instant::now();
    let report = gallery.deduplicate().expect("dedup");
    let wall = t.elapsed().as_secs_f64();
    let planted: std::collections::HashSet<(String, String)> =
        population.planted.iter().cloned().collect();
    let found = report
        .pairs
        .iter()
        .filter(|p| {
            planted.contains(&(p.a.clone(), p.b.clone()))
                || planted.contains(&(p.b.clone(), p.a.clone()))
        })
        .count();
    let false_pairs = report.pairs.len() - found;
    println!(
        "\n### dedup: {} subjects × 2 fingers + face ({} planted pairs)\n",
        report.subjects,
        planted.len()
    );
    println!("| measure | value |\n|---|---|");
    println!("| wall time, s | {wall:.1} |");
    println!("| pairs compared in full | {} |", report.compared);
    println!(
        "| planted pairs found | {found} of {} ({:.1}%) |",
        planted.len(),
        100.0 * found as f64 / planted.len().max(1) as f64
    );
    println!("| false pairs reported | {false_pairs} |");
    println!("| clusters | {} |", report.clusters.len());
    for kind in ["DUP", "SHF", "SHP"] {
        let of_kind: Vec<&(String, String)> = planted
            .iter()
            .filter(|(_, b)| b.starts_with(kind))
            .collect();
        let hit = of_kind
            .iter()
            .filter(|(a, b)| {
                report
                    .pairs
                    .iter()
                    .any(|p| (&p.a == a && &p.b == b) || (&p.a == b && &p.b == a))
            })
            .count();
        println!("| found, {kind} | {hit} of {} |", of_kind.len());
    }
}

fn store(args: &Args) {
    let dir = std::env::temp_dir().join(format!("galton-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let population = Population::generate(PopulationSpec {
        seed: 63,
        people: args.store_people.max(args.enroll),
        fingers: 2,
        face_dim: Some(128),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    });
    let config = calibrated(&population);
    println!("\n### store: SQLite gallery\n");
    println!("| measure | value |\n|---|---|");

    let path = dir.join("enroll.db");
    let mut gallery = Gallery::open(&path, config.clone()).expect("open");
    let t = Instant::now();
    let mut stored = 0;
    for s in population.subjects.iter().take(args.enroll) {
        stored += gallery
            .enroll(s.clone(), DuplicatePolicy::Flag)
            .expect("enroll")
            .is_stored() as usize;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "| enroll with the duplicate check, one transaction each ({} subjects) | {:.0} subjects/s |",
        stored,
        stored as f64 / s
    );
    drop(gallery);

    let path = dir.join("import.db");
    let mut gallery = Gallery::open(&path, config.clone()).expect("open");
    let t = Instant::now();
    for chunk in population.subjects[..args.store_people].chunks(10_000) {
        gallery.import(chunk.to_vec()).expect("import");
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "| import {} subjects (chunks of 10,000 per transaction) | {:.1} s, {:.0} subjects/s |",
        args.store_people,
        s,
        args.store_people as f64 / s
    );
    drop(gallery);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("| database size | {:.1} MB |", size as f64 / 1e6);
    let t = Instant::now();
    let gallery = Gallery::open(&path, config).expect("reopen");
    println!(
        "| reopen {} subjects (load + prepare + index) | {:.1} s |",
        gallery.len(),
        t.elapsed().as_secs_f64()
    );
    drop(gallery);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args = parse();
    for section in args.only.clone() {
        match section.as_str() {
            "identify" => identify(&args),
            "dedup" => dedup(&args),
            "store" => store(&args),
            other => panic!("unknown section {other}"),
        }
    }
}
