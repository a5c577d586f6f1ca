//! JavaScript arguments into core types: images, options, embeddings, and errors back.

use galton::quality::Locale;
use js_sys::{ArrayBuffer, Reflect, Uint8Array, Uint8ClampedArray};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// An image argument: encoded file bytes, or decoded pixels.
pub(crate) enum ImageInput {
    /// The bytes of a PNG, JPEG, BMP, TIFF or PGM file.
    Encoded(Vec<u8>),
    /// Row-major pixels, `channels` bytes each (1 gray, 3 RGB, 4 RGBA).
    Pixels {
        width: u32,
        height: u32,
        channels: u8,
        data: Vec<u8>,
    },
}

/// The error every binding throws: a JavaScript `Error` named `GaltonError`, with a
/// machine-readable `code` beside the message.
pub(crate) fn error(code: &str, message: impl AsRef<str>) -> JsValue {
    let e = js_sys::Error::new(message.as_ref());
    e.set_name("GaltonError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

/// A core error as a `GaltonError`.
pub(crate) fn core_error(e: galton::Error) -> JsValue {
    use galton::Error as E;
    let code = match &e {
        E::InvalidImage(_) => "invalid_image",
        E::UnsupportedResolution { .. } => "unsupported_resolution",
        E::InvalidTemplate { .. } => "invalid_template",
        E::InvalidEmbedding { .. } => "invalid_embedding",
        E::InvalidIndexFile(_) => "invalid_index_file",
        E::LimitExceeded { .. } => "limit_exceeded",
        E::NotFound(_) => "not_found",
        E::DuplicateId(_) => "duplicate_id",
        E::InvalidArgument(_) => "invalid_argument",
        E::Database { .. } => "database",
        E::Io { .. } => "io",
        _ => "error",
    };
    error(code, e.to_string())
}

pub(crate) fn invalid(message: impl AsRef<str>) -> JsValue {
    error("invalid_argument", message)
}

/// The bytes of a `Uint8Array`, `Uint8ClampedArray` or `ArrayBuffer`, if `v` is one.
fn bytes_of(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Some(a.to_vec())
    } else if let Some(a) = v.dyn_ref::<Uint8ClampedArray>() {
        Some(a.to_vec())
    } else {
        v.dyn_ref::<ArrayBuffer>()
            .map(|b| Uint8Array::new(b).to_vec())
    }
}

/// A whole, positive pixel count from a JavaScript number.
fn side(obj: &JsValue, key: &str) -> Result<u32, JsValue> {
    let v = Reflect::get(obj, &key.into()).map_err(|_| invalid(format!("cannot read {key}")))?;
    match v.as_f64() {
        Some(n) if n >= 1.0 && n <= u32::MAX as f64 && n.fract() == 0.0 => Ok(n as u32),
        Some(n) => Err(invalid(format!(
            "image {key} must be a whole number of pixels ≥ 1, got {n}"
        ))),
        None => Err(invalid(format!(
            "an image object needs a numeric {key} (like ImageData: {{data, width, height}})"
        ))),
    }
}

impl ImageInput {
    /// Reads an `ImageData`, a `{data, width, height}` object, or encoded file bytes.
    pub(crate) fn from_js(v: &JsValue) -> Result<ImageInput, JsValue> {
        if let Some(bytes) = bytes_of(v) {
            return Ok(ImageInput::Encoded(bytes));
        }
        if !v.is_object() {
            return Err(invalid(
                "image must be an ImageData, an object {data, width, height} or the bytes of an \
                 image file (Uint8Array)",
            ));
        }
        let width = side(v, "width")?;
        let height = side(v, "height")?;
        let data = Reflect::get(v, &"data".into()).unwrap_or(JsValue::UNDEFINED);
        let data = bytes_of(&data).ok_or_else(|| {
            invalid("image.data must be a Uint8Array or Uint8ClampedArray of pixels")
        })?;
        let pixels = width as u64 * height as u64;
        let channels = match data.len() as u64 {
            n if n == pixels => 1,
            n if n == pixels * 3 => 3,
            n if n == pixels * 4 => 4,
            n => {
                return Err(error(
                    "invalid_image",
                    format!(
                        "a {width}×{height} image has {pixels} pixels: data must hold {pixels} \
                         (gray), {} (RGB) or {} (RGBA) bytes, got {n}",
                        pixels * 3,
                        pixels * 4
                    ),
                ))
            }
        };
        Ok(ImageInput::Pixels {
            width,
            height,
            channels,
            data,
        })
    }
}

/// Options from an optional plain object. A key that is not in `known` is refused by name
/// (a misspelt `lang` would otherwise silently give English).
pub(crate) fn options<T: DeserializeOwned + Default>(
    what: &str,
    known: &[&str],
    v: Option<js_sys::Object>,
) -> Result<T, JsValue> {
    let Some(o) = v else {
        return Ok(T::default());
    };
    for key in js_sys::Object::keys(&o).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "{what} options: unknown option {key:?}, expected {}",
                known.join(", ")
            )));
        }
    }
    serde_wasm_bindgen::from_value(o.into()).map_err(|e| invalid(format!("{what} options: {e}")))
}

/// The feedback language: `"en"` (default) or `"es"`, regional forms accepted.
pub(crate) fn locale(lang: Option<&str>) -> Result<Locale, JsValue> {
    lang.unwrap_or("en").parse().map_err(core_error)
}

/// A plain JavaScript value (objects, arrays, `null` for absent) from a Rust value.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error("error", e.to_string()))
}
