//! Writing synthetic datasets to disk.
//!
//! Image mode writes, for finger `f` and impression `i` (both from 1, FVC style, no zero
//! padding), `f_i.png` (8-bit gray, ridges dark) and `f_i.json` with the true minutiae in
//! that image (x, y in pixels, direction in degrees counter-clockwise as seen, type
//! `ending`/`bifurcation`), the singular points that fall in the image, and every parameter
//! of the master and the impression. Templates-only mode writes `templates.jsonl`, one line
//! per finger with all its impressions. Both write `dataset.json` with the specification.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::impression::{impression, Impression};
use super::master::{generate_master, Master};
use super::templates::finger_templates;
use super::{finger_seed, impression_seed, SynthConfig};
use crate::error::{Error, Result};
use crate::template::{Minutia, MinutiaKind};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSpec {
    /// Number of fingers.
    pub fingers: u64,
    /// Impressions per finger.
    pub impressions: u32,
    /// Dataset seed; finger and impression seeds derive from it.
    pub seed: u64,
    /// Minutiae only (`templates.jsonl`), no images.
    pub templates_only: bool,
    /// Also write each master as `master_f.png` (image mode).
    #[serde(default)]
    pub masters: bool,
    /// Generator settings.
    pub config: SynthConfig,
}

/// Fingers per chunk in templates-only mode: computed in parallel, written in order.
const CHUNK: u64 = 2048;

/// Writes the dataset described by `spec` into `dir` (created if needed). `progress` is called
/// with the number of fingers finished so far, from any thread.
pub fn write_dataset(
    dir: &Path,
    spec: &DatasetSpec,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let manifest = serde_json::to_string_pretty(spec).expect("spec serialises");
    write(&dir.join("dataset.json"), manifest.as_bytes())?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = || progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
    if spec.templates_only {
        let path = dir.join("templates.jsonl");
        let file = fs::File::create(&path).map_err(|e| io(&path, e))?;
        let mut out = BufWriter::new(file);
        let mut start = 0;
        while start < spec.fingers {
            let end = (start + CHUNK).min(spec.fingers);
            let lines = map_range(start..end, |f| {
                let t = finger_templates(spec.seed, f, spec.impressions as usize, &spec.config);
                let line = json!({
                    "finger": f + 1,
                    "class": t.class,
                    "impressions": t.impressions.iter().map(|tpl| json!({
                        "width": tpl.width,
                        "height": tpl.height,
                        "ppi": tpl.ppi,
                        "minutiae": minutiae_json(&tpl.minutiae),
                    })).collect::<Vec<_>>(),
                });
                tick();
                Ok(line.to_string())
            })?;
            for line in lines {
                writeln!(out, "{line}").map_err(|e| io(&path, e))?;
            }
            start = end;
        }
        out.flush().map_err(|e| io(&path, e))?;
    } else {
        map_range(0..spec.fingers, |f| {
            write_finger(dir, spec, f)?;
            tick();
            Ok(())
        })?;
    }
    Ok(())
}

/// Generates and writes one finger's impressions.
fn write_finger(dir: &Path, spec: &DatasetSpec, finger: u64) -> Result<()> {
    let fs_seed = finger_seed(spec.seed, finger);
    let master = generate_master(fs_seed, &spec.config);
    if spec.masters {
        write_png(
            &dir.join(format!("master_{}.png", finger + 1)),
            &master.image(),
        )?;
    }
    for j in 0..spec.impressions as u64 {
        let imp = impression(&master, impression_seed(fs_seed, j), &spec.config);
        let stem = format!("{}_{}", finger + 1, j + 1);
        write_png(&dir.join(format!("{stem}.png")), &imp.image)?;
        let doc = impression_json(&master, &imp, finger, j, &spec.config);
        let text = serde_json::to_string_pretty(&doc).expect("json serialises");
        write(&dir.join(format!("{stem}.json")), text.as_bytes())?;
    }
    Ok(())
}

/// The JSON document beside an impression's PNG.
pub fn impression_json(
    master: &Master,
    imp: &Impression,
    finger: u64,
    index: u64,
    config: &SynthConfig,
) -> Value {
    let t = &imp.params.transform;
    let (w, h) = (config.image_width as f32, config.image_height as f32);
    let points = |ps: &[super::Point]| -> Vec<Value> {
        ps.iter()
            .map(|p| t.apply(p.x, p.y))
            .filter(|&(x, y)| (0.0..w).contains(&x) && (0.0..h).contains(&y))
            .map(|(x, y)| json!({"x": round2(x), "y": round2(y)}))
            .collect()
    };
    let sing = &master.params.orientation.singularities;
    json!({
        "finger": finger + 1,
        "impression": index + 1,
        "width": config.image_width,
        "height": config.image_height,
        "ppi": config.ppi,
        "class": master.params.class,
        "condition": imp.params.condition,
        "cores": points(&sing.cores),
        "deltas": points(&sing.deltas),
        "minutiae": minutiae_json(&imp.minutiae),
        "impression_params": imp.params,
        "master_params": master.params,
        "master_growth": {"iterations": master.iterations, "final_change": master.final_change},
    })
}

/// Minutiae as JSON objects: x, y (pixels, two decimals), direction (degrees, one decimal),
/// type.
pub fn minutiae_json(minutiae: &[Minutia]) -> Vec<Value> {
    minutiae
        .iter()
        .map(|m| {
            let kind = match m.kind {
                MinutiaKind::Ending => "ending",
                MinutiaKind::Bifurcation => "bifurcation",
                MinutiaKind::Other => "other",
            };
            let deg = ((m.direction.to_degrees() as f64 * 10.0).round() / 10.0) % 360.0;
            json!({"x": round2(m.x), "y": round2(m.y), "direction": deg, "type": kind})
        })
        .collect()
}

fn round2(v: f32) -> f64 {
    (v as f64 * 100.0).round() / 100.0
}

/// Applies `f` to every index of `range`, in parallel when the `rayon` feature is on, and
/// returns the results in order (the first error wins).
fn map_range<T: Send>(
    range: std::ops::Range<u64>,
    f: impl Fn(u64) -> Result<T> + Sync + Send,
) -> Result<Vec<T>> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        range.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        range.map(f).collect()
    }
}

/// Writes an 8-bit gray PNG with the strongest compression (the noise of a sensor image
/// costs bytes; committed fixtures should stay small).
fn write_png(path: &Path, image: &image::GrayImage) -> Result<()> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, FilterType::Adaptive)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| io(path, std::io::Error::other(e)))?;
    write(path, &bytes)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| io(path, e))
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from(path),
        source,
    }
}
