//! ISO 19794-2:2005 and ANSI 378-2004 records built by hand from the standards' field
//! tables, real ISO records written by another implementation, and format detection.

mod common;

use std::f32::consts::PI;

use galton::template::{decode_views, encode_views, TemplateFormat};
use galton::{FingerPosition, Minutia, MinutiaKind, Template};

/// Degrees to radians as the decoders compute them.
fn rad(degrees: f64) -> f32 {
    degrees.to_radians() as f32
}

fn minutia(x: f32, y: f32, direction: f32, kind: MinutiaKind, quality: u8) -> Minutia {
    Minutia {
        x,
        y,
        direction,
        kind,
        quality,
    }
}

/// A two-view ISO record: extended data in view 1, a second view of the same finger with
/// view number 1 and impression type 1, reserved bits set in a y field.
#[rustfmt::skip]
const ISO_TWO_VIEWS: [u8; 63] = [
    // Record header
    b'F', b'M', b'R', 0,    // format identifier
    b' ', b'2', b'0', 0,    // version
    0x00, 0x00, 0x00, 63,   // record length: 63 bytes
    0x80, 0x12,             // capture equipment: compliance 0x8, ID 0x012
    0x01, 0x84,             // image width 388
    0x01, 0x76,             // image height 374
    0x00, 0xC5,             // horizontal resolution 197 px/cm
    0x00, 0xC5,             // vertical resolution 197 px/cm
    0x02,                   // number of finger views
    0x00,                   // reserved
    // View 1 header
    0x02,                   // finger position: right index
    0x00,                   // view number 0, impression type 0 (live-scan plain)
    80,                     // finger quality
    2,                      // number of minutiae
    // Minutia 1: ridge ending at (100, 200), angle 64 × 1.40625° = 90°, quality 60
    0x40, 0x64,             // type 01, x = 100
    0x00, 0xC8,             // reserved 00, y = 200
    64,                     // angle
    60,                     // quality
    // Minutia 2: bifurcation at (387, 373), angle 255 × 1.40625° = 358.59375°, quality 100
    0x81, 0x83,             // type 10, x = 0x183 = 387
    0x01, 0x75,             // reserved 00, y = 0x175 = 373
    255,                    // angle
    100,                    // quality
    // Extended data: one 9-byte ridge count area
    0x00, 0x09,             // extended data block length
    0x00, 0x01,             // area type 1: ridge count data
    0x00, 0x09,             // area length, its 4 header bytes included
    0x01,                   // ridge count extraction method
    0x01, 0x02, 0x05,       // minutia 1 to minutia 2: 5 ridges
    0x00,                   // padding byte of the area
    // View 2 header
    0x02,                   // finger position: right index
    0x11,                   // view number 1, impression type 1 (live-scan rolled)
    0,                      // finger quality
    1,                      // number of minutiae
    // Minutia 1: other type at (0, 0), angle 128 × 1.40625° = 180°, quality 0
    0x00, 0x00,             // type 00, x = 0
    0xC0, 0x00,             // reserved bits 11 (ignored), y = 0
    128,                    // angle
    0,                      // quality
    // Extended data
    0x00, 0x00,             // extended data block length: none
];

#[test]
fn hand_built_iso_record_reads_back_every_field() {
    assert_eq!(
        TemplateFormat::detect(&ISO_TWO_VIEWS).unwrap(),
        TemplateFormat::Iso19794_2
    );
    let views = decode_views(&ISO_TWO_VIEWS).unwrap();
    assert_eq!(views.len(), 2);
    let ppi = (197.0f64 * 2.54) as f32;
    assert_eq!(
        views[0],
        Template {
            width: 388,
            height: 374,
            ppi,
            finger: Some(FingerPosition::RightIndex),
            quality: Some(80),
            minutiae: vec![
                minutia(100.0, 200.0, rad(90.0), MinutiaKind::Ending, 60),
                minutia(387.0, 373.0, rad(358.59375), MinutiaKind::Bifurcation, 100),
            ],
        }
    );
    assert_eq!(
        views[1],
        Template {
            width: 388,
            height: 374,
            ppi,
            finger: Some(FingerPosition::RightIndex),
            quality: Some(0),
            minutiae: vec![minutia(0.0, 0.0, PI, MinutiaKind::Other, 0)],
        }
    );
    // `from_bytes` gives the first view.
    assert_eq!(Template::from_bytes(&ISO_TWO_VIEWS).unwrap(), views[0]);
}

