//! Debug pictures of the extraction on real images, for looking at the results:
//! `cargo test -p galton --test fingerprint_pictures -- --ignored --nocapture`
//! writes `/tmp/galton-extract/<db>_<image>.png` (original with segmentation outline and
//! minutiae | enhanced image | skeleton with minutiae). Set `GALTON_PICTURES` to a
//! comma-separated list like `DB1_B/101_1,DB3_B/105_2` to choose the images.

mod common;

use galton::fingerprint::{extract_with_maps, FeatureMaps};
use galton::image::FingerprintImage;
use galton::{MinutiaKind, Template};
use image::{GrayImage, Rgb, RgbImage};
use imageproc::drawing::{draw_hollow_circle_mut, draw_hollow_rect_mut, draw_line_segment_mut};
use imageproc::rect::Rect;

fn gray_to_rgb(g: &GrayImage) -> RgbImage {
    RgbImage::from_fn(g.width(), g.height(), |x, y| {
        let v = g.get_pixel(x, y)[0];
        Rgb([v, v, v])
    })
}

/// Draws minutiae given in original coordinates, scaled by `k` (working / original).
fn draw_minutiae(img: &mut RgbImage, t: &Template, size: f32, to: impl Fn(f32, f32) -> (f32, f32)) {
    for m in &t.minutiae {
        let (x, y) = to(m.x, m.y);
        let colour = match m.kind {
            MinutiaKind::Ending => Rgb([255, 40, 40]),
            _ => Rgb([40, 200, 40]),
        };
        let (dx, dy) = (m.direction.cos(), -m.direction.sin());
        for off in [-0.5f32, 0.0, 0.5] {
            let (ox, oy) = (
                off * (size - 1.0).min(1.0) * dy,
                -off * (size - 1.0).min(1.0) * dx,
            );
            let len = 12.0 * size;
            draw_line_segment_mut(
                img,
                (x + ox, y + oy),
                (x + ox + len * dx, y + oy + len * dy),
                colour,
            );
        }
        let r = (4.0 * size) as i32;
        if m.kind == MinutiaKind::Ending {
            draw_hollow_circle_mut(img, (x.round() as i32, y.round() as i32), r, colour);
        } else {
            let rect = Rect::at(x.round() as i32 - r, y.round() as i32 - r)
                .of_size(2 * r as u32 + 1, 2 * r as u32 + 1);
            draw_hollow_rect_mut(img, rect, colour);
        }
    }
}

fn picture(image: &FingerprintImage, t: &Template, maps: &FeatureMaps) -> RgbImage {
    let mut orig = gray_to_rgb(image.gray());
    let mask = maps.mask_image();
    for y in 0..mask.height() {
        for x in 0..mask.width() {
            let inside = mask.get_pixel(x, y)[0] > 0;
            let edge = [(1i32, 0i32), (0, 1), (-1, 0), (0, -1)]
                .iter()
                .any(|&(dx, dy)| {
                    let (xx, yy) = (x as i32 + dx, y as i32 + dy);
                    xx >= 0
                        && yy >= 0
                        && (xx as u32) < mask.width()
                        && (yy as u32) < mask.height()
                        && (mask.get_pixel(xx as u32, yy as u32)[0] > 0) != inside
                });
            if edge {
                orig.put_pixel(x, y, Rgb([60, 120, 255]));
            }
        }
    }
    draw_minutiae(&mut orig, t, 1.0, |x, y| (x, y));
    let enh = gray_to_rgb(&maps.enhanced);
    let mut skel = RgbImage::from_fn(maps.skeleton.width(), maps.skeleton.height(), |x, y| {
        let s = maps.skeleton.get_pixel(x, y)[0] > 0;
        let f = maps.mask.get_pixel(x, y)[0] > 0;
        match (s, f) {
            (true, _) => Rgb([0, 0, 0]),
            (false, true) => Rgb([255, 255, 255]),
            _ => Rgb([200, 200, 200]),
        }
    });
    draw_minutiae(&mut skel, t, 1.0, |x, y| maps.to_working(x, y));
    // Block maps: clarity (red), coherence (green), foreground (blue), one pixel per block
    // magnified 4×.
    let (bh, bw) = maps.clarity.dim();
    let blocks = RgbImage::from_fn(bw as u32 * 4, bh as u32 * 4, |x, y| {
        let (bx, by) = (x as usize / 4, y as usize / 4);
        Rgb([
            (maps.clarity[[by, bx]] * 255.0) as u8,
            (maps.coherence[[by, bx]] * 255.0) as u8,
            if maps.foreground[[by, bx]] { 160 } else { 0 },
        ])
    });
    let w = orig.width() + enh.width() + skel.width() + blocks.width() + 30;
    let h = orig.height().max(enh.height());
    let mut out = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
    image::imageops::overlay(&mut out, &orig, 0, 0);
    image::imageops::overlay(&mut out, &enh, (orig.width() + 10) as i64, 0);
    image::imageops::overlay(&mut out, &skel, (orig.width() + enh.width() + 20) as i64, 0);
    let x4 = orig.width() + enh.width() + skel.width() + 30;
    image::imageops::overlay(&mut out, &blocks, x4 as i64, 0);
    out
}

