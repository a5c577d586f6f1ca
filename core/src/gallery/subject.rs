//! What a gallery holds about one person ([`Subject`]) and what it is asked about ([`Probe`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::face::FaceEmbedding;
use crate::template::{FingerPosition, Template};
use crate::{Error, Result};

/// Longest external id, in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Most impressions kept per finger of a subject.
pub const MAX_IMPRESSIONS: usize = 4;
/// Most metadata entries per subject.
pub const MAX_METADATA_ENTRIES: usize = 32;
/// Longest metadata key or value, in bytes.
pub const MAX_METADATA_BYTES: usize = 1024;

/// One enrolled person: an external id (a social-security or national id number, say), up to
/// ten fingers keyed by position (one to [`MAX_IMPRESSIONS`] impressions each), an optional
/// face embedding, and small text metadata.
///
/// ```
/// use galton::gallery::Subject;
/// use galton::FingerPosition;
/// # let template = galton::Template { width: 300, height: 300, ppi: 500.0, finger: None,
/// #     quality: None, minutiae: vec![] };
/// let subject = Subject::new("SSN-1234")
///     .with_finger(FingerPosition::RightIndex, template.clone())
///     .with_finger(FingerPosition::LeftIndex, template)
///     .with_metadata("office", "Quito-3");
/// assert_eq!(subject.finger_positions().count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// The external id, unique in a gallery.
    pub id: String,
    /// Impressions of each finger.
    pub fingers: BTreeMap<FingerPosition, Vec<Template>>,
    /// The face embedding, if captured (L2-normalised on creation).
    pub face: Option<FaceEmbedding>,
    /// Free text metadata (office, date of capture, operator …).
    pub metadata: BTreeMap<String, String>,
}

impl Subject {
    /// A subject with an id and no biometrics yet.
    pub fn new(id: impl Into<String>) -> Subject {
        Subject {
            id: id.into(),
            fingers: BTreeMap::new(),
            face: None,
            metadata: BTreeMap::new(),
        }
    }

    /// Adds an impression of the finger at `position`.
    pub fn with_finger(mut self, position: FingerPosition, template: Template) -> Subject {
        self.fingers.entry(position).or_default().push(template);
        self
    }

    /// Sets the face embedding.
    pub fn with_face(mut self, face: FaceEmbedding) -> Subject {
        self.face = Some(face);
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Subject {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The positions of the fingers this subject has.
    pub fn finger_positions(&self) -> impl Iterator<Item = FingerPosition> + '_ {
        self.fingers.keys().copied()
    }

    /// The biometrics of this subject as a probe (the first impression of each finger).
    pub fn to_probe(&self) -> Probe {
        Probe {
            fingers: self
                .fingers
                .iter()
                .filter_map(|(&p, t)| t.first().map(|t| (p, t.clone())))
                .collect(),
            face: self.face.clone(),
        }
    }

    /// Checks what a gallery requires, with an error naming the first problem: an id of 1 to
    /// [`MAX_ID_BYTES`] bytes without control characters; at least one modality; only known
    /// finger positions, each with 1 to [`MAX_IMPRESSIONS`] impressions of at least one
    /// minutia; small metadata; a face of `face_dim` values if the gallery has fixed one.
    pub fn validate(&self, face_dim: Option<usize>) -> Result<()> {
        validate_id(&self.id)?;
        let who = &self.id;
        if self.fingers.is_empty() && self.face.is_none() {
            return Err(Error::InvalidArgument(format!(
                "subject {who:?} has neither fingers nor a face"
            )));
        }
        for (position, impressions) in &self.fingers {
            check_finger(who, *position, impressions.len(), MAX_IMPRESSIONS)?;
            for (i, template) in impressions.iter().enumerate() {
                check_template(who, *position, i, template)?;
            }
        }
        if let (Some(face), Some(dim)) = (&self.face, face_dim) {
            check_face_dim(who, face, dim)?;
        }
        if self.metadata.len() > MAX_METADATA_ENTRIES {
            return Err(Error::InvalidArgument(format!(
                "subject {who:?} has {} metadata entries, at most {MAX_METADATA_ENTRIES} are kept",
                self.metadata.len()
            )));
        }
        for (key, value) in &self.metadata {
            if key.is_empty() || key.len() > MAX_METADATA_BYTES || value.len() > MAX_METADATA_BYTES
            {
                return Err(Error::InvalidArgument(format!(
                    "subject {who:?}: metadata key {key:?} must be 1 to {MAX_METADATA_BYTES} \
                     bytes, and its value at most {MAX_METADATA_BYTES}"
                )));
            }
        }
        Ok(())
    }
}

/// Biometrics captured at a counter or an enrollment station, to compare with a gallery: one
/// impression per finger, an optional face.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Probe {
    /// One impression per finger.
    pub fingers: BTreeMap<FingerPosition, Template>,
    /// The face embedding, if captured.
    pub face: Option<FaceEmbedding>,
}

