//! Structural removal of false minutiae by editing the skeleton (Maltoni et al., Handbook of
//! Fingerprint Recognition, §3.8; Xiao and Raafat's structural rules).
//!
//! Lengths scale with the local ridge period `T`:
//! - **spur**: a branch from a ridge tip that reaches a junction within `spur · T` pixels is
//!   a hair on the ridge: erased (the tip and the junction both disappear);
//! - **island / short ridge**: a ridge with two tips shorter than `island · T` is a dot or a
//!   fragment: erased;
//! - **bridge**: a segment of at most `bridge · T` pixels joining two junctions and running
//!   across the ridge flow (more than 40° from the local orientation) links two neighbouring
//!   ridges: erased (both false bifurcations disappear);
//! - **lake / hole**: two short branches of one junction that meet again at the same junction
//!   enclose a small hole in a ridge: the shorter one is erased.
//!
//! The rules are applied twice (erasing a spur can expose another), then the skeleton is
//! re-thinned so the edits leave no corners.

use super::skeleton::{branch_paths, crossing_number, thin_padded, Padded};

/// Length factors of the rules, in ridge periods.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CleanupParams {
    pub(crate) spur: f32,
    pub(crate) island: f32,
    pub(crate) bridge: f32,
    pub(crate) lake: f32,
}

/// Local facts the rules need at a working pixel (x, y): ridge orientation (radians, as
/// seen) and ridge period (pixels).
pub(crate) trait Context {
    fn orientation(&self, x: usize, y: usize) -> f32;
    fn period(&self, x: usize, y: usize) -> f32;
}

fn is_junction(img: &Padded, i: usize) -> bool {
    img.px[i] == 1 && crossing_number(img.mask(i)) >= 3
}

fn is_tip(img: &Padded, i: usize) -> bool {
    img.px[i] == 1 && crossing_number(img.mask(i)) == 1
}

/// Applies the structural rules to the skeleton in place.
pub(crate) fn clean(img: &mut Padded, ctx: &impl Context, p: &CleanupParams) {
    for _ in 0..2 {
        remove_spurs_and_islands(img, ctx, p);
        remove_bridges_and_lakes(img, ctx, p);
        thin_padded(img);
    }
}

fn remove_spurs_and_islands(img: &mut Padded, ctx: &impl Context, p: &CleanupParams) {
    let tips: Vec<usize> = (0..img.px.len()).filter(|&i| is_tip(img, i)).collect();
    for e in tips {
        if !is_tip(img, e) {
            continue; // erased or changed by an earlier edit
        }
        let (x, y) = img.coords(e);
        let t = ctx.period(x, y);
        let max = (p.island.max(p.spur) * t).ceil() as usize + 1;
        let Some(path) = branch_paths(img, e, max).into_iter().next() else {
            continue;
        };
        let last = *path.last().unwrap();
        let len = path.len() as f32;
        if is_junction(img, last) && len <= p.spur * t {
            img.px[e] = 0;
            for &i in &path[..path.len() - 1] {
                img.px[i] = 0;
            }
        } else if is_tip(img, last) && len <= p.island * t {
            img.px[e] = 0;
            for &i in &path {
                img.px[i] = 0;
            }
        }
    }
}

