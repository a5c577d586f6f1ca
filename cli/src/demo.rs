//! `galton demo`: the main job on embedded data. An enrollment population is built from the
//! bundled fixture images (extracted here) and the generator (templates-only fingers and
//! synthetic faces), with duplicates planted in it: people enrolled twice under different ids,
//! ids carrying another person's face or finger. The demo stores it in an SQLite gallery, runs
//! the deduplication, prints what it found against what was planted (precision and recall),
//! shows the questions asked at a counter, and writes the reviewer's report.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use galton::face::FaceEmbedding;
use galton::gallery::{DuplicatePolicy, EnrollOutcome, Gallery, GalleryConfig, Subject, TailModel};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::synth::population::{person_id, Population, PopulationSpec};
use galton::synth::templates::finger_templates;
use galton::synth::SynthConfig;
use galton::FingerPosition::{LeftIndex, RightIndex};

mod fixtures;

/// Arguments of `galton demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the gallery database and the deduplication report (created; a gallery
    /// left there by an earlier demo is replaced).
    #[arg(long = "report", default_value = "galton-demo")]
    pub report: PathBuf,
    /// Generated people besides the five from the bundled images.
    #[arg(long, default_value_t = 1000)]
    pub people: usize,
}

/// Seed of the demo's faces for the fixture people.
const FIXTURE_FACES: u64 = 2025;

