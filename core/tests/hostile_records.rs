//! Hand-made hostile template records, embeddings and face index files: length fields that
//! lie, counts that the bytes cannot back, records over the size, view and minutiae limits,
//! huge or deeply nested JSON, embeddings over the dimension limit or not finite, an index
//! header claiming 2⁴⁰ vectors. Each gives a typed error (a counting allocator checks that
//! nothing big was allocated first), and raised limits accept legitimately large inputs.

#[path = "hostile/alloc.rs"]
mod alloc;

use alloc::{peak_during, Counting};
use galton::face::{EmbeddingBatch, Encoding, FaceEmbedding, FaceIndex};
use galton::limits::{FaceLimits, TemplateLimits};
use galton::template::{
    decode_views, decode_views_with_limits, encode_views, FingerPosition, Minutia, MinutiaKind,
    Template, TemplateFormat,
};
use galton::{Error, Limit};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SMALL: usize = 1 << 20;

fn view(minutiae: usize, finger: FingerPosition) -> Template {
    Template {
        width: 400,
        height: 500,
        ppi: 500.0,
        finger: Some(finger),
        quality: Some(70),
        minutiae: (0..minutiae)
            .map(|i| Minutia {
                x: (i % 400) as f32,
                y: (i / 400 * 7 % 500) as f32,
                direction: (i % 6) as f32,
                kind: MinutiaKind::Bifurcation,
                quality: 50,
            })
            .collect(),
    }
}

fn assert_limit<T: std::fmt::Debug>(
    result: galton::Result<T>,
    limit: Limit,
    max: u64,
    actual: u64,
) {
    match result {
        Err(Error::LimitExceeded {
            limit: l,
            max: m,
            actual: Some(a),
        }) if (l, m, a) == (limit, max, actual) => {}
        other => panic!("expected {limit:?} {actual} over {max}, got {other:?}"),
    }
}

fn assert_invalid<T: std::fmt::Debug>(result: galton::Result<T>, needle: &str) {
    match result {
        Err(Error::InvalidTemplate { reason, .. }) if reason.contains(needle) => {}
        other => panic!("expected an invalid template saying {needle:?}, got {other:?}"),
    }
}

/// Decodes with the default limits, returning the peak allocation too.
fn decode(bytes: &[u8]) -> (galton::Result<Vec<Template>>, usize) {
    peak_during(|| decode_views(bytes))
}

fn one_view(format: TemplateFormat, minutiae: usize) -> Vec<u8> {
    view(minutiae, FingerPosition::RightIndex)
        .to_bytes(format)
        .unwrap()
}

#[test]
fn iso_and_ansi_length_fields_that_lie() {
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        let good = one_view(format, 3);
        let mut lies: Vec<(Vec<u8>, &str)> = Vec::new();
        match format {
            TemplateFormat::Iso19794_2 => {
                for length in [u32::MAX, good.len() as u32 + 1, 1 << 31] {
                    let mut b = good.clone();
                    b[8..12].copy_from_slice(&length.to_be_bytes());
                    lies.push((b, "truncated: record length says"));
                }
                let mut b = good.clone();
                b[8..12].copy_from_slice(&(good.len() as u32 - 6).to_be_bytes());
                lies.push((b, "minutia count 3 needs 18 bytes"));
            }
            _ => {
                let mut b = good.clone();
                b[8..10].copy_from_slice(&u16::MAX.to_be_bytes());
                lies.push((b, "truncated: record length says 65535"));
                // The 6-byte form claiming 4 GiB.
                let mut b = good[..8].to_vec();
                b.extend_from_slice(&[0, 0]);
                b.extend_from_slice(&u32::MAX.to_be_bytes());
                b.extend_from_slice(&good[10..]);
                // (Read as ISO, whose 4-byte length this is too, it says 65535: truncated either way.)
                lies.push((b, "truncated: record length says"));
                let mut b = good.clone();
                b[8..10].copy_from_slice(&(good.len() as u16 - 6).to_be_bytes());
                lies.push((b, "minutia count 3 needs 18 bytes"));
            }
        }
        for (bytes, needle) in lies {
            let (result, peak) = decode(&bytes);
            assert_invalid(result, needle);
            assert!(peak < SMALL, "{format:?}: {peak}");
        }
    }
}

/// Offset of the first view's minutiae count in a one-view record.
fn count_at(format: TemplateFormat) -> usize {
    match format {
        TemplateFormat::Iso19794_2 => 24 + 3,
        _ => 26 + 3,
    }
}

