//! The JSON interface (`--format json`), documented in the README. Field names and order
//! are a public contract.

use crate::diff::{DocMeta, SectionDiff, Status, WordOp};
use crate::document::PolicyDate;
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
        }
    }
}

/// One entry of `policy-diff log --format json`: a commit and its documents, each in the
/// schema of `policy-diff OLD NEW`.
#[derive(Serialize)]
struct JsonLogEntry<'a> {
    commit: String,
    parent: Option<String>,
    date: String,
    summary: &'a str,
    documents: Vec<JsonDocument<'a>>,
}

/// Renders one log entry as compact JSON (one line).
pub fn render_log_entry_json(entry: &LogEntry) -> String {
    let json = JsonLogEntry {
        commit: entry.commit.to_string(),
        parent: entry.parent.map(|p| p.to_string()),
        date: chrono::DateTime::from_timestamp(entry.time, 0)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        summary: &entry.summary,
        documents: entry.documents.iter().map(JsonDocument::from).collect(),
    };
    serde_json::to_string(&json).expect("the entry serializes")
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
        documents: report.documents.iter().map(JsonDocument::from).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    out.write_all(b"\n")
}
