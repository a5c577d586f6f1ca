//! The charts of `galton eval`: the DET curve, the score histograms and the quality
//! error-versus-reject curve, as PNG.
//!
//! plotters draws the series into a pixel buffer; the labels are lettered afterwards with
//! [`lettering`](super::lettering), which needs no font file.

use std::path::Path;

use anyhow::{anyhow, Context};
use galton::evaluation::{DetPoint, ErcPoint, ErrorRates};
use image::{Rgb, RgbImage};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::lettering::{self, Anchor};

const SIZE: (u32, u32) = (640, 560);
const GENUINE: RGBColor = RGBColor(30, 110, 220);
const IMPOSTOR: RGBColor = RGBColor(220, 60, 40);
const GRID: RGBColor = RGBColor(225, 225, 225);

/// A label to letter once plotters is done with the buffer.
enum Label {
    Text((i32, i32), Anchor, String),
    Vertical((i32, i32), String),
    Swatch((i32, i32), RGBColor),
}

/// The DET curve: FNMR against FMR, both on log scales, with the EER point.
pub fn det(path: &Path, title: &str, curve: &[DetPoint], rates: &ErrorRates) -> anyhow::Result<()> {
    // Rates below one error cannot show; zeros sit on the axes.
    let floor = |n: usize| 10f64.powf((1.0 / n as f64).log10().floor()).min(0.1);
    let (x_min, y_min) = (floor(rates.impostor), floor(rates.genuine));
    let clamp = |p: &DetPoint| (p.fmr.max(x_min), p.fnmr.max(y_min));
    let mut labels = Vec::new();
    let image = render(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(50)
            .margin_right(30)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d((x_min..1.0).log_scale(), (y_min..1.0).log_scale())
            .map_err(plot_error)?;
        for decade in decades(x_min) {
            line(&mut chart, [(decade, y_min), (decade, 1.0)], GRID)?;
            let at = chart.backend_coord(&(decade, y_min));
            labels.push(Label::Text(
                (at.0, at.1 + 8),
                Anchor::Below,
                percent(decade),
            ));
        }
        for decade in decades(y_min) {
            line(&mut chart, [(x_min, decade), (1.0, decade)], GRID)?;
            let at = chart.backend_coord(&(x_min, decade));
            labels.push(Label::Text(
                (at.0 - 8, at.1),
                Anchor::LeftOf,
                percent(decade),
            ));
        }
        let low = x_min.max(y_min);
        line(
            &mut chart,
            [(low, low), (1.0, 1.0)],
            RGBColor(170, 170, 170),
        )?;
        frame(&mut chart, (x_min, y_min), (1.0, 1.0))?;
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(clamp),
                GENUINE.stroke_width(2),
            ))
            .map_err(plot_error)?;
        let eer = (rates.eer.max(x_min), rates.eer.max(y_min));
        chart
            .draw_series([Circle::new(eer, 5, IMPOSTOR.stroke_width(2))])
            .map_err(plot_error)?;
        let bottom = chart.backend_coord(&(x_min.sqrt(), y_min));
        labels.push(Label::Text(
            (bottom.0, bottom.1 + 32),
            Anchor::Below,
            "FMR".into(),
        ));
        let left = chart.backend_coord(&(x_min, y_min.sqrt()));
        labels.push(Label::Vertical((left.0 - 66, left.1), "FNMR".into()));
        let top = chart.backend_coord(&(x_min, 1.0));
        labels.push(Label::Text(
            (top.0, 22),
            Anchor::RightOf,
            format!("{} DET", short(title)),
        ));
        let swatch_at = (top.0 + 260, 22);
        labels.push(Label::Swatch(swatch_at, IMPOSTOR));
        labels.push(Label::Text(
            (swatch_at.0 + 20, 22),
            Anchor::RightOf,
            format!("EER {:.2}%", rates.eer * 100.0),
        ));
        Ok(())
    })?;
    finish(path, image, labels)
}

