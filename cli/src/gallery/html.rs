//! The reviewer's page of `galton dedup --report`: one self-contained HTML file (no
//! JavaScript, no external files) with the summary, the clusters, and each suspected pair
//! side by side, the matched fingers drawn as SVG over their source images.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use galton::gallery::{DedupReport, DuplicatePair, Gallery, Modality, Subject};
use galton::matcher::{Explanation, Matcher, PreparedTemplate};
use galton::{FingerPosition, Template};
use rayon::prelude::*;

use super::{fmr_text, image_key};

/// Pairs drawn on the page at most (all of them are in pairs.csv and report.json).
pub const MAX_PAIRS: usize = 300;
/// Longest side of an embedded image, pixels.
const IMAGE_SIDE: u32 = 360;
/// Width at which each drawn finger is shown, CSS pixels.
const DISPLAY_WIDTH: f32 = 300.0;
/// Colours of the matched minutiae pairs, in turn.
const PALETTE: [&str; 10] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#008080", "#f032e6", "#9a6324",
    "#800000", "#000075",
];

/// Text made safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The image file at `path` as a downscaled grayscale PNG data URI; `None` when it cannot be
/// read (moved, deleted, not an image).
fn image_uri(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let gray = galton::image::FingerprintImage::decode(&bytes, 500.0)
        .ok()?
        .into_gray();
    let (w, h) = gray.dimensions();
    let f = (IMAGE_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (nw, nh) = (
        ((w as f32 * f).round() as u32).max(1),
        ((h as f32 * f).round() as u32).max(1),
    );
    let small = image::imageops::resize(&gray, nw, nh, image::imageops::FilterType::Triangle);
    let mut png = std::io::Cursor::new(Vec::new());
    small.write_to(&mut png, image::ImageFormat::Png).ok()?;
    Some(format!("data:image/png;base64,{}", base64(png.get_ref())))
}

/// One finger of a pair, ready to draw: the best-matching impressions and why they match.
struct DrawnFinger {
    position: FingerPosition,
    score: f32,
    evidence: f64,
    matched: bool,
    a: (usize, Template),
    b: (usize, Template),
    explanation: Explanation,
}

/// The fingers of a pair to draw: those that match on their own at `match_fmr`, or the
/// best-scoring one when none does.
fn drawn_fingers(
    pair: &DuplicatePair,
    a: &Subject,
    b: &Subject,
    match_fmr: f64,
) -> Vec<DrawnFinger> {
    let bans = -match_fmr.log10();
    let mut fingers: Vec<_> = pair
        .comparison
        .modalities
        .iter()
        .filter_map(|m| match m.modality {
            Modality::Finger(p) => Some((p, m)),
            Modality::Face => None,
        })
        .collect();
    if !fingers.iter().any(|(_, m)| m.evidence >= bans) {
        fingers.sort_by(|x, y| y.1.evidence.total_cmp(&x.1.evidence));
        fingers.truncate(1);
    } else {
        fingers.retain(|(_, m)| m.evidence >= bans);
    }
    let mut matcher = Matcher::new();
    fingers
        .into_iter()
        .filter_map(|(position, m)| {
            let (va, vb) = (a.fingers.get(&position)?, b.fingers.get(&position)?);
            let prepared_a: Vec<_> = va.iter().map(PreparedTemplate::new).collect();
            let prepared_b: Vec<_> = vb.iter().map(PreparedTemplate::new).collect();
            let mut best = (0, 0, f32::NEG_INFINITY);
            for (i, x) in prepared_a.iter().enumerate() {
                for (j, y) in prepared_b.iter().enumerate() {
                    let s = matcher.score(x, y);
                    if s > best.2 {
                        best = (i, j, s);
                    }
                }
            }
            let (i, j, _) = best;
            Some(DrawnFinger {
                position,
                score: m.score,
                evidence: m.evidence,
                matched: m.evidence >= bans,
                explanation: matcher.explain(&prepared_a[i], &prepared_b[j]),
                a: (i, va[i].clone()),
                b: (j, vb[j].clone()),
            })
        })
        .collect()
}

/// Which side of a matched pair a template is.
#[derive(Clone, Copy)]
enum Side {
    Probe,
    Candidate,
}

/// A template as inline SVG: the image behind it if given, every minutia as a dot with a
/// tick along its direction, the matched ones larger, coloured and numbered by pair (the
/// same colour and number on both sides).
fn svg(template: &Template, image: Option<&str>, explanation: &Explanation, side: Side) -> String {
    let (w, h) = (template.width.max(1) as f32, template.height.max(1) as f32);
    let mut number: HashMap<usize, usize> = HashMap::new();
    for (k, p) in explanation.pairs.iter().enumerate() {
        let index = match side {
            Side::Probe => p.probe,
            Side::Candidate => p.candidate,
        };
        number.entry(index).or_insert(k);
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{:.0}\" \
         height=\"{:.0}\">",
        DISPLAY_WIDTH,
        DISPLAY_WIDTH * h / w
    );
    match image {
        Some(uri) => {
            let _ = write!(
                out,
                "<image href=\"{uri}\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" \
                 preserveAspectRatio=\"none\" opacity=\"0.75\"/>"
            );
        }
        None => {
            let _ = write!(out, "<rect width=\"{w}\" height=\"{h}\" fill=\"#e4e4e4\"/>");
        }
    }
    let mut labels = String::new();
    for (i, m) in template.minutiae.iter().enumerate() {
        let (dx, dy) = (m.direction.cos(), -m.direction.sin());
        let (colour, r, width) = match number.get(&i) {
            Some(&k) => (PALETTE[k % PALETTE.len()], 6.0, 2.5),
            None => ("#777", 3.0, 1.2),
        };
        let tick = r + 8.0;
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"{width}\"/><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" \
             stroke=\"{colour}\" stroke-width=\"{width}\"/>",
            m.x,
            m.y,
            m.x + dx * r,
            m.y + dy * r,
            m.x + dx * tick,
            m.y + dy * tick,
        );
        if let Some(&k) = number.get(&i) {
            let _ = write!(
                labels,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{}\" font-size=\"13\" \
                 font-weight=\"bold\" stroke=\"#fff\" stroke-width=\"3\" \
                 paint-order=\"stroke\">{}</text>",
                m.x + 7.0,
                m.y - 7.0,
                PALETTE[k % PALETTE.len()],
                k + 1
            );
        }
    }
    out.push_str(&labels);
    out.push_str("</svg>");
    out
}

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin:1.2em 0 .4em}.pair h2{margin-top:0}h3{font-size:1em;margin:.8em 0 .3em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.pair{border:1px solid #bbb;border-radius:6px;padding:1em;margin:1.5em 0}
.sides{display:flex;gap:1.5em;flex-wrap:wrap}.side{flex:1;min-width:300px}
.flag{color:#b00;font-weight:bold}.yes{color:#070;font-weight:bold}
svg{border:1px solid #999;background:#fff}.muted{color:#777}code{font-size:.95em}";

/// The whole page.
pub fn page(gallery: &Gallery, report: &DedupReport, wall_seconds: f64) -> String {
    let config = gallery.config();
    let shown = &report.pairs[..report.pairs.len().min(MAX_PAIRS)];
    // The parallel work sees the subjects only, not the gallery (which holds the database
    // connection).
    let records: Vec<_> = shown
        .iter()
        .map(|pair| (pair, gallery.get(&pair.a), gallery.get(&pair.b)))
        .collect();
    let match_fmr = config.match_fmr;
    let drawn: Vec<Vec<DrawnFinger>> = records
        .par_iter()
        .map(|&(pair, a, b)| match (a, b) {
            (Some(a), Some(b)) => drawn_fingers(pair, a, b, match_fmr),
            _ => Vec::new(),
        })
        .collect();
    // Each source image once, in parallel.
    let mut wanted: HashSet<PathBuf> = HashSet::new();
    for (pair, fingers) in shown.iter().zip(&drawn) {
        for f in fingers {
            for (id, impression) in [(&pair.a, f.a.0), (&pair.b, f.b.0)] {
                if let Some(path) = image_path(gallery, id, f.position, impression) {
                    wanted.insert(path);
                }
            }
        }
    }
    let wanted: Vec<PathBuf> = wanted.into_iter().collect();
    let images: HashMap<PathBuf, String> = wanted
        .par_iter()
        .filter_map(|p| image_uri(p).map(|uri| (p.clone(), uri)))
        .collect();

    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>galton deduplication report</title><style>{STYLE}</style></head><body>\
         <h1>Deduplication report</h1><table>\
         <tr><th>subjects</th><td>{}</td></tr>\
         <tr><th>pairs compared</th><td>{}</td></tr>\
         <tr><th>suspected duplicate pairs</th><td>{}</td></tr>\
         <tr><th>clusters</th><td>{}</td></tr>\
         <tr><th>inconsistent records</th><td>{}</td></tr>\
         <tr><th>wall time</th><td>{wall_seconds:.2} s</td></tr>\
         <tr><th>duplicate threshold</th><td>fused FMR ≤ {}</td></tr>\
         <tr><th>a modality matches on its own at</th><td>FMR ≤ {}</td></tr></table>",
        report.subjects,
        report.compared,
        report.pairs.len(),
        report.clusters.len(),
        report.inconsistent.len(),
        fmr_text(config.duplicate_fmr),
        fmr_text(config.match_fmr),
    );
    if !report.clusters.is_empty() {
        out.push_str("<h2>Clusters</h2><table><tr><th>#</th><th>size</th><th>ids</th></tr>");
        for (i, c) in report.clusters.iter().enumerate() {
            let ids: Vec<String> = c.iter().map(|id| escape(id)).collect();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                c.len(),
                ids.join(", ")
            );
        }
        out.push_str("</table>");
    }
    if !report.inconsistent.is_empty() {
        out.push_str(
            "<h2>Inconsistent records</h2><p>Impressions of one finger that do not match \
             each other: two people's fingers under one id, or a mislabelled finger.</p>\
             <table><tr><th>id</th><th>finger</th><th>lowest score</th></tr>",
        );
        for r in &report.inconsistent {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{:.4}</td></tr>",
                escape(&r.id),
                r.finger,
                r.score
            );
        }
        out.push_str("</table>");
    }
    if report.pairs.is_empty() {
        out.push_str("<p>No suspected duplicates.</p>");
    } else {
        out.push_str("<h2>Suspected duplicate pairs</h2>");
        if report.pairs.len() > shown.len() {
            let _ = write!(
                out,
                "<p class=\"muted\">The strongest {} of {} pairs are drawn; all are in \
                 pairs.csv and report.json.</p>",
                shown.len(),
                report.pairs.len()
            );
        }
    }
    for (n, (pair, fingers)) in shown.iter().zip(&drawn).enumerate() {
        pair_section(&mut out, gallery, n + 1, pair, fingers, &images);
    }
    out.push_str("</body></html>\n");
    out
}

/// The image file of one impression of a subject, from its metadata.
fn image_path(gallery: &Gallery, id: &str, position: FingerPosition, i: usize) -> Option<PathBuf> {
    let subject = gallery.get(id)?;
    subject
        .metadata
        .get(&image_key(position, i))
        .map(PathBuf::from)
}

fn pair_section(
    out: &mut String,
    gallery: &Gallery,
    n: usize,
    pair: &DuplicatePair,
    fingers: &[DrawnFinger],
    images: &HashMap<PathBuf, String>,
) {
    let match_fmr = gallery.config().match_fmr;
    let c = &pair.comparison;
    let _ = write!(
        out,
        "<section class=\"pair\" id=\"pair-{n}\"><h2>#{n}: {} ↔ {}</h2>\
         <p>fused evidence <b>{:.2}</b> (FMR {})</p>\
         <table><tr><th>modality</th><th>score</th><th>evidence</th><th>FMR</th>\
         <th>matches alone</th></tr>",
        escape(&pair.a),
        escape(&pair.b),
        c.evidence,
        fmr_text(c.fmr()),
    );
    for m in &c.modalities {
        let matched = m.evidence >= -match_fmr.log10();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{:.4}</td><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
            m.modality,
            m.score,
            m.evidence,
            fmr_text(m.fmr()),
            if matched {
                "<span class=\"yes\">yes</span>"
            } else {
                "no"
            }
        );
    }
    out.push_str("</table>");
    for f in fingers {
        let _ =
            write!(
            out,
            "<h3>{} — score {:.4}, evidence {:.2}{}; {} paired minutiae</h3><div class=\"sides\">",
            f.position,
            f.score,
            f.evidence,
            if f.matched { "" } else { " (does not match alone)" },
            f.explanation.pairs.len()
        );
        for (id, (i, template), side) in [
            (&pair.a, &f.a, Side::Probe),
            (&pair.b, &f.b, Side::Candidate),
        ] {
            let uri = image_path(gallery, id, f.position, *i).and_then(|p| images.get(&p));
            let _ = write!(
                out,
                "<div class=\"side\"><div>{} — impression {}{}</div>{}</div>",
                escape(id),
                i + 1,
                if uri.is_some() {
                    ""
                } else {
                    " <span class=\"muted\">(no image)</span>"
                },
                svg(template, uri.map(String::as_str), &f.explanation, side)
            );
        }
        out.push_str("</div>");
    }
    out.push_str("<h3>Records</h3><div class=\"sides\">");
    for id in [&pair.a, &pair.b] {
        let _ = write!(out, "<div class=\"side\"><b>{}</b>", escape(id));
        if let Some((true, note)) = gallery.flag(id) {
            let _ = write!(
                out,
                " <span class=\"flag\">flagged: {}</span>",
                escape(note)
            );
        }
        if let Some(s) = gallery.get(id) {
            let fingers: Vec<String> = s
                .fingers
                .iter()
                .map(|(p, t)| format!("{p} ×{}", t.len()))
                .collect();
            let _ = write!(
                out,
                "<div>{}{}</div>",
                escape(&fingers.join(", ")),
                if s.face.is_some() { ", face" } else { "" }
            );
            if !s.metadata.is_empty() {
                out.push_str("<table>");
                for (k, v) in &s.metadata {
                    let _ = write!(
                        out,
                        "<tr><th>{}</th><td><code>{}</code></td></tr>",
                        escape(k),
                        escape(v)
                    );
                }
                out.push_str("</table>");
            }
        }
        out.push_str("</div>");
    }
    out.push_str("</div></section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use galton::matcher::MatchedPair;
    use galton::{Minutia, MinutiaKind};

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<b id=\"x\">&'"),
            "&lt;b id=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn matched_minutiae_get_the_same_number_on_both_sides() {
        let m = |x| Minutia {
            x,
            y: 50.0,
            direction: 0.0,
            kind: MinutiaKind::Ending,
            quality: 50,
        };
        let t = Template {
            width: 200,
            height: 100,
            ppi: 500.0,
            finger: None,
            quality: None,
            minutiae: vec![m(10.0), m(60.0), m(120.0)],
        };
        let e = Explanation {
            score: 0.5,
            pairs: vec![MatchedPair {
                probe: 2,
                candidate: 0,
                weight: 0.5,
            }],
            alignment: Default::default(),
        };
        let a = svg(&t, None, &e, Side::Probe);
        let b = svg(&t, Some("data:image/png;base64,AA=="), &e, Side::Candidate);
        assert!(a.starts_with("<svg") && a.ends_with("</svg>"));
        assert_eq!(a.matches("<circle").count(), 3);
        // The pair is number 1, in the first colour, at x=120 on the left, x=10 on the right.
        assert!(a.contains("<text x=\"127.0\""), "{a}");
        assert!(b.contains("<text x=\"17.0\""), "{b}");
        assert!(b.contains("<image href=\"data:image/png;base64,AA==\""));
        assert_eq!(a.matches(PALETTE[0]).count(), 3);
    }
}
