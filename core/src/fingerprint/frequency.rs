//! Local ridge frequency, after Hong, Wan and Jain (1998): in an oriented window around each
//! foreground block (32 pixels across the ridges, 16 along them) the gray levels are averaged
//! along the ridge direction into an "x-signature", a sampled wave whose period is the
//! ridge period. The period is measured spectrally: the signature's Fourier power is
//! evaluated on a fine grid of candidate periods and the strongest one is kept (with
//! parabolic refinement), which tolerates noisy or missing peaks better than counting them.
//! A block is valid when the dominant sinusoid explains a sufficient share of the
//! signature's energy and its period is plausible; invalid blocks are filled by normalised
//! Gaussian interpolation from valid ones, and the map is smoothed.

use std::f32::consts::PI;

use super::orientation::OrientationField;
use super::plane::{Grid, Plane};

/// Window length across the ridges, in pixels (Hong–Wan–Jain's l = 32).
const SIGNATURE_LEN: usize = 32;
/// Spacing of the candidate periods, in pixels (refined by parabolic interpolation).
const PERIOD_STEP: f32 = 0.5;
/// Window half-length along the ridges, in pixels (w = 16).
const ALONG_HALF: isize = 8;

/// Ridge period map on the block grid, in working pixels, plus the per-block share of
/// signature energy explained by the dominant period (a clarity measure, 0–1).
pub(crate) struct RidgePeriod {
    pub(crate) period: Plane,
    pub(crate) clarity: Plane,
}

/// Measures the ridge period of the foreground blocks of the normalised image `img`.
/// Periods outside `[min_period, max_period]` are invalid.
pub(crate) fn ridge_period(
    img: &Plane,
    grid: &Grid,
    field: &OrientationField,
    foreground: &[bool],
    min_period: f32,
    max_period: f32,
) -> RidgePeriod {
    let mut period = grid.plane(0.0);
    let mut clarity = grid.plane(0.0);
    let mut valid = grid.plane(0.0);
    // Candidate periods and their Fourier tables (cos, sin per signature sample).
    let candidates: Vec<f32> = {
        let mut v = Vec::new();
        let mut t = min_period;
        while t <= max_period + 1e-3 {
            v.push(t);
            t += PERIOD_STEP;
        }
        v
    };
    let tables: Vec<(Vec<f32>, Vec<f32>)> = candidates
        .iter()
        .map(|&t| {
            (0..SIGNATURE_LEN)
                .map(|k| {
                    let a = 2.0 * PI * k as f32 / t;
                    (a.cos(), a.sin())
                })
                .unzip()
        })
        .collect();
    let mut power = vec![0.0f32; candidates.len()];
    for by in 0..grid.bh {
        for bx in 0..grid.bw {
            if !foreground[by * grid.bw + bx] {
                continue;
            }
            let Some(sig) = signature(img, grid, field, bx, by) else {
                continue;
            };
            let energy: f32 = sig.iter().map(|v| v * v).sum();
            if energy < 1e-6 {
                continue;
            }
            let dft = |k: usize| -> f32 {
                let (c, s) = &tables[k];
                let re: f32 = sig.iter().zip(c).map(|(a, b)| a * b).sum();
                let im: f32 = sig.iter().zip(s).map(|(a, b)| a * b).sum();
                re * re + im * im
            };
            // Coarse to fine: every other candidate, then the two around the best one (the
            // power spectrum of a 32-sample window is smooth at this spacing).
            power.iter_mut().for_each(|p| *p = f32::NEG_INFINITY);
            for k in (0..power.len()).step_by(2) {
                power[k] = dft(k);
            }
            let coarse = (0..power.len())
                .step_by(2)
                .max_by(|&a, &b| power[a].total_cmp(&power[b]))
                .unwrap();
            for k in [coarse.wrapping_sub(1), coarse + 1] {
                if k < power.len() {
                    power[k] = dft(k);
                }
            }
            let best = (coarse.saturating_sub(1)..(coarse + 2).min(power.len()))
                .max_by(|&a, &b| power[a].total_cmp(&power[b]))
                .unwrap();
            for k in [best.wrapping_sub(1), best + 1] {
                if k < power.len() && power[k] == f32::NEG_INFINITY {
                    power[k] = dft(k);
                }
            }
            let mut t = candidates[best];
            if best > 0 && best + 1 < power.len() {
                let (l, c, r) = (power[best - 1], power[best], power[best + 1]);
                let denom = l - 2.0 * c + r;
                if denom < 0.0 {
                    t += PERIOD_STEP * (0.5 * (l - r) / denom).clamp(-0.5, 0.5);
                }
            }
            // A pure sinusoid of amplitude A over N samples has power (N A / 2)² and energy
            // N A² / 2, so this share is 1 for a clean wave.
            let share = (2.0 * power[best] / (SIGNATURE_LEN as f32 * energy)).min(1.0);
            let i = by * grid.bw + bx;
            clarity.data[i] = share;
            if share >= 0.35 && best > 0 && best + 1 < power.len() {
                period.data[i] = t;
                valid.data[i] = share;
            }
        }
    }
    // Fill invalid foreground blocks from valid ones, widening the window until all are set.
    let mut filled = period.clone();
    let fallback = median_valid(&period, &valid).unwrap_or(0.5 * (min_period + max_period));
    let mut sigma = 1.0;
    let mut missing = true;
    while missing && sigma <= 16.0 {
        let interp = period.gaussian_weighted(&valid, sigma, 0.0);
        let support = valid.gaussian(sigma);
        missing = false;
        for (i, f) in filled.data.iter_mut().enumerate() {
            if foreground[i] && valid.data[i] == 0.0 && *f == 0.0 {
                if support.data[i] > 1e-3 {
                    *f = interp.data[i];
                } else {
                    missing = true;
                }
            }
        }
        sigma *= 2.0;
    }
    for (i, v) in filled.data.iter_mut().enumerate() {
        if *v == 0.0 || !foreground[i] {
            *v = fallback;
        }
    }
    // Smooth over the foreground only.
    let fg = Plane {
        w: grid.bw,
        h: grid.bh,
        data: foreground.iter().map(|&f| f32::from(u8::from(f))).collect(),
    };
    let smooth = filled
        .gaussian_weighted(&fg, 1.0, fallback)
        .map(|t| t.clamp(min_period, max_period));
    RidgePeriod {
        period: smooth,
        clarity,
    }
}

