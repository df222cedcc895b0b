//! A section's word operations rendered as the document reads: Markdown turned into HTML (or
//! into plain text), with the inserted and deleted words marked inside that structure.
//!
//! The ops are laid out as one source text (deleted and inserted words side by side, as the
//! text output shows them), each byte knowing whether it is equal, inserted or deleted. That
//! source is parsed as Markdown, and each piece of text the parser reports is marked by the
//! bytes it came from. Marks are put around text only, never around block structure, so the
//! result is always well formed, whatever the change. Policy text is always escaped: raw
//! HTML in a policy shows as text, links are links only for http, https and mailto, and
//! images show as their description (a page never loads anything).

use super::{split_trailing_ws, with_context};
pub use crate::diff::body::{body_ops, unindented_ops};
use crate::diff::{OpKind, SectionDiff, Status, WordOp};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::fmt::Write as _;
use std::ops::Range;

/// A section's text laid out for rendering: deleted and inserted words side by side, with the
/// kind of each run of bytes.
#[derive(Debug, Default)]
pub struct Marked {
    /// The laid-out text (Markdown or plain text, as the document is written).
    pub source: String,
    /// Runs of `source`: where each starts, and its kind (sorted by start).
    runs: Vec<(usize, OpKind)>,
}

impl Marked {
    fn push(&mut self, text: &str, kind: OpKind) {
        if text.is_empty() {
            return;
        }
        if self.runs.last().is_none_or(|&(_, k)| k != kind) {
            self.runs.push((self.source.len(), kind));
        }
        self.source.push_str(text);
    }

    /// The runs of kinds within `range`, clipped to it.
    fn pieces(&self, range: Range<usize>) -> impl Iterator<Item = (Range<usize>, OpKind)> + '_ {
        let first = self
            .runs
            .partition_point(|&(start, _)| start <= range.start)
            .saturating_sub(1);
        self.runs[first..]
            .iter()
            .enumerate()
            .map(move |(i, &(start, kind))| {
                let end = self
                    .runs
                    .get(first + i + 1)
                    .map_or(self.source.len(), |r| r.0);
                (start.max(range.start)..end.min(range.end), kind)
            })
            .take_while(move |(r, _)| r.start < range.end)
            .filter(|(r, _)| !r.is_empty())
    }

    /// The kind most of `range` is (by its first non-blank byte).
    fn kind_at(&self, range: Range<usize>) -> OpKind {
        let text = &self.source[range.clone()];
        let at = range.start + (text.len() - text.trim_start().len()).min(text.len());
        self.pieces(at..range.end.max(at + 1).min(self.source.len()))
            .next()
            .map_or(OpKind::Equal, |(_, k)| k)
    }
}

/// Lays out ops as running text: with `context` words of unchanged text around each change
/// (`None`: all of it); an elision reads `…`. A deletion and the insertion that replaces it
/// stand side by side, as in the text output; text that moved across a heading reads as
/// unchanged where it stands.
pub fn lay_out(ops: &[WordOp], context: Option<usize>) -> Marked {
    let mut out = Marked::default();
    let pieces = with_context(ops, context.unwrap_or(usize::MAX));
    for (i, piece) in pieces.iter().enumerate() {
        let Some(op) = piece else {
            out.push("… ", OpKind::Equal);
            continue;
        };
        let (core, ws) = split_trailing_ws(&op.text);
        out.push(core, op.op);
        let replaced = op.op == OpKind::Delete
            && matches!(pieces.get(i + 1), Some(Some(next)) if next.op == OpKind::Insert);
        out.push(if replaced { " " } else { ws }, OpKind::Equal);
    }
    out
}

/// How marks are written in HTML.
#[derive(Debug, Clone, Copy)]
pub struct HtmlMarks {
    /// Opening tag of inserted text.
    pub ins: &'static str,
    /// Opening tag of deleted text.
    pub del: &'static str,
    /// Headings inside a section start at this level (the page's own headings come first).
    pub first_heading: u8,
}

