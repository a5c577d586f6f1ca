//! `galton quality`: capture quality of fingerprint or face images, with the measures, an
//! overall verdict and feedback messages in English or Spanish.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use galton::image::FingerprintImage;
use galton::quality::face::{self, FaceImage, FaceQualityConfig, FaceRegion};
use galton::quality::{finger, Locale, Measure};
use rayon::prelude::*;
use serde::Serialize;

/// What the images show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Fingerprint images (gray or colour, turned to gray).
    Finger,
    /// Face photos (colour).
    Face,
}

/// Arguments of `galton quality`.
#[derive(Debug, Args)]
pub struct QualityArgs {
    /// Images (PNG, BMP, TIFF, JPEG, PGM).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// What the images show.
    #[arg(long, value_enum, default_value = "finger")]
    pub kind: Kind,
    /// Language of the feedback messages: en or es (regional forms such as es-AR accepted).
    #[arg(long, default_value = "en")]
    pub lang: Locale,
    /// Resolution of fingerprint images in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Face only: the eye centres as seen, `LEFT_X,LEFT_Y,RIGHT_X,RIGHT_Y` (pixels), from the
    /// caller's face detector; applies to every image.
    #[arg(long, value_name = "LX,LY,RX,RY", conflicts_with = "face_box")]
    pub eyes: Option<String>,
    /// Face only: the face box `X,Y,WIDTH,HEIGHT` (pixels); applies to every image.
    #[arg(long = "box", value_name = "X,Y,W,H")]
    pub face_box: Option<String>,
    /// Print one JSON object per image (one per line) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One feedback item as printed.
#[derive(Debug, Serialize)]
struct Feedback {
    code: &'static str,
    message: &'static str,
}

/// What `--json` prints for one image.
#[derive(Debug, Serialize)]
struct Report {
    file: String,
    kind: Kind,
    score: f32,
    pass: bool,
    measures: Vec<Measure>,
    feedback: Vec<Feedback>,
}

/// Runs the command. Exit code 0 when every image passes, 2 when one fails the quality
/// checks, 1 when one cannot be read.
pub fn run(args: &QualityArgs) -> anyhow::Result<ExitCode> {
    let region = region(args)?;
    let results: Vec<(PathBuf, anyhow::Result<Report>)> = args
        .images
        .par_iter()
        .map(|path| (path.clone(), assess(path, args, region.as_ref())))
        .collect();
    let (mut errors, mut failed) = (0, 0);
    for (path, result) in results {
        match result {
            Ok(report) => {
                failed += usize::from(!report.pass);
                if args.json {
                    println!("{}", serde_json::to_string(&report)?);
                } else {
                    print_text(&report);
                }
            }
            Err(err) => {
                errors += 1;
                if args.json {
                    let value = serde_json::json!({
                        "file": path.display().to_string(),
                        "error": format!("{err:#}"),
                    });
                    println!("{value}");
                } else {
                    eprintln!("{}: {err:#}", path.display());
                }
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn assess(path: &Path, args: &QualityArgs, region: Option<&FaceRegion>) -> anyhow::Result<Report> {
    let report = |score, pass, measures, feedback: Vec<(&'static str, &'static str)>| Report {
        file: path.display().to_string(),
        kind: args.kind,
        score,
        pass,
        measures,
        feedback: feedback
            .into_iter()
            .map(|(code, message)| Feedback { code, message })
            .collect(),
    };
    Ok(match args.kind {
        Kind::Finger => {
            let q = finger::assess(&FingerprintImage::open(path, args.ppi)?)?;
            let feedback = q.feedback.iter().map(|f| (f.code(), f.message(args.lang)));
            report(q.score, q.pass, q.measures.clone(), feedback.collect())
        }
        Kind::Face => {
            let image = FaceImage::open(path)?;
            let q = face::assess(&image, region, &FaceQualityConfig::default())
                .with_context(|| format!("{}×{} image", image.width(), image.height()))?;
            let feedback = q.feedback.iter().map(|f| (f.code(), f.message(args.lang)));
            report(q.score, q.pass, q.measures.clone(), feedback.collect())
        }
    })
}

/// The face region given on the command line.
fn region(args: &QualityArgs) -> anyhow::Result<Option<FaceRegion>> {
    if args.kind == Kind::Finger && (args.eyes.is_some() || args.face_box.is_some()) {
        bail!("--eyes and --box apply to faces only (add --kind face)");
    }
    let numbers = |text: &str, what: &str| -> anyhow::Result<[f32; 4]> {
        let v: Vec<f32> = text
            .split(',')
            .map(|s| s.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .with_context(|| {
                format!("{what} {text:?}: expected four numbers separated by commas")
            })?;
        <[f32; 4]>::try_from(v)
            .map_err(|v| anyhow::anyhow!("{what} {text:?}: expected four numbers, got {}", v.len()))
    };
    Ok(match (&args.eyes, &args.face_box) {
        (Some(eyes), _) => {
            let [lx, ly, rx, ry] = numbers(eyes, "--eyes")?;
            Some(FaceRegion::Eyes {
                left: (lx, ly),
                right: (rx, ry),
            })
        }
        (None, Some(b)) => {
            let [x, y, width, height] = numbers(b, "--box")?;
            Some(FaceRegion::Box {
                x,
                y,
                width,
                height,
            })
        }
        (None, None) => None,
    })
}

fn print_text(r: &Report) {
    println!(
        "{}  {}  score {:.0}/100  {}",
        r.file,
        match r.kind {
            Kind::Finger => "fingerprint",
            Kind::Face => "face",
        },
        r.score,
        if r.pass { "PASS" } else { "FAIL" }
    );
    for m in &r.measures {
        println!(
            "  {:<26} {:>5.0}  {:<4}  (value {:.3})",
            m.id,
            m.score,
            if m.pass { "ok" } else { "FAIL" },
            m.value
        );
    }
    for f in &r.feedback {
        println!("  - {}", f.message);
    }
}
