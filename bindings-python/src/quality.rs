//! Capture quality of fingerprint and face images.

use galton::quality::face::{self as fq, FaceImage, FaceQualityConfig, FaceRegion, InterEyeSource};
use galton::quality::finger::{self, FEATURE_NAMES};
use galton::quality::{Locale, Measure};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, make, type_name, ImageSource};
use crate::errors::{check, detach, invalid, wrong_type};
use crate::template::load_image;

fn measures<'py>(py: Python<'py>, ms: &[Measure]) -> PyResult<Vec<Bound<'py, PyAny>>> {
    ms.iter()
        .map(|m| make(py, "Measure", (m.id, m.score, m.pass, m.value)))
        .collect()
}

fn locale(py: Python<'_>, lang: &str) -> PyResult<Locale> {
    check(py, lang.parse::<Locale>())
}

/// The quality of a fingerprint image, in the spirit of NFIQ 2.
///
/// ``image`` as in :func:`galton.extract`; ``lang`` is ``"en"`` or ``"es"`` for the
/// messages. Returns a :class:`FingerQuality` with ``score`` (0–100), ``passed``,
/// ``measures``, ``feedback`` codes, ``messages`` and the raw ``features`` (a dict, ``None``
/// when no fingerprint was found)::
///
///     >>> q = galton.finger_quality("fixtures/synth/1_1.png")   # doctest: +SKIP
///     >>> q.passed, round(q.score)                              # doctest: +SKIP
///     (True, 61)
#[pyfunction]
#[pyo3(signature = (image, ppi=500.0, lang="en"))]
pub(crate) fn finger_quality<'py>(
    image: &Bound<'py, PyAny>,
    ppi: f32,
    lang: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = image.py();
    let loc = locale(py, lang)?;
    let img = load_image(image, ppi)?;
    let q = detach(py, move || finger::assess(&img))?;
    let features = match &q.features {
        Some(f) => {
            let d = PyDict::new(py);
            for (name, v) in FEATURE_NAMES.iter().zip(f.to_vec()) {
                d.set_item(*name, v)?;
            }
            Some(d)
        }
        None => None,
    };
    let feedback: Vec<&str> = q.feedback.iter().map(|f| f.code()).collect();
    make(
        py,
        "FingerQuality",
        (
            q.score,
            q.pass,
            measures(py, &q.measures)?,
            feedback,
            q.messages(loc),
            features,
        ),
    )
}

/// A point `(x, y)`.
fn point(obj: &Bound<'_, PyAny>) -> PyResult<(f32, f32)> {
    match obj.extract::<Vec<f32>>() {
        Ok(v) if v.len() == 2 => Ok((v[0], v[1])),
        _ => Err(wrong_type(format!(
            "an eye position is a pair (x, y), got {}",
            type_name(obj)
        ))),
    }
}

fn region(
    py: Python<'_>,
    eyes: Option<&Bound<'_, PyAny>>,
    bbox: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<FaceRegion>> {
    match (eyes, bbox) {
        (Some(_), Some(_)) => Err(invalid(py, "give the eyes or a face box, not both")),
        (Some(e), None) => {
            let (left, right) = if let Ok(d) = e.cast::<PyDict>() {
                let get = |k: &str| {
                    d.get_item(k)?
                        .ok_or_else(|| invalid(py, format!("eyes needs a {k:?} entry")))
                };
                (point(&get("left")?)?, point(&get("right")?)?)
            } else {
                let (l, r): (Bound<'_, PyAny>, Bound<'_, PyAny>) = e.extract().map_err(|_| {
                    wrong_type("eyes is ((left_x, left_y), (right_x, right_y)) or a dict with \"left\" and \"right\"")
                })?;
                (point(&l)?, point(&r)?)
            };
            Ok(Some(FaceRegion::Eyes { left, right }))
        }
        (None, Some(b)) => {
            let (x, y, width, height) = if let Ok(d) = b.cast::<PyDict>() {
                let get = |k: &str| -> PyResult<f32> {
                    d.get_item(k)?
                        .ok_or_else(|| invalid(py, format!("box needs a {k:?} entry")))?
                        .extract()
                };
                (get("x")?, get("y")?, get("width")?, get("height")?)
            } else {
                b.extract::<(f32, f32, f32, f32)>().map_err(|_| {
                    wrong_type("box is (x, y, width, height) or a dict with those keys")
                })?
            };
            Ok(Some(FaceRegion::Box {
                x,
                y,
                width,
                height,
            }))
        }
        (None, None) => Ok(None),
    }
}

/// Decodes a face image argument.
fn face_image(obj: &Bound<'_, PyAny>) -> PyResult<FaceImage> {
    let py = obj.py();
    match convert::image(obj, true)? {
        ImageSource::Path(p) => detach(py, move || FaceImage::open(&p)),
        ImageSource::Bytes(b) => detach(py, move || FaceImage::decode(&b)),
        ImageSource::Pixels {
            width,
            height,
            channels,
            data,
        } => check(
            py,
            match channels {
                1 => FaceImage::from_gray(width, height, &data),
                3 => FaceImage::from_rgb(width, height, data),
                _ => FaceImage::from_rgba(width, height, &data),
            },
        ),
    }
}

/// The quality of a face image, in the spirit of OFIQ (no neural network).
///
/// ``image`` is a path, encoded bytes, or a ``uint8`` array of shape (h, w, 3) RGB,
/// (h, w, 4) RGBA or (h, w) gray. Locate the face with ``eyes=((lx, ly), (rx, ry))`` (the
/// eye nearer the image's left edge first) or ``box=(x, y, width, height)``; without
/// either the centre of the frame is assessed. Returns a :class:`FaceQuality`::
///
///     >>> q = galton.face_quality("fixtures/face/astronaut.jpg",
///     ...                         eyes=((192.5, 225.0), (305.0, 231.2)))  # doctest: +SKIP
///     >>> q.measure("inter_eye_distance").value                          # doctest: +SKIP
///     112.6...
#[pyfunction]
#[pyo3(signature = (image, eyes=None, r#box=None, lang="en"))]
pub(crate) fn face_quality<'py>(
    image: &Bound<'py, PyAny>,
    eyes: Option<&Bound<'py, PyAny>>,
    r#box: Option<&Bound<'py, PyAny>>,
    lang: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = image.py();
    let loc = locale(py, lang)?;
    let reg = region(py, eyes, r#box)?;
    let img = face_image(image)?;
    let q = detach(py, move || {
        fq::assess(&img, reg.as_ref(), &FaceQualityConfig::default())
    })?;
    let feedback: Vec<&str> = q.feedback.iter().map(|f| f.code()).collect();
    let r = q.region;
    let source = match q.inter_eye_source {
        InterEyeSource::Eyes => "eyes",
        InterEyeSource::Box => "box",
        InterEyeSource::Assumed => "assumed",
    };
    make(
        py,
        "FaceQuality",
        (
            q.score,
            q.pass,
            measures(py, &q.measures)?,
            feedback,
            q.messages(loc),
            (r.x, r.y, r.width, r.height),
            source,
        ),
    )
}
