//! End-to-end tests of the extractor on synthetic fingerprints with known minutiae.

use std::f32::consts::{PI, TAU};

use image::{GrayImage, Luma};

use super::*;
use crate::error::Error;
use crate::template::MinutiaKind;

/// A synthetic ridge pattern with one minutia: parallel ridges of direction `alpha` (as
/// seen) and period `period`, with a phase dislocation (spiral phase of sign `s`) at
/// `centre`. The extra ridge (or valley) lies on the side the minutia points to: direction
/// `alpha` for `s = +1`, `alpha + π` for `s = −1`. `invert` swaps ridges and valleys, which
/// turns a ridge ending into a bifurcation with the same direction.
fn dislocation(
    size: u32,
    alpha: f32,
    period: f32,
    s: f32,
    invert: bool,
    centre: (f32, f32),
) -> GrayImage {
    let (tx, ty) = (alpha.cos(), -alpha.sin());
    let (nx, ny) = (alpha.sin(), alpha.cos());
    GrayImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (x as f32 - centre.0, y as f32 - centre.1);
        let (a, b) = (dx * tx + dy * ty, dx * nx + dy * ny);
        let phase = TAU * b / period + s * b.atan2(a);
        let v = (phase.cos() * if invert { -1.0 } else { 1.0 }) * 90.0 + 128.0;
        Luma([v as u8])
    })
}

fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    d.min(TAU - d)
}

#[test]
fn dislocation_gives_one_minutia_of_each_kind_with_iso_direction() {
    let centre = (100.0, 96.0);
    for alpha in [0.0f32, 0.6, 1.9, 4.0] {
        for s in [1.0f32, -1.0] {
            let mut kinds = Vec::new();
            for invert in [false, true] {
                let gray = dislocation(200, alpha, 9.0, s, invert, centre);
                let image = FingerprintImage::new(gray, 500.0).unwrap();
                let t = extract(&image).unwrap();
                let near: Vec<_> = t
                    .minutiae
                    .iter()
                    .filter(|m| ((m.x - centre.0).powi(2) + (m.y - centre.1).powi(2)).sqrt() < 40.0)
                    .collect();
                let what = format!("α {alpha}, s {s}, inverted {invert}: {:?}", t.minutiae);
                assert_eq!(near.len(), 1, "{what}");
                let m = near[0];
                let dist = ((m.x - centre.0).powi(2) + (m.y - centre.1).powi(2)).sqrt();
                assert!(dist <= 6.0, "{what}: {dist} px from the dislocation");
                let expected = if s > 0.0 { alpha } else { alpha + PI };
                let err = angle_diff(m.direction, expected).to_degrees();
                assert!(err < 15.0, "{what}: direction off by {err}°");
                assert!(t.minutiae.len() <= 3, "{what}: spurious minutiae");
                kinds.push(m.kind);
            }
            // Swapping ridges and valleys swaps ending and bifurcation.
            kinds.sort_by_key(|k| *k as u8);
            assert_eq!(
                kinds,
                vec![MinutiaKind::Ending, MinutiaKind::Bifurcation],
                "α {alpha}, s {s}"
            );
        }
    }
}

#[test]
fn dislocation_at_1000_ppi_maps_back_to_the_original_grid() {
    let centre = (200.0, 190.0);
    let gray = dislocation(400, 0.8, 18.0, 1.0, false, centre);
    let image = FingerprintImage::new(gray, 1000.0).unwrap();
    let ex = extract_with_maps(&image).unwrap();
    assert_eq!(
        (ex.template.width, ex.template.height, ex.template.ppi),
        (400, 400, 1000.0)
    );
    assert_eq!((ex.maps.working_width, ex.maps.working_height), (200, 200));
    let m = ex
        .template
        .minutiae
        .iter()
        .min_by(|a, b| {
            let da = (a.x - centre.0).powi(2) + (a.y - centre.1).powi(2);
            let db = (b.x - centre.0).powi(2) + (b.y - centre.1).powi(2);
            da.total_cmp(&db)
        })
        .expect("a minutia");
    let dist = ((m.x - centre.0).powi(2) + (m.y - centre.1).powi(2)).sqrt();
    assert!(
        dist <= 10.0,
        "{m:?} is {dist} original pixels from the dislocation"
    );
    assert!(angle_diff(m.direction, 0.8) < 15f32.to_radians(), "{m:?}");
    // The maps agree: ridge period 18 original pixels, orientation 0.8 rad.
    let period = ex.maps.ridge_period_at(100.0, 300.0).unwrap();
    assert!((period - 18.0).abs() < 1.8, "period {period}");
    let theta = ex.maps.orientation_at(100.0, 300.0).unwrap();
    assert!((theta - 0.8).abs() < 0.06, "orientation {theta}");
    assert!(ex.maps.foreground_at(200.0, 200.0));
    let mask = ex.maps.mask_image();
    assert_eq!(mask.dimensions(), (400, 400));
}

