//! Terminal output: a header per document, then each changed section with its word changes.
//! Without colour, insertions read `{+…+}` and deletions `[-…-]` (as `git diff --word-diff`).

use super::{counts_summary, date_change, split_trailing_ws, with_context};
use crate::diff::{DocumentDiff, OpKind, SectionDiff, Status};
use crate::report::{DocumentReport, Report};
use std::fmt::Write;

/// How to render text.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// ANSI colours instead of `{+ +}` / `[- -]` markers.
    pub color: bool,
    /// Unchanged words kept on each side of a change.
    pub context: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            context: 8,
        }
    }
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn op(&self, kind: OpKind, text: &str) -> String {
        let (core, ws) = split_trailing_ws(text);
        if core.is_empty() {
            return ws.to_string();
        }
        // Colour each line on its own, so that a pager or a wrapped terminal keeps it.
        let marked = match (kind, self.color) {
            (OpKind::Equal, _) => core.to_string(),
            (OpKind::Insert, true) => core
                .lines()
                .map(|l| self.paint("32", l))
                .collect::<Vec<_>>()
                .join("\n"),
            (OpKind::Delete, true) => core
                .lines()
                .map(|l| self.paint("31;9", l))
                .collect::<Vec<_>>()
                .join("\n"),
            (OpKind::Insert, false) => format!("{{+{core}+}}"),
            (OpKind::Delete, false) => format!("[-{core}-]"),
        };
        marked + ws
    }
}

/// Renders the report for a terminal.
pub fn render_text(report: &Report, options: &TextOptions) -> String {
    let style = Style {
        color: options.color,
    };
    let mut out = String::new();
    if report.documents.is_empty() {
        let _ = writeln!(
            out,
            "No policy documents differ between {} and {}.",
            report.old, report.new
        );
    }
    for (n, doc) in report.documents.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        document(&mut out, doc, report.files, options, &style);
    }
    out
}

fn document(
    out: &mut String,
    doc: &DocumentReport,
    files: bool,
    options: &TextOptions,
    style: &Style,
) {
    let d = &doc.diff;
    let status = match d.status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Modified => "modified",
        Status::Unchanged if d.sections.iter().any(|s| s.cosmetic) => "unchanged (formatting only)",
        Status::Unchanged => "unchanged",
    };
    let mut title = doc.path.clone();
    match doc.old_path.as_deref().filter(|p| *p != doc.path) {
        Some(old) if files => title = format!("{old} → {}", doc.path),
        Some(old) => {
            let _ = write!(title, " (renamed from {old})");
        }
        None => {}
    }
    let _ = writeln!(out, "{}: {status}", style.bold(&title));
    if let Some(dates) = date_change(d, |m| m.modified) {
        let stale = d.status == Status::Modified && d.old.is_some() && !d.date_changed();
        let note = if stale {
            " — not updated, although the text changed"
        } else {
            ""
        };
        let _ = writeln!(out, "  last updated: {dates}{note}");
    }
    if let Some(dates) = date_change(d, |m| m.effective) {
        let _ = writeln!(out, "  effective:    {dates}");
    }
    let _ = writeln!(out, "  sections:     {}", counts_summary(&d.counts()));
    if d.status == Status::Unchanged {
        return;
    }
    for section in d.sections.iter().filter(|s| s.is_substantive()) {
        out.push('\n');
        section_block(out, d, section, options, style);
    }
}

fn section_block(
    out: &mut String,
    _doc: &DocumentDiff,
    s: &SectionDiff,
    options: &TextOptions,
    style: &Style,
) {
    let name = |h: &str| {
        if h.is_empty() {
            "(text before the first heading)".to_string()
        } else {
            h.to_string()
        }
    };
    let (mark, label) = match s.status {
        Status::Added => ("+", "Added".to_string()),
        Status::Removed => ("-", "Removed".to_string()),
        Status::Modified if s.renamed => ("~", "Renamed".to_string()),
        Status::Modified => ("~", "Modified".to_string()),
        Status::Unchanged => ("=", "Moved".to_string()),
    };
    let heading = match (s.renamed, &s.old_heading, &s.new_heading) {
        (true, Some(o), Some(n)) => format!("{} → {}", name(o), name(n)),
        _ => name(s.heading()),
    };
    let mut notes = Vec::new();
    if s.moved && s.status != Status::Unchanged {
        notes.push("moved");
    }
    if s.status == Status::Unchanged {
        notes.push(if s.cosmetic {
            "text only reformatted"
        } else {
            "text unchanged"
        });
    }
    if s.status == Status::Modified {
        notes.push("");
    }
    let counts = match s.status {
        Status::Modified => format!("+{} −{} words", s.words_added, s.words_removed),
        Status::Added => format!("{} words", s.words_added),
        Status::Removed => format!("{} words", s.words_removed),
        Status::Unchanged => String::new(),
    };
    let mut tail: Vec<String> = notes
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    if !counts.is_empty() {
        tail.push(counts);
    }
    let _ = writeln!(
        out,
        "  {} {}",
        style.bold(&format!("{mark} {label}: {heading}")),
        format_args!("({})", tail.join(", "))
    );
    if s.status == Status::Unchanged {
        return;
    }
    let mut body = String::new();
    let pieces = with_context(&s.ops, options.context);
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            // A deletion followed by its replacement: keep them side by side; the line
            // breaks that count are those of the new text.
            Some(op)
                if op.op == OpKind::Delete
                    && matches!(pieces.get(i + 1), Some(Some(next)) if next.op == OpKind::Insert) =>
            {
                body.push_str(style.op(op.op, op.text.trim_end()).as_str());
                body.push(' ');
            }
            Some(op) => body.push_str(&style.op(op.op, &op.text)),
            None => body.push_str("… "),
        }
    }
    for line in body.trim_end().lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "      {}", line.trim_end());
        }
    }
}
