//! The JSON interface (`--format json`), documented in the README. Field names and order
//! are a public contract.

use crate::diff::{DocMeta, OpKind, SectionDiff, Status, WordOp};
use crate::document::PolicyDate;
use crate::highlights::{Highlight, QuantityChange};
use crate::history::LogEntry;
use crate::report::{DocumentReport, Report};
use serde::Serialize;

#[derive(Serialize)]
struct JsonReport<'a> {
    old: &'a str,
    new: &'a str,
    documents: Vec<JsonDocument<'a>>,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    path: &'a str,
    old_path: Option<&'a str>,
    status: Status,
    old_modified: Option<PolicyDate>,
    new_modified: Option<PolicyDate>,
    old_effective: Option<PolicyDate>,
    new_effective: Option<PolicyDate>,
    sections: Vec<JsonSection<'a>>,
    quantities: &'a [QuantityChange],
    highlights: &'a [Highlight],
}

#[derive(Serialize)]
struct JsonSection<'a> {
    status: Status,
    old_heading: Option<&'a str>,
    new_heading: Option<&'a str>,
    renamed: bool,
    moved: bool,
    cosmetic: bool,
    words_added: usize,
    words_removed: usize,
    words_moved: usize,
    heading_added: bool,
    heading_removed: bool,
    ops: &'a [WordOp],
}

impl<'a> From<&'a SectionDiff> for JsonSection<'a> {
    fn from(s: &'a SectionDiff) -> Self {
        JsonSection {
            status: s.status,
            old_heading: s.old_heading.as_deref(),
            new_heading: s.new_heading.as_deref(),
            renamed: s.renamed,
            moved: s.moved,
            cosmetic: s.cosmetic,
            words_added: s.words_added,
            words_removed: s.words_removed,
            words_moved: s.words_moved,
            heading_added: s.heading_added,
            heading_removed: s.heading_removed,
            ops: &s.ops,
        }
    }
}

impl<'a> From<&'a DocumentReport> for JsonDocument<'a> {
    fn from(d: &'a DocumentReport) -> Self {
        let pick =
            |m: &Option<DocMeta>, f: fn(&DocMeta) -> Option<PolicyDate>| m.as_ref().and_then(f);
        JsonDocument {
            path: &d.path,
            old_path: d.old_path.as_deref(),
            status: d.diff.status,
            old_modified: pick(&d.diff.old, |m| m.modified),
            new_modified: pick(&d.diff.new, |m| m.modified),
            old_effective: pick(&d.diff.old, |m| m.effective),
            new_effective: pick(&d.diff.new, |m| m.effective),
            sections: d.diff.sections.iter().map(JsonSection::from).collect(),
            quantities: &d.highlights.quantities,
            highlights: &d.highlights.highlights,
        }
    }
}

/// One entry of `policy-diff log --format json`: a commit and its documents, each in the
/// schema of `policy-diff OLD NEW`. The reference for [`render_log_entry_json`], which writes
/// the same bytes faster.
#[cfg(test)]
#[derive(Serialize)]
struct JsonLogEntry<'a> {
    commit: String,
    parent: Option<String>,
    date: String,
    summary: &'a str,
    documents: Vec<JsonDocument<'a>>,
}

/// Renders one log entry as compact JSON (one line, no line break).
pub fn render_log_entry_json(entry: &LogEntry) -> String {
    let entry = entry.map_documents(render_log_document_json);
    let mut out = Vec::new();
    write_log_entry_json(&entry, &mut out).expect("writing to memory succeeds");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes one log entry as compact JSON (one line, no line break), its documents already
/// rendered by [`render_log_document_json`].
pub fn write_log_entry_json(
    entry: &LogEntry<String>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut head = Compact(String::with_capacity(200 + entry.summary.len()));
    head.raw("{\"commit\":");
    head.str(&entry.commit.to_string());
    head.raw(",\"parent\":");
    head.opt(entry.parent.map(|p| p.to_string()).as_deref());
    head.raw(",\"date\":");
    let date = chrono::DateTime::from_timestamp(entry.time, 0).map(|t| t.to_rfc3339());
    head.str(date.as_deref().unwrap_or_default());
    head.raw(",\"summary\":");
    head.str(&entry.summary);
    head.raw(",\"documents\":[");
    out.write_all(head.0.as_bytes())?;
    for (i, d) in entry.documents.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(d.as_bytes())?;
    }
    out.write_all(b"]}")
}

