//! Hand-made hostile image files through galton's entry points: headers claiming huge,
//! zero or negative sizes in every format galton reads, decompression bombs, oversized
//! files. Each must be refused with a typed error before the pixels are allocated, which a
//! counting allocator checks; the limits are configurable, and a raised limit then accepts
//! a legitimately large image.

#[path = "hostile/alloc.rs"]
mod alloc;

use std::io::Cursor;

use alloc::{peak_during, Counting};
use galton::image::{DecodeLimits, FingerprintImage};
use galton::quality::face::FaceImage;
use galton::{Error, Limit};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Refusing a hostile header may allocate this much at most (decoder state, messages).
const SMALL: usize = 1 << 20;

fn chunk(out: &mut Vec<u8>, tag: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(tag);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG of 8-bit gray with this IHDR size and these IDAT bytes, every CRC valid.
fn png(width: u32, height: u32, idat: &[u8]) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The concatenated IDAT data of a PNG.
fn idat_of(png: &[u8]) -> Vec<u8> {
    let mut at = 8;
    let mut data = Vec::new();
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            data.extend_from_slice(&png[at + 8..at + 8 + len]);
        }
        at += 12 + len;
    }
    data
}

/// A real PNG of a black `side` × `side` gray image: a few kilobytes that expand to
/// `side²` bytes.
fn black_png(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::GrayImage::new(side, side)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn assert_limit(result: Result<impl std::fmt::Debug, Error>, limit: Limit, actual: Option<u64>) {
    match result {
        Err(Error::LimitExceeded {
            limit: got,
            actual: got_actual,
            ..
        }) if got == limit && got_actual == actual => {}
        other => panic!("expected {limit:?} exceeded by {actual:?}, got {other:?}"),
    }
}

/// Decodes as a fingerprint at 500 ppi and returns the result and the peak allocation.
fn decode(bytes: &[u8]) -> (galton::Result<FingerprintImage>, usize) {
    peak_during(|| FingerprintImage::decode(bytes, 500.0))
}

#[test]
fn png_header_of_100000_by_100000_is_refused_before_allocating() {
    let bytes = png(100_000, 100_000, &[]);
    let (result, peak) = decode(&bytes);
    assert_limit(result, Limit::ImageSide, Some(100_000));
    assert!(peak < SMALL, "refusing the header allocated {peak} bytes");
    let err = FingerprintImage::decode(&bytes, 500.0)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "limit exceeded: image side of 100000 pixels is over the limit of 8192 \
         (DecodeLimits::max_side)"
    );
    // The face entry point applies the same limits.
    let (result, peak) = peak_during(|| FaceImage::decode(&bytes));
    assert_limit(result, Limit::ImageSide, Some(100_000));
    assert!(peak < SMALL, "{peak}");
}

#[test]
fn decompression_bomb_is_refused_by_its_header_and_accepted_within_raised_limits() {
    // 4096² black pixels: 16 MiB from a few kilobytes.
    let real = black_png(4096);
    assert!(real.len() < 100_000, "{} bytes", real.len());
    // The same stream under a header claiming 8192²: within the side limit, over the
    // 32 Mpx pixel limit (and the data would run out).
    let bomb = png(8192, 8192, &idat_of(&real));
    let (result, peak) = decode(&bomb);
    assert_limit(result, Limit::ImagePixels, Some(8192 * 8192));
    assert!(peak < SMALL, "{peak}");
    // With the pixel limit raised, the header passes and the decoder finds the data short:
    // a damaged image, not a crash.
    let raised = DecodeLimits {
        max_pixels: 8192 * 8192,
        ..DecodeLimits::default()
    };
    let err = FingerprintImage::decode_with_limits(&bomb, 500.0, &raised).unwrap_err();
    assert!(matches!(err, Error::InvalidImage(_)), "{err}");
    // The honest 16 Mpx image is accepted by default, refused under a 1 Mpx limit.
    let image = FingerprintImage::decode(&real, 500.0).unwrap();
    assert_eq!((image.width(), image.height()), (4096, 4096));
    assert!(image.gray().as_raw().iter().all(|&p| p == 0));
    let small = DecodeLimits {
        max_pixels: 1 << 20,
        ..DecodeLimits::default()
    };
    let (result, peak) = peak_during(|| FingerprintImage::decode_with_limits(&real, 500.0, &small));
    assert_limit(result, Limit::ImagePixels, Some(4096 * 4096));
    assert!(peak < SMALL, "{peak}");
}

