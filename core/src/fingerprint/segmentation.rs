//! Gray normalisation and foreground segmentation.
//!
//! Each block gets its mean and standard deviation; the image is normalised pixel by pixel to
//! zero local mean and unit local contrast (the block statistics smoothed and interpolated),
//! which evens out dry, wet and low-contrast (capacitive) areas.
//!
//! A block is foreground when its contrast (standard deviation over a Gaussian window of
//! blocks) reaches a fraction of the image's strong-contrast level *and* its gradients are
//! coherent (ridges, not noise or smudge). The block mask is then closed and opened, reduced
//! to its largest 8-connected component, and its holes are filled. The pixel mask is the
//! bilinear interpolation of the block mask thresholded at ½ (a smooth outline), and a
//! chamfer distance transform gives each pixel its distance to the background or the image
//! edge.

use crate::error::{Error, Result};

use super::plane::{Grid, Plane};

/// Per-block mean and standard deviation of the gray levels.
pub(crate) fn block_stats(img: &Plane, grid: &Grid) -> (Plane, Plane) {
    let mut sum = grid.plane(0.0);
    let mut sq = grid.plane(0.0);
    let mut count = grid.plane(0.0);
    for y in 0..img.h {
        let row = (y / grid.block) * grid.bw;
        for (x, &v) in img.data[y * img.w..(y + 1) * img.w].iter().enumerate() {
            let k = row + x / grid.block;
            sum.data[k] += v;
            sq.data[k] += v * v;
            count.data[k] += 1.0;
        }
    }
    let mean = sum.zip(&count, |s, n| s / n);
    let var = sq.zip(&count, |s, n| s / n);
    let std = var.zip(&mean, |v, m| (v - m * m).max(0.0).sqrt());
    (mean, std)
}

/// The image normalised to zero local mean and unit local standard deviation; the block
/// statistics are smoothed over `sigma` blocks, and contrast below `min_std` is not
/// amplified further.
pub(crate) fn normalize(
    img: &Plane,
    grid: &Grid,
    mean: &Plane,
    std: &Plane,
    sigma: f32,
    min_std: f32,
) -> Plane {
    let mean = grid.upsample(&mean.gaussian(sigma));
    let std = grid.upsample(&std.gaussian(sigma));
    let mut out = img.clone();
    for ((o, &m), &s) in out.data.iter_mut().zip(&mean.data).zip(&std.data) {
        *o = ((*o - m) / s.max(min_std)).clamp(-4.0, 4.0);
    }
    out
}

/// The contrast of the fingerprint: the 90th percentile of the block standard deviations
/// above the sensor-noise floor (2 gray levels), so that a small print on a large empty
/// image still gets its own contrast level. 0 when no block rises above the floor.
pub(crate) fn strong_contrast(std: &Plane) -> f32 {
    let mut v: Vec<f32> = std.data.iter().copied().filter(|&s| s >= 2.0).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() * 9 / 10]
}

/// The foreground: where the fingerprint is.
#[derive(Debug, Clone)]
pub(crate) struct Segmentation {
    /// Block mask on the grid (row-major).
    pub(crate) block: Vec<bool>,
    /// Pixel mask at working resolution (row-major).
    pub(crate) pixel: Vec<bool>,
    /// Distance (working pixels) from each pixel to the nearest background pixel or the
    /// image edge; 0 in the background. Empty until [`Segmentation::measure`].
    pub(crate) distance: Vec<f32>,
}

impl Segmentation {
    /// Computes the distances to the background, once the mask is final.
    pub(crate) fn measure(mut self, grid: &Grid) -> Self {
        self.distance = distance_to_background(&self.pixel, grid.w, grid.h);
        self
    }
}

/// Parameters of [`segment`].
pub(crate) struct SegmentParams {
    pub(crate) std_fraction: f32,
    pub(crate) min_coherence: f32,
    pub(crate) min_blocks: usize,
}

