//! Impressions and templates-only mode: geometry of the ground truth, distortion, skin
//! condition, minutiae counts.

use std::f32::consts::TAU;

use galton::synth::distortion::Distortion;
use galton::synth::impression::{render, ImpressionParams, CONTACT_MARGIN, IMAGE_MARGIN};
use galton::synth::templates::finger_templates_with_truth;
use galton::synth::{generate_master, impression, templates_only, Condition, SynthConfig};
use galton::Minutia;

fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    d.min(TAU - d)
}

#[test]
fn rigid_motion_carries_minutiae_exactly() {
    let config = SynthConfig {
        distortion: 0.0,
        ..SynthConfig::default()
    };
    let master = generate_master(41, &config);
    let mut checked = 0;
    for seed in 1..12 {
        let imp = impression(&master, seed, &config);
        let t = &imp.params.transform;
        let a = t.rotation_deg.to_radians();
        if t.rotation_deg.abs() < 3.0 {
            continue;
        }
        checked += 1;
        // The rigid motion written out independently: rotate counter-clockwise as seen (y
        // down) about the master centre, move to the image centre plus the translation.
        let expected: Vec<Minutia> = master
            .minutiae
            .iter()
            .filter(|m| imp.params.contact.depth(m.x, m.y) >= CONTACT_MARGIN)
            .map(|m| {
                let (dx, dy) = (m.x - t.master_centre.0, m.y - t.master_centre.1);
                Minutia {
                    x: dx * a.cos() + dy * a.sin() + t.image_centre.0 + t.translation.0,
                    y: -dx * a.sin() + dy * a.cos() + t.image_centre.1 + t.translation.1,
                    direction: (m.direction + a).rem_euclid(TAU),
                    ..*m
                }
            })
            .filter(|m| {
                (IMAGE_MARGIN..288.0 - IMAGE_MARGIN).contains(&m.x)
                    && (IMAGE_MARGIN..384.0 - IMAGE_MARGIN).contains(&m.y)
            })
            .collect();
        assert!(expected.len() >= 15, "only {} minutiae", expected.len());
        assert_eq!(imp.minutiae.len(), expected.len());
        for (got, want) in imp.minutiae.iter().zip(&expected) {
            assert!((got.x - want.x).abs() < 1e-3 && (got.y - want.y).abs() < 1e-3);
            assert!(angle_diff(got.direction, want.direction) < 1e-3);
            assert_eq!(got.kind, want.kind);
        }
    }
    assert!(
        checked >= 4,
        "only {checked} impressions with a real rotation"
    );
}

#[test]
fn distortion_is_nil_at_the_contact_centre_and_grows_outwards() {
    let config = SynthConfig::default();
    let master = generate_master(42, &config);
    for seed in 0..6 {
        let params = ImpressionParams::sample(seed, &master.params, &config);
        let d = params.transform.distortion;
        let (cx, cy) = (d.cx, d.cy);
        assert_eq!(d.displacement(cx, cy), (0.0, 0.0));
        let ring = |r: f32| -> f32 {
            (0..36)
                .map(|k| {
                    let a = TAU * k as f32 / 36.0;
                    let (dx, dy) = d.displacement(cx + r * a.cos(), cy + r * a.sin());
                    dx.hypot(dy)
                })
                .sum::<f32>()
                / 36.0
        };
        let mags: Vec<f32> = [5.0, 40.0, 80.0, 120.0, 160.0]
            .iter()
            .map(|&r| ring(r))
            .collect();
        assert!(mags[0] < 1e-4, "displacement {} near the centre", mags[0]);
        assert!(mags.windows(2).all(|w| w[1] >= w[0] - 1e-4), "{mags:?}");
        assert!(mags[4] > 1.0, "no distortion at the periphery: {mags:?}");
    }
    // The close-contact region itself is rigidly attached.
    let d = Distortion {
        cx: 100.0,
        cy: 100.0,
        close_a: 40.0,
        close_b: 60.0,
        transition: 50.0,
        rotation_deg: 5.0,
        shift: (6.0, 3.0),
    };
    assert_eq!(d.displacement(130.0, 100.0), (0.0, 0.0));
    let (fx, fy) = d.displacement(250.0, 100.0);
    assert!(fx.hypot(fy) > 10.0);
}

