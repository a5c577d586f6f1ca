//! Extraction on all 320 FVC2002 "B" images (DB1–DB4): every image yields a plausible
//! template, minutiae lie inside the image and the foreground, impressions of the same finger
//! give similar counts, and results do not depend on the input resolution.
//!
//! `cargo test -p galton --test fingerprint_fvc2002 -- --nocapture` prints the statistics.

mod common;

use galton::fingerprint::{extract, extract_many, extract_with_maps};
use galton::image::FingerprintImage;
use galton::{MinutiaKind, Template};

const DBS: [&str; 4] = ["DB1_B", "DB2_B", "DB3_B", "DB4_B"];

fn load(db: &str) -> Vec<FingerprintImage> {
    common::fvc2002_images(db)
        .iter()
        .map(|p| FingerprintImage::open(p, common::fvc2002_ppi(db)).unwrap())
        .collect()
}

#[test]
fn every_image_yields_a_plausible_template() {
    for db in DBS {
        let images = load(db);
        let mut counts = Vec::new();
        let mut endings = 0usize;
        for (k, image) in images.iter().enumerate() {
            let ex = extract_with_maps(image).unwrap_or_else(|e| panic!("{db} image {k}: {e}"));
            let t = &ex.template;
            assert_eq!(
                (t.width, t.height, t.ppi),
                (image.width(), image.height(), image.ppi())
            );
            for m in &t.minutiae {
                assert!(m.x >= 0.0 && m.y >= 0.0 && m.x < t.width as f32 && m.y < t.height as f32);
                assert!(
                    ex.maps.foreground_at(m.x, m.y),
                    "{db} image {k}: minutia {m:?} in the background"
                );
                assert!((0.0..std::f32::consts::TAU).contains(&m.direction));
                assert!(m.quality <= 100);
            }
            endings += t
                .minutiae
                .iter()
                .filter(|m| m.kind == MinutiaKind::Ending)
                .count();
            counts.push(t.minutiae.len());
        }
        let n = counts.len() as f32;
        let mean = counts.iter().sum::<usize>() as f32 / n;
        let (min, max) = (*counts.iter().min().unwrap(), *counts.iter().max().unwrap());
        let ending_share = endings as f32 / counts.iter().sum::<usize>() as f32;
        println!(
            "{db}: minutiae per image mean {mean:.1}, min {min}, max {max}; endings {:.0}%",
            100.0 * ending_share
        );
        // Measured when tuned: means 34 / 42 / 24 / 29, minima 10–23, maxima 49–65.
        assert!((20.0..=60.0).contains(&mean), "{db}: mean {mean}");
        assert!(min >= 8, "{db}: an image with only {min} minutiae");
        assert!(max <= 100, "{db}: {max} minutiae");
        assert!(
            (0.25..=0.85).contains(&ending_share),
            "{db}: {ending_share} endings"
        );

        // Stability: the 8 impressions of a finger give similar counts (the finger's median
        // count within a factor of ~2 for most impressions).
        let mut unstable = 0;
        for finger in counts.chunks(8) {
            let mut sorted = finger.to_vec();
            sorted.sort();
            let median = sorted[4] as f32;
            unstable += finger
                .iter()
                .filter(|&&c| (c as f32) < 0.5 * median || (c as f32) > 2.0 * median)
                .count();
        }
        println!("{db}: {unstable} of 80 impressions far from their finger's median count");
        assert!(unstable <= 8, "{db}: {unstable} unstable impressions");
    }
}

#[test]
fn extract_many_matches_sequential_extraction() {
    let images: Vec<FingerprintImage> = load("DB3_B").into_iter().take(12).collect();
    let many = extract_many(&images);
    assert_eq!(many.len(), images.len());
    for (image, got) in images.iter().zip(many) {
        assert_eq!(got.unwrap(), extract(image).unwrap());
    }
}

