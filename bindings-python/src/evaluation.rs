//! Verification error rates from genuine and impostor scores (FVC definitions).

use galton::evaluation::{self, ErrorRates, Protocol};
use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::type_name;
use crate::errors::{check, detach, invalid, wrong_type};

/// A 1-D sequence of numbers as f32 (read as is from a float32 array, converted otherwise).
pub(crate) fn floats(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f32>> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, f32>>() {
        return Ok(a.as_array().to_vec());
    }
    let np = obj.py().import("numpy")?;
    let converted = np.call_method1("asarray", (obj, "float32")).map_err(|_| {
        wrong_type(format!(
            "expected a 1-D sequence of numbers, got {}",
            type_name(obj)
        ))
    })?;
    if converted.cast::<PyUntypedArray>()?.ndim() != 1 {
        return Err(invalid(obj.py(), "expected a 1-D sequence of scores"));
    }
    floats(&converted)
}

/// FVC error rates of a verification test: a dict with ``genuine``, ``impostor`` (counts),
/// ``eer`` (with ``eer_low``, ``eer_high``, ``eer_threshold``), ``fnmr_at_fmr_1_percent``
/// (FMR100), ``fnmr_at_fmr_0_1_percent`` (FMR1000), ``zero_fmr`` and their thresholds.
/// Rates are fractions in [0, 1].
///
///     >>> r = galton.error_rates([0.9, 0.8, 0.3], [0.1, 0.2, 0.35])   # doctest: +SKIP
///     >>> r["eer"]                                                    # doctest: +SKIP
#[pyfunction]
pub(crate) fn error_rates<'py>(
    genuine: &Bound<'py, PyAny>,
    impostor: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let py = genuine.py();
    let (g, i) = (floats(genuine)?, floats(impostor)?);
    let r: ErrorRates = detach(py, move || ErrorRates::compute(&g, &i))?;
    let d = PyDict::new(py);
    d.set_item("genuine", r.genuine)?;
    d.set_item("impostor", r.impostor)?;
    d.set_item("eer", r.eer)?;
    d.set_item("eer_low", r.eer_low)?;
    d.set_item("eer_high", r.eer_high)?;
    d.set_item("eer_threshold", r.eer_threshold)?;
    d.set_item("fnmr_at_fmr_1_percent", r.fnmr_at_fmr_1_percent)?;
    d.set_item("fmr_1_percent_threshold", r.fmr_1_percent_threshold)?;
    d.set_item("fnmr_at_fmr_0_1_percent", r.fnmr_at_fmr_0_1_percent)?;
    d.set_item("fmr_0_1_percent_threshold", r.fmr_0_1_percent_threshold)?;
    d.set_item("zero_fmr", r.zero_fmr)?;
    d.set_item("zero_fmr_threshold", r.zero_fmr_threshold)?;
    Ok(d)
}

/// The two float64 arrays of an error-versus-reject curve.
type Pair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// Arrays of a curve.
type Curve<'py, A, B, C> = (
    Bound<'py, PyArray1<A>>,
    Bound<'py, PyArray1<B>>,
    Bound<'py, PyArray1<C>>,
);

/// The DET curve: ``(thresholds, fmr, fnmr)`` arrays (float32, float64, float64), one
/// point per distinct score, thresholds ascending.
#[pyfunction]
pub(crate) fn det_curve<'py>(
    genuine: &Bound<'py, PyAny>,
    impostor: &Bound<'py, PyAny>,
) -> PyResult<Curve<'py, f32, f64, f64>> {
    let py = genuine.py();
    let (g, i) = (floats(genuine)?, floats(impostor)?);
    let points = detach(py, move || evaluation::det_curve(&g, &i))?;
    Ok((
        PyArray1::from_iter(py, points.iter().map(|p| p.threshold)),
        PyArray1::from_iter(py, points.iter().map(|p| p.fmr)),
        PyArray1::from_iter(py, points.iter().map(|p| p.fnmr)),
    ))
}

/// The lowest score threshold whose false match rate over ``impostor`` is at most ``fmr``.
#[pyfunction]
pub(crate) fn threshold_at_fmr(impostor: &Bound<'_, PyAny>, fmr: f64) -> PyResult<f32> {
    let i = floats(impostor)?;
    detach(impostor.py(), move || evaluation::threshold_at_fmr(&i, fmr))
}

/// The error-versus-reject curve of a quality measure: for each fraction of the
/// lowest-quality genuine comparisons rejected, the FNMR at ``threshold`` of the rest.
/// ``quality`` holds one value per genuine score (e.g. the lower quality of the two
/// images). Returns ``(rejected, fnmr)`` float64 arrays.
#[pyfunction]
pub(crate) fn error_reject_curve<'py>(
    genuine: &Bound<'py, PyAny>,
    quality: &Bound<'py, PyAny>,
    threshold: f32,
    fractions: Vec<f64>,
) -> PyResult<Pair<'py>> {
    let py = genuine.py();
    let (g, q) = (floats(genuine)?, floats(quality)?);
    let points = detach(py, move || {
        evaluation::error_reject_curve(&g, &q, threshold, &fractions)
    })?;
    Ok((
        PyArray1::from_iter(py, points.iter().map(|p| p.rejected)),
        PyArray1::from_iter(py, points.iter().map(|p| p.fnmr)),
    ))
}

/// The comparisons of an FVC protocol (``"fvc"`` or ``"all-pairs"``) over samples given
/// as ``(finger, impression)`` pairs: ``(probe, gallery, genuine)`` arrays of indices into
/// ``samples`` and booleans.
#[pyfunction]
#[pyo3(signature = (samples, protocol="fvc"))]
pub(crate) fn fvc_pairs<'py>(
    py: Python<'py>,
    samples: Vec<(u32, u32)>,
    protocol: &str,
) -> PyResult<Curve<'py, u64, u64, bool>> {
    let p: Protocol = check(py, protocol.parse())?;
    let pairs = detach(py, move || evaluation::pairs(p, &samples))?;
    Ok((
        PyArray1::from_iter(py, pairs.iter().map(|x| x.probe as u64)),
        PyArray1::from_iter(py, pairs.iter().map(|x| x.gallery as u64)),
        PyArray1::from_iter(py, pairs.iter().map(|x| x.genuine)),
    ))
}