/// For pages with a style sheet.
pub const PAGE_MARKS: HtmlMarks = HtmlMarks {
    ins: "<ins>",
    del: "<del>",
    first_heading: 4,
};

/// For email, where styles must be inline: colour, and underline or strike-through.
pub const EMAIL_MARKS: HtmlMarks = HtmlMarks {
    ins: "<ins style=\"background:#d7f5dd;color:#0b5d1e;text-decoration:underline;\">",
    del: "<del style=\"background:#fbe0e0;color:#8b1111;text-decoration:line-through;\">",
    first_heading: 3,
};

/// The Markdown features a policy may use. Strike-through is left out: it would read as a
/// deletion.
fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS
}

/// True for the link destinations a page may link to: http, https and mailto.
pub fn is_followable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// True for the characters pages and feeds show as an escape (`\u{202e}`) instead of
/// obeying: controls other than line feed and tab (ESC, CR, C1 controls), the bidirectional
/// controls (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks
/// U+200E, U+200F and U+061C) and the noncharacters U+FFFE and U+FFFF (no XML or HTML
/// text may hold them).
pub fn shown_not_obeyed(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// Escapes text for HTML content and attribute values; the characters of
/// [`shown_not_obeyed`] are shown as `\u{…}`.
pub fn escape(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Bytes that may need escaping: markup, ASCII controls, and the lead bytes of C1
        // controls (U+0080–U+009F), of the bidirectional controls (U+202A–U+202E,
        // U+2066–U+2069, U+200E, U+200F; U+061C) and of U+FFFE and U+FFFF.
        let suspect = matches!(
            b,
            b'<' | b'>' | b'&' | b'"' | b'\'' | 0x7f | 0xc2 | 0xe2 | 0xd8 | 0xef
        ) || (b < 0x20 && b != b'\n' && b != b'\t');
        if !suspect {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a char starts here");
        let replacement: Option<std::borrow::Cow<str>> = match c {
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '&' => Some("&amp;".into()),
            '"' => Some("&quot;".into()),
            '\'' => Some("&#39;".into()),
            // Terminal controls and bidirectional controls are shown, not obeyed.
            c if shown_not_obeyed(c) => Some(format!("\\u{{{:x}}}", c as u32).into()),
            _ => None,
        };
        if let Some(r) = replacement {
            out.push_str(&text[done..i]);
            out.push_str(&r);
            done = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    out.push_str(&text[done..]);
}

/// Renders laid-out text as HTML: Markdown (`markdown`) or plain text (paragraphs and line
/// breaks kept), with inserted and deleted text marked.
pub fn to_html(marked: &Marked, markdown: bool, marks: HtmlMarks) -> String {
    let html = if markdown {
        markdown_html(marked, marks)
    } else {
        plain_html(marked, marks)
    };
    // One mark where pieces of text of one kind meet (policy text is escaped: these tags
    // are only ours).
    let (ins, del) = (
        format!("</ins>{}", marks.ins),
        format!("</del>{}", marks.del),
    );
    if html.contains(&ins) || html.contains(&del) {
        html.replace(&ins, "").replace(&del, "")
    } else {
        html
    }
}

/// Writes `range` of the source, escaped, each run in its mark.
fn write_marked(marked: &Marked, range: Range<usize>, marks: HtmlMarks, out: &mut String) {
    for (r, kind) in marked.pieces(range) {
        write_kind(&marked.source[r], kind, marks, out);
    }
}

fn write_kind(text: &str, kind: OpKind, marks: HtmlMarks, out: &mut String) {
    match kind {
        OpKind::Equal => escape(text, out),
        OpKind::Insert => {
            out.push_str(marks.ins);
            escape(text, out);
            out.push_str("</ins>");
        }
        OpKind::Delete => {
            out.push_str(marks.del);
            escape(text, out);
            out.push_str("</del>");
        }
    }
}

/// Writes text the parser reported for `range`: split by the runs it came from when it is
/// found there as written, else in the kind of most of it.
fn write_text(
    marked: &Marked,
    text: &str,
    range: Range<usize>,
    marks: HtmlMarks,
    out: &mut String,
) {
    match find_in(&marked.source[range.clone()], text) {
        Some(at) => {
            let start = range.start + at;
            write_marked(marked, start..start + text.len(), marks, out);
        }
        None => write_kind(text, marked.kind_at(range), marks, out),
    }
}

/// Where the parser's `text` stands in the `source` it came from: most often at its start.
fn find_in(source: &str, text: &str) -> Option<usize> {
    if text.is_empty() {
        None
    } else if source.starts_with(text) {
        Some(0)
    } else {
        source.find(text)
    }
}

fn plain_html(marked: &Marked, marks: HtmlMarks) -> String {
    let mut out = String::with_capacity(marked.source.len() * 5 / 4);
    for para in paragraphs(&marked.source) {
        out.push_str("<p>");
        let mut line_start = para.start;
        for (i, _) in marked.source[para.clone()].match_indices('\n') {
            let end = para.start + i;
            write_marked(marked, line_start..end, marks, &mut out);
            out.push_str("<br>\n");
            line_start = end + 1;
        }
        write_marked(marked, line_start..para.end, marks, &mut out);
        out.push_str("</p>\n");
    }
    out
}

/// The paragraphs of plain text: runs of non-blank lines, trimmed.
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            start.get_or_insert(at + lead);
            end = at + line.trim_end().len();
        }
        at += line.len();
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

fn heading_tag(level: HeadingLevel, marks: HtmlMarks) -> usize {
    (level as usize + usize::from(marks.first_heading) - 1).min(6)
}

fn markdown_html(marked: &Marked, marks: HtmlMarks) -> String {
    let mut out = String::with_capacity(marked.source.len() * 3 / 2);
    // Links left out (not http, https or mailto), innermost last.
    let mut links: Vec<bool> = Vec::new();
    let mut in_image = 0usize;
    let mut table_head = false;
    let mut aligns: Vec<pulldown_cmark::Alignment> = Vec::new();
    let mut cell = 0usize;
    let mut lists: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(&marked.source, markdown_options()).into_offset_iter() {
        match event {
            Event::Text(t) => write_text(marked, &t, range, marks, &mut out),
            Event::Code(t) => {
                out.push_str("<code>");
                write_text(marked, &t, range, marks, &mut out);
                out.push_str("</code>");
            }
            Event::Html(t) | Event::InlineHtml(t) => write_text(marked, &t, range, marks, &mut out),
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                write_text(marked, &t, range, marks, &mut out)
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>\n"),
            Event::Rule => out.push_str("<hr>\n"),
            Event::TaskListMarker(done) => out.push_str(if done {
                "<input type=\"checkbox\" disabled checked> "
            } else {
                "<input type=\"checkbox\" disabled> "
            }),
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    let _ = write!(out, "<h{}>", heading_tag(level, marks));
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>\n"),
                Tag::CodeBlock(_) => out.push_str("<pre><code>"),
                Tag::HtmlBlock => out.push_str("<p class=\"raw\">"),
                Tag::List(Some(1)) => {
                    lists.push(true);
                    out.push_str("<ol>\n");
                }
                Tag::List(Some(n)) => {
                    lists.push(true);
                    let _ = writeln!(out, "<ol start=\"{n}\">");
                }
                Tag::List(None) => {
                    lists.push(false);
                    out.push_str("<ul>\n");
                }
                Tag::Item => out.push_str("<li>"),
                Tag::Table(a) => {
                    aligns = a;
                    out.push_str("<table>\n");
                }
                Tag::TableHead => {
                    table_head = true;
                    cell = 0;
                    out.push_str("<thead><tr>");
                }
                Tag::TableRow => {
                    cell = 0;
                    out.push_str("<tr>");
                }
                Tag::TableCell => {
                    out.push_str(if table_head { "<th" } else { "<td" });
                    match aligns.get(cell) {
                        Some(pulldown_cmark::Alignment::Left) => out.push_str(" class=\"l\""),
                        Some(pulldown_cmark::Alignment::Center) => out.push_str(" class=\"c\""),
                        Some(pulldown_cmark::Alignment::Right) => out.push_str(" class=\"r\""),
                        _ => {}
                    }
                    out.push('>');
                }
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Strikethrough => out.push_str("<s>"),
                Tag::Superscript => out.push_str("<sup>"),
                Tag::Subscript => out.push_str("<sub>"),
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    let url: CowStr = if link_type == pulldown_cmark::LinkType::Email {
                        format!("mailto:{dest_url}").into()
                    } else {
                        dest_url
                    };
                    let follow = in_image == 0 && is_followable(&url);
                    links.push(follow);
                    if follow {
                        out.push_str("<a href=\"");
                        escape(url.trim(), &mut out);
                        out.push_str("\" rel=\"nofollow noopener noreferrer\">");
                    }
                }
                Tag::Image { .. } => {
                    in_image += 1;
                    if in_image == 1 {
                        out.push_str("<span class=\"image\">[image: ");
                    }
                }
                Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition
                | Tag::MetadataBlock(_) => out.push_str("<div>"),
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => out.push_str("</p>\n"),
                TagEnd::Heading(level) => {
                    let _ = writeln!(out, "</h{}>", heading_tag(level, marks));
                }
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
                TagEnd::HtmlBlock => out.push_str("</p>\n"),
                TagEnd::List(_) => out.push_str(if lists.pop() == Some(true) {
                    "</ol>\n"
                } else {
                    "</ul>\n"
                }),
                TagEnd::Item => out.push_str("</li>\n"),
                TagEnd::Table => out.push_str("</tbody></table>\n"),
                TagEnd::TableHead => {
                    table_head = false;
                    out.push_str("</tr></thead><tbody>\n");
                }
                TagEnd::TableRow => out.push_str("</tr>\n"),
                TagEnd::TableCell => {
                    cell += 1;
                    out.push_str(if table_head { "</th>" } else { "</td>" });
                }
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Strikethrough => out.push_str("</s>"),
                TagEnd::Superscript => out.push_str("</sup>"),
                TagEnd::Subscript => out.push_str("</sub>"),
                TagEnd::Link => {
                    if links.pop() == Some(true) {
                        out.push_str("</a>");
                    }
                }
                TagEnd::Image => {
                    in_image = in_image.saturating_sub(1);
                    if in_image == 0 {
                        out.push_str("]</span>");
                    }
                }
                TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
                | TagEnd::MetadataBlock(_) => out.push_str("</div>"),
            },
        }
    }
    out
}

