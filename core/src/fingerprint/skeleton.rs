//! Thinning of binary ridge images and raw minutiae detection on the skeleton.
//!
//! [`thin`] reduces ridges to 1-pixel-wide 8-connected curves by removing *simple* pixels
//! (pixels whose deletion changes neither the number of ridge components nor the number of
//! holes, Yokoi's 8-connectivity number = 1), one border direction at a time (north, south,
//! east, west) so that the skeleton stays centred. Deletions are checked one pixel at a time
//! against the current image, so topology is preserved by construction: a ridge is never
//! broken and a hole never filled. Pixels with a single ridge neighbour (ridge tips) are kept,
//! so ridges are not shortened. The result is irreducible: no staircase corners remain.
//!
//! [`trace_minutiae`] finds minutiae by the crossing number (1 = ridge ending, ≥ 3 =
//! bifurcation) and gives each an ISO/IEC 19794-2 direction by following the ridge(s):
//! an ending points back along its own ridge, a bifurcation points along the valley between
//! its two forking branches (the bisector of the two branches closest in angle).

use std::f32::consts::TAU;

use image::{GrayImage, Luma};

use crate::template::{Minutia, MinutiaKind};

/// How far (in skeleton pixels) ridges are followed to measure a minutia's direction, at
/// 500 ppi.
pub const TRACE_LENGTH: usize = 12;

/// Quality given to minutiae by [`trace_minutiae`], which does not assess reliability.
pub const RAW_QUALITY: u8 = 50;

/// Neighbour `k` of a pixel (k = 0..8) counter-clockwise as seen, starting east:
/// E, NE, N, NW, W, SW, S, SE, as (dx, dy) in pixel coordinates (y down).
pub(crate) const NEIGHBOURS: [(i32, i32); 8] = [
    (1, 0),
    (1, -1),
    (0, -1),
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

/// Crossing number of an 8-neighbour mask (bit k = neighbour k is ridge): the number of
/// background→ridge transitions going once around the pixel.
pub(crate) fn crossing_number(mask: u8) -> u32 {
    (mask & !mask.rotate_left(1)).count_ones()
}

/// Yokoi's connectivity number for 8-connected ridges; a ridge pixel is simple (deletable
/// without changing topology) exactly when it is 1.
fn yokoi8(mask: u8) -> u32 {
    let bg = |k: usize| u32::from(mask & (1 << (k % 8)) == 0);
    [0usize, 2, 4, 6]
        .iter()
        .map(|&k| bg(k) - bg(k) * bg(k + 1) * bg(k + 2))
        .sum()
}

/// For each neighbour mask: may a ridge pixel with these neighbours be deleted while
/// thinning (simple, and not a ridge tip or isolated pixel)?
fn deletable_table() -> [bool; 256] {
    let mut table = [false; 256];
    for (mask, entry) in table.iter_mut().enumerate() {
        let mask = mask as u8;
        *entry = mask.count_ones() >= 2 && yokoi8(mask) == 1;
    }
    table
}

/// A binary image with a one-pixel background frame, stored row-major as 0/1 bytes, so
/// that neighbour access never needs bounds checks.
pub(crate) struct Padded {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) stride: usize,
    pub(crate) px: Vec<u8>,
    offsets: [isize; 8],
}

impl Padded {
    pub(crate) fn from_gray(image: &GrayImage) -> Self {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let stride = width + 2;
        let mut px = vec![0u8; stride * (height + 2)];
        for (y, row) in image.as_raw().chunks_exact(width.max(1)).enumerate() {
            let out = &mut px[(y + 1) * stride + 1..(y + 1) * stride + 1 + width];
            for (o, &v) in out.iter_mut().zip(row) {
                *o = u8::from(v >= 128);
            }
        }
        Self::with_pixels(width, height, px)
    }

    /// From a row-major ridge mask of `width × height` pixels.
    pub(crate) fn from_mask(width: usize, height: usize, mask: &[bool]) -> Self {
        let stride = width + 2;
        let mut px = vec![0u8; stride * (height + 2)];
        for y in 0..height {
            for x in 0..width {
                px[(y + 1) * stride + x + 1] = u8::from(mask[y * width + x]);
            }
        }
        Self::with_pixels(width, height, px)
    }

    /// Wraps padded pixels (`(width + 2) × (height + 2)`, 1 = ridge).
    fn with_pixels(width: usize, height: usize, px: Vec<u8>) -> Self {
        let stride = width + 2;
        let s = stride as isize;
        let offsets = NEIGHBOURS.map(|(dx, dy)| dy as isize * s + dx as isize);
        Padded {
            width,
            height,
            stride,
            px,
            offsets,
        }
    }

