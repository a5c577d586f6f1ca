//! `galton eval`: verification accuracy and speed on an FVC-style set — a folder of
//! `<finger>_<impression>` images or templates — with the FVC indicators, optional scores
//! file and charts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use galton::evaluation::{self, ErcPoint, ErrorRates, Pair, Protocol};
use galton::image::FingerprintImage;
use galton::matcher::{Matcher, PreparedTemplate};
use galton::Template;
use rayon::prelude::*;
use serde::Serialize;

mod lettering;
mod plot;

/// Arguments of `galton eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder of FVC-named files, `<finger>_<impression>.<ext>` (such as `101_1.tif`): images
    /// (tif, png, bmp, jpg, pgm) or templates (iso, ansi, gltn, json), not both.
    pub dir: PathBuf,
    /// Resolution of the images in pixels per inch (FVC2002: 569 for DB2, 500 otherwise).
    /// Templates carry their own.
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Which pairs to compare: `fvc` (280 genuine + 45 impostor for 10×8 images) or
    /// `all-pairs` (280 + 2880).
    #[arg(long, default_value = "fvc")]
    pub protocol: Protocol,
    /// Write every comparison to this CSV file: probe,gallery,score,genuine.
    #[arg(long, value_name = "FILE.csv")]
    pub scores: Option<PathBuf>,
    /// Write both charts: OUT_PREFIX-det.png and OUT_PREFIX-histogram.png.
    #[arg(long, value_name = "OUT_PREFIX", conflicts_with_all = ["det", "histogram"])]
    pub plot: Option<PathBuf>,
    /// Write the DET curve (FNMR against FMR, log scales) to this PNG.
    #[arg(long, value_name = "FILE.png")]
    pub det: Option<PathBuf>,
    /// Write the genuine and impostor score histograms to this PNG.
    #[arg(long, value_name = "FILE.png")]
    pub histogram: Option<PathBuf>,
    /// Images only: rate each image's capture quality (`galton quality`) and write the
    /// error-versus-reject curve to this PNG: FNMR at the FMR 1% threshold as the
    /// lowest-quality 0–20% of the genuine comparisons are rejected (pair quality = the lower
    /// of the two). The points are also printed.
    #[arg(long, value_name = "FILE.png")]
    pub erc: Option<PathBuf>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

const IMAGE_EXTENSIONS: [&str; 8] = ["tif", "tiff", "png", "bmp", "jpg", "jpeg", "pgm", "pnm"];
const TEMPLATE_EXTENSIONS: [&str; 4] = ["iso", "ansi", "gltn", "json"];

/// One file of the set.
#[derive(Debug, Clone)]
struct Sample {
    path: PathBuf,
    finger: u32,
    impression: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Images,
    Templates,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    set: String,
    kind: Kind,
    samples: usize,
    ppi: Option<f32>,
    protocol: Protocol,
    rates: ErrorRates,
    failures_to_extract: usize,
    mean_extraction_ms: Option<f64>,
    comparisons_per_second: f64,
    comparisons_per_second_per_core: f64,
    threads: usize,
    /// With `--erc`: FNMR at the FMR 1% threshold against the share rejected for quality.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_reject_curve: Option<Vec<ErcPoint>>,
}

