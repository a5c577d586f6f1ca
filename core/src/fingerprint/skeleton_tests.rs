use std::f32::consts::{FRAC_PI_2, PI};

use image::{GrayImage, Luma};
use imageproc::drawing::draw_line_segment_mut;

use super::*;

/// Draws a segment `width` pixels thick (ridge 255).
fn thick_segment(img: &mut GrayImage, a: (f32, f32), b: (f32, f32), width: f32) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (px, py) = (x as f32 - a.0, y as f32 - a.1);
            let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
            let (ex, ey) = (px - t * dx, py - t * dy);
            if (ex * ex + ey * ey).sqrt() <= width / 2.0 {
                img.put_pixel(x, y, Luma([255]));
            }
        }
    }
}

fn ridge(img: &GrayImage, x: i32, y: i32) -> bool {
    x >= 0
        && y >= 0
        && (x as u32) < img.width()
        && (y as u32) < img.height()
        && img.get_pixel(x as u32, y as u32)[0] >= 128
}

/// Number of connected components of ridge pixels (8-connectivity) or, with
/// `background`, of background pixels (4-connectivity).
fn components(img: &GrayImage, background: bool) -> usize {
    let (w, h) = (img.width() as i32, img.height() as i32);
    let mut seen = vec![false; (w * h) as usize];
    let mut count = 0;
    let steps: &[(i32, i32)] = if background {
        &[(1, 0), (-1, 0), (0, 1), (0, -1)]
    } else {
        &NEIGHBOURS
    };
    for start in 0..(w * h) {
        if seen[start as usize] || ridge(img, start % w, start / w) == background {
            continue;
        }
        count += 1;
        let mut stack = vec![start];
        seen[start as usize] = true;
        while let Some(p) = stack.pop() {
            for &(dx, dy) in steps {
                let (x, y) = (p % w + dx, p / w + dy);
                if x >= 0 && y >= 0 && x < w && y < h {
                    let q = y * w + x;
                    if !seen[q as usize] && ridge(img, x, y) != background {
                        seen[q as usize] = true;
                        stack.push(q);
                    }
                }
            }
        }
    }
    count
}

fn has_2x2_block(img: &GrayImage) -> bool {
    (0..img.height() as i32 - 1).any(|y| {
        (0..img.width() as i32 - 1).any(|x| {
            ridge(img, x, y)
                && ridge(img, x + 1, y)
                && ridge(img, x, y + 1)
                && ridge(img, x + 1, y + 1)
        })
    })
}

fn ridge_pixels(img: &GrayImage) -> Vec<(i32, i32)> {
    img.enumerate_pixels()
        .filter(|p| p.2[0] >= 128)
        .map(|(x, y, _)| (x as i32, y as i32))
        .collect()
}

fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    d.min(TAU - d)
}

#[test]
fn crossing_number_counts_runs() {
    assert_eq!(crossing_number(0), 0);
    assert_eq!(crossing_number(0b0000_0001), 1);
    assert_eq!(crossing_number(0b0000_0011), 1); // E + NE: one run
    assert_eq!(crossing_number(0b0001_0001), 2); // E + W: a line
    assert_eq!(crossing_number(0b0101_0001), 3); // E, W, S... E(0), W(4), S(6)
    assert_eq!(crossing_number(0b1000_0001), 1); // SE + E wrap around
    assert_eq!(crossing_number(0xFF), 0);
}

#[test]
fn thick_bar_thins_to_a_centred_one_pixel_line() {
    let mut img = GrayImage::new(60, 30);
    thick_segment(&mut img, (10.0, 15.0), (50.0, 15.0), 7.0);
    let skel = thin(&img);
    let px = ridge_pixels(&skel);
    assert!(!has_2x2_block(&skel));
    assert_eq!(components(&skel, false), 1);
    assert!(px.iter().all(|&(_, y)| (14..=16).contains(&y)), "{px:?}");
    let (min_x, max_x) = px
        .iter()
        .fold((99, 0), |(a, b), &(x, _)| (a.min(x), b.max(x)));
    assert!(
        min_x <= 12 && max_x >= 48,
        "skeleton spans {min_x}..{max_x}"
    );
    // A straight bar has exactly two endings and no bifurcation.
    let m = trace_minutiae(&skel);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().all(|m| m.kind == MinutiaKind::Ending));
}

#[test]
fn thick_ring_keeps_its_hole_and_has_no_ends() {
    let mut img = GrayImage::new(50, 50);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let r = ((x as f32 - 25.0).powi(2) + (y as f32 - 25.0).powi(2)).sqrt();
        if (11.0..=17.0).contains(&r) {
            *p = Luma([255]);
        }
    }
    let skel = thin(&img);
    assert!(!has_2x2_block(&skel));
    assert_eq!(components(&skel, false), 1);
    assert_eq!(components(&skel, true), 2, "the hole must survive");
    assert!(trace_minutiae(&skel).is_empty());
    for (x, y) in ridge_pixels(&skel) {
        let r = ((x as f32 - 25.0).powi(2) + (y as f32 - 25.0).powi(2)).sqrt();
        assert!((12.5..=15.5).contains(&r), "pixel ({x},{y}) at radius {r}");
    }
}

