//! `galton match`: compare two fingerprints, each given as an image or a template file, and
//! say whether they match at each calibrated false match rate; optionally draw the minutiae
//! pairs behind the score.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use galton::image::FingerprintImage;
use galton::matcher::{thresholds, Explanation, Matcher, PreparedTemplate};
use galton::template::{self, Template};
use image::{imageops, GrayImage, Rgb, RgbImage};
use imageproc::drawing::draw_line_segment_mut;
use serde::Serialize;

use crate::show::{draw_minutia, kind_colour};

/// Arguments of `galton match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Probe: a fingerprint image (PNG, BMP, TIFF, JPEG, PGM) or a template file (galton, ISO
    /// 19794-2, ANSI 378 or JSON).
    pub probe: PathBuf,
    /// Candidate: an image or a template file, as the probe.
    pub candidate: PathBuf,
    /// Resolution of image inputs in pixels per inch (300–1000); templates carry their own.
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Resolution of the candidate if it is an image (default: --ppi).
    #[arg(long = "ppi-b")]
    pub ppi_b: Option<f32>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draw both prints side by side, paired minutiae joined, into this PNG.
    #[arg(long, value_name = "OUT.png")]
    pub show: Option<PathBuf>,
    /// Magnification of the --show drawing (1–4).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub scale: u32,
}

/// File extensions that announce a template rather than an image.
const TEMPLATE_EXTENSIONS: [&str; 7] = ["gltn", "iso", "ansi", "json", "dat", "fmr", "tpl"];

/// One side of the comparison: the minutiae, and the image they came from if there is one.
#[derive(Debug)]
pub struct Input {
    /// The image, when the input was one.
    pub image: Option<GrayImage>,
    /// The minutiae (extracted from the image, or read from the template file).
    pub template: Template,
}

/// Runs the command. Exit code 0 whenever the comparison ran, whatever its outcome.
pub fn run(args: &MatchArgs) -> anyhow::Result<ExitCode> {
    let ppi_b = args.ppi_b.unwrap_or(args.ppi);
    let (probe, candidate) = rayon::join(
        || load(&args.probe, args.ppi),
        || load(&args.candidate, ppi_b),
    );
    let (probe, candidate) = (probe?, candidate?);
    let explanation = Matcher::new().explain(
        &PreparedTemplate::new(&probe.template),
        &PreparedTemplate::new(&candidate.template),
    );
    let report = Report::new(args, &probe.template, &candidate.template, &explanation);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.text());
    }
    if let Some(out) = &args.show {
        let picture = draw(&probe, &candidate, &explanation, args.scale);
        picture
            .save(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("drawn to {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads an input: a template when the extension or the first bytes say so, an image
/// otherwise. Errors name the file.
pub fn load(path: &Path, ppi: f32) -> anyhow::Result<Input> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let magic = has_template_magic(&bytes);
    let template_extension = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        TEMPLATE_EXTENSIONS
            .iter()
            .any(|t| e.eq_ignore_ascii_case(t))
    });
    if magic || template_extension {
        match template::decode_views(&bytes) {
            Ok(mut views) => {
                if views.len() > 1 {
                    eprintln!(
                        "{}: {} finger views; using the first",
                        path.display(),
                        views.len()
                    );
                }
                return Ok(Input {
                    image: None,
                    template: views.swap_remove(0),
                });
            }
            Err(err) if magic => return Err(err).with_context(|| format!("{}", path.display())),
            // A template extension on something else: it may still be an image.
            Err(err) => {
                return match FingerprintImage::decode(&bytes, ppi) {
                    Ok(image) => from_image(path, image),
                    Err(_) => Err(err).with_context(|| {
                        format!(
                            "{}: neither a template nor a readable image",
                            path.display()
                        )
                    }),
                };
            }
        }
    }
    let image =
        FingerprintImage::decode(&bytes, ppi).with_context(|| format!("{}", path.display()))?;
    from_image(path, image)
}