#[test]
fn counts_the_bytes_cannot_back_are_damaged_records() {
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        // 255 minutiae announced, data for 3.
        let mut bytes = one_view(format, 3);
        bytes[count_at(format)] = 255;
        let (result, peak) = decode(&bytes);
        assert_invalid(result, "minutia count 255 needs 1530 bytes");
        assert!(peak < SMALL, "{peak}");
        // 255 views announced, one there.
        let mut bytes = one_view(format, 3);
        bytes[count_at(format) - 5] = 255;
        let (result, peak) = decode(&bytes);
        assert_invalid(result, "number of finger views 255 needs");
        assert!(peak < SMALL, "{peak}");
    }
    // galton: 2³² − 1 minutiae announced (the CRC made right, so the count is read).
    let mut bytes = one_view(TemplateFormat::Galton, 3);
    bytes[12 + 14..12 + 18].copy_from_slice(&u32::MAX.to_be_bytes());
    let end = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_be_bytes());
    let (result, peak) = decode(&bytes);
    assert_invalid(result, "minutia count 4294967295 needs");
    assert!(peak < SMALL, "{peak}");
}

#[test]
fn minutiae_over_the_limit_are_refused_and_a_raised_limit_accepts_them() {
    // ISO and ANSI hold 255 a view, the default limit: 200 pass, and a limit of 100 refuses.
    let tight = TemplateLimits {
        max_minutiae: 100,
        ..TemplateLimits::default()
    };
    for format in [TemplateFormat::Iso19794_2, TemplateFormat::Ansi378] {
        let bytes = one_view(format, 200);
        assert_eq!(decode_views(&bytes).unwrap()[0].minutiae.len(), 200);
        let (result, peak) = peak_during(|| decode_views_with_limits(&bytes, &tight));
        assert_limit(result, Limit::TemplateMinutiae, 100, 200);
        assert!(peak < SMALL, "{peak}");
    }
    // galton and JSON records can hold more than 255: refused by default, accepted raised.
    let raised = TemplateLimits {
        max_minutiae: 1000,
        ..TemplateLimits::default()
    };
    for format in [TemplateFormat::Galton, TemplateFormat::Json] {
        let bytes = one_view(format, 1000);
        assert_limit(decode_views(&bytes), Limit::TemplateMinutiae, 255, 1000);
        assert_limit(
            Template::from_bytes(&bytes),
            Limit::TemplateMinutiae,
            255,
            1000,
        );
        let back = Template::from_bytes_with_limits(&bytes, &raised).unwrap();
        assert_eq!(back, view(1000, FingerPosition::RightIndex));
    }
}

#[test]
fn views_over_the_limit_are_refused_and_a_raised_limit_accepts_them() {
    // ISO and ANSI hold 255 views, the default limit: 40 pass, a limit of 32 refuses them.
    let forty: Vec<Template> = (0..40)
        .map(|i| view(5, FingerPosition::ALL[1 + i % 10]))
        .collect();
    let tight = TemplateLimits {
        max_views: 32,
        ..TemplateLimits::default()
    };
    for format in TemplateFormat::ALL {
        let bytes = encode_views(&forty, format).unwrap();
        assert_eq!(decode_views(&bytes).unwrap().len(), 40);
        let (result, peak) = peak_during(|| decode_views_with_limits(&bytes, &tight));
        assert_limit(result, Limit::TemplateViews, 32, 40);
        if format != TemplateFormat::Json {
            assert!(peak < SMALL, "{format:?}: {peak}");
        }
    }
    // galton and JSON records can hold more: 300 views are refused by default, accepted
    // under a raised limit.
    let many: Vec<Template> = (0..300)
        .map(|i| view(2, FingerPosition::ALL[1 + i % 10]))
        .collect();
    let raised = TemplateLimits {
        max_views: 300,
        ..TemplateLimits::default()
    };
    for format in [TemplateFormat::Galton, TemplateFormat::Json] {
        let bytes = encode_views(&many, format).unwrap();
        assert_limit(decode_views(&bytes), Limit::TemplateViews, 255, 300);
        assert_eq!(decode_views_with_limits(&bytes, &raised).unwrap(), many);
    }
}