/// One document of a log entry as compact JSON, byte for byte as `serde_json` would write
/// it. A history's log is mostly the text of its sections: written by hand, each string is
/// scanned eight bytes at a time for what needs escaping.
pub fn render_log_document_json(d: &DocumentReport) -> String {
    // Room for the text, a few escapes, and the fields around it.
    let size: usize = d
        .diff
        .sections
        .iter()
        .map(|s| {
            300 + s
                .ops
                .iter()
                .map(|o| o.text.len() * 33 / 32 + 40)
                .sum::<usize>()
        })
        .sum();
    let mut out = Compact(String::with_capacity(size + 300));
    out.document(&JsonDocument::from(d));
    out.0
}

/// Compact JSON written by hand (see [`render_log_entry_json`]).
struct Compact(String);

impl Compact {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// A small value, through serde.
    fn value(&mut self, v: &impl Serialize) {
        let json = serde_json::to_string(v).expect("a small value serializes");
        self.0.push_str(&json);
    }

    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.raw("null"),
        }
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    fn usize(&mut self, n: usize) {
        use std::fmt::Write;
        write!(self.0, "{n}").expect("writing to a string succeeds");
    }

    /// A JSON string, escaped as serde_json escapes it.
    fn str(&mut self, s: &str) {
        let out = &mut self.0;
        out.push('"');
        let bytes = s.as_bytes();
        let mut done = 0;
        let mut i = 0;
        while i < bytes.len() {
            // The next byte to escape: found eight bytes at a time (the lowest byte flagged
            // in a chunk is always one), the last few bytes one by one.
            if i + 8 <= bytes.len() {
                let chunk = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
                match escape_mask(chunk) {
                    0 => {
                        i += 8;
                        continue;
                    }
                    mask => i += (mask.trailing_zeros() / 8) as usize,
                }
            }
            let b = bytes[i];
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => {
                    i += 1;
                    continue;
                }
            };
            // Escaped bytes are ASCII: the text around them is whole characters.
            out.push_str(&s[done..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(b >> 4) as usize]));
                out.push(char::from(HEX[(b & 0xf) as usize]));
            } else {
                out.push_str(escape);
            }
            i += 1;
            done = i;
        }
        out.push_str(&s[done..]);
        out.push('"');
    }

    fn document(&mut self, d: &JsonDocument) {
        self.raw("{\"path\":");
        self.str(d.path);
        self.raw(",\"old_path\":");
        self.opt(d.old_path);
        self.raw(",\"status\":");
        self.value(&d.status);
        for (name, date) in [
            (",\"old_modified\":", &d.old_modified),
            (",\"new_modified\":", &d.new_modified),
            (",\"old_effective\":", &d.old_effective),
            (",\"new_effective\":", &d.new_effective),
        ] {
            self.raw(name);
            self.value(date);
        }
        self.raw(",\"sections\":[");
        for (i, s) in d.sections.iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.section(s);
        }
        self.raw("],\"quantities\":");
        self.value(&d.quantities);
        self.raw(",\"highlights\":");
        self.value(&d.highlights);
        self.raw("}");
    }

    fn section(&mut self, s: &JsonSection) {
        self.raw("{\"status\":");
        self.value(&s.status);
        self.raw(",\"old_heading\":");
        self.opt(s.old_heading);
        self.raw(",\"new_heading\":");
        self.opt(s.new_heading);
        for (name, flag) in [
            (",\"renamed\":", s.renamed),
            (",\"moved\":", s.moved),
            (",\"cosmetic\":", s.cosmetic),
        ] {
            self.raw(name);
            self.bool(flag);
        }
        for (name, n) in [
            (",\"words_added\":", s.words_added),
            (",\"words_removed\":", s.words_removed),
            (",\"words_moved\":", s.words_moved),
        ] {
            self.raw(name);
            self.usize(n);
        }
        for (name, flag) in [
            (",\"heading_added\":", s.heading_added),
            (",\"heading_removed\":", s.heading_removed),
        ] {
            self.raw(name);
            self.bool(flag);
        }
        self.raw(",\"ops\":[");
        for (i, op) in s.ops.iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.raw(match op.op {
                OpKind::Equal => "{\"op\":\"equal\",\"text\":",
                OpKind::Insert => "{\"op\":\"insert\",\"text\":",
                OpKind::Delete => "{\"op\":\"delete\",\"text\":",
            });
            self.str(&op.text);
            self.raw(if op.moved { ",\"moved\":true}" } else { "}" });
        }
        self.raw("]}");
    }
}