/// The error-versus-reject curve: FNMR at a fixed threshold against the share of genuine
/// comparisons rejected for low quality, with the level random rejection would keep.
pub fn erc(
    path: &Path,
    title: &str,
    curve: &[ErcPoint],
    threshold_label: &str,
) -> anyhow::Result<()> {
    let x_max = curve.last().map_or(0.2, |p| p.rejected).max(0.01);
    let start = curve.first().map_or(0.0, |p| p.fnmr);
    let top = curve.iter().map(|p| p.fnmr).fold(0.0, f64::max);
    // A round FNMR ceiling: 1, 2 or 5 × a power of ten above the highest point.
    let y_max = {
        let raw = (top * 1.15).max(0.001);
        let e = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * e)
            .find(|&v| v >= raw)
            .unwrap_or(10.0 * e)
    };
    let mut labels = Vec::new();
    let image = render(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(50)
            .margin_right(30)
            .x_label_area_size(60)
            .y_label_area_size(96)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(plot_error)?;
        for k in 0..=4 {
            let x = x_max * k as f64 / 4.0;
            line(&mut chart, [(x, 0.0), (x, y_max)], GRID)?;
            let at = chart.backend_coord(&(x, 0.0));
            labels.push(Label::Text(
                (at.0, at.1 + 8),
                Anchor::Below,
                format!("{:.0}%", 100.0 * x),
            ));
            let y = y_max * k as f64 / 4.0;
            line(&mut chart, [(0.0, y), (x_max, y)], GRID)?;
            let at = chart.backend_coord(&(0.0, y));
            labels.push(Label::Text(
                (at.0 - 8, at.1),
                Anchor::LeftOf,
                format!("{:.2}%", 100.0 * y),
            ));
        }
        frame(&mut chart, (0.0, 0.0), (x_max, y_max))?;
        line(
            &mut chart,
            [(0.0, start), (x_max, start)],
            RGBColor(170, 170, 170),
        )?;
        let points: Vec<(f64, f64)> = curve.iter().map(|p| (p.rejected, p.fnmr)).collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                GENUINE.stroke_width(2),
            ))
            .map_err(plot_error)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, GENUINE.filled())))
            .map_err(plot_error)?;
        let bottom = chart.backend_coord(&(x_max / 2.0, 0.0));
        labels.push(Label::Text(
            (bottom.0, bottom.1 + 32),
            Anchor::Below,
            "REJECTED (LOWEST QUALITY)".into(),
        ));
        let left = chart.backend_coord(&(0.0, y_max / 2.0));
        labels.push(Label::Vertical(
            (left.0 - 84, left.1),
            format!("FNMR {threshold_label}"),
        ));
        let corner = chart.backend_coord(&(0.0, y_max));
        labels.push(Label::Text(
            (corner.0, 22),
            Anchor::RightOf,
            format!("{} ERC", short(title)),
        ));
        let swatch_at = (corner.0 + 230, 22);
        labels.push(Label::Swatch(swatch_at, RGBColor(170, 170, 170)));
        labels.push(Label::Text(
            (swatch_at.0 + 20, 22),
            Anchor::RightOf,
            "NO REJECTION".into(),
        ));
        Ok(())
    })?;
    finish(path, image, labels)
}

/// Histograms of genuine and impostor scores, each as shares of its own comparisons.
pub fn histogram(
    path: &Path,
    title: &str,
    genuine: &[f32],
    impostor: &[f32],
) -> anyhow::Result<()> {
    const BINS: usize = 50;
    let shares = |scores: &[f32]| {
        let mut bins = [0f64; BINS];
        for &s in scores {
            let bin = (s.clamp(0.0, 1.0) * BINS as f32) as usize;
            bins[bin.min(BINS - 1)] += 100.0 / scores.len() as f64;
        }
        bins
    };
    let (g, i) = (shares(genuine), shares(impostor));
    let highest = g.iter().chain(&i).fold(0f64, |a, &b| a.max(b));
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0]
        .into_iter()
        .find(|&s| highest / s <= 6.0)
        .unwrap_or(100.0);
    let y_max = ((highest / step).ceil() * step).max(step);
    let mut labels = Vec::new();
    let image =
        render(|root| {
            let mut chart = ChartBuilder::on(root)
                .margin_top(50)
                .margin_right(30)
                .x_label_area_size(60)
                .y_label_area_size(80)
                .build_cartesian_2d(0f64..1.0, 0f64..y_max)
                .map_err(plot_error)?;
            for k in 0..=5 {
                let x = k as f64 / 5.0;
                line(&mut chart, [(x, 0.0), (x, y_max)], GRID)?;
                let at = chart.backend_coord(&(x, 0.0));
                labels.push(Label::Text(
                    (at.0, at.1 + 8),
                    Anchor::Below,
                    format!("{x:.1}"),
                ));
            }
            let mut y = 0.0;
            while y <= y_max + 1e-9 {
                line(&mut chart, [(0.0, y), (1.0, y)], GRID)?;
                let at = chart.backend_coord(&(0.0, y));
                labels.push(Label::Text(
                    (at.0 - 8, at.1),
                    Anchor::LeftOf,
                    format!("{y}%"),
                ));
                y += step;
            }
            for (bins, color) in [(&i, IMPOSTOR), (&g, GENUINE)] {
                chart
                    .draw_series(bins.iter().enumerate().filter(|(_, &v)| v > 0.0).map(
                        |(k, &v)| {
                            let x0 = k as f64 / BINS as f64;
                            Rectangle::new(
                                [(x0, 0.0), (x0 + 1.0 / BINS as f64, v)],
                                color.mix(0.55).filled(),
                            )
                        },
                    ))
                    .map_err(plot_error)?;
            }
            frame(&mut chart, (0.0, 0.0), (1.0, y_max))?;
            let bottom = chart.backend_coord(&(0.5, 0.0));
            labels.push(Label::Text(
                (bottom.0, bottom.1 + 32),
                Anchor::Below,
                "SCORE".into(),
            ));
            let left = chart.backend_coord(&(0.0, y_max / 2.0));
            labels.push(Label::Vertical((left.0 - 66, left.1), "SHARE".into()));
            let top = chart.backend_coord(&(0.0, y_max));
            labels.push(Label::Text((top.0, 22), Anchor::RightOf, short(title)));
            let mut x = top.0 + 200;
            for (name, color) in [("GENUINE", GENUINE), ("IMPOSTOR", IMPOSTOR)] {
                labels.push(Label::Swatch(
                    (x, 22),
                    color.mix(0.55).to_rgba().rgb_on_white(),
                ));
                labels.push(Label::Text((x + 20, 22), Anchor::RightOf, name.into()));
                x += 20 + lettering::width(name, 2) + 24;
            }
            Ok(())
        })?;
    finish(path, image, labels)
}