#[test]
#[ignore = "writes debug pictures to /tmp; run on demand"]
fn write_debug_pictures() {
    let list = std::env::var("GALTON_PICTURES")
        .unwrap_or_else(|_| "DB1_B/101_1,DB2_B/102_3,DB3_B/103_1,DB4_B/104_2".into());
    let out_dir = std::path::Path::new("/tmp/galton-extract");
    std::fs::create_dir_all(out_dir).unwrap();
    for item in list.split(',') {
        // "DBx_B/name" or "DBx_B/name@x:y" (centre of the zoomed view).
        let (item, zoom_at) = match item.split_once('@') {
            Some((i, at)) => {
                let (x, y) = at.split_once(':').expect("@x:y");
                (
                    i,
                    Some((x.parse::<u32>().unwrap(), y.parse::<u32>().unwrap())),
                )
            }
            None => (item, None),
        };
        let (db, name) = item.split_once('/').expect("DBx_B/name");
        let path = common::datasets_dir()
            .join("fvc2002")
            .join(db)
            .join(format!("{name}.tif"));
        let image = FingerprintImage::open(&path, common::fvc2002_ppi(db)).unwrap();
        let ex = extract_with_maps(&image).unwrap();
        let file = out_dir.join(format!("{db}_{name}.png"));
        let pic = picture(&image, &ex.template, &ex.maps);
        pic.save(&file).unwrap();
        // The centre of the original, four times as large, to check positions and directions.
        let (zx, zy) = zoom_at.unwrap_or((image.width() / 2, image.height() / 2));
        let cx = zx.saturating_sub(64).min(image.width() - 128);
        let cy = zy.saturating_sub(64).min(image.height() - 128);
        let crop = image::imageops::crop_imm(image.gray(), cx, cy, 128, 128).to_image();
        let mut zoom = gray_to_rgb(&image::imageops::resize(
            &crop,
            512,
            512,
            image::imageops::FilterType::Nearest,
        ));
        draw_minutiae(&mut zoom, &ex.template, 2.0, |x, y| {
            (4.0 * (x - cx as f32) + 1.5, 4.0 * (y - cy as f32) + 1.5)
        });
        zoom.save(out_dir.join(format!("{db}_{name}_zoom.png")))
            .unwrap();
        let endings = ex
            .template
            .minutiae
            .iter()
            .filter(|m| m.kind == MinutiaKind::Ending)
            .count();
        println!(
            "{}: {} minutiae ({} endings), quality {:?}",
            file.display(),
            ex.template.minutiae.len(),
            endings,
            ex.template.quality
        );
    }
}
