//! `galton template show|convert`: decode any supported template file, print or convert it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use galton::template::{self, Template, TemplateFormat};

/// The `galton template` subcommands.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Print a template's header and minutiae (format detected from content).
    Show {
        /// Template file (galton, ISO 19794-2, ANSI 378 or JSON).
        file: PathBuf,
        /// Print JSON (positions in pixels, directions in degrees) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Convert a template file to another format.
    Convert {
        /// Template file to read (format detected from content).
        input: PathBuf,
        /// Output format: galton, iso, ansi or json.
        #[arg(long)]
        to: TemplateFormat,
        /// Output file.
        #[arg(short = 'o', long = "out")]
        output: PathBuf,
    },
}

/// Runs a `template` subcommand.
pub fn run(cmd: &TemplateCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TemplateCommand::Show { file, json } => {
            let (format, views) = read(file)?;
            if *json {
                let bytes = template::encode_views(&views, TemplateFormat::Json)?;
                println!("{}", String::from_utf8(bytes)?);
            } else {
                print!("{}", describe(file, format, &views));
            }
        }
        TemplateCommand::Convert { input, to, output } => {
            let (_, views) = read(input)?;
            let bytes = template::encode_views(&views, *to)?;
            std::fs::write(output, bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!(
                "wrote {} ({}, {} view{})",
                output.display(),
                to.name(),
                views.len(),
                if views.len() == 1 { "" } else { "s" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &PathBuf) -> anyhow::Result<(TemplateFormat, Vec<Template>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let format = TemplateFormat::detect(&bytes).with_context(|| format!("{}", path.display()))?;
    let views = template::decode_views(&bytes).with_context(|| format!("{}", path.display()))?;
    Ok((format, views))
}

/// A human-readable listing: header, then one line per minutia.
fn describe(path: &std::path::Path, format: TemplateFormat, views: &[Template]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} template, {} view{}",
        path.display(),
        format.name(),
        views.len(),
        if views.len() == 1 { "" } else { "s" }
    );
    for (i, view) in views.iter().enumerate() {
        let finger = view.finger.map_or_else(
            || "not given".to_string(),
            |f| format!("{f:?} ({})", f.code()),
        );
        let quality = view
            .quality
            .map_or_else(|| "not given".to_string(), |q| q.to_string());
        let _ = writeln!(
            out,
            "view {}: {}×{} px at {:.0} ppi, finger {finger}, quality {quality}, {} minutiae",
            i + 1,
            view.width,
            view.height,
            view.ppi,
            view.minutiae.len()
        );
        let _ = writeln!(
            out,
            "  {:>4} {:>7} {:>7} {:>7}  {:<11} {:>3}",
            "#", "x", "y", "angle°", "type", "q"
        );
        for (j, m) in view.minutiae.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:>4} {:>7.1} {:>7.1} {:>7.1}  {:<11} {:>3}",
                j + 1,
                m.x,
                m.y,
                m.direction.to_degrees(),
                format!("{:?}", m.kind).to_lowercase(),
                m.quality
            );
        }
    }
    out
}
