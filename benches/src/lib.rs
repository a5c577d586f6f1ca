//! Shared setup for the galton benchmarks.
