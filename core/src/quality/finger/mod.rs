//! Fingerprint image quality.
