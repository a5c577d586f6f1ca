//! Ground-truth minutiae of a master.

use super::shape::Silhouette;
use crate::template::Minutia;

/// Ground-truth minutiae read from a master's ridge pattern (placeholder until the skeleton
/// functions land).
pub(crate) fn ground_truth(
    _ridges: &[f32],
    _width: usize,
    _height: usize,
    _silhouette: &Silhouette,
) -> Vec<Minutia> {
    Vec::new()
}
