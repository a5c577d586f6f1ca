//! Fingerprint quality features, designed from the published NFIQ 2 feature definitions
//! (ISO/IEC 29794-4:2024, NIST IR 8382) on galton's own 500 ppi segmentation, orientation
//! and frequency maps.
//!
//! Local features are computed, as in NFIQ 2, on 32 × 32-pixel blocks (at 500 ppi) that lie
//! entirely in the foreground. In each block the gray levels of the working image are
//! sampled on a window turned to the local ridge orientation (32 pixels across the ridges,
//! 16 along them) and averaged along the ridges into a profile of 32 values, the
//! x-signature. A straight line fitted to the profile separates ridge (darker) from valley
//! (lighter) positions.

use serde::Serialize;

use crate::fingerprint::pipeline::Front;
use crate::fingerprint::plane::Plane;
use crate::fingerprint::{quick, ExtractorConfig};
use crate::image::WORKING_PPI;

/// Side of a local-feature block, in working pixels (NFIQ 2's 32 at 500 ppi).
pub const LOCAL_BLOCK: usize = 32;
/// Length of the oriented window along the ridges, in working pixels.
const ALONG: usize = 16;

/// The measured features of one fingerprint image.
///
/// Areas and lengths are at 500 ppi (the image is resampled to it first), so they mean the
/// same whatever the sensor's resolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FingerFeatures {
    /// Foreground (fingerprint) area, in mm².
    pub foreground_area_mm2: f32,
    /// Offset of the foreground's centroid from the image centre, as a fraction of the half
    /// width or half height, whichever is larger: 0 centred, 1 at an edge.
    pub centre_offset: f32,
    /// Mean gray level (0–255) of the raw image in the foreground (NFIQ 2 `MU`): high on
    /// dry, light prints, low on wet, dark ones.
    pub gray_mean: f32,
    /// Median, over the foreground's 8 × 8 blocks, of the gray-level standard deviation.
    pub contrast: f32,
    /// Orientation certainty level (NFIQ 2 `OCL`), mean over local blocks: `1 − λmin/λmax`
    /// of the gradient covariance, 0 (no direction) to 1 (parallel ridges).
    pub orientation_certainty: f32,
    /// Local clarity score (NFIQ 2 `LCS`), mean over local blocks: `1 − (α + β)`, where α
    /// is the share of valley pixels darker than the ridge/valley line and β the share of
    /// ridge pixels lighter than it; 1 for a clean ridge wave, 0 for noise.
    pub local_clarity: f32,
    /// Frequency domain analysis (NFIQ 2 `FDA`), mean over local blocks: the share of the
    /// x-signature's spectrum at the dominant frequency (and 0.3 × its two neighbours).
    pub frequency_domain: f32,
    /// Mean ratio of ridge width to valley width (the runs of the x-signature below and
    /// above the line): under 1 for thin, broken ridges (dry), over 1 for thick, merged
    /// ones (wet or pressed hard).
    pub ridge_valley_ratio: f32,
    /// Ridge-valley uniformity (NFIQ 2 `RVUP`): the standard deviation of that ratio over the
    /// local blocks; low on an even print.
    pub ridge_valley_uniformity: f32,
    /// Orientation flow (NFIQ 2 `OFL`), mean over local blocks of
    /// `max(0, Δθ − 4°) / 86°`, where Δθ is the mean orientation difference to the
    /// neighbouring blocks; 0 for smooth ridge flow.
    pub orientation_flow: f32,
    /// Mean ridge-wave clarity of the 8 × 8 foreground blocks from galton's frequency
    /// estimation (share of the x-signature explained by one sinusoid), 0–1.
    pub ridge_clarity: f32,
    /// Coefficient of variation of the ridge period over the foreground blocks.
    pub period_spread: f32,
    /// Number of minutiae found by the fast detector (see below).
    pub minutiae: f32,
    /// Number of those with quality ≥ 50 (of 100).
    pub good_minutiae: f32,
    /// Number of local blocks entirely in the foreground.
    pub local_blocks: f32,
}

