//! Capture-quality assessment per frame.
//!
//! `cargo bench -p galton-benches --bench quality`
//!
//! - `face/640x480`: the face fixture (fixtures/face/astronaut.jpg, eyes 113 px apart) in a
//!   640 × 480 webcam-sized frame, eye positions given, as a browser calls it on every
//!   frame; `face/640x480/central` without a region, and `face/640x480/full_frame_box` with
//!   a box covering the whole frame (the most pixels a 640 × 480 frame can ask for).
//! - `finger/500x500`: to be added by the fingerprint quality work (see `finger` below).

use criterion::{criterion_group, criterion_main, Criterion};
use galton::quality::face::{self, FaceImage, FaceQualityConfig, FaceRegion};
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
// Fingerprint quality goes here: a `fn finger(c: &mut Criterion)` with a benchmark group
// "finger" and a `500x500` function, added to `criterion_group!` below.

criterion_group!(benches, face);
criterion_main!(benches);
