//! Minutiae extraction, templates in the interchange formats, matching, image decoding.

use galton::template::{FingerPosition, Minutia, MinutiaKind, Template, TemplateFormat};
use galton::{fingerprint, matcher};
use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::input::{core_error, invalid, options, to_js, ImageInput};
use crate::quality::fingerprint_image;

/// A minutia as JavaScript sees it (the core's fields, kind as a lowercase word).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsMinutia {
    x: f32,
    y: f32,
    direction: f32,
    kind: MinutiaKind,
    quality: u8,
}

/// A template as JavaScript sees it: the finger as its name.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsTemplate {
    width: u32,
    height: u32,
    ppi: f32,
    #[serde(default)]
    finger: Option<String>,
    #[serde(default)]
    quality: Option<u8>,
    minutiae: Vec<JsMinutia>,
}

impl From<&Template> for JsTemplate {
    fn from(t: &Template) -> Self {
        JsTemplate {
            width: t.width,
            height: t.height,
            ppi: t.ppi,
            finger: t.finger.map(|f| f.name().to_string()),
            quality: t.quality,
            minutiae: t
                .minutiae
                .iter()
                .map(|m| JsMinutia {
                    x: m.x,
                    y: m.y,
                    direction: m.direction,
                    kind: m.kind,
                    quality: m.quality,
                })
                .collect(),
        }
    }
}

impl JsTemplate {
    fn into_core(self) -> Result<Template, JsValue> {
        Ok(Template {
            width: self.width,
            height: self.height,
            ppi: self.ppi,
            finger: self
                .finger
                .map(|f| f.parse::<FingerPosition>())
                .transpose()
                .map_err(core_error)?,
            quality: self.quality,
            minutiae: self
                .minutiae
                .into_iter()
                .map(|m| Minutia {
                    x: m.x,
                    y: m.y,
                    direction: m.direction,
                    kind: m.kind,
                    quality: m.quality,
                })
                .collect(),
        })
    }
}

/// A template argument (an object as [`extract_minutiae`] returns).
fn template_arg(v: JsValue, which: &str) -> Result<Template, JsValue> {
    let t: JsTemplate = serde_wasm_bindgen::from_value(v).map_err(|e| {
        invalid(format!(
            "template {which} is not a galton template object: {e}"
        ))
    })?;
    t.into_core()
}

/// A finger given as a name or a code.
#[derive(Deserialize)]
#[serde(untagged)]
enum FingerArg {
    Name(String),
    Code(u8),
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ExtractOptions {
    ppi: Option<f32>,
    finger: Option<FingerArg>,
}

/// Extracts the minutiae of a fingerprint image: a template whose `minutiae` hold the
/// positions, directions and kinds needed to draw them over the image.
#[wasm_bindgen(js_name = extractMinutiae, unchecked_return_type = "Template")]
pub fn extract_minutiae(
    #[wasm_bindgen(unchecked_param_type = "ImageInput")] image: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts: ExtractOptions = self::options("extractMinutiae", &["ppi", "finger"], options)?;
    let img = fingerprint_image(ImageInput::from_js(&image)?, opts.ppi.unwrap_or(500.0))?;
    let mut t = fingerprint::extract(&img).map_err(core_error)?;
    t.finger = match opts.finger {
        None => None,
        Some(FingerArg::Name(n)) => Some(n.parse().map_err(core_error)?),
        Some(FingerArg::Code(c)) => Some(FingerPosition::from_code(c).map_err(core_error)?),
    };
    to_js(&JsTemplate::from(&t))
}

/// Writes a template as a record: `"iso"` (ISO/IEC 19794-2:2005), `"ansi"` (ANSI INCITS
/// 378-2004), `"galton"` (lossless) or `"json"`.
#[wasm_bindgen(js_name = encodeTemplate)]
pub fn encode_template(
    #[wasm_bindgen(unchecked_param_type = "Template")] template: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TemplateFormat")] format: &str,
) -> Result<Uint8Array, JsValue> {
    let format: TemplateFormat = format.parse().map_err(core_error)?;
    let t = template_arg(template, "to encode")?;
    let bytes = t.to_bytes(format).map_err(core_error)?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Reads a record in any of the formats (detected from its content); for a record of
/// several finger views, the first.
#[wasm_bindgen(js_name = decodeTemplate, unchecked_return_type = "Template")]
pub fn decode_template(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let t = Template::from_bytes(bytes).map_err(core_error)?;
    to_js(&JsTemplate::from(&t))
}

/// Similarity of two templates in `[0, 1]`: about 0 for different fingers. galton's
/// thresholds: 0.0271 for a false-match rate of 1%, 0.0388 for 0.1%, 0.0509 for 0.01%.
#[wasm_bindgen(js_name = matchTemplates)]
pub fn match_templates(
    #[wasm_bindgen(unchecked_param_type = "Template")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Template")] b: JsValue,
) -> Result<f32, JsValue> {
    let a = template_arg(a, "a")?;
    let b = template_arg(b, "b")?;
    Ok(matcher::compare(&a, &b))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct DecodeOptions {
    gray: bool,
}

#[derive(Serialize)]
struct Decoded {
    #[serde(with = "serde_bytes_as_array")]
    data: Vec<u8>,
    width: u32,
    height: u32,
    channels: u8,
}

/// `data` as a `Uint8Array`, not an array of numbers.
mod serde_bytes_as_array {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
}

/// Decodes an image file (PNG, JPEG, BMP, TIFF, PGM) into pixels: RGBA, or gray with
/// `{gray: true}` (the gray galton's fingerprint functions use). For Node.js, where there
/// is no canvas; in a browser, `createImageBitmap` and a canvas give `ImageData` directly.
#[wasm_bindgen(js_name = decodeImage, unchecked_return_type = "DecodedImage")]
pub fn decode_image(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_optional_param_type = "{ gray?: boolean }")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts: DecodeOptions = self::options("decodeImage", &["gray"], options)?;
    let decoded = if opts.gray {
        let img = galton::image::FingerprintImage::decode(bytes, 500.0).map_err(core_error)?;
        let (width, height) = (img.width(), img.height());
        Decoded {
            data: img.into_gray().into_raw(),
            width,
            height,
            channels: 1,
        }
    } else {
        let img = galton::quality::face::FaceImage::decode(bytes).map_err(core_error)?;
        let (width, height) = (img.width(), img.height());
        Decoded {
            data: img
                .rgb()
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            width,
            height,
            channels: 4,
        }
    };
    // json_compatible would turn the bytes into an array of numbers; the default
    // serializer makes a Uint8Array of them.
    decoded
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .map_err(|e| crate::input::error("error", e.to_string()))
}
