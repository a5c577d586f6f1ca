//! Impressions of a master: geometry, contact, skin condition, noise.
//!
//! Each impression draws from its own seed: the contact region (an irregular ellipse, larger
//! with more pressure, placed off-centre at random), the plastic distortion around the
//! contact centre, a rotation and translation ([`super::distortion`]), the skin condition and
//! the pressure. Rendering samples the master's ridge pattern through the inverse of the
//! transformation and turns it into ink with a threshold: a higher threshold (dry skin, low
//! pressure, the rim of the contact area) gives thin ridges, a lower one (wet skin, high
//! pressure) thick ridges whose valleys close up. Dry skin also breaks ridges into pieces,
//! every finger shows pores, and the border of the contact area dissolves into dots. A
//! stained, unevenly lit background and sensor noise complete the picture.
//!
//! The ground truth is the master's minutiae mapped through the same transformation, keeping
//! those well inside the contact area and the image.

use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

use super::distortion::{Distortion, Transform};
use super::field::{smoothstep, Blotches, Waves};
use super::master::{Master, MasterParams};
use super::rng::Rng;
use super::shape::Contact;
use super::SynthConfig;
use crate::template::Minutia;

/// A minutia of the master is kept in an impression only this far (pixels, master
/// coordinates) inside the contact region, where ridges are still clearly printed.
pub const CONTACT_MARGIN: f32 = 8.0;
/// … and this far inside the image.
pub const IMAGE_MARGIN: f32 = 4.0;

/// Skin condition of an impression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Normal skin.
    Good,
    /// Dry skin: thin, broken ridges.
    Dry,
    /// Wet skin: thick ridges, valleys closing.
    Wet,
}

/// Everything drawn for one impression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpressionParams {
    /// The seed the impression was drawn from.
    pub seed: u64,
    /// Master-to-image geometry.
    pub transform: Transform,
    /// Contact region, master coordinates.
    pub contact: Contact,
    /// Skin condition.
    pub condition: Condition,
    /// Finger pressure, 0 (light) to 1 (heavy).
    pub pressure: f32,
    /// Scale of sensor noise and background texture.
    pub noise: f32,
}

impl ImpressionParams {
    /// Draws the parameters of an impression of `master` from `seed`.
    pub fn sample(seed: u64, master: &MasterParams, config: &SynthConfig) -> Self {
        let mut rng = Rng::new(seed);
        let s = &master.silhouette;
        let pressure = rng.unit();
        let (lo, hi) = config.contact_scale;
        let scale = (lo + (hi - lo) * (0.5 * pressure + 0.5 * rng.unit())).min(1.2);
        let half_w = (s.left + s.right) * 0.5;
        let half_h = (s.top + s.bottom + s.band) * 0.5;
        let contact = Contact {
            cx: s.cx + rng.normal() * 0.1 * half_w,
            cy: s.cy + rng.range(0.0, 0.2) * half_h,
            a: half_w * scale * rng.range(0.95, 1.1),
            b: half_h * scale * rng.range(1.0, 1.15),
            wobble: (0..4)
                .map(|k| (rng.range(0.0, 0.05) / (k + 1) as f32, rng.range(0.0, 6.3)))
                .collect(),
        };
        let d = config.distortion;
        let shift_len = rng.range(0.0, 12.0) * d;
        let shift_dir = rng.range(0.0, std::f32::consts::TAU);
        let distortion = Distortion {
            cx: contact.cx,
            cy: contact.cy,
            close_a: contact.a * rng.range(0.25, 0.45),
            close_b: contact.b * rng.range(0.25, 0.45),
            transition: rng.range(50.0, 90.0),
            rotation_deg: (rng.normal() * 2.5).clamp(-6.0, 6.0) * d,
            shift: (shift_len * shift_dir.cos(), shift_len * shift_dir.sin()),
        };
        let max_t = config.max_translation;
        let transform = Transform {
            distortion,
            master_centre: (contact.cx, contact.cy),
            image_centre: (
                config.image_width as f32 * 0.5,
                config.image_height as f32 * 0.5,
            ),
            rotation_deg: rng.range(-1.0, 1.0) * config.max_rotation_deg,
            translation: (rng.range(-1.0, 1.0) * max_t, rng.range(-1.0, 1.0) * max_t),
        };
        let condition = match rng.weighted(&config.condition_weights) {
            0 => Condition::Good,
            1 => Condition::Dry,
            _ => Condition::Wet,
        };
        ImpressionParams {
            seed,
            transform,
            contact,
            condition,
            pressure,
            noise: config.noise,
        }
    }
}