type Chart<'a, X, Y> = ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>;

/// Draws into a white picture; [`finish`] letters it.
fn render(
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<RgbImage> {
    let mut buffer = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    Ok(RgbImage::from_raw(SIZE.0, SIZE.1, buffer).expect("buffer matches the size"))
}

/// Letters the picture and writes it as PNG.
fn finish(path: &Path, mut image: RgbImage, labels: Vec<Label>) -> anyhow::Result<()> {
    for label in labels {
        match label {
            Label::Text(at, anchor, text) => lettering::draw(&mut image, at, anchor, &text, 2),
            Label::Vertical(at, text) => lettering::draw_vertical(&mut image, at, &text, 2),
            Label::Swatch((x, y), c) => {
                lettering::fill(&mut image, (x, y - 6), (12, 12), Rgb([c.0, c.1, c.2]))
            }
        }
    }
    image
        .save_with_format(path, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn line<X, Y>(
    chart: &mut Chart<'_, X, Y>,
    ends: [(X::ValueType, Y::ValueType); 2],
    color: RGBColor,
) -> anyhow::Result<()>
where
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    chart
        .draw_series(LineSeries::new(ends, color))
        .map_err(plot_error)?;
    Ok(())
}

fn frame<X, Y>(
    chart: &mut Chart<'_, X, Y>,
    low: (X::ValueType, Y::ValueType),
    high: (X::ValueType, Y::ValueType),
) -> anyhow::Result<()>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .draw_series([Rectangle::new([low, high], BLACK.stroke_width(1))])
        .map_err(plot_error)?;
    Ok(())
}

/// The chart title, cut to leave room for the legend.
fn short(title: &str) -> String {
    title.chars().take(15).collect()
}

/// Powers of ten from `min` up to 1.
fn decades(min: f64) -> impl Iterator<Item = f64> {
    let first = min.log10().round() as i32;
    (first..=0).map(|e| 10f64.powi(e))
}

/// A rate as a percentage label: `0.01%`, `1%`, `100%`.
fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p >= 1.0 {
        format!("{p:.0}%")
    } else {
        let digits = (-p.log10()).round().max(0.0) as usize;
        format!("{p:.digits$}%")
    }
}

fn plot_error(err: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot draw the chart: {err}")
}

trait OnWhite {
    fn rgb_on_white(self) -> RGBColor;
}

impl OnWhite for RGBAColor {
    /// The colour a translucent fill shows on the white background.
    fn rgb_on_white(self) -> RGBColor {
        let blend = |c: u8| (c as f64 * self.3 + 255.0 * (1.0 - self.3)).round() as u8;
        RGBColor(blend(self.0), blend(self.1), blend(self.2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_labels() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.01), "1%");
        assert_eq!(percent(0.001), "0.1%");
        assert_eq!(percent(0.0001), "0.01%");
    }
}