/// Resamples an image to `ppi` (bilinear, with box averaging when shrinking), standing in
/// for a scan of the same finger at another resolution.
fn rescan(image: &FingerprintImage, ppi: f32) -> FingerprintImage {
    let k = ppi / image.ppi();
    let (w, h) = (
        (image.width() as f32 * k).round() as u32,
        (image.height() as f32 * k).round() as u32,
    );
    let g = image.gray();
    let filter = if k < 1.0 {
        image::imageops::FilterType::Triangle
    } else {
        image::imageops::FilterType::CatmullRom
    };
    FingerprintImage::new(image::imageops::resize(g, w, h, filter), ppi).unwrap()
}

/// Share of the minutiae of `a` that have a minutia of `b` within `tol` pixels, after mapping
/// `b` to the grid of `a`.
fn matched_share(a: &Template, b: &Template, tol: f32) -> f32 {
    let (kx, ky) = (
        a.width as f32 / b.width as f32,
        a.height as f32 / b.height as f32,
    );
    let hits = a
        .minutiae
        .iter()
        .filter(|m| {
            b.minutiae.iter().any(|n| {
                let (x, y) = ((n.x + 0.5) * kx - 0.5, (n.y + 0.5) * ky - 0.5);
                ((x - m.x).powi(2) + (y - m.y).powi(2)).sqrt() <= tol
            })
        })
        .count();
    hits as f32 / a.minutiae.len().max(1) as f32
}

#[test]
fn resolution_normalisation_maps_minutiae_back_to_the_original_grid() {
    let paths = common::fvc2002_images("DB1_B");
    for name in ["101_1.tif", "103_2.tif", "106_5.tif", "109_8.tif"] {
        let path = paths.iter().find(|p| p.ends_with(name)).unwrap();
        let base = FingerprintImage::open(path, 500.0).unwrap();
        let reference = extract(&base).unwrap();
        for ppi in [1000.0, 333.0] {
            let scaled = extract(&rescan(&base, ppi)).unwrap();
            assert!((scaled.width as f32 / base.width() as f32 - ppi / 500.0).abs() < 0.01);
            let share = matched_share(&reference, &scaled, 8.0);
            let back = matched_share(&scaled, &reference, 8.0 * ppi / 500.0);
            println!(
                "{name} at {ppi} ppi: {} vs {} minutiae, {:.0}% / {:.0}% within 8 px",
                reference.minutiae.len(),
                scaled.minutiae.len(),
                100.0 * share,
                100.0 * back
            );
            assert!(
                share >= 0.7,
                "{name} at {ppi} ppi: only {share} of the minutiae found again"
            );
            assert!(
                back >= 0.6,
                "{name} at {ppi} ppi: only {back} of the rescanned minutiae are real"
            );
        }
    }
}

#[test]
fn rotating_the_image_rotates_the_minutiae() {
    // A quarter turn clockwise maps (x, y) to (h − 1 − y, x) and turns every direction by
    // −π/2 as seen: positions and directions must follow.
    let path = &common::fvc2002_images("DB1_B")[8];
    let base = FingerprintImage::open(path, 500.0).unwrap();
    let h = base.height() as f32;
    let turned = FingerprintImage::new(image::imageops::rotate90(base.gray()), 500.0).unwrap();
    let a = extract(&base).unwrap();
    let b = extract(&turned).unwrap();
    let (mut found, mut aligned) = (0, 0);
    for m in &a.minutiae {
        let (x, y) = (h - 1.0 - m.y, m.x);
        let best = b
            .minutiae
            .iter()
            .map(|n| (((n.x - x).powi(2) + (n.y - y).powi(2)).sqrt(), n))
            .min_by(|p, q| p.0.total_cmp(&q.0));
        if let Some((d, n)) = best {
            if d <= 6.0 {
                found += 1;
                let expected =
                    (m.direction - std::f32::consts::FRAC_PI_2).rem_euclid(std::f32::consts::TAU);
                let diff = (n.direction - expected).rem_euclid(std::f32::consts::TAU);
                if diff.min(std::f32::consts::TAU - diff) < 20f32.to_radians() {
                    aligned += 1;
                }
            }
        }
    }
    let n = a.minutiae.len();
    println!("rotation: {found} of {n} minutiae found again, {aligned} with the rotated direction");
    assert!(found as f32 >= 0.7 * n as f32, "{found} of {n}");
    assert!(aligned as f32 >= 0.9 * found as f32, "{aligned} of {found}");
}
