//! Terminal output: a header per document, then each changed section with its word changes.
//! Without colour, insertions read `{+…+}` and deletions `[-…-]` (as `git diff --word-diff`).

use super::{
    counts_summary, date_change, inert, layout_ops, per_line, section_label, section_title,
};
use crate::diff::{OpKind, SectionDiff, Status};
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
    fn op(&self, kind: OpKind, words: &str) -> String {
        // A CRLF line end is a line end on a terminal: only a lone CR is shown escaped.
        let words = &*inert(words, false).replace("\r\n", "\n");
        match (kind, self.color) {
            (OpKind::Equal, _) => words.to_string(),
            (OpKind::Insert, true) => per_line(words, |l| self.paint("32", l)),
            (OpKind::Delete, true) => per_line(words, |l| self.paint("31;9", l)),
            (OpKind::Insert, false) => format!("{{+{words}+}}"),
            (OpKind::Delete, false) => format!("[-{words}-]"),
        }
    }
}

/// Renders the report for a terminal.
pub fn render_text(report: &Report, options: &TextOptions) -> String {
    let style = Style {
        color: options.color,
    };
    let mut out = String::new();
    let hidden = super::metadata_only_line(report);
    if report.documents.is_empty() {
        let _ = writeln!(
            out,
            "No policy documents differ between {} and {}.",
            inert(&report.old, true),
            inert(&report.new, true)
        );
    }
    for (n, doc) in report.shown().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        document(&mut out, doc, report.files, options, &style);
    }
    if let Some(line) = hidden {
        if report.shown().next().is_some() {
            out.push('\n');
        }
        let _ = writeln!(out, "{line}");
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
    let _ = writeln!(out, "{}: {status}", style.bold(&inert(&title, true)));
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
    let lines = super::what_changed(
        &doc.highlights,
        &|t| inert(t, true).into_owned(),
        &|kind, words| style.op(kind, words),
    );
    if !lines.is_empty() {
        let _ = writeln!(out, "  what changed:");
        for line in lines {
            let _ = writeln!(out, "    • {line}");
        }
    }
    for section in d.sections.iter().filter(|s| s.is_substantive()) {
        out.push('\n');
        section_block(out, section, options, style);
    }
}

fn section_block(out: &mut String, s: &SectionDiff, options: &TextOptions, style: &Style) {
    let mark = match s.status {
        Status::Added => "+",
        Status::Removed => "-",
        Status::Modified => "~",
        Status::Unchanged => "=",
    };
    let (label, heading) = (section_label(s), section_title(s));
    let notes = super::section_notes(s);
    let moved = if s.moved && s.status != Status::Unchanged {
        "moved, "
    } else {
        ""
    };
    let header = format!("{mark} {label}: {}", inert(&heading, true));
    let _ = writeln!(out, "  {} ({moved}{notes})", style.bold(&header));
    if s.status == Status::Unchanged {
        return;
    }
    let ops = super::redline::unindented_ops(s);
    let body = layout_ops(&ops, options.context, &|kind, words| style.op(kind, words));
    for line in body.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "      {}", line.trim_end());
        }
    }
}
