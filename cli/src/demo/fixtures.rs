//! The bundled fixtures: extracted, and graded against the generator's ground truth.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use galton::image::FingerprintImage;
use galton::metrics::{compare_minutiae, MinutiaTolerance, MinutiaeAccuracy};
use galton::{Minutia, MinutiaKind, Template};
use rayon::prelude::*;
use serde::Deserialize;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
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

/// One bundled impression, extracted.
pub struct Fixture {
    /// Finger, from 1.
    pub finger: u32,
    /// Impression, from 1.
    pub impression: u32,
    /// The PNG.
    pub png: &'static [u8],
    /// The extracted template.
    pub template: Template,
    condition: String,
    seconds: f64,
    accuracy: MinutiaeAccuracy,
}

/// Extracts every bundled impression and prints how well the minutiae match the truth.
pub fn extract_and_grade() -> anyhow::Result<Vec<Fixture>> {
    let fixtures = embedded::FIXTURES;
    anyhow::ensure!(!fixtures.is_empty(), "this build bundles no fixtures");
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
            let true_minutiae: Vec<Minutia> =
                truth.minutiae.iter().map(TrueMinutia::to_minutia).collect();
            let accuracy = compare_minutiae(
                &true_minutiae,
                &template.minutiae,
                MinutiaTolerance::default(),
            );
            let (finger, impression) = galton::evaluation::parse_fvc_name(stem)
                .context("fixture names are <finger>_<impression>")?;
            Ok(Fixture {
                finger,
                impression,
                png,
                template,
                condition: truth.condition,
                seconds,
                accuracy,
            })
        })
        .collect::<anyhow::Result<Vec<Fixture>>>()?;
    let wall = start.elapsed().as_secs_f64();

    let mut groups: BTreeMap<&str, Vec<&Fixture>> = BTreeMap::new();
    for o in &outcomes {
        groups.entry(o.condition.as_str()).or_default().push(o);
        groups.entry("all").or_default().push(o);
    }
    println!(
        "  {:<10} {:>7} {:>10} {:>10} {:>8} {:>11}",
        "condition", "images", "minutiae", "precision", "recall", "ms/image"
    );
    for (condition, group) in &groups {
        let mut acc = MinutiaeAccuracy::default();
        for o in group {
            acc += o.accuracy;
        }
        let n = group.len() as f64;
        println!(
            "  {:<10} {:>7} {:>10.1} {:>10.3} {:>8.3} {:>11.1}",
            condition,
            group.len(),
            group
                .iter()
                .map(|o| o.template.minutiae.len())
                .sum::<usize>() as f64
                / n,
            acc.precision(),
            acc.recall(),
            1000.0 * group.iter().map(|o| o.seconds).sum::<f64>() / n,
        );
    }
    println!(
        "  {} impressions in {:.2} s on {} threads",
        outcomes.len(),
        wall,
        rayon::current_num_threads()
    );
    Ok(outcomes)
}
