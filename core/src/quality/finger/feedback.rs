//! What to tell the person at the sensor, from the measured features.

use serde::Serialize;

use crate::quality::Locale;

/// A problem with a fingerprint capture, with a message for the person at the sensor.
///
/// Each code comes from measured features against a threshold of
/// [`FingerQualityConfig`](super::FingerQualityConfig); the thresholds and their
/// derivation are documented there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FingerFeedback {
    /// No fingerprint area was found: an empty sensor, or a print without ridges.
    NoFinger,
    /// Thin, broken ridges (the ridge/valley width ratio is low): dry skin, or too light a
    /// touch.
    TooDry,
    /// Thick, merged ridges (the ratio is high): wet skin, or pressed too hard.
    TooWet,
    /// Faint print: little gray-level contrast between ridges and valleys.
    LowContrast,
    /// Too little of the finger touches the sensor.
    SmallArea,
    /// The fingerprint lies far from the centre of the image.
    OffCentre,
    /// Ridges are not clearly separated from valleys (low local clarity or orientation
    /// certainty) without being dry or wet: movement, a smudge or a dirty sensor.
    Smudged,
    /// Too few minutiae were found to match reliably.
    TooFewMinutiae,
    /// The overall score is too low although no single cause stands out.
    Retry,
}

impl FingerFeedback {
    /// Every code, in the order they are reported.
    pub const ALL: [FingerFeedback; 9] = [
        FingerFeedback::NoFinger,
        FingerFeedback::TooDry,
        FingerFeedback::TooWet,
        FingerFeedback::LowContrast,
        FingerFeedback::SmallArea,
        FingerFeedback::OffCentre,
        FingerFeedback::Smudged,
        FingerFeedback::TooFewMinutiae,
        FingerFeedback::Retry,
    ];

    /// Stable snake-case code, e.g. `"too_dry"`.
    pub fn code(self) -> &'static str {
        match self {
            FingerFeedback::NoFinger => "no_finger",
            FingerFeedback::TooDry => "too_dry",
            FingerFeedback::TooWet => "too_wet",
            FingerFeedback::LowContrast => "low_contrast",
            FingerFeedback::SmallArea => "small_area",
            FingerFeedback::OffCentre => "off_centre",
            FingerFeedback::Smudged => "smudged",
            FingerFeedback::TooFewMinutiae => "too_few_minutiae",
            FingerFeedback::Retry => "retry",
        }
    }

    /// The message for the person at the sensor.
    pub fn message(self, locale: Locale) -> &'static str {
        use FingerFeedback::*;
        match (self, locale) {
            (NoFinger, Locale::En) => "No finger detected: place your finger on the sensor.",
            (NoFinger, Locale::Es) => "No se detecta ningún dedo: apoye el dedo sobre el sensor.",
            (TooDry, Locale::En) => {
                "Your finger is too dry: rub your fingertips together or breathe on them, then press again."
            }
            (TooDry, Locale::Es) => {
                "Su dedo está demasiado seco: frote las yemas de los dedos o écheles el aliento y vuelva a apoyarlo."
            }
            (TooWet, Locale::En) => {
                "Your finger is too wet or pressed too hard: dry it and press gently."
            }
            (TooWet, Locale::Es) => {
                "Su dedo está demasiado húmedo o presiona con demasiada fuerza: séquelo y apóyelo suavemente."
            }
            (LowContrast, Locale::En) => {
                "The print is faint: press a little more firmly and clean the sensor."
            }
            (LowContrast, Locale::Es) => {
                "La huella se ve tenue: presione un poco más y limpie el sensor."
            }
            (SmallArea, Locale::En) => {
                "Too little of the finger touches the sensor: lay it flat over the whole window."
            }
            (SmallArea, Locale::Es) => {
                "Muy poca superficie del dedo toca el sensor: apóyelo plano sobre toda la ventana."
            }
            (OffCentre, Locale::En) => "The finger is off centre: place it in the middle of the sensor.",
            (OffCentre, Locale::Es) => "El dedo no está centrado: colóquelo en el centro del sensor.",
            (Smudged, Locale::En) => {
                "The print is smudged or blurred: keep your finger still and clean the sensor."
            }
            (Smudged, Locale::Es) => {
                "La huella está borrosa o corrida: mantenga el dedo quieto y limpie el sensor."
            }
            (TooFewMinutiae, Locale::En) => {
                "Too few ridge details are visible: place the pad of your finger flat, its centre on the sensor."
            }
            (TooFewMinutiae, Locale::Es) => {
                "Se ven muy pocos detalles de la huella: apoye la yema del dedo plana, con su centro sobre el sensor."
            }
            (Retry, Locale::En) => "The print is not clear enough: lift your finger and place it again.",
            (Retry, Locale::Es) => {
                "La huella no es lo bastante nítida: levante el dedo y vuelva a apoyarlo."
            }
        }
    }
}