/// Share of dark pixels in the central part of the contact area.
fn dark_ratio(image: &image::GrayImage) -> f32 {
    let mut dark = 0;
    let mut total = 0;
    for y in 142..242 {
        for x in 94..194 {
            total += 1;
            dark += (image.get_pixel(x, y)[0] < 110) as usize;
        }
    }
    dark as f32 / total as f32
}

#[test]
fn dry_prints_have_fewer_ridge_pixels_than_wet_ones() {
    let config = SynthConfig {
        noise: 0.0,
        max_translation: 0.0,
        ..SynthConfig::default()
    };
    for seed in [43, 44] {
        let master = generate_master(seed, &config);
        let base = ImpressionParams::sample(seed, &master.params, &config);
        let with = |condition| {
            let params = ImpressionParams {
                condition,
                pressure: 0.5,
                ..base.clone()
            };
            dark_ratio(&render(&master, params, &config).image)
        };
        let (dry, good, wet) = (
            with(Condition::Dry),
            with(Condition::Good),
            with(Condition::Wet),
        );
        assert!(dry < good && good < wet, "dry {dry} good {good} wet {wet}");
        assert!(wet > 1.5 * dry, "dry {dry} wet {wet}");
    }
}

#[test]
fn templates_only_counts_are_realistic() {
    let config = SynthConfig::default();
    let fingers = templates_only(7, 0..200, 4, &config);
    assert_eq!(fingers.len(), 200);
    let counts: Vec<usize> = fingers
        .iter()
        .flat_map(|f| f.impressions.iter().map(|t| t.minutiae.len()))
        .collect();
    let mean = counts.iter().sum::<usize>() as f32 / counts.len() as f32;
    let in_range = counts.iter().filter(|&&n| (25..=70).contains(&n)).count();
    eprintln!("templates-only: mean {mean} minutiae per impression");
    assert!((30.0..=60.0).contains(&mean), "mean {mean}");
    assert!(
        in_range * 10 >= counts.len() * 9,
        "{in_range} of {} in 25–70",
        counts.len()
    );
    // The same fingers again, one at a time: identical (no dependence on threads).
    let again = templates_only(7, 100..110, 4, &config);
    assert_eq!(&fingers[100..110], &again[..]);
}

#[test]
fn impressions_of_one_finger_share_most_minutiae() {
    let config = SynthConfig::default();
    let tolerance = 3.0 * config.position_jitter + 1.0;
    for finger in 0..20 {
        let (ft, truth) = finger_templates_with_truth(9, finger, 3, &config);
        // Index of the true minutia each template minutia comes from, if any.
        let sources: Vec<Vec<Option<usize>>> = ft
            .impressions
            .iter()
            .zip(&truth.impressions)
            .map(|(tpl, params)| {
                let mapped: Vec<Minutia> = truth
                    .minutiae
                    .iter()
                    .map(|m| params.transform.map_minutia(m))
                    .collect();
                tpl.minutiae
                    .iter()
                    .map(|m| {
                        mapped.iter().position(|t| {
                            (t.x - m.x).hypot(t.y - m.y) < tolerance
                                && angle_diff(t.direction, m.direction) < 0.5
                        })
                    })
                    .collect()
            })
            .collect();
        for s in &sources {
            let genuine = s.iter().filter(|i| i.is_some()).count();
            assert!(
                genuine * 4 >= s.len() * 3,
                "{genuine} of {} genuine",
                s.len()
            );
        }
        let ids = |s: &Vec<Option<usize>>| s.iter().flatten().copied().collect::<Vec<_>>();
        let (a, b) = (ids(&sources[0]), ids(&sources[1]));
        let shared = a.iter().filter(|i| b.contains(i)).count();
        assert!(
            shared * 2 >= a.len().min(b.len()),
            "finger {finger}: {shared} shared of {} and {}",
            a.len(),
            b.len()
        );
    }
}
