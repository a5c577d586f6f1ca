//! Image decoding through galton's entry points: fingerprint images (any format, to gray)
//! and face images (to RGB), under the default decode limits; what decodes and is small is
//! also assessed, so the quality code sees hostile pixels too.
#![no_main]

use galton::image::FingerprintImage;
use galton::quality::face::{self, FaceImage, FaceQualityConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(img) = FingerprintImage::decode(data, 500.0) {
        if img.width() * img.height() <= 256 * 256 {
            let _ = galton::quality::finger::assess(&img);
        }
    }
    if let Ok(img) = FaceImage::decode(data) {
        if img.width() * img.height() <= 256 * 256 {
            let _ = face::assess(&img, None, &FaceQualityConfig::default());
        }
    }
});
