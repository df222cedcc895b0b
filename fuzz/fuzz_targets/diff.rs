//! Diffing any two texts never panics and is lossless, and its highlights never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::diff::{check_lossless, diff_documents};
use policy_diff::document::{Format, ParseOptions, parse};

fuzz_target!(|data: &[u8]| {
    // The two versions are the bytes before and after the first 0xFF (or the two halves).
    let split = data.iter().position(|&b| b == 0xff).unwrap_or(data.len() / 2);
    let old = String::from_utf8_lossy(&data[..split]);
    let new = String::from_utf8_lossy(&data[(split + 1).min(data.len())..]);
    for format in [Format::Markdown, Format::Plain] {
        let a = parse(&old, format, ParseOptions::default());
        let b = parse(&new, format, ParseOptions::default());
        let diff = diff_documents(Some(&a), Some(&b));
        if let Err(e) = check_lossless(Some(&a), Some(&b), &diff) {
            panic!("not lossless: {e}");
        }
        let _ = policy_diff::highlights::highlights(&diff);
    }
});
