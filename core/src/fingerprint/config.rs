//! Extraction parameters.

/// Parameters of the extractor. Lengths are in working pixels (500 ppi), whatever the
/// input resolution; factors marked "periods" multiply the local ridge period (about 9
/// pixels at 500 ppi). The defaults suit 500 ppi optical, capacitive and synthetic images
/// (tuned on FVC2002).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExtractorConfig {
    /// A block is foreground when its gray-level standard deviation reaches this fraction of
    /// the image's strong contrast (the 90th percentile over blocks).
    pub segmentation_contrast: f32,
    /// … and its gradient coherence reaches this value (0–1).
    pub segmentation_coherence: f32,
    /// After frequency estimation, foreground blocks whose ridge clarity (0–1, see
    /// [`FeatureMaps::clarity`](super::FeatureMaps::clarity)) is below this are dropped.
    pub segmentation_clarity: f32,
    /// Smallest accepted fingerprint area, in 8 × 8 blocks (default 64, i.e. 64 × 64 pixels).
    pub min_foreground_blocks: usize,
    /// Gaussian smoothing of the normalised image before its gradients are taken for the
    /// orientation field, in pixels (0 for none). Segmentation uses the raw gradients.
    pub orientation_presmooth: f32,
    /// Gaussian smoothing of the orientation field, in blocks (fine scale).
    pub orientation_sigma: f32,
    /// Coarse smoothing, in blocks, used where the fine field is incoherent.
    pub orientation_sigma_coarse: f32,
    /// Fine coherence below which the coarse field takes over progressively.
    pub orientation_min_coherence: f32,
    /// Shortest plausible ridge period, in pixels.
    pub min_ridge_period: f32,
    /// Longest plausible ridge period, in pixels.
    pub max_ridge_period: f32,
    /// Number of quantised Gabor orientations over π.
    pub gabor_orientations: usize,
    /// Gabor envelope across the ridges, standard deviation in periods.
    pub gabor_sigma_across: f32,
    /// Gabor envelope along the ridges, standard deviation in periods.
    pub gabor_sigma_along: f32,
    /// Gabor kernel radius, in pixels (kernels are (2r + 1)²).
    pub gabor_radius: usize,
    /// Ridge specks and valley pin holes smaller than this many pixels are removed from the
    /// binary image before thinning.
    pub min_blob_area: usize,
    /// Spur length, in periods (skeleton branches ending within it are erased).
    pub spur_length: f32,
    /// Island length, in periods (ridge fragments shorter than it are erased).
    pub island_length: f32,
    /// Bridge length, in periods (junction links across the flow shorter than it are erased).
    pub bridge_length: f32,
    /// Lake perimeter half-length, in periods (smaller ridge holes are closed).
    pub lake_length: f32,
    /// Minutiae closer than this to the background or the image edge are dropped, in pixels.
    pub border_distance: f32,
    /// Facing ridge endings closer than this are a broken ridge, in periods.
    pub gap_length: f32,
    /// Minutiae pairs closer than this are dropped, in periods.
    pub min_distance: f32,
    /// Cluster radius, in periods.
    pub cluster_radius: f32,
    /// A minutia with at least this many others within the cluster radius is dropped.
    pub cluster_size: usize,
    /// How far ridges are traced to measure minutia directions, in pixels.
    pub trace_length: usize,
    /// At most this many minutiae are kept (the best by quality).
    pub max_minutiae: usize,
    /// Minutiae of lower quality (0–100) are dropped.
    pub min_quality: u8,
}

impl Default for ExtractorConfig {
    fn default() -> Self {
        ExtractorConfig {
            segmentation_contrast: 0.3,
            segmentation_coherence: 0.15,
            segmentation_clarity: 0.32,
            min_foreground_blocks: 64,
            orientation_presmooth: 1.0,
            orientation_sigma: 1.0,
            orientation_sigma_coarse: 3.0,
            orientation_min_coherence: 0.25,
            min_ridge_period: 4.0,
            max_ridge_period: 16.0,
            gabor_orientations: 16,
            gabor_sigma_across: 0.45,
            gabor_sigma_along: 0.6,
            gabor_radius: 8,
            min_blob_area: 20,
            spur_length: 1.0,
            island_length: 1.6,
            bridge_length: 1.6,
            lake_length: 2.5,
            border_distance: 14.0,
            gap_length: 1.6,
            min_distance: 0.6,
            cluster_radius: 1.6,
            cluster_size: 3,
            trace_length: 12,
            max_minutiae: 150,
            min_quality: 0,
        }
    }
}