#[test]
fn thin_is_idempotent_and_keeps_diagonals_connected() {
    let mut img = GrayImage::new(64, 64);
    thick_segment(&mut img, (5.0, 5.0), (58.0, 40.0), 5.0);
    thick_segment(&mut img, (5.0, 58.0), (58.0, 20.0), 4.0);
    let skel = thin(&img);
    assert_eq!(components(&img, false), 1);
    assert_eq!(components(&skel, false), 1);
    assert!(!has_2x2_block(&skel));
    assert_eq!(thin(&skel), skel);
}

/// A "Y" opening towards `opening` (radians, ISO): stem of 25 px, branches of 25 px at ±25°.
fn y_shape(opening: f32, width: f32) -> (GrayImage, (f32, f32)) {
    let mut img = GrayImage::new(80, 80);
    let c = (40.0f32, 40.0f32);
    let dir = |a: f32, len: f32| (c.0 + len * a.cos(), c.1 - len * a.sin());
    let stem = dir(opening + PI, 25.0);
    let b1 = dir(opening + 0.45, 25.0);
    let b2 = dir(opening - 0.45, 25.0);
    if width <= 1.0 {
        for end in [stem, b1, b2] {
            draw_line_segment_mut(&mut img, c, end, Luma([255]));
        }
        img = thin(&img); // Bresenham lines meeting at a point may touch in 2×2 blocks
    } else {
        for end in [stem, b1, b2] {
            thick_segment(&mut img, c, end, width);
        }
    }
    (img, c)
}

#[test]
fn line_endings_point_back_along_their_ridge() {
    let mut img = GrayImage::new(60, 60);
    draw_line_segment_mut(&mut img, (10.0, 20.0), (50.0, 20.0), Luma([255]));
    draw_line_segment_mut(&mut img, (30.0, 55.0), (30.0, 30.0), Luma([255]));
    let m = trace_minutiae(&img);
    assert_eq!(m.len(), 4, "{m:?}");
    let find = |x: f32, y: f32| {
        m.iter()
            .find(|m| (m.x - x).abs() <= 1.0 && (m.y - y).abs() <= 1.0)
            .unwrap_or_else(|| panic!("no minutia at ({x},{y}): {m:?}"))
    };
    // Left end of the horizontal ridge: the ridge lies to the right (0 rad).
    assert!(angle_diff(find(10.0, 20.0).direction, 0.0) < 0.05);
    assert!(angle_diff(find(50.0, 20.0).direction, PI) < 0.05);
    // Bottom end of the vertical ridge: the ridge lies upwards, which is +π/2 as seen.
    assert!(angle_diff(find(30.0, 55.0).direction, FRAC_PI_2) < 0.05);
    assert!(angle_diff(find(30.0, 30.0).direction, 3.0 * FRAC_PI_2) < 0.05);
    assert!(m.iter().all(|m| m.kind == MinutiaKind::Ending));
}

#[test]
fn bifurcation_points_along_the_valley_between_its_branches() {
    for (opening, width) in [(0.0, 1.0), (FRAC_PI_2, 1.0), (2.5, 6.0), (4.0, 5.0)] {
        let (img, c) = y_shape(opening, width);
        let skel = thin(&img);
        let m = trace_minutiae(&skel);
        let bif: Vec<_> = m
            .iter()
            .filter(|m| m.kind == MinutiaKind::Bifurcation)
            .collect();
        let end: Vec<_> = m.iter().filter(|m| m.kind == MinutiaKind::Ending).collect();
        assert_eq!(bif.len(), 1, "opening {opening}, width {width}: {m:?}");
        assert_eq!(end.len(), 3, "opening {opening}, width {width}: {m:?}");
        let b = bif[0];
        let dist = ((b.x - c.0).powi(2) + (b.y - c.1).powi(2)).sqrt();
        assert!(
            dist <= 4.0,
            "bifurcation at ({}, {}), expected {c:?}",
            b.x,
            b.y
        );
        let err = angle_diff(b.direction, opening);
        assert!(
            err < 0.2,
            "opening {opening}: direction {} off by {err}",
            b.direction
        );
        // The stem's ending points back along the stem, i.e. towards the opening.
        let stem_end = end
            .iter()
            .min_by(|a, b| {
                let da = angle_diff(iso_angle(a.x - c.0, a.y - c.1), opening + PI);
                let db = angle_diff(iso_angle(b.x - c.0, b.y - c.1), opening + PI);
                da.total_cmp(&db)
            })
            .unwrap();
        assert!(
            angle_diff(stem_end.direction, opening) < 0.2,
            "{stem_end:?}"
        );
    }
}

#[test]
fn empty_and_tiny_images() {
    assert!(trace_minutiae(&thin(&GrayImage::new(10, 10))).is_empty());
    let mut dot = GrayImage::new(5, 5);
    dot.put_pixel(2, 2, Luma([255]));
    assert_eq!(thin(&dot), dot);
    assert!(trace_minutiae(&dot).is_empty());
    let full = GrayImage::from_pixel(6, 6, Luma([255]));
    let skel = thin(&full);
    assert_eq!(components(&skel, false), 1);
}