fn from_image(path: &Path, image: FingerprintImage) -> anyhow::Result<Input> {
    let template = galton::fingerprint::extract(&image)
        .with_context(|| format!("{}: cannot extract minutiae", path.display()))?;
    Ok(Input {
        image: Some(image.into_gray()),
        template,
    })
}

/// True when the bytes start as a galton (`GLTN`), ISO/ANSI (`FMR\0`) or JSON record does.
fn has_template_magic(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.starts_with(b"GLTN")
        || bytes.starts_with(b"FMR\0")
        || text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// What `galton match` prints, as text or as one JSON object.
#[derive(Debug, Serialize)]
struct Report {
    probe: String,
    candidate: String,
    score: f32,
    decisions: Vec<Decision>,
    probe_minutiae: usize,
    candidate_minutiae: usize,
    pairs: Vec<Pair>,
    alignment: AlignmentReport,
}

#[derive(Debug, Serialize)]
struct Decision {
    fmr: f64,
    threshold: f32,
    #[serde(rename = "match")]
    is_match: bool,
}

#[derive(Debug, Serialize)]
struct Pair {
    probe: usize,
    candidate: usize,
    weight: f32,
}

#[derive(Debug, Serialize)]
struct AlignmentReport {
    rotation_deg: f32,
    dx: f32,
    dy: f32,
}

impl Report {
    fn new(
        args: &MatchArgs,
        probe: &Template,
        candidate: &Template,
        explanation: &Explanation,
    ) -> Self {
        let score = explanation.score;
        let alignment = explanation.alignment;
        // Degrees in (-180, 180].
        let rotation_deg = 180.0 - (180.0 - alignment.rotation.to_degrees()).rem_euclid(360.0);
        Report {
            probe: args.probe.display().to_string(),
            candidate: args.candidate.display().to_string(),
            score,
            decisions: thresholds::ALL
                .iter()
                .map(|t| Decision {
                    fmr: t.fmr,
                    threshold: t.score,
                    is_match: score >= t.score,
                })
                .collect(),
            probe_minutiae: probe.minutiae.len(),
            candidate_minutiae: candidate.minutiae.len(),
            pairs: explanation
                .pairs
                .iter()
                .map(|p| Pair {
                    probe: p.probe,
                    candidate: p.candidate,
                    weight: p.weight,
                })
                .collect(),
            alignment: AlignmentReport {
                rotation_deg,
                dx: alignment.dx,
                dy: alignment.dy,
            },
        }
    }

    fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "probe:     {} ({} minutiae)",
            self.probe, self.probe_minutiae
        );
        let _ = writeln!(
            out,
            "candidate: {} ({} minutiae)",
            self.candidate, self.candidate_minutiae
        );
        let _ = writeln!(out, "score: {:.4}", self.score);
        for d in &self.decisions {
            let _ = writeln!(
                out,
                "match at FMR {}: {} (threshold {:.4})",
                percent(d.fmr),
                if d.is_match { "yes" } else { "no" },
                d.threshold
            );
        }
        let _ = writeln!(out, "paired minutiae: {}", self.pairs.len());
        if !self.pairs.is_empty() {
            let a = &self.alignment;
            let _ = writeln!(
                out,
                "alignment: rotation {:.1}°, shift ({:.1}, {:.1}) px",
                a.rotation_deg, a.dx, a.dy
            );
        }
        out
    }
}

/// A rate as a percentage without trailing zeros: 0.01 → "1%", 0.0001 → "0.01%".
fn percent(rate: f64) -> String {
    let digits = format!("{:.6}", rate * 100.0);
    let digits = digits.trim_end_matches('0').trim_end_matches('.');
    format!("{digits}%")
}

/// Background of a panel for a template that came without its image.
const BLANK: Rgb<u8> = Rgb([215, 215, 215]);
/// Between and below the panels: darker than the white around most prints, so the panels
/// stand apart.
const MARGIN: Rgb<u8> = Rgb([170, 170, 170]);

