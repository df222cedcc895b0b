//! Markdown output: a heading per document and per changed section, the section text quoted
//! with `<ins>`/`<del>` marks (rendered by GitHub, GitLab and most Markdown viewers).

use super::email::html_escape;
use super::{counts_summary, date_change, layout_ops, per_line, section_label, section_title};
use crate::diff::{OpKind, Status};
use crate::report::Report;
use std::fmt::Write;

/// Renders the report as Markdown.
pub fn render_markdown(report: &Report, context: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Policy changes: `{}` → `{}`\n",
        report.old, report.new
    );
    if report.documents.is_empty() {
        out.push_str("No policy documents differ.\n");
    }
    for doc in &report.documents {
        let d = &doc.diff;
        let status = d.status.word();
        let _ = writeln!(out, "## `{}` — {status}\n", doc.path);
        if let Some(old) = doc.old_path.as_deref().filter(|p| *p != doc.path) {
            let what = if report.files {
                "Compared with"
            } else {
                "Renamed from"
            };
            let _ = writeln!(out, "- {what} `{old}`");
        }
        if let Some(dates) = date_change(d, |m| m.modified) {
            let _ = writeln!(out, "- Last updated: {dates}");
        }
        if let Some(dates) = date_change(d, |m| m.effective) {
            let _ = writeln!(out, "- Effective: {dates}");
        }
        let _ = writeln!(out, "- Sections: {}\n", counts_summary(&d.counts()));
        for s in d.sections.iter().filter(|s| s.is_substantive()) {
            let (label, heading) = (section_label(s), section_title(s));
            let moved = if s.moved && s.status != Status::Unchanged {
                " (moved)"
            } else {
                ""
            };
            let _ = writeln!(out, "### {label}: {}{moved}\n", html_escape(&heading));
            if s.status == Status::Unchanged {
                continue;
            }
            // Policy text is escaped, equal text too: it is never markup here.
            let body = layout_ops(&s.ops, context, &|kind, words| match kind {
                OpKind::Equal => html_escape(words),
                OpKind::Insert => per_line(&html_escape(words), |l| format!("<ins>{l}</ins>")),
                OpKind::Delete => per_line(&html_escape(words), |l| format!("<del>{l}</del>")),
            });
            for line in body.lines() {
                let _ = writeln!(out, "> {line}");
            }
            out.push('\n');
        }
    }
    out
}