impl Probe {
    /// An empty probe.
    pub fn new() -> Probe {
        Probe::default()
    }

    /// Sets the impression of the finger at `position`.
    pub fn with_finger(mut self, position: FingerPosition, template: Template) -> Probe {
        self.fingers.insert(position, template);
        self
    }

    /// Sets the face embedding.
    pub fn with_face(mut self, face: FaceEmbedding) -> Probe {
        self.face = Some(face);
        self
    }

    /// Checks the probe: at least one modality, known finger positions, templates with
    /// minutiae, a face of the gallery's dimension.
    pub fn validate(&self, face_dim: Option<usize>) -> Result<()> {
        let who = "probe";
        if self.fingers.is_empty() && self.face.is_none() {
            return Err(Error::InvalidArgument(
                "the probe has neither fingers nor a face".into(),
            ));
        }
        for (position, template) in &self.fingers {
            check_finger(who, *position, 1, 1)?;
            check_template(who, *position, 0, template)?;
        }
        if let (Some(face), Some(dim)) = (&self.face, face_dim) {
            check_face_dim(who, face, dim)?;
        }
        Ok(())
    }
}

/// Checks an external id.
pub fn validate_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(format!(
            "id {id:?}: an id is 1 to {MAX_ID_BYTES} bytes without control characters"
        )));
    }
    Ok(())
}

fn check_finger(who: &str, position: FingerPosition, count: usize, most: usize) -> Result<()> {
    if position == FingerPosition::Unknown {
        return Err(Error::InvalidArgument(format!(
            "{who:?}: a finger of unknown position cannot be enrolled or searched; \
             say which finger it is (right-thumb … left-little)"
        )));
    }
    if count == 0 || count > most {
        return Err(Error::InvalidArgument(format!(
            "{who:?}: {position} has {count} impressions, 1 to {most} are accepted"
        )));
    }
    Ok(())
}

fn check_template(who: &str, position: FingerPosition, i: usize, t: &Template) -> Result<()> {
    if t.minutiae.is_empty() {
        return Err(Error::InvalidTemplate {
            format: "template",
            reason: format!("{who:?}: impression {i} of {position} has no minutiae"),
        });
    }
    if !(t.ppi.is_finite() && t.ppi > 0.0) {
        return Err(Error::InvalidTemplate {
            format: "template",
            reason: format!(
                "{who:?}: impression {i} of {position} has resolution {} ppi",
                t.ppi
            ),
        });
    }
    Ok(())
}

fn check_face_dim(who: &str, face: &FaceEmbedding, dim: usize) -> Result<()> {
    if face.dim() != dim {
        return Err(Error::InvalidEmbedding {
            row: None,
            reason: format!(
                "{who:?}: face embedding has {} values, this gallery holds {dim}",
                face.dim()
            ),
        });
    }
    Ok(())
}
