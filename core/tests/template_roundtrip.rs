//! Write → read round trips of every format, single and multi-view, as property tests.

use std::f32::consts::TAU;

use galton::template::{decode_views, encode_views, TemplateFormat};
use galton::{FingerPosition, Minutia, MinutiaKind, Template};
use proptest::prelude::*;

fn finite() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("finite", |v| v.is_finite())
}

fn positive() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("positive", |v| v.is_finite() && *v > 0.0)
}

fn kind() -> impl Strategy<Value = MinutiaKind> {
    prop_oneof![
        Just(MinutiaKind::Ending),
        Just(MinutiaKind::Bifurcation),
        Just(MinutiaKind::Other)
    ]
}

fn finger() -> impl Strategy<Value = FingerPosition> {
    prop::sample::select(FingerPosition::ALL.to_vec())
}

/// Any template galton can hold: every finite float, every optional field.
fn any_template() -> impl Strategy<Value = Template> {
    let minutia = (finite(), finite(), finite(), kind(), 0..=100u8).prop_map(
        |(x, y, direction, kind, quality)| Minutia {
            x,
            y,
            direction,
            kind,
            quality,
        },
    );
    (
        any::<u32>(),
        any::<u32>(),
        positive(),
        proptest::option::of(finger()),
        proptest::option::of(0..=100u8),
        prop::collection::vec(minutia, 0..40),
    )
        .prop_map(|(width, height, ppi, finger, quality, minutiae)| Template {
            width,
            height,
            ppi,
            finger,
            quality,
            minutiae,
        })
}

/// Bit-exact equality, so that -0.0 and 0.0 count as different.
fn assert_bits_equal(a: &[Template], b: &[Template]) {
    assert_eq!(a, b);
    for (a, b) in a.iter().zip(b) {
        assert_eq!(a.ppi.to_bits(), b.ppi.to_bits());
        for (m, n) in a.minutiae.iter().zip(&b.minutiae) {
            let bits = |m: &Minutia| [m.x.to_bits(), m.y.to_bits(), m.direction.to_bits()];
            assert_eq!(bits(m), bits(n));
        }
    }
}

/// Resolution, in ppi, that `ppcm` pixels per centimetre reads back as.
fn ppi_of_ppcm(ppcm: u16) -> f32 {
    (f64::from(ppcm) * 2.54) as f32
}

/// ISO/ANSI views holding only what the format represents exactly: integer positions of 14
/// bits, directions on the format's angle grid (`steps` to a turn), a whole number of pixels
/// per cm, a finger position and a quality. All share the first view's image and resolution.
fn representable_views(steps: u16, max_views: usize) -> impl Strategy<Value = Vec<Template>> {
    let minutia = (0..=0x3FFFu16, 0..=0x3FFFu16, 0..steps, kind(), 0..=100u8).prop_map(
        move |(x, y, angle, kind, quality)| Minutia {
            x: f32::from(x),
            y: f32::from(y),
            direction: (f64::from(angle) * 360.0 / f64::from(steps)).to_radians() as f32,
            kind,
            quality,
        },
    );
    let view = (finger(), 0..=100u8, prop::collection::vec(minutia, 0..40));
    (
        any::<u16>(),
        any::<u16>(),
        1..=u16::MAX,
        prop::collection::vec(view, 1..=max_views),
    )
        .prop_map(|(width, height, ppcm, views)| {
            views
                .into_iter()
                .map(|(finger, quality, minutiae)| Template {
                    width: width.into(),
                    height: height.into(),
                    ppi: ppi_of_ppcm(ppcm),
                    finger: Some(finger),
                    quality: Some(quality),
                    minutiae,
                })
                .collect()
        })
}

/// The format, and a view of every direction in [0, 2π), for the JSON test.
fn json_template() -> impl Strategy<Value = Template> {
    (any_template(), prop::collection::vec(0.0f32..TAU, 40)).prop_map(|(mut t, directions)| {
        for (m, d) in t.minutiae.iter_mut().zip(directions) {
            m.direction = d;
        }
        t
    })
}

fn round_trip(views: &[Template], format: TemplateFormat) -> Vec<Template> {
    let bytes = encode_views(views, format).unwrap();
    assert_eq!(TemplateFormat::detect(&bytes).unwrap(), format);
    decode_views(&bytes).unwrap()
}

proptest! {
    #[test]
    fn galton_is_lossless(t in any_template()) {
        let bytes = t.to_bytes(TemplateFormat::Galton).unwrap();
        assert_bits_equal(&[Template::from_bytes(&bytes).unwrap()], &[t]);
    }

    #[test]
    fn galton_multi_view_is_lossless(views in prop::collection::vec(any_template(), 1..6)) {
        assert_bits_equal(&round_trip(&views, TemplateFormat::Galton), &views);
    }

    #[test]
    fn json_is_lossless(views in prop::collection::vec(json_template(), 1..4)) {
        prop_assert_eq!(round_trip(&views, TemplateFormat::Json), views);
    }

    #[test]
    fn iso_keeps_representable_views(views in representable_views(256, 5)) {
        prop_assert_eq!(round_trip(&views, TemplateFormat::Iso19794_2), views);
    }

    #[test]
    fn ansi_keeps_representable_views(views in representable_views(180, 5)) {
        prop_assert_eq!(round_trip(&views, TemplateFormat::Ansi378), views);
    }

    /// Any template within range comes back quantised as documented: positions rounded to
    /// whole pixels, directions to the nearest angle unit, resolution to whole px/cm.
    #[test]
    fn iso_and_ansi_quantise_as_documented(
        points in prop::collection::vec((-0.49f32..16383.49, -0.49f32..16383.49, 0.0f32..TAU), 1..40),
        ppi in 200.0f32..2000.0,
        finger in proptest::option::of(finger()),
        quality in proptest::option::of(0..=100u8),
    ) {
        let t = Template {
            width: 20000,
            height: 300,
            ppi,
            finger,
            quality,
            minutiae: points
                .iter()
                .map(|&(x, y, direction)| Minutia { x, y, direction, kind: MinutiaKind::Ending, quality: 7 })
                .collect(),
        };
        for (format, unit) in [(TemplateFormat::Iso19794_2, 360.0 / 256.0), (TemplateFormat::Ansi378, 2.0)] {
            let back = Template::from_bytes(&t.to_bytes(format).unwrap()).unwrap();
            prop_assert_eq!((back.width, back.height), (t.width, t.height));
            prop_assert_eq!(back.finger, Some(finger.unwrap_or(FingerPosition::Unknown)));
            prop_assert_eq!(back.quality, Some(quality.unwrap_or(0)));
            let ppcm = f64::from(back.ppi) / 2.54;
            prop_assert!((ppcm - ppcm.round()).abs() < 1e-4, "{} ppi is not whole px/cm", back.ppi);
            prop_assert!((back.ppi - ppi).abs() <= 1.27 + 1e-3, "{} ppi read back as {}", ppi, back.ppi);
            for (m, n) in t.minutiae.iter().zip(&back.minutiae) {
                prop_assert_eq!((n.x, n.y), (m.x.round(), m.y.round()));
                let degrees = f64::from(n.direction).to_degrees();
                let codes = degrees / unit;
                prop_assert!((codes - codes.round()).abs() < 1e-4, "{} is off the angle grid", degrees);
                let error = (degrees - f64::from(m.direction).to_degrees()).rem_euclid(360.0);
                prop_assert!(error.min(360.0 - error) <= unit / 2.0 + 1e-4, "{:?} → {:?}", m, n);
                prop_assert_eq!((n.kind, n.quality), (m.kind, m.quality));
            }
        }
    }
}