/// The high bit of each of the eight bytes of `chunk` that is a control character, `"` or
/// `\`; above the lowest such byte, other bytes may be flagged too.
fn escape_mask(chunk: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    // Bytes below 0x20 (bytes of 0x80 and above are never flagged), or equal to `"` or `\`.
    let control = chunk.wrapping_sub(ONES * 0x20) & !chunk & HIGH;
    control | has_zero(chunk ^ (ONES * b'"' as u64)) | has_zero(chunk ^ (ONES * b'\\' as u64))
}

/// Renders the report as pretty-printed JSON with a final newline.
pub fn render_json(report: &Report) -> String {
    let mut out = Vec::new();
    write_json(report, &mut out).expect("writing to memory succeeds");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`render_json`] straight into a writer (standard output), without building the text first.
pub fn write_json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let json = JsonReport {
        old: &report.old,
        new: &report.new,
        documents: report.shown().map(JsonDocument::from).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffOptions;
    use crate::document::{Format, ParseOptions, parse};
    use crate::report::compare_documents;

    fn entry(old: &str, new: &str) -> LogEntry {
        let doc = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
        let (old, new) = (doc(old), doc(new));
        let changed = compare_documents(
            "a \"quoted\"\\path.md",
            Some("old\tpath.md"),
            Some(&old),
            Some(&new),
            DiffOptions::default(),
            &Default::default(),
        );
        let added = compare_documents(
            "new.md",
            None,
            None,
            Some(&new),
            DiffOptions::default(),
            &Default::default(),
        );
        LogEntry {
            commit: git2::Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
            parent: None,
            time: 1_717_372_800,
            summary: "Say \"hello\"\u{7}\u{1b}".to_string(),
            documents: vec![changed, added],
        }
    }

    fn by_serde(entry: &LogEntry) -> String {
        let json = JsonLogEntry {
            commit: entry.commit.to_string(),
            parent: entry.parent.map(|p| p.to_string()),
            date: chrono::DateTime::from_timestamp(entry.time, 0)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            summary: &entry.summary,
            documents: entry.documents.iter().map(JsonDocument::from).collect(),
        };
        serde_json::to_string(&json).unwrap()
    }

    #[test]
    fn log_entries_are_written_as_serde_json_writes_them() {
        // Every control character, quotes and backslashes at each place in an 8-byte chunk,
        // text beyond ASCII, a moved op, dates and no dates.
        let controls: String = (0u8..0x20).map(char::from).collect();
        let old = format!(
            "# Terms\n\n_Last updated: January 5, 2024_\n\nA \"b\" c\\d {controls} \u{7f} é 日本\n\n## Fees\n\nWe charge a fee of ten euros per month for the plan.\n\nPay by card.\n"
        );
        let new = format!(
            "# Terms\n\n_Last updated: June 3, 2024_\n\nA \"b\" c\\\\d {controls}x \u{7f} é 日本語\n\nWe charge a fee of ten euros per month for the plan.\n\n## Fees\n\nPay by card or transfer.\n"
        );
        let e = entry(&old, &new);
        let moved = e.documents[0]
            .diff
            .sections
            .iter()
            .flat_map(|s| &s.ops)
            .any(|o| o.moved);
        assert!(moved, "the example holds moved text");
        assert_eq!(render_log_entry_json(&e), by_serde(&e));
        for shift in 0..8 {
            let text = format!("{}\"\\\u{1}é{}", "x".repeat(shift), "y".repeat(9));
            let mut e = entry("a\n", "b\n");
            e.summary = text;
            assert_eq!(render_log_entry_json(&e), by_serde(&e), "shift {shift}");
        }
    }

    #[test]
    fn the_first_byte_to_escape_in_eight_is_found() {
        for b in 0u8..=255 {
            for at in 0..8 {
                let mut chunk = [b'a'; 8];
                chunk[at] = b;
                let mask = escape_mask(u64::from_le_bytes(chunk));
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(mask != 0, expected, "{b:#x} at {at}");
                if expected {
                    assert_eq!(mask.trailing_zeros() / 8, at as u32, "{b:#x} at {at}");
                }
                // A byte to escape after this one is found after it, never before.
                chunk[7] = b'"';
                let first = escape_mask(u64::from_le_bytes(chunk)).trailing_zeros() / 8;
                assert_eq!(
                    first,
                    if expected { at as u32 } else { 7 },
                    "{b:#x} at {at}"
                );
            }
        }
    }
}
