//! What the person in front of the camera should change, in their language.

use serde::Serialize;

use crate::quality::Locale;

/// A side of the person's face, from the person's own point of view (their left is on the
/// image's right in an unmirrored camera image, which is what cameras and the browser's
/// `getUserMedia` frames deliver; only previews are mirrored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person's left.
    Left,
    /// The person's right.
    Right,
}

/// One thing to fix, with a message for the person at the kiosk ([`message`](Self::message)).
///
/// Serialised as an object with a snake-case `code` (and `brighter` for uneven lighting),
/// e.g. `{"code":"uneven_lighting","brighter":"left"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaceFeedback {
    /// The image itself is too small (`resolution` failed): not something the person can
    /// fix; the operator should raise the camera resolution.
    LowResolution,
    /// The face is too small in the frame (`inter_eye_distance` failed).
    TooFar,
    /// The face is too dark (`luminance_mean` too low or `under_exposure` failed).
    TooDark,
    /// The face is too bright (`luminance_mean` too high or `over_exposure` failed).
    TooBright,
    /// The face looks flat (`luminance_variance` or `dynamic_range` failed) though its
    /// brightness is fine: fog, a dirty lens, or flat light.
    LowContrast,
    /// The image is blurred (`sharpness` failed): movement or focus.
    Blurred,
    /// One side of the face is lit more than the other (`illumination_uniformity` failed).
    UnevenLighting {
        /// The side that gets more light, as the person sees it.
        brighter: Side,
    },
    /// Bright reflections on the skin or glasses (`specular_glare` failed).
    Glare,
}

impl FaceFeedback {
    /// Every variant (both sides of uneven lighting), for documentation and tests.
    pub const ALL: [FaceFeedback; 9] = [
        FaceFeedback::LowResolution,
        FaceFeedback::TooFar,
        FaceFeedback::TooDark,
        FaceFeedback::TooBright,
        FaceFeedback::LowContrast,
        FaceFeedback::Blurred,
        FaceFeedback::UnevenLighting {
            brighter: Side::Left,
        },
        FaceFeedback::UnevenLighting {
            brighter: Side::Right,
        },
        FaceFeedback::Glare,
    ];

    /// Stable snake-case code, e.g. `"too_dark"` (both sides of uneven lighting share
    /// `"uneven_lighting"`).
    pub fn code(self) -> &'static str {
        match self {
            FaceFeedback::LowResolution => "low_resolution",
            FaceFeedback::TooFar => "too_far",
            FaceFeedback::TooDark => "too_dark",
            FaceFeedback::TooBright => "too_bright",
            FaceFeedback::LowContrast => "low_contrast",
            FaceFeedback::Blurred => "blurred",
            FaceFeedback::UnevenLighting { .. } => "uneven_lighting",
            FaceFeedback::Glare => "glare",
        }
    }

    /// A short, polite instruction for the person in front of the camera.
    pub fn message(self, locale: Locale) -> &'static str {
        use FaceFeedback::*;
        match (locale, self) {
            (Locale::En, LowResolution) => {
                "The image resolution is too low. Please ask staff to use a higher camera resolution."
            }
            (Locale::Es, LowResolution) => {
                "La resolución de la imagen es demasiado baja. Por favor, pida al personal que use una resolución de cámara mayor."
            }
            (Locale::En, TooFar) => "Please come a little closer to the camera.",
            (Locale::Es, TooFar) => "Por favor, acérquese un poco más a la cámara.",
            (Locale::En, TooDark) => {
                "Your face is too dark. Please move to a brighter spot or turn on a light."
            }
            (Locale::Es, TooDark) => {
                "Su rostro se ve muy oscuro. Por favor, ubíquese en un lugar con más luz o encienda una luz."
            }
            (Locale::En, TooBright) => {
                "Your face is too bright. Please move away from direct light or strong sunlight."
            }
            (Locale::Es, TooBright) => {
                "Su rostro se ve demasiado claro. Por favor, aléjese de la luz directa o del sol fuerte."
            }
            (Locale::En, LowContrast) => {
                "The image looks washed out. Please check that the camera lens is clean and your face is well lit."
            }
            (Locale::Es, LowContrast) => {
                "La imagen se ve sin contraste. Por favor, verifique que la lente de la cámara esté limpia y que su rostro esté bien iluminado."
            }
            (Locale::En, Blurred) => "The image is blurred. Please hold still and look at the camera.",
            (Locale::Es, Blurred) => {
                "La imagen está borrosa. Por favor, no se mueva y mire a la cámara."
            }
            (Locale::En, UnevenLighting { brighter: Side::Left }) => {
                "Uneven lighting on your face: more light falls on your left side. Please move to where the light is even."
            }
            (Locale::En, UnevenLighting { brighter: Side::Right }) => {
                "Uneven lighting on your face: more light falls on your right side. Please move to where the light is even."
            }
            (Locale::Es, UnevenLighting { brighter: Side::Left }) => {
                "Hay sombras en su rostro: le llega más luz por su lado izquierdo. Por favor, busque una luz pareja."
            }
            (Locale::Es, UnevenLighting { brighter: Side::Right }) => {
                "Hay sombras en su rostro: le llega más luz por su lado derecho. Por favor, busque una luz pareja."
            }
            (Locale::En, Glare) => {
                "There are reflections on your face or glasses. Please move away from the light or tilt your glasses slightly."
            }
            (Locale::Es, Glare) => {
                "Hay reflejos en su rostro o en sus anteojos. Por favor, aléjese de la luz o incline un poco los anteojos."
            }
        }
    }
}
