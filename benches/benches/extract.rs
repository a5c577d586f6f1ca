//! Extraction benchmarks (filled in with the extractor).
fn main() {}
