//! Python bindings of galton: the native module `galton._galton`, re-exported by the
//! `galton` package (see `python/galton/__init__.py`).
//!
//! The binding only converts types and errors; every algorithm is in the core crate. Calls
//! that take time release the GIL through [`errors::detach`], which also converts core
//! errors ([`errors::to_py`]) and turns a panic into `galton.GaltonError`.

mod convert;
mod errors;
mod evaluation;
mod face;
mod gallery;
mod quality;
mod synth;
mod template;

use pyo3::prelude::*;

/// Native part of the `galton` package; import `galton` instead.
#[pymodule]
fn _galton(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<template::PyTemplate>()?;
    m.add_class::<template::PyPrepared>()?;
    m.add_class::<template::PyMatcher>()?;
    m.add_class::<face::PyFaceIndex>()?;
    m.add_class::<gallery::PyGallery>()?;
    m.add_function(wrap_pyfunction!(template::extract, m)?)?;
    m.add_function(wrap_pyfunction!(template::extract_many, m)?)?;
    m.add_function(wrap_pyfunction!(template::match_, m)?)?;
    m.add_function(wrap_pyfunction!(template::explain, m)?)?;
    m.add_function(wrap_pyfunction!(quality::finger_quality, m)?)?;
    m.add_function(wrap_pyfunction!(quality::face_quality, m)?)?;
    m.add_function(wrap_pyfunction!(face::cosine_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation::error_rates, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation::det_curve, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation::threshold_at_fmr, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation::error_reject_curve, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation::fvc_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_templates, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_faces, m)?)?;
    m.add(
        "THRESHOLD_FMR_1_PERCENT",
        galton::matcher::thresholds::FMR_1_PERCENT,
    )?;
    m.add(
        "THRESHOLD_FMR_0_1_PERCENT",
        galton::matcher::thresholds::FMR_0_1_PERCENT,
    )?;
    m.add(
        "THRESHOLD_FMR_0_01_PERCENT",
        galton::matcher::thresholds::FMR_0_01_PERCENT,
    )?;
    Ok(())
}
