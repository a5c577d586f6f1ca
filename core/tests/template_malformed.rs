//! Malformed records: every one is an error naming the problem, none panics.

use galton::template::{decode_views, encode_views, TemplateFormat};
use galton::{Error, FingerPosition, Minutia, MinutiaKind, Template};
use proptest::prelude::*;

fn template(count: usize) -> Template {
    Template {
        width: 300,
        height: 400,
        ppi: 500.0,
        finger: Some(FingerPosition::LeftIndex),
        quality: Some(70),
        minutiae: (0..count)
            .map(|i| Minutia {
                x: 10.0 + i as f32,
                y: 20.0 + i as f32,
                direction: 0.1 * i as f32,
                kind: if i % 2 == 0 {
                    MinutiaKind::Ending
                } else {
                    MinutiaKind::Bifurcation
                },
                quality: 50,
            })
            .collect(),
    }
}

/// A two-view record of 3 and 2 minutiae in `format`.
fn record(format: TemplateFormat) -> Vec<u8> {
    encode_views(&[template(3), template(2)], format).unwrap()
}

/// The reason of a template error, or a failure if decoding succeeded.
fn reason(bytes: &[u8]) -> String {
    match decode_views(bytes) {
        Err(Error::InvalidTemplate { reason, .. }) => reason,
        other => panic!("expected a template error, got {other:?}"),
    }
}

fn assert_reason(bytes: &[u8], expected: &str) {
    let reason = reason(bytes);
    assert!(
        reason.contains(expected),
        "{reason:?} does not say {expected:?}"
    );
}

/// Rewrites a galton record's checksum after an edit, so that the edit itself is checked.
fn reseal(bytes: &mut [u8]) {
    let end = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_be_bytes());
}

/// Offset of the first view in ISO and ANSI records written by galton.
const ISO_VIEW: usize = 24;
const ANSI_VIEW: usize = 26;
/// Offset of the first minutia's angle byte.
const ANSI_ANGLE: usize = ANSI_VIEW + 4 + 4;

#[test]
fn empty_input() {
    assert_reason(&[], "empty input");
    assert!(TemplateFormat::detect(&[]).is_err());
    assert!(Template::from_bytes(&[]).is_err());
}

#[test]
fn every_truncation_is_an_error() {
    for format in TemplateFormat::ALL {
        let bytes = record(format);
        assert!(decode_views(&bytes).is_ok());
        for end in 0..bytes.len() {
            let result = decode_views(&bytes[..end]);
            assert!(
                result.is_err(),
                "{format:?} cut at {end} of {}: {result:?}",
                bytes.len()
            );
        }
    }
}

#[test]
fn truncation_names_the_record_length() {
    let bytes = record(TemplateFormat::Iso19794_2);
    assert_reason(
        &bytes[..40],
        &format!(
            "truncated: record length says {} bytes, got 40",
            bytes.len()
        ),
    );
    let bytes = record(TemplateFormat::Galton);
    assert_reason(
        &bytes[..40],
        &format!(
            "truncated: record length says {} bytes, got 40",
            bytes.len()
        ),
    );
    assert_reason(
        &bytes[..9],
        "truncated: record length needs 4 bytes at offset 8, 1 left",
    );
}

#[test]
fn wrong_magic() {
    let mut bytes = record(TemplateFormat::Iso19794_2);
    bytes[2] = b'X';
    assert_reason(&bytes, "wrong magic");
    let mut bytes = record(TemplateFormat::Galton);
    bytes[3] = b'X';
    assert_reason(&bytes, "wrong magic");
    assert_reason(b"hello, world", "wrong magic");
}

#[test]
fn wrong_version() {
    let mut bytes = record(TemplateFormat::Ansi378);
    bytes[6] = b'1';
    assert_reason(&bytes, "version \" 21\" is not supported");
    let mut bytes = record(TemplateFormat::Galton);
    bytes[4] = 2;
    reseal(&mut bytes);
    assert_reason(&bytes, "unsupported format version 2");
}

