//! Parsing any bytes (read as text) never panics, the sections cover the text, and the fast
//! Markdown heading reader agrees with the full parser whenever it decides.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::document::{Format, ParseOptions, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = policy_diff::document::compare_heading_readers(&text) {
        panic!("heading readers disagree: {e}");
    }
    for format in [Format::Markdown, Format::Plain] {
        let doc = parse(&text, format, ParseOptions::default());
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        let body = &text[policy_diff::document::body_offset(&text)..];
        assert!(body.ends_with(&joined), "the sections are not the end of the body");
        let lost = &body[..body.len() - joined.len()];
        assert!(lost.trim().is_empty(), "text lost before the sections: {lost:?}");
        for s in &doc.sections {
            assert!(s.heading_len <= s.text.len());
        }
    }
});