fn remove_bridges_and_lakes(img: &mut Padded, ctx: &impl Context, p: &CleanupParams) {
    let junctions: Vec<usize> = (0..img.px.len()).filter(|&i| is_junction(img, i)).collect();
    for j in junctions {
        if !is_junction(img, j) {
            continue;
        }
        let (x, y) = img.coords(j);
        let t = ctx.period(x, y);
        let max = (p.bridge.max(p.lake) * t).ceil() as usize + 1;
        let paths = branch_paths(img, j, max);
        // Ends of the branches that reach another junction.
        let ends: Vec<Option<usize>> = paths
            .iter()
            .map(|path| {
                let last = *path.last().unwrap();
                (last != j && is_junction(img, last)).then_some(last)
            })
            .collect();
        // Lake: two branches meeting again at the same junction.
        let mut erased = false;
        'lake: for a in 0..paths.len() {
            for b in a + 1..paths.len() {
                if let (Some(ea), Some(eb)) = (ends[a], ends[b]) {
                    let (la, lb) = (paths[a].len() as f32, paths[b].len() as f32);
                    if ea == eb && la <= p.lake * t && lb <= p.lake * t {
                        let shorter = if la <= lb { &paths[a] } else { &paths[b] };
                        for &i in &shorter[..shorter.len() - 1] {
                            img.px[i] = 0;
                        }
                        erased = true;
                        break 'lake;
                    }
                }
            }
        }
        if erased {
            continue;
        }
        // Bridge: a short junction-to-junction segment across the ridge flow.
        let theta = ctx.orientation(x, y);
        let (rx, ry) = (theta.cos(), -theta.sin());
        for (path, end) in paths.iter().zip(&ends) {
            let Some(end) = *end else { continue };
            if path.len() as f32 > p.bridge * t {
                continue;
            }
            let (x2, y2) = img.coords(end);
            let (dx, dy) = (x2 as f32 - x as f32, y2 as f32 - y as f32);
            let len = (dx * dx + dy * dy).sqrt().max(1e-6);
            let along = ((dx * rx + dy * ry) / len).abs();
            if along < 40f32.to_radians().cos() {
                for &i in &path[..path.len() - 1] {
                    img.px[i] = 0;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::skeleton::raw_minutiae;
    use super::*;
    use crate::template::MinutiaKind;

    struct Flat;
    impl Context for Flat {
        fn orientation(&self, _: usize, _: usize) -> f32 {
            0.0 // horizontal ridges
        }
        fn period(&self, _: usize, _: usize) -> f32 {
            10.0
        }
    }

    fn params() -> CleanupParams {
        CleanupParams {
            spur: 1.0,
            island: 1.6,
            bridge: 1.6,
            lake: 2.5,
        }
    }

    fn canvas(w: usize, h: usize, pixels: &[(usize, usize)]) -> Padded {
        let mut mask = vec![false; w * h];
        for &(x, y) in pixels {
            mask[y * w + x] = true;
        }
        Padded::from_mask(w, h, &mask)
    }

    fn hline(y: usize, x0: usize, x1: usize) -> Vec<(usize, usize)> {
        (x0..=x1).map(|x| (x, y)).collect()
    }

    fn count(img: &Padded) -> (usize, usize) {
        let m = raw_minutiae(img, 12);
        let e = m.iter().filter(|m| m.kind == MinutiaKind::Ending).count();
        (e, m.len() - e)
    }

    #[test]
    fn spur_island_bridge_and_lake_are_removed() {
        // Two long horizontal ridges (4 genuine endings), with a 5-px spur, a vertical bridge
        // between them, a 6-px island, and a lake (a ridge splitting and rejoining).
        let mut px = hline(20, 5, 75);
        px.extend(hline(30, 5, 75));
        px.extend((21..=25).map(|y| (15, y))); // spur hanging from the upper ridge
        px.extend((21..=29).map(|y| (40, y))); // bridge
        px.extend(hline(45, 30, 35)); // island
                                      // A lake on a third ridge: it splits at x=20 and rejoins at x=28.
        px.extend(
            hline(55, 5, 75)
                .into_iter()
                .filter(|&(x, _)| !(21..=27).contains(&x)),
        );
        px.extend([
            (21, 54),
            (22, 53),
            (23, 53),
            (24, 53),
            (25, 53),
            (26, 53),
            (27, 54),
        ]);
        px.extend([
            (21, 56),
            (22, 57),
            (23, 57),
            (24, 57),
            (25, 57),
            (26, 57),
            (27, 56),
        ]);
        let mut img = canvas(80, 64, &px);
        let (e, b) = count(&img);
        assert!(e >= 7 && b >= 5, "before: {e} endings, {b} bifurcations");
        clean(&mut img, &Flat, &params());
        assert_eq!(
            count(&img),
            (6, 0),
            "after cleanup only the 6 true ridge ends remain"
        );
    }

    #[test]
    fn genuine_bifurcation_and_long_ridges_survive() {
        // A horizontal ridge forking into two long branches along the flow.
        let mut px = hline(30, 5, 40);
        px.extend((1..=30).map(|k| (40 + k, 30 - k / 3)));
        px.extend((1..=30).map(|k| (40 + k, 30 + k / 3)));
        let mut img = canvas(80, 60, &px);
        thin_padded(&mut img);
        let before = count(&img);
        assert_eq!(before, (3, 1));
        clean(&mut img, &Flat, &params());
        assert_eq!(count(&img), before);
    }
}
