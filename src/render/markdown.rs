//! Markdown output: a heading per document and per changed section, the section text quoted
//! with `<ins>`/`<del>` marks (rendered by GitHub, GitLab and most Markdown viewers).

use super::{
    counts_summary, date_change, inert, layout_ops, per_line, section_label, section_title,
};
use crate::diff::{OpKind, Status};
use crate::report::Report;
use std::fmt::Write;

/// Policy text as Markdown that shows it as written: HTML is escaped, and the characters
/// that start emphasis, links, images, code, tables or headings are backslash-escaped, so no
/// text can inject markup, a raw HTML element or an image that loads a remote URL.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let text = inert(text, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A CRLF line end is a line end: no CR is left at the end of a quoted line.
            '\r' if chars.peek() == Some(&'\n') => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A path or revision as a code span that no backtick in it can close (CommonMark: the
/// fence is longer than any run of backticks inside), on one line.
pub fn code_span(text: &str) -> String {
    let text = inert(text, true);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Renders the report as Markdown.
pub fn render_markdown(report: &Report, context: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Policy changes: {} → {}\n",
        code_span(&report.old),
        code_span(&report.new)
    );
    if report.documents.is_empty() {
        out.push_str("No policy documents differ.\n");
    }
    if let Some(line) = super::metadata_only_line(report) {
        let _ = writeln!(out, "{line}\n");
    }
    for doc in report.shown() {
        let d = &doc.diff;
        let status = d.status.word();
        let _ = writeln!(out, "## {} — {status}\n", code_span(&doc.path));
        if let Some(old) = doc.old_path.as_deref().filter(|p| *p != doc.path) {
            let what = if report.files {
                "Compared with"
            } else {
                "Renamed from"
            };
            let _ = writeln!(out, "- {what} {}", code_span(old));
        }
        if let Some(dates) = date_change(d, |m| m.modified) {
            let _ = writeln!(out, "- Last updated: {dates}");
        }
        if let Some(dates) = date_change(d, |m| m.effective) {
            let _ = writeln!(out, "- Effective: {dates}");
        }
        let _ = writeln!(out, "- Sections: {}\n", counts_summary(&d.counts()));
        let lines = super::what_changed(
            &doc.highlights,
            &|t| md_text(&inert(t, true)),
            &|kind, words| {
                let words = md_text(&inert(words, true));
                match kind {
                    OpKind::Equal => words,
                    OpKind::Insert => format!("<ins>{words}</ins>"),
                    OpKind::Delete => format!("<del>{words}</del>"),
                }
            },
        );
        if !lines.is_empty() {
            out.push_str("**What changed**\n\n");
            for line in lines {
                let _ = writeln!(out, "- {line}");
            }
            out.push('\n');
        }
        for s in d.sections.iter().filter(|s| s.is_substantive()) {
            let (label, heading) = (section_label(s), section_title(s));
            let moved = if s.moved && s.status != Status::Unchanged {
                " (moved)"
            } else {
                ""
            };
            let heading = inert(&heading, true);
            let _ = writeln!(out, "### {label}: {}{moved}\n", md_text(&heading));
            if s.status == Status::Unchanged {
                continue;
            }
            // Policy text is escaped, equal text too: it is never markup here.
            let body = layout_ops(
                &super::redline::unindented_ops(s),
                context,
                &|kind, words| match kind {
                    OpKind::Equal => md_text(words),
                    OpKind::Insert => per_line(&md_text(words), |l| format!("<ins>{l}</ins>")),
                    OpKind::Delete => per_line(&md_text(words), |l| format!("<del>{l}</del>")),
                },
            );
            for line in body.lines() {
                let _ = writeln!(out, "> {line}");
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            md_text("![x](https://t.example/p.png) <img onerror=a()> *b* [c](javascript:d)"),
            "\\!\\[x\\](https://t.example/p.png) &lt;img onerror=a()&gt; \\*b\\* \\[c\\](javascript:d)"
        );
        assert_eq!(md_text("a\u{1b}[2Jb"), "a\\\\x1b\\[2Jb");
    }

    #[test]
    fn a_code_span_outlasts_the_backticks_inside() {
        assert_eq!(code_span("privacy.md"), "`privacy.md`");
        assert_eq!(
            code_span("a`<img src=x onerror=y>`.md"),
            "``a`<img src=x onerror=y>`.md``"
        );
        assert_eq!(code_span("`x``"), "``` `x`` ```");
        assert_eq!(code_span("a\nb"), "`a\\x0ab`");
    }
}
