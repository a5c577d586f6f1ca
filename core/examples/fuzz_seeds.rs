//! Writes the seed corpora of the cargo fuzz targets (fuzz/README.md) from real data: the
//! fixtures' fingerprint and face images and FVC2002 prints, the templates extracted from
//! them in every format, face index files in every encoding, and a small gallery database.
//!
//! `cargo run -p galton --example fuzz_seeds -- OUT_DIR [DATASETS_DIR]` writes
//! `OUT_DIR/<target>/<name>`; the fuzz targets that read a mode byte first get each seed
//! with mode 0 (as is) and mode 1 (length and checksum fields recomputed).

use std::path::{Path, PathBuf};

use galton::face::{EmbeddingBatch, Encoding, FaceEmbedding, FaceIndex};
use galton::fingerprint;
use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, Subject};
use galton::image::FingerprintImage;
use galton::synth::faces::FaceSynth;
use galton::template::{encode_views, TemplateFormat};
use galton::{FingerPosition, Result, Template};
use image::imageops::FilterType;
use image::ImageFormat;

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let out = args
        .next()
        .expect("usage: fuzz_seeds OUT_DIR [DATASETS_DIR]");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let datasets = args
        .next()
        .or_else(|| std::env::var_os("GALTON_DATASETS").map(PathBuf::from))
        .unwrap_or_else(|| root.join("../shared/datasets"));

    // Fingerprint images: a few fixtures and, when present, a few FVC2002 prints.
    let mut prints: Vec<(String, PathBuf, f32)> = ["1_1", "2_2", "7_3"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                root.join(format!("fixtures/synth/{n}.png")),
                500.0,
            )
        })
        .collect();
    for (db, name) in [("DB1_B", "101_1"), ("DB2_B", "102_2"), ("DB3_B", "103_3")] {
        let path = datasets.join(format!("fvc2002/{db}/{name}.tif"));
        if path.is_file() {
            let ppi = if db == "DB2_B" { 569.0 } else { 500.0 };
            prints.push((format!("{db}-{name}"), path, ppi));
        }
    }

    let images = dir(&out, "image");
    let mut templates = Vec::new();
    for (name, path, ppi) in &prints {
        let bytes = std::fs::read(path).expect("read a fingerprint image");
        let image = FingerprintImage::decode(&bytes, *ppi)?;
        let mut template = fingerprint::extract(&image)?;
        template.finger = Some(FingerPosition::RightIndex);
        templates.push((name.clone(), template));
        // Small copies in every format the decoder reads keep executions fast.
        let small = image::load_from_memory(&bytes)
            .expect("decode a fingerprint image")
            .resize(64, 64, FilterType::Triangle);
        for (ext, format) in [
            ("png", ImageFormat::Png),
            ("bmp", ImageFormat::Bmp),
            ("tif", ImageFormat::Tiff),
            ("jpg", ImageFormat::Jpeg),
            ("pgm", ImageFormat::Pnm),
        ] {
            let mut encoded = std::io::Cursor::new(Vec::new());
            small
                .to_luma8()
                .write_to(&mut encoded, format)
                .expect("encode a small copy");
            write(&images, &format!("{name}-64.{ext}"), encoded.get_ref());
        }
    }
    for face in [
        "fixtures/face/astronaut.jpg",
        "fixtures/capture/face-dark.jpg",
    ] {
        let bytes = std::fs::read(root.join(face)).expect("read a face image");
        let small = image::load_from_memory(&bytes)
            .expect("decode a face image")
            .resize(64, 64, FilterType::Triangle);
        let mut encoded = std::io::Cursor::new(Vec::new());
        small
            .write_to(&mut encoded, ImageFormat::Png)
            .expect("encode a small copy");
        let stem = Path::new(face).file_stem().unwrap().to_string_lossy();
        write(&images, &format!("{stem}-64.png"), encoded.get_ref());
    }

    // Templates: each extracted one in every format, one view and two views per record
    // (fewer minutiae too: short records mutate faster).
    for (target, format) in [
        ("template_galton", TemplateFormat::Galton),
        ("template_iso", TemplateFormat::Iso19794_2),
        ("template_ansi", TemplateFormat::Ansi378),
        ("template_json", TemplateFormat::Json),
    ] {
        let folder = dir(&out, target);
        let moded = target != "template_json";
        for (name, template) in &templates {
            let mut short = template.clone();
            short.minutiae.truncate(4);
            let mut other = template.clone();
            other.finger = Some(FingerPosition::LeftIndex);
            for (suffix, views) in [
                ("", vec![template.clone()]),
                ("-short", vec![short.clone()]),
                ("-two", vec![short, other]),
            ] {
                let bytes = encode_views(&views, format)?;
                seed(
                    &folder,
                    &format!("{name}{suffix}.{}", format.extension()),
                    &bytes,
                    moded,
                );
            }
        }
    }

    // Face index files: every encoding, with and without the f32 originals.
    let synth = FaceSynth::new(16, 7);
    let rows: Vec<f32> = (0..6).flat_map(|p| synth.identity(p)).collect();
    let batch = EmbeddingBatch::from_rows(&rows, 16)?;
    let ids: Vec<u64> = (1..=6).collect();
    let folder = dir(&out, "face_index");
    for encoding in Encoding::ALL {
        for keep in [false, true] {
            let mut index = FaceIndex::new(16, encoding)?.with_originals(keep)?;
            index.add_batch(&ids, &batch)?;
            let name = format!(
                "{encoding}-{}.gfi",
                if keep { "originals" } else { "codes" }
            );
            seed(&folder, &name, &index.to_bytes(), true);
        }
        let empty = FaceIndex::new(16, encoding)?;
        seed(
            &folder,
            &format!("{encoding}-empty.gfi"),
            &empty.to_bytes(),
            true,
        );
    }

    // A gallery database: three subjects, fingers from the extracted templates, two with a
    // face; then the file as the fuzz target reads it.
    let folder = dir(&out, "gallery_open");
    let db = std::env::temp_dir().join(format!("galton-fuzz-seed-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    {
        let mut gallery = Gallery::open(&db, GalleryConfig::default())?;
        for (i, (name, template)) in templates.iter().take(3).enumerate() {
            let mut subject = Subject::new(format!("P-{i}"))
                .with_finger(FingerPosition::RightIndex, short_copy(template, 12));
            subject.metadata.insert("source".into(), name.clone());
            if i < 2 {
                subject = subject.with_face(FaceEmbedding::new(synth.identity(10 + i as u64))?);
            }
            gallery.enroll(subject, DuplicatePolicy::Flag)?;
        }
    }
    write(
        &folder,
        "gallery.db",
        &std::fs::read(&db).expect("read the gallery"),
    );
    let _ = std::fs::remove_file(&db);
    println!("seeds written under {}", out.display());
    Ok(())
}

/// A copy with at most `n` minutiae (a smaller database file).
fn short_copy(template: &Template, n: usize) -> Template {
    let mut copy = template.clone();
    copy.minutiae.truncate(n);
    copy
}

fn dir(out: &Path, target: &str) -> PathBuf {
    let folder = out.join(target);
    std::fs::create_dir_all(&folder).expect("create a corpus folder");
    folder
}

fn write(folder: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(folder.join(name), bytes).expect("write a seed");
}

/// Writes `bytes` as a seed; with `moded`, twice, after mode bytes 0 and 1.
fn seed(folder: &Path, name: &str, bytes: &[u8], moded: bool) {
    if !moded {
        return write(folder, name, bytes);
    }
    for mode in [0u8, 1] {
        let mut seeded = vec![mode];
        seeded.extend_from_slice(bytes);
        write(folder, &format!("m{mode}-{name}"), &seeded);
    }
}