#[test]
fn iso_writer_produces_the_standard_layout() {
    let views = decode_views(&ISO_TWO_VIEWS).unwrap();
    let written = encode_views(&views, TemplateFormat::Iso19794_2).unwrap();
    // The same record without the extended data, with equipment 0, and with the second
    // view numbered 1 of impression type 0.
    let mut expected = ISO_TWO_VIEWS.to_vec();
    expected.drain(42..51); // the 9-byte ridge count area
    expected[41] = 0; // extended data block length
    expected[11] = 63 - 9; // record length
    expected[12] = 0; // capture equipment
    expected[13] = 0;
    expected[43] = 0x10; // view number 1, impression type 0
    expected[48] = 0x00; // y's reserved bits are written as 0
    assert_eq!(written, expected);
}

/// A one-view ANSI record with the 2-byte record length.
#[rustfmt::skip]
const ANSI_ONE_VIEW: [u8; 50] = [
    // Record header
    b'F', b'M', b'R', 0,    // format identifier
    b' ', b'2', b'0', 0,    // version
    0x00, 50,               // record length: 50 bytes (2-byte form)
    0x00, 0x33, 0x00, 0x01, // CBEFF product identifier: owner 0x0033, type 0x0001
    0x00, 0x00,             // capture equipment
    0x01, 0x2C,             // image width 300
    0x01, 0x2C,             // image height 300
    0x00, 0xC5,             // horizontal resolution 197 px/cm
    0x00, 0xC5,             // vertical resolution 197 px/cm
    0x01,                   // number of finger views
    0x00,                   // reserved
    // View 1 header
    0x06,                   // finger position: left thumb
    0x00,                   // view number 0, impression type 0
    90,                     // finger quality
    3,                      // number of minutiae
    // Minutia 1: ridge ending at (10, 20), angle 45 × 2° = 90°, quality 50
    0x40, 0x0A,  0x00, 0x14,  45,  50,
    // Minutia 2: bifurcation at (299, 0), angle 179 × 2° = 358°, quality 0
    0x81, 0x2B,  0x00, 0x00,  179,  0,
    // Minutia 3: other at (5, 299), angle 0, quality 100
    0x00, 0x05,  0x01, 0x2B,  0,  100,
    // Extended data
    0x00, 0x00,             // extended data block length: none
];

fn ansi_one_view_template() -> Template {
    Template {
        width: 300,
        height: 300,
        ppi: (197.0f64 * 2.54) as f32,
        finger: Some(FingerPosition::LeftThumb),
        quality: Some(90),
        minutiae: vec![
            minutia(10.0, 20.0, rad(90.0), MinutiaKind::Ending, 50),
            minutia(299.0, 0.0, rad(358.0), MinutiaKind::Bifurcation, 0),
            minutia(5.0, 299.0, 0.0, MinutiaKind::Other, 100),
        ],
    }
}

#[test]
fn hand_built_ansi_record_reads_back_every_field() {
    assert_eq!(
        TemplateFormat::detect(&ANSI_ONE_VIEW).unwrap(),
        TemplateFormat::Ansi378
    );
    assert_eq!(
        decode_views(&ANSI_ONE_VIEW).unwrap(),
        vec![ansi_one_view_template()]
    );
}

#[test]
fn ansi_writer_produces_the_standard_layout() {
    let written = ansi_one_view_template()
        .to_bytes(TemplateFormat::Ansi378)
        .unwrap();
    let mut expected = ANSI_ONE_VIEW.to_vec();
    expected[10..14].copy_from_slice(&[0; 4]); // galton writes no CBEFF product identifier
    assert_eq!(written, expected);
}

