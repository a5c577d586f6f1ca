//! The JSON template reader (serde_json, then galton's checks of every field).
#![no_main]

#[path = "common/template.rs"]
mod common;

use galton::template::TemplateFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::exercise(data, TemplateFormat::Json);
});
