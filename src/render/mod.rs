//! [`Report`] → text for people (terminal, Markdown) and for programs (JSON).
//!
//! Renderers never re-parse documents: they only read the diff.

pub mod email;
mod json;
mod markdown;
pub mod page;
pub mod redline;
mod text;

pub use json::{
    render_json, render_log_document_json, render_log_entry_json, write_json, write_log_entry_json,
};
pub use markdown::render_markdown;
pub use text::{TextOptions, render_text};

use crate::diff::{Counts, DocMeta, DocumentDiff, OpKind, SectionDiff, Status, WordOp};
use crate::document::PolicyDate;
use crate::highlights::{Highlight, HighlightKind, Highlights};
use crate::report::{DocumentReport, Report};

/// Output formats of `policy-diff OLD NEW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Readable text: a header per document, then each changed section.
    Text,
    /// The JSON interface documented in the README.
    Json,
    /// Markdown with `<ins>`/`<del>`, for pasting into a pull request or a ticket.
    Markdown,
    /// One self-contained HTML page: a redline of each changed document.
    Html,
}

/// Renders a report in the given format.
pub fn render(report: &Report, format: OutputFormat, text: &TextOptions) -> String {
    match format {
        OutputFormat::Text => render_text(report, text),
        OutputFormat::Json => render_json(report),
        OutputFormat::Markdown => render_markdown(report, text.context),
        OutputFormat::Html => page::render_html(report),
    }
}

/// [`render`] into a writer. JSON is written as it is serialised (a large report is never
/// held twice in memory); the other formats are written whole.
pub fn write_report(
    report: &Report,
    format: OutputFormat,
    text: &TextOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => write_json(report, out),
        _ => out.write_all(render(report, format, text).as_bytes()),
    }
}

/// One entry of `policy-diff log` as text: the commit, then a line per changed document
/// with its status, modification date and section counts.
pub fn render_log_entry_text(entry: &crate::history::LogEntry, color: bool) -> String {
    let entry = entry.map_documents(render_log_document_text);
    let mut out = Vec::new();
    write_log_entry_text(&entry, color, &mut out).expect("writing to memory succeeds");
    String::from_utf8(out).expect("the text is UTF-8")
}

