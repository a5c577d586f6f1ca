//! # galton-wasm
//!
//! galton in the browser and in Node.js, through wasm-bindgen: the capture quality of a
//! fingerprint or a face, minutiae extraction with what is needed to draw them, ISO/ANSI
//! template export, and face-embedding comparison. Nothing leaves the device: every
//! function computes locally on the pixels it is given.
//!
//! Each function takes and returns plain JavaScript values (objects, arrays, typed arrays),
//! so results can cross a Web Worker's `postMessage` unchanged. Errors are thrown as
//! JavaScript `Error`s named `GaltonError`, with a `code` (`invalid_image`,
//! `invalid_argument`, `invalid_template`, `invalid_embedding`, `unsupported_resolution`).
//!
//! The TypeScript declarations of the inputs and results are below, in [`TYPES`]; the
//! generated `galton_wasm.d.ts` carries them.

mod input;
mod quality;
mod template;

use galton::face::FaceEmbedding;
use js_sys::Float32Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use quality::{face_quality, finger_quality};
pub use template::{
    decode_image, decode_template, encode_template, extract_minutiae, match_templates,
};

use input::{core_error, invalid};

/// The TypeScript types of the values the functions take and return.
#[wasm_bindgen(typescript_custom_section)]
pub const TYPES: &str = r#"
/** Pixels in a browser's `ImageData` layout (an `ImageData` itself qualifies): `data` holds
 * `width * height` bytes (gray), three times that (RGB) or four times (RGBA), row by row.
 * Or the bytes of an image file (PNG, JPEG, BMP, TIFF, PGM). */
export type ImageInput =
  | { data: Uint8Array | Uint8ClampedArray; width: number; height: number }
  | Uint8Array
  | ArrayBuffer;

/** The language of feedback messages: "en" or "es" (regional forms such as "es-AR" too). */
export type Lang = "en" | "es" | string;

/** One quality measure: its id, a 0–100 score, its verdict, and the raw value. */
export interface Measure { id: string; score: number; pass: boolean; value: number }

/** What to fix, as a stable code and a message in the chosen language. */
export interface Feedback { code: string; message: string }

export interface FingerQualityOptions {
  /** Resolution of the image in pixels per inch (300–1000). Default 500. */
  ppi?: number;
  /** Language of the messages. Default "en". */
  lang?: Lang;
}

export interface FingerQuality {
  kind: "finger";
  /** Overall quality, 0–100: the predicted matching utility. */
  score: number;
  /** The capture is good enough: the score reaches 35 and every measure passes. */
  pass: boolean;
  measures: Measure[];
  /** Empty when the capture passes. Codes: no_finger, too_dry, too_wet, low_contrast,
   * small_area, off_centre, smudged, too_few_minutiae, retry. */
  feedback: Feedback[];
  /** The raw features by name, `null` when no fingerprint area was found. */
  features: Record<string, number> | null;
}

export interface FaceQualityOptions {
  /** Language of the messages. Default "en". */
  lang?: Lang;
  /** Eye centres in pixels, `left` being the eye nearer the image's left edge. */
  eyes?: { left: [number, number]; right: [number, number] };
  /** The face box in pixels. Give `eyes` or `box`, not both; with neither, the centre of
   * the frame is assessed. */
  box?: { x: number; y: number; width: number; height: number };
}

export interface FaceQuality {
  kind: "face";
  /** Unified quality, 0–100: the geometric mean of the measures' scores. */
  score: number;
  /** Every measure passes. */
  pass: boolean;
  measures: Measure[];
  /** Empty when everything passes. Codes: low_resolution, too_far, too_dark, too_bright,
   * low_contrast, blurred, glare, uneven_lighting. */
  feedback: Feedback[];
  /** The pixel rectangle that was analysed. */
  region: { x: number; y: number; width: number; height: number };
  /** Whether the inter-eye distance was measured from the eyes, from the box, or assumed. */
  interEyeSource: "eyes" | "box" | "assumed";
}

/** One minutia. To draw its direction on a canvas (y down): the tip of a line of length
 * `r` is at `(x + r * Math.cos(direction), y - r * Math.sin(direction))`. */
export interface Minutia {
  /** Column, in pixels of the image. */
  x: number;
  /** Row, in pixels of the image (downwards). */
  y: number;
  /** Direction in radians, [0, 2π), counter-clockwise as seen. */
  direction: number;
  kind: "ending" | "bifurcation" | "other";
  /** Reliability, 0–100. */
  quality: number;
}

/** A fingerprint template: one finger view's minutiae and capture facts. */
export interface Template {
  width: number;
  height: number;
  ppi: number;
  /** "right-thumb" … "left-little", "unknown", or null when not known. */
  finger: string | null;
  /** Overall quality of the view, 0–100, or null. */
  quality: number | null;
  minutiae: Minutia[];
}

export interface ExtractOptions {
  /** Resolution of the image in pixels per inch (300–1000). Default 500. */
  ppi?: number;
  /** Finger position recorded in the template ("right-index", or a code 0–10). */
  finger?: string | number;
}

/** "iso" (ISO/IEC 19794-2:2005), "ansi" (ANSI INCITS 378-2004), "galton", or "json". */
export type TemplateFormat = "iso" | "ansi" | "galton" | "json";

/** A decoded image file: row-major pixels, 1 (gray) or 4 (RGBA) bytes each. */
export interface DecodedImage { data: Uint8Array; width: number; height: number; channels: 1 | 4 }
"#;

/// The version of galton compiled into this module.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Reads an embedding argument: a `Float32Array`, `Float64Array` or array of numbers.
fn embedding(v: &JsValue, which: &str) -> Result<FaceEmbedding, JsValue> {
    let values: Vec<f32> = if let Some(a) = v.dyn_ref::<Float32Array>() {
        a.to_vec()
    } else if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        a.to_vec().into_iter().map(|x| x as f32).collect()
    } else if js_sys::Array::is_array(v) {
        serde_wasm_bindgen::from_value(v.clone())
            .map_err(|e| invalid(format!("embedding {which}: {e}")))?
    } else {
        return Err(invalid(format!(
            "embedding {which} must be a Float32Array, a Float64Array or an array of numbers"
        )));
    };
    FaceEmbedding::new(values).map_err(core_error)
}

/// Cosine similarity of two face embeddings computed by the same model, in `[-1, 1]`
/// (higher is more alike). Throws for different lengths, a non-finite value or a zero
/// vector.
#[wasm_bindgen(js_name = faceSimilarity)]
pub fn face_similarity(
    #[wasm_bindgen(unchecked_param_type = "Float32Array | Float64Array | number[]")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float32Array | Float64Array | number[]")] b: JsValue,
) -> Result<f32, JsValue> {
    let (a, b) = (embedding(&a, "a")?, embedding(&b, "b")?);
    a.cosine(&b).map_err(core_error)
}