/// Renders laid-out text as plain text: Markdown markers gone (headings without `#`,
/// emphasis without `_` or `*`, list items with a dash or their number), inserted text as
/// `{+…+}` and deleted text as `[-…-]`. Plain-text documents are shown as written.
pub fn to_text(marked: &Marked, markdown: bool) -> String {
    let mut w = TextWriter::default();
    if !markdown {
        for (r, kind) in marked.pieces(0..marked.source.len()) {
            w.write(&marked.source[r], kind);
        }
        w.close();
        return w.finish();
    }
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<Option<String>> = Vec::new();
    let mut cell = 0usize;
    for (event, range) in Parser::new_ext(&marked.source, markdown_options()).into_offset_iter() {
        match event {
            Event::Text(t)
            | Event::Code(t)
            | Event::Html(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t)
            | Event::FootnoteReference(t) => match find_in(&marked.source[range.clone()], &t) {
                Some(at) => {
                    let start = range.start + at;
                    for (r, kind) in marked.pieces(start..start + t.len()) {
                        w.write(&marked.source[r], kind);
                    }
                }
                None => w.write(&t, marked.kind_at(range)),
            },
            Event::SoftBreak | Event::HardBreak => w.write("\n", OpKind::Equal),
            Event::Rule => w.block("—"),
            Event::TaskListMarker(done) => {
                w.write(if done { "[x] " } else { "[ ] " }, OpKind::Equal)
            }
            Event::Start(Tag::Item) => {
                w.close();
                w.line_break();
                let depth = lists.len().saturating_sub(1);
                let bullet = match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_string(),
                };
                w.raw(&format!("{}{bullet}", "  ".repeat(depth)));
            }
            Event::Start(Tag::List(start)) => {
                w.close();
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    w.paragraph_break();
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(Some(dest_url.to_string())),
            Event::End(TagEnd::Link) => {
                if let Some(Some(url)) = links.pop()
                    && is_followable(&url)
                    && !w.tail_ends_with(&url)
                {
                    w.write(&format!(" <{url}>"), OpKind::Equal);
                }
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => cell = 0,
            Event::Start(Tag::TableCell) => {
                if cell > 0 {
                    w.write(" | ", OpKind::Equal);
                }
                cell += 1;
            }
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                w.close();
                w.line_break();
            }
            Event::Start(Tag::Image { .. }) => w.write("[image: ", marked.kind_at(range)),
            Event::End(TagEnd::Image) => w.write("]", marked.kind_at(range)),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::Table,
            ) => w.paragraph_break(),
            _ => {}
        }
    }
    w.close();
    w.finish()
}

