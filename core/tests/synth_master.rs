//! Master fingerprints: determinism, singular points, ridge period.

use galton::synth::orientation::poincare_index;
use galton::synth::{generate_master, impression, Master, PatternClass, SynthConfig};

fn master_of(class: PatternClass, seed: u64) -> Master {
    generate_master(seed, &SynthConfig::default().with_class(class))
}

/// Orientation of the generated field at the nearest pixel.
fn field_angle(m: &Master) -> impl Fn(f32, f32) -> f32 + '_ {
    move |x, y| {
        let xi = (x.round() as usize).min(m.width - 1);
        let yi = (y.round() as usize).min(m.height - 1);
        m.orientation[yi * m.width + xi]
    }
}

fn inside(m: &Master, x: f32, y: f32, r: f32) -> bool {
    x - r >= 0.0 && y - r >= 0.0 && x + r < m.width as f32 && y + r < m.height as f32
}

#[test]
fn same_seed_same_master_and_impression_different_seed_differs() {
    let config = SynthConfig::default();
    let a = generate_master(11, &config);
    let b = generate_master(11, &config);
    assert_eq!(a.ridges, b.ridges);
    assert_eq!(a.minutiae, b.minutiae);
    let ia = impression(&a, 5, &config);
    let ib = impression(&b, 5, &config);
    assert_eq!(ia.image.as_raw(), ib.image.as_raw());
    assert_eq!(ia.minutiae, ib.minutiae);
    let c = generate_master(12, &config);
    assert_ne!(a.ridges, c.ridges);
    let ic = impression(&a, 6, &config);
    assert_ne!(ia.image.as_raw(), ic.image.as_raw());
}

#[test]
fn singular_points_have_their_poincare_index() {
    for (class, seed) in [
        (PatternClass::LeftLoop, 1),
        (PatternClass::RightLoop, 2),
        (PatternClass::TentedArch, 3),
        (PatternClass::Whorl, 4),
        (PatternClass::Whorl, 5),
    ] {
        let m = master_of(class, seed);
        let angle = field_angle(&m);
        let sing = &m.params.orientation.singularities;
        assert_eq!(
            sing.cores.len(),
            if class == PatternClass::Whorl { 2 } else { 1 }
        );
        for c in &sing.cores {
            let idx = poincare_index(&angle, c.x, c.y, 6.0, 48);
            assert!((idx - 0.5).abs() < 1e-3, "{class:?} core index {idx}");
        }
        for d in sing.deltas.iter().filter(|d| inside(&m, d.x, d.y, 6.0)) {
            let idx = poincare_index(&angle, d.x, d.y, 6.0, 48);
            assert!((idx + 0.5).abs() < 1e-3, "{class:?} delta index {idx}");
        }
        if class == PatternClass::Whorl {
            let (a, b) = (sing.cores[0], sing.cores[1]);
            let (cx, cy) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
            let r = ((a.x - b.x).hypot(a.y - b.y)) / 2.0 + 10.0;
            let idx = poincare_index(&angle, cx, cy, r, 96);
            assert!((idx - 1.0).abs() < 1e-3, "whorl index {idx}");
        }
    }
}

#[test]
fn an_arch_has_no_singular_point() {
    let m = master_of(PatternClass::Arch, 6);
    assert!(m.params.orientation.singularities.cores.is_empty());
    let angle = field_angle(&m);
    for y in (20..m.height - 20).step_by(25) {
        for x in (20..m.width - 20).step_by(25) {
            let idx = poincare_index(&angle, x as f32, y as f32, 10.0, 48);
            assert!(idx.abs() < 1e-3, "index {idx} at {x},{y}");
        }
    }
}