#[test]
fn record_length_that_lies() {
    // The record length field is at offset 8: 4 bytes in ISO and galton, 2 in ANSI.
    let cases = [
        (TemplateFormat::Iso19794_2, 4, "runs past the record length"),
        (TemplateFormat::Ansi378, 2, "runs past the record length"),
        (TemplateFormat::Galton, 4, "1 bytes follow the record"),
    ];
    for (format, size, shorter) in cases {
        let valid = record(format);
        let n = valid.len() as u64;
        for (length, expected) in [(n + 1, "truncated: record length says"), (n - 1, shorter)] {
            let mut bytes = valid.clone();
            bytes[8..8 + size].copy_from_slice(&length.to_be_bytes()[8 - size..]);
            if format == TemplateFormat::Galton {
                reseal(&mut bytes);
            }
            assert_reason(&bytes, expected);
        }
    }
}

#[test]
fn bytes_after_the_record() {
    // Zero padding after ISO/ANSI records is accepted (SourceAFIS pads to 384 bytes).
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        let mut bytes = record(format);
        bytes.extend([0; 100]);
        assert_eq!(decode_views(&bytes).unwrap().len(), 2);
        bytes.push(7);
        assert_reason(&bytes, "101 bytes follow the record");
    }
    // Record length says more than the views hold.
    let mut bytes = record(TemplateFormat::Iso19794_2);
    let n = bytes.len() as u32;
    bytes[8..12].copy_from_slice(&(n + 2).to_be_bytes());
    bytes.extend([0, 0]);
    assert_reason(
        &bytes,
        &format!(
            "record length says {} bytes but its views end at byte {n}",
            n + 2
        ),
    );
}

#[test]
fn absurd_counts() {
    // ISO: 200 minutiae announced in a view with 3.
    let mut bytes = record(TemplateFormat::Iso19794_2);
    bytes[ISO_VIEW + 3] = 200;
    assert_reason(&bytes, "view 1: minutia count 200 needs 1200 bytes");
    // ISO: 255 views announced.
    let mut bytes = record(TemplateFormat::Iso19794_2);
    bytes[22] = 255;
    assert_reason(&bytes, "number of finger views 255 needs");
    // galton: 4 billion minutiae, 65535 views; refused before anything is allocated.
    let mut bytes = record(TemplateFormat::Galton);
    bytes[12 + 14..12 + 18].copy_from_slice(&u32::MAX.to_be_bytes());
    reseal(&mut bytes);
    assert_reason(
        &bytes,
        "view 1: minutia count 4294967295 needs 60129542130 bytes",
    );
    let mut bytes = record(TemplateFormat::Galton);
    bytes[6..8].copy_from_slice(&u16::MAX.to_be_bytes());
    reseal(&mut bytes);
    assert_reason(&bytes, "number of finger views 65535 needs");
    // No views at all.
    let mut bytes = record(TemplateFormat::Ansi378);
    bytes[24] = 0;
    assert!(decode_views(&bytes).is_err());
}

#[test]
fn unknown_finger_position() {
    let mut bytes = record(TemplateFormat::Iso19794_2);
    let second_view = ISO_VIEW + 4 + 3 * 6 + 2;
    bytes[second_view] = 14;
    assert_reason(&bytes, "view 2: unknown finger position code 14");
    let mut bytes = record(TemplateFormat::Galton);
    bytes[12 + 12] = 14;
    reseal(&mut bytes);
    assert_reason(&bytes, "view 1: unknown finger position code 14");
}

#[test]
fn ansi_angle_out_of_range() {
    let mut bytes = record(TemplateFormat::Ansi378);
    bytes[ANSI_ANGLE] = 179;
    assert!(decode_views(&bytes).is_ok());
    bytes[ANSI_ANGLE] = 180;
    assert_reason(&bytes, "view 1: minutia 1: angle 180 is out of range 0–179");
    // The same byte is a valid ISO angle.
    let mut bytes = record(TemplateFormat::Iso19794_2);
    bytes[ISO_VIEW + 4 + 4] = 255;
    assert!(decode_views(&bytes).is_ok());
}

