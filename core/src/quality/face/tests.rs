//! The face assessment on a real photo (fixtures/face/astronaut.jpg) and its degradations.

use super::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/face/astronaut.jpg"
);
const FIXTURE_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/face/astronaut.json"
);

struct Fixture {
    image: FaceImage,
    eyes: FaceRegion,
    face_box: FaceRegion,
}

fn fixture() -> Fixture {
    let image = FaceImage::open(FIXTURE).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE_JSON).unwrap()).unwrap();
    let pt = |v: &serde_json::Value| (v[0].as_f64().unwrap() as f32, v[1].as_f64().unwrap() as f32);
    let num = |k: &str| meta["face_box"][k].as_f64().unwrap() as f32;
    assert_eq!(image.width(), meta["width"].as_u64().unwrap() as u32);
    Fixture {
        eyes: FaceRegion::Eyes {
            left: pt(&meta["eyes"]["left"]),
            right: pt(&meta["eyes"]["right"]),
        },
        face_box: FaceRegion::Box {
            x: num("x"),
            y: num("y"),
            width: num("width"),
            height: num("height"),
        },
        image,
    }
}

fn map(image: &FaceImage, f: impl Fn(usize, usize, u8) -> u8) -> FaceImage {
    let w = image.width() as usize;
    let rgb = image
        .rgb()
        .iter()
        .enumerate()
        .map(|(k, &v)| f((k / 3) % w, k / 3 / w, v))
        .collect();
    FaceImage::from_rgb(image.width(), image.height(), rgb).unwrap()
}

fn scale(image: &FaceImage, k: f32) -> FaceImage {
    map(image, |_, _, v| (v as f32 * k).round().min(255.0) as u8)
}

/// Separable Gaussian blur of each channel, edges clamped.
fn blur(image: &FaceImage, sigma: f32) -> FaceImage {
    let r = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let (w, h) = (image.width() as isize, image.height() as isize);
    let src: Vec<f32> = image.rgb().iter().map(|&v| v as f32).collect();
    let mut tmp = vec![0f32; src.len()];
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let s: f32 = (-r..=r)
                    .map(|i| {
                        kernel[(i + r) as usize]
                            * src[((y * w + (x + i).clamp(0, w - 1)) * 3 + c) as usize]
                    })
                    .sum();
                tmp[((y * w + x) * 3 + c) as usize] = s / total;
            }
        }
    }
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let s: f32 = (-r..=r)
                    .map(|i| {
                        kernel[(i + r) as usize]
                            * tmp[(((y + i).clamp(0, h - 1) * w + x) * 3 + c) as usize]
                    })
                    .sum();
                out[((y * w + x) * 3 + c) as usize] = (s / total).round() as u8;
            }
        }
    }
    FaceImage::from_rgb(image.width(), image.height(), out).unwrap()
}

fn shrink(image: &FaceImage, k: f32) -> FaceImage {
    let buf =
        ::image::RgbImage::from_raw(image.width(), image.height(), image.rgb().to_vec()).unwrap();
    let (w, h) = (
        (image.width() as f32 * k).round() as u32,
        (image.height() as f32 * k).round() as u32,
    );
    let small = ::image::imageops::resize(&buf, w, h, ::image::imageops::FilterType::Triangle);
    FaceImage::from_rgb(w, h, small.into_raw()).unwrap()
}

fn scale_region(region: &FaceRegion, k: f32) -> FaceRegion {
    match *region {
        FaceRegion::Eyes { left, right } => FaceRegion::Eyes {
            left: (left.0 * k, left.1 * k),
            right: (right.0 * k, right.1 * k),
        },
        FaceRegion::Box {
            x,
            y,
            width,
            height,
        } => FaceRegion::Box {
            x: x * k,
            y: y * k,
            width: width * k,
            height: height * k,
        },
    }
}

fn run(image: &FaceImage, region: Option<&FaceRegion>) -> FaceQuality {
    assess(image, region, &FaceQualityConfig::default()).unwrap()
}

fn fails(q: &FaceQuality, id: &str) -> bool {
    !q.measure(id)
        .unwrap_or_else(|| panic!("no measure {id}"))
        .pass
}

