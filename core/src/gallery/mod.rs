//! The enrollment gallery: subjects, 1:1 verification, 1:N identification, N-by-N
//! deduplication, score fusion, and the persistent store.

#[cfg(feature = "store")]
pub mod store;
pub mod subject;

pub use subject::{Probe, Subject};
