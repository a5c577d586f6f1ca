//! The ISO/IEC 19794-2:2005 reader. The first byte selects a mode: odd sets the 4-byte
//! record length field (bytes 8–11) to the input's length, so the fuzzer reaches the views
//! behind the length check.
#![no_main]

#[path = "common/template.rs"]
mod common;

use galton::template::TemplateFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= 12 {
        let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        bytes[8..12].copy_from_slice(&length.to_be_bytes());
    }
    common::exercise(&bytes, TemplateFormat::Iso19794_2);
});