#[test]
fn truncated_compressed_stream_is_a_damaged_image() {
    let real = black_png(2048);
    let idat = idat_of(&real);
    // (The last four bytes are the stream's Adler-32, which the decoder does not need.)
    for cut in [0, 2, idat.len() / 2, idat.len() * 9 / 10, idat.len() - 6] {
        let bytes = png(2048, 2048, &idat[..cut]);
        match FingerprintImage::decode(&bytes, 500.0) {
            Err(Error::InvalidImage(_)) => {}
            Err(other) => panic!("cut {cut}: {other}"),
            Ok(_) => panic!("cut {cut} of {}: decoded", idat.len()),
        }
    }
}

#[test]
fn zero_sized_headers_are_invalid_images() {
    for (w, h) in [(0, 100), (100, 0), (0, 0)] {
        let err = FingerprintImage::decode(&png(w, h, &[]), 500.0).unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{w}×{h}: {err}");
    }
}

/// A BMP file header, BITMAPINFOHEADER and palette for 8-bit pixels of this size, no data.
fn bmp(width: i32, height: i32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&1078u32.to_le_bytes()); // file size (a lie, as the data is missing)
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&1078u32.to_le_bytes()); // pixel data offset
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // planes
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per pixel
    out.extend_from_slice(&[0; 24]); // no compression, sizes, resolution, palette counts
    out.extend_from_slice(&[0; 1024]); // the 256-entry palette of 8-bit pixels
    out
}

