//! Reading any bytes as a delivery journal never panics; every whole `sent ADDRESS` line is
//! a delivery, and every other non-empty line after the header is a record or is listed as
//! skipped.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::notify::state::Records;

fuzz_target!(|data: &[u8]| {
    let records = Records::read(data);
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if let Some(who) = line.strip_prefix("sent ") {
            let who = who.split(' ').next().unwrap_or("");
            if !who.is_empty() {
                assert!(records.sent.contains(who), "line {}: {line:?}", n + 1);
            }
        }
    }
    for &n in &records.skipped {
        assert!(n >= 1 && n <= lines.len(), "skipped line {n} of {}", lines.len());
        assert!(!lines[n - 1].is_empty());
    }
});
