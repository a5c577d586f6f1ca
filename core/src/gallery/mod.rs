//! 1:N search over enrolled fingerprint templates.
pub mod prefilter;