#[test]
fn bmp_headers_with_huge_zero_and_negative_sizes() {
    // Negative height means top-down rows.
    for (w, h) in [(9000, 40), (40, -9000), (5000, -7000)] {
        let (result, peak) = decode(&bmp(w, h));
        let side = w.unsigned_abs().max(h.unsigned_abs());
        if side > 8192 {
            assert_limit(result, Limit::ImageSide, Some(side.into()));
        } else {
            let pixels = u64::from(w.unsigned_abs()) * u64::from(h.unsigned_abs());
            assert_limit(result, Limit::ImagePixels, Some(pixels));
        }
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
    // Beyond 65535 a side the BMP decoder refuses the header itself.
    for (w, h) in [(100_000, 100_000), (100_000, -100_000)] {
        let (result, peak) = decode(&bmp(w, h));
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{w}×{h}: {err}");
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
    for (w, h) in [(0, 100), (-100, 100), (100, i32::MIN), (100, 0)] {
        let (result, peak) = decode(&bmp(w, h));
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{w}×{h}: {err}");
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
}

/// A little-endian baseline TIFF header and IFD for 8-bit gray of this size, one strip
/// that is not there.
fn tiff(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    let entries: [(u16, u16, u32); 8] = [
        (256, 4, width),                        // ImageWidth, LONG
        (257, 4, height),                       // ImageLength
        (258, 3, 8),                            // BitsPerSample, SHORT
        (259, 3, 1),                            // Compression: none
        (262, 3, 1),                            // PhotometricInterpretation: black is zero
        (273, 4, 200),                          // StripOffsets
        (278, 4, height),                       // RowsPerStrip
        (279, 4, width.saturating_mul(height)), // StripByteCounts
    ];
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out
}

#[test]
fn tiff_headers_with_huge_and_zero_sizes() {
    for (w, h) in [(100_000, 100_000), (u32::MAX, 100), (6000, 6000)] {
        let (result, peak) = decode(&tiff(w, h));
        let actual = if w.max(h) > 8192 {
            (Limit::ImageSide, u64::from(w.max(h)))
        } else {
            (Limit::ImagePixels, u64::from(w) * u64::from(h))
        };
        assert_limit(result, actual.0, Some(actual.1));
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
    for (w, h) in [(0, 100), (100, 0)] {
        let (result, peak) = decode(&tiff(w, h));
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{w}×{h}: {err}");
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
}

/// A real 16 × 16 gray JPEG whose frame header is changed to claim this size.
fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut out = Vec::new();
    image::GrayImage::from_fn(16, 16, |x, y| image::Luma([(x * 16 + y) as u8]))
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    let sof = out
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

#[test]
fn jpeg_headers_with_huge_and_zero_sizes() {
    let (result, peak) = decode(&jpeg(65_535, 65_535));
    assert_limit(result, Limit::ImageSide, Some(65_535));
    assert!(peak < SMALL, "{peak}");
    for (w, h) in [(0, 100), (100, 0)] {
        let (result, peak) = decode(&jpeg(w, h));
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{w}×{h}: {err}");
        assert!(peak < SMALL, "{w}×{h}: {peak}");
    }
}

#[test]
fn pgm_headers_with_huge_zero_negative_and_overflowing_sizes() {
    let (result, peak) = decode(b"P5\n100000 100000\n255\n");
    assert_limit(result, Limit::ImageSide, Some(100_000));
    assert!(peak < SMALL, "{peak}");
    for header in [
        &b"P5\n0 100\n255\n"[..],
        b"P5\n-5 100\n255\n",
        b"P5\n99999999999999999999 1\n255\n",
        b"P5\n100 100\n0\n",
        b"P2\n100 100\n65536\n",
    ] {
        let (result, peak) = decode(header);
        let err = result.unwrap_err();
        assert!(
            matches!(err, Error::InvalidImage(_)),
            "{:?}: {err}",
            String::from_utf8_lossy(header)
        );
        assert!(peak < SMALL, "{peak}");
    }
}

#[test]
fn input_over_the_byte_limit_is_refused_before_decoding_or_reading() {
    let real = black_png(64);
    let tight = DecodeLimits {
        max_bytes: real.len() as u64 - 1,
        ..DecodeLimits::default()
    };
    let result = FingerprintImage::decode_with_limits(&real, 500.0, &tight);
    assert_limit(result, Limit::ImageBytes, Some(real.len() as u64));
    let exact = DecodeLimits {
        max_bytes: real.len() as u64,
        ..tight
    };
    assert!(FingerprintImage::decode_with_limits(&real, 500.0, &exact).is_ok());

    // A 1 GiB file (sparse: nothing is written) is refused from its size, unread.
    let dir = std::env::temp_dir().join(format!("galton-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.png");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1 << 30).unwrap();
    drop(file);
    let (result, peak) = peak_during(|| FingerprintImage::open(&path, 500.0));
    assert_limit(result, Limit::ImageBytes, Some(1 << 30));
    assert!(peak < SMALL, "{peak}");
    let (result, peak) = peak_during(|| FaceImage::open(&path));
    assert_limit(result, Limit::ImageBytes, Some(1 << 30));
    assert!(peak < SMALL, "{peak}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn raised_side_limit_accepts_a_long_strip() {
    // 9000 × 40: a legitimate panorama-shaped scan, over the default side limit.
    let mut bytes = Vec::new();
    image::GrayImage::from_fn(9000, 40, |x, _| image::Luma([(x % 256) as u8]))
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    assert_limit(
        FingerprintImage::decode(&bytes, 500.0),
        Limit::ImageSide,
        Some(9000),
    );
    let wide = DecodeLimits {
        max_side: 9000,
        ..DecodeLimits::default()
    };
    let image = FingerprintImage::decode_with_limits(&bytes, 500.0, &wide).unwrap();
    assert_eq!(image.gray().get_pixel(8999, 0)[0], (8999 % 256) as u8);
    let face = FaceImage::decode_with_limits(&bytes, &wide).unwrap();
    assert_eq!((face.width(), face.height()), (9000, 40));
}