/// Draws the probe (left) and the candidate (right) side by side at `scale` times their size,
/// top-aligned, with their minutiae as `galton show` draws them; the pairs of the explanation
/// are joined by lines coloured by weight (strongest green, weakest red), and minutiae that
/// take part in no pair are dimmed. Pairs naming a minutia that does not exist are skipped.
pub fn draw(probe: &Input, candidate: &Input, explanation: &Explanation, scale: u32) -> RgbImage {
    let s = scale as f32;
    let paired = |n: usize, side: fn(&galton::matcher::MatchedPair) -> usize| {
        let mut flags = vec![false; n];
        for p in &explanation.pairs {
            if let Some(f) = flags.get_mut(side(p)) {
                *f = true;
            }
        }
        flags
    };
    let left = panel(
        probe,
        &paired(probe.template.minutiae.len(), |p| p.probe),
        s,
    );
    let right = panel(
        candidate,
        &paired(candidate.template.minutiae.len(), |p| p.candidate),
        s,
    );
    let gap = 16 * scale;
    let offset = left.width() + gap;
    let mut out = RgbImage::from_pixel(
        offset + right.width(),
        left.height().max(right.height()),
        MARGIN,
    );
    imageops::overlay(&mut out, &left, 0, 0);
    imageops::overlay(&mut out, &right, offset as i64, 0);

    // Weakest first, so the strongest pairs end up on top.
    let mut pairs = explanation.pairs.clone();
    pairs.sort_by(|a, b| a.weight.total_cmp(&b.weight));
    for pair in &pairs {
        let (Some(a), Some(b)) = (
            probe.template.minutiae.get(pair.probe),
            candidate.template.minutiae.get(pair.candidate),
        ) else {
            continue;
        };
        let colour = weight_colour(pair.weight);
        let from = (a.x * s, a.y * s);
        let to = (offset as f32 + b.x * s, b.y * s);
        for t in 0..scale {
            // One pixel thicker per magnification step.
            let o = t as f32;
            draw_line_segment_mut(&mut out, (from.0, from.1 + o), (to.0, to.1 + o), colour);
        }
    }
    out
}

/// One print magnified `s` times: its image in gray (or a blank canvas of the template's
/// size), paired minutiae in their colours, the others dimmed.
fn panel(input: &Input, paired: &[bool], s: f32) -> RgbImage {
    let scale = s as u32;
    let mut out = match &input.image {
        Some(gray) => {
            let (w, h) = gray.dimensions();
            let big = imageops::resize(gray, w * scale, h * scale, imageops::FilterType::Triangle);
            RgbImage::from_fn(w * scale, h * scale, |x, y| {
                let v = big.get_pixel(x, y)[0];
                Rgb([v, v, v])
            })
        }
        None => {
            let t = &input.template;
            RgbImage::from_pixel(t.width.max(1) * scale, t.height.max(1) * scale, BLANK)
        }
    };
    for (m, &is_paired) in input.template.minutiae.iter().zip(paired) {
        let colour = kind_colour(m.kind);
        let colour = if is_paired { colour } else { dim(colour) };
        draw_minutia(&mut out, m, s, colour);
    }
    out
}

/// A colour faded most of the way to white.
fn dim(colour: Rgb<u8>) -> Rgb<u8> {
    Rgb(colour.0.map(|c| (c as u16 * 2 / 5 + 255 * 3 / 5) as u8))
}