/// A view of `count` minutiae of the given finger, as ANSI bytes: minutia i is a ridge
/// ending at (i, 2i) with angle code i % 180 and quality i % 101.
fn ansi_view_bytes(finger: u8, view_number: u8, count: u8) -> Vec<u8> {
    let mut bytes = vec![finger, view_number << 4, 70, count];
    for i in 0..u16::from(count) {
        bytes.extend_from_slice(&(0x4000 | i).to_be_bytes());
        bytes.extend_from_slice(&(2 * i).to_be_bytes());
        bytes.extend_from_slice(&[(i % 180) as u8, (i % 101) as u8]);
    }
    bytes.extend_from_slice(&[0, 0]);
    bytes
}

#[test]
fn ansi_six_byte_record_length_is_read_and_written() {
    // 60 views of 255 minutiae: 30 + 60 × 1536 = 92190 bytes, too long for 2 bytes.
    let mut record = vec![
        b'F', b'M', b'R', 0, b' ', b'2', b'0', 0, // identifier, version
        0x00, 0x00, // 2-byte record length 0: the 6-byte form follows
        0x00, 0x01, 0x68, 0x1E, // record length 0x0001681E = 92190
        0x00, 0x00, 0x00, 0x00, // CBEFF product identifier
        0x00, 0x00, // capture equipment
        0x02, 0x00, 0x02, 0x00, // image 512 × 512
        0x00, 0xC5, 0x00, 0xC5, // 197 px/cm
        60, 0x00, // 60 views, reserved
    ];
    for view in 0..60u8 {
        // Fingers 1–10, six views each, numbered 0–5.
        record.extend(ansi_view_bytes(view % 10 + 1, view / 10, 255));
    }
    assert_eq!(record.len(), 92190);
    assert_eq!(
        TemplateFormat::detect(&record).unwrap(),
        TemplateFormat::Ansi378
    );
    let views = decode_views(&record).unwrap();
    assert_eq!(views.len(), 60);
    assert_eq!(views[15].finger, Some(FingerPosition::LeftThumb));
    let m = views[59].minutiae[254];
    assert_eq!(
        (m.x, m.y, m.kind, m.quality),
        (254.0, 508.0, MinutiaKind::Ending, 254 % 101)
    );
    assert_eq!(m.direction, rad(f64::from(254 % 180) * 2.0));
    // galton writes the same bytes, the 6-byte length included.
    assert_eq!(
        encode_views(&views, TemplateFormat::Ansi378).unwrap(),
        record
    );
}

#[test]
fn views_of_one_finger_are_numbered_in_order() {
    let view = |finger| Template {
        finger,
        ..ansi_one_view_template()
    };
    let views = [
        view(Some(FingerPosition::RightIndex)),
        view(Some(FingerPosition::LeftThumb)),
        view(Some(FingerPosition::RightIndex)),
        view(None),
        view(Some(FingerPosition::RightIndex)),
    ];
    let record = encode_views(&views, TemplateFormat::Iso19794_2).unwrap();
    let view_bytes = 4 + 3 * 6 + 2;
    let numbers: Vec<(u8, u8)> = (0..5)
        .map(|i| (record[24 + i * view_bytes], record[25 + i * view_bytes]))
        .collect();
    assert_eq!(
        numbers,
        [(2, 0x00), (6, 0x00), (2, 0x10), (0, 0x00), (2, 0x20)]
    );
    // Seventeen views of one finger do not fit the 4-bit view number.
    let err = encode_views(&vec![view(None); 17], TemplateFormat::Ansi378).unwrap_err();
    assert!(err.to_string().contains("view 17"), "{err}");
}

/// SourceAFIS' ISO test templates: (file, width, height, minutiae, endings, bifurcations).
const SOURCEAFIS: [(&str, u32, u32, usize, usize, usize); 3] = [
    ("iso-probe.dat", 224, 288, 38, 18, 20),
    ("iso-matching.dat", 224, 288, 38, 18, 20),
    ("iso-nonmatching.dat", 208, 320, 39, 19, 20),
];

