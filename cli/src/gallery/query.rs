//! `galton verify`, `identify`, `list` and `remove`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use galton::gallery::{Comparison, Gallery, Hit, Modality};
use serde::Serialize;

use super::{exit, fmr_text, load_probe, open_gallery, FingerArg};

/// The biometrics of a probe, as `verify` and `identify` take them.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// A finger: its position and an image or template file, e.g. `right-index=101_2.png`.
    /// Repeat for more fingers (one impression each).
    #[arg(long = "finger", value_name = "FINGER=FILE")]
    pub fingers: Vec<FingerArg>,
    /// The face embedding: a JSON array of numbers, or a .npy float32/float64 vector.
    #[arg(long, value_name = "EMB.json|EMB.npy")]
    pub face: Option<PathBuf>,
    /// Resolution of image inputs in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
}

/// Arguments of `galton verify`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes:
  0  the probe matches the claimed id
  2  it does not
  1  any other error (unknown id, bad input, unusable database)")]
pub struct VerifyArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    /// The claimed id.
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub probe: ProbeArgs,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `galton identify`.
#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    #[command(flatten)]
    pub probe: ProbeArgs,
    /// Candidates to list.
    #[arg(short = 'k', long, default_value_t = 10)]
    pub k: usize,
    /// Print the candidates as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `galton list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `galton remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    /// The id to remove.
    #[arg(long)]
    pub id: String,
}

/// One modality of a comparison, for JSON output.
#[derive(Debug, Serialize)]
struct ModalityOut {
    modality: String,
    score: f32,
    evidence: f64,
    fmr: f64,
}

fn modalities_out(c: &Comparison) -> Vec<ModalityOut> {
    c.modalities
        .iter()
        .map(|m| ModalityOut {
            modality: m.modality.to_string(),
            score: m.score,
            evidence: m.evidence,
            fmr: m.fmr(),
        })
        .collect()
}

/// Runs `galton verify`: exit 0 on a match, 2 otherwise.
pub fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let p = &args.probe;
    let probe = load_probe(&p.fingers, p.face.as_deref(), p.ppi)?;
    let gallery = open_gallery(&args.db, &args.lock)?;
    let v = gallery.verify(&args.id, &probe)?;
    let match_fmr = gallery.config().match_fmr;
    if args.json {
        let out = serde_json::json!({
            "id": v.id,
            "match": v.is_match,
            "evidence": v.comparison.evidence,
            "fmr": v.comparison.fmr(),
            "match_fmr": match_fmr,
            "modalities": modalities_out(&v.comparison),
        });
        println!("{out}");
    } else {
        println!(
            "{:<14} {:>8} {:>9} {:>9}",
            "modality", "score", "evidence", "FMR"
        );
        for m in &v.comparison.modalities {
            println!(
                "{:<14} {:>8.4} {:>9.2} {:>9}",
                m.modality.to_string(),
                m.score,
                m.evidence,
                fmr_text(m.fmr())
            );
        }
        println!(
            "{:<14} {:>8} {:>9.2} {:>9}",
            "fused",
            "",
            v.comparison.evidence,
            fmr_text(v.comparison.fmr())
        );
        println!(
            "{}: {} (at FMR {})",
            v.id,
            if v.is_match { "match" } else { "no match" },
            fmr_text(match_fmr)
        );
    }
    Ok(if v.is_match {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::NO_MATCH)
    })
}

/// Runs `galton identify`: the ranked candidates.
pub fn identify(args: &IdentifyArgs) -> anyhow::Result<ExitCode> {
    let p = &args.probe;
    let probe = load_probe(&p.fingers, p.face.as_deref(), p.ppi)?;
    let gallery = open_gallery(&args.db, &args.lock)?;
    let hits = gallery.identify(&probe, args.k)?;
    if args.json {
        let out: Vec<_> = hits
            .iter()
            .enumerate()
            .map(|(i, h)| {
                serde_json::json!({
                    "rank": i + 1,
                    "id": h.id,
                    "match": h.is_match,
                    "evidence": h.comparison.evidence,
                    "fmr": h.comparison.fmr(),
                    "modalities": modalities_out(&h.comparison),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(out));
    } else {
        print!("{}", hits_table(&hits));
        if hits.is_empty() {
            eprintln!("no candidate shares a modality with the probe");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The ranked table of `identify`: rank, id, fused evidence and FMR, a score column per
/// modality that any candidate was compared on, and the match flag.
fn hits_table(hits: &[Hit]) -> String {
    use std::fmt::Write;
    let modalities: BTreeSet<Modality> = hits
        .iter()
        .flat_map(|h| h.comparison.modalities.iter().map(|m| m.modality))
        .collect();
    let width = hits
        .iter()
        .map(|h| h.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = String::new();
    let _ = write!(
        out,
        "{:>4}  {:<width$}  {:>7} {:>9}",
        "rank", "id", "fused", "FMR"
    );
    for m in &modalities {
        let _ = write!(out, " {:>12}", m.to_string());
    }
    let _ = writeln!(out, "  match");
    for (i, h) in hits.iter().enumerate() {
        let _ = write!(
            out,
            "{:>4}  {:<width$}  {:>7.2} {:>9}",
            i + 1,
            h.id,
            h.comparison.evidence,
            fmr_text(h.comparison.fmr())
        );
        for m in &modalities {
            match h.comparison.modality(*m) {
                Some(s) => {
                    let _ = write!(out, " {:>12.4}", s.score);
                }
                None => {
                    let _ = write!(out, " {:>12}", "-");
                }
            }
        }
        let _ = writeln!(out, "  {}", if h.is_match { "yes" } else { "no" });
    }
    out
}

/// One subject as `list` shows it.
#[derive(Debug, Serialize)]
struct Listed {
    id: String,
    /// Impressions per finger position.
    fingers: std::collections::BTreeMap<String, usize>,
    face: bool,
    flagged: bool,
    note: String,
}

fn listed(gallery: &Gallery) -> Vec<Listed> {
    gallery
        .subjects()
        .map(|s| {
            let (flagged, note) = gallery.flag(&s.id).unwrap_or((false, ""));
            Listed {
                id: s.id.clone(),
                fingers: s
                    .fingers
                    .iter()
                    .map(|(p, t)| (p.to_string(), t.len()))
                    .collect(),
                face: s.face.is_some(),
                flagged,
                note: note.to_string(),
            }
        })
        .collect()
}

/// Runs `galton list`.
pub fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let gallery = open_gallery(&args.db, &args.lock)?;
    let subjects = listed(&gallery);
    if args.json {
        println!("{}", serde_json::to_string(&subjects)?);
        return Ok(ExitCode::SUCCESS);
    }
    for s in &subjects {
        let mut parts: Vec<String> = s
            .fingers
            .iter()
            .map(|(p, n)| {
                if *n > 1 {
                    format!("{p}×{n}")
                } else {
                    p.clone()
                }
            })
            .collect();
        if s.face {
            parts.push("face".into());
        }
        let flag = if s.flagged {
            format!("  [flagged: {}]", s.note)
        } else {
            String::new()
        };
        println!("{}  {}{flag}", s.id, parts.join(", "));
    }
    eprintln!(
        "{} subjects, {} flagged",
        subjects.len(),
        subjects.iter().filter(|s| s.flagged).count()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `galton remove`.
pub fn remove(args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut gallery = open_gallery(&args.db, &args.lock)?;
    gallery
        .remove(&args.id)
        .with_context(|| format!("cannot remove {:?}", args.id))?;
    println!("removed {}", args.id);
    Ok(ExitCode::SUCCESS)
}