/// Red (weight 0) through yellow (0.5) to green (1).
fn weight_colour(weight: f32) -> Rgb<u8> {
    let w = if weight.is_finite() {
        weight.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let red = (2.0 * (1.0 - w)).min(1.0);
    let green = (2.0 * w).min(1.0);
    Rgb([(230.0 * red) as u8, (200.0 * green) as u8, 30])
}

#[cfg(test)]
mod tests {
    use super::*;
    use galton::matcher::{Alignment, MatchedPair};
    use galton::{Minutia, MinutiaKind};

    fn minutia(x: f32, y: f32, kind: MinutiaKind) -> Minutia {
        Minutia {
            x,
            y,
            direction: 0.5,
            kind,
            quality: 60,
        }
    }

    fn template(width: u32, height: u32, minutiae: Vec<Minutia>) -> Template {
        Template {
            width,
            height,
            ppi: 500.0,
            finger: None,
            quality: None,
            minutiae,
        }
    }

    #[test]
    fn draws_panels_side_by_side_with_pairs_joined_and_unpaired_dimmed() {
        // The probe has an image (white), the candidate is a bare template (blank canvas).
        let probe = Input {
            image: Some(GrayImage::from_pixel(100, 80, image::Luma([255]))),
            template: template(
                100,
                80,
                vec![
                    minutia(20.0, 20.0, MinutiaKind::Ending),
                    minutia(60.0, 60.0, MinutiaKind::Bifurcation),
                    minutia(80.0, 20.0, MinutiaKind::Ending),
                ],
            ),
        };
        let candidate = Input {
            image: None,
            template: template(
                120,
                90,
                vec![
                    minutia(30.0, 20.0, MinutiaKind::Ending),
                    minutia(70.0, 60.0, MinutiaKind::Bifurcation),
                ],
            ),
        };
        let explanation = Explanation {
            score: 0.8,
            pairs: vec![
                MatchedPair {
                    probe: 0,
                    candidate: 0,
                    weight: 1.0,
                },
                MatchedPair {
                    probe: 1,
                    candidate: 1,
                    weight: 0.1,
                },
                // Out of range: skipped, not a panic.
                MatchedPair {
                    probe: 7,
                    candidate: 0,
                    weight: 0.5,
                },
            ],
            alignment: Alignment::default(),
        };
        let picture = draw(&probe, &candidate, &explanation, 1);
        let gap = 16;
        assert_eq!(picture.dimensions(), (100 + gap + 120, 90));
        // The candidate panel is the blank canvas; below the shorter probe is margin.
        assert_eq!(picture.get_pixel(100 + gap + 110, 85), &BLANK);
        assert_eq!(picture.get_pixel(50, 85), &MARGIN);
        // The strong pair's line crosses the gap at y = 20 in green.
        let strong = weight_colour(1.0);
        assert_eq!(strong, Rgb([0, 200, 30]));
        assert_eq!(picture.get_pixel(100 + gap / 2, 20), &strong);
        // The weak pair's line crosses the gap at y = 60 in red.
        assert_eq!(picture.get_pixel(100 + gap / 2, 60), &weight_colour(0.1));
        // Paired minutiae keep their colours; the unpaired ending is dimmed.
        let count = |colour: Rgb<u8>, xs: std::ops::Range<u32>| {
            xs.flat_map(|x| (0..90).map(move |y| (x, y)))
                .filter(|&(x, y)| picture.get_pixel(x, y) == &colour)
                .count()
        };
        let ending = kind_colour(MinutiaKind::Ending);
        assert!(count(ending, 10..30) > 10);
        assert_eq!(count(ending, 70..95), 0);
        assert!(count(dim(ending), 70..95) > 10);
        assert!(count(kind_colour(MinutiaKind::Bifurcation), 100 + gap..236) > 10);
    }

    #[test]
    fn without_pairs_every_minutia_is_dimmed() {
        let input = Input {
            image: None,
            template: template(50, 50, vec![minutia(25.0, 25.0, MinutiaKind::Ending)]),
        };
        let picture = draw(&input, &input, &Explanation::default(), 2);
        assert_eq!(picture.dimensions(), (2 * 50 + 32 + 2 * 50, 100));
        let ending = kind_colour(MinutiaKind::Ending);
        assert!(picture.pixels().all(|p| p != &ending));
        assert!(picture.pixels().any(|p| p == &dim(ending)));
    }

    #[test]
    fn rates_print_as_short_percentages() {
        assert_eq!(percent(0.01), "1%");
        assert_eq!(percent(0.001), "0.1%");
        assert_eq!(percent(0.0001), "0.01%");
    }

    #[test]
    fn template_magic_is_recognised() {
        assert!(has_template_magic(b"GLTN\x01"));
        assert!(has_template_magic(b"FMR\0 20\0"));
        assert!(has_template_magic(b"\xEF\xBB\xBF  {\"views\": []}"));
        assert!(!has_template_magic(b"\x89PNG\r\n"));
        assert!(!has_template_magic(b""));
    }
}
