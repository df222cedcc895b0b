//! Markdown output: a heading per document and per changed section, the section text quoted
//! with `<ins>`/`<del>` marks (rendered by GitHub, GitLab and most Markdown viewers).

use super::{counts_summary, date_change, split_trailing_ws, with_context};
use crate::diff::{OpKind, Status};
use crate::report::Report;
use std::fmt::Write;

/// Escapes text for inclusion in Markdown/HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

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
        let status = format!("{:?}", d.status).to_lowercase();
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
            let label = match s.status {
                Status::Added => "Added",
                Status::Removed => "Removed",
                Status::Modified if s.renamed => "Renamed",
                Status::Modified => "Modified",
                Status::Unchanged => "Moved",
            };
            let heading = match (s.renamed, &s.old_heading, &s.new_heading) {
                (true, Some(o), Some(n)) => format!("{o} → {n}"),
                _ => s.heading().to_string(),
            };
            let moved = if s.moved && s.status != Status::Unchanged {
                " (moved)"
            } else {
                ""
            };
            let _ = writeln!(out, "### {label}: {}{moved}\n", escape(&heading));
            if s.status == Status::Unchanged {
                continue;
            }
            let mut body = String::new();
            for piece in with_context(&s.ops, context) {
                let Some(op) = piece else {
                    body.push_str("… ");
                    continue;
                };
                let (core, ws) = split_trailing_ws(&op.text);
                let core = escape(core);
                match op.op {
                    OpKind::Equal => body.push_str(&core),
                    OpKind::Insert => body.push_str(&format!("<ins>{core}</ins>")),
                    OpKind::Delete => body.push_str(&format!("<del>{core}</del>")),
                }
                body.push_str(ws);
            }
            for line in body.trim_end().lines() {
                let _ = writeln!(out, "> {line}");
            }
            out.push('\n');
        }
    }
    out
}
