//! Face image quality (placeholder until the face helper lands).
