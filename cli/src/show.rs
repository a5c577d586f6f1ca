//! `galton show`: a picture a person can check at a glance — the fingerprint with the
//! segmentation boundary, the background dimmed, and the minutiae drawn (ridge endings red
//! circles, bifurcations blue squares, each with a tick along its direction).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use galton::fingerprint::{self, Extraction};
use galton::image::FingerprintImage;
use galton::MinutiaKind;
use image::{imageops, Rgb, RgbImage};
use imageproc::drawing::{draw_hollow_circle_mut, draw_hollow_rect_mut, draw_line_segment_mut};
use imageproc::rect::Rect;

/// Arguments of `galton show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Fingerprint image.
    pub image: PathBuf,
    /// Resolution of the image in pixels per inch (300–1000).
    #[arg(long, default_value_t = 500.0)]
    pub ppi: f32,
    /// Output PNG.
    #[arg(short = 'o', long = "out")]
    pub output: PathBuf,
    /// Magnification of the drawing (1–4).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub scale: u32,
    /// Also draw the enhanced image and the skeleton (with the minutiae) beside the overlay.
    #[arg(long)]
    pub maps: bool,
}

const ENDING: Rgb<u8> = Rgb([230, 30, 30]);
const BIFURCATION: Rgb<u8> = Rgb([20, 90, 255]);
const BOUNDARY: Rgb<u8> = Rgb([255, 200, 0]);

/// Runs the command.
pub fn run(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let image = FingerprintImage::open(&args.image, args.ppi)?;
    let extraction = fingerprint::extract_with_maps(&image)
        .with_context(|| format!("{}", args.image.display()))?;
    let mut picture = draw(&image, &extraction, args.scale);
    if args.maps {
        picture = with_maps(picture, &extraction, args.scale);
    }
    picture
        .save(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let minutiae = &extraction.template.minutiae;
    let endings = minutiae
        .iter()
        .filter(|m| m.kind == MinutiaKind::Ending)
        .count();
    eprintln!(
        "{}: {} minutiae ({} endings, {} bifurcations) drawn to {}",
        args.image.display(),
        minutiae.len(),
        endings,
        minutiae.len() - endings,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Puts the enhanced image and the skeleton, both with the minutiae, to the right of the
/// overlay, at the same size.
fn with_maps(overlay: RgbImage, extraction: &Extraction, scale: u32) -> RgbImage {
    let (w, h) = overlay.dimensions();
    let maps = &extraction.maps;
    let panel = |gray: &image::GrayImage, invert: bool| {
        let big = imageops::resize(gray, w, h, imageops::FilterType::Triangle);
        let mut rgb = RgbImage::from_fn(w, h, |x, y| {
            let v = big.get_pixel(x, y)[0];
            let v = if invert { 255 - v } else { v };
            Rgb([v, v, v])
        });
        draw_minutiae(&mut rgb, &extraction.template.minutiae, scale as f32);
        rgb
    };
    let enhanced = panel(&maps.enhanced, false);
    let skeleton = panel(&maps.skeleton, true);
    let gap = 4 * scale;
    let mut out = RgbImage::from_pixel(3 * w + 2 * gap, h, Rgb([255, 255, 255]));
    imageops::overlay(&mut out, &overlay, 0, 0);
    imageops::overlay(&mut out, &enhanced, (w + gap) as i64, 0);
    imageops::overlay(&mut out, &skeleton, (2 * (w + gap)) as i64, 0);
    out
}

/// Draws the overlay at `scale` times the image size.
pub fn draw(image: &FingerprintImage, extraction: &Extraction, scale: u32) -> RgbImage {
    let gray = image.gray();
    let (w, h) = gray.dimensions();
    let s = scale as f32;
    let big = imageops::resize(gray, w * scale, h * scale, imageops::FilterType::Triangle);
    let maps = &extraction.maps;
    let inside = |x: u32, y: u32| maps.foreground_at(x as f32 / s, y as f32 / s);
    let mut out = RgbImage::from_fn(w * scale, h * scale, |x, y| {
        let v = big.get_pixel(x, y)[0];
        if inside(x, y) {
            Rgb([v, v, v])
        } else {
            // Dim and tint the background so the foreground stands out.
            Rgb([v / 2, v / 2, v / 2 + 60])
        }
    });
    for y in 1..h * scale - 1 {
        for x in 1..w * scale - 1 {
            if inside(x, y)
                && (!inside(x - 1, y)
                    || !inside(x + 1, y)
                    || !inside(x, y - 1)
                    || !inside(x, y + 1))
            {
                out.put_pixel(x, y, BOUNDARY);
            }
        }
    }
    draw_minutiae(&mut out, &extraction.template.minutiae, s);
    out
}

/// Draws minutiae (given in original pixels) magnified `s` times: endings as circles,
/// bifurcations as squares, each with a tick along its direction.
fn draw_minutiae(out: &mut RgbImage, minutiae: &[galton::Minutia], s: f32) {
    for m in minutiae {
        draw_minutia(out, m, s, kind_colour(m.kind));
    }
}

/// The colour `galton show` gives a kind of minutia: endings red, bifurcations blue.
pub(crate) fn kind_colour(kind: MinutiaKind) -> Rgb<u8> {
    match kind {
        MinutiaKind::Bifurcation => BIFURCATION,
        _ => ENDING,
    }
}

/// Draws one minutia (given in original pixels) magnified `s` times in `colour`: an ending
/// (or a minutia of unknown kind) as a circle, a bifurcation as a square, with a tick along
/// its direction.
pub(crate) fn draw_minutia(out: &mut RgbImage, m: &galton::Minutia, s: f32, colour: Rgb<u8>) {
    let scale = s as u32;
    let r = 3.0 * s;
    let (cx, cy) = (m.x * s, m.y * s);
    let (dx, dy) = (m.direction.cos(), -m.direction.sin());
    let tick = 7.0 * s;
    let start = (cx + dx * r, cy + dy * r);
    let end = (cx + dx * (r + tick), cy + dy * (r + tick));
    for t in 0..scale as i32 {
        // Thicken the drawing with the magnification.
        let o = t as f32 * 0.5;
        draw_line_segment_mut(out, (start.0 + o, start.1), (end.0 + o, end.1), colour);
        match m.kind {
            MinutiaKind::Bifurcation => {
                let side = (2.0 * r) as u32 + 2 * t as u32;
                let rect = Rect::at((cx - r) as i32 - t, (cy - r) as i32 - t).of_size(side, side);
                draw_hollow_rect_mut(out, rect, colour);
            }
            _ => draw_hollow_circle_mut(
                out,
                (cx.round() as i32, cy.round() as i32),
                r as i32 + t,
                colour,
            ),
        }
    }
}
