//! Image input: decoding fingerprint images into 8-bit grayscale with a known resolution.
//!
//! galton reads PNG, BMP, TIFF, JPEG and PGM/PPM files, 8- or 16-bit, grayscale or colour
//! (colour is converted to luma). The resolution is never taken from the file: scanners and
//! databases often store a meaningless one (the FVC2002 TIFFs say 1 dpi), so the caller states it.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, GrayImage, ImageReader};

use crate::error::{Error, Result};
use crate::limits::Limit;

/// Lowest resolution galton accepts, in pixels per inch.
pub const MIN_PPI: f32 = 300.0;
/// Highest resolution galton accepts, in pixels per inch.
pub const MAX_PPI: f32 = 1000.0;
/// The resolution galton works at internally.
pub const WORKING_PPI: f32 = 500.0;

/// Limits applied while decoding, so that a hostile header cannot make galton allocate
/// gigabytes before a single pixel is read. Part of [`crate::Limits`]; going over one is
/// [`Error::LimitExceeded`] (a side below `min_side` is [`Error::InvalidImage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest accepted width or height, in pixels.
    pub max_side: u32,
    /// Largest accepted number of pixels. The decoder may allocate 8 bytes for each (a
    /// 16-bit RGBA decode) and no more.
    pub max_pixels: u64,
    /// Smallest accepted width or height, in pixels.
    pub min_side: u32,
    /// Largest accepted file, in bytes, checked before the file is read or decoded.
    pub max_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        // A 1000 ppi image of a four-finger slap is about 3200 × 3000 pixels; 32 Mpx in
        // 16-bit gray, uncompressed, is 64 MiB.
        DecodeLimits {
            max_side: 8192,
            max_pixels: 32 * 1024 * 1024,
            min_side: 32,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// An 8-bit grayscale fingerprint image and its resolution.
///
/// Dark pixels are ridges, light pixels valleys, as on an optical or capacitive sensor.
#[derive(Debug, Clone)]
pub struct FingerprintImage {
    gray: GrayImage,
    ppi: f32,
}

impl FingerprintImage {
    /// Wraps an already decoded grayscale image.
    pub fn new(gray: GrayImage, ppi: f32) -> Result<Self> {
        check_ppi(ppi)?;
        check_dimensions(gray.width(), gray.height(), &DecodeLimits::default())?;
        Ok(FingerprintImage { gray, ppi })
    }

    /// Builds an image from row-major 8-bit gray pixels.
    pub fn from_raw(width: u32, height: u32, pixels: Vec<u8>, ppi: f32) -> Result<Self> {
        let expected = width as u64 * height as u64;
        if pixels.len() as u64 != expected {
            return Err(Error::InvalidImage(format!(
                "{width}×{height} image needs {expected} bytes, got {}",
                pixels.len()
            )));
        }
        let gray = GrayImage::from_raw(width, height, pixels)
            .ok_or_else(|| Error::InvalidImage("pixel buffer does not fit dimensions".into()))?;
        Self::new(gray, ppi)
    }

    /// Builds an image from row-major 8-bit RGBA pixels (a browser's `ImageData`), turned
    /// to gray with the same weights as a decoded colour file, so that a PNG and the
    /// `ImageData` of the same picture give the same fingerprint image. Alpha is ignored.
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>, ppi: f32) -> Result<Self> {
        let expected = width as u64 * height as u64 * 4;
        if rgba.len() as u64 != expected {
            return Err(Error::InvalidImage(format!(
                "{width}×{height} RGBA image needs {expected} bytes, got {}",
                rgba.len()
            )));
        }
        check_ppi(ppi)?;
        check_dimensions(width, height, &DecodeLimits::default())?;
        let rgba = image::RgbaImage::from_raw(width, height, rgba)
            .ok_or_else(|| Error::InvalidImage("pixel buffer does not fit dimensions".into()))?;
        Self::new(DynamicImage::ImageRgba8(rgba).into_luma8(), ppi)
    }

    /// Decodes an image file (format detected from its content) with the default limits.
    pub fn open(path: impl AsRef<Path>, ppi: f32) -> Result<Self> {
        Self::open_with_limits(path, ppi, &DecodeLimits::default())
    }

    /// Decodes an image file with explicit limits; a file over `limits.max_bytes` is refused
    /// before it is read.
    pub fn open_with_limits(
        path: impl AsRef<Path>,
        ppi: f32,
        limits: &DecodeLimits,
    ) -> Result<Self> {
        let bytes = read_limited(path.as_ref(), limits)?;
        Self::decode_with_limits(&bytes, ppi, limits)
    }

    /// Decodes image bytes (format detected from their content) with the default limits.
    pub fn decode(bytes: &[u8], ppi: f32) -> Result<Self> {
        Self::decode_with_limits(bytes, ppi, &DecodeLimits::default())
    }

    /// Decodes image bytes with explicit limits.
    pub fn decode_with_limits(bytes: &[u8], ppi: f32, limits: &DecodeLimits) -> Result<Self> {
        check_ppi(ppi)?;
        let gray = decode_limited(bytes, limits)?.into_luma8();
        Ok(FingerprintImage { gray, ppi })
    }

    /// The grayscale pixels.
    pub fn gray(&self) -> &GrayImage {
        &self.gray
    }

    /// Resolution in pixels per inch.
    pub fn ppi(&self) -> f32 {
        self.ppi
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.gray.width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.gray.height()
    }

    /// Consumes the image and returns its pixels.
    pub fn into_gray(self) -> GrayImage {
        self.gray
    }
}

/// Reads a file after checking its size against `limits.max_bytes`.
pub(crate) fn read_limited(path: &Path, limits: &DecodeLimits) -> Result<Vec<u8>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    Limit::ImageBytes.check(size, limits.max_bytes)?;
    std::fs::read(path).map_err(io)
}

