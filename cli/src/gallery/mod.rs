//! The gallery commands: `enroll`, `enroll-batch`, `verify`, `identify`, `list`, `remove` and
//! `dedup`, over a gallery database file.
//!
//! What they share lives here: opening the database, reading finger inputs (images or
//! templates) and face embeddings (JSON or `.npy`), and the exit codes.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use galton::face::FaceEmbedding;
use galton::gallery::store::{StoreKey, StoreOptions};
use galton::gallery::{Comparison, Gallery, Probe};
use galton::{FingerPosition, Template};

pub mod audit;
pub mod batch;
pub mod enroll;
mod html;
mod npy;
pub mod query;
pub mod report;

/// Exit codes of the gallery commands, besides 0 (success) and 1 (bad input or database).
pub mod exit {
    /// `enroll`: stored, but flagged as a suspected duplicate of someone registered.
    pub const FLAGGED: u8 = 3;
    /// `enroll --reject-duplicates`: refused, the biometrics belong to another id.
    pub const REJECTED_DUPLICATE: u8 = 4;
    /// `enroll`: the id is registered already, with other biometrics.
    pub const ID_CONFLICT: u8 = 5;
    /// `enroll`: the id is registered already, with these same biometrics.
    pub const ALREADY_ENROLLED: u8 = 6;
    /// `verify`: the probe does not match the claimed id.
    pub const NO_MATCH: u8 = 2;
    /// Any command: the database stayed locked by another process for longer than
    /// `--busy-timeout`; nothing was changed, the command can be run again.
    pub const BUSY: u8 = 7;
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(s),
        _ => Err(format!("{text:?}: expected seconds, from 0 to 86400")),
    }
}

/// The exit code of a command that failed with `err`: [`exit::BUSY`] for a database locked
/// too long, otherwise 1.
pub fn failure_code(err: &anyhow::Error) -> std::process::ExitCode {
    let busy = err
        .chain()
        .any(|e| matches!(e.downcast_ref(), Some(galton::Error::Busy { .. })));
    std::process::ExitCode::from(if busy { exit::BUSY } else { 1 })
}

/// The environment variable holding a gallery's key (64 hexadecimal digits).
pub const KEY_ENV: &str = "GALTON_KEY";

/// How a gallery command opens its database: the key (which keeps the templates and
/// embeddings encrypted), the operator id recorded in the audit trail, and how long to wait
/// for another process's lock.
#[derive(Debug, Clone, clap::Args)]
pub struct Access {
    /// The gallery's key: a file holding 64 hexadecimal digits (`galton key generate`).
    /// Without it, the key is read from the GALTON_KEY environment variable, if set; without
    /// either, the gallery is keyless (templates and embeddings in plaintext).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Who is operating (an employee number, a station name), recorded with every row of the
    /// audit trail.
    #[arg(long, value_name = "ID")]
    pub operator: Option<String>,
    /// Seconds to wait while another process writes to the database before giving up with
    /// exit code 7 (nothing changed; run the command again). 0 gives up at once.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub busy_timeout: f64,
}

impl Access {
    /// The store options: the key from `--key-file` or `GALTON_KEY` (giving both is an
    /// error: which one was meant?), and the operator.
    pub fn options(&self) -> anyhow::Result<StoreOptions> {
        let env = std::env::var(KEY_ENV).ok().filter(|v| !v.trim().is_empty());
        let key = match (&self.key_file, env) {
            (Some(_), Some(_)) => bail!(
                "both --key-file and {KEY_ENV} are set: give the key one way (unset {KEY_ENV} \
                 or drop --key-file)"
            ),
            (Some(file), None) => Some(StoreKey::from_file(file)?),
            (None, Some(text)) => {
                Some(StoreKey::from_text(&text).with_context(|| format!("the key in {KEY_ENV}"))?)
            }
            (None, None) => None,
        };
        let mut options = StoreOptions::default()
            .with_busy_timeout(std::time::Duration::from_secs_f64(self.busy_timeout));
        if let Some(key) = key {
            options = options.with_key(key);
        }
        if let Some(op) = &self.operator {
            options = options.with_operator(op.clone());
        }
        Ok(options)
    }
}

/// Opens the gallery database at `path` (created if missing), with the default thresholds,
/// the key and the operator of `access`. The one place the commands get their gallery from.
pub fn open_gallery(path: &Path, access: &Access) -> anyhow::Result<Gallery> {
    let options = access.options()?;
    Gallery::open_with(path, galton::gallery::GalleryConfig::default(), &options)
        .with_context(|| format!("cannot open the gallery {}", path.display()))
}

/// `POSITION=FILE`: one finger input on the command line.
#[derive(Debug, Clone)]
pub struct FingerArg {
    /// Which finger.
    pub position: FingerPosition,
    /// An image or a template file.
    pub path: PathBuf,
}

impl std::str::FromStr for FingerArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, path) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected FINGER=FILE, e.g. right-index=101_1.png"))?;
        let position = parse_position(name)?;
        if path.is_empty() {
            return Err(format!("{text:?}: no file after '='"));
        }
        Ok(FingerArg {
            position,
            path: PathBuf::from(path),
        })
    }
}

