//! Fingerprint feature extraction: from a grayscale image to a minutiae [`Template`].
//!
//! [`Template`]: crate::template::Template

pub mod skeleton;
