//! `galton enroll-batch`: many subjects from a CSV manifest, images extracted in parallel,
//! enrolled in chunks; bad rows are reported by line and skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use galton::gallery::{subject, EnrollOutcome, Gallery, Subject};
use galton::FingerPosition;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::enroll::{build_subject, hit_text, policy, resolve};
use super::{exit, load_face, load_finger, open_gallery, parse_position};

/// Rows read and enrolled together: their images are extracted in parallel, then they are
/// enrolled in turn.
const CHUNK: usize = 64;

/// Arguments of `galton enroll-batch`.
#[derive(Debug, Args)]
#[command(after_help = "\
Manifest: a CSV file with a header row and one row per subject.
  id            the subject's external id (required column)
  right-thumb … left-little
                a finger column per captured finger, named by position (right-thumb,
                right-index, right-middle, right-ring, right-little, left-thumb, left-index,
                left-middle, left-ring, left-little): an image or template file; several
                impressions separated by ';'
  face          a face embedding (JSON array or .npy vector)
  meta:KEY      a metadata entry KEY for each subject
Paths are relative to the manifest's folder. An empty cell means not captured.

  id,right-index,left-index,face,meta:office
  P-001,p1/ri_1.png;p1/ri_2.png,p1/li_1.png,p1/face.npy,Quito-3
  P-002,p2/ri_1.iso,,,Quito-3

Exit codes:
  0  every row enrolled (or enrolled already with the same biometrics)
  3  no bad row, but some rows were flagged or rejected as suspected duplicates, or
     their id is registered with different biometrics
  1  some rows were bad (unreadable file, no minutiae, bad embedding, invalid id:
     reported with their line, the other rows were enrolled), or the manifest or the
     database is unusable")]
pub struct BatchArgs {
    /// The gallery database (created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub access: super::Access,
    /// The manifest.
    #[arg(value_name = "MANIFEST.csv")]
    pub manifest: PathBuf,
    /// Refuse suspected duplicates instead of storing them flagged.
    #[arg(long)]
    pub reject_duplicates: bool,
    /// Threads for extraction and matching (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Resolution of image inputs in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Write each enrollment's receipt (its row in the audit trail) to this CSV file:
    /// manifest line, id, receipt.
    #[arg(long, value_name = "FILE.csv")]
    pub receipts: Option<PathBuf>,
}

/// What a manifest column holds.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    Id,
    Finger(FingerPosition),
    Face,
    Meta(String),
}

/// One data row of the manifest: its line and cells.
#[derive(Debug)]
struct Row {
    line: u64,
    cells: Vec<String>,
}

/// The manifest's columns from its header, or an error naming the column that is not one.
fn columns(header: &csv::StringRecord) -> anyhow::Result<Vec<Column>> {
    let mut seen = BTreeSet::new();
    let columns: Vec<Column> = header
        .iter()
        .map(|name| {
            let name = name.trim();
            let column = if name.eq_ignore_ascii_case("id") {
                Column::Id
            } else if name.eq_ignore_ascii_case("face") {
                Column::Face
            } else if let Some(key) = name.strip_prefix("meta:") {
                if key.is_empty() {
                    bail!("manifest column {name:?}: a metadata column is meta:KEY");
                }
                Column::Meta(key.to_string())
            } else {
                Column::Finger(parse_position(name).map_err(|e| {
                    anyhow::anyhow!(
                        "manifest column {name:?} is none of id, face, meta:KEY or a finger: {e}"
                    )
                })?)
            };
            if !seen.insert(format!("{column:?}")) {
                bail!("manifest column {name:?} appears twice");
            }
            Ok(column)
        })
        .collect::<anyhow::Result<_>>()?;
    if !columns.contains(&Column::Id) {
        bail!("the manifest has no id column");
    }
    Ok(columns)
}

/// Reads one row into a subject: every file loaded (images extracted), nothing enrolled.
fn load_row(row: &Row, columns: &[Column], base: &Path, ppi: f32) -> anyhow::Result<Subject> {
    if row.cells.len() != columns.len() {
        bail!(
            "{} fields, the header has {}",
            row.cells.len(),
            columns.len()
        );
    }
    let mut id = None;
    let (mut fingers, mut face, mut meta) = (Vec::new(), None, Vec::new());
    for (column, cell) in columns.iter().zip(&row.cells) {
        let cell = cell.trim();
        match column {
            Column::Id => id = Some(cell),
            Column::Meta(key) if !cell.is_empty() => meta.push((key.clone(), cell.to_string())),
            _ if cell.is_empty() => {}
            Column::Face => face = Some(load_face(&resolve(base, cell))?),
            Column::Finger(position) => {
                for file in cell.split(';').map(str::trim).filter(|f| !f.is_empty()) {
                    fingers.push(load_finger(*position, &resolve(base, file), ppi)?);
                }
            }
            Column::Meta(_) => {}
        }
    }
    let id = id.unwrap_or_default();
    subject::validate_id(id)?;
    build_subject(id, fingers, face, meta)
}

/// Tallies of a batch.
#[derive(Debug, Default)]
struct Summary {
    enrolled: usize,
    flagged: usize,
    rejected: usize,
    conflicts: usize,
    already: usize,
    bad: usize,
}

/// Runs the command; the exit code is documented in `--help`.
pub fn run(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    match args.workers {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .context("cannot start the worker threads")?
            .install(|| run_batch(args)),
        None => run_batch(args),
    }
}

