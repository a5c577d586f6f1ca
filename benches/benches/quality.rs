//! Capture-quality assessment per frame.
//!
//! `cargo bench -p galton-benches --bench quality`
//!
//! - `face/640x480`: the face fixture (fixtures/face/astronaut.jpg, eyes 113 px apart) in a
//!   640 × 480 webcam-sized frame, eye positions given, as a browser calls it on every
//!   frame; `face/640x480/central` without a region, and `face/640x480/full_frame_box` with
//!   a box covering the whole frame (the most pixels a 640 × 480 frame can ask for).
//! - `finger/500x500`: FVC2002 DB1 101_1 stretched to fill a 500 × 500 frame at 500 ppi
//!   (ridges everywhere); `finger/388x374` the image as it is; `finger/500x500/extract` a
//!   full minutiae extraction of the same frame, for comparison.

use criterion::{criterion_group, criterion_main, Criterion};
use galton::image::FingerprintImage;
use galton::quality::face::{self, FaceImage, FaceQualityConfig, FaceRegion};
use galton::quality::finger;
use std::hint::black_box;

const FACE_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/face/astronaut.jpg"
);
/// Eye centres in the fixture, from fixtures/face/astronaut.json.
const EYES: [(f32, f32); 2] = [(192.5, 225.0), (305.0, 231.2)];

/// The 500 × 500 fixture centred in a mid-grey 640 × 480 frame (10 rows cut top and
/// bottom); returns the frame and where its eyes are.
fn webcam_frame() -> (FaceImage, FaceRegion) {
    let photo = FaceImage::open(FACE_FIXTURE).expect("face fixture");
    let (pw, ph) = (photo.width() as i64, photo.height() as i64);
    let (w, h, dx, dy) = (640i64, 480i64, 70i64, -10i64);
    let mut rgb = vec![128u8; (w * h * 3) as usize];
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = (x - dx, y - dy);
            if (0..pw).contains(&sx) && (0..ph).contains(&sy) {
                let s = ((sy * pw + sx) * 3) as usize;
                let d = ((y * w + x) * 3) as usize;
                rgb[d..d + 3].copy_from_slice(&photo.rgb()[s..s + 3]);
            }
        }
    }
    let shift = |(x, y): (f32, f32)| (x + dx as f32, y + dy as f32);
    let eyes = FaceRegion::Eyes {
        left: shift(EYES[0]),
        right: shift(EYES[1]),
    };
    (FaceImage::from_rgb(w as u32, h as u32, rgb).unwrap(), eyes)
}

fn face(c: &mut Criterion) {
    let (frame, eyes) = webcam_frame();
    let config = FaceQualityConfig::default();
    let q = face::assess(&frame, Some(&eyes), &config).unwrap();
    assert!(q.pass, "the bench frame should pass: {q:?}");
    let full = FaceRegion::Box {
        x: 0.0,
        y: 0.0,
        width: 640.0,
        height: 480.0,
    };
    let mut g = c.benchmark_group("face");
    g.bench_function("640x480", |b| {
        b.iter(|| face::assess(black_box(&frame), Some(&eyes), &config).unwrap())
    });
    g.bench_function("640x480/central", |b| {
        b.iter(|| face::assess(black_box(&frame), None, &config).unwrap())
    });
    g.bench_function("640x480/full_frame_box", |b| {
        b.iter(|| face::assess(black_box(&frame), Some(&full), &config).unwrap())
    });
    g.finish();
}

// ---- finger -------------------------------------------------------------------------

/// FVC2002 DB1 101_1 (388 × 374) stretched to fill a 500 × 500 frame at 500 ppi: ridges
/// everywhere, the most work a 500 × 500 capture can ask for.
fn finger_frame() -> (FingerprintImage, FingerprintImage) {
    let path = galton_benches::fvc2002_images("DB1_B")[0].clone();
    let src = FingerprintImage::open(&path, 500.0).expect("FVC2002 DB1 101_1");
    let (w, h) = (src.width() as usize, src.height() as usize);
    let raw = src.gray().as_raw();
    let mut px = vec![0u8; 500 * 500];
    for y in 0..500 {
        for x in 0..500 {
            px[y * 500 + x] = raw[(y * h / 500) * w + x * w / 500];
        }
    }
    let frame = FingerprintImage::from_raw(500, 500, px, 500.0).unwrap();
    (frame, src)
}

fn finger(c: &mut Criterion) {
    let (frame, native) = finger_frame();
    let q = finger::assess(&frame).unwrap();
    assert!(
        q.features.is_some(),
        "the bench frame has a fingerprint area"
    );
    let mut g = c.benchmark_group("finger");
    g.bench_function("500x500", |b| {
        b.iter(|| finger::assess(black_box(&frame)).unwrap())
    });
    g.bench_function("388x374", |b| {
        b.iter(|| finger::assess(black_box(&native)).unwrap())
    });
    // For comparison: a full extraction of the same frame.
    g.bench_function("500x500/extract", |b| {
        b.iter(|| galton::fingerprint::extract(black_box(&frame)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, face, finger);
criterion_main!(benches);