    pub(crate) fn index(&self, x: usize, y: usize) -> usize {
        (y + 1) * self.stride + x + 1
    }

    pub(crate) fn coords(&self, i: usize) -> (usize, usize) {
        (i % self.stride - 1, i / self.stride - 1)
    }

    pub(crate) fn mask(&self, i: usize) -> u8 {
        let mut m = 0u8;
        for (k, &o) in self.offsets.iter().enumerate() {
            m |= self.px[(i as isize + o) as usize] << k;
        }
        m
    }

    pub(crate) fn neighbour(&self, i: usize, k: usize) -> usize {
        (i as isize + self.offsets[k]) as usize
    }

    pub(crate) fn to_gray(&self) -> GrayImage {
        GrayImage::from_fn(self.width as u32, self.height as u32, |x, y| {
            Luma([self.px[self.index(x as usize, y as usize)] * 255])
        })
    }
}

/// Thins a binary ridge image (ridge pixels ≥ 128, normally 255; background 0) to a
/// 1-pixel-wide, 8-connected skeleton (ridge 255, background 0) with the same topology.
pub fn thin(binary: &GrayImage) -> GrayImage {
    let mut img = Padded::from_gray(binary);
    thin_padded(&mut img);
    img.to_gray()
}

pub(crate) fn thin_padded(img: &mut Padded) {
    let deletable = deletable_table();
    let mut ridge: Vec<usize> = (0..img.px.len()).filter(|&i| img.px[i] == 1).collect();
    let mut border = Vec::with_capacity(ridge.len());
    // North, south, east, west: neighbour indices 2, 6, 0, 4.
    const DIRECTIONS: [usize; 4] = [2, 6, 0, 4];
    let mut first = true;
    loop {
        let mut changed = false;
        for &d in &DIRECTIONS {
            border.clear();
            border.extend(
                ridge
                    .iter()
                    .copied()
                    .filter(|&i| img.px[i] == 1 && img.px[img.neighbour(i, d)] == 0),
            );
            for &i in &border {
                let mask = img.mask(i);
                if deletable[mask as usize] || (first && is_bump(img, i, mask)) {
                    img.px[i] = 0;
                    changed = true;
                }
            }
        }
        first = false;
        ridge.retain(|&i| img.px[i] == 1);
        if !changed {
            break;
        }
    }
}

/// A one-pixel protrusion of the original outline: a pixel whose only ridge neighbour lies
/// inside a thick ridge (at least four ridge neighbours). Kept as a tip, it would grow into a
/// spur as the ridge is peeled, so it is deleted in the first pass; genuine tips of thin
/// ridges (whose neighbour has one or two neighbours) are kept.
fn is_bump(img: &Padded, i: usize, mask: u8) -> bool {
    mask.count_ones() == 1
        && img
            .mask(img.neighbour(i, mask.trailing_zeros() as usize))
            .count_ones()
            >= 4
}

/// A minutia as found on the skeleton, with the facts the false-minutiae filters need.
#[derive(Debug, Clone)]
pub(crate) struct RawMinutia {
    pub(crate) x: usize,
    pub(crate) y: usize,
    pub(crate) kind: MinutiaKind,
    /// ISO direction, radians in [0, 2π).
    pub(crate) direction: f32,
}

/// Follows a ridge from `start` (already one step away from the minutia) for at most `len`
/// pixels, never revisiting `visited`; stops on reaching a junction (which ends the path) or
/// a ridge tip. Returns the pixels walked, in order.
pub(crate) fn trace(
    img: &Padded,
    start: usize,
    visited: &mut Vec<usize>,
    len: usize,
) -> Vec<usize> {
    let mut path = vec![start];
    visited.push(start);
    let mut cur = start;
    while path.len() < len {
        let mask = img.mask(cur);
        if crossing_number(mask) >= 3 {
            break; // reached another junction
        }
        let mut next = None;
        let mut candidates = 0;
        let mut junction = None;
        for k in 0..8 {
            if mask & (1 << k) != 0 {
                let n = img.neighbour(cur, k);
                if !visited.contains(&n) {
                    candidates += 1;
                    if crossing_number(img.mask(n)) >= 3 {
                        junction = Some(n);
                    }
                    // Prefer 4-neighbours: they are the closer continuation.
                    if next.is_none() || k % 2 == 0 {
                        next = Some(n);
                    }
                }
            }
        }
        match junction.or(next) {
            Some(n) if candidates <= 2 || junction.is_some() => {
                visited.push(n);
                path.push(n);
                cur = n;
            }
            _ => break,
        }
    }
    path
}

