//! The `galton` command-line tool: extract minutiae, convert and inspect templates, draw what
//! the extractor saw, compare two fingerprints, measure accuracy, generate synthetic
//! fingerprints, run the demo, and keep an enrollment gallery (enroll, verify, identify,
//! deduplicate).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod eval;
mod extract;
mod gallery;
mod key;
mod matching;
mod quality;
mod show;
mod synth;
mod template;

/// galton: biometric matching for identity registries.
#[derive(Debug, Parser)]
#[command(name = "galton", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract minutiae templates from fingerprint images (one file per image).
    Extract(extract::ExtractArgs),
    /// Inspect or convert template files (format detected from content).
    #[command(subcommand)]
    Template(template::TemplateCommand),
    /// Compare two fingerprints (images or templates): score and decision at each threshold.
    Match(matching::MatchArgs),
    /// Capture quality of fingerprint or face images: measures, verdict, and what to fix (in
    /// English or Spanish).
    Quality(quality::QualityArgs),
    /// Draw the segmentation boundary and the minutiae over a fingerprint image.
    Show(show::ShowArgs),
    /// Generate synthetic fingerprints with ground truth.
    Synth(synth::SynthArgs),
    /// Measure verification accuracy (EER, FMR100, FMR1000, ZeroFMR) and speed on an
    /// FVC-style set of images or templates.
    Eval(eval::EvalArgs),
    /// Run the main job on the bundled synthetic fixtures and print a summary.
    Demo(demo::DemoArgs),
    /// Enroll one subject (fingers, face, metadata) into a gallery, after the duplicate check.
    Enroll(gallery::enroll::EnrollArgs),
    /// Enroll many subjects from a CSV manifest, images extracted in parallel.
    EnrollBatch(gallery::batch::BatchArgs),
    /// 1:1: does the probe match the subject registered under an id?
    Verify(gallery::query::VerifyArgs),
    /// 1:N: the registered subjects that best match the probe, ranked.
    Identify(gallery::query::IdentifyArgs),
    /// List the subjects of a gallery, with their modalities and duplicate flags.
    List(gallery::query::ListArgs),
    /// Remove a subject from a gallery.
    Remove(gallery::query::RemoveArgs),
    /// Find everyone registered twice: suspected duplicate pairs, clusters, and a report
    /// folder (CSV, JSON and an HTML page for reviewers).
    Dedup(gallery::report::DedupArgs),
    /// Check a gallery's audit trail, show a subject's history, check a receipt.
    #[command(subcommand)]
    Audit(gallery::audit::AuditCommand),
    /// Generate a key for an encrypted gallery.
    #[command(subcommand)]
    Key(key::KeyCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Template(cmd) => template::run(cmd),
        Command::Match(args) => matching::run(args),
        Command::Quality(args) => quality::run(args),
        Command::Show(args) => show::run(args),
        Command::Synth(args) => synth::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => eval::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Enroll(args) => gallery::enroll::run(args),
        Command::EnrollBatch(args) => gallery::batch::run(args),
        Command::Verify(args) => gallery::query::verify(args),
        Command::Identify(args) => gallery::query::identify(args),
        Command::List(args) => gallery::query::list(args),
        Command::Remove(args) => gallery::query::remove(args),
        Command::Dedup(args) => gallery::report::run(args),
        Command::Audit(cmd) => gallery::audit::run(cmd),
        Command::Key(cmd) => key::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("galton: {err:#}");
            gallery::failure_code(&err)
        }
    }
}