/// Runs the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    println!("galton demo: enrollment and deduplication on embedded data\n");
    println!(
        "1. Extraction: the bundled synthetic impressions (fixtures/synth), graded against the \
         generator's truth (found = within 12 px and 30°)"
    );
    let fixtures = fixtures::extract_and_grade()?;

    let dir = &args.report;
    let images = dir.join("images");
    std::fs::create_dir_all(&images)
        .with_context(|| format!("cannot create {}", images.display()))?;
    let template = |finger: u32, impression: u32| {
        fixtures
            .iter()
            .find(|f| f.finger == finger && f.impression == impression)
            .map(|f| (f.template.clone(), f.png))
            .with_context(|| format!("fixture {finger}_{impression} is not bundled"))
    };
    let faces = FaceSynth::new(128, FIXTURE_FACES);
    let face = |person: u64, capture: u64| {
        FaceEmbedding::new(faces.capture(900_000 + person, capture, DEFAULT_SPREAD))
    };

    // Five people from the images: fingers 2k+1 (right index) and 2k+2 (left index).
    let mut subjects = Vec::new();
    let mut planted: Vec<(String, String)> = Vec::new();
    let fixture_subject = |id: &str, k: u32, impression: u32| -> anyhow::Result<Subject> {
        let mut s = Subject::new(id);
        for (position, finger) in [(RightIndex, 2 * k + 1), (LeftIndex, 2 * k + 2)] {
            let (t, png) = template(finger, impression)?;
            let path = images.join(format!("{finger}_{impression}.png"));
            std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
            let absolute = std::fs::canonicalize(&path).unwrap_or(path);
            s = s
                .with_finger(position, t)
                .with_metadata(format!("image:{position}"), absolute.display().to_string());
        }
        Ok(s.with_metadata("source", "bundled fixture images"))
    };
    for k in 0..5u32 {
        subjects.push(fixture_subject(&format!("FIX{k}"), k, 1)?.with_face(face(k as u64, 0)?));
    }
    // Planted among them: FIX0 again with other impressions and a new photo; FIX1 again,
    // fingers only; FIX2's right index under a new id with somebody else's left index.
    subjects.push(fixture_subject("FIX-DUP0", 0, 3)?.with_face(face(0, 1)?));
    planted.push(("FIX0".into(), "FIX-DUP0".into()));
    subjects.push(fixture_subject("FIX-DUP1", 1, 4)?);
    planted.push(("FIX1".into(), "FIX-DUP1".into()));
    let mut shared = fixture_subject("FIX-SHP2", 2, 2)?.with_face(face(100, 0)?);
    let stranger = finger_templates(99, 0, 1, &SynthConfig::default());
    shared
        .fingers
        .insert(LeftIndex, vec![stranger.impressions[0].clone()]);
    shared.metadata.remove("image:left-index");
    subjects.push(shared);
    planted.push(("FIX2".into(), "FIX-SHP2".into()));

    let population = Population::generate(PopulationSpec {
        seed: 7,
        people: args.people,
        fingers: 2,
        face_dim: Some(128),
        reenrolled: (args.people / 50).max(1),
        shared_face: (args.people / 300).max(1),
        shared_finger: (args.people / 300).max(1),
        ..PopulationSpec::default()
    });
    subjects.extend(population.subjects.iter().cloned());
    planted.extend(population.planted.iter().cloned());
    println!(
        "\n2. Population: {} records: 5 people from the images, {} generated people (two \
         fingers each, templates only, and a 128-d synthetic face), and {} planted duplicates: \
         {} re-enrolled under a new id, {} ids with another person's face, {} with another \
         person's finger",
        subjects.len(),
        args.people,
        planted.len(),
        planted
            .iter()
            .filter(|(_, b)| b.starts_with("DUP") || b.starts_with("FIX-DUP"))
            .count(),
        planted.iter().filter(|(_, b)| b.starts_with("SHF")).count(),
        planted
            .iter()
            .filter(|(_, b)| b.starts_with("SHP") || b.starts_with("FIX-SHP"))
            .count(),
    );

    let t = Instant::now();
    let impostors = population.finger_impostor_scores(30_000);
    let config = GalleryConfig {
        finger_model: TailModel::fit(&impostors)?,
        ..GalleryConfig::default()
    };
    println!(
        "\n3. Calibration: the fingerprint impostor tail fitted on {} impostor comparisons \
         ({:.1} s); faces use the default model. Duplicates are reported at a fused false \
         match rate of {:.0e} per pair.",
        impostors.len(),
        t.elapsed().as_secs_f64(),
        config.duplicate_fmr
    );

    let db = dir.join("gallery.db");
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    let t = Instant::now();
    let mut gallery = Gallery::open(&db, config)?;
    let count = gallery.import(subjects)?;
    println!(
        "\n4. Enrollment: {count} records imported into {} in {:.1} s (one transaction; the \
         duplicate check is the deduplication below)",
        db.display(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let report = gallery.deduplicate()?;
    let wall = t.elapsed().as_secs_f64();
    let planted_set: HashSet<(String, String)> = planted.iter().cloned().collect();
    let is_planted = |a: &str, b: &str| {
        planted_set.contains(&(a.to_string(), b.to_string()))
            || planted_set.contains(&(b.to_string(), a.to_string()))
    };
    let true_pairs = report
        .pairs
        .iter()
        .filter(|p| is_planted(&p.a, &p.b))
        .count();
    let precision = true_pairs as f64 / report.pairs.len().max(1) as f64;
    let recall = true_pairs as f64 / planted.len().max(1) as f64;
    println!(
        "\n5. Deduplication: {} subjects, {} pairs compared in full after the prefilter and \
         the face join, {:.1} s\n  found {} suspected pairs in {} clusters: {true_pairs} of \
         the {} planted (recall {recall:.3}), {} not planted (precision {precision:.3})",
        report.subjects,
        report.compared,
        wall,
        report.pairs.len(),
        report.clusters.len(),
        planted.len(),
        report.pairs.len() - true_pairs,
    );
    let found: HashSet<(&str, &str)> = report
        .pairs
        .iter()
        .flat_map(|p| [(p.a.as_str(), p.b.as_str()), (p.b.as_str(), p.a.as_str())])
        .collect();
    let missed: Vec<String> = planted
        .iter()
        .filter(|(a, b)| !found.contains(&(a.as_str(), b.as_str())))
        .map(|(a, b)| format!("{a}~{b}"))
        .collect();
    if !missed.is_empty() {
        println!("  missed: {}", missed.join(", "));
    }
    for p in report.pairs.iter().filter(|p| !is_planted(&p.a, &p.b)) {
        println!(
            "  not planted: {} ~ {} (fused FMR {:.1e})",
            p.a,
            p.b,
            p.comparison.fmr()
        );
    }
    if !report.inconsistent.is_empty() {
        println!(
            "  {} records whose impressions of one finger disagree",
            report.inconsistent.len()
        );
    }

    println!("\n6. At the counter");
    // Person 3 comes back with new captures and asks for a new number.
    let captures = population.probe(3, 2, true);
    let mut walk_in = Subject::new("WALK-IN");
    walk_in.fingers = captures
        .fingers
        .into_iter()
        .map(|(p, t)| (p, vec![t]))
        .collect();
    walk_in.face = captures.face;
    let original = person_id(3);
    let outcome = gallery.enroll(walk_in.clone(), DuplicatePolicy::Reject)?;
    match &outcome {
        EnrollOutcome::RejectedDuplicate { duplicates } => println!(
            "  enroll {:?} (new captures of {original}): refused, its biometrics belong to {} \
             (fused FMR {:.1e})",
            walk_in.id,
            duplicates[0].id,
            duplicates[0].comparison.fmr()
        ),
        other => println!("  enroll {:?}: {other:?}", walk_in.id),
    }
    let probe = population.probe(0, 2, true);
    let hits = gallery.identify(&probe, 3)?;
    if let Some(best) = hits.first() {
        println!(
            "  identify new captures of {}: best candidate {} (fused FMR {:.1e}, {} modalities)",
            person_id(0),
            best.id,
            best.comparison.fmr(),
            best.comparison.modalities.len()
        );
    }
    let claim = gallery.verify(&person_id(1), &probe)?;
    println!(
        "  verify the same captures as {}: {} (fused FMR {:.1e})",
        person_id(1),
        if claim.is_match { "match" } else { "no match" },
        claim.comparison.fmr()
    );

    crate::gallery::report::write_report(dir, &gallery, &report, wall)?;
    println!(
        "\n7. Report for reviewers: {}/index.html, pairs.csv, report.json\n\ndone in {:.1} s",
        dir.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
