//! The JSON interface (`--format json`), documented in the README. Field names and order
//! are a public contract.

use crate::diff::{DocMeta, SectionDiff, Status, WordOp};
use crate::document::PolicyDate;
use crate::report::Report;
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
            ops: &s.ops,
        }
    }
}

/// Renders the report as pretty-printed JSON with a final newline.
pub fn render_json(report: &Report) -> String {
    let pick = |m: &Option<DocMeta>, f: fn(&DocMeta) -> Option<PolicyDate>| m.as_ref().and_then(f);
    let json = JsonReport {
        old: &report.old,
        new: &report.new,
        documents: report
            .documents
            .iter()
            .map(|d| JsonDocument {
                path: &d.path,
                old_path: d.old_path.as_deref(),
                status: d.diff.status,
                old_modified: pick(&d.diff.old, |m| m.modified),
                new_modified: pick(&d.diff.new, |m| m.modified),
                old_effective: pick(&d.diff.old, |m| m.effective),
                new_effective: pick(&d.diff.new, |m| m.effective),
                sections: d.diff.sections.iter().map(JsonSection::from).collect(),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&json).expect("the report serializes");
    out.push('\n');
    out
}
