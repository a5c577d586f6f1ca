//! `galton synth`: synthetic fingerprint datasets with ground truth.

use std::path::PathBuf;

use anyhow::{bail, Context};
use galton::synth::{write_dataset, DatasetSpec, PatternClass, SynthConfig};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `galton synth`.
#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Number of fingers.
    #[arg(long, default_value_t = 10)]
    pub fingers: u64,
    /// Impressions per finger.
    #[arg(long, default_value_t = 4)]
    pub impressions: u32,
    /// Dataset seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Minutiae only (templates.jsonl), no images: much faster, for scale tests.
    #[arg(long)]
    pub templates_only: bool,
    /// Also write each master fingerprint as master_<finger>.png.
    #[arg(long)]
    pub masters: bool,
    /// Only this pattern class (arch, tented_arch, left_loop, right_loop, whorl), or `uniform`
    /// for all five equally often (default: their natural frequencies).
    #[arg(long)]
    pub class: Option<String>,
    /// Scale of sensor noise and background texture (default 1; 0 for clean images).
    #[arg(long)]
    pub noise: Option<f32>,
    /// Generator settings as JSON (fields of galton::synth::SynthConfig; missing ones default).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output folder.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Runs `galton synth`.
pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => SynthConfig::default(),
    };
    if args.class.as_deref() == Some("uniform") {
        config.class_weights = [1.0; 5];
    } else if let Some(name) = &args.class {
        let Some(class) = PatternClass::ALL.into_iter().find(|c| c.name() == name) else {
            bail!("unknown class {name:?}: use arch, tented_arch, left_loop, right_loop or whorl");
        };
        config = config.with_class(class);
    }
    if let Some(noise) = args.noise {
        config.noise = noise;
    }
    let spec = DatasetSpec {
        fingers: args.fingers,
        impressions: args.impressions,
        seed: args.seed,
        templates_only: args.templates_only,
        masters: args.masters,
        config,
    };
    let bar = ProgressBar::new(args.fingers);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} fingers  {per_sec}  eta {eta}")
            .context("progress style")?,
    );
    write_dataset(&args.output, &spec, &|done| bar.set_position(done))
        .with_context(|| format!("writing {}", args.output.display()))?;
    bar.finish();
    Ok(())
}