/// The mean-free x-signature of block (bx, by), or `None` if the window leaves the image.
fn signature(
    img: &Plane,
    grid: &Grid,
    field: &OrientationField,
    bx: usize,
    by: usize,
) -> Option<Vec<f32>> {
    let theta = field.block_angle(bx, by);
    let (cx, cy) = grid.centre(bx, by);
    let (nx, ny) = (theta.sin(), theta.cos()); // across the ridges
    let (tx, ty) = (theta.cos(), -theta.sin()); // along the ridges
    let mut sig = vec![0.0f32; SIGNATURE_LEN];
    let mut count = [0u16; SIGNATURE_LEN];
    let half = SIGNATURE_LEN as f32 / 2.0 - 0.5;
    // The window reaches at most half its length across plus its half-length along from the
    // centre; well inside the image every sample exists and needs no check.
    let reach = half + ALONG_HALF as f32 + 1.0;
    if cx >= reach
        && cy >= reach
        && cx + reach < img.w as f32 - 1.0
        && cy + reach < img.h as f32 - 1.0
    {
        let per = (-ALONG_HALF..=ALONG_HALF).step_by(2).count() as f32;
        for (k, s) in sig.iter_mut().enumerate() {
            let u = k as f32 - half;
            let mut sum = 0.0;
            for d in (-ALONG_HALF..=ALONG_HALF).step_by(2) {
                let x = cx + u * nx + d as f32 * tx;
                let y = cy + u * ny + d as f32 * ty;
                sum += img.data[(y + 0.5) as usize * img.w + (x + 0.5) as usize];
            }
            *s = sum / per;
        }
        let mean = sig.iter().sum::<f32>() / SIGNATURE_LEN as f32;
        sig.iter_mut().for_each(|s| *s -= mean);
        return Some(sig);
    }
    for (k, s) in sig.iter_mut().enumerate() {
        let u = k as f32 - half;
        for d in (-ALONG_HALF..=ALONG_HALF).step_by(2) {
            let x = cx + u * nx + d as f32 * tx;
            let y = cy + u * ny + d as f32 * ty;
            // Nearest pixel (the casts truncate, hence the + 0.5 on non-negative values).
            if x < -0.5 || y < -0.5 {
                continue;
            }
            let (xi, yi) = ((x + 0.5) as usize, (y + 0.5) as usize);
            if xi >= img.w || yi >= img.h {
                continue;
            }
            *s += img.data[yi * img.w + xi];
            count[k] += 1;
        }
    }
    if count.iter().filter(|&&c| c == 0).count() > SIGNATURE_LEN / 4 {
        return None;
    }
    for (s, &c) in sig.iter_mut().zip(&count) {
        *s = if c > 0 { *s / c as f32 } else { 0.0 };
    }
    let mean = sig.iter().sum::<f32>() / SIGNATURE_LEN as f32;
    sig.iter_mut().for_each(|s| *s -= mean);
    Some(sig)
}

fn median_valid(period: &Plane, valid: &Plane) -> Option<f32> {
    let mut v: Vec<f32> = period
        .data
        .iter()
        .zip(&valid.data)
        .filter(|(_, &w)| w > 0.0)
        .map(|(&p, _)| p)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::super::orientation::{gradient_sums, orientation_field};
    use super::*;

    #[test]
    fn sinusoid_period_is_recovered() {
        for (deg, period) in [
            (0.0f32, 9.0f32),
            (30.0, 6.5),
            (75.0, 11.0),
            (135.0, 8.0),
            (90.0, 14.0),
        ] {
            let theta = deg.to_radians();
            let mut img = Plane::filled(128, 128, 0.0);
            for y in 0..128 {
                for x in 0..128 {
                    let u = x as f32 * theta.sin() + y as f32 * theta.cos();
                    img.set(x, y, (2.0 * PI * u / period).cos());
                }
            }
            let grid = Grid::new(128, 128, 8);
            let field =
                orientation_field(&gradient_sums(&img, &grid), &grid.plane(1.0), 1.0, 3.0, 0.3);
            let fg = vec![true; grid.bw * grid.bh];
            let rp = ridge_period(&img, &grid, &field, &fg, 3.0, 20.0);
            for by in 3..grid.bh - 3 {
                for bx in 3..grid.bw - 3 {
                    let t = rp.period.at(bx, by);
                    assert!(
                        (t - period).abs() / period < 0.05,
                        "{deg}° T={period}: block ({bx},{by}) gave {t}"
                    );
                    assert!(rp.clarity.at(bx, by) > 0.8);
                }
            }
        }
    }
}
