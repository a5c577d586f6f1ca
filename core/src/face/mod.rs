//! Face embeddings: validation, comparison, calibrated decisions, and fast search.
//!
//! galton ships no face-recognition model: the caller computes embeddings with its own
//! (ArcFace-like, 128 to 1024 floats) and galton validates, compares and searches them.
//!
//! - [`FaceEmbedding`] and [`EmbeddingBatch`]: checked on entry (dimension, every value
//!   finite, norm not zero; a bad row of a batch is named) and stored with unit length, so a
//!   dot product is a cosine similarity.
//! - [`calibrate`]: the threshold for a target false match rate from the caller's own
//!   impostor scores, and the false non-match rate there.
//! - [`FaceIndex`]: contiguous storage with `u64` ids in f32, f16 or int8 ([`Encoding`]),
//!   exact top-k for one query ([`FaceIndex::search`]) or a batch
//!   ([`FaceIndex::search_batch`]), range search, and the all-pairs deduplication join
//!   ([`FaceIndex::join`]); saved to and loaded from a checksummed file
//!   ([`FaceIndex::save`]).
//! - [`IvfIndex`] and [`HnswIndex`]: approximate search for galleries of millions, an
//!   inverted file (builds in seconds, supports removal) and a graph (faster at high recall).
//! - [`HnswIndex`]: an approximate graph index (HNSW), fast and accurate at high recall.
//! - [`kernels`]: the SIMD scan kernels, chosen at run time.

mod blocks;
mod calibrate;
mod embedding;
mod encoding;
mod file;
mod hnsw;
mod index;
mod ivf;

pub mod kernels;
mod topk;

pub use calibrate::{calibrate, calibrate_many, OperatingPoint};
pub(crate) use embedding::check_dimension;
pub use embedding::{
    cosine_similarity, EmbeddingBatch, FaceEmbedding, MAX_DIMENSION, MIN_DIMENSION,
};
pub use encoding::Encoding;
pub use hnsw::{HnswConfig, HnswIndex};
pub use index::{FaceIndex, FacePair, Hit, MAX_ROWS};
pub use ivf::{IvfConfig, IvfIndex};
