use super::*;
use proptest::prelude::*;

/// A small deterministic generator, so a case's data follows from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [-1, 1].
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    fn floats(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.unit()).collect()
    }
}

fn rng(seed: u64) -> Rng {
    Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
}

/// The plain scalar reference: f64 accumulation. Returns the value and Σ|q·r|.
fn reference(q: &[f32], row: impl Iterator<Item = f32>) -> (f64, f64) {
    q.iter().zip(row).fold((0.0, 0.0), |(s, a), (&x, y)| {
        let p = x as f64 * y as f64;
        (s + p, a + p.abs())
    })
}

fn reference_i8(q: &[i8], row: &[i8]) -> i32 {
    q.iter()
        .zip(row)
        .map(|(&x, &c)| x as i64 * c as i64)
        .sum::<i64>() as i32
}

fn close(got: f32, (want, scale): (f64, f64)) -> bool {
    (got as f64 - want).abs() <= 1e-5 * scale + 1e-6
}

/// Dimensions that sit on and around every vector width and unroll of the bodies.
fn dims() -> impl Strategy<Value = usize> {
    prop_oneof![
        prop::sample::select(vec![
            1usize, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 512, 1024
        ]),
        1usize..=1100,
    ]
}

/// How the int8 codes are drawn: uniform, or the extremes that trap saturating arithmetic.
#[derive(Debug, Clone, Copy)]
enum Codes {
    Uniform,
    AllMin,
    AllMax,
    MinAgainstMax,
    Extremes,
}

fn codes() -> impl Strategy<Value = Codes> {
    prop::sample::select(vec![
        Codes::Uniform,
        Codes::AllMin,
        Codes::AllMax,
        Codes::MinAgainstMax,
        Codes::Extremes,
    ])
}

fn draw_codes(rng: &mut Rng, n: usize, how: Codes, is_query: bool) -> Vec<i8> {
    (0..n)
        .map(|_| match how {
            Codes::Uniform => rng.next() as i8,
            Codes::AllMin => i8::MIN,
            Codes::AllMax => i8::MAX,
            Codes::MinAgainstMax if is_query => i8::MIN,
            Codes::MinAgainstMax => i8::MAX,
            Codes::Extremes => [i8::MIN, i8::MAX, -1, 0][(rng.next() >> 62) as usize],
        })
        .collect()
}

proptest! {
    #[test]
    fn f32_matches_the_f64_reference(d in dims(), n in 0usize..=9, seed: u64) {
        let mut rng = rng(seed);
        let q = rng.floats(d);
        let rows = rng.floats(n * d);
        for kernel in Kernel::supported() {
            let mut out = vec![f32::NAN; n];
            kernel.dots_f32(&q, &rows, &mut out);
            for (r, &got) in out.iter().enumerate() {
                let row = &rows[r * d..(r + 1) * d];
                let want = reference(&q, row.iter().copied());
                prop_assert!(close(got, want), "{kernel:?} d={d} row {r}: {got} vs {want:?}");
                let single = kernel.dot_f32(&q, row);
                prop_assert!(close(single, want), "{kernel:?} dot d={d}: {single} vs {want:?}");
            }
        }
    }

    #[test]
    fn f16_matches_the_f64_reference(d in dims(), n in 0usize..=9, seed: u64) {
        let mut rng = rng(seed);
        let q = rng.floats(d);
        let rows: Vec<u16> = rng
            .floats(n * d)
            .into_iter()
            .map(|x| half::f16::from_f32(x).to_bits())
            .collect();
        for kernel in Kernel::supported() {
            let mut out = vec![f32::NAN; n];
            kernel.dots_f16(&q, &rows, &mut out);
            for (r, &got) in out.iter().enumerate() {
                let row = rows[r * d..(r + 1) * d].iter().map(|&h| half::f16::from_bits(h).to_f32());
                let want = reference(&q, row);
                prop_assert!(close(got, want), "{kernel:?} d={d} row {r}: {got} vs {want:?}");
            }
        }
    }

    #[test]
    fn i8_is_exact(d in dims(), n in 0usize..=9, seed: u64, how in codes()) {
        let mut rng = rng(seed);
        let q = draw_codes(&mut rng, d, how, true);
        let rows = draw_codes(&mut rng, n * d, how, false);
        for kernel in Kernel::supported() {
            let mut out = vec![i32::MIN; n];
            kernel.dots_i8(&q, &rows, &mut out);
            for (r, &got) in out.iter().enumerate() {
                let want = reference_i8(&q, &rows[r * d..(r + 1) * d]);
                prop_assert_eq!(got, want, "{:?} d={} row {}", kernel, d, r);
            }
        }
    }
}

