//! The ANSI INCITS 378-2004 reader. The first byte selects a mode: odd sets the 2-byte
//! record length field (bytes 8–9) to the input's length, or the 6-byte form (0, then 4
//! bytes) when the input is longer than 65535 bytes, so the fuzzer reaches the views
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
    if mode & 1 == 1 && bytes.len() >= 14 {
        match u16::try_from(bytes.len()) {
            Ok(short) if mode & 2 == 0 => bytes[8..10].copy_from_slice(&short.to_be_bytes()),
            _ => {
                let long = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                bytes[8..10].copy_from_slice(&[0, 0]);
                bytes[10..14].copy_from_slice(&long.to_be_bytes());
            }
        }
    }
    common::exercise(&bytes, TemplateFormat::Ansi378);
});