fn show(name: &str, q: &FaceQuality) {
    let cells: Vec<String> = q
        .measures
        .iter()
        .map(|m| format!("{}={:.4}{}", m.id, m.value, if m.pass { "" } else { "✗" }))
        .collect();
    let codes: Vec<&str> = q.feedback.iter().map(|f| f.code()).collect();
    println!(
        "{name}: score {:.1} pass {} | {} | {:?}",
        q.score,
        q.pass,
        cells.join(" "),
        codes
    );
}

const EXPOSURE: [&str; 4] = [
    "luminance_mean",
    "under_exposure",
    "over_exposure",
    "dynamic_range",
];

#[test]
fn quality_original_passes_with_eyes_box_or_nothing() {
    let f = fixture();
    for (name, region) in [
        ("eyes", Some(&f.eyes)),
        ("box", Some(&f.face_box)),
        ("none", None),
    ] {
        let q = run(&f.image, region);
        show(&format!("original/{name}"), &q);
        assert!(q.pass, "{name}: {q:?}");
        assert!(q.feedback.is_empty(), "{name}: {:?}", q.feedback);
        assert!(q.score > 70.0, "{name}: score {}", q.score);
        assert_eq!(q.measures.len(), 10);
    }
    let q = run(&f.image, Some(&f.eyes));
    assert_eq!(q.inter_eye_source, InterEyeSource::Eyes);
    let d = q.measure("inter_eye_distance").unwrap().value;
    assert!((d - 112.7).abs() < 0.5, "{d}");
    assert_eq!(
        run(&f.image, None).inter_eye_source,
        InterEyeSource::Assumed
    );
}

#[test]
fn quality_darkened_fails_exposure_not_sharpness() {
    let f = fixture();
    let dark = scale(&f.image, 0.25);
    for region in [Some(&f.eyes), Some(&f.face_box), None] {
        let q = run(&dark, region);
        show("darkened ×0.25", &q);
        assert!(
            fails(&q, "luminance_mean") && fails(&q, "under_exposure"),
            "{q:?}"
        );
        assert!(q.feedback.contains(&FaceFeedback::TooDark));
        assert!(
            !q.feedback.contains(&FaceFeedback::LowContrast),
            "one message for darkness"
        );
        for ok in [
            "sharpness",
            "over_exposure",
            "illumination_uniformity",
            "specular_glare",
            "inter_eye_distance",
        ] {
            assert!(!fails(&q, ok), "{ok}: {q:?}");
        }
        assert!(!q.feedback.contains(&FaceFeedback::Blurred));
    }
}

#[test]
fn quality_overexposed_fails_over_exposure() {
    let f = fixture();
    let bright = scale(&f.image, 2.5);
    let q = run(&bright, Some(&f.eyes));
    show("over-exposed ×2.5", &q);
    assert!(
        fails(&q, "over_exposure") && fails(&q, "luminance_mean"),
        "{q:?}"
    );
    assert!(q.feedback.contains(&FaceFeedback::TooBright));
    assert!(!q.feedback.contains(&FaceFeedback::TooDark));
    assert!(!fails(&q, "under_exposure") && !fails(&q, "inter_eye_distance"));
}

#[test]
fn quality_blurred_fails_sharpness_not_exposure() {
    let f = fixture();
    let blurred = blur(&f.image, 3.5);
    for region in [Some(&f.eyes), Some(&f.face_box), None] {
        let q = run(&blurred, region);
        show("blurred σ=3.5", &q);
        assert!(fails(&q, "sharpness"), "{q:?}");
        assert_eq!(q.feedback, vec![FaceFeedback::Blurred]);
        for ok in EXPOSURE
            .iter()
            .chain(&["luminance_variance", "illumination_uniformity"])
        {
            assert!(!fails(&q, ok), "{ok}: {q:?}");
        }
    }
    // A light blur (σ = 1 px, ≈ 0.6 px at the normalised scale) still passes.
    let q = run(&blur(&f.image, 1.0), Some(&f.eyes));
    show("blurred σ=1", &q);
    assert!(!fails(&q, "sharpness"), "{q:?}");
}