/// A finger position by name, refusing `unknown` (a gallery needs to know the finger).
pub fn parse_position(name: &str) -> Result<FingerPosition, String> {
    match name.parse::<FingerPosition>() {
        Ok(FingerPosition::Unknown) => Err(format!(
            "finger {name:?}: say which finger (right-thumb … left-little)"
        )),
        Ok(p) => Ok(p),
        Err(e) => Err(e.to_string()),
    }
}

/// `KEY=VALUE`: one metadata entry on the command line.
#[derive(Debug, Clone)]
pub struct MetaArg {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

impl std::str::FromStr for MetaArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok(MetaArg {
                key: key.to_string(),
                value: value.to_string(),
            }),
            _ => Err(format!("{text:?}: expected KEY=VALUE")),
        }
    }
}

/// One finger impression read from a file.
#[derive(Debug, Clone)]
pub struct LoadedFinger {
    /// Which finger.
    pub position: FingerPosition,
    /// The minutiae, labelled with the position.
    pub template: Template,
    /// The image file, absolute, when the input was an image (not a template).
    pub image: Option<PathBuf>,
}

/// Reads a finger input: an image (minutiae extracted at `ppi`) or a template file.
pub fn load_finger(
    position: FingerPosition,
    path: &Path,
    ppi: f32,
) -> anyhow::Result<LoadedFinger> {
    let input = crate::matching::load(path, ppi)?;
    let image = input
        .image
        .map(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let mut template = input.template;
    template.finger = Some(position);
    if template.minutiae.is_empty() {
        bail!("{}: no minutiae found", path.display());
    }
    Ok(LoadedFinger {
        position,
        template,
        image,
    })
}

/// Reads a face embedding: a `.npy` vector (float32 or float64), or a JSON array of numbers.
pub fn load_face(path: &Path) -> anyhow::Result<FaceEmbedding> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let values: Vec<f32> = if bytes.starts_with(b"\x93NUMPY")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        npy::read_vector(&bytes).with_context(|| format!("{}", path.display()))?
    } else {
        let values: Vec<f64> = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{}: a face embedding is a JSON array of numbers or a .npy vector",
                path.display()
            )
        })?;
        values.into_iter().map(|v| v as f32).collect()
    };
    FaceEmbedding::new(values).with_context(|| format!("{}", path.display()))
}

/// The metadata key under which the image of impression `i` (from 0) of a finger is kept:
/// `image:right-index`, then `image:right-index:2` …
pub fn image_key(position: FingerPosition, impression: usize) -> String {
    if impression == 0 {
        format!("image:{position}")
    } else {
        format!("image:{position}:{}", impression + 1)
    }
}

/// A probe from command-line inputs: one impression per finger, an optional face.
pub fn load_probe(fingers: &[FingerArg], face: Option<&Path>, ppi: f32) -> anyhow::Result<Probe> {
    let mut probe = Probe::new();
    for finger in fingers {
        if probe.fingers.contains_key(&finger.position) {
            bail!(
                "{} given twice: a probe has one impression per finger",
                finger.position
            );
        }
        let loaded = load_finger(finger.position, &finger.path, ppi)?;
        probe = probe.with_finger(finger.position, loaded.template);
    }
    if let Some(face) = face {
        probe = probe.with_face(load_face(face)?);
    }
    if probe.fingers.is_empty() && probe.face.is_none() {
        bail!("give at least one --finger or a --face");
    }
    Ok(probe)
}

/// A false match rate in short scientific notation: `1.2e-9`.
pub fn fmr_text(fmr: f64) -> String {
    if fmr >= 0.01 {
        format!("{fmr:.3}")
    } else {
        format!("{fmr:.1e}")
    }
}

/// The modalities of a comparison as `right-index 0.412 (6.1), face 0.80 (3.2)`: score and
/// evidence.
pub fn modalities_text(comparison: &Comparison) -> String {
    comparison
        .modalities
        .iter()
        .map(|m| format!("{} {:.3} ({:.1})", m.modality, m.score, m.evidence))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names of the modalities of a comparison that match on their own at `fmr`.
pub fn matched_names(comparison: &Comparison, fmr: f64) -> Vec<String> {
    comparison
        .matching_modalities(fmr)
        .map(|m| m.modality.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finger_arguments_parse() {
        let f: FingerArg = "right-index=a/b.png".parse().unwrap();
        assert_eq!(f.position, FingerPosition::RightIndex);
        assert_eq!(f.path, Path::new("a/b.png"));
        assert!("right-index".parse::<FingerArg>().is_err());
        assert!("unknown=x.png".parse::<FingerArg>().is_err());
        assert!("middle=x.png".parse::<FingerArg>().is_err());
        assert!("right-index=".parse::<FingerArg>().is_err());
        let m: MetaArg = "office=Quito=3".parse().unwrap();
        assert_eq!((m.key.as_str(), m.value.as_str()), ("office", "Quito=3"));
        assert!("=x".parse::<MetaArg>().is_err());
    }

    #[test]
    fn image_keys_number_the_impressions() {
        assert_eq!(image_key(FingerPosition::LeftThumb, 0), "image:left-thumb");
        assert_eq!(
            image_key(FingerPosition::LeftThumb, 1),
            "image:left-thumb:2"
        );
    }
}