/// Runs the command.
pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let (kind, samples) = find_samples(&args.dir)?;
    let (templates, extraction) = match kind {
        Kind::Images => extract_all(&samples, args.ppi),
        Kind::Templates => (read_all(&samples), None),
    };
    let failures = templates.iter().filter(|t| t.is_none()).count();

    let ids: Vec<(u32, u32)> = samples.iter().map(|s| (s.finger, s.impression)).collect();
    let pairs = evaluation::pairs(args.protocol, &ids)?;
    let prepared: Vec<Option<PreparedTemplate>> = templates
        .par_iter()
        .map(|t| t.as_ref().map(PreparedTemplate::new))
        .collect();
    let start = Instant::now();
    let scores = compare_all(&prepared, &pairs);
    let matching = start.elapsed();

    let genuine: Vec<f32> = select(&pairs, &scores, true);
    let impostor: Vec<f32> = select(&pairs, &scores, false);
    let rates = ErrorRates::compute(&genuine, &impostor).with_context(|| {
        format!(
            "protocol {} gives {} genuine and {} impostor comparisons over {}: both are needed",
            args.protocol,
            genuine.len(),
            impostor.len(),
            args.dir.display()
        )
    })?;

    if let Some(path) = &args.scores {
        write_scores(path, &samples, &pairs, &scores)?;
    }
    let set = set_name(&args.dir);
    let (det, histogram) = match &args.plot {
        Some(prefix) => (
            Some(with_suffix(prefix, "-det.png")),
            Some(with_suffix(prefix, "-histogram.png")),
        ),
        None => (args.det.clone(), args.histogram.clone()),
    };
    if let Some(path) = &det {
        plot::det(
            path,
            &set,
            &evaluation::det_curve(&genuine, &impostor)?,
            &rates,
        )?;
        eprintln!(
            "DET curve (FNMR against FMR, log scales; circle: EER) written to {}",
            path.display()
        );
    }
    if let Some(path) = &histogram {
        plot::histogram(path, &set, &genuine, &impostor)?;
        eprintln!(
            "score histograms (blue: genuine, red: impostor; share of each) written to {}",
            path.display()
        );
    }

    let error_reject_curve = match &args.erc {
        Some(path) => {
            if kind != Kind::Images {
                bail!(
                    "--erc rates image quality: {} holds templates",
                    args.dir.display()
                );
            }
            let curve = quality_curve(&samples, args.ppi, &pairs, &scores, &rates)?;
            plot::erc(path, &set, &curve, "AT FMR 1%")?;
            eprintln!(
                "error-versus-reject curve (FNMR at the FMR 1% threshold against the share of \
                 genuine comparisons rejected for low quality) written to {}",
                path.display()
            );
            Some(curve)
        }
        None => None,
    };

    let threads = rayon::current_num_threads();
    let per_second = pairs.len() as f64 / matching.as_secs_f64().max(1e-9);
    let report = Report {
        set,
        kind,
        samples: samples.len(),
        ppi: (kind == Kind::Images).then_some(args.ppi),
        protocol: args.protocol,
        rates,
        failures_to_extract: failures,
        mean_extraction_ms: extraction.map(|d| d.as_secs_f64() * 1e3),
        comparisons_per_second: per_second,
        comparisons_per_second_per_core: per_second / threads as f64,
        threads,
        error_reject_curve,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// The FVC-named images or templates of `dir`, by finger then impression.
fn find_samples(dir: &Path) -> anyhow::Result<(Kind, Vec<Sample>)> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read folder {}", dir.display()))?;
    let (mut images, mut templates) = (Vec::new(), Vec::new());
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read folder {}", dir.display()))?
            .path();
        let (Some(stem), Some(ext)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let Some((finger, impression)) = evaluation::parse_fvc_name(stem) else {
            continue;
        };
        let ext = ext.to_ascii_lowercase();
        let sample = Sample {
            path: path.clone(),
            finger,
            impression,
        };
        if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            images.push(sample);
        } else if TEMPLATE_EXTENSIONS.contains(&ext.as_str()) {
            templates.push(sample);
        }
    }
    let (kind, mut samples) = match (images.is_empty(), templates.is_empty()) {
        (true, true) => bail!(
            "{} holds no FVC-named images or templates (<finger>_<impression>.<ext>, such as \
             101_1.tif or 101_1.iso)",
            dir.display()
        ),
        (false, false) => bail!(
            "{} holds both images ({}) and templates ({}): evaluate one kind at a time",
            dir.display(),
            images.len(),
            templates.len()
        ),
        (false, true) => (Kind::Images, images),
        (true, false) => (Kind::Templates, templates),
    };
    samples
        .sort_by(|a, b| (a.finger, a.impression, &a.path).cmp(&(b.finger, b.impression, &b.path)));
    for pair in samples.windows(2) {
        if (pair[0].finger, pair[0].impression) == (pair[1].finger, pair[1].impression) {
            bail!(
                "{} and {} are the same finger and impression: keep one",
                pair[0].path.display(),
                pair[1].path.display()
            );
        }
    }
    Ok((kind, samples))
}

/// Extracts every image in parallel; failures are reported and left as `None`. Also returns
/// the mean time of one extraction (decoding excluded), as one thread spends it.
fn extract_all(samples: &[Sample], ppi: f32) -> (Vec<Option<Template>>, Option<Duration>) {
    let results: Vec<(anyhow::Result<Template>, Duration)> = samples
        .par_iter()
        .map(|s| {
            let image = match FingerprintImage::open(&s.path, ppi) {
                Ok(image) => image,
                Err(err) => return (Err(err.into()), Duration::ZERO),
            };
            let start = Instant::now();
            let template = galton::fingerprint::extract(&image);
            (template.map_err(Into::into), start.elapsed())
        })
        .collect();
    let extracted: Vec<Duration> = results
        .iter()
        .filter(|(r, _)| r.is_ok())
        .map(|(_, d)| *d)
        .collect();
    let mean = (!extracted.is_empty())
        .then(|| extracted.iter().sum::<Duration>() / extracted.len() as u32);
    (
        report_failures(samples, results.into_iter().map(|(r, _)| r)),
        mean,
    )
}

/// Reads every template file; failures are reported and left as `None`.
fn read_all(samples: &[Sample]) -> Vec<Option<Template>> {
    let results = samples.iter().map(|s| {
        let bytes = std::fs::read(&s.path).context("cannot read")?;
        Ok(Template::from_bytes(&bytes)?)
    });
    report_failures(samples, results)
}

fn report_failures(
    samples: &[Sample],
    results: impl Iterator<Item = anyhow::Result<Template>>,
) -> Vec<Option<Template>> {
    samples
        .iter()
        .zip(results)
        .map(|(sample, result)| {
            result
                .map_err(|err| eprintln!("{}: {err:#}", sample.path.display()))
                .ok()
        })
        .collect()
}

