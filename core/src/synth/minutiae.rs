//! Ground-truth minutiae of a master.
//!
//! The master's ridge pattern is binarised (ridge where the pattern is positive), thinned and
//! scanned by crossing number ([`crate::fingerprint::skeleton`]). The raw set of a clean,
//! noise-free master holds two kinds of artefacts, which are removed:
//!
//! 1. **Border minutiae**: ridges are grown a little beyond the fingertip and then cut by its
//!    outline, so endings crowd along the border. Every minutia less than [`BORDER`] pixels
//!    inside the silhouette is dropped (impressions fade there anyway).
//! 2. **Pairs closer than [`PAIR_DISTANCE`]**: a tiny spur (ending + bifurcation), a fleck of
//!    ridge (two endings), a pinhole lake (two bifurcations) or a one-pixel bridge (two
//!    bifurcations) all put two minutiae within about half a ridge period of each other; no
//!    extractor and no examiner would report them as two features. Both members of such a
//!    pair are dropped.
//!
//! What remains is certain by construction, so its quality is 100.

use image::{GrayImage, Luma};

use super::shape::Silhouette;
use crate::fingerprint::skeleton::{thin, trace_minutiae};
use crate::template::Minutia;

/// Minutiae closer than this to the silhouette border (pixels) are dropped.
pub const BORDER: f32 = 12.0;
/// Two minutiae closer than this (pixels) are both dropped.
pub const PAIR_DISTANCE: f32 = 6.0;

/// Ground-truth minutiae read from a master's ridge pattern.
pub(crate) fn ground_truth(
    ridges: &[f32],
    width: usize,
    height: usize,
    silhouette: &Silhouette,
) -> Vec<Minutia> {
    let binary = GrayImage::from_fn(width as u32, height as u32, |x, y| {
        Luma([if ridges[y as usize * width + x as usize] > 0.0 {
            255
        } else {
            0
        }])
    });
    let raw: Vec<Minutia> = trace_minutiae(&thin(&binary))
        .into_iter()
        .filter(|m| silhouette.depth(m.x, m.y) >= BORDER)
        .collect();
    let close = |a: &Minutia, b: &Minutia| {
        (a.x - b.x).powi(2) + (a.y - b.y).powi(2) < PAIR_DISTANCE * PAIR_DISTANCE
    };
    raw.iter()
        .enumerate()
        .filter(|(i, m)| {
            !raw.iter()
                .enumerate()
                .any(|(j, other)| j != *i && close(m, other))
        })
        .map(|(_, m)| Minutia { quality: 100, ..*m })
        .collect()
}
