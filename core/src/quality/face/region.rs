//! Where the face is: a box or eye positions from the caller, or the centre of the frame.

use serde::Serialize;

use super::FaceQualityConfig;
use crate::error::{Error, Result};

/// Where the face is in the image, as told by the caller (a browser's or phone's face
/// detector, or a landmark model). Coordinates are pixels, origin at the top-left corner of
/// the top-left pixel, y down; fractional values are fine.
///
/// Without a region, [`assess`](super::assess) looks at the centre of the frame (see
/// [`FaceQualityConfig::central_region`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaceRegion {
    /// A face box. The measures are computed inside the box; the inter-eye distance is
    /// estimated as [`FaceQualityConfig::inter_eye_per_box_width`] × `width`.
    ///
    /// At least half of the box must lie inside the image (a box mostly outside is taken for
    /// a coordinate mistake); the rest is clipped.
    Box {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width (positive).
        width: f32,
        /// Height (positive).
        height: f32,
    },
    /// The centres of the two eyes, as seen in the image: `left` is the eye nearer the
    /// image's left edge (the person's right eye in an unmirrored camera image).
    ///
    /// The inter-eye distance `d` is measured, and the face region is derived from it: the
    /// axis-aligned box from `0.9·d` left of the eyes' midpoint to `0.9·d` right of it, and
    /// from `0.5·d` above the midpoint (the forehead below the hairline) to `1.6·d` below it
    /// (the chin), clipped to the image. Both eyes must be inside the image and at least one
    /// pixel apart.
    Eyes {
        /// Centre of the eye nearer the left edge of the image, `(x, y)`.
        left: (f32, f32),
        /// Centre of the eye nearer the right edge of the image, `(x, y)`.
        right: (f32, f32),
    },
}

/// How the inter-eye distance of an assessment was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InterEyeSource {
    /// Measured between the eye positions the caller gave.
    Eyes,
    /// Estimated from the width of the caller's face box.
    Box,
    /// Assumed: the face is taken to fill the central region of the frame, so the value is
    /// really a statement about the image size.
    Assumed,
}

/// The pixel rectangle an assessment looked at (after clipping to the image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PixelRect {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width in pixels (at least 1).
    pub width: u32,
    /// Height in pixels (at least 1).
    pub height: u32,
}

/// The region resolved against an image: a pixel rectangle, the inter-eye distance, and
/// the column that splits the face into the halves compared for illumination uniformity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved {
    pub rect: PixelRect,
    pub inter_eye: f32,
    pub source: InterEyeSource,
    /// Split column, relative to `rect.x`, in `0..=rect.width`.
    pub split: u32,
}

fn finite(values: &[f32], what: &str) -> Result<()> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "face region: {what} must be finite numbers, got {values:?}"
        )))
    }
}

/// Clips `[x0, x1) × [y0, y1)` to the image and rounds to whole pixels; never empty.
fn clip(x0: f32, y0: f32, x1: f32, y1: f32, w: u32, h: u32) -> PixelRect {
    let cx0 = x0.round().clamp(0.0, (w - 1) as f32) as u32;
    let cy0 = y0.round().clamp(0.0, (h - 1) as f32) as u32;
    let cx1 = (x1.round().clamp(0.0, w as f32) as u32).max(cx0 + 1);
    let cy1 = (y1.round().clamp(0.0, h as f32) as u32).max(cy0 + 1);
    PixelRect {
        x: cx0,
        y: cy0,
        width: cx1 - cx0,
        height: cy1 - cy0,
    }
}

fn split_at(rect: &PixelRect, x: f32) -> u32 {
    (x - rect.x as f32).round().clamp(0.0, rect.width as f32) as u32
}

impl FaceRegion {
    /// Checks the region against an image of `width × height` pixels and derives the
    /// analysed rectangle.
    pub(crate) fn resolve(
        &self,
        width: u32,
        height: u32,
        config: &FaceQualityConfig,
    ) -> Result<Resolved> {
        let (w, h) = (width as f32, height as f32);
        match *self {
            FaceRegion::Box {
                x,
                y,
                width: bw,
                height: bh,
            } => {
                finite(&[x, y, bw, bh], "the box's x, y, width and height")?;
                if bw <= 0.0 || bh <= 0.0 {
                    return Err(Error::InvalidArgument(format!(
                        "face box must have a positive size, got {bw}×{bh}"
                    )));
                }
                let ix = (x + bw).min(w) - x.max(0.0);
                let iy = (y + bh).min(h) - y.max(0.0);
                if ix <= 0.0 || iy <= 0.0 || ix * iy < 0.5 * bw * bh {
                    return Err(Error::InvalidArgument(format!(
                        "face box at ({x}, {y}) of {bw}×{bh} lies mostly outside the \
                         {width}×{height} image"
                    )));
                }
                let rect = clip(x, y, x + bw, y + bh, width, height);
                Ok(Resolved {
                    split: split_at(&rect, x + bw / 2.0),
                    rect,
                    inter_eye: config.inter_eye_per_box_width * bw,
                    source: InterEyeSource::Box,
                })
            }
            FaceRegion::Eyes { left, right } => {
                finite(&[left.0, left.1, right.0, right.1], "eye coordinates")?;
                for (name, (ex, ey)) in [("left", left), ("right", right)] {
                    if !(0.0..=w).contains(&ex) || !(0.0..=h).contains(&ey) {
                        return Err(Error::InvalidArgument(format!(
                            "{name} eye at ({ex}, {ey}) is outside the {width}×{height} image"
                        )));
                    }
                }
                let d = (right.0 - left.0).hypot(right.1 - left.1);
                if d < 1.0 {
                    return Err(Error::InvalidArgument(format!(
                        "the eyes at {left:?} and {right:?} are less than a pixel apart"
                    )));
                }
                let (mx, my) = ((left.0 + right.0) / 2.0, (left.1 + right.1) / 2.0);
                let rect = clip(
                    mx - 0.9 * d,
                    my - 0.5 * d,
                    mx + 0.9 * d,
                    my + 1.6 * d,
                    width,
                    height,
                );
                Ok(Resolved {
                    split: split_at(&rect, mx),
                    rect,
                    inter_eye: d,
                    source: InterEyeSource::Eyes,
                })
            }
        }
    }

    /// The central region used when the caller gives no region: centred, `central_region`
    /// × the shorter side wide and 1.25 times as tall (clipped).
    pub(crate) fn central(width: u32, height: u32, config: &FaceQualityConfig) -> Resolved {
        let (w, h) = (width as f32, height as f32);
        let cw = config.central_region * w.min(h);
        let ch = 1.25 * cw;
        let rect = clip(
            (w - cw) / 2.0,
            (h - ch) / 2.0,
            (w + cw) / 2.0,
            (h + ch) / 2.0,
            width,
            height,
        );
        Resolved {
            split: split_at(&rect, w / 2.0),
            rect,
            inter_eye: config.inter_eye_per_box_width * cw,
            source: InterEyeSource::Assumed,
        }
    }
}
