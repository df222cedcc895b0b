//! Reading any bytes as a delivery journal never panics; every whole `sent ADDRESS` line is
//! a delivery, a recipient's first whole `deferred ADDRESS SECONDS` line is when their
//! deferral started (a line holding a NUL, or a last line without its newline, was cut short
//! by a crash and is not a record), and every other non-empty line after the header is a record or is
//! listed as skipped.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::notify::state::Records;

fuzz_target!(|data: &[u8]| {
    let records = Records::read(data);
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let cut = !data.is_empty() && !data.ends_with(b"\n");
    let whole = |n: usize, line: &str| !line.contains('\0') && !(cut && n + 1 == lines.len());
    for (n, line) in lines.iter().enumerate() {
        if !line.contains('\0')
            && let Some(who) = line.strip_prefix("sent ")
        {
            let who = who.split(' ').next().unwrap_or("");
            if !who.is_empty() {
                assert!(records.sent.contains(who), "line {}: {line:?}", n + 1);
            }
        }
    }
    // A deferral counts from its first whole record: later ones never move its time.
    let mut first_deferral = std::collections::HashMap::new();
    for (n, line) in lines.iter().enumerate() {
        if !whole(n, line) {
            continue;
        }
        let mut words = line.splitn(4, ' ');
        if let (Some("deferred"), Some(who), Some(since)) = (words.next(), words.next(), words.next())
            && !who.is_empty()
            && let Ok(since) = since.parse::<u64>()
        {
            first_deferral.entry(who).or_insert(since);
        }
    }
    for (who, since) in first_deferral {
        assert_eq!(records.deferred.get(who).map(|d| d.since), Some(since), "{who}");
    }
    for &n in &records.skipped {
        assert!(n >= 1 && n <= lines.len(), "skipped line {n} of {}", lines.len());
        assert!(!lines[n - 1].is_empty());
    }
});