#[test]
fn quality_shrunk_fails_resolution_and_inter_eye_distance() {
    let f = fixture();
    let small = shrink(&f.image, 0.4);
    for region in [
        Some(scale_region(&f.eyes, 0.4)),
        Some(scale_region(&f.face_box, 0.4)),
        None,
    ] {
        let q = run(&small, region.as_ref());
        show("shrunk 40%", &q);
        assert!(
            fails(&q, "resolution") && fails(&q, "inter_eye_distance"),
            "{q:?}"
        );
        assert!(q.feedback.contains(&FaceFeedback::TooFar));
        assert!(q.feedback.contains(&FaceFeedback::LowResolution));
        for ok in EXPOSURE
            .iter()
            .chain(&["illumination_uniformity", "luminance_variance"])
        {
            assert!(!fails(&q, ok), "{ok}: {q:?}");
        }
    }
}

#[test]
fn quality_half_shaded_fails_uniformity_with_the_side() {
    let f = fixture();
    let q0 = run(&f.image, Some(&f.eyes));
    let r = q0.region;
    let mid = r.x as usize + r.width as usize / 2;
    // Shade the image's left half of the face: the person's right side is darker, so more
    // light falls on their left.
    let shaded = map(&f.image, |x, _, v| {
        if x < mid {
            (v as f32 * 0.35).round() as u8
        } else {
            v
        }
    });
    for region in [Some(&f.eyes), Some(&f.face_box), None] {
        let q = run(&shaded, region);
        show("half-shaded ×0.35", &q);
        assert!(fails(&q, "illumination_uniformity"), "{q:?}");
        assert!(
            q.feedback.contains(&FaceFeedback::UnevenLighting {
                brighter: Side::Left
            }),
            "{:?}",
            q.feedback
        );
        for ok in ["sharpness", "over_exposure", "inter_eye_distance"] {
            assert!(!fails(&q, ok), "{ok}: {q:?}");
        }
    }
    // The mirror image: the other side.
    let shaded = map(&f.image, |x, _, v| {
        if x >= mid {
            (v as f32 * 0.35).round() as u8
        } else {
            v
        }
    });
    let q = run(&shaded, Some(&f.eyes));
    assert!(
        q.feedback.contains(&FaceFeedback::UnevenLighting {
            brighter: Side::Right
        }),
        "{:?}",
        q.feedback
    );
}

#[test]
fn quality_glare_spots_fail_specular_glare() {
    let f = fixture();
    // Four flash reflections, radius 11 px (0.1 inter-eye distances), on forehead and cheeks.
    let spots = [
        (200.0, 290.0),
        (300.0, 295.0),
        (250.0, 195.0),
        (250.0, 310.0),
    ];
    let glare = map(&f.image, |x, y, v| {
        let hit = spots
            .iter()
            .any(|&(cx, cy): &(f32, f32)| (x as f32 - cx).hypot(y as f32 - cy) <= 11.0);
        if hit {
            255
        } else {
            v
        }
    });
    let q = run(&glare, Some(&f.eyes));
    show("glare spots", &q);
    assert!(fails(&q, "specular_glare"), "{q:?}");
    assert!(q.feedback.contains(&FaceFeedback::Glare));
    for ok in EXPOSURE
        .iter()
        .chain(&["sharpness", "illumination_uniformity"])
    {
        assert!(!fails(&q, ok), "{ok}: {q:?}");
    }
}

#[test]
fn quality_rgba_and_decoded_inputs_agree() {
    let f = fixture();
    let rgba: Vec<u8> = f
        .image
        .rgb()
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let from_rgba = FaceImage::from_rgba(f.image.width(), f.image.height(), &rgba).unwrap();
    assert_eq!(from_rgba, f.image);
    let bytes = std::fs::read(FIXTURE).unwrap();
    assert_eq!(FaceImage::decode(&bytes).unwrap(), f.image);
}

#[test]
fn quality_messages_follow_the_feedback() {
    let f = fixture();
    let q = run(&scale(&f.image, 0.25), Some(&f.eyes));
    let es = q.messages(Locale::Es);
    assert_eq!(es.len(), q.feedback.len());
    assert!(es[0].contains("oscuro"), "{es:?}");
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["measures"].as_array().unwrap().len(), 10);
    assert_eq!(json["inter_eye_source"], "eyes");
}