/// The error-versus-reject curve of galton's fingerprint quality on this set, at the FMR 1%
/// threshold. An image that cannot be read or rated has quality 0.
fn quality_curve(
    samples: &[Sample],
    ppi: f32,
    pairs: &[Pair],
    scores: &[f32],
    rates: &ErrorRates,
) -> anyhow::Result<Vec<ErcPoint>> {
    let quality: Vec<f32> = samples
        .par_iter()
        .map(|s| {
            FingerprintImage::open(&s.path, ppi)
                .and_then(|image| galton::quality::finger::assess(&image))
                .map_or(0.0, |q| q.score)
        })
        .collect();
    let (mut genuine, mut pair_quality) = (Vec::new(), Vec::new());
    for (pair, &score) in pairs.iter().zip(scores) {
        if pair.genuine {
            genuine.push(score);
            pair_quality.push(quality[pair.probe].min(quality[pair.gallery]));
        }
    }
    let fractions: Vec<f64> = (0..=20).map(|k| f64::from(k) / 100.0).collect();
    Ok(evaluation::error_reject_curve(
        &genuine,
        &pair_quality,
        rates.fmr_1_percent_threshold,
        &fractions,
    )?)
}

/// Scores every pair in parallel, one [`Matcher`] per thread. A pair with a failed sample
/// scores 0: a failure to enrol counts as a rejection.
fn compare_all(prepared: &[Option<PreparedTemplate>], pairs: &[Pair]) -> Vec<f32> {
    pairs
        .par_iter()
        .map_init(Matcher::new, |matcher, pair| {
            match (&prepared[pair.probe], &prepared[pair.gallery]) {
                (Some(probe), Some(gallery)) => matcher.score(probe, gallery),
                _ => 0.0,
            }
        })
        .collect()
}

fn select(pairs: &[Pair], scores: &[f32], genuine: bool) -> Vec<f32> {
    pairs
        .iter()
        .zip(scores)
        .filter(|(p, _)| p.genuine == genuine)
        .map(|(_, &s)| s)
        .collect()
}

fn write_scores(
    path: &Path,
    samples: &[Sample],
    pairs: &[Pair],
    scores: &[f32],
) -> anyhow::Result<()> {
    let context = || format!("cannot write {}", path.display());
    let mut writer = csv::Writer::from_path(path).with_context(context)?;
    writer
        .write_record(["probe", "gallery", "score", "genuine"])
        .with_context(context)?;
    for (pair, score) in pairs.iter().zip(scores) {
        let probe = samples[pair.probe].path.to_string_lossy();
        let gallery = samples[pair.gallery].path.to_string_lossy();
        let genuine = if pair.genuine { "1" } else { "0" };
        writer
            .write_record([&*probe, &*gallery, &score.to_string(), genuine])
            .with_context(context)?;
    }
    writer.flush().with_context(context)
}

fn print_report(r: &Report) {
    let rates = &r.rates;
    let pct = |rate: f64| format!("{:6.2}%", rate * 100.0);
    match r.ppi {
        Some(ppi) => println!("{}: {} images at {ppi} ppi", r.set, r.samples),
        None => println!("{}: {} templates", r.set, r.samples),
    }
    println!(
        "protocol {}: {} genuine, {} impostor comparisons",
        r.protocol, rates.genuine, rates.impostor
    );
    println!(
        "EER      {}  (FVC interval {:.2}%..{:.2}%, threshold {:.4})",
        pct(rates.eer),
        rates.eer_low * 100.0,
        rates.eer_high * 100.0,
        rates.eer_threshold
    );
    for (name, fnmr, threshold) in [
        (
            "FMR100 ",
            rates.fnmr_at_fmr_1_percent,
            rates.fmr_1_percent_threshold,
        ),
        (
            "FMR1000",
            rates.fnmr_at_fmr_0_1_percent,
            rates.fmr_0_1_percent_threshold,
        ),
        ("ZeroFMR", rates.zero_fmr, rates.zero_fmr_threshold),
    ] {
        println!("{name}  {}  (threshold {threshold:.4})", pct(fnmr));
    }
    let kind = match r.kind {
        Kind::Images => "failures to extract",
        Kind::Templates => "unreadable templates",
    };
    println!("{kind}: {} of {}", r.failures_to_extract, r.samples);
    if let Some(ms) = r.mean_extraction_ms {
        println!("extraction: {ms:.1} ms per image (mean, one thread)");
    }
    println!(
        "matching: {:.0} comparisons/s on {} threads, {:.0} per core",
        r.comparisons_per_second, r.threads, r.comparisons_per_second_per_core
    );
    if let Some(curve) = &r.error_reject_curve {
        let points: Vec<String> = curve
            .iter()
            .filter(|p| ((p.rejected * 100.0).round() as u32).is_multiple_of(5))
            .map(|p| format!("{:.0}% {:.2}%", p.rejected * 100.0, p.fnmr * 100.0))
            .collect();
        println!(
            "FNMR at FMR100 as low-quality comparisons are rejected: {}",
            points.join(", ")
        );
    }
}

/// The folder's name, such as `DB1_B`.
fn set_name(dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_prefix_names_both_charts() {
        assert_eq!(
            with_suffix(Path::new("out/db1"), "-det.png"),
            Path::new("out/db1-det.png")
        );
    }
}