#[test]
fn blank_and_tiny_images_are_invalid() {
    let blank = FingerprintImage::new(GrayImage::from_pixel(300, 300, Luma([200])), 500.0).unwrap();
    let err = extract(&blank).unwrap_err();
    assert!(matches!(err, Error::InvalidImage(_)), "{err}");
    assert!(err.to_string().contains("blank"), "{err}");

    // A 40 × 40 patch of ridges in an empty 300 × 300 image is too little fingerprint.
    let mut patch = GrayImage::from_pixel(300, 300, Luma([200]));
    let ridges = dislocation(40, 0.3, 9.0, 1.0, false, (20.0, 20.0));
    image::imageops::overlay(&mut patch, &ridges, 130, 130);
    let err = extract(&FingerprintImage::new(patch, 500.0).unwrap()).unwrap_err();
    assert!(matches!(err, Error::InvalidImage(_)), "{err}");
    assert!(err.to_string().contains("fingerprint area"), "{err}");

    // extract_many reports each image's own result.
    let good = FingerprintImage::new(
        dislocation(200, 0.0, 9.0, 1.0, false, (100.0, 100.0)),
        500.0,
    )
    .unwrap();
    let results = extract_many(&[good, blank]);
    assert!(results[0].is_ok());
    assert!(matches!(results[1], Err(Error::InvalidImage(_))));
}

#[test]
fn noise_only_is_not_a_fingerprint() {
    let mut state = 99u32;
    let noise = GrayImage::from_fn(256, 256, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        Luma([(state >> 24) as u8])
    });
    match extract(&FingerprintImage::new(noise, 500.0).unwrap()) {
        Err(Error::InvalidImage(_)) => {}
        Ok(t) => assert!(
            t.minutiae.len() < 5,
            "noise gave {} minutiae",
            t.minutiae.len()
        ),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn invalid_configuration_is_an_argument_error() {
    let image =
        FingerprintImage::new(dislocation(128, 0.0, 9.0, 1.0, false, (64.0, 64.0)), 500.0).unwrap();
    let config = ExtractorConfig {
        max_ridge_period: 2.0,
        ..ExtractorConfig::default()
    };
    let err = extract_with_config(&image, &config).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn odd_inputs_never_panic() {
    // Every size near the limits, every resolution corner, patterns that stress each stage:
    // the result is a template or a typed InvalidImage error, never a panic.
    let patterns: [fn(u32, u32) -> u8; 5] = [
        |_, _| 0,
        |x, _| if x % 2 == 0 { 0 } else { 255 },
        |x, y| if (x / 7 + y / 7) % 2 == 0 { 30 } else { 220 },
        |x, y| ((x * 7919 + y * 104_729) % 251) as u8,
        |x, y| (128.0 + 100.0 * ((x as f32 * 0.7 + y as f32 * 0.3) / 1.4).sin()) as u8,
    ];
    for (w, h) in [(32, 32), (33, 47), (64, 300), (257, 100), (300, 300)] {
        for ppi in [300.0, 500.0, 777.0, 1000.0] {
            for (k, pattern) in patterns.iter().enumerate() {
                let gray = GrayImage::from_fn(w, h, |x, y| Luma([pattern(x, y)]));
                let image = FingerprintImage::new(gray, ppi).unwrap();
                match extract_with_maps(&image) {
                    Ok(ex) => {
                        for m in &ex.template.minutiae {
                            assert!(m.x >= 0.0 && m.y >= 0.0 && m.x < w as f32 && m.y < h as f32);
                        }
                    }
                    Err(Error::InvalidImage(_)) => {}
                    Err(e) => panic!("{w}×{h} at {ppi} ppi, pattern {k}: {e}"),
                }
            }
        }
    }
}