/// Plain text with `{+…+}` and `[-…-]` marks, a mark kept open across pieces of text of the
/// same kind and closed at the end of a block.
#[derive(Default)]
struct TextWriter {
    out: String,
    open: Option<OpKind>,
}

impl TextWriter {
    fn write(&mut self, text: &str, kind: OpKind) {
        if text.is_empty() {
            return;
        }
        let kind = (kind != OpKind::Equal).then_some(kind);
        if kind != self.open {
            self.close();
            match kind {
                Some(OpKind::Insert) => self.out.push_str("{+"),
                Some(OpKind::Delete) => self.out.push_str("[-"),
                _ => {}
            }
            self.open = kind;
        }
        self.out.push_str(text);
    }

    fn close(&mut self) {
        match self.open.take() {
            Some(OpKind::Insert) => self.out.push_str("+}"),
            Some(OpKind::Delete) => self.out.push_str("-]"),
            _ => {}
        }
    }

    fn raw(&mut self, text: &str) {
        self.close();
        self.out.push_str(text);
    }

    fn tail_ends_with(&self, text: &str) -> bool {
        self.out
            .trim_end_matches(['+', '}', '-', ']'])
            .ends_with(text)
    }

    fn line_break(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn paragraph_break(&mut self) {
        self.close();
        self.line_break();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn block(&mut self, text: &str) {
        self.paragraph_break();
        self.out.push_str(text);
        self.paragraph_break();
    }

    fn finish(self) -> String {
        self.out.trim().to_string()
    }
}

/// Whether a section's body reads as changed: added, removed, or modified beyond its heading.
pub fn body_changed(s: &SectionDiff, body: &[WordOp]) -> bool {
    s.status != Status::Unchanged && body.iter().any(|o| o.op != OpKind::Equal && !o.moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::SharedText;

    fn ops(parts: &[(OpKind, &str)]) -> Vec<WordOp> {
        parts
            .iter()
            .map(|&(op, t)| WordOp {
                op,
                text: SharedText::from(t.to_string()),
                moved: false,
            })
            .collect()
    }

    use OpKind::{Delete as D, Equal as E, Insert as I};

    #[test]
    fn marks_sit_inside_the_structure() {
        let m = lay_out(
            &ops(&[
                (E, "We keep data for "),
                (D, "30 "),
                (I, "90 "),
                (E, "days.\n\n- one "),
                (D, "*two*\n"),
                (I, "**three**\n"),
                (E, "- four\n"),
            ]),
            None,
        );
        let html = to_html(&m, true, PAGE_MARKS);
        assert_eq!(
            html,
            "<p>We keep data for <del>30</del> <ins>90</ins> days.</p>\n<ul>\n<li>one <em><del>two</del></em> <strong><ins>three</ins></strong></li>\n<li>four</li>\n</ul>\n"
        );
        assert_eq!(
            to_text(&m, true),
            "We keep data for [-30-] {+90+} days.\n\n- one [-two-] {+three+}\n- four"
        );
    }

    #[test]
    fn policy_text_is_never_markup() {
        let m = lay_out(
            &ops(&[(
                E,
                "See <script>alert(1)</script> [a](javascript:x) [b](https://b.example/?q=\"x\") ![p](https://t.example/p.png) <b onclick=x>c</b>\n",
            )]),
            None,
        );
        let html = to_html(&m, true, PAGE_MARKS);
        assert!(!html.contains("<script") && !html.contains("<b ") && !html.contains("<img"));
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("<a href=\"https://b.example/?q=%22x%22\"")
                || html.contains("<a href=\"https://b.example/?q=&quot;x&quot;\""),
            "{html}"
        );
        assert!(html.contains("[image: p]"), "{html}");
    }

    #[test]
    fn a_renumbered_heading_is_left_out_of_the_body() {
        let s = SectionDiff {
            status: Status::Modified,
            old_heading: Some("6. Retention".into()),
            new_heading: Some("3. Retention".into()),
            renamed: false,
            moved: true,
            cosmetic: false,
            words_added: 1,
            words_removed: 1,
            words_moved: 0,
            heading_added: false,
            heading_removed: false,
            ops: ops(&[
                (E, "## "),
                (D, "6. "),
                (I, "3. "),
                (E, "Retention\n\nWe keep it "),
                (D, "30 "),
                (I, "90 "),
                (E, "days.\n"),
            ]),
            level: 2,
            old_index: Some(5),
            new_index: Some(2),
            layout: Default::default(),
        };
        let body = body_ops(&s);
        let text = to_text(&lay_out(&body, None), true);
        assert_eq!(text, "We keep it [-30-] {+90+} days.");
        assert!(body_changed(&s, &body));
    }

    #[test]
    fn a_setext_underline_is_part_of_the_heading() {
        let mut s = SectionDiff {
            status: Status::Modified,
            old_heading: Some("Fees".into()),
            new_heading: Some("Fees".into()),
            renamed: false,
            moved: false,
            cosmetic: false,
            words_added: 1,
            words_removed: 0,
            words_moved: 0,
            heading_added: false,
            heading_removed: false,
            ops: ops(&[(E, "Fees\n====\n\nYou pay "), (I, "more ")]),
            level: 1,
            old_index: Some(0),
            new_index: Some(0),
            layout: Default::default(),
        };
        assert_eq!(
            to_text(&lay_out(&body_ops(&s), None), true),
            "You pay {+more+}"
        );
        s.ops = ops(&[(E, "Fees\n"), (E, "====\nYou pay")]);
        assert_eq!(to_text(&lay_out(&body_ops(&s), None), true), "You pay");
    }

    #[test]
    fn escaping_covers_markup_controls_and_overrides() {
        let mut out = String::new();
        escape("a<b>&\"c'\u{1b}[2J\u{85}\u{202e}é€\n\t", &mut out);
        assert_eq!(
            out,
            "a&lt;b&gt;&amp;&quot;c&#39;\\u{1b}[2J\\u{85}\\u{202e}é€\n\t"
        );
    }

    #[test]
    fn plain_text_keeps_its_lines() {
        let m = lay_out(&ops(&[(E, "a <b>\nc "), (I, "d\n\n"), (E, "*e*\n")]), None);
        assert_eq!(
            to_html(&m, false, PAGE_MARKS),
            "<p>a &lt;b&gt;<br>\nc <ins>d</ins></p>\n<p>*e*</p>\n"
        );
    }
}
