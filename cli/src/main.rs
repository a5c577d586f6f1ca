//! The `galton` command-line tool: extract minutiae, convert and inspect templates, draw what
//! the extractor saw, compare two fingerprints, measure accuracy, generate synthetic
//! fingerprints, and run the demo.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod eval;
mod extract;
mod matching;
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
    /// Draw the segmentation boundary and the minutiae over a fingerprint image.
    Show(show::ShowArgs),
    /// Generate synthetic fingerprints with ground truth.
    Synth(synth::SynthArgs),
    /// Measure verification accuracy (EER, FMR100, FMR1000, ZeroFMR) and speed on an
    /// FVC-style set of images or templates.
    Eval(eval::EvalArgs),
    /// Run the main job on the bundled synthetic fixtures and print a summary.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Template(cmd) => template::run(cmd),
        Command::Match(args) => matching::run(args),
        Command::Show(args) => show::run(args),
        Command::Synth(args) => synth::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => eval::run(args),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("galton: {err:#}");
            ExitCode::FAILURE
        }
    }
}