/// Writes one entry of `policy-diff log` as text, its documents already rendered by
/// [`render_log_document_text`].
pub fn write_log_entry_text(
    entry: &crate::history::LogEntry<String>,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let full = entry.commit.to_string();
    let short = crate::source::short_id(&full);
    let date = chrono::DateTime::from_timestamp(entry.time, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let id = if color {
        format!("\x1b[33m{short}\x1b[0m")
    } else {
        short.to_string()
    };
    writeln!(out, "{id} {date}  {}", inert(&entry.summary, true))?;
    for d in &entry.documents {
        out.write_all(d.as_bytes())?;
    }
    Ok(())
}

/// The line of a changed document in `policy-diff log`: its status, modification date and
/// section counts.
pub fn render_log_document_text(d: &DocumentReport) -> String {
    let name = match d.old_path.as_deref().filter(|p| *p != d.path) {
        Some(old) => format!("{} (renamed from {old})", d.path),
        None => d.path.clone(),
    };
    let status = d.diff.status.word();
    let dates = date_change(&d.diff, |m| m.modified)
        .map(|s| format!("; last updated {s}"))
        .unwrap_or_default();
    let mut line = format!(
        "    {}: {status}{dates}; {}\n",
        inert(&name, true),
        counts_summary(&d.diff.counts())
    );
    // The quantities and obligations that changed, one line each.
    for h in d
        .highlights
        .highlights
        .iter()
        .filter(|h| matches!(h.kind, HighlightKind::Quantity | HighlightKind::Obligation))
    {
        line.push_str("      ");
        line.push_str(&inert(&heading_or_preamble(h.heading()), true));
        line.push_str(": ");
        line.push_str(&inert(&h.statement(), true));
        line.push('\n');
    }
    line
}

/// The "What changed" lines of a document: each highlight shown (at most
/// [`highlights::SHOWN`](crate::highlights::SHOWN)) as `Heading: what changed` (see
/// [`highlight_text`]), then "and N more changes in M sections". `text` makes policy text
/// safe for the output. Empty when there is nothing to tell.
pub fn what_changed(
    h: &Highlights,
    text: &dyn Fn(&str) -> String,
    mark: &dyn Fn(OpKind, &str) -> String,
) -> Vec<String> {
    let (top, more) = h.top(crate::highlights::SHOWN);
    let mut lines: Vec<String> = top
        .iter()
        .map(|item| {
            let name = text(&heading_or_preamble(item.heading()));
            format!("{name}: {}", highlight_text(item, text, mark))
        })
        .collect();
    lines.extend(more.sentence());
    lines
}

/// What one highlight says after its section's name: its statement (`… 15 days (was 30
/// days) …`, `section added`), or for a changed passage its words marked by `mark`, on one
/// line. `text` makes policy text safe for the output.
pub fn highlight_text(
    item: &Highlight,
    text: &dyn Fn(&str) -> String,
    mark: &dyn Fn(OpKind, &str) -> String,
) -> String {
    if item.kind == HighlightKind::Changed && !item.ops.is_empty() {
        layout_ops(&item.ops, usize::MAX, mark).replace('\n', " ")
    } else {
        text(&item.statement())
    }
}

/// Marks as the plain-text outputs write them (email text, feeds): `{+inserted+}` and
/// `[-deleted-]`, policy text as it is.
pub fn plain_mark(kind: OpKind, words: &str) -> String {
    match kind {
        OpKind::Equal => words.to_string(),
        OpKind::Insert => format!("{{+{words}+}}"),
        OpKind::Delete => format!("[-{words}-]"),
    }
}

/// The "What changed" list of a document as HTML (`<ul class="what-changed">`), for the
/// email and the pages: as [`what_changed`], escaped, with `marks` around changed words.
/// With `anchor` (the document's, `d1`), each item links to its section (`#d1-s4`). Empty
/// when there is nothing to tell.
pub fn what_changed_html(
    h: &Highlights,
    marks: &redline::HtmlMarks,
    anchor: Option<&str>,
) -> String {
    use std::fmt::Write as _;
    let (top, more) = h.top(crate::highlights::SHOWN);
    if top.is_empty() {
        return String::new();
    }
    let html = |t: &str| {
        let mut out = String::with_capacity(t.len());
        redline::escape(t, &mut out);
        out
    };
    let mut out = String::from("<ul class=\"what-changed\">\n");
    for item in top {
        let name = html(&heading_or_preamble(item.heading()));
        match anchor {
            Some(a) => {
                let _ = write!(
                    out,
                    "<li><a href=\"#{a}-s{}\">{name}</a>: ",
                    item.section + 1
                );
            }
            None => {
                let _ = write!(out, "<li><strong>{name}</strong>: ");
            }
        }
        out.push_str(&highlight_text(item, &html, &|kind, words| match kind {
            OpKind::Equal => html(words),
            OpKind::Insert => format!("{}{}</ins>", marks.ins, html(words)),
            OpKind::Delete => format!("{}{}</del>", marks.del, html(words)),
        }));
        out.push_str("</li>\n");
    }
    if let Some(more) = more.sentence() {
        let _ = writeln!(out, "<li class=\"more\">{}</li>", html(&more));
    }
    out.push_str("</ul>\n");
    out
}

/// Text from a policy, a commit or a path made harmless for a terminal: control characters
/// (ESC, a lone CR, backspace, C1 controls) and bidirectional overrides are shown as escapes
/// (`\x1b`, `\u{202e}`) instead of acting on the terminal. Line breaks and tabs stay;
/// `one_line` escapes line breaks too, for text that must stay on its line.
pub fn inert(text: &str, one_line: bool) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    let harmful = |c: char, next: Option<char>| match c {
        '\n' => one_line,
        '\r' => one_line || next != Some('\n'),
        // The same characters as pages and feeds show escaped (bidirectional marks too).
        c => redline::shown_not_obeyed(c),
    };
    let mut chars = text.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if harmful(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !harmful(c, chars.peek().copied()) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What happened to a changed section, in a word: Added, Removed, Renamed, Modified, Moved.
/// A heading taken away over text that stays (a heading turned into bold or plain text) is
/// not a removal: "Heading taken away".
pub fn section_label(s: &SectionDiff) -> &'static str {
    match s.status {
        Status::Added => "Added",
        Status::Removed if s.heading_removed => "Heading taken away",
        Status::Removed => "Removed",
        Status::Modified if s.renamed => "Renamed",
        Status::Modified => "Modified",
        Status::Unchanged => "Moved",
    }
}

/// What happened inside a section, in a few words: "+3 −1 words", "heading put over
/// existing text, 2 words new", "text only reformatted".
pub fn section_notes(s: &SectionDiff) -> String {
    match s.status {
        Status::Added if s.heading_added => format!(
            "heading put over existing text, {} words new",
            s.words_added
        ),
        Status::Removed if s.heading_removed => {
            format!("its text kept, {} words gone", s.words_removed)
        }
        Status::Added if s.words_moved > 0 => format!(
            "{} words new, {} moved across a heading",
            s.words_added, s.words_moved
        ),
        Status::Removed if s.words_moved > 0 => format!(
            "{} words gone, {} moved across a heading",
            s.words_removed, s.words_moved
        ),
        Status::Modified if s.words_moved > 0 => format!(
            "+{} −{} words, {} moved across a heading",
            s.words_added, s.words_removed, s.words_moved
        ),
        Status::Modified => format!("+{} −{} words", s.words_added, s.words_removed),
        Status::Added => format!("{} words", s.words_added),
        Status::Removed => format!("{} words", s.words_removed),
        Status::Unchanged if s.cosmetic => "text only reformatted".to_string(),
        Status::Unchanged => "text unchanged".to_string(),
    }
}

/// The section's heading as a reader should see it: `Old → New` when renamed.
pub fn section_title(s: &SectionDiff) -> String {
    match (s.renamed, &s.old_heading, &s.new_heading) {
        (true, Some(o), Some(n)) => {
            format!("{} → {}", heading_or_preamble(o), heading_or_preamble(n))
        }
        _ => heading_or_preamble(s.heading()),
    }
}

/// A heading as shown, the preamble's (`""`) named for what it is.
pub fn heading_or_preamble(h: &str) -> String {
    if h.is_empty() {
        "(text before the first heading)".to_string()
    } else {
        h.to_string()
    }
}

/// The line that counts the documents whose metadata alone changed (hidden like unchanged
/// ones): `3 documents changed only in their front matter (metadata), not shown.`; `None`
/// when there are none.
pub fn metadata_only_line(report: &crate::report::Report) -> Option<String> {
    match report.metadata_only() {
        0 => None,
        1 => Some("1 document changed only in its front matter (metadata), not shown.".into()),
        n => Some(format!(
            "{n} documents changed only in their front matter (metadata), not shown."
        )),
    }
}

/// "2 modified, 1 added, 1 removed, 1 moved, 1 renamed; 4 unchanged (1 cosmetic)".
pub fn counts_summary(c: &Counts) -> String {
    let mut parts: Vec<String> = [
        (c.modified, "modified"),
        (c.added, "added"),
        (c.removed, "removed"),
        (c.moved, "moved"),
        (c.renamed, "renamed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        parts.push("no section changed".to_string());
    }
    let mut out = parts.join(", ");
    out.push_str(&format!("; {} unchanged", c.unchanged));
    if c.cosmetic > 0 {
        out.push_str(&format!(" ({} only reformatted)", c.cosmetic));
    }
    out
}

/// "2024-01-15 → 2024-06-01", "2024-01-15 (unchanged)", or `None` when neither side has one.
pub fn date_change(
    diff: &DocumentDiff,
    pick: fn(&DocMeta) -> Option<PolicyDate>,
) -> Option<String> {
    let old = diff.old.as_ref().and_then(pick);
    let new = diff.new.as_ref().and_then(pick);
    let show = |d: Option<PolicyDate>| d.map_or("none".to_string(), |d| d.to_string());
    match (old, new) {
        (None, None) => None,
        (o, n) if o == n => Some(format!("{} (unchanged)", show(n))),
        (o, n) => Some(format!("{} → {}", show(o), show(n))),
    }
}

/// "The modification date changed from January 15, 2024 to June 3, 2024." — or that it did
/// not change; `None` when neither version has one.
pub fn date_change_long(diff: &DocumentDiff) -> Option<String> {
    let old = diff.old.as_ref().and_then(|m| m.modified);
    let new = diff.new.as_ref().and_then(|m| m.modified);
    match (old, new) {
        (None, None) => None,
        (Some(o), Some(n)) if o == n => {
            Some(format!("The \"last updated\" date is still {}.", n.long()))
        }
        (Some(o), Some(n)) => Some(format!(
            "The \"last updated\" date changed from {} to {}.",
            o.long(),
            n.long()
        )),
        (None, Some(n)) => Some(format!("It is dated {}.", n.long())),
        (Some(o), None) => Some(format!("It no longer gives a date (it was {}).", o.long())),
    }
}

/// The ops of a section with long equal runs cut down to `context` words at each side of a
/// change. `None` in the output marks an elision. Text that only moved between sections (a
/// heading put over it or taken away) reads as unchanged where it now stands and is elided
/// where it stood.
pub fn with_context(ops: &[WordOp], context: usize) -> Vec<Option<WordOp>> {
    // Moved text: elided where it left (`None`), plain text where it arrived.
    let mut items: Vec<Option<WordOp>> = Vec::with_capacity(ops.len());
    for o in ops {
        match (o.moved, o.op) {
            (true, OpKind::Delete) => {
                if items.last().is_none_or(Option::is_some) {
                    items.push(None);
                }
            }
            (moved, kind) => {
                let kind = if moved { OpKind::Equal } else { kind };
                match items.last_mut() {
                    Some(Some(last)) if last.op == OpKind::Equal && kind == OpKind::Equal => {
                        last.text.push(&o.text)
                    }
                    _ => items.push(Some(WordOp {
                        op: kind,
                        text: o.text.clone(),
                        moved: false,
                    })),
                }
            }
        }
    }
    let mut out = Vec::with_capacity(items.len() + 2);
    let last = items.len().saturating_sub(1);
    for (i, item) in items.into_iter().enumerate() {
        let Some(op) = item else {
            out.push(None);
            continue;
        };
        if op.op != OpKind::Equal {
            out.push(Some(op));
            continue;
        }
        let (head, tail) = match (i == 0, i == last) {
            (true, false) => (0, context),
            (false, false) => (context, context),
            _ => (context, 0),
        };
        // Whole text kept (no context limit): no need to count its words.
        if head.saturating_add(tail) == usize::MAX {
            out.push(Some(op));
            continue;
        }
        let pieces = word_pieces(&op.text);
        if pieces.len() <= head.saturating_add(tail).saturating_add(4) {
            out.push(Some(op));
            continue;
        }
        let equal = |p: &[&str]| {
            Some(WordOp {
                op: OpKind::Equal,
                text: p.concat().into(),
                moved: false,
            })
        };
        if head > 0 {
            out.push(equal(&pieces[..head]));
        }
        out.push(None);
        if tail > 0 {
            out.push(equal(&pieces[pieces.len() - tail..]));
        }
    }
    // One elision mark where two meet.
    out.dedup_by(|a, b| a.is_none() && b.is_none());
    out
}

/// Splits text into words, each with the whitespace after it (leading whitespace dropped).
pub fn word_pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let ws = rest[word..].len() - rest[word..].trim_start().len();
        pieces.push(&rest[..word + ws]);
        rest = &rest[word + ws..];
    }
    pieces
}

