// Written by `cargo run --release -p galton-benches --bin quality -- fit`; do not edit.
// Placeholder until the first fit.
const MEAN: [f32; INPUTS] = [0.0; INPUTS];
const SCALE: [f32; INPUTS] = [1.0; INPUTS];
const WEIGHTS: [f32; INPUTS] = [0.0; INPUTS];
const INTERCEPT: f32 = 0.2;