#[test]
fn records_over_the_byte_limit_are_refused_unread() {
    // 2 MiB that start like a galton record: refused from the length alone.
    let mut bytes = b"GLTN".to_vec();
    bytes.resize(2 << 20, 0);
    let (result, peak) = decode(&bytes);
    assert_limit(result, Limit::TemplateBytes, 1 << 20, 2 << 20);
    assert!(peak < SMALL, "{peak}");
    // A genuine record of 12 views of 4000 minutiae (over 600 KiB) passes a raised limit.
    let views: Vec<Template> = (0..12)
        .map(|i| view(4000, FingerPosition::ALL[1 + i % 10]))
        .collect();
    let bytes = encode_views(&views, TemplateFormat::Galton).unwrap();
    let roomy = TemplateLimits {
        max_minutiae: 4000,
        ..TemplateLimits::default()
    };
    assert_eq!(decode_views_with_limits(&bytes, &roomy).unwrap(), views);
    let tight = TemplateLimits {
        max_bytes: 100_000,
        ..roomy
    };
    let result = decode_views_with_limits(&bytes, &tight);
    assert_limit(result, Limit::TemplateBytes, 100_000, bytes.len() as u64);
}

fn json_with_minutiae(n: usize) -> Vec<u8> {
    let minutia = r#"{"x":1,"y":2,"direction_deg":3,"kind":"ending","quality":4},"#;
    let mut text = String::with_capacity(100 + n * minutia.len());
    text.push_str(
        r#"{"format":"galton-template","version":1,"views":[{"width":400,"height":400,"ppi":500,"minutiae":["#,
    );
    for _ in 0..n {
        text.push_str(minutia);
    }
    text.pop();
    text.push_str("]}]}");
    text.into_bytes()
}

#[test]
fn json_with_a_million_minutiae_is_refused() {
    let bytes = json_with_minutiae(1_000_000);
    let (result, peak) = decode(&bytes);
    assert_limit(result, Limit::TemplateBytes, 1 << 20, bytes.len() as u64);
    assert!(peak < SMALL, "{peak}");
    // Past the byte limit, the minutiae limit still refuses it.
    let roomy = TemplateLimits {
        max_bytes: 1 << 30,
        ..TemplateLimits::default()
    };
    let result = decode_views_with_limits(&bytes, &roomy);
    assert_limit(result, Limit::TemplateMinutiae, 255, 1_000_000);
    // And a raised minutiae limit accepts it: the limits, not the reader, decide.
    let all = TemplateLimits {
        max_minutiae: 1_000_000,
        ..roomy
    };
    assert_eq!(
        decode_views_with_limits(&bytes, &all).unwrap()[0]
            .minutiae
            .len(),
        1_000_000
    );
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [200, 100_000] {
        let mut text = r#"{"format":"galton-template","version":1,"views":"#.to_string();
        text.push_str(&"[".repeat(depth));
        text.push_str(&"]".repeat(depth));
        text.push('}');
        let err = decode_views(text.as_bytes()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidTemplate { format: "JSON", .. }),
            "{err}"
        );
        let mut objects =
            r#"{"format":"galton-template","version":1,"views":[{"width":"#.to_string();
        objects.push_str(&r#"{"a":"#.repeat(depth));
        let err = decode_views(objects.as_bytes()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidTemplate { format: "JSON", .. }),
            "{err}"
        );
    }
}

#[test]
fn embeddings_over_the_dimension_limit_or_not_finite() {
    assert_limit(
        FaceEmbedding::new(vec![1.0; 5000]),
        Limit::EmbeddingDimension,
        4096,
        5000,
    );
    let (result, peak) = peak_during(|| EmbeddingBatch::from_rows(&[], 1 << 40));
    assert_limit(result, Limit::EmbeddingDimension, 4096, 1 << 40);
    assert!(peak < SMALL, "{peak}");
    let tight = FaceLimits {
        max_dimension: 512,
        ..FaceLimits::default()
    };
    assert_limit(
        FaceEmbedding::new_with_limits(vec![1.0; 1024], &tight),
        Limit::EmbeddingDimension,
        512,
        1024,
    );
    assert_eq!(
        FaceEmbedding::new_with_limits(vec![1.0; 512], &tight)
            .unwrap()
            .dim(),
        512
    );
    // A configured limit above the hard ceiling is the ceiling.
    let loose = FaceLimits {
        max_dimension: 1 << 20,
        ..FaceLimits::default()
    };
    assert_limit(
        FaceEmbedding::new_with_limits(vec![1.0; 5000], &loose),
        Limit::EmbeddingDimension,
        4096,
        5000,
    );
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let err = FaceEmbedding::new(vec![1.0, bad, 0.5]).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidEmbedding { reason, .. } if reason.contains("value 1")),
            "{err}"
        );
    }
}

fn index_bytes(dim: usize, rows: usize) -> Vec<u8> {
    let mut index = FaceIndex::new(dim, Encoding::F32).unwrap();
    for r in 0..rows {
        let values: Vec<f32> = (0..dim)
            .map(|i| ((i * 7 + r * 3) % 11) as f32 + 1.0)
            .collect();
        index.add(r as u64 + 10, &values).unwrap();
    }
    index.to_bytes()
}