/// Lays out a section's ops as running text: long equal runs cut to `context` words around
/// the changes (an elision reads `…`), and each op written by `mark(kind, words)`, where
/// `words` has no trailing whitespace. A deletion and the insertion that replaces it stand
/// side by side; the line breaks are those of the new text.
pub fn layout_ops(ops: &[WordOp], context: usize, mark: &dyn Fn(OpKind, &str) -> String) -> String {
    let mut body = String::new();
    let pieces = with_context(ops, context);
    for (i, piece) in pieces.iter().enumerate() {
        let Some(op) = piece else {
            body.push_str("… ");
            continue;
        };
        let (core, ws) = split_trailing_ws(&op.text);
        if !core.is_empty() {
            body.push_str(&mark(op.op, core));
        }
        let replaced = op.op == OpKind::Delete
            && matches!(pieces.get(i + 1), Some(Some(next)) if next.op == OpKind::Insert);
        if replaced {
            body.push(' ');
        } else {
            let line_follows =
                matches!(pieces.get(i + 1), Some(Some(next)) if next.text.starts_with('\n'));
            push_spacing(&mut body, ws, line_follows, mark);
        }
    }
    body.trim_end().to_string()
}

/// Puts the whitespace between words into `body`: spaces, tabs and line breaks (a CRLF one
/// too) as they are; any other control character in it (a carriage return that ends no
/// line, a vertical tab, a form feed, NEL) goes through `mark` as unchanged text, so that a
/// renderer for a terminal shows it as an escape instead of letting it move the cursor back
/// over the words before it. `line_follows`: the next piece starts with a line feed.
fn push_spacing(
    body: &mut String,
    ws: &str,
    line_follows: bool,
    mark: &dyn Fn(OpKind, &str) -> String,
) {
    let mut chars = ws.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let line_end = c == '\r'
            && match chars.peek() {
                Some((_, next)) => *next == '\n',
                None => line_follows,
            };
        if matches!(c, ' ' | '\t' | '\n') || line_end || !c.is_control() {
            body.push(c);
        } else {
            body.push_str(&mark(OpKind::Equal, &ws[at..at + c.len_utf8()]));
        }
    }
}

/// Applies `f` to each non-blank line of `text` separately, so that a mark spanning several
/// lines or paragraphs stays well-formed (HTML tags, colours in a pager).
pub fn per_line(text: &str, f: impl Fn(&str) -> String) -> String {
    text.split('\n')
        .map(|line| {
            if line.trim().is_empty() {
                line.to_string()
            } else {
                f(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits `text` into its words and the whitespace that follows them.
pub fn split_trailing_ws(text: &str) -> (&str, &str) {
    let core = text.trim_end();
    (core, &text[core.len()..])
}
