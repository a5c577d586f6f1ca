//! What every template target does with a record once one reader has had it: the
//! detecting entry points must agree not to panic, whatever decoded must be writable in
//! every format without panicking and come back unchanged through galton's own format and
//! JSON (both documented lossless; JSON for directions in `[0, 2π)`), and matching it must not panic either (a template is outside data too).

use galton::template::{decode_views, decode_views_as, encode_views, TemplateFormat};

/// Reads `bytes` as `format`, then through detection, and exercises what decoded.
pub fn exercise(bytes: &[u8], format: TemplateFormat) {
    let direct = decode_views_as(bytes, format);
    let _ = TemplateFormat::detect(bytes);
    let detected = decode_views(bytes);
    for views in [direct, detected].into_iter().flatten() {
        check_views(&views);
    }
}

fn check_views(views: &[galton::Template]) {
    assert!(
        !views.is_empty(),
        "a decoder returned a record without views"
    );
    for format in TemplateFormat::ALL {
        let _ = encode_views(views, format);
    }
    let own = encode_views(views, TemplateFormat::Galton).expect("decoded views are writable");
    let back = decode_views_as(&own, TemplateFormat::Galton).expect("galton's record reads back");
    assert_eq!(back, views, "galton's format is lossless");
    // JSON is lossless for directions in [0, 2π) (what `Minutia` holds) and wraps others
    // into that range; galton's format keeps any finite direction as it is.
    let json = encode_views(views, TemplateFormat::Json).expect("decoded views are writable");
    let back = decode_views_as(&json, TemplateFormat::Json).expect("the JSON reads back");
    if views.iter().all(in_turn) {
        assert_eq!(back, views, "JSON gives back an equal template");
    } else {
        assert!(back.iter().all(in_turn), "JSON wraps directions");
    }
    if let [a, rest @ ..] = views {
        let _ = galton::matcher::compare(a, a);
        if let Some(b) = rest.first() {
            let _ = galton::matcher::compare(a, b);
        }
    }
}

fn in_turn(view: &galton::Template) -> bool {
    view.minutiae
        .iter()
        .all(|m| (0.0..std::f32::consts::TAU).contains(&m.direction))
}