/// Names of the features in the order of [`FingerFeatures::to_vec`].
pub const FEATURE_NAMES: [&str; 15] = [
    "foreground_area_mm2",
    "centre_offset",
    "gray_mean",
    "contrast",
    "orientation_certainty",
    "local_clarity",
    "frequency_domain",
    "ridge_valley_ratio",
    "ridge_valley_uniformity",
    "orientation_flow",
    "ridge_clarity",
    "period_spread",
    "minutiae",
    "good_minutiae",
    "local_blocks",
];

impl FingerFeatures {
    /// The features as a vector, in the order of [`FEATURE_NAMES`].
    pub fn to_vec(&self) -> [f32; 15] {
        [
            self.foreground_area_mm2,
            self.centre_offset,
            self.gray_mean,
            self.contrast,
            self.orientation_certainty,
            self.local_clarity,
            self.frequency_domain,
            self.ridge_valley_ratio,
            self.ridge_valley_uniformity,
            self.orientation_flow,
            self.ridge_clarity,
            self.period_spread,
            self.minutiae,
            self.good_minutiae,
            self.local_blocks,
        ]
    }
}

/// What one local block measures.
struct Local {
    ocl: f32,
    lcs: f32,
    fda: f32,
    ratio: Option<f32>,
    /// Gradient angle (doubled-angle representation halved), for the flow.
    angle: f32,
}

/// Computes the features from the extraction front end.
pub(crate) fn measure(front: &Front, cfg: &ExtractorConfig) -> FingerFeatures {
    let grid = &front.grid;
    let (w, h) = (grid.w, grid.h);
    let mm_per_px = 25.4 / f64::from(WORKING_PPI);

    // Area and position.
    let (mut n, mut sx, mut sy, mut gray) = (0usize, 0.0f64, 0.0f64, 0.0f64);
    for (i, (&f, &v)) in front.seg.pixel.iter().zip(&front.work.data).enumerate() {
        if f {
            n += 1;
            sx += (i % w) as f64;
            sy += (i / w) as f64;
            gray += f64::from(v);
        }
    }
    let nf = n.max(1) as f64;
    let (cx, cy) = (sx / nf, sy / nf);
    let centre_offset = f64::max(
        (cx - (w as f64 - 1.0) / 2.0).abs() / (w as f64 / 2.0),
        (cy - (h as f64 - 1.0) / 2.0).abs() / (h as f64 / 2.0),
    ) as f32;

    // Block statistics over the 8 × 8 foreground blocks.
    let fg: Vec<usize> = (0..front.seg.block.len())
        .filter(|&i| front.seg.block[i])
        .collect();
    let mut stds: Vec<f32> = fg.iter().map(|&i| front.block_std.data[i]).collect();
    stds.sort_by(f32::total_cmp);
    let contrast = stds.get(stds.len() / 2).copied().unwrap_or(0.0);
    let ridge_clarity = mean(fg.iter().map(|&i| front.period.clarity.data[i]));
    let periods: Vec<f32> = fg.iter().map(|&i| front.period.period.data[i]).collect();
    let period_mean = mean(periods.iter().copied());
    let period_spread = if period_mean > 0.0 {
        std_dev(&periods, period_mean) / period_mean
    } else {
        0.0
    };

    // Local blocks.
    let step = LOCAL_BLOCK / grid.block;
    let (lw, lh) = (grid.bw / step, grid.bh / step);
    let twiddle = Twiddle::new();
    let mut locals: Vec<Option<Local>> = Vec::with_capacity(lw * lh);
    for ly in 0..lh {
        for lx in 0..lw {
            locals.push(local_block(front, (lx * step, ly * step), step, &twiddle));
        }
    }
    let valid: Vec<&Local> = locals.iter().flatten().collect();
    let ratios: Vec<f32> = valid.iter().filter_map(|l| l.ratio).collect();
    let ratio_mean = mean(ratios.iter().copied());
    let flow = orientation_flow(&locals, lw, lh);

    let minutiae = quick::minutiae(front, cfg);
    let good = minutiae.iter().filter(|m| m.quality >= 0.5).count();

    FingerFeatures {
        foreground_area_mm2: (n as f64 * mm_per_px * mm_per_px) as f32,
        centre_offset,
        gray_mean: (gray / nf) as f32,
        contrast,
        orientation_certainty: mean(valid.iter().map(|l| l.ocl)),
        local_clarity: mean(valid.iter().map(|l| l.lcs)),
        frequency_domain: mean(valid.iter().map(|l| l.fda)),
        ridge_valley_ratio: ratio_mean,
        ridge_valley_uniformity: std_dev(&ratios, ratio_mean),
        orientation_flow: flow,
        ridge_clarity,
        period_spread,
        minutiae: minutiae.len() as f32,
        good_minutiae: good as f32,
        local_blocks: valid.len() as f32,
    }
}