/// One impression: the image and its ground truth.
#[derive(Debug, Clone)]
pub struct Impression {
    /// 8-bit grayscale image, ridges dark.
    pub image: GrayImage,
    /// True minutiae in image pixels.
    pub minutiae: Vec<Minutia>,
    /// What the impression was drawn from.
    pub params: ImpressionParams,
}

/// Makes the impression of `master` drawn from `seed`.
pub fn impression(master: &Master, seed: u64, config: &SynthConfig) -> Impression {
    let params = ImpressionParams::sample(seed, &master.params, config);
    render(master, params, config)
}

/// Makes the impression of `master` with explicit parameters.
pub fn render(master: &Master, params: ImpressionParams, config: &SynthConfig) -> Impression {
    let (w, h) = (config.image_width as usize, config.image_height as usize);
    let mut rng = Rng::new(super::rng::derive_seed(params.seed, 1));
    let ink = blur3(&ink_map(master, &params, w, h, &mut rng), w, h);
    let stains = Blotches::new(&mut rng, w, h, 40.0);
    let specks = Blotches::new(&mut rng, w, h, 9.0);
    let light = Waves::new(&mut rng, 2, 400.0, 900.0);
    let background = 195.0 + rng.range(-15.0, 15.0);
    let darkness = rng.range(15.0, 45.0)
        - if params.condition == Condition::Wet {
            10.0
        } else {
            0.0
        };
    let noise = params.noise;
    let mut image = GrayImage::new(w as u32, h as u32);
    for (i, (x, y, px)) in image.enumerate_pixels_mut().enumerate() {
        let (fx, fy) = (x as f32, y as f32);
        let paper = background * (1.0 + 0.05 * noise * light.at(fx, fy))
            - noise
                * (14.0 * smoothstep(0.55, 0.9, stains.at(fx, fy))
                    + 10.0 * smoothstep(0.75, 0.95, specks.at(fx, fy)));
        let v = paper - (paper - darkness) * ink[i] + noise * 6.0 * rng.normal();
        *px = Luma([v.round().clamp(0.0, 255.0) as u8]);
    }
    let minutiae = master
        .minutiae
        .iter()
        .filter(|m| params.contact.depth(m.x, m.y) >= CONTACT_MARGIN)
        .map(|m| params.transform.map_minutia(m))
        .filter(|m| {
            (IMAGE_MARGIN..w as f32 - IMAGE_MARGIN).contains(&m.x)
                && (IMAGE_MARGIN..h as f32 - IMAGE_MARGIN).contains(&m.y)
        })
        .collect();
    Impression {
        image,
        minutiae,
        params,
    }
}

