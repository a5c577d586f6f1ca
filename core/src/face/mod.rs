//! Face embeddings: validation, comparison, calibrated decisions, and fast search.
//!
//! galton ships no face-recognition model: the caller computes embeddings with its own
//! (ArcFace-like, 128 to 1024 floats) and galton compares and searches them.

pub mod kernels;
