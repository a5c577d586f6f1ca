//! The measures: each a raw value in a documented unit, a 0–100 score and a verdict.

use super::region::Resolved;
use super::{FaceImage, FaceQualityConfig, Side};
use crate::quality::Measure;

/// Luma below which a pixel counts as under-exposed (of 255).
pub(crate) const DARK_LEVEL: u8 = 40;
/// Luma from which a pixel counts as over-exposed (of 255).
pub(crate) const BRIGHT_LEVEL: u8 = 247;
/// Glare: lowest luma of a highlight pixel (of 255).
const GLARE_LEVEL: u8 = 235;
/// Glare: highest HSV saturation, `(max − min) / max`, of a highlight pixel.
const GLARE_MAX_SATURATION: f32 = 0.2;
/// Glare: how much brighter than its surroundings (a box 0.25 inter-eye distances wide) a
/// highlight pixel must be, in luma levels.
const GLARE_LIFT: u32 = 20;
/// Sharpness is measured with the face scaled so that the eyes are at most this many
/// pixels apart.
pub(crate) const SHARPNESS_INTER_EYE: f32 = 64.0;

/// BT.601 luma of gamma-encoded RGB, in integer arithmetic (weights 77, 150, 29 of 256).
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// Piecewise-linear score through `(zero, 0)`, `(threshold, 50)` and `(good, 100)`,
/// clamped; works for measures where higher is better (`zero < threshold < good`) and
/// where lower is better (`zero > threshold > good`).
fn ramp(v: f32, zero: f32, threshold: f32, good: f32) -> f32 {
    if !v.is_finite() {
        return 0.0;
    }
    let up = good > threshold;
    let beyond = |a: f32, b: f32| if up { a >= b } else { a <= b };
    let s = if beyond(v, good) {
        100.0
    } else if beyond(v, threshold) {
        50.0 + 50.0 * (v - threshold) / (good - threshold)
    } else if beyond(v, zero) && threshold != zero {
        50.0 * (v - zero) / (threshold - zero)
    } else {
        0.0
    };
    s.clamp(0.0, 100.0)
}

fn at_least(id: &'static str, value: f32, threshold: f32, zero: f32, good: f32) -> Measure {
    Measure {
        id,
        score: ramp(value, zero, threshold, good.max(threshold)),
        pass: value >= threshold,
        value,
    }
}

fn at_most(id: &'static str, value: f32, threshold: f32, zero: f32, good: f32) -> Measure {
    Measure {
        id,
        score: ramp(value, zero.max(threshold), threshold, good.min(threshold)),
        pass: value <= threshold,
        value,
    }
}

/// Everything [`compute`] found: the measures in their documented order, and which side of
/// the face is brighter.
pub(crate) struct Computed {
    pub measures: Vec<Measure>,
    pub brighter: Side,
}