fn run_batch(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args.manifest)
        .with_context(|| format!("cannot read {}", args.manifest.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}: no header row", args.manifest.display()))?
        .clone();
    let columns = columns(&header).with_context(|| format!("{}", args.manifest.display()))?;
    let base = args
        .manifest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut summary = Summary::default();
    for record in reader.records() {
        match record {
            Ok(r) => rows.push(Row {
                line: r.position().map_or(0, |p| p.line()),
                cells: r.iter().map(str::to_string).collect(),
            }),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push((line, format!("unreadable row: {e}")));
                summary.bad += 1;
            }
        }
    }
    let total_rows = rows.len() + summary.bad;
    let mut gallery = open_gallery(&args.db, &args.access)?;
    let mut receipts = match &args.receipts {
        Some(path) => {
            let mut w = csv::Writer::from_path(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            w.write_record(["line", "id", "receipt"])?;
            Some(w)
        }
        None => None,
    };
    let progress = ProgressBar::new(rows.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} subjects  {per_sec}  eta {eta}")
            .expect("static template"),
    );
    for chunk in rows.chunks(CHUNK) {
        let loaded: Vec<anyhow::Result<Subject>> = chunk
            .par_iter()
            .map(|row| load_row(row, &columns, &base, args.ppi))
            .collect();
        let mut good = Vec::new();
        for (row, subject) in chunk.iter().zip(loaded) {
            match subject {
                Ok(s) => good.push((row.line, s)),
                Err(e) => {
                    problems.push((row.line, format!("{e:#}")));
                    summary.bad += 1;
                }
            }
        }
        let (lines, subjects): (Vec<u64>, Vec<Subject>) = good.into_iter().unzip();
        let ids: Vec<String> = subjects.iter().map(|s| s.id.clone()).collect();
        let outcomes = gallery.enroll_many_with_receipts(subjects, policy(args.reject_duplicates));
        for ((line, id), outcome) in lines.into_iter().zip(ids).zip(outcomes) {
            match outcome {
                Ok((outcome, receipt)) => {
                    if let (Some(out), Some(receipt)) = (receipts.as_mut(), receipt) {
                        out.write_record([line.to_string(), id.clone(), receipt.to_string()])
                            .context("cannot write the receipts")?;
                    }
                    if let Some(text) = tally(&gallery, &id, &outcome, &mut summary) {
                        problems.push((line, text));
                    }
                }
                Err(e @ (galton::Error::Database { .. } | galton::Error::Busy { .. })) => {
                    progress.abandon();
                    return Err(e).context(format!("line {line}: cannot enroll {id:?}"));
                }
                Err(e) => {
                    problems.push((line, format!("{id}: {e}")));
                    summary.bad += 1;
                }
            }
        }
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    if let Some(mut out) = receipts {
        out.flush().context("cannot write the receipts")?;
    }
    problems.sort_by_key(|p| p.0);
    for (line, text) in &problems {
        eprintln!("{}:{line}: {text}", args.manifest.display());
    }
    let seconds = started.elapsed().as_secs_f64();
    let s = &summary;
    println!(
        "enrolled {}, flagged {}, rejected {}, id conflicts {}, enrolled already {}, \
         bad rows {}; {} rows in {seconds:.1} s ({:.1} subjects/s)",
        s.enrolled,
        s.flagged,
        s.rejected,
        s.conflicts,
        s.already,
        s.bad,
        total_rows,
        total_rows as f64 / seconds.max(1e-9)
    );
    Ok(if s.bad > 0 {
        ExitCode::FAILURE
    } else if s.flagged + s.rejected + s.conflicts > 0 {
        ExitCode::from(exit::FLAGGED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Counts an outcome; the line to report about it, if any.
fn tally(
    gallery: &Gallery,
    id: &str,
    outcome: &EnrollOutcome,
    summary: &mut Summary,
) -> Option<String> {
    let hits = |duplicates: &[galton::gallery::Hit]| {
        duplicates
            .iter()
            .map(|h| hit_text(gallery, h))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match outcome {
        EnrollOutcome::Enrolled => {
            summary.enrolled += 1;
            None
        }
        EnrollOutcome::Flagged { duplicates } => {
            summary.flagged += 1;
            Some(format!(
                "{id} enrolled, flagged: suspected duplicate of {}",
                hits(duplicates)
            ))
        }
        EnrollOutcome::RejectedDuplicate { duplicates } => {
            summary.rejected += 1;
            Some(format!(
                "{id} rejected: its biometrics match {}",
                hits(duplicates)
            ))
        }
        EnrollOutcome::IdRegisteredWithDifferentBiometrics { comparison } => {
            summary.conflicts += 1;
            Some(format!(
                "{id} not enrolled: the id is registered with other biometrics \
                 (fused evidence {:.1})",
                comparison.evidence
            ))
        }
        EnrollOutcome::AlreadyEnrolled { .. } => {
            summary.already += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_columns_are_recognised() {
        let header = csv::StringRecord::from(vec![
            "id",
            "Right-Index",
            "left_thumb",
            "face",
            "meta:office",
        ]);
        assert_eq!(
            columns(&header).unwrap(),
            [
                Column::Id,
                Column::Finger(FingerPosition::RightIndex),
                Column::Finger(FingerPosition::LeftThumb),
                Column::Face,
                Column::Meta("office".into())
            ]
        );
        let err = |cols: Vec<&str>| {
            columns(&csv::StringRecord::from(cols))
                .unwrap_err()
                .to_string()
        };
        assert!(err(vec!["right-index"]).contains("no id column"));
        assert!(err(vec!["id", "thumb"]).contains("\"thumb\""));
        assert!(err(vec!["id", "right-index", "right_index"]).contains("twice"));
        assert!(err(vec!["id", "meta:"]).contains("meta:KEY"));
    }
}