/// Sets the header's count of embeddings (and payload length, if given) and makes its
/// checksum right again.
fn with_count(mut bytes: Vec<u8>, n: u64, payload: Option<u64>) -> Vec<u8> {
    bytes[24..32].copy_from_slice(&n.to_le_bytes());
    if let Some(payload) = payload {
        bytes[32..40].copy_from_slice(&payload.to_le_bytes());
    }
    let crc = crc32fast::hash(&bytes[0..44]);
    bytes[44..48].copy_from_slice(&crc.to_le_bytes());
    bytes
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("galton-hostile-records-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn index_header_claiming_2_to_the_40_vectors() {
    let bytes = with_count(index_bytes(128, 3), 1 << 40, None);
    let (result, peak) = peak_during(|| FaceIndex::from_bytes(&bytes));
    assert_limit(result, Limit::IndexVectors, u32::MAX.into(), 1 << 40);
    assert!(peak < SMALL, "{peak}");
    let path = temp_file("claims-2-40.gfi", &bytes);
    let (result, peak) = peak_during(|| FaceIndex::load(&path));
    assert_limit(result, Limit::IndexVectors, u32::MAX.into(), 1 << 40);
    assert!(peak < SMALL, "{peak}");
    // A count within the limit that the file cannot hold: damaged, and load reads only the
    // header before saying so.
    // 10⁶ ids (8 MB, 64-aligned) and 10⁶ × 128 f32 codes: a payload of 520 MB.
    let bytes = with_count(index_bytes(128, 3), 1_000_000, Some(520_000_000));
    let path = temp_file("claims-a-million.gfi", &bytes);
    let (result, peak) = peak_during(|| FaceIndex::load(&path));
    match result {
        Err(Error::InvalidIndexFile(reason)) if reason.starts_with("truncated") => {}
        other => panic!("{other:?}"),
    }
    assert!(peak < SMALL, "{peak}");
}

#[test]
fn index_limits_are_configurable() {
    let bytes = index_bytes(1024, 5);
    let index = FaceIndex::from_bytes(&bytes).unwrap();
    assert_eq!((index.dim(), index.len()), (1024, 5));
    let small_dim = FaceLimits {
        max_dimension: 512,
        ..FaceLimits::default()
    };
    assert_limit(
        FaceIndex::from_bytes_with_limits(&bytes, &small_dim),
        Limit::EmbeddingDimension,
        512,
        1024,
    );
    let few = FaceLimits {
        max_index_vectors: 4,
        ..FaceLimits::default()
    };
    let path = temp_file("five.gfi", &bytes);
    let (result, peak) = peak_during(|| FaceIndex::load_with_limits(&path, &few));
    assert_limit(result, Limit::IndexVectors, 4, 5);
    assert!(peak < SMALL, "{peak}");
    let five = FaceLimits {
        max_index_vectors: 5,
        ..few
    };
    let loaded = FaceIndex::load_with_limits(&path, &five).unwrap();
    assert_eq!(loaded.ids(), index.ids());
    // A huge file (sparse) with a small, valid header: refused from its size, unread.
    let path = temp_file("huge.gfi", &bytes);
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(1 << 30).unwrap();
    drop(file);
    let (result, peak) = peak_during(|| FaceIndex::load(&path));
    match result {
        Err(Error::InvalidIndexFile(reason)) if reason.starts_with("trailing data") => {}
        other => panic!("{other:?}"),
    }
    assert!(peak < SMALL, "{peak}");
}

#[cfg(feature = "store")]
#[test]
fn the_store_reads_back_what_it_stored_past_the_decoding_limits() {
    use galton::gallery::store::{Store, StoredSubject};
    use galton::gallery::Subject;

    let dir = std::env::temp_dir().join(format!("galton-hostile-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("gallery.db");
    // 400 minutiae: more than a decoded record may hold by default, but the API takes it.
    let big = view(400, FingerPosition::RightIndex);
    assert_limit(
        Template::from_bytes(&big.to_bytes(TemplateFormat::Galton).unwrap()),
        Limit::TemplateMinutiae,
        255,
        400,
    );
    {
        let mut store = Store::open(&db).unwrap();
        let subject = Subject::new("BIG-1").with_finger(FingerPosition::RightIndex, big.clone());
        store.insert(&StoredSubject::new(subject)).unwrap();
    }
    let store = Store::open(&db).unwrap();
    let back = store.get("BIG-1").unwrap().expect("stored");
    assert_eq!(back.subject.fingers[&FingerPosition::RightIndex], vec![big]);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
