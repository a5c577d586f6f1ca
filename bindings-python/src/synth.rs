//! The synthetic generator: fingerprint images with their true minutiae, templates-only
//! datasets and face embeddings.

use galton::synth::{self, faces::FaceSynth, SynthConfig};
use galton::Template;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{detach, invalid};
use crate::template::PyTemplate;

fn config(py: Python<'_>, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<SynthConfig> {
    let Some(d) = overrides else {
        return Ok(SynthConfig::default());
    };
    let json = py.import("json")?.call_method1("dumps", (d,))?;
    let text: String = json.extract()?;
    let mut c: SynthConfig = serde_json::from_str(&text)
        .map_err(|e| invalid(py, format!("invalid synth config: {e}")))?;
    if !(c.ppi.is_finite() && c.ppi > 0.0) || c.image_width == 0 || c.image_height == 0 {
        return Err(invalid(
            py,
            "synth config: ppi and image size must be positive",
        ));
    }
    c.master_width = c.master_width.max(1);
    c.master_height = c.master_height.max(1);
    Ok(c)
}

/// Impression ``impression`` of finger ``finger`` of the synthetic dataset ``seed``: a
/// ``(height, width)`` uint8 image (ridges dark, 288 × 384 at 500 ppi by default) and the
/// template of its true minutiae. ``config`` overrides fields of the generator's settings
/// (``{"noise": 0.0, "distortion": 0.5, ...}``, see the core's ``SynthConfig``).
#[pyfunction]
#[pyo3(signature = (seed=0, finger=0, impression=0, config=None))]
pub(crate) fn synth_fingerprint<'py>(
    py: Python<'py>,
    seed: u64,
    finger: u64,
    impression: u64,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyArray2<u8>>, PyTemplate)> {
    let c = self::config(py, config)?;
    let (image, truth) = detach(py, move || {
        let fs = synth::finger_seed(seed, finger);
        let master = synth::generate_master(fs, &c);
        let imp = synth::impression(&master, synth::impression_seed(fs, impression), &c);
        let (w, h) = imp.image.dimensions();
        let truth = Template {
            width: w,
            height: h,
            ppi: c.ppi,
            finger: None,
            quality: None,
            minutiae: imp.minutiae,
        };
        Ok((imp.image, truth))
    })?;
    let (w, h) = image.dimensions();
    let array = PyArray1::from_vec(py, image.into_raw()).reshape([h as usize, w as usize])?;
    Ok((array, PyTemplate::new(truth)))
}

/// Templates-only dataset (no images, fast): for each finger in ``range(first, first +
/// fingers)``, ``impressions`` templates of it, as a list of lists of :class:`Template`.
#[pyfunction]
#[pyo3(signature = (seed=0, fingers=10, impressions=8, first=0, config=None))]
pub(crate) fn synth_templates<'py>(
    py: Python<'py>,
    seed: u64,
    fingers: u64,
    impressions: usize,
    first: u64,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<Vec<PyTemplate>>> {
    let c = self::config(py, config)?;
    let end = first
        .checked_add(fingers)
        .ok_or_else(|| invalid(py, "finger range overflows"))?;
    let sets = detach(py, move || {
        Ok(synth::templates_only(seed, first..end, impressions, &c))
    })?;
    Ok(sets
        .into_iter()
        .map(|f| f.impressions.into_iter().map(PyTemplate::new).collect())
        .collect())
}

/// Synthetic face embeddings: ``captures`` noisy captures of each of ``persons``
/// identities, a float32 array of shape (persons × captures, dim), person-major (row
/// ``p * captures + c``); ``spread`` is the distance of a capture from its identity.
#[pyfunction]
#[pyo3(signature = (dim=128, persons=100, captures=2, spread=0.5, seed=0))]
pub(crate) fn synth_faces<'py>(
    py: Python<'py>,
    dim: usize,
    persons: u64,
    captures: u64,
    spread: f32,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    if !(galton::face::MIN_DIMENSION..=galton::face::MAX_DIMENSION).contains(&dim) {
        return Err(invalid(
            py,
            format!(
                "dim must be {} to {}, got {dim}",
                galton::face::MIN_DIMENSION,
                galton::face::MAX_DIMENSION
            ),
        ));
    }
    if !(spread.is_finite() && spread >= 0.0) {
        return Err(invalid(py, "spread must be a finite number ≥ 0"));
    }
    // At most 2^28 values (1 GiB): a typo in a count must not exhaust memory.
    let rows = persons
        .checked_mul(captures)
        .filter(|r| r.saturating_mul(dim as u64) <= 1 << 28)
        .ok_or_else(|| invalid(py, "persons × captures × dim is over 2^28 values"))?
        as usize;
    let data = detach(py, move || {
        let s = FaceSynth::new(dim, seed);
        let mut out = Vec::with_capacity(rows * dim);
        for p in 0..persons {
            for c in 0..captures {
                out.extend(s.capture(p, c, spread));
            }
        }
        Ok(out)
    })?;
    PyArray1::from_vec(py, data).reshape([rows, dim])
}
