//! `galton key generate`: a new random key for an encrypted gallery.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use galton::gallery::store::StoreKey;

/// The key commands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a random 256-bit key, written as 64 hexadecimal digits: to a new file
    /// readable by its owner only (-o), or to stdout.
    Generate(GenerateArgs),
}

/// Arguments of `galton key generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The key file to create (refused if it exists: a key replaced is a gallery lost).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs a key command.
pub fn run(command: &KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::Generate(args) => generate(args),
    }
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let key = StoreKey::generate();
    let Some(path) = &args.output else {
        println!("{}", key.to_hex());
        return Ok(ExitCode::SUCCESS);
    };
    if path.exists() {
        bail!(
            "{} exists: not overwritten (a gallery encrypted under it could no longer be \
             opened)",
            path.display()
        );
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    writeln!(file, "{}", key.to_hex())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote a new key to {} (owner read/write only); keep a copy apart from the \
         database: without it the templates and embeddings cannot be read",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
