//! The extraction pipeline, stage by stage (see the module docs of
//! [`fingerprint`](super)).

use image::{GrayImage, Luma};
use ndarray::Array2;

use crate::error::{Error, Result};
use crate::image::{FingerprintImage, WORKING_PPI};
use crate::template::{Minutia, Template};

use super::cleanup::{self, CleanupParams, Context};
use super::config::ExtractorConfig;
use super::enhance::{self, BankParams, KernelBank};
use super::frequency::{self, RidgePeriod};
use super::maps::FeatureMaps;
use super::minutiae::{self, MinutiaeParams};
use super::orientation::{self, GradientSums, OrientationField};
use super::plane::{Grid, Plane};
use super::resample;
use super::segmentation::{self, SegmentParams, Segmentation};
use super::skeleton::{thin_padded, Padded};

/// Block side, in working pixels.
pub(crate) const BLOCK: usize = 8;

/// Everything computed on the way, kept for [`FeatureMaps`].
pub(crate) struct Stages {
    original: (u32, u32),
    scale: (f32, f32),
    grid: Grid,
    seg: Segmentation,
    field: OrientationField,
    period: RidgePeriod,
    enhanced: Plane,
    binary: Vec<bool>,
    skeleton: Padded,
}

struct Local<'a> {
    grid: &'a Grid,
    field: &'a OrientationField,
    period: &'a Plane,
}

impl Context for Local<'_> {
    fn orientation(&self, x: usize, y: usize) -> f32 {
        self.field.angle_at(self.grid, x as f32, y as f32)
    }
    fn period(&self, x: usize, y: usize) -> f32 {
        self.period.bilinear(
            self.grid.block_coord(x as f32),
            self.grid.block_coord(y as f32),
        )
    }
}

fn check(cfg: &ExtractorConfig) -> Result<()> {
    let ok = cfg.min_ridge_period >= 2.0
        && cfg.max_ridge_period > cfg.min_ridge_period + 1.0
        && cfg.max_ridge_period <= 40.0
        && (2..=64).contains(&cfg.gabor_orientations)
        && (2..=24).contains(&cfg.gabor_radius)
        && cfg.gabor_sigma_across > 0.0
        && cfg.gabor_sigma_along > 0.0
        && cfg.trace_length >= 2
        && cfg.orientation_min_coherence > 0.0;
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "inconsistent extractor configuration: {cfg:?}"
        )))
    }
}

/// The stages up to ridge frequency and the refined segmentation: everything the quality
/// assessment needs, and the input of the enhancement.
pub(crate) struct Front {
    pub(crate) scale: (f32, f32),
    pub(crate) grid: Grid,
    /// The working image (500 ppi), gray levels 0–255.
    pub(crate) work: Plane,
    /// Per-block gray-level standard deviation of `work`.
    pub(crate) block_std: Plane,
    /// The image normalised to zero local mean and unit local contrast.
    pub(crate) norm: Plane,
    /// Per-block squared-gradient sums of `norm`, unsmoothed.
    pub(crate) local_sums: GradientSums,
    pub(crate) seg: Segmentation,
    pub(crate) field: OrientationField,
    pub(crate) period: RidgePeriod,
}

/// Stages 1–5: resampling, normalisation, segmentation, orientation, frequency.
pub(crate) fn front(image: &FingerprintImage, cfg: &ExtractorConfig) -> Result<Front> {
    check(cfg)?;
    // 1. Resolution normalisation.
    let (work, sx, sy) = resample::to_working(image.gray(), image.ppi() / WORKING_PPI);
    if work.w < 4 * BLOCK || work.h < 4 * BLOCK {
        return Err(Error::InvalidImage(format!(
            "{}×{} pixels at {} ppi is too small for a fingerprint",
            image.width(),
            image.height(),
            image.ppi()
        )));
    }
    let grid = Grid::new(work.w, work.h, BLOCK);
    // 2. Gray normalisation.
    let (mean, std) = segmentation::block_stats(&work, &grid);
    let strong = segmentation::strong_contrast(&std);
    let norm = segmentation::normalize(&work, &grid, &mean, &std, 1.0, (0.15 * strong).max(2.0));
    // 3. Segmentation (contrast from the raw image, coherence from normalised gradients).
    let sums = orientation::gradient_sums(&norm, &grid);
    let local_coherence = orientation::coherence(&sums, 1.0);
    let seg = segmentation::segment(
        &grid,
        &std,
        &local_coherence,
        &SegmentParams {
            std_fraction: cfg.segmentation_contrast,
            min_coherence: cfg.segmentation_coherence,
            min_blocks: cfg.min_foreground_blocks,
        },
    )?;
    let weight = Plane {
        w: grid.bw,
        h: grid.bh,
        data: seg.block.iter().map(|&f| f32::from(u8::from(f))).collect(),
    };
    // 4. Orientation field, from the gradients of the slightly smoothed image: the pixel-scale
    // texture of dry (dotted) or noisy ridges would otherwise bias the squared gradients.
    let smooth_sums;
    let orientation_sums = if cfg.orientation_presmooth > 0.0 {
        smooth_sums = orientation::gradient_sums(&norm.gaussian(cfg.orientation_presmooth), &grid);
        &smooth_sums
    } else {
        &sums
    };
    let field = orientation::orientation_field(
        orientation_sums,
        &weight,
        cfg.orientation_sigma,
        cfg.orientation_sigma_coarse,
        cfg.orientation_min_coherence,
    );
    // 5. Ridge frequency.
    let period = frequency::ridge_period(
        &norm,
        &grid,
        &field,
        &seg.block,
        cfg.min_ridge_period,
        cfg.max_ridge_period,
    );
    let seg = segmentation::refine(
        &grid,
        seg,
        &period.clarity,
        cfg.segmentation_clarity,
        cfg.min_foreground_blocks,
    )
    .measure(&grid);
    Ok(Front {
        scale: (sx, sy),
        grid,
        work,
        block_std: std,
        norm,
        local_sums: sums,
        seg,
        field,
        period,
    })
}

