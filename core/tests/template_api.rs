//! Format names, the galton byte layout, JSON for people, and what writing refuses.

use std::f32::consts::{FRAC_PI_2, PI};

use galton::template::{decode_views, encode_views, TemplateFormat};
use galton::{Error, FingerPosition, Minutia, MinutiaKind, Template};

fn template() -> Template {
    Template {
        width: 388,
        height: 374,
        ppi: 500.0,
        finger: Some(FingerPosition::LeftIndex),
        quality: Some(80),
        minutiae: vec![
            Minutia {
                x: 120.0,
                y: 200.5,
                direction: FRAC_PI_2,
                kind: MinutiaKind::Ending,
                quality: 60,
            },
            Minutia {
                x: 7.0,
                y: 9.0,
                direction: PI,
                kind: MinutiaKind::Bifurcation,
                quality: 100,
            },
        ],
    }
}

#[test]
fn format_names() {
    for format in TemplateFormat::ALL {
        assert_eq!(format.name().parse::<TemplateFormat>().unwrap(), format);
        assert_eq!(
            format
                .name()
                .to_uppercase()
                .parse::<TemplateFormat>()
                .unwrap(),
            format
        );
    }
    assert_eq!(
        "gltn".parse::<TemplateFormat>().unwrap(),
        TemplateFormat::Galton
    );
    assert_eq!(
        " Iso ".parse::<TemplateFormat>().unwrap(),
        TemplateFormat::Iso19794_2
    );
    let names: Vec<_> = TemplateFormat::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["galton", "iso", "ansi", "json"]);
    let extensions: Vec<_> = TemplateFormat::ALL.iter().map(|f| f.extension()).collect();
    assert_eq!(extensions, ["gltn", "iso", "ansi", "json"]);
    assert_eq!(TemplateFormat::Ansi378.to_string(), "ANSI INCITS 378-2004");
    let err = "xml".parse::<TemplateFormat>().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(
        err.to_string(),
        "invalid argument: unknown template format \"xml\": expected one of galton, iso, ansi, json"
    );
}

#[test]
fn galton_layout_matches_the_documented_table() {
    let t = Template {
        width: 300,
        height: 400,
        ppi: 500.0,
        finger: None,
        quality: Some(42),
        minutiae: vec![Minutia {
            x: 1.5,
            y: 2.0,
            direction: 0.0,
            kind: MinutiaKind::Other,
            quality: 9,
        }],
    };
    #[rustfmt::skip]
    let mut expected = vec![
        b'G', b'L', b'T', b'N',     // magic
        1,                          // format version
        0,                          // flags
        0, 1,                       // number of finger views
        0, 0, 0, 48,                // record length: 12 + 18 + 14 + 4
        0, 0, 0x01, 0x2C,           // width 300
        0, 0, 0x01, 0x90,           // height 400
        0x43, 0xFA, 0x00, 0x00,     // ppi 500.0f32
        255,                        // finger position: not given
        42,                         // view quality
        0, 0, 0, 1,                 // number of minutiae
        0x3F, 0xC0, 0x00, 0x00,     // x 1.5f32
        0x40, 0x00, 0x00, 0x00,     // y 2.0f32
        0x00, 0x00, 0x00, 0x00,     // direction 0.0f32
        2,                          // kind: other
        9,                          // quality
    ];
    let crc = crc32fast::hash(&expected);
    expected.extend(crc.to_be_bytes());
    assert_eq!(t.to_bytes(TemplateFormat::Galton).unwrap(), expected);
    assert_eq!(Template::from_bytes(&expected).unwrap(), t);
}

#[test]
fn json_is_readable() {
    let json = template().to_bytes(TemplateFormat::Json).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["format"], "galton-template");
    assert_eq!(value["version"], 1);
    let view = &value["views"][0];
    assert_eq!(view["width"], 388);
    assert_eq!(view["ppi"], 500.0);
    assert_eq!(view["finger"], "left_index");
    assert_eq!(view["quality"], 80);
    let m = &view["minutiae"][0];
    assert_eq!(m["x"], 120.0);
    assert_eq!(m["y"], 200.5);
    // Degrees, with no more decimals than needed.
    assert_eq!(m["direction_deg"], 90.0);
    assert_eq!(view["minutiae"][1]["direction_deg"], 180.0);
    assert_eq!(m["kind"], "ending");
    assert_eq!(m["quality"], 60);
}

#[test]
fn json_written_by_a_person() {
    let json = br#"
        {"format": "galton-template", "version": 1, "views": [
            {"width": 10, "height": 20, "ppi": 500, "minutiae": [
                {"x": 1, "y": 2, "direction_deg": -90, "kind": "other", "quality": 0},
                {"x": 3, "y": 4, "direction_deg": 720, "kind": "bifurcation", "quality": 1}
            ]}
        ]}"#;
    let t = Template::from_bytes(json).unwrap();
    assert_eq!((t.finger, t.quality), (None, None));
    assert_eq!(t.minutiae[0].direction, 3.0 * FRAC_PI_2);
    assert_eq!(t.minutiae[1].direction, 0.0);
}

