//! `galton demo`: the main job on the bundled synthetic fixtures. For now it extracts every
//! bundled impression, grades the minutiae against the generator's ground truth, prints a
//! summary per skin condition, then compares every impression with every other and reports how
//! well the matcher separates the same finger from different fingers; later issues grow it
//! into the deduplication of an enrollment population.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use galton::evaluation::{self, ErrorRates, Protocol};
use galton::image::FingerprintImage;
use galton::matcher::{thresholds, Matcher, PreparedTemplate};
use galton::metrics::{compare_minutiae, MinutiaTolerance, MinutiaeAccuracy};
use galton::template::TemplateFormat;
use galton::{Minutia, MinutiaKind};
use rayon::prelude::*;
use serde::Deserialize;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// Arguments of `galton demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write each impression's ISO 19794-2 template into this folder.
    #[arg(short = 'o', long = "out")]
    pub out_dir: Option<PathBuf>,
}

/// The part of a fixture's ground-truth JSON the demo reads.
#[derive(Debug, Deserialize)]
struct Truth {
    ppi: f32,
    condition: String,
    minutiae: Vec<TrueMinutia>,
}

#[derive(Debug, Deserialize)]
struct TrueMinutia {
    x: f32,
    y: f32,
    /// Degrees.
    direction: f32,
    #[serde(rename = "type")]
    kind: String,
}

impl TrueMinutia {
    fn to_minutia(&self) -> Minutia {
        Minutia {
            x: self.x,
            y: self.y,
            direction: self.direction.to_radians(),
            kind: if self.kind == "bifurcation" {
                MinutiaKind::Bifurcation
            } else {
                MinutiaKind::Ending
            },
            quality: 100,
        }
    }
}

struct Outcome {
    /// `<finger>_<impression>`.
    stem: String,
    template: galton::Template,
    condition: String,
    minutiae: usize,
    seconds: f64,
    accuracy: MinutiaeAccuracy,
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let fixtures = embedded::FIXTURES;
    anyhow::ensure!(!fixtures.is_empty(), "this build bundles no fixtures");
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    println!(
        "galton demo: extracting minutiae from {} bundled synthetic impressions and grading them \
         against the generator's ground truth (a true minutia is found when an extracted one lies \
         within 12 px and 30°)\n",
        fixtures.len()
    );
    let start = Instant::now();
    let outcomes = fixtures
        .par_iter()
        .map(|(stem, png, json)| {
            let truth: Truth =
                serde_json::from_str(json).with_context(|| format!("fixture {stem}.json"))?;
            let image = FingerprintImage::decode(png, truth.ppi)
                .with_context(|| format!("fixture {stem}.png"))?;
            let t0 = Instant::now();
            let template = galton::fingerprint::extract(&image)
                .with_context(|| format!("fixture {stem}.png"))?;
            let seconds = t0.elapsed().as_secs_f64();
            if let Some(dir) = &args.out_dir {
                let path = dir.join(format!("{stem}.iso"));
                std::fs::write(&path, template.to_bytes(TemplateFormat::Iso19794_2)?)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let true_minutiae: Vec<Minutia> =
                truth.minutiae.iter().map(TrueMinutia::to_minutia).collect();
            let accuracy = compare_minutiae(
                &true_minutiae,
                &template.minutiae,
                MinutiaTolerance::default(),
            );
            Ok(Outcome {
                stem: stem.to_string(),
                condition: truth.condition,
                minutiae: template.minutiae.len(),
                template,
                seconds,
                accuracy,
            })
        })
        .collect::<anyhow::Result<Vec<Outcome>>>()?;
    let wall = start.elapsed().as_secs_f64();

    let mut groups: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
    for o in &outcomes {
        groups.entry(o.condition.as_str()).or_default().push(o);
        groups.entry("all").or_default().push(o);
    }
    println!(
        "{:<10} {:>7} {:>10} {:>10} {:>8} {:>11}",
        "condition", "images", "minutiae", "precision", "recall", "ms/image"
    );
    for (condition, group) in &groups {
        let mut acc = MinutiaeAccuracy::default();
        for o in group {
            acc += o.accuracy;
        }
        let n = group.len() as f64;
        println!(
            "{:<10} {:>7} {:>10.1} {:>10.3} {:>8.3} {:>11.1}",
            condition,
            group.len(),
            group.iter().map(|o| o.minutiae).sum::<usize>() as f64 / n,
            acc.precision(),
            acc.recall(),
            1000.0 * group.iter().map(|o| o.seconds).sum::<f64>() / n,
        );
    }
    println!(
        "\n{} impressions in {:.2} s on {} threads",
        outcomes.len(),
        wall,
        rayon::current_num_threads()
    );
    if let Some(dir) = &args.out_dir {
        println!("ISO 19794-2 templates written to {}", dir.display());
    }
    matching(&outcomes)?;
    Ok(ExitCode::SUCCESS)
}

/// Every impression against every other: genuine when of the same finger.
fn matching(outcomes: &[Outcome]) -> anyhow::Result<()> {
    let samples: Vec<(u32, u32)> = outcomes
        .iter()
        .map(|o| {
            evaluation::parse_fvc_name(&o.stem).context("fixture names are <finger>_<impression>")
        })
        .collect::<anyhow::Result<_>>()?;
    let prepared: Vec<PreparedTemplate> = outcomes
        .iter()
        .map(|o| PreparedTemplate::new(&o.template))
        .collect();
    let pairs = evaluation::pairs(Protocol::AllPairs, &samples)?;
    let start = Instant::now();
    let scores: Vec<f32> = pairs
        .par_iter()
        .map_init(Matcher::new, |m, p| {
            m.score(&prepared[p.probe], &prepared[p.gallery])
        })
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for (pair, &score) in pairs.iter().zip(&scores) {
        if pair.genuine {
            &mut genuine
        } else {
            &mut impostor
        }
        .push(score);
    }
    let rates = ErrorRates::compute(&genuine, &impostor)?;
    let threshold = thresholds::FMR_0_1_PERCENT;
    let accepted = genuine.iter().filter(|&&s| s >= threshold).count();
    let false_matches = impostor.iter().filter(|&&s| s >= threshold).count();
    println!(
        "\nmatching: {} genuine and {} impostor comparisons in {:.1} ms\n\
         EER {:.2}%; at the FMR 0.1% threshold ({threshold:.4}): {accepted} of {} genuine \
         pairs accepted, {false_matches} of {} impostor pairs falsely matched",
        genuine.len(),
        impostor.len(),
        1000.0 * seconds,
        100.0 * rates.eer,
        genuine.len(),
        impostor.len(),
    );
    Ok(())
}
