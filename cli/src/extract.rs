//! `galton extract`: images in, one template file per image out, in parallel.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Args;
use galton::image::FingerprintImage;
use galton::template::TemplateFormat;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

/// Arguments of `galton extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Fingerprint images (PNG, BMP, TIFF, JPEG, PGM).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Resolution of the images in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Output format: galton, iso, ansi or json.
    #[arg(long, default_value = "iso")]
    pub format: TemplateFormat,
    /// Output folder (created if missing).
    #[arg(short = 'o', long = "out", default_value = ".")]
    pub out_dir: PathBuf,
}

/// Runs the command; the exit code is 1 when any image failed.
pub fn run(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let progress = ProgressBar::new(args.images.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} images  {elapsed} (eta {eta})")
            .expect("static template"),
    );
    let failures = Mutex::new(Vec::new());
    let counts: Vec<usize> = args
        .images
        .par_iter()
        .filter_map(|path| {
            let result = extract_one(path, args);
            progress.inc(1);
            match result {
                Ok(n) => Some(n),
                Err(err) => {
                    failures.lock().unwrap().push((path.clone(), err));
                    None
                }
            }
        })
        .collect();
    progress.finish_and_clear();
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, err) in &failures {
        eprintln!("{}: {err:#}", path.display());
    }
    let total: usize = counts.iter().sum();
    eprintln!(
        "extracted {} of {} images ({} minutiae, {:.1} per image) into {}",
        counts.len(),
        args.images.len(),
        total,
        total as f64 / counts.len().max(1) as f64,
        args.out_dir.display()
    );
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn extract_one(path: &Path, args: &ExtractArgs) -> anyhow::Result<usize> {
    let image = FingerprintImage::open(path, args.ppi)?;
    let template = galton::fingerprint::extract(&image)?;
    let bytes = template.to_bytes(args.format)?;
    let out = output_path(&args.out_dir, path, args.format);
    std::fs::write(&out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(template.minutiae.len())
}

/// `DIR/<image stem>.<format extension>`.
fn output_path(dir: &Path, image: &Path, format: TemplateFormat) -> PathBuf {
    let stem = image.file_stem().unwrap_or(image.as_os_str());
    dir.join(stem).with_extension(format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_named_after_the_image_stem() {
        let out = output_path(
            Path::new("out"),
            Path::new("db/101_1.tif"),
            TemplateFormat::Iso19794_2,
        );
        assert_eq!(out, Path::new("out/101_1.iso"));
    }
}
