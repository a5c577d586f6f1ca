//! The intermediate maps of an extraction, for display and diagnosis.

use image::{GrayImage, Luma};
use ndarray::Array2;

/// Intermediate results of [`extract_with_maps`](super::extract_with_maps).
///
/// ## Grids
/// Everything is computed at the *working resolution*, 500 ppi
/// ([`WORKING_PPI`](crate::image::WORKING_PPI)): the input is resampled to
/// `working_width × working_height` pixels. A working pixel `(i, j)` is centred on the
/// original coordinates `((i + 0.5)·scale_x − 0.5, (j + 0.5)·scale_y − 0.5)`, with
/// `scale_x`, `scale_y` ≈ input ppi / 500 (use [`to_original`](Self::to_original) and
/// [`to_working`](Self::to_working)).
///
/// Block maps (`foreground`, `orientation`, `coherence`, `frequency`, `clarity`) are indexed
/// `[row, column]` = `[by, bx]`; block `(bx, by)` covers working pixels
/// `bx·block_size .. (bx+1)·block_size` × `by·block_size .. (by+1)·block_size` (the last
/// row and column may be partial). Images (`mask`, `enhanced`, `binary`, `skeleton`) are at
/// working resolution.
///
/// Angles follow the template convention: radians counter-clockwise as seen, ridge
/// direction `(cos θ, −sin θ)` in pixel coordinates; orientations are modulo π.
#[derive(Debug, Clone)]
pub struct FeatureMaps {
    /// Width of the original image, in pixels.
    pub original_width: u32,
    /// Height of the original image, in pixels.
    pub original_height: u32,
    /// Width of the working image, in pixels.
    pub working_width: u32,
    /// Height of the working image, in pixels.
    pub working_height: u32,
    /// Original pixels per working pixel, horizontally.
    pub scale_x: f32,
    /// Original pixels per working pixel, vertically.
    pub scale_y: f32,
    /// Side of a block, in working pixels.
    pub block_size: u32,
    /// Foreground blocks (the fingerprint area).
    pub foreground: Array2<bool>,
    /// Ridge orientation per block, radians in `[0, π)`.
    pub orientation: Array2<f32>,
    /// Orientation coherence per block, 0 (no dominant direction) to 1 (parallel ridges).
    pub coherence: Array2<f32>,
    /// Ridge frequency per block, in ridges per working pixel (1 / ridge period); 0 in the
    /// background.
    pub frequency: Array2<f32>,
    /// Ridge clarity per block, 0–1: the share of the oriented gray-level profile (the
    /// x-signature) explained by a single sinusoid at the ridge frequency; high on clear
    /// ridges, low on noise, smudges and scars.
    pub clarity: Array2<f32>,
    /// Foreground mask at working resolution (255 = fingerprint), with a smooth outline.
    pub mask: GrayImage,
    /// Gabor-enhanced image at working resolution: dark ridges, light valleys, 128 where
    /// the filter gives no response (background).
    pub enhanced: GrayImage,
    /// Binarised ridges at working resolution (ridge 255).
    pub binary: GrayImage,
    /// Cleaned 1-pixel skeleton of the ridges at working resolution (ridge 255).
    pub skeleton: GrayImage,
}

impl FeatureMaps {
    /// Original-image coordinates of a working-resolution position.
    pub fn to_original(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x + 0.5) * self.scale_x - 0.5,
            (y + 0.5) * self.scale_y - 0.5,
        )
    }

    /// Working-resolution coordinates of an original-image position.
    pub fn to_working(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x + 0.5) / self.scale_x - 0.5,
            (y + 0.5) / self.scale_y - 0.5,
        )
    }

    /// The block `(bx, by)` holding an original-image position, if inside the image.
    pub fn block_at(&self, x: f32, y: f32) -> Option<(usize, usize)> {
        let (u, v) = self.to_working(x, y);
        let (u, v) = (u.round(), v.round());
        if u < 0.0 || v < 0.0 || u >= self.working_width as f32 || v >= self.working_height as f32 {
            return None;
        }
        let b = self.block_size as f32;
        Some(((u / b) as usize, (v / b) as usize))
    }

    /// Whether an original-image position lies in the fingerprint foreground.
    pub fn foreground_at(&self, x: f32, y: f32) -> bool {
        let (u, v) = self.to_working(x, y);
        let (u, v) = (u.round(), v.round());
        if u < 0.0 || v < 0.0 || u >= self.working_width as f32 || v >= self.working_height as f32 {
            return false;
        }
        self.mask.get_pixel(u as u32, v as u32)[0] > 0
    }

    /// Ridge orientation (radians in `[0, π)`) at an original-image position, if it lies in
    /// the foreground.
    pub fn orientation_at(&self, x: f32, y: f32) -> Option<f32> {
        let (bx, by) = self.block_at(x, y)?;
        self.foreground[[by, bx]].then(|| self.orientation[[by, bx]])
    }

    /// Ridge period at an original-image position, in original pixels, if it lies in the
    /// foreground.
    pub fn ridge_period_at(&self, x: f32, y: f32) -> Option<f32> {
        let (bx, by) = self.block_at(x, y)?;
        let f = self.frequency[[by, bx]];
        (self.foreground[[by, bx]] && f > 0.0).then(|| 0.5 * (self.scale_x + self.scale_y) / f)
    }

    /// The foreground mask at the size of the original image (255 = fingerprint), e.g. to
    /// draw the segmentation outline over the original.
    pub fn mask_image(&self) -> GrayImage {
        GrayImage::from_fn(self.original_width, self.original_height, |x, y| {
            Luma([if self.foreground_at(x as f32, y as f32) {
                255
            } else {
                0
            }])
        })
    }
}
