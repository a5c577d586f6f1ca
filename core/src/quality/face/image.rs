//! The input of the face assessment: an 8-bit RGB image.

use std::path::Path;

use crate::error::{Error, Result};
use crate::image::{check_dimensions, decode_limited, read_limited, DecodeLimits};

/// An 8-bit RGB image of a face (or of a scene with a face in it), row-major, three bytes
/// per pixel, gamma-encoded as cameras and files deliver it (sRGB).
///
/// Any size from 1 × 1 up to the default [`DecodeLimits`] (8192 pixels a side, 32 Mpixel)
/// is accepted; images too small to judge simply fail the resolution measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceImage {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

/// The limits for raw buffers and for [`FaceImage::decode`]: the default decoding limits,
/// but any side of at least one pixel.
fn face_limits() -> DecodeLimits {
    DecodeLimits {
        min_side: 1,
        ..DecodeLimits::default()
    }
}

fn check_buffer(width: u32, height: u32, len: usize, channels: u64, what: &str) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::InvalidImage(format!(
            "{width}×{height} {what} image is empty"
        )));
    }
    check_dimensions(width, height, &face_limits())?;
    let expected = width as u64 * height as u64 * channels;
    if len as u64 != expected {
        return Err(Error::InvalidImage(format!(
            "{width}×{height} {what} image needs {expected} bytes, got {len}"
        )));
    }
    Ok(())
}

impl FaceImage {
    /// Wraps row-major RGB8 pixels (`width × height × 3` bytes).
    ///
    /// Errors with [`Error::InvalidImage`] on a zero side or a wrong buffer length, and
    /// [`Error::LimitExceeded`] on a size beyond the decoding limits.
    pub fn from_rgb(width: u32, height: u32, rgb: Vec<u8>) -> Result<Self> {
        check_buffer(width, height, rgb.len(), 3, "RGB")?;
        Ok(FaceImage { width, height, rgb })
    }

    /// Copies row-major RGBA8 pixels (`width × height × 4` bytes, e.g. a browser's
    /// `ImageData`), dropping alpha.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Self> {
        check_buffer(width, height, rgba.len(), 4, "RGBA")?;
        let rgb = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Ok(FaceImage { width, height, rgb })
    }

    /// Copies row-major 8-bit gray pixels (`width × height` bytes) into RGB.
    pub fn from_gray(width: u32, height: u32, gray: &[u8]) -> Result<Self> {
        check_buffer(width, height, gray.len(), 1, "gray")?;
        let rgb = gray.iter().flat_map(|&g| [g, g, g]).collect();
        Ok(FaceImage { width, height, rgb })
    }

    /// Decodes PNG, JPEG, BMP, TIFF or PNM bytes (format detected from the content), 8- or
    /// 16-bit, gray or colour; alpha is dropped. The header is checked against the default
    /// decoding limits before pixels are allocated.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Self::decode_with_limits(bytes, &face_limits())
    }

    /// Decodes image bytes with explicit limits.
    pub fn decode_with_limits(bytes: &[u8], limits: &DecodeLimits) -> Result<Self> {
        let rgb = decode_limited(bytes, limits)?.into_rgb8();
        let (width, height) = rgb.dimensions();
        Ok(FaceImage {
            width,
            height,
            rgb: rgb.into_raw(),
        })
    }

    /// Reads and decodes an image file; a read failure is [`Error::Io`] with the path.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with_limits(path, &face_limits())
    }

    /// Reads and decodes an image file with explicit limits; a file over
    /// `limits.max_bytes` is refused before it is read.
    pub fn open_with_limits(path: impl AsRef<Path>, limits: &DecodeLimits) -> Result<Self> {
        let bytes = read_limited(path.as_ref(), limits)?;
        Self::decode_with_limits(&bytes, limits)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row-major RGB8.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// Consumes the image and returns its pixels (row-major RGB8).
    pub fn into_rgb(self) -> Vec<u8> {
        self.rgb
    }
}
