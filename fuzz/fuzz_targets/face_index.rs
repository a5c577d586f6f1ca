//! The face-index file loader. Half the inputs get their two CRC-32 fields recomputed, so
//! the fuzzer reaches the checks behind the checksums (sizes, encodings, ids, values)
//! instead of stopping at "checksum mismatch"; whatever loads is searched once.
#![no_main]

use galton::face::FaceIndex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= 64 {
        let payload = crc32fast::hash(&bytes[64..]);
        bytes[40..44].copy_from_slice(&payload.to_le_bytes());
        let header = crc32fast::hash(&bytes[0..44]);
        bytes[44..48].copy_from_slice(&header.to_le_bytes());
    }
    if let Ok(index) = FaceIndex::from_bytes(&bytes) {
        if !index.is_empty() {
            let query = vec![1.0f32; index.dim()];
            let _ = index.search(&query, 3);
        }
    }
});
