//! `galton enroll`: one subject into the gallery, after the duplicate check.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use galton::face::FaceEmbedding;
use galton::gallery::{subject, DuplicatePolicy, EnrollOutcome, Gallery, Hit, Subject};
use rayon::prelude::*;

use super::{
    exit, fmr_text, image_key, load_face, load_finger, matched_names, modalities_text,
    open_gallery, FingerArg, LoadedFinger, MetaArg,
};

/// Arguments of `galton enroll`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes:
  0  enrolled
  3  stored, but flagged as a suspected duplicate (the matching ids are on stderr)
  4  rejected as a duplicate (with --reject-duplicates)
  5  the id is registered already, with different biometrics: not stored
  6  the id is registered already, with these same biometrics: nothing changed
  1  any other error (bad input, unusable database)")]
pub struct EnrollArgs {
    /// The gallery database (created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub lock: super::LockArgs,
    /// The subject's external id.
    #[arg(long)]
    pub id: String,
    /// A finger: its position and an image or template file, e.g.
    /// `right-index=101_1.png`. Repeat for more fingers, or for more impressions of one.
    #[arg(long = "finger", value_name = "FINGER=FILE")]
    pub fingers: Vec<FingerArg>,
    /// The face embedding: a JSON array of numbers, or a .npy float32/float64 vector.
    #[arg(long, value_name = "EMB.json|EMB.npy")]
    pub face: Option<PathBuf>,
    /// A metadata entry (repeatable).
    #[arg(long = "meta", value_name = "KEY=VALUE")]
    pub meta: Vec<MetaArg>,
    /// Refuse a suspected duplicate instead of storing it flagged.
    #[arg(long)]
    pub reject_duplicates: bool,
    /// Resolution of image inputs in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; the exit code tells the outcome (see `--help`).
pub fn run(args: &EnrollArgs) -> anyhow::Result<ExitCode> {
    subject::validate_id(&args.id)?;
    let fingers: Vec<LoadedFinger> = args
        .fingers
        .par_iter()
        .map(|f| load_finger(f.position, &f.path, args.ppi))
        .collect::<anyhow::Result<_>>()?;
    let face = args.face.as_deref().map(load_face).transpose()?;
    let meta = args.meta.iter().map(|m| (m.key.clone(), m.value.clone()));
    let subject = build_subject(&args.id, fingers, face, meta)?;
    let mut gallery = open_gallery(&args.db, &args.lock)?;
    let outcome = gallery
        .enroll(subject, policy(args.reject_duplicates))
        .with_context(|| format!("cannot enroll {:?}", args.id))?;
    let code = exit_code(&outcome);
    if args.json {
        let mut value = serde_json::to_value(&outcome)?;
        value["id"] = args.id.clone().into();
        value["exit_code"] = code.into();
        println!("{value}");
    }
    describe(&gallery, &args.id, &outcome, args.json);
    Ok(ExitCode::from(code))
}

/// The policy of the `--reject-duplicates` flag.
pub fn policy(reject: bool) -> DuplicatePolicy {
    if reject {
        DuplicatePolicy::Reject
    } else {
        DuplicatePolicy::Flag
    }
}

/// The exit code of an enrollment outcome.
pub fn exit_code(outcome: &EnrollOutcome) -> u8 {
    match outcome {
        EnrollOutcome::Enrolled => 0,
        EnrollOutcome::Flagged { .. } => exit::FLAGGED,
        EnrollOutcome::RejectedDuplicate { .. } => exit::REJECTED_DUPLICATE,
        EnrollOutcome::IdRegisteredWithDifferentBiometrics { .. } => exit::ID_CONFLICT,
        EnrollOutcome::AlreadyEnrolled { .. } => exit::ALREADY_ENROLLED,
    }
}

/// A subject from loaded inputs; the file of each image impression goes into the metadata
/// (`image:<finger>`, `image:<finger>:2` …) while there is room for it.
pub fn build_subject(
    id: &str,
    fingers: Vec<LoadedFinger>,
    face: Option<FaceEmbedding>,
    meta: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<Subject> {
    let mut subject = Subject::new(id);
    for (key, value) in meta {
        subject = subject.with_metadata(key, value);
    }
    for finger in fingers {
        let impression = subject.fingers.get(&finger.position).map_or(0, Vec::len);
        if let Some(image) = &finger.image {
            let key = image_key(finger.position, impression);
            let value = image.to_string_lossy().into_owned();
            if subject.metadata.len() < subject::MAX_METADATA_ENTRIES
                && value.len() <= subject::MAX_METADATA_BYTES
            {
                subject.metadata.entry(key).or_insert(value);
            }
        }
        subject = subject.with_finger(finger.position, finger.template);
    }
    if let Some(face) = face {
        subject = subject.with_face(face);
    }
    if subject.fingers.is_empty() && subject.face.is_none() {
        anyhow::bail!("{id:?}: give at least one --finger or a --face");
    }
    Ok(subject)
}

/// One line on a matching subject: id, fused evidence and FMR, the modalities that match on
/// their own, and every modality's score.
pub fn hit_text(gallery: &Gallery, hit: &Hit) -> String {
    let matched = matched_names(&hit.comparison, gallery.config().match_fmr);
    format!(
        "{} (fused evidence {:.1}, FMR {}; matched: {}; scores: {})",
        hit.id,
        hit.comparison.evidence,
        fmr_text(hit.comparison.fmr()),
        if matched.is_empty() {
            "none alone".to_string()
        } else {
            matched.join(", ")
        },
        modalities_text(&hit.comparison)
    )
}

/// Tells what happened: the result on stdout (unless `--json` printed it), the duplicates
/// and conflicts on stderr.
pub fn describe(gallery: &Gallery, id: &str, outcome: &EnrollOutcome, json: bool) {
    let say = |line: String| {
        if !json {
            println!("{line}");
        }
    };
    match outcome {
        EnrollOutcome::Enrolled => say(format!("enrolled {id}")),
        EnrollOutcome::Flagged { duplicates } => {
            say(format!("enrolled {id}, flagged as a suspected duplicate"));
            for hit in duplicates {
                eprintln!(
                    "galton: {id} is a suspected duplicate of {}",
                    hit_text(gallery, hit)
                );
            }
        }
        EnrollOutcome::RejectedDuplicate { duplicates } => {
            for hit in duplicates {
                eprintln!(
                    "galton: {id} not enrolled: its biometrics match {}",
                    hit_text(gallery, hit)
                );
            }
        }
        EnrollOutcome::IdRegisteredWithDifferentBiometrics { comparison } => eprintln!(
            "galton: {id} not enrolled: the id is registered already, with biometrics that do \
             not match these (fused evidence {:.1}, FMR {}; scores: {})",
            comparison.evidence,
            fmr_text(comparison.fmr()),
            modalities_text(comparison)
        ),
        EnrollOutcome::AlreadyEnrolled { comparison } => eprintln!(
            "galton: {id} is enrolled already with these biometrics (fused evidence {:.1}): \
             nothing changed",
            comparison.evidence
        ),
    }
}

/// The path of `file` as written in a manifest: relative to the manifest's folder.
pub fn resolve(base: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use galton::gallery::GalleryConfig;
    use galton::synth::{templates::finger_templates, SynthConfig};
    use galton::FingerPosition::RightIndex;

    fn finger(f: u64, i: usize, image: Option<&str>) -> LoadedFinger {
        LoadedFinger {
            position: RightIndex,
            template: finger_templates(3, f, 3, &SynthConfig::default()).impressions[i].clone(),
            image: image.map(PathBuf::from),
        }
    }

    #[test]
    fn image_impressions_are_remembered_in_the_metadata() {
        let s = build_subject(
            "S",
            vec![
                finger(0, 0, Some("/a.png")),
                finger(0, 1, None),
                finger(0, 2, Some("/c.png")),
            ],
            None,
            [("office".to_string(), "x".to_string())],
        )
        .unwrap();
        assert_eq!(s.fingers[&RightIndex].len(), 3);
        assert_eq!(s.metadata["image:right-index"], "/a.png");
        assert_eq!(s.metadata["image:right-index:3"], "/c.png");
        assert_eq!(s.metadata.len(), 3);
        assert!(build_subject("S", vec![], None, []).is_err());
    }

    #[test]
    fn each_outcome_has_its_exit_code() {
        let mut g = Gallery::new(GalleryConfig::default());
        let faces = galton::synth::faces::FaceSynth::new(32, 1);
        let subject = |id: &str, f: u64, i: usize| {
            let face = FaceEmbedding::new(faces.capture(f, i as u64, 0.5)).unwrap();
            build_subject(id, vec![finger(f, i, None)], Some(face), []).unwrap()
        };
        let mut enroll = |s, reject| exit_code(&g.enroll(s, policy(reject)).unwrap());
        assert_eq!(enroll(subject("A", 0, 0), false), 0);
        assert_eq!(enroll(subject("B", 0, 1), false), exit::FLAGGED);
        assert_eq!(enroll(subject("C", 0, 2), true), exit::REJECTED_DUPLICATE);
        assert_eq!(enroll(subject("A", 1, 0), false), exit::ID_CONFLICT);
        assert_eq!(enroll(subject("A", 0, 2), false), exit::ALREADY_ENROLLED);
    }
}