/// Segments the foreground from block contrast `std` and gradient `coherence`.
pub(crate) fn segment(
    grid: &Grid,
    std: &Plane,
    coherence: &Plane,
    p: &SegmentParams,
) -> Result<Segmentation> {
    let std = std.gaussian(1.0);
    let strong = strong_contrast(&std);
    if strong < 2.0 {
        return Err(Error::InvalidImage(
            "blank or uniform image: no ridge contrast anywhere".into(),
        ));
    }
    let threshold = (p.std_fraction * strong).max(2.0);
    let mask: Vec<bool> = (0..std.data.len())
        .map(|i| std.data[i] >= threshold && coherence.data[i] >= p.min_coherence)
        .collect();
    clean_mask(grid, mask, p.min_blocks)
}

/// Removes from the foreground the blocks whose ridge clarity (smoothed over the
/// foreground) is below `min_clarity`: smudges, speckled sensor areas and striped sensor
/// artefacts have contrast and even coherence, but no clean ridge wave. If too little area
/// is left, the segmentation is kept as it was.
pub(crate) fn refine(
    grid: &Grid,
    seg: Segmentation,
    clarity: &Plane,
    min_clarity: f32,
    min_blocks: usize,
) -> Segmentation {
    let weight = Plane {
        w: grid.bw,
        h: grid.bh,
        data: seg.block.iter().map(|&f| f32::from(u8::from(f))).collect(),
    };
    let smooth = clarity.gaussian_weighted(&weight, 1.0, 0.0);
    let mask: Vec<bool> = seg
        .block
        .iter()
        .zip(&smooth.data)
        .map(|(&f, &c)| f && c >= min_clarity)
        .collect();
    clean_mask(grid, mask, min_blocks).unwrap_or(seg)
}

/// Morphological cleanup of a raw block mask (closing, opening, largest component, holes
/// filled) and the derived pixel mask.
fn clean_mask(grid: &Grid, mut mask: Vec<bool>, min_blocks: usize) -> Result<Segmentation> {
    let (bw, bh) = (grid.bw, grid.bh);
    mask = dilate(&mask, bw, bh, 2);
    mask = erode(&mask, bw, bh, 2);
    // Opening with a 7 × 7 block square (56 pixels) removes narrow protrusions (sensor
    // stripes, smears) while keeping every part of a finger, which is wider.
    mask = erode(&mask, bw, bh, 3);
    mask = dilate(&mask, bw, bh, 3);
    mask = largest_component(&mask, bw, bh);
    fill_holes(&mut mask, bw, bh);
    let blocks = mask.iter().filter(|&&m| m).count();
    if blocks < min_blocks {
        return Err(Error::InvalidImage(format!(
            "no usable fingerprint area: {blocks} foreground blocks of {}×{} pixels found, at least {min_blocks} needed",
            grid.block, grid.block
        )));
    }
    let pixel = pixel_mask(grid, &mask);
    Ok(Segmentation {
        block: mask,
        pixel,
        distance: Vec::new(),
    })
}

/// Morphological dilation with a (2r+1)² square, cells outside the grid being background.
fn dilate(mask: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    morph(mask, w, h, r, true)
}

/// Morphological erosion with a (2r+1)² square, cells outside the grid counting as
/// foreground (so the mask is not eaten from the image edge).
fn erode(mask: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    morph(mask, w, h, r, false)
}

/// A cell becomes `grow` when any cell equal to `grow` lies within its (2r+1)² square
/// (cells outside the grid ignored). The square is separable: rows, then columns.
fn morph(mask: &[bool], w: usize, h: usize, r: usize, grow: bool) -> Vec<bool> {
    let pass =
        |src: &[bool], step: usize, len: usize, lines: usize, line_step: usize| -> Vec<bool> {
            let mut out = src.to_vec();
            for l in 0..lines {
                let base = l * line_step;
                for i in 0..len {
                    let (lo, hi) = (i.saturating_sub(r), (i + r).min(len - 1));
                    if (lo..=hi).any(|j| src[base + j * step] == grow) {
                        out[base + i * step] = grow;
                    }
                }
            }
            out
        };
    let rows = pass(mask, 1, w, h, w);
    pass(&rows, w, h, w, 1)
}