/// Computes every measure on the resolved region of `image`.
pub(crate) fn compute(image: &FaceImage, r: &Resolved, config: &FaceQualityConfig) -> Computed {
    let (rx, ry) = (r.rect.x as usize, r.rect.y as usize);
    let (w, h) = (r.rect.width as usize, r.rect.height as usize);
    let stride = image.width() as usize * 3;
    let rgb = image.rgb();
    let n = (w * h) as f64;

    // One pass: luma, histogram, halves, glare candidates, and the integral image.
    let mut y = vec![0u8; w * h];
    let mut candidate = vec![false; w * h];
    let mut hist = [0u64; 256];
    let (mut left_sum, mut right_sum) = (0u64, 0u64);
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    let split = r.split as usize;
    for j in 0..h {
        let row = &rgb[(ry + j) * stride + rx * 3..(ry + j) * stride + (rx + w) * 3];
        let mut run = 0u64;
        for (i, p) in row.chunks_exact(3).enumerate() {
            let l = luma(p[0], p[1], p[2]);
            y[j * w + i] = l;
            hist[l as usize] += 1;
            if i < split {
                left_sum += l as u64;
            } else {
                right_sum += l as u64;
            }
            if l >= GLARE_LEVEL {
                let mx = p[0].max(p[1]).max(p[2]) as f32;
                let mn = p[0].min(p[1]).min(p[2]) as f32;
                candidate[j * w + i] = (mx - mn) <= GLARE_MAX_SATURATION * mx;
            }
            run += l as u64;
            integral[(j + 1) * (w + 1) + i + 1] = integral[j * (w + 1) + i + 1] + run;
        }
    }
    let box_sum = |x0: usize, y0: usize, x1: usize, y1: usize| -> u64 {
        integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
            - integral[y0 * (w + 1) + x1]
            - integral[y1 * (w + 1) + x0]
    };

    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as f64 * c as f64)
        .sum();
    let sum_sq: f64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| (v * v) as f64 * c as f64)
        .sum();
    let mean = sum / n / 255.0;
    let variance = (sum_sq / n / (255.0 * 255.0) - mean * mean).max(0.0);
    let under = hist[..DARK_LEVEL as usize].iter().sum::<u64>() as f64 / n;
    let over = hist[BRIGHT_LEVEL as usize..].iter().sum::<u64>() as f64 / n;
    let entropy: f64 = hist
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum::<f64>()
        + 0.0; // a single grey level gives -0.0

    // Illumination uniformity: darker half over brighter half.
    let left_n = (split * h) as f64;
    let right_n = ((w - split) * h) as f64;
    let (left_mean, right_mean) = if left_n > 0.0 && right_n > 0.0 {
        (left_sum as f64 / left_n, right_sum as f64 / right_n)
    } else {
        (1.0, 1.0)
    };
    let brightest = left_mean.max(right_mean);
    let uniformity = if brightest < 1e-9 {
        1.0
    } else {
        left_mean.min(right_mean) / brightest
    };
    // The image's left half shows the person's right side (unmirrored camera).
    let brighter = if left_mean > right_mean {
        Side::Right
    } else {
        Side::Left
    };

    // Specular glare: near-white pixels standing out from their surroundings.
    let half = ((0.125 * r.inter_eye).round() as usize).max(1);
    let mut glare = 0u64;
    for j in 0..h {
        for i in 0..w {
            if !candidate[j * w + i] {
                continue;
            }
            let (x0, x1) = (i.saturating_sub(half), (i + half + 1).min(w));
            let (y0, y1) = (j.saturating_sub(half), (j + half + 1).min(h));
            let area = ((x1 - x0) * (y1 - y0)) as u64;
            let local = box_sum(x0, y0, x1, y1);
            // Brighter than the local mean by at least GLARE_LIFT levels.
            if y[j * w + i] as u64 * area >= local + GLARE_LIFT as u64 * area {
                glare += 1;
            }
        }
    }
    let glare = glare as f64 / n;

    let sharpness = sharpness(w, h, r.inter_eye, &box_sum);

    let c = config;
    let side = image.width().min(image.height()) as f32;
    let mean = mean as f32;
    let luminance_mean = Measure {
        id: "luminance_mean",
        score: ramp(mean, 0.0, c.min_luminance_mean, 0.4).min(ramp(
            mean,
            1.0,
            c.max_luminance_mean,
            0.7,
        )),
        pass: (c.min_luminance_mean..=c.max_luminance_mean).contains(&mean),
        value: mean,
    };
    let measures = vec![
        at_least(
            "resolution",
            side,
            c.min_image_side_px,
            0.0,
            2.0 * c.min_image_side_px,
        ),
        at_least(
            "inter_eye_distance",
            r.inter_eye,
            c.min_inter_eye_px,
            0.0,
            c.min_inter_eye_px * 4.0 / 3.0,
        ),
        luminance_mean,
        at_least(
            "luminance_variance",
            variance as f32,
            c.min_luminance_variance,
            0.0,
            4.0 * c.min_luminance_variance,
        ),
        at_most(
            "under_exposure",
            under as f32,
            c.max_under_exposure,
            0.5,
            0.2 * c.max_under_exposure,
        ),
        at_most(
            "over_exposure",
            over as f32,
            c.max_over_exposure,
            0.5,
            0.2 * c.max_over_exposure,
        ),
        at_least(
            "dynamic_range",
            entropy as f32,
            c.min_dynamic_range_bits,
            0.0,
            7.0,
        ),
        at_least(
            "sharpness",
            sharpness,
            c.min_sharpness,
            0.2,
            c.min_sharpness + 0.3,
        ),
        at_least(
            "illumination_uniformity",
            uniformity as f32,
            c.min_illumination_uniformity,
            0.3,
            0.9,
        ),
        at_most(
            "specular_glare",
            glare as f32,
            c.max_specular_glare,
            0.1,
            0.2 * c.max_specular_glare,
        ),
    ];
    Computed { measures, brighter }
}

/// Ratio of mean |Laplacian| to mean |gradient| (central differences) on the face luma
/// box-averaged down so the eyes are at most [`SHARPNESS_INTER_EYE`] pixels apart. Both
/// scale with contrast, so the ratio does not; it falls as blur widens the edges. 0 when
/// the face is smaller than 3 × 3 pixels or has no gradient at all.
fn sharpness(
    w: usize,
    h: usize,
    inter_eye: f32,
    box_sum: &dyn Fn(usize, usize, usize, usize) -> u64,
) -> f32 {
    let s = (SHARPNESS_INTER_EYE / inter_eye.max(1e-3)).min(1.0);
    let ow = ((w as f32 * s).floor() as usize).max(1);
    let oh = ((h as f32 * s).floor() as usize).max(1);
    if ow < 3 || oh < 3 {
        return 0.0;
    }
    let xs: Vec<usize> = (0..=ow).map(|i| i * w / ow).collect();
    let ys: Vec<usize> = (0..=oh).map(|j| j * h / oh).collect();
    let mut c = vec![0f32; ow * oh];
    for j in 0..oh {
        for i in 0..ow {
            let area = ((xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])) as f32;
            c[j * ow + i] = box_sum(xs[i], ys[j], xs[i + 1], ys[j + 1]) as f32 / area;
        }
    }
    let (mut lap, mut grad) = (0f64, 0f64);
    for j in 1..oh - 1 {
        for i in 1..ow - 1 {
            let at = |di: isize, dj: isize| {
                c[(j as isize + dj) as usize * ow + (i as isize + di) as usize]
            };
            let centre = at(0, 0);
            let l = at(-1, 0) + at(1, 0) + at(0, -1) + at(0, 1) - 4.0 * centre;
            let gx = 0.5 * (at(1, 0) - at(-1, 0));
            let gy = 0.5 * (at(0, 1) - at(0, -1));
            lap += l.abs() as f64;
            grad += gx.hypot(gy) as f64;
        }
    }
    if grad < 1e-6 {
        0.0
    } else {
        (lap / grad) as f32
    }
}
