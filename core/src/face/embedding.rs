//! One embedding and batches of them: validated on entry, stored L2-normalised.

use crate::{Error, Result};

/// Smallest embedding dimension accepted.
pub const MIN_DIMENSION: usize = 2;
/// Largest embedding dimension accepted (models in use produce 128 to 1024 floats): the
/// default of [`FaceLimits::max_dimension`](crate::limits::FaceLimits) and its ceiling.
pub const MAX_DIMENSION: usize = 4096;

/// Checks a dimension against [`MIN_DIMENSION`]..=[`MAX_DIMENSION`]: below is an invalid
/// argument, above is [`Error::LimitExceeded`].
pub(crate) fn check_dimension(dim: usize) -> Result<()> {
    if dim < MIN_DIMENSION {
        return Err(Error::InvalidArgument(format!(
            "embedding dimension {dim} is outside {MIN_DIMENSION}..={MAX_DIMENSION}"
        )));
    }
    crate::Limit::EmbeddingDimension.check(dim as u64, MAX_DIMENSION as u64)
}

/// Writes `values / ‖values‖` into `out`, after checking that every value is finite and the
/// norm is not zero. `row` names the batch row in the error.
pub(crate) fn normalize_into(values: &[f32], out: &mut [f32], row: Option<usize>) -> Result<()> {
    debug_assert_eq!(values.len(), out.len());
    let mut sum = 0.0f64;
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidEmbedding {
                row,
                reason: format!("value {i} is {v}"),
            });
        }
        sum += v as f64 * v as f64;
    }
    if sum == 0.0 || !sum.is_finite() {
        return Err(Error::InvalidEmbedding {
            row,
            reason: if sum == 0.0 {
                "the vector is all zeros (no direction to compare)".into()
            } else {
                "the norm overflows".into()
            },
        });
    }
    let inverse = (1.0 / sum.sqrt()) as f32;
    for (o, &v) in out.iter_mut().zip(values) {
        *o = v * inverse;
    }
    Ok(())
}

/// Checks that `values` has `dim` entries, naming `row` in the error.
pub(crate) fn check_length(values: &[f32], dim: usize, row: Option<usize>) -> Result<()> {
    if values.len() == dim {
        Ok(())
    } else {
        Err(Error::InvalidEmbedding {
            row,
            reason: format!("{} values where the dimension is {dim}", values.len()),
        })
    }
}

/// Checks that `batch` (the `what`: "queries", "batch", …) has the index's dimension `dim`.
pub(crate) fn check_batch_dimension(batch: &EmbeddingBatch, dim: usize, what: &str) -> Result<()> {
    if batch.dim() == dim {
        Ok(())
    } else {
        Err(Error::InvalidEmbedding {
            row: None,
            reason: format!("{what} of dimension {} for an index of {dim}", batch.dim()),
        })
    }
}

/// A face embedding: finite, not zero, stored with unit length, so the dot product of two
/// is their cosine similarity.
///
/// ```
/// use galton::face::FaceEmbedding;
/// let a = FaceEmbedding::new(vec![3.0, 4.0])?;
/// let b = FaceEmbedding::new(vec![4.0, 3.0])?;
/// assert!((a.cosine(&b)? - 0.96).abs() < 1e-6);
/// assert!(FaceEmbedding::new(vec![0.0, f32::NAN]).is_err());
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Vec<f32>", into = "Vec<f32>")]
pub struct FaceEmbedding {
    values: Vec<f32>,
}

impl TryFrom<Vec<f32>> for FaceEmbedding {
    type Error = Error;

    fn try_from(values: Vec<f32>) -> Result<Self> {
        FaceEmbedding::new(values)
    }
}

impl From<FaceEmbedding> for Vec<f32> {
    fn from(face: FaceEmbedding) -> Vec<f32> {
        face.values
    }
}

impl FaceEmbedding {
    /// Validates and normalises `values` (any non-zero length within
    /// [`MIN_DIMENSION`]..=[`MAX_DIMENSION`]).
    pub fn new(mut values: Vec<f32>) -> Result<Self> {
        check_dimension(values.len()).map_err(|e| match e {
            Error::InvalidArgument(_) => Error::InvalidEmbedding {
                row: None,
                reason: format!(
                    "dimension {} is outside {MIN_DIMENSION}..={MAX_DIMENSION}",
                    values.len()
                ),
            },
            other => other,
        })?;
        let raw = values.clone();
        normalize_into(&raw, &mut values, None)?;
        Ok(FaceEmbedding { values })
    }

    /// As [`FaceEmbedding::new`], with a dimension limit below [`MAX_DIMENSION`].
    pub fn new_with_limits(values: Vec<f32>, limits: &crate::limits::FaceLimits) -> Result<Self> {
        let max = limits.max_dimension.min(MAX_DIMENSION);
        crate::Limit::EmbeddingDimension.check(values.len() as u64, max as u64)?;
        FaceEmbedding::new(values)
    }

