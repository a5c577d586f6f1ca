//! The face assessment on inputs that are not faces: bad buffers and regions, tiny and
//! uniform images; and the feedback messages themselves.

use super::*;
use crate::error::Error;

fn run(image: &FaceImage, region: Option<&FaceRegion>) -> FaceQuality {
    assess(image, region, &FaceQualityConfig::default()).unwrap()
}

fn fails(q: &FaceQuality, id: &str) -> bool {
    !q.measure(id)
        .unwrap_or_else(|| panic!("no measure {id}"))
        .pass
}

#[test]
fn quality_messages_exist_in_both_locales_and_differ() {
    let mut seen = std::collections::HashSet::new();
    for f in FaceFeedback::ALL {
        let (en, es) = (f.message(Locale::En), f.message(Locale::Es));
        assert!(!en.is_empty() && !es.is_empty() && en != es, "{f:?}");
        assert!(
            seen.insert(en) && seen.insert(es),
            "duplicate message for {f:?}"
        );
        assert!(f.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
    let json = serde_json::to_string(&FaceFeedback::UnevenLighting {
        brighter: Side::Left,
    })
    .unwrap();
    assert_eq!(json, r#"{"code":"uneven_lighting","brighter":"left"}"#);
    assert_eq!(
        serde_json::to_string(&FaceFeedback::TooDark).unwrap(),
        r#"{"code":"too_dark"}"#
    );
}

#[test]
fn quality_bad_inputs_are_typed_errors() {
    let bad_image =
        |r: Result<FaceImage>| assert!(matches!(r, Err(Error::InvalidImage(_))), "{r:?}");
    bad_image(FaceImage::from_rgb(4, 4, vec![0; 47]));
    bad_image(FaceImage::from_rgb(0, 4, vec![]));
    bad_image(FaceImage::from_rgba(2, 2, &[0; 15]));
    bad_image(FaceImage::from_gray(3, 0, &[]));
    assert!(matches!(
        FaceImage::from_rgb(100_000, 100_000, vec![]),
        Err(Error::LimitExceeded {
            limit: crate::Limit::ImageSide,
            ..
        })
    ));
    bad_image(FaceImage::decode(b"not an image"));
    assert!(matches!(
        FaceImage::open("/nonexistent/face.png"),
        Err(Error::Io { .. })
    ));

    let img = FaceImage::from_gray(64, 48, &[128; 64 * 48]).unwrap();
    let cfg = FaceQualityConfig::default();
    let bad = |region: FaceRegion| {
        let r = assess(&img, Some(&region), &cfg);
        assert!(
            matches!(r, Err(Error::InvalidArgument(_))),
            "{region:?}: {r:?}"
        );
    };
    bad(FaceRegion::Box {
        x: 100.0,
        y: 10.0,
        width: 20.0,
        height: 20.0,
    });
    bad(FaceRegion::Box {
        x: 50.0,
        y: 10.0,
        width: 40.0,
        height: 20.0,
    }); // mostly outside
    bad(FaceRegion::Box {
        x: 10.0,
        y: 10.0,
        width: 0.0,
        height: 20.0,
    });
    bad(FaceRegion::Box {
        x: 10.0,
        y: 10.0,
        width: -5.0,
        height: 20.0,
    });
    bad(FaceRegion::Box {
        x: f32::NAN,
        y: 10.0,
        width: 5.0,
        height: 20.0,
    });
    bad(FaceRegion::Box {
        x: 1.0,
        y: 1.0,
        width: f32::INFINITY,
        height: 20.0,
    });
    bad(FaceRegion::Eyes {
        left: (10.0, 10.0),
        right: (10.2, 10.0),
    });
    bad(FaceRegion::Eyes {
        left: (10.0, f32::NAN),
        right: (30.0, 10.0),
    });
    bad(FaceRegion::Eyes {
        left: (10.0, 10.0),
        right: (70.0, 10.0),
    });
    bad(FaceRegion::Eyes {
        left: (-1.0, 10.0),
        right: (30.0, 10.0),
    });
    let mut c = cfg;
    c.min_sharpness = f32::NAN;
    assert!(matches!(
        assess(&img, None, &c),
        Err(Error::InvalidArgument(_))
    ));
    let mut c = cfg;
    c.min_luminance_mean = 0.9;
    assert!(matches!(
        assess(&img, None, &c),
        Err(Error::InvalidArgument(_))
    ));
    // A box partly outside is clipped.
    let q = assess(
        &img,
        Some(&FaceRegion::Box {
            x: 40.0,
            y: 10.0,
            width: 40.0,
            height: 20.0,
        }),
        &cfg,
    )
    .unwrap();
    assert_eq!((q.region.x, q.region.width), (40, 24));
}

#[test]
fn quality_uniform_gray_fails_contrast_without_panicking() {
    let img = FaceImage::from_gray(640, 480, &vec![128; 640 * 480]).unwrap();
    let q = run(&img, None);
    println!("uniform gray: {q:?}");
    assert!(!q.pass);
    assert!(
        fails(&q, "dynamic_range") && fails(&q, "luminance_variance") && fails(&q, "sharpness")
    );
    assert!(!fails(&q, "luminance_mean") && !fails(&q, "illumination_uniformity"));
    assert!(
        q.feedback.contains(&FaceFeedback::LowContrast),
        "{:?}",
        q.feedback
    );
    assert!(q.score.is_finite() && q.score < 50.0);
}

#[test]
fn quality_tiny_images_do_not_panic() {
    let one = FaceImage::from_rgb(1, 1, vec![200, 150, 120]).unwrap();
    for region in [
        None,
        Some(FaceRegion::Box {
            x: 0.0,
            y: 0.0,
            width: 1.0,
            height: 1.0,
        }),
        Some(FaceRegion::Eyes {
            left: (0.0, 0.5),
            right: (1.0, 0.5),
        }),
    ] {
        let q = run(&one, region.as_ref());
        assert!(!q.pass && q.score.is_finite());
        assert!(
            q.measures
                .iter()
                .all(|m| m.value.is_finite() && (0.0..=100.0).contains(&m.score)),
            "{q:?}"
        );
    }
    for (w, h) in [(2, 1), (3, 3), (1, 7)] {
        let img = FaceImage::from_gray(w, h, &vec![90; (w * h) as usize]).unwrap();
        assert!(!run(&img, None).pass);
    }
    // Pure black and pure white do not divide by zero.
    for v in [0u8, 255] {
        let img = FaceImage::from_gray(50, 50, &[v; 2500]).unwrap();
        let q = run(&img, None);
        assert!(q.score.is_finite() && !q.pass, "{q:?}");
    }
}