/// An error of the image decoder: its refusal to allocate is a limit, anything else a bad
/// image.
fn decoder_error(e: image::ImageError, limits: &DecodeLimits) -> Error {
    match e {
        image::ImageError::Limits(_) => {
            Limit::ImageMemory.exceeded(limits.max_pixels.saturating_mul(8), None)
        }
        other => Error::InvalidImage(other.to_string()),
    }
}

/// Decodes image bytes (format detected from their content), checking their length and the
/// dimensions in the header against `limits` before any pixel buffer is allocated. Shared
/// by the fingerprint and face image types.
pub(crate) fn decode_limited(bytes: &[u8], limits: &DecodeLimits) -> Result<DynamicImage> {
    Limit::ImageBytes.check(bytes.len() as u64, limits.max_bytes)?;
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::InvalidImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(Error::InvalidImage(
            "unrecognised image format (expected PNG, BMP, TIFF, JPEG or PGM)".into(),
        ));
    }
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| decoder_error(e, limits))?;
    check_dimensions(w, h, limits)?;
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::InvalidImage(e.to_string()))?;
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(limits.max_side);
    lim.max_image_height = Some(limits.max_side);
    // Room for a 16-bit RGBA decode of the largest accepted image.
    lim.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(lim);
    reader.decode().map_err(|e| decoder_error(e, limits))
}

fn check_ppi(ppi: f32) -> Result<()> {
    if !(MIN_PPI..=MAX_PPI).contains(&ppi) {
        return Err(Error::UnsupportedResolution { ppi });
    }
    Ok(())
}

pub(crate) fn check_dimensions(w: u32, h: u32, limits: &DecodeLimits) -> Result<()> {
    if w < limits.min_side || h < limits.min_side {
        return Err(Error::InvalidImage(format!(
            "{w}×{h} is too small: both sides must be at least {} pixels",
            limits.min_side
        )));
    }
    Limit::ImageSide.check(w.max(h).into(), limits.max_side.into())?;
    Limit::ImagePixels.check(w as u64 * h as u64, limits.max_pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_resolution_out_of_range() {
        let err = FingerprintImage::from_raw(64, 64, vec![0; 64 * 64], 72.0).unwrap_err();
        assert!(matches!(err, Error::UnsupportedResolution { .. }), "{err}");
    }

    #[test]
    fn rgba_pixels_give_the_gray_of_the_same_picture_decoded_from_a_file() {
        // A colour gradient, written as PNG and decoded, against its raw RGBA pixels.
        let (w, h) = (40u32, 36u32);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                [
                    (i % 251) as u8,
                    (i * 7 % 256) as u8,
                    (i * 13 % 256) as u8,
                    255,
                ]
            })
            .collect();
        let mut png = Vec::new();
        image::RgbaImage::from_raw(w, h, rgba.clone())
            .unwrap()
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let decoded = FingerprintImage::decode(&png, 500.0).unwrap();
        let direct = FingerprintImage::from_rgba(w, h, rgba, 500.0).unwrap();
        assert_eq!(direct.gray().as_raw(), decoded.gray().as_raw());
        assert_ne!(direct.gray().as_raw()[1], direct.gray().as_raw()[2]);

        let err = FingerprintImage::from_rgba(w, h, vec![0; 10], 500.0).unwrap_err();
        assert!(
            err.to_string()
                .contains("RGBA image needs 5760 bytes, got 10"),
            "{err}"
        );
    }

    #[test]
    fn rejects_garbage_bytes() {
        let err = FingerprintImage::decode(b"definitely not an image", 500.0).unwrap_err();
        assert!(matches!(err, Error::InvalidImage(_)), "{err}");
    }

    #[test]
    fn rejects_buffer_size_mismatch() {
        let err = FingerprintImage::from_raw(64, 64, vec![0; 10], 500.0).unwrap_err();
        assert!(err.to_string().contains("needs 4096 bytes"), "{err}");
    }

    #[test]
    fn decodes_png_round_trip_and_16_bit() {
        let gray = GrayImage::from_fn(40, 50, |x, y| image::Luma([(x * 5 + y) as u8]));
        let mut png = Vec::new();
        gray.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let img = FingerprintImage::decode(&png, 500.0).unwrap();
        assert_eq!(img.gray(), &gray);

        let wide: image::ImageBuffer<image::Luma<u16>, Vec<u16>> =
            image::ImageBuffer::from_fn(40, 50, |x, _| image::Luma([(x as u16) * 1000]));
        let mut png16 = Vec::new();
        wide.write_to(&mut Cursor::new(&mut png16), image::ImageFormat::Png)
            .unwrap();
        let img = FingerprintImage::decode(&png16, 500.0).unwrap();
        // 39000 / 65535 * 255 ≈ 152
        assert_eq!(img.gray().get_pixel(39, 0)[0], 152);
        assert_eq!(img.gray().get_pixel(0, 0)[0], 0);
    }

    #[test]
    fn refuses_huge_header_before_allocating() {
        // A valid PNG signature and IHDR claiming 100000 × 100000 pixels, no data.
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
        // An empty IDAT chunk: the header is complete, the pixel data missing.
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(b"IDAT");
        png.extend_from_slice(&crc32fast::hash(b"IDAT").to_be_bytes());
        let err = FingerprintImage::decode(&png, 500.0).unwrap_err();
        assert!(
            matches!(
                err,
                Error::LimitExceeded {
                    limit: Limit::ImageSide,
                    max: 8192,
                    actual: Some(100_000)
                }
            ),
            "{err}"
        );
    }
}
