//! The `galton` command-line tool.

use clap::{Parser, Subcommand};

mod synth;

#[derive(Parser)]
#[command(name = "galton", version, about = "Biometric matching")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate synthetic fingerprints with ground truth.
    Synth(synth::SynthArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Synth(args) => synth::run(&args),
    }
}