/// Labels the 8-connected (or 4-connected) components of cells equal to `value`; returns
/// labels (0 = not `value`) and component sizes (index = label − 1). Works on runs of equal
/// cells with union–find, so it costs little more than one pass over the mask.
pub(crate) fn label(
    mask: &[bool],
    w: usize,
    h: usize,
    value: bool,
    eight: bool,
) -> (Vec<u32>, Vec<usize>) {
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    // Runs as (row, start, end exclusive); run k has provisional label k.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let reach = usize::from(eight);
    let mut prev = 0..0;
    for y in 0..h {
        let row = &mask[y * w..(y + 1) * w];
        let first = runs.len();
        let mut p = prev.start;
        let mut x = 0;
        while x < w {
            if row[x] != value {
                x += 1;
                continue;
            }
            let x0 = x;
            while x < w && row[x] == value {
                x += 1;
            }
            let id = runs.len() as u32;
            runs.push((y, x0, x));
            parent.push(id);
            // Previous-row runs ending too far left can never touch later runs either.
            while p < prev.end && runs[p].2 + reach <= x0 {
                p += 1;
            }
            let mut q = p;
            while q < prev.end && runs[q].1 < x + reach {
                let (a, b) = (find(&mut parent, id), find(&mut parent, q as u32));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
                q += 1;
            }
        }
        prev = first..runs.len();
    }
    let mut labels = vec![0u32; w * h];
    let mut final_label = vec![0u32; runs.len()];
    let mut sizes = Vec::new();
    for k in 0..runs.len() {
        let root = find(&mut parent, k as u32) as usize;
        if root == k {
            sizes.push(0);
            final_label[k] = sizes.len() as u32;
        } else {
            final_label[k] = final_label[root];
        }
        let (y, x0, x1) = runs[k];
        let l = final_label[k];
        sizes[l as usize - 1] += x1 - x0;
        labels[y * w + x0..y * w + x1]
            .iter_mut()
            .for_each(|v| *v = l);
    }
    (labels, sizes)
}

fn largest_component(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    let (labels, sizes) = label(mask, w, h, true, true);
    let Some(best) = (0..sizes.len()).max_by_key(|&i| sizes[i]) else {
        return mask.to_vec();
    };
    labels.iter().map(|&l| l == best as u32 + 1).collect()
}

/// Fills background regions (4-connected) that do not touch the grid edge.
fn fill_holes(mask: &mut [bool], w: usize, h: usize) {
    let (labels, sizes) = label(mask, w, h, false, false);
    let mut open = vec![false; sizes.len() + 1];
    for i in 0..w * h {
        let (x, y) = (i % w, i / w);
        if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
            open[labels[i] as usize] = true;
        }
    }
    for (m, &l) in mask.iter_mut().zip(&labels) {
        if l != 0 && !open[l as usize] {
            *m = true;
        }
    }
}

/// Pixel mask: bilinear interpolation of the block mask, thresholded at ½.
fn pixel_mask(grid: &Grid, block: &[bool]) -> Vec<bool> {
    let mut plane = grid.plane(0.0);
    for (v, &m) in plane.data.iter_mut().zip(block) {
        *v = f32::from(u8::from(m));
    }
    grid.upsample(&plane)
        .data
        .iter()
        .map(|&v| v >= 0.5)
        .collect()
}

