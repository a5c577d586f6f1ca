//! Capture quality of fingerprint and face images.

use std::collections::BTreeMap;

use galton::image::FingerprintImage;
use galton::quality::face::{self as fq, FaceImage, FaceQualityConfig, FaceRegion, InterEyeSource};
use galton::quality::finger::{self, FEATURE_NAMES};
use galton::quality::{Locale, Measure};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::input::{core_error, invalid, locale, options, to_js, ImageInput};

/// What to fix, with its message in the chosen language.
#[derive(Serialize)]
struct Feedback {
    code: &'static str,
    message: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FingerOptions {
    ppi: Option<f32>,
    lang: Option<String>,
}

#[derive(Serialize)]
struct FingerQuality<'a> {
    kind: &'static str,
    score: f32,
    pass: bool,
    measures: &'a [Measure],
    feedback: Vec<Feedback>,
    features: Option<BTreeMap<&'static str, f32>>,
}

/// A fingerprint image from any image argument, at `ppi`.
pub(crate) fn fingerprint_image(image: ImageInput, ppi: f32) -> Result<FingerprintImage, JsValue> {
    match image {
        ImageInput::Encoded(bytes) => FingerprintImage::decode(&bytes, ppi),
        ImageInput::Pixels {
            width,
            height,
            channels,
            data,
        } => match channels {
            1 => FingerprintImage::from_raw(width, height, data, ppi),
            4 => FingerprintImage::from_rgba(width, height, data, ppi),
            _ => {
                let rgba = data
                    .chunks_exact(3)
                    .flat_map(|p| [p[0], p[1], p[2], 255])
                    .collect();
                FingerprintImage::from_rgba(width, height, rgba, ppi)
            }
        },
    }
    .map_err(core_error)
}

/// The capture quality of a fingerprint image (NFIQ 2-style features and a fitted model):
/// a 0–100 score, the verdict, each measure, and what to fix.
#[wasm_bindgen(js_name = fingerQuality, unchecked_return_type = "FingerQuality")]
pub fn finger_quality(
    #[wasm_bindgen(unchecked_param_type = "ImageInput")] image: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FingerQualityOptions")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts: FingerOptions = self::options("fingerQuality", &["ppi", "lang"], options)?;
    let loc = locale(opts.lang.as_deref())?;
    let img = fingerprint_image(ImageInput::from_js(&image)?, opts.ppi.unwrap_or(500.0))?;
    let q = finger::assess(&img).map_err(core_error)?;
    to_js(&FingerQuality {
        kind: "finger",
        score: q.score,
        pass: q.pass,
        measures: &q.measures,
        feedback: q
            .feedback
            .iter()
            .map(|f| Feedback {
                code: f.code(),
                message: f.message(loc),
            })
            .collect(),
        features: q
            .features
            .map(|f| FEATURE_NAMES.iter().copied().zip(f.to_vec()).collect()),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Eyes {
    left: (f32, f32),
    right: (f32, f32),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaceBox {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FaceOptions {
    lang: Option<String>,
    eyes: Option<Eyes>,
    #[serde(rename = "box")]
    face_box: Option<FaceBox>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaceQuality<'a> {
    kind: &'static str,
    score: f32,
    pass: bool,
    measures: &'a [Measure],
    feedback: Vec<Feedback>,
    region: fq::PixelRect,
    inter_eye_source: &'static str,
}

fn face_image(image: ImageInput) -> Result<FaceImage, JsValue> {
    match image {
        ImageInput::Encoded(bytes) => FaceImage::decode(&bytes),
        ImageInput::Pixels {
            width,
            height,
            channels,
            data,
        } => match channels {
            1 => FaceImage::from_gray(width, height, &data),
            3 => FaceImage::from_rgb(width, height, data),
            _ => FaceImage::from_rgba(width, height, &data),
        },
    }
    .map_err(core_error)
}

fn region(opts: &FaceOptions) -> Result<Option<FaceRegion>, JsValue> {
    match (&opts.eyes, &opts.face_box) {
        (Some(_), Some(_)) => Err(invalid("faceQuality options: give eyes or box, not both")),
        (Some(e), None) => Ok(Some(FaceRegion::Eyes {
            left: e.left,
            right: e.right,
        })),
        (None, Some(b)) => Ok(Some(FaceRegion::Box {
            x: b.x,
            y: b.y,
            width: b.width,
            height: b.height,
        })),
        (None, None) => Ok(None),
    }
}

fn face_feedback(q: &fq::FaceQuality, loc: Locale) -> Vec<Feedback> {
    q.feedback
        .iter()
        .map(|f| Feedback {
            code: f.code(),
            message: f.message(loc),
        })
        .collect()
}

/// The capture quality of a face image (OFIQ-style measures, no neural network): a 0–100
/// score, the verdict, each of the ten measures, and what to fix.
#[wasm_bindgen(js_name = faceQuality, unchecked_return_type = "FaceQuality")]
pub fn face_quality(
    #[wasm_bindgen(unchecked_param_type = "ImageInput")] image: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FaceQualityOptions")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts: FaceOptions = self::options("faceQuality", &["lang", "eyes", "box"], options)?;
    let loc = locale(opts.lang.as_deref())?;
    let reg = region(&opts)?;
    let img = face_image(ImageInput::from_js(&image)?)?;
    let q = fq::assess(&img, reg.as_ref(), &FaceQualityConfig::default()).map_err(core_error)?;
    to_js(&FaceQuality {
        kind: "face",
        score: q.score,
        pass: q.pass,
        measures: &q.measures,
        feedback: face_feedback(&q, loc),
        region: q.region,
        inter_eye_source: match q.inter_eye_source {
            InterEyeSource::Eyes => "eyes",
            InterEyeSource::Box => "box",
            InterEyeSource::Assumed => "assumed",
        },
    })
}
