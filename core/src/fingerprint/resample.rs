//! Resolution normalisation: every image is resampled to the working resolution
//! ([`WORKING_PPI`](crate::image::WORKING_PPI), 500 ppi) before feature extraction, so that
//! all parameters (block size, ridge periods, filter sizes, distances) are in a single unit.
//!
//! Downsampling uses a tent (triangle) filter stretched to the sampling step, which averages
//! every source pixel (no aliasing of the ridge pattern); upsampling is bilinear. The mapping
//! keeps pixel centres aligned: working pixel `i` is centred on original coordinate
//! `(i + 0.5) · s − 0.5`, with `s` = original width / working width (≈ ppi / 500).

use image::GrayImage;

use super::plane::Plane;

/// Source taps of one output sample: first source index and normalised weights.
struct Taps {
    start: usize,
    weights: Vec<f32>,
}

/// Tap table for resampling `src_len` samples to `dst_len` samples.
fn taps(src_len: usize, dst_len: usize) -> Vec<Taps> {
    let step = src_len as f32 / dst_len as f32;
    let support = step.max(1.0);
    (0..dst_len)
        .map(|i| {
            let centre = (i as f32 + 0.5) * step - 0.5;
            let lo = ((centre - support).floor() as isize + 1).max(0) as usize;
            let hi = ((centre + support).ceil() as isize - 1).min(src_len as isize - 1) as usize;
            let mut weights: Vec<f32> = (lo..=hi)
                .map(|j| (1.0 - (j as f32 - centre).abs() / support).max(0.0))
                .collect();
            let sum: f32 = weights.iter().sum();
            if sum > 0.0 {
                weights.iter_mut().for_each(|w| *w /= sum);
            } else {
                // Degenerate (cannot happen for dst_len ≥ 1): nearest sample.
                weights = vec![1.0];
            }
            Taps { start: lo, weights }
        })
        .collect()
}

/// The image as an `f32` plane, resampled by `scale` (original pixels per working pixel).
/// Returns the plane and the exact per-axis scales used (original size / working size).
pub(crate) fn to_working(gray: &GrayImage, scale: f32) -> (Plane, f32, f32) {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let src = gray.as_raw();
    if (scale - 1.0).abs() < 1e-3 {
        let data = src.iter().map(|&v| f32::from(v)).collect();
        return (Plane { w, h, data }, 1.0, 1.0);
    }
    let ww = ((w as f32 / scale).round() as usize).max(1);
    let wh = ((h as f32 / scale).round() as usize).max(1);
    let tx = taps(w, ww);
    let ty = taps(h, wh);
    // Horizontal pass: h rows × ww columns.
    let mut rows = Plane::filled(ww, h, 0.0);
    for y in 0..h {
        let line = &src[y * w..(y + 1) * w];
        for (x, t) in tx.iter().enumerate() {
            let s: f32 = t
                .weights
                .iter()
                .zip(&line[t.start..])
                .map(|(&wt, &v)| wt * f32::from(v))
                .sum();
            rows.data[y * ww + x] = s;
        }
    }
    // Vertical pass.
    let mut out = Plane::filled(ww, wh, 0.0);
    for (y, t) in ty.iter().enumerate() {
        let dst = &mut out.data[y * ww..(y + 1) * ww];
        for (k, &wt) in t.weights.iter().enumerate() {
            let src_row = &rows.data[(t.start + k) * ww..(t.start + k + 1) * ww];
            for (d, &s) in dst.iter_mut().zip(src_row) {
                *d += wt * s;
            }
        }
    }
    (out, w as f32 / ww as f32, h as f32 / wh as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn identity_at_working_resolution() {
        let g = GrayImage::from_fn(10, 7, |x, y| Luma([(x * 20 + y) as u8]));
        let (p, sx, sy) = to_working(&g, 1.0);
        assert_eq!((p.w, p.h, sx, sy), (10, 7, 1.0, 1.0));
        assert_eq!(p.at(3, 4), 64.0);
    }

    #[test]
    fn halving_averages_and_keeps_ramps_aligned() {
        // A horizontal ramp v = 2x: after halving, working pixel i is centred on original
        // x = 2i + 0.5, so its value must be 4i + 1.
        let g = GrayImage::from_fn(40, 20, |x, _| Luma([(2 * x) as u8]));
        let (p, sx, sy) = to_working(&g, 2.0);
        assert_eq!((p.w, p.h, sx, sy), (20, 10, 2.0, 2.0));
        for i in 1..19 {
            assert!(
                (p.at(i, 5) - (4 * i + 1) as f32).abs() < 1e-3,
                "{i}: {}",
                p.at(i, 5)
            );
        }
    }

    #[test]
    fn upsampling_interpolates() {
        let g = GrayImage::from_fn(20, 20, |x, _| Luma([(10 * x) as u8]));
        let (p, sx, _) = to_working(&g, 0.5);
        assert_eq!((p.w, sx), (40, 0.5));
        // Working pixel 11 is centred on original x = 5.25 → value 52.5.
        assert!((p.at(11, 3) - 52.5).abs() < 1e-3);
    }
}