/// The minutiae rules of the configuration.
pub(crate) fn minutiae_params(cfg: &ExtractorConfig) -> MinutiaeParams {
    MinutiaeParams {
        border: cfg.border_distance,
        trace_len: cfg.trace_length,
        gap: cfg.gap_length,
        min_distance: cfg.min_distance,
        cluster: cfg.cluster_radius,
        cluster_size: cfg.cluster_size,
    }
}

/// Runs the whole pipeline.
pub(crate) fn run(image: &FingerprintImage, cfg: &ExtractorConfig) -> Result<(Template, Stages)> {
    let Front {
        scale: (sx, sy),
        grid,
        norm,
        seg,
        field,
        period,
        ..
    } = front(image, cfg)?;
    // 6. Enhancement.
    let bank = KernelBank::cached(&BankParams {
        orientations: cfg.gabor_orientations,
        min_period: cfg.min_ridge_period,
        max_period: cfg.max_ridge_period,
        period_step: 0.5,
        sigma_across: cfg.gabor_sigma_across,
        sigma_along: cfg.gabor_sigma_along,
        radius: cfg.gabor_radius,
    });
    let enhanced = enhance::gabor(&norm, &grid, &field, &period.period, &seg.pixel, &bank);
    // 7. Binarisation.
    let binary = enhance::binarize(&enhanced, &seg.pixel, cfg.min_blob_area);
    // 8. Thinning and skeleton cleanup.
    let mut skeleton = Padded::from_mask(grid.w, grid.h, &binary);
    thin_padded(&mut skeleton);
    let ctx = Local {
        grid: &grid,
        field: &field,
        period: &period.period,
    };
    cleanup::clean(
        &mut skeleton,
        &ctx,
        &CleanupParams {
            spur: cfg.spur_length,
            island: cfg.island_length,
            bridge: cfg.bridge_length,
            lake: cfg.lake_length,
        },
    );
    // 9. Minutiae.
    let candidates = minutiae::detect(
        &skeleton,
        &seg,
        &field,
        &period,
        &grid,
        &minutiae_params(cfg),
    );
    let (w, h) = (image.width(), image.height());
    let mut list: Vec<Minutia> = candidates
        .into_iter()
        .map(|c| Minutia {
            x: ((c.x + 0.5) * sx - 0.5).clamp(0.0, (w - 1) as f32),
            y: ((c.y + 0.5) * sy - 0.5).clamp(0.0, (h - 1) as f32),
            direction: c.direction.rem_euclid(std::f32::consts::TAU),
            kind: c.kind,
            quality: (c.quality * 100.0).round().clamp(0.0, 100.0) as u8,
        })
        .filter(|m| m.quality >= cfg.min_quality)
        .collect();
    list.sort_by(|a, b| {
        b.quality
            .cmp(&a.quality)
            .then(a.y.total_cmp(&b.y))
            .then(a.x.total_cmp(&b.x))
    });
    list.truncate(cfg.max_minutiae);
    // Overall quality: how clear and coherent the foreground is.
    let (mut sum, mut n) = (0.0, 0.0);
    for (i, &f) in seg.block.iter().enumerate() {
        if f {
            sum +=
                (field.coherence.data[i] / 0.8).min(1.0) * (period.clarity.data[i] / 0.8).min(1.0);
            n += 1.0;
        }
    }
    let template = Template {
        width: w,
        height: h,
        ppi: image.ppi(),
        finger: None,
        quality: Some((100.0 * sum / f32::max(n, 1.0)).round().clamp(0.0, 100.0) as u8),
        minutiae: list,
    };
    let stages = Stages {
        original: (w, h),
        scale: (sx, sy),
        grid,
        seg,
        field,
        period,
        enhanced,
        binary,
        skeleton,
    };
    Ok((template, stages))
}

impl Stages {
    /// Converts the stages into the public maps.
    pub(crate) fn into_maps(self) -> FeatureMaps {
        let g = self.grid;
        let block = |f: &dyn Fn(usize) -> f32| {
            Array2::from_shape_fn((g.bh, g.bw), |(by, bx)| f(by * g.bw + bx))
        };
        let fg = &self.seg.block;
        let image = |f: &dyn Fn(usize) -> u8| {
            GrayImage::from_fn(g.w as u32, g.h as u32, |x, y| {
                Luma([f(y as usize * g.w + x as usize)])
            })
        };
        FeatureMaps {
            original_width: self.original.0,
            original_height: self.original.1,
            working_width: g.w as u32,
            working_height: g.h as u32,
            scale_x: self.scale.0,
            scale_y: self.scale.1,
            block_size: g.block as u32,
            foreground: Array2::from_shape_fn((g.bh, g.bw), |(by, bx)| fg[by * g.bw + bx]),
            orientation: block(&|i| {
                orientation::half_angle(self.field.cos2.data[i], self.field.sin2.data[i])
            }),
            coherence: block(&|i| self.field.coherence.data[i]),
            frequency: block(&|i| {
                if fg[i] {
                    1.0 / self.period.period.data[i]
                } else {
                    0.0
                }
            }),
            clarity: block(&|i| self.period.clarity.data[i]),
            mask: image(&|i| if self.seg.pixel[i] { 255 } else { 0 }),
            enhanced: image(&|i| (128.0 + 60.0 * self.enhanced.data[i]).clamp(0.0, 255.0) as u8),
            binary: image(&|i| if self.binary[i] { 255 } else { 0 }),
            skeleton: self.skeleton.to_gray(),
        }
    }
}
