//! Parsing any bytes (read as text) never panics, and the sections cover the text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::document::{Format, ParseOptions, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [Format::Markdown, Format::Plain] {
        let doc = parse(&text, format, ParseOptions::default());
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        assert!(text.ends_with(&joined), "sections are not the end of the text");
        for s in &doc.sections {
            assert!(s.heading_len <= s.text.len());
        }
    }
});