/// The local features of the `step × step` 8-pixel blocks starting at block `(bx, by)`, if
/// they all lie in the foreground.
fn local_block(
    front: &Front,
    (bx, by): (usize, usize),
    step: usize,
    twiddle: &Twiddle,
) -> Option<Local> {
    let grid = &front.grid;
    let (mut a, mut b, mut g) = (0.0f32, 0.0f32, 0.0f32);
    for y in by..by + step {
        for x in bx..bx + step {
            let i = y * grid.bw + x;
            if !front.seg.block[i] {
                return None;
            }
            a += front.local_sums.a.data[i];
            b += front.local_sums.b.data[i];
            g += front.local_sums.g.data[i];
        }
    }
    if g <= 0.0 {
        return None;
    }
    let r = a.hypot(b);
    let ocl = 2.0 * r / (g + r);
    // Gradient direction (across the ridges), in pixel coordinates.
    let angle = 0.5 * b.atan2(a);
    let (nx, ny) = (angle.cos(), angle.sin());
    let (dx, dy) = (-ny, nx);
    let size = (step * grid.block) as f32;
    let cx = (bx * grid.block) as f32 + size / 2.0 - 0.5;
    let cy = (by * grid.block) as f32 + size / 2.0 - 0.5;
    let mut samples = [[0.0f32; ALONG]; LOCAL_BLOCK];
    let mut profile = [0.0f32; LOCAL_BLOCK];
    for (u, (row, p)) in samples.iter_mut().zip(profile.iter_mut()).enumerate() {
        let su = u as f32 - (LOCAL_BLOCK as f32 - 1.0) / 2.0;
        let mut sum = 0.0;
        for (v, s) in row.iter_mut().enumerate() {
            let sv = v as f32 - (ALONG as f32 - 1.0) / 2.0;
            *s = sample(&front.work, cx + su * nx + sv * dx, cy + su * ny + sv * dy);
            sum += *s;
        }
        *p = sum / ALONG as f32;
    }
    let trend = line_fit(&profile);
    let ridge: [bool; LOCAL_BLOCK] = std::array::from_fn(|u| profile[u] < trend[u]);
    // Local clarity: misclassified pixels on either side of the line.
    let (mut ridge_n, mut ridge_light, mut valley_n, mut valley_dark) = (0, 0, 0, 0);
    for (u, row) in samples.iter().enumerate() {
        for &s in row {
            let dark = s < trend[u];
            if ridge[u] {
                ridge_n += 1;
                ridge_light += usize::from(!dark);
            } else {
                valley_n += 1;
                valley_dark += usize::from(dark);
            }
        }
    }
    let share = |k: usize, n: usize| if n == 0 { 1.0 } else { k as f32 / n as f32 };
    let lcs = (1.0 - share(valley_dark, valley_n) - share(ridge_light, ridge_n)).max(0.0);
    let detrended: [f32; LOCAL_BLOCK] = std::array::from_fn(|u| profile[u] - trend[u]);
    Some(Local {
        ocl,
        lcs,
        fda: frequency_domain(&detrended, twiddle),
        ratio: width_ratio(&ridge),
        angle,
    })
}

/// cos and sin of 2πk/32.
pub(crate) struct Twiddle {
    cos: [f32; LOCAL_BLOCK],
    sin: [f32; LOCAL_BLOCK],
}

impl Twiddle {
    fn new() -> Self {
        let angle = |k: usize| std::f32::consts::TAU * k as f32 / LOCAL_BLOCK as f32;
        Twiddle {
            cos: std::array::from_fn(|k| angle(k).cos()),
            sin: std::array::from_fn(|k| angle(k).sin()),
        }
    }
}