/// Writes `t` in `format` and returns the error's reason.
fn write_error(t: &Template, format: TemplateFormat) -> String {
    match t.to_bytes(format) {
        Err(Error::InvalidTemplate { reason, .. }) => reason,
        other => panic!("{format:?}: expected a template error, got {other:?}"),
    }
}

#[test]
fn writing_refuses_what_no_format_holds() {
    let mut nan_direction = template();
    nan_direction.minutiae[1].direction = f32::NAN;
    let mut infinite_x = template();
    infinite_x.minutiae[0].x = f32::INFINITY;
    let mut minutia_quality = template();
    minutia_quality.minutiae[0].quality = 101;
    let cases = [
        (
            nan_direction,
            "view 1: minutia 2: direction NaN is not finite",
        ),
        (
            infinite_x,
            "view 1: minutia 1: position (inf, 200.5) is not finite",
        ),
        (
            minutia_quality,
            "view 1: minutia 1: quality 101 is above 100",
        ),
        (
            Template {
                quality: Some(101),
                ..template()
            },
            "view 1: view quality 101 is above 100",
        ),
        (
            Template {
                ppi: 0.0,
                ..template()
            },
            "view 1: resolution 0 ppi is not a positive number",
        ),
        (
            Template {
                ppi: f32::NAN,
                ..template()
            },
            "view 1: resolution NaN ppi is not a positive number",
        ),
    ];
    for (t, expected) in cases {
        for format in TemplateFormat::ALL {
            assert_eq!(write_error(&t, format), expected, "{format:?}");
        }
    }
    for format in TemplateFormat::ALL {
        let err = encode_views(&[], format).unwrap_err();
        assert!(err.to_string().contains("no finger views"), "{err}");
    }
}

#[test]
fn writing_refuses_what_iso_and_ansi_cannot_hold() {
    let mut wide = template();
    wide.minutiae[0].x = 16383.4; // rounds to 16383: fits
    let mut too_wide = template();
    too_wide.minutiae[0].x = 16383.5;
    let mut negative = template();
    negative.minutiae[1].y = -0.6;
    let many = Template {
        minutiae: vec![template().minutiae[0]; 256],
        ..template()
    };
    let cases = [
        (
            too_wide,
            "view 1: minutia 1: x = 16383.5 does not fit the 14-bit coordinate field",
        ),
        (
            negative,
            "view 1: minutia 2: y = -0.6 does not fit the 14-bit coordinate field",
        ),
        (
            many.clone(),
            "view 1: 256 minutiae: a view holds 255 at most",
        ),
        (
            Template {
                width: 65536,
                ..template()
            },
            "image width 65536 px exceeds the 16-bit field",
        ),
        (
            Template {
                ppi: 1.0,
                ..template()
            },
            "resolution 1 ppi is 0 pixels per cm",
        ),
    ];
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        assert!(wide.to_bytes(format).is_ok());
        for (t, expected) in &cases {
            let reason = write_error(t, format);
            assert!(reason.starts_with(expected), "{format:?}: {reason:?}");
            // galton's own format and JSON hold these (past the default minutiae limit).
            for lossless in [TemplateFormat::Galton, TemplateFormat::Json] {
                let bytes = t.to_bytes(lossless).unwrap();
                let unlimited = galton::limits::TemplateLimits::UNLIMITED;
                assert_eq!(
                    &Template::from_bytes_with_limits(&bytes, &unlimited).unwrap(),
                    t
                );
            }
        }
        // Views of one record share image size and resolution.
        let other = Template {
            height: 375,
            ..template()
        };
        let err = encode_views(&[template(), other], format)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("view 2: image 388×375 px at 197 px/cm differs from view 1's 388×374"),
            "{err}"
        );
        let close = Template {
            ppi: 500.5,
            ..template()
        }; // still 197 px/cm
        assert!(encode_views(&[template(), close], format).is_ok());
    }
}

#[test]
fn many_views_in_every_format() {
    let views: Vec<Template> = FingerPosition::ALL
        .iter()
        .map(|&finger| Template {
            finger: Some(finger),
            ..template()
        })
        .collect();
    for format in TemplateFormat::ALL {
        let back = decode_views(&encode_views(&views, format).unwrap()).unwrap();
        assert_eq!(back.len(), views.len());
        let fingers: Vec<_> = back.iter().map(|v| v.finger).collect();
        assert_eq!(
            fingers,
            views.iter().map(|v| v.finger).collect::<Vec<_>>(),
            "{format:?}"
        );
    }
}