fn bilinear(m: &Master, x: f32, y: f32) -> f32 {
    let (ix, iy) = (x.floor() as usize, y.floor() as usize);
    let (fx, fy) = (x - ix as f32, y - iy as f32);
    let v = |x: usize, y: usize| m.ridge(x, y);
    let top = v(ix, iy) * (1.0 - fx) + v(ix + 1, iy) * fx;
    let bottom = v(ix, iy + 1) * (1.0 - fx) + v(ix + 1, iy + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Ridge period measured from the image: sign changes along a 48-pixel segment across the
/// ridges (normal to the orientation), two per period.
fn measured_period(m: &Master, x: f32, y: f32) -> Option<f32> {
    let theta = m.orientation[y as usize * m.width + x as usize];
    let (nx, ny) = (theta.sin(), theta.cos());
    let mut crossings = Vec::new();
    let mut prev = bilinear(m, x - 24.0 * nx, y - 24.0 * ny);
    for k in 1..=192 {
        let t = -24.0 + k as f32 * 0.25;
        let v = bilinear(m, x + t * nx, y + t * ny);
        if (v > 0.0) != (prev > 0.0) {
            crossings.push(t);
        }
        prev = v;
    }
    let n = crossings.len();
    (n >= 5).then(|| 2.0 * (crossings[n - 1] - crossings[0]) / (n - 1) as f32)
}

#[test]
fn ridge_period_is_in_the_configured_range_and_follows_the_map() {
    let config = SynthConfig::default();
    let (lo, hi) = config.period_range;
    for seed in [21, 22, 23] {
        let m = generate_master(seed, &config);
        let sil = &m.params.silhouette;
        let sing = &m.params.orientation.singularities;
        let mut ratios = Vec::new();
        let mut periods = Vec::new();
        for y in (30..m.height - 30).step_by(17) {
            for x in (30..m.width - 30).step_by(17) {
                let (fx, fy) = (x as f32, y as f32);
                let far = sing
                    .cores
                    .iter()
                    .chain(&sing.deltas)
                    .all(|p| (p.x - fx).hypot(p.y - fy) > 40.0);
                if sil.depth(fx, fy) < 40.0 || !far {
                    continue;
                }
                if let Some(p) = measured_period(&m, fx, fy) {
                    periods.push(p);
                    ratios.push(p / m.period[y * m.width + x]);
                }
            }
        }
        assert!(periods.len() > 50, "too few samples: {}", periods.len());
        periods.sort_by(f32::total_cmp);
        ratios.sort_by(f32::total_cmp);
        let median = periods[periods.len() / 2];
        assert!(
            median >= lo - 0.5 && median <= hi + 0.5,
            "median period {median}"
        );
        let (q1, q3) = (periods[periods.len() / 4], periods[3 * periods.len() / 4]);
        assert!(q1 >= lo - 1.0 && q3 <= hi + 1.0, "quartiles {q1} {q3}");
        let r = ratios[ratios.len() / 2];
        assert!((r - 1.0).abs() < 0.1, "median measured/map period {r}");
    }
}

#[test]
fn ground_truth_minutiae_are_plausible() {
    let config = SynthConfig::default();
    for seed in [31, 32, 33] {
        let m = generate_master(seed, &config);
        let n = m.minutiae.len();
        assert!((30..=150).contains(&n), "{n} minutiae in a whole master");
        let sil = &m.params.silhouette;
        assert!(m.minutiae.iter().all(|p| sil.depth(p.x, p.y) >= 12.0));
        for (i, a) in m.minutiae.iter().enumerate() {
            for b in &m.minutiae[i + 1..] {
                assert!((a.x - b.x).hypot(a.y - b.y) >= 6.0);
            }
        }
        // Each minutia sits on the ridge pattern: an ending on a ridge pixel or next to one.
        for p in &m.minutiae {
            let near_ridge = (-1..=1).any(|dy: i32| {
                (-1..=1).any(|dx: i32| {
                    m.ridge((p.x as i32 + dx) as usize, (p.y as i32 + dy) as usize) > 0.0
                })
            });
            assert!(near_ridge, "minutia off the ridges at {},{}", p.x, p.y);
        }
    }
}
