//! JSON form of templates, for people: positions in pixels, directions in degrees.
//!
//! ```json
//! {
//!   "format": "galton-template",
//!   "version": 1,
//!   "views": [
//!     {
//!       "width": 388,
//!       "height": 374,
//!       "ppi": 500.0,
//!       "finger": "right_index",
//!       "quality": 80,
//!       "minutiae": [
//!         { "x": 120.0, "y": 200.0, "direction_deg": 45.0, "kind": "ending", "quality": 60 }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! | field | meaning |
//! |---|---|
//! | `format` | always `"galton-template"` |
//! | `version` | always 1 |
//! | `views` | the finger views, at least one |
//! | `width`, `height` | image size in pixels |
//! | `ppi` | resolution in pixels per inch, positive |
//! | `finger` | `unknown`, `right_thumb`, `right_index`, `right_middle`, `right_ring`, `right_little`, `left_thumb`, … `left_little`; `null` or absent when not given |
//! | `quality` | view quality 0–100; `null` or absent when not given |
//! | `x`, `y` | position in pixels, origin top-left, y down |
//! | `direction_deg` | direction in degrees counter-clockwise as seen, `[0, 360)`; other values are wrapped into that range when read |
//! | `kind` | `ending`, `bifurcation` or `other` |
//! | `quality` (minutia) | 0–100 |
//!
//! Unknown fields are errors. Writing and reading give back an equal template: directions
//! are written with the fewest decimals that still read back to the same `f32` radians.

use serde::{Deserialize, Serialize};

use super::reader::in_context;
use super::{normalise_direction, FingerPosition, Minutia, MinutiaKind, Template};
use crate::error::{Error, Result};
use crate::limits::{Limit, TemplateLimits};

/// Name in errors.
pub(super) const LABEL: &str = "JSON";
const FORMAT_TAG: &str = "galton-template";
const VERSION: u32 = 1;

/// Finger names, indexed by finger position code.
const FINGER_NAMES: [&str; 11] = [
    "unknown",
    "right_thumb",
    "right_index",
    "right_middle",
    "right_ring",
    "right_little",
    "left_thumb",
    "left_index",
    "left_middle",
    "left_ring",
    "left_little",
];

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    version: u32,
    views: Vec<View>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct View {
    width: u32,
    height: u32,
    ppi: f32,
    #[serde(default)]
    finger: Option<String>,
    #[serde(default)]
    quality: Option<u8>,
    minutiae: Vec<JsonMinutia>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonMinutia {
    x: f32,
    y: f32,
    direction_deg: f64,
    kind: MinutiaKind,
    quality: u8,
}

/// Writes views (already checked by `Template::check`) as a pretty-printed JSON document.
pub(super) fn encode(views: &[Template]) -> Result<Vec<u8>> {
    let document = Document {
        format: FORMAT_TAG.to_owned(),
        version: VERSION,
        views: views.iter().map(view_to_json).collect(),
    };
    serde_json::to_vec_pretty(&document).map_err(|e| Error::template(LABEL, e.to_string()))
}

fn view_to_json(view: &Template) -> View {
    View {
        width: view.width,
        height: view.height,
        ppi: view.ppi,
        finger: view
            .finger
            .map(|f| FINGER_NAMES[usize::from(f.code())].to_owned()),
        quality: view.quality,
        minutiae: view
            .minutiae
            .iter()
            .map(|m| JsonMinutia {
                x: m.x,
                y: m.y,
                direction_deg: short_degrees(m.direction),
                kind: m.kind,
                quality: m.quality,
            })
            .collect(),
    }
}

/// The direction in degrees with the fewest decimals that reads back as `radians`.
fn short_degrees(radians: f32) -> f64 {
    let exact = f64::from(radians).to_degrees();
    (0..=9)
        .map(|decimals| {
            let scale = 10f64.powi(decimals);
            (exact * scale).round() / scale
        })
        .find(|&degrees| degrees_to_radians(degrees) == radians)
        .unwrap_or(exact)
}

fn degrees_to_radians(degrees: f64) -> f32 {
    normalise_direction(degrees.to_radians())
}

/// Reads a JSON document as described above.
pub(super) fn decode(bytes: &[u8], limits: &TemplateLimits) -> Result<Vec<Template>> {
    let error = |reason: String| Error::template(LABEL, reason);
    let document: Document = serde_json::from_slice(bytes).map_err(|e| error(e.to_string()))?;
    if document.format != FORMAT_TAG {
        return Err(error(format!(
            "\"format\" is {:?}, expected {FORMAT_TAG:?}",
            document.format
        )));
    }
    if document.version != VERSION {
        return Err(error(format!(
            "unsupported version {}: this galton reads version {VERSION}",
            document.version
        )));
    }
    if document.views.is_empty() {
        return Err(error("document holds no finger views".to_owned()));
    }
    // The document is parsed already: its size, bounded by `limits.max_bytes`, bounds
    // what that cost. The counts are checked as in the binary formats.
    Limit::TemplateViews.check(document.views.len() as u64, limits.max_views as u64)?;
    for view in &document.views {
        Limit::TemplateMinutiae.check(view.minutiae.len() as u64, limits.max_minutiae as u64)?;
    }
    document
        .views
        .into_iter()
        .enumerate()
        .map(|(i, view)| {
            view_from_json(view).map_err(|e| in_context(e, format_args!("view {}", i + 1)))
        })
        .collect()
}

fn view_from_json(view: View) -> Result<Template> {
    let finger = match view.finger {
        None => None,
        Some(name) => {
            let code = FINGER_NAMES
                .iter()
                .position(|&n| n == name)
                .ok_or_else(|| {
                    Error::template(
                        LABEL,
                        format!(
                            "unknown finger {name:?}: expected one of {}",
                            FINGER_NAMES.join(", ")
                        ),
                    )
                })?;
            Some(FingerPosition::ALL[code])
        }
    };
    let template = Template {
        width: view.width,
        height: view.height,
        ppi: view.ppi,
        finger,
        quality: view.quality,
        minutiae: view
            .minutiae
            .into_iter()
            .map(|m| Minutia {
                x: m.x,
                y: m.y,
                direction: degrees_to_radians(m.direction_deg),
                kind: m.kind,
                quality: m.quality,
            })
            .collect(),
    };
    template.check(LABEL)?;
    Ok(template)
}