/// Bilinear sample of a pixel plane at pixel coordinates.
#[inline]
fn sample(plane: &Plane, x: f32, y: f32) -> f32 {
    plane.bilinear(x, y)
}

/// Least-squares straight line through the profile, evaluated at each position.
fn line_fit(p: &[f32; LOCAL_BLOCK]) -> [f32; LOCAL_BLOCK] {
    let n = LOCAL_BLOCK as f32;
    let mx = (n - 1.0) / 2.0;
    let my = p.iter().sum::<f32>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (u, &v) in p.iter().enumerate() {
        let dx = u as f32 - mx;
        sxy += dx * (v - my);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    std::array::from_fn(|u| my + slope * (u as f32 - mx))
}

/// NFIQ 2's frequency-domain measure of a detrended x-signature: amplitude at the dominant
/// frequency plus 0.3 × its two neighbours, over the sum of all amplitudes (DC excluded).
fn frequency_domain(q: &[f32; LOCAL_BLOCK], twiddle: &Twiddle) -> f32 {
    const HALF: usize = LOCAL_BLOCK / 2;
    let mut amp = [0.0f32; HALF + 1];
    for (f, a) in amp.iter_mut().enumerate().skip(1) {
        let (mut re, mut im) = (0.0f32, 0.0f32);
        for (u, &v) in q.iter().enumerate() {
            let k = (f * u) % LOCAL_BLOCK;
            re += v * twiddle.cos[k];
            im -= v * twiddle.sin[k];
        }
        *a = re.hypot(im);
    }
    let total: f32 = amp[1..].iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let peak = (1..=HALF)
        .max_by(|&i, &j| amp[i].total_cmp(&amp[j]))
        .unwrap_or(1);
    let neighbours = amp[peak - 1] * f32::from(u8::from(peak > 1))
        + if peak < HALF { amp[peak + 1] } else { 0.0 };
    ((amp[peak] + 0.3 * neighbours) / total).min(1.0)
}

/// Mean ridge run length over mean valley run length, from the interior runs of the
/// profile (the first and last runs are cut by the window).
fn width_ratio(ridge: &[bool; LOCAL_BLOCK]) -> Option<f32> {
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for &r in ridge {
        match runs.last_mut() {
            Some((kind, len)) if *kind == r => *len += 1,
            _ => runs.push((r, 1)),
        }
    }
    if runs.len() < 4 {
        return None;
    }
    let interior = &runs[1..runs.len() - 1];
    let avg = |k: bool| {
        let v: Vec<f32> = interior
            .iter()
            .filter(|r| r.0 == k)
            .map(|r| r.1 as f32)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
    };
    Some(avg(true)? / avg(false)?)
}

/// NFIQ 2's orientation flow over the grid of local blocks.
fn orientation_flow(locals: &[Option<Local>], lw: usize, lh: usize) -> f32 {
    const MIN_DEG: f32 = 4.0;
    let mut sum = 0.0;
    let mut count = 0;
    for ly in 0..lh {
        for lx in 0..lw {
            let Some(c) = &locals[ly * lw + lx] else {
                continue;
            };
            let (mut diff, mut k) = (0.0, 0);
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (x, y) = (lx as isize + dx, ly as isize + dy);
                if x < 0 || y < 0 || x >= lw as isize || y >= lh as isize {
                    continue;
                }
                if let Some(n) = &locals[y as usize * lw + x as usize] {
                    let d = (c.angle - n.angle).rem_euclid(std::f32::consts::PI);
                    diff += d.min(std::f32::consts::PI - d).to_degrees();
                    k += 1;
                }
            }
            if k > 0 {
                let mean = diff / k as f32;
                sum += ((mean - MIN_DEG) / (90.0 - MIN_DEG)).max(0.0);
                count += 1;
            }
        }
    }
    if count == 0 {
        0.0
    } else {
        sum / count as f32
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let (mut s, mut n) = (0.0f64, 0usize);
    for v in values {
        s += f64::from(v);
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        (s / n as f64) as f32
    }
}

fn std_dev(values: &[f32], mean: f32) -> f32 {
    if values.len() < 2 {
        return 0.0;
    }
    let ss: f64 = values.iter().map(|&v| f64::from(v - mean).powi(2)).sum();
    (ss / values.len() as f64).sqrt() as f32
}
