//! `galton dedup`: the N-by-N duplicate search, its summary, and the report folder
//! (`pairs.csv`, `report.json`, `index.html`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use galton::gallery::{DedupReport, Gallery, Modality};
use galton::FingerPosition;
use serde::Serialize;

use super::{fmr_text, html, matched_names, open_gallery};

/// Arguments of `galton dedup`.
#[derive(Debug, Args)]
#[command(after_help = "\
The report folder gets:
  pairs.csv    one row per suspected pair: id_a, id_b, fused_evidence, fused_fmr,
               matched_modalities (';'-separated), then the score of each finger
               position and of the face (empty when not compared)
  report.json  the pairs with every modality's score, evidence and FMR, the clusters
               and the inconsistent records
  index.html   a self-contained page for reviewers: each pair side by side, the matched
               fingers drawn with their paired minutiae numbered alike on both sides")]
pub struct DedupArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    /// The report folder (created if missing; its three files are overwritten).
    #[arg(long, value_name = "DIR")]
    pub report: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The finger positions of the CSV columns, in code order (every known position).
fn positions() -> &'static [FingerPosition] {
    &FingerPosition::ALL[1..]
}

#[derive(Debug, Serialize)]
struct Summary {
    subjects: usize,
    compared: usize,
    pairs: usize,
    clusters: usize,
    inconsistent: usize,
    wall_seconds: f64,
    report: String,
}

/// Runs the command: exit 0 once the report is written, whatever it found.
pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let gallery = open_gallery(&args.db, &args.lock)?;
    let started = Instant::now();
    let report = gallery.deduplicate()?;
    let wall_seconds = started.elapsed().as_secs_f64();
    write_report(&args.report, &gallery, &report, wall_seconds)?;
    let summary = Summary {
        subjects: report.subjects,
        compared: report.compared,
        pairs: report.pairs.len(),
        clusters: report.clusters.len(),
        inconsistent: report.inconsistent.len(),
        wall_seconds,
        report: args.report.display().to_string(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{} subjects, {} pairs compared, {} suspected duplicate pairs in {} clusters, \
             {} inconsistent records; {:.2} s",
            summary.subjects,
            summary.compared,
            summary.pairs,
            summary.clusters,
            summary.inconsistent,
            wall_seconds
        );
        for pair in report.pairs.iter().take(10) {
            println!(
                "  {} ↔ {}  fused {:.1} (FMR {})  {}",
                pair.a,
                pair.b,
                pair.comparison.evidence,
                fmr_text(pair.comparison.fmr()),
                matched_names(&pair.comparison, gallery.config().match_fmr).join(", ")
            );
        }
        if report.pairs.len() > 10 {
            println!("  … {} more in pairs.csv", report.pairs.len() - 10);
        }
        println!("report: {}", args.report.join("index.html").display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `pairs.csv`, `report.json` and `index.html` into `dir` (created).
pub fn write_report(
    dir: &Path,
    gallery: &Gallery,
    report: &DedupReport,
    wall_seconds: f64,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_csv(&dir.join("pairs.csv"), gallery, report)?;
    let json = report_json(gallery, report, wall_seconds);
    write(
        &dir.join("report.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    write(
        &dir.join("index.html"),
        html::page(gallery, report, wall_seconds).as_bytes(),
    )
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// pairs.csv: a row per pair, a score column per finger position and the face.
fn write_csv(path: &Path, gallery: &Gallery, report: &DedupReport) -> anyhow::Result<()> {
    let mut out =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut header: Vec<String> = [
        "id_a",
        "id_b",
        "fused_evidence",
        "fused_fmr",
        "matched_modalities",
    ]
    .map(String::from)
    .to_vec();
    header.extend(positions().iter().map(|p| p.to_string()));
    header.push("face".into());
    out.write_record(&header)?;
    let match_fmr = gallery.config().match_fmr;
    for pair in &report.pairs {
        let c = &pair.comparison;
        let mut row = vec![
            pair.a.clone(),
            pair.b.clone(),
            format!("{:.4}", c.evidence),
            format!("{:.3e}", c.fmr()),
            matched_names(c, match_fmr).join(";"),
        ];
        let modalities = positions()
            .iter()
            .map(|&p| Modality::Finger(p))
            .chain([Modality::Face]);
        row.extend(modalities.map(|m| {
            c.modality(m)
                .map_or_else(String::new, |s| format!("{:.4}", s.score))
        }));
        out.write_record(&row)?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// report.json: thresholds, counts, pairs with every modality, clusters, inconsistencies.
fn report_json(gallery: &Gallery, report: &DedupReport, wall_seconds: f64) -> serde_json::Value {
    let config = gallery.config();
    let pairs: Vec<serde_json::Value> = report
        .pairs
        .iter()
        .map(|p| {
            let c = &p.comparison;
            serde_json::json!({
                "a": p.a,
                "b": p.b,
                "evidence": c.evidence,
                "fmr": c.fmr(),
                "matched": matched_names(c, config.match_fmr),
                "modalities": c.modalities.iter().map(|m| serde_json::json!({
                    "modality": m.modality.to_string(),
                    "score": m.score,
                    "evidence": m.evidence,
                    "fmr": m.fmr(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let inconsistent: Vec<serde_json::Value> = report
        .inconsistent
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "finger": r.finger.to_string(), "score": r.score}))
        .collect();
    serde_json::json!({
        "subjects": report.subjects,
        "compared": report.compared,
        "wall_seconds": wall_seconds,
        "duplicate_fmr": config.duplicate_fmr,
        "match_fmr": config.match_fmr,
        "pairs": pairs,
        "clusters": report.clusters,
        "inconsistent": inconsistent,
    })
}