/// How much ink each image pixel receives, 0 to 1.
fn ink_map(
    master: &Master,
    params: &ImpressionParams,
    w: usize,
    h: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let (mw, mh) = (master.width, master.height);
    // Skin features live in master coordinates, so they move with the skin.
    let pores = Blotches::new(rng, mw, mh, 2.2);
    let breaks = Blotches::new(rng, mw, mh, 4.0);
    let rim = Blotches::new(rng, mw, mh, 3.0);
    let patches = Blotches::new(rng, mw, mh, 14.0);
    let strength = Blotches::new(rng, mw, mh, 10.0);
    // Threshold on the ridge pattern (higher: thinner ridges), pore and break levels (lower:
    // more holes), and the depth of wet patches where valleys fill up.
    let (base_t, pore_level, break_level, wet_patch) = match params.condition {
        Condition::Good => (0.1, 0.74, 1.1, 0.0),
        Condition::Dry => (0.4, 0.68, 0.62, 0.0),
        Condition::Wet => (-0.35, 0.82, 1.1, 0.6),
    };
    let threshold = base_t - 0.25 * (params.pressure - 0.5);
    let sil = &master.params.silhouette;
    let map = InverseGrid::new(&params.transform, w, h);
    let mut ink = vec![0.0f32; w * h];
    for (i, v) in ink.iter_mut().enumerate() {
        let (mx, my) = map.at(i % w, i / w);
        let depth = params.contact.depth(mx, my).min(sil.depth(mx, my));
        if depth <= -6.0 {
            continue;
        }
        let r = bilinear(&master.ridges, mw, mh, mx, my);
        let t = threshold + 0.45 * (1.0 - smoothstep(0.0, 35.0, depth))
            - wet_patch * smoothstep(0.6, 0.8, patches.at(mx, my));
        let mut k = smoothstep(t - 0.25, t + 0.25, r);
        k *= 1.0 - smoothstep(pore_level, pore_level + 0.06, pores.at(mx, my));
        k *= 1.0 - smoothstep(break_level, break_level + 0.06, breaks.at(mx, my));
        k *= smoothstep(0.0, 1.0, (depth + 6.0 * (rim.at(mx, my) - 0.3)) / 6.0);
        k *= 0.7 + 0.3 * strength.at(mx, my);
        *v = k;
    }
    ink
}

/// 3 × 3 binomial blur (edges clamped): the optics of a sensor never give razor edges.
fn blur3(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    let at = |x: isize, y: isize| {
        src[y.clamp(0, h as isize - 1) as usize * w + x.clamp(0, w as isize - 1) as usize]
    };
    (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as isize, (i / w) as isize);
            let mut acc = 0.0;
            for (dy, wy) in [(-1, 1.0), (0, 2.0), (1, 1.0)] {
                for (dx, wx) in [(-1, 1.0), (0, 2.0), (1, 1.0)] {
                    acc += wy * wx * at(x + dx, y + dy);
                }
            }
            acc / 16.0
        })
        .collect()
}

/// Bilinear sample of a row-major field (0 outside).
fn bilinear(field: &[f32], w: usize, h: usize, x: f32, y: f32) -> f32 {
    if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
        return 0.0;
    }
    let (ix, iy) = (x as usize, y as usize);
    let (fx, fy) = (x - ix as f32, y - iy as f32);
    let i = iy * w + ix;
    let top = field[i] + (field[i + 1] - field[i]) * fx;
    let bottom = field[i + w] + (field[i + w + 1] - field[i + w]) * fx;
    top + (bottom - top) * fy
}

/// The inverse transformation sampled every [`InverseGrid::STEP`] pixels and interpolated:
/// the mapping is smooth, so this is accurate to a small fraction of a pixel and saves most
/// of the fixed-point iterations.
struct InverseGrid {
    cols: usize,
    points: Vec<(f32, f32)>,
}

impl InverseGrid {
    const STEP: usize = 4;

    fn new(t: &Transform, w: usize, h: usize) -> Self {
        let cols = w / Self::STEP + 2;
        let rows = h / Self::STEP + 2;
        let points = (0..rows * cols)
            .map(|i| {
                let x = ((i % cols) * Self::STEP) as f32;
                let y = ((i / cols) * Self::STEP) as f32;
                t.invert(x, y)
            })
            .collect();
        InverseGrid { cols, points }
    }

    fn at(&self, x: usize, y: usize) -> (f32, f32) {
        let (gx, gy) = (x / Self::STEP, y / Self::STEP);
        let fx = (x % Self::STEP) as f32 / Self::STEP as f32;
        let fy = (y % Self::STEP) as f32 / Self::STEP as f32;
        let p = |c: usize, r: usize| self.points[r * self.cols + c];
        let lerp =
            |a: (f32, f32), b: (f32, f32), t: f32| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let top = lerp(p(gx, gy), p(gx + 1, gy), fx);
        let bottom = lerp(p(gx, gy + 1), p(gx + 1, gy + 1), fx);
        lerp(top, bottom, fy)
    }
}
