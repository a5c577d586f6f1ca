//! Capture quality: is this fingerprint or face image good enough, and if not, what should
//! the person at the counter change?
//!
//! Both assessments return a list of [`Measure`]s (each scored 0–100 with a pass/fail
//! verdict against a documented threshold), a unified 0–100 score, and feedback codes with
//! messages in Spanish or English ([`Locale`]). The same code runs natively, in Python and
//! in the browser.
//!
//! - [`finger`]: fingerprint image quality in the spirit of NFIQ 2 (ISO/IEC 29794-4).
//! - [`face`]: face image quality in the spirit of OFIQ (ISO/IEC 29794-5), with measures
//!   that need no neural network.

pub mod face;
pub mod finger;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::Error;

/// The language of feedback messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Locale {
    /// The ISO 639-1 code: `"en"` or `"es"`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Locale {
    type Err = Error;

    /// Accepts `en`, `es` and regional forms such as `es-AR` or `en_GB` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Error> {
        let lang = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "en" => Ok(Locale::En),
            "es" => Ok(Locale::Es),
            _ => Err(Error::InvalidArgument(format!(
                "unknown locale {s:?}: feedback messages exist in \"en\" and \"es\""
            ))),
        }
    }
}

/// One quality measure of an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Stable identifier, snake case (e.g. `"orientation_certainty"`, `"inter_eye_distance"`).
    pub id: &'static str,
    /// Quality on 0–100 (higher is better).
    pub score: f32,
    /// Whether the measure meets its threshold.
    pub pass: bool,
    /// The raw measured value, in the unit documented for the measure.
    pub value: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_parses_codes_and_regional_forms() {
        assert_eq!("es".parse::<Locale>().unwrap(), Locale::Es);
        assert_eq!("es-AR".parse::<Locale>().unwrap(), Locale::Es);
        assert_eq!("EN_gb".parse::<Locale>().unwrap(), Locale::En);
        let err = "fr".parse::<Locale>().unwrap_err().to_string();
        assert!(err.contains("fr") && err.contains("es"), "{err}");
    }
}