    /// As [`FaceEmbedding::new`], also requiring `dim` values.
    pub fn with_dimension(values: &[f32], dim: usize) -> Result<Self> {
        check_length(values, dim, None)?;
        FaceEmbedding::new(values.to_vec())
    }

    /// Values that [`FaceEmbedding::as_slice`] gave, kept bit for bit (normalising them again
    /// moves every value by a rounding step, as the scale factor is rounded to f32): checked
    /// for an accepted dimension, finite values and a length within 1e-4 of one.
    #[cfg(feature = "store")]
    pub(crate) fn from_unit(values: Vec<f32>) -> Result<Self> {
        check_dimension(values.len())?;
        let mut sum = 0.0f64;
        for (i, &v) in values.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::InvalidEmbedding {
                    row: None,
                    reason: format!("value {i} is {v}"),
                });
            }
            sum += v as f64 * v as f64;
        }
        if (sum.sqrt() - 1.0).abs() > 1e-4 {
            return Err(Error::InvalidEmbedding {
                row: None,
                reason: format!("length {:.6}, not one", sum.sqrt()),
            });
        }
        Ok(FaceEmbedding { values })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.values.len()
    }

    /// The unit-length values.
    pub fn as_slice(&self) -> &[f32] {
        &self.values
    }

    /// The unit-length values, owned.
    pub fn into_vec(self) -> Vec<f32> {
        self.values
    }

    /// Cosine similarity in `[-1, 1]`; an error when the dimensions differ.
    pub fn cosine(&self, other: &FaceEmbedding) -> Result<f32> {
        check_length(other.as_slice(), self.dim(), None)?;
        Ok(super::kernels::Kernel::detect()
            .dot_f32(&self.values, &other.values)
            .clamp(-1.0, 1.0))
    }

    /// Cosine distance, `1 − cosine`, in `[0, 2]`.
    pub fn distance(&self, other: &FaceEmbedding) -> Result<f32> {
        Ok(1.0 - self.cosine(other)?)
    }
}

/// Cosine similarity of two raw (not necessarily normalised) embeddings, validating both.
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> Result<f32> {
    let a = FaceEmbedding::new(a.to_vec())?;
    let b = FaceEmbedding::new(b.to_vec())?;
    a.cosine(&b)
}

/// Many embeddings of one dimension, row-major and contiguous, each row unit-length.
///
/// ```
/// use galton::face::EmbeddingBatch;
/// let batch = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 2.0], 2)?;
/// assert_eq!(batch.len(), 2);
/// assert_eq!(batch.row(1), &[0.0, 1.0]);
/// // A bad row is named: row 1 here.
/// let err = EmbeddingBatch::from_rows(&[1.0, 0.0, f32::NAN, 1.0], 2).unwrap_err();
/// assert!(err.to_string().contains("row 1"));
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingBatch {
    dim: usize,
    data: Vec<f32>,
}

impl EmbeddingBatch {
    /// An empty batch of dimension `dim`.
    pub fn new(dim: usize) -> Result<Self> {
        check_dimension(dim)?;
        Ok(EmbeddingBatch {
            dim,
            data: Vec::new(),
        })
    }

    /// Validates and normalises `data`, `n × dim` values row after row.
    pub fn from_rows(data: &[f32], dim: usize) -> Result<Self> {
        check_dimension(dim)?;
        if !data.len().is_multiple_of(dim) {
            return Err(Error::InvalidEmbedding {
                row: Some(data.len() / dim),
                reason: format!(
                    "{} values is not a whole number of rows of {dim}",
                    data.len()
                ),
            });
        }
        let mut out = vec![0.0; data.len()];
        for (r, (row, o)) in data
            .chunks_exact(dim)
            .zip(out.chunks_exact_mut(dim))
            .enumerate()
        {
            normalize_into(row, o, Some(r))?;
        }
        Ok(EmbeddingBatch { dim, data: out })
    }

    /// Appends one row after validating and normalising it.
    pub fn push(&mut self, values: &[f32]) -> Result<()> {
        let row = self.len();
        check_length(values, self.dim, Some(row))?;
        let start = self.data.len();
        self.data.resize(start + self.dim, 0.0);
        if let Err(e) = normalize_into(values, &mut self.data[start..], Some(row)) {
            self.data.truncate(start);
            return Err(e);
        }
        Ok(())
    }

    /// Wraps rows that the caller has already made unit-length.
    pub(crate) fn from_normalized(data: Vec<f32>, dim: usize) -> Result<Self> {
        check_dimension(dim)?;
        debug_assert_eq!(data.len() % dim, 0);
        Ok(EmbeddingBatch { dim, data })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i` (unit-length). Panics when `i >= len()`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The rows in order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.data.chunks_exact(self.dim)
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}