#[test]
fn sourceafis_iso_records_decode() {
    let dir = common::datasets_dir().join("sourceafis-samples");
    for (file, width, height, count, endings, bifurcations) in SOURCEAFIS {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        // 384 bytes: the record, then zero padding.
        assert_eq!(bytes.len(), 384, "{file}");
        let stated = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize;
        assert!(
            stated < 384 && bytes[stated..].iter().all(|&b| b == 0),
            "{file}"
        );
        assert_eq!(
            TemplateFormat::detect(&bytes).unwrap(),
            TemplateFormat::Iso19794_2,
            "{file}"
        );
        let views = decode_views(&bytes).unwrap();
        assert_eq!(views.len(), 1, "{file}");
        let t = &views[0];
        assert_eq!((t.width, t.height), (width, height), "{file}");
        assert!((t.ppi - 500.0).abs() < 1.0, "{file}: {} ppi", t.ppi);
        assert_eq!(t.finger, Some(FingerPosition::Unknown), "{file}");
        assert_eq!(t.quality, Some(100), "{file}");
        // The stated minutia count, which with the 5-byte extended data fills the record.
        assert_eq!(t.minutiae.len(), count, "{file}");
        assert_eq!(stated, 24 + 4 + 6 * count + 2 + 5, "{file}");
        let of = |kind| t.minutiae.iter().filter(|m| m.kind == kind).count();
        assert_eq!(of(MinutiaKind::Ending), endings, "{file}");
        assert_eq!(of(MinutiaKind::Bifurcation), bifurcations, "{file}");
        for m in &t.minutiae {
            assert!(
                m.x < width as f32 && m.y < height as f32,
                "{file}: {m:?} outside the image"
            );
            assert!((0.0..2.0 * PI).contains(&m.direction), "{file}: {m:?}");
        }
        // Written back (without the vendor's extended data), it reads the same.
        let again = t.to_bytes(TemplateFormat::Iso19794_2).unwrap();
        assert_eq!(again.len(), stated - 5);
        assert_eq!(&Template::from_bytes(&again).unwrap(), t, "{file}");
    }
}

#[test]
fn sourceafis_first_minutia_of_the_probe() {
    let bytes =
        std::fs::read(common::datasets_dir().join("sourceafis-samples/iso-probe.dat")).unwrap();
    let t = Template::from_bytes(&bytes).unwrap();
    // Bytes 28–33: 40 4E 00 0D 1E 00: ridge ending at (78, 13), angle 30 × 1.40625°.
    assert_eq!(
        t.minutiae[0],
        minutia(78.0, 13.0, rad(42.1875), MinutiaKind::Ending, 0)
    );
}

#[test]
fn detection_by_content() {
    let t = ansi_one_view_template();
    for format in TemplateFormat::ALL {
        let bytes = t.to_bytes(format).unwrap();
        assert_eq!(TemplateFormat::detect(&bytes).unwrap(), format);
    }
    assert_eq!(
        TemplateFormat::detect(b"\xEF\xBB\xBF \n {\"x\":1}").unwrap(),
        TemplateFormat::Json
    );
    // Other FMR versions are named and refused.
    let mut iso_2011 = ISO_TWO_VIEWS;
    iso_2011[4..8].copy_from_slice(b"030\0");
    let err = TemplateFormat::detect(&iso_2011).unwrap_err().to_string();
    assert!(err.contains("19794-2:2011"), "{err}");
}

#[test]
fn records_longer_than_64_kib_are_told_apart() {
    // An ISO record of 65536 bytes or more has a nonzero top half of its record length,
    // which ANSI would read as its 2-byte length; ANSI switches to its 6-byte length.
    // 176 views (16 of each finger position, the most a record can number) × 255 minutiae.
    let template = Template {
        width: 16000,
        height: 16000,
        ppi: (197.0f64 * 2.54) as f32,
        finger: None,
        quality: Some(1),
        minutiae: (0..255)
            .map(|i| minutia(i as f32, i as f32, 0.0, MinutiaKind::Ending, 1))
            .collect(),
    };
    let views: Vec<Template> = FingerPosition::ALL
        .iter()
        .flat_map(|&finger| {
            let view = Template {
                finger: Some(finger),
                ..template.clone()
            };
            vec![view; 16]
        })
        .collect();
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        let bytes = encode_views(&views, format).unwrap();
        assert!(bytes.len() > 0x10000);
        assert_eq!(TemplateFormat::detect(&bytes).unwrap(), format);
        assert_eq!(decode_views(&bytes).unwrap(), views);
    }
}
