//! Candidate prefilter ([`galton::gallery::prefilter`]) on synthetic templates-only fingers:
//! how often the true mate makes the shortlist (overall, and among the probes whose mate the
//! full matcher ranks first over the whole gallery), lookup time at 10^5 enrolled templates,
//! memory, insertion time, and the full matcher's throughput for context.
//!
//! `cargo run --release -p galton-benches --bin prefilter [FINGERS [LARGE]]`
//! (defaults 3000 and 100000; `CONFIGS="L:b[:cap],…"` tries other settings: hash functions,
//! MinHash values per key, largest bucket share in units of 10^-5; `NOFULL=1` skips the
//! exhaustive full-matcher ranking).

use std::time::Instant;

use galton::gallery::prefilter::{FingerPrefilter, PrefilterConfig, PrefilterScratch};
use galton::matcher::{thresholds, Matcher, PreparedTemplate};
use galton::synth::templates::templates_only;
use galton::synth::SynthConfig;
use rayon::prelude::*;

const SEED: u64 = 2026;
const SHORTLISTS: [f64; 4] = [0.005, 0.01, 0.02, 0.05];

fn prepare_pairs(fingers: std::ops::Range<u64>) -> (Vec<PreparedTemplate>, Vec<PreparedTemplate>) {
    let data = templates_only(SEED, fingers, 2, &SynthConfig::default());
    data.par_iter()
        .map(|f| {
            (
                PreparedTemplate::new(&f.impressions[0]),
                PreparedTemplate::new(&f.impressions[1]),
            )
        })
        .unzip()
}