#[test]
fn the_cpu_features_select_the_simd_kernels() {
    let supported = Kernel::supported();
    assert_eq!(supported[0], Kernel::Portable);
    assert!(supported.contains(&Kernel::detect()));
    assert_eq!(*supported.last().unwrap(), Kernel::detect());
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let avx2 = has!("avx2") && has!("fma") && has!("f16c");
        let avx512 =
            avx2 && has!("avx512f") && has!("avx512bw") && has!("avx512vl") && has!("avx512vnni");
        assert_eq!(supported.contains(&Kernel::Avx2), avx2);
        assert_eq!(supported.contains(&Kernel::Avx512), avx512);
        assert!(!supported.contains(&Kernel::Neon));
    }
    #[cfg(target_arch = "aarch64")]
    {
        let neon = std::arch::is_aarch64_feature_detected!("neon");
        assert_eq!(supported.contains(&Kernel::Neon), neon);
        assert!(!supported.contains(&Kernel::Avx2) && !supported.contains(&Kernel::Avx512));
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    assert_eq!(supported, vec![Kernel::Portable]);
    eprintln!("kernels tested on this CPU: {supported:?}");
}

/// On aarch64 the NEON bodies must really run, here and under emulation
/// (`scripts/test-aarch64.sh`), so the tests above that go over `Kernel::supported()` check
/// them against the reference.
#[cfg(target_arch = "aarch64")]
#[test]
fn aarch64_runs_the_neon_kernel() {
    assert!(Kernel::supported().contains(&Kernel::Neon));
    assert_eq!(Kernel::detect(), Kernel::Neon);
    assert_eq!(Kernel::Neon.name(), "neon");
}

#[test]
fn all_kernels_give_identical_i8_results() {
    let mut rng = rng(7);
    for d in [1, 16, 63, 64, 65, 100, 128, 512, 1000, 1024] {
        let n = 13;
        for how in [
            Codes::Uniform,
            Codes::AllMin,
            Codes::MinAgainstMax,
            Codes::Extremes,
        ] {
            let q = draw_codes(&mut rng, d, how, true);
            let rows = draw_codes(&mut rng, n * d, how, false);
            let results: Vec<Vec<i32>> = Kernel::supported()
                .into_iter()
                .map(|k| {
                    let mut out = vec![0; n];
                    k.dots_i8(&q, &rows, &mut out);
                    out
                })
                .collect();
            assert!(results.windows(2).all(|w| w[0] == w[1]), "d={d} {how:?}");
        }
    }
    // The largest possible magnitudes.
    let d = 1024;
    let mut out = [0; 2];
    let q = vec![i8::MIN; d];
    let mut rows = vec![i8::MIN; d];
    rows.extend(vec![i8::MAX; d]);
    for kernel in Kernel::supported() {
        kernel.dots_i8(&q, &rows, &mut out);
        assert_eq!(out, [16384 * d as i32, -16256 * d as i32], "{kernel:?}");
    }
}

#[test]
fn unsupported_kernels_fall_back_to_portable() {
    let q = [0.5f32, -1.0, 2.0];
    let rows = [1.0f32, 1.0, 1.0, 2.0, 0.0, 0.5];
    for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512, Kernel::Neon] {
        let mut out = [0.0; 2];
        kernel.dots_f32(&q, &rows, &mut out);
        assert_eq!(out, [1.5, 2.0], "{kernel:?}");
        assert_eq!(kernel.dot_f32(&q, &rows[..3]), 1.5);
    }
}

#[test]
fn an_empty_query_gives_zeros() {
    for kernel in Kernel::supported() {
        let mut out = [1.0f32; 3];
        kernel.dots_f32(&[], &[], &mut out);
        assert_eq!(out, [0.0; 3]);
        let mut out = [1.0f32; 3];
        kernel.dots_f16(&[], &[], &mut out);
        assert_eq!(out, [0.0; 3]);
        let mut out = [1i32; 3];
        kernel.dots_i8(&[], &[], &mut out);
        assert_eq!(out, [0; 3]);
        assert_eq!(kernel.dot_f32(&[], &[]), 0.0);
    }
}

#[test]
#[should_panic(expected = "dots_f32")]
fn mismatched_f32_rows_panic() {
    Kernel::detect().dots_f32(&[1.0; 4], &[1.0; 7], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "dots_f16")]
fn mismatched_f16_rows_panic() {
    Kernel::detect().dots_f16(&[1.0; 4], &[0; 9], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "dots_i8")]
fn mismatched_i8_rows_panic() {
    Kernel::detect().dots_i8(&[1; 4], &[1; 8], &mut [0; 3]);
}

#[test]
#[should_panic(expected = "dot_f32")]
fn mismatched_dot_panics() {
    Kernel::detect().dot_f32(&[1.0; 4], &[1.0; 5]);
}
