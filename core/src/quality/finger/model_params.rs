// Written by `cargo run --release -p galton-benches --bin quality -- fit`; do not edit.
// Ridge regression (penalty 10 on standardised inputs) of each FVC2002 DB1-DB4 B image's
// mean genuine galton score on its quality inputs (320 images).
const MEAN: [f32; INPUTS] = [5.112712e0, 1.7671487e-1, 5.161629e-1, 3.5486233e0, 7.325338e-1, 6.37252e-1, 3.8503978e-1, 1.4193898e-1, 2.2205694e-1, 1.3235566e-1, 6.7647207e-1, 1.17854565e-1, 3.4221666e0, 3.342093e0, 3.9605565e0];
const SCALE: [f32; INPUTS] = [2.7259067e-1, 1.1732611e-1, 1.7360257e-1, 3.8365036e-1, 1.0961783e-1, 8.614205e-2, 3.406416e-2, 1.0440913e-1, 8.711176e-2, 3.330686e-2, 6.818167e-2, 2.9284466e-2, 4.9029842e-1, 5.3331894e-1, 3.2177213e-1];
const WEIGHTS: [f32; INPUTS] = [-1.749772e-2, -2.2012435e-2, 2.2442399e-2, -2.2604205e-2, 3.0472567e-2, 2.4866813e-3, 1.8523047e-2, 9.68117e-3, -3.7441693e-2, 1.4206024e-2, 1.1042751e-2, 1.2109897e-2, -3.0243623e-3, 2.4425099e-2, 1.3334846e-2];
const INTERCEPT: f32 = 2.303264e-1;