#[test]
fn invalid_fields() {
    let iso = record(TemplateFormat::Iso19794_2);
    let edit = |at: usize, value: u8| {
        let mut bytes = iso.clone();
        bytes[at] = value;
        bytes
    };
    assert_reason(
        &edit(ISO_VIEW + 4, 0xC0),
        "minutia 1: reserved minutia type code 11",
    );
    assert_reason(
        &edit(ISO_VIEW + 4 + 5, 101),
        "minutia 1: quality 101 is above 100",
    );
    assert_reason(
        &edit(ISO_VIEW + 2, 101),
        "view 1: finger quality 101 is above 100",
    );
    assert_reason(
        &edit(19, 0xC6),
        "horizontal resolution 198 differs from vertical 197",
    );
    let mut zero = iso.clone();
    zero[18..22].fill(0);
    assert_reason(&zero, "zero is not a resolution");
    // Extended data block longer than what is left.
    let mut bytes = iso.clone();
    let extended = ISO_VIEW + 4 + 3 * 6;
    bytes[extended..extended + 2].copy_from_slice(&1000u16.to_be_bytes());
    assert_reason(
        &bytes,
        "view 1: truncated: extended data block needs 1000 bytes",
    );
}

#[test]
fn galton_checksum() {
    let mut bytes = record(TemplateFormat::Galton);
    bytes[30] ^= 1;
    assert_reason(&bytes, "checksum mismatch");
    let mut bytes = record(TemplateFormat::Galton);
    bytes[12 + 8..12 + 12].copy_from_slice(&f32::NAN.to_be_bytes());
    reseal(&mut bytes);
    assert_reason(
        &bytes,
        "view 1: resolution NaN ppi is not a positive number",
    );
}

#[test]
fn garbage_json() {
    let valid = String::from_utf8(record(TemplateFormat::Json)).unwrap();
    let cases: [(String, &str); 9] = [
        ("{not json".into(), "key must be a string"),
        ("{}".into(), "missing field `format`"),
        (
            valid.replace("galton-template", "other"),
            "\"format\" is \"other\"",
        ),
        (
            valid.replace("\"version\": 1", "\"version\": 2"),
            "unsupported version 2",
        ),
        (
            valid.replace("\"width\"", "\"wdth\""),
            "unknown field `wdth`",
        ),
        (
            valid.replace("left_index", "left_pinky"),
            "unknown finger \"left_pinky\"",
        ),
        (
            valid.replace("\"ppi\": 500.0", "\"ppi\": 0.0"),
            "resolution 0 ppi is not a positive number",
        ),
        (
            valid.replace("\"quality\": 50", "\"quality\": 101"),
            "minutia 1: quality 101 is above 100",
        ),
        (
            r#"{"format": "galton-template", "version": 1, "views": []}"#.into(),
            "no finger views",
        ),
    ];
    for (json, expected) in cases {
        assert_reason(json.as_bytes(), expected);
    }
}

/// Valid records of every format, 1–3 views of up to 12 minutiae.
fn valid_record() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(TemplateFormat::ALL.to_vec()),
        prop::collection::vec(0..12usize, 1..4),
    )
        .prop_map(|(format, counts)| {
            let views: Vec<Template> = counts.into_iter().map(template).collect();
            encode_views(&views, format).unwrap()
        })
}

/// Decodes bytes that may be anything; whatever decodes must be writable again in its own
/// format and read back the same.
fn decode_anything(bytes: &[u8]) {
    let Ok(views) = decode_views(bytes) else {
        return;
    };
    let format = TemplateFormat::detect(bytes).unwrap();
    match encode_views(&views, format) {
        Ok(again) => assert_eq!(decode_views(&again).unwrap(), views),
        // A damaged record can hold more views of one finger than a writer may number.
        Err(e) => assert!(e.to_string().contains("view number field"), "{e}"),
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(
        start in prop::sample::select(vec![&b""[..], b"FMR\0 20\0", b"GLTN\x01\x00", b"{"]),
        rest in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = start.to_vec();
        bytes.extend(rest);
        decode_anything(&bytes);
        let _ = TemplateFormat::detect(&bytes);
    }

    #[test]
    fn mutated_records_never_panic(
        record in valid_record(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        seal in any::<bool>(),
    ) {
        let mut bytes = record;
        for (at, value) in edits {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if seal && bytes.starts_with(b"GLTN") && bytes.len() >= 16 {
            reseal(&mut bytes);
        }
        decode_anything(&bytes);
    }
}