fn configs() -> Vec<PrefilterConfig> {
    match std::env::var("CONFIGS") {
        Ok(list) => list
            .split(',')
            .map(|c| {
                let v: Vec<u64> = c.split(':').map(|x| x.parse().unwrap()).collect();
                PrefilterConfig {
                    hash_functions: v[0] as usize,
                    minhashes_per_key: v[1] as usize,
                    max_bucket_share: v.get(2).map_or(1.0, |&m| m as f32 / 100_000.0),
                    ..PrefilterConfig::default()
                }
            })
            .collect(),
        Err(_) => vec![PrefilterConfig::default()],
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let n = args.first().copied().unwrap_or(3000);
    let large = args.get(1).copied().unwrap_or(100_000);

    let t = Instant::now();
    let (gallery, probes) = prepare_pairs(0..n as u64);
    let cylinders = gallery.iter().map(|p| p.len()).sum::<usize>() as f64 / n as f64;
    eprintln!(
        "{n} fingers × 2 impressions generated and prepared in {:.1} s, {cylinders:.1} cylinders per template",
        t.elapsed().as_secs_f64()
    );

    // Exhaustive full matcher: is the mate first over the whole gallery, and above FMR 0.1%?
    let t = Instant::now();
    let skip_full = std::env::var_os("NOFULL").is_some();
    let rank1: Vec<bool> = probes
        .par_iter()
        .enumerate()
        .map_init(Matcher::new, |m, (i, probe)| {
            if skip_full {
                return true;
            }
            let mate = m.score(probe, &gallery[i]);
            mate >= thresholds::FMR_0_1_PERCENT
                && gallery
                    .iter()
                    .enumerate()
                    .all(|(j, g)| j == i || m.score(probe, g) < mate)
        })
        .collect();
    let secs = t.elapsed().as_secs_f64();
    let comparisons = (n * n) as f64;
    let threads = rayon::current_num_threads();
    println!(
        "full matcher: {:.0} comparisons/s on {threads} threads ({:.0} per thread); \
         mate first and ≥ FMR 0.1% for {} of {n} probes",
        comparisons / secs,
        comparisons / secs / threads as f64,
        rank1.iter().filter(|&&r| r).count()
    );

    let limits: Vec<usize> = SHORTLISTS
        .iter()
        .map(|f| ((f * n as f64).round() as usize).max(1))
        .collect();
    println!(
        "\n{:>4} {:>3} {:>3} | {:>26} | {:>26} | {:>8} {:>9} {:>9}",
        "L",
        "b",
        "",
        "mate in top 0.5/1/2/5%",
        "… among full rank-1",
        "B/tmpl",
        "µs/insert",
        "ms/query"
    );
    for config in configs() {
        let mut pf = FingerPrefilter::new(config);
        let t = Instant::now();
        for (i, g) in gallery.iter().enumerate() {
            pf.insert(i as u32, g);
        }
        pf.compact();
        let insert_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
        let t = Instant::now();
        let ranks: Vec<usize> =
            probes
                .iter()
                .enumerate()
                .map_init_seq(PrefilterScratch::new, |s, (i, probe)| {
                    pf.candidates_with(s, probe, *limits.last().unwrap())
                        .iter()
                        .position(|c| c.key == i as u32)
                        .unwrap_or(usize::MAX)
                });
        let query_ms = t.elapsed().as_secs_f64() * 1e3 / n as f64;
        let rate = |only_rank1: bool| {
            limits
                .iter()
                .map(|&l| {
                    let (hit, all) = ranks
                        .iter()
                        .zip(&rank1)
                        .filter(|(_, &r1)| !only_rank1 || r1)
                        .fold((0, 0), |(h, a), (&r, _)| (h + usize::from(r < l), a + 1));
                    format!("{:.1}", 100.0 * hit as f64 / all.max(1) as f64)
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        println!(
            "{:>4} {:>3} {:>3} | {:>26} | {:>26} | {:>8.0} {:>9.1} {:>9.3}",
            config.hash_functions,
            config.minhashes_per_key,
            config.max_bucket_share,
            rate(false),
            rate(true),
            pf.memory_bytes() as f64 / n as f64,
            insert_us,
            query_ms
        );
    }

    if large == 0 {
        return;
    }
    // Lookup time at `large` enrolled templates: the gallery is impression 0 of `large`
    // fingers, the probes impression 1 of the first 200.
    let t = Instant::now();
    let big: Vec<PreparedTemplate> =
        templates_only(SEED, 0..large as u64, 1, &SynthConfig::default())
            .par_iter()
            .map(|f| PreparedTemplate::new(&f.impressions[0]))
            .collect();
    let big_probes = &probes;
    eprintln!(
        "\n{large} fingers prepared in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for config in configs() {
        let mut pf = FingerPrefilter::new(config);
        let t = Instant::now();
        for (i, g) in big.iter().enumerate() {
            pf.insert(i as u32, g);
        }
        pf.compact();
        let insert_us = t.elapsed().as_secs_f64() * 1e6 / large as f64;
        let limit = large / 100;
        let mut scratch = PrefilterScratch::new();
        let queries = 200.min(large).min(n);
        let t = Instant::now();
        let mut found = 0;
        for (i, probe) in big_probes.iter().take(queries).enumerate() {
            let c = pf.candidates_with(&mut scratch, probe, limit);
            found += usize::from(c.iter().any(|c| c.key == i as u32));
        }
        let query_ms = t.elapsed().as_secs_f64() * 1e3 / queries as f64;
        println!(
            "{large} templates, L={} b={} cap={}: {:.2} ms per candidates() (one thread, limit {limit}), \
             {:.0} bytes per template ({:.0} MB), {insert_us:.1} µs per insert, mate in top 1% for {found}/{queries}",
            config.hash_functions,
            config.minhashes_per_key,
            config.max_bucket_share,
            query_ms,
            pf.memory_bytes() as f64 / large as f64,
            pf.memory_bytes() as f64 / 1e6,
        );
    }
}

/// `map` with per-run state, sequential (timing one thread).
trait MapInitSeq: Iterator + Sized {
    fn map_init_seq<S, R>(
        self,
        init: impl FnOnce() -> S,
        mut f: impl FnMut(&mut S, Self::Item) -> R,
    ) -> Vec<R> {
        let mut state = init();
        self.map(|x| f(&mut state, x)).collect()
    }
}

impl<I: Iterator> MapInitSeq for I {}