/// Chamfer (3-4) distance from each foreground pixel to the nearest background pixel or to
/// the outside of the image, in pixels.
pub(crate) fn distance_to_background(mask: &[bool], w: usize, h: usize) -> Vec<f32> {
    const BIG: u32 = u32::MAX / 4;
    // A frame of zeros around the image stands for the outside, so the passes need no
    // bounds checks.
    let stride = w + 2;
    let mut d = vec![0u32; stride * (h + 2)];
    for y in 0..h {
        for (o, &m) in d[(y + 1) * stride + 1..][..w]
            .iter_mut()
            .zip(&mask[y * w..][..w])
        {
            *o = if m { BIG } else { 0 };
        }
    }
    for y in 1..=h {
        for i in y * stride + 1..y * stride + 1 + w {
            if d[i] != 0 {
                let m = (d[i - 1] + 3)
                    .min(d[i - stride] + 3)
                    .min(d[i - stride - 1] + 4)
                    .min(d[i - stride + 1] + 4);
                d[i] = d[i].min(m);
            }
        }
    }
    for y in (1..=h).rev() {
        for i in (y * stride + 1..y * stride + 1 + w).rev() {
            if d[i] != 0 {
                let m = (d[i + 1] + 3)
                    .min(d[i + stride] + 3)
                    .min(d[i + stride + 1] + 4)
                    .min(d[i + stride - 1] + 4);
                d[i] = d[i].min(m);
            }
        }
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 1..=h {
        out.extend(d[y * stride + 1..][..w].iter().map(|&v| v as f32 / 3.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_transform_of_a_square() {
        let (w, h) = (21, 21);
        let mask: Vec<bool> = (0..w * h)
            .map(|i| (3..18).contains(&(i % w)) && (3..18).contains(&(i / w)))
            .collect();
        let d = distance_to_background(&mask, w, h);
        assert_eq!(d[10 * w + 3], 1.0);
        assert_eq!(d[10 * w + 10], 8.0);
        assert_eq!(d[0], 0.0);
    }

    /// Reference flood fill.
    fn flood_sizes(mask: &[bool], w: usize, h: usize, value: bool, eight: bool) -> Vec<usize> {
        let mut seen = vec![false; w * h];
        let mut sizes = Vec::new();
        for s in 0..w * h {
            if seen[s] || mask[s] != value {
                continue;
            }
            let (mut stack, mut n) = (vec![s], 0);
            seen[s] = true;
            while let Some(i) = stack.pop() {
                n += 1;
                let (x, y) = ((i % w) as isize, (i / w) as isize);
                for (dx, dy) in [
                    (1, 0),
                    (-1, 0),
                    (0, 1),
                    (0, -1),
                    (1, 1),
                    (1, -1),
                    (-1, 1),
                    (-1, -1),
                ] {
                    if !eight && dx != 0 && dy != 0 {
                        continue;
                    }
                    let (xx, yy) = (x + dx, y + dy);
                    if xx >= 0 && yy >= 0 && xx < w as isize && yy < h as isize {
                        let j = yy as usize * w + xx as usize;
                        if !seen[j] && mask[j] == value {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
            }
            sizes.push(n);
        }
        sizes
    }

    #[test]
    fn run_labelling_agrees_with_flood_fill() {
        let (w, h) = (41, 37);
        let mut state = 7u32;
        let mask: Vec<bool> = (0..w * h)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) % 5 < 2
            })
            .collect();
        for value in [true, false] {
            for eight in [true, false] {
                let (labels, mut sizes) = label(&mask, w, h, value, eight);
                let mut expected = flood_sizes(&mask, w, h, value, eight);
                // Same partition: every pair of 4-neighbours agrees on "same component".
                for i in 0..w * h {
                    assert_eq!(labels[i] != 0, mask[i] == value);
                }
                sizes.sort();
                expected.sort();
                assert_eq!(sizes, expected, "value {value}, eight {eight}");
            }
        }
    }

    #[test]
    fn morphology_uses_a_square() {
        let (w, h) = (9, 7);
        let mut mask = vec![false; w * h];
        mask[3 * w + 4] = true;
        let d = dilate(&mask, w, h, 2);
        assert_eq!(d.iter().filter(|&&v| v).count(), 25);
        assert!(d[w + 2] && d[5 * w + 6] && !d[3 * w + 7] && !d[6 * w + 4]);
        assert_eq!(erode(&d, w, h, 2), mask);
        // Erosion ignores the outside: a full grid stays full.
        assert!(erode(&vec![true; w * h], w, h, 3).iter().all(|&v| v));
    }

    #[test]
    fn holes_are_filled_and_specks_dropped() {
        let (w, h) = (12, 12);
        let mut mask = vec![false; w * h];
        for y in 2..10 {
            for x in 2..10 {
                mask[y * w + x] = !(x == 5 && y == 5);
            }
        }
        mask[0] = true; // a speck in the corner
        let mut m = largest_component(&mask, w, h);
        assert!(!m[0]);
        fill_holes(&mut m, w, h);
        assert!(m[5 * w + 5]);
        assert_eq!(m.iter().filter(|&&v| v).count(), 64);
    }
}
