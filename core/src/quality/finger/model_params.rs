// Written by `cargo run --release -p galton-benches --bin quality -- fit`; do not edit.
// Ridge regression (penalty 10 on standardised inputs, weights restricted to the signs of
// model::SIGNS) of each FVC2002 DB1-DB4 B image's mean genuine galton score on its
// quality inputs (320 images).
const MEAN: [f32; INPUTS] = [5.111576e0, 1.7668071e-1, 5.159769e-1, 3.548932e0, 7.323989e-1, 6.3712e-1, 3.8503197e-1, 1.4164342e-1, 2.217343e-1, 1.3245603e-1, 6.7454827e-1, 1.1794147e-1, 3.421644e0, 3.3121114e0, 3.9604793e0];
const SCALE: [f32; INPUTS] = [2.742659e-1, 1.17559835e-1, 1.7375845e-1, 3.8337666e-1, 1.0982372e-1, 8.6335644e-2, 3.41359e-2, 1.04171164e-1, 8.7583214e-2, 3.328134e-2, 6.807421e-2, 2.909618e-2, 4.7904485e-1, 5.4970115e-1, 3.2093513e-1];
const WEIGHTS: [f32; INPUTS] = [0e0, -2.1244284e-2, 0e0, 0e0, 1.5785687e-2, 9.639084e-3, 1.8948454e-2, 0e0, -4.06994e-2, 0e0, 0e0, 0e0, 3.6765262e-4, 1.7869884e-2, 0e0];
const INTERCEPT: f32 = 2.303264e-1;