/// Direction in ISO convention of the pixel vector (dx, dy) (y down), radians in [0, 2π).
pub(crate) fn iso_angle(dx: f32, dy: f32) -> f32 {
    let a = (-dy).atan2(dx);
    if a < 0.0 {
        (a + TAU) % TAU
    } else {
        a
    }
}

/// The branches leaving a skeleton pixel: for each run of consecutive ridge neighbours,
/// the longest path (at most `len` pixels) starting from one of its pixels.
pub(crate) fn branch_paths(img: &Padded, i: usize, len: usize) -> Vec<Vec<usize>> {
    let mask = img.mask(i);
    let mut base: Vec<usize> = vec![i];
    base.extend(
        (0..8)
            .filter(|k| mask & (1 << k) != 0)
            .map(|k| img.neighbour(i, k)),
    );
    let mut out = Vec::new();
    // Start of each run: a ridge neighbour whose predecessor (clockwise) is background.
    for k in 0..8usize {
        if mask & (1 << k) == 0 || mask & (1 << ((k + 7) % 8)) != 0 {
            continue;
        }
        let mut best: Option<Vec<usize>> = None;
        let mut j = k;
        while mask & (1 << (j % 8)) != 0 && j < k + 8 {
            let mut visited = base.clone();
            let path = trace(img, img.neighbour(i, j % 8), &mut visited, len);
            if best.as_ref().is_none_or(|b| path.len() > b.len()) {
                best = Some(path);
            }
            j += 1;
        }
        out.extend(best);
    }
    out
}

/// Branch vectors of a skeleton pixel: from the pixel to the end of each branch path.
fn branches(img: &Padded, i: usize, len: usize) -> Vec<(f32, f32)> {
    let (x0, y0) = img.coords(i);
    branch_paths(img, i, len)
        .iter()
        .map(|path| {
            let (x1, y1) = img.coords(*path.last().unwrap());
            (x1 as f32 - x0 as f32, y1 as f32 - y0 as f32)
        })
        .collect()
}

/// Raw minutiae of a padded skeleton, directions traced over `len` pixels.
pub(crate) fn raw_minutiae(img: &Padded, len: usize) -> Vec<RawMinutia> {
    let mut out = Vec::new();
    for i in 0..img.px.len() {
        if img.px[i] == 0 {
            continue;
        }
        let cn = crossing_number(img.mask(i));
        let kind = match cn {
            1 => MinutiaKind::Ending,
            c if c >= 3 => MinutiaKind::Bifurcation,
            _ => continue,
        };
        let b = branches(img, i, len);
        let direction = match kind {
            MinutiaKind::Ending => iso_angle(b[0].0, b[0].1),
            _ => bifurcation_direction(&b),
        };
        let (x, y) = img.coords(i);
        out.push(RawMinutia {
            x,
            y,
            kind,
            direction,
        });
    }
    out
}

/// Bisector of the two branches closest in angle: the direction of the valley between them.
fn bifurcation_direction(branches: &[(f32, f32)]) -> f32 {
    let unit: Vec<(f32, f32)> = branches
        .iter()
        .map(|&(dx, dy)| {
            let n = (dx * dx + dy * dy).sqrt().max(1e-6);
            (dx / n, dy / n)
        })
        .collect();
    let mut best = (f32::NEG_INFINITY, 0, 1);
    for a in 0..unit.len() {
        for b in a + 1..unit.len() {
            let cos = unit[a].0 * unit[b].0 + unit[a].1 * unit[b].1;
            if cos > best.0 {
                best = (cos, a, b);
            }
        }
    }
    let (_, a, b) = best;
    iso_angle(unit[a].0 + unit[b].0, unit[a].1 + unit[b].1)
}

/// Finds the ridge endings and bifurcations of a 1-pixel-wide skeleton (ridge pixels ≥ 128)
/// by the crossing number, with ISO directions measured by following the ridges
/// [`TRACE_LENGTH`] pixels. Positions are pixel indices (column, row) of the skeleton image;
/// quality is [`RAW_QUALITY`]. No false minutiae are removed.
pub fn trace_minutiae(skeleton: &GrayImage) -> Vec<Minutia> {
    let img = Padded::from_gray(skeleton);
    raw_minutiae(&img, TRACE_LENGTH)
        .into_iter()
        .map(|m| Minutia {
            x: m.x as f32,
            y: m.y as f32,
            direction: m.direction,
            kind: m.kind,
            quality: RAW_QUALITY,
        })
        .collect()
}

#[cfg(test)]
#[path = "skeleton_tests.rs"]
mod tests;
