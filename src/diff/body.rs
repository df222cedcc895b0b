//! A section's body apart from its heading: what readers show under the section's title.

use super::{OpKind, SectionDiff, WordOp};
use crate::document::SharedText;

/// The ops of a section after its heading line(s): the heading is shown apart (as the
/// section's title, renamed or not), so a renumbered heading is no change in the text. A
/// clause title that runs into its text ends where the title ends; a clause in a list item
/// has its body's indentation taken off, so that it reads as the text it is.
pub fn body_ops(s: &SectionDiff) -> Vec<WordOp> {
    if s.level == 0 {
        return s.ops.clone();
    }
    let start = |run_in: Option<usize>| match run_in {
        Some(chars) => Head::Rest(chars),
        None => Head::Line,
    };
    let (mut old, mut new) = (start(s.layout.run_in[0]), start(s.layout.run_in[1]));
    let mut body = Vec::with_capacity(s.ops.len());
    for op in &s.ops {
        let text = op.text.as_str();
        let cut = match op.op {
            OpKind::Equal => old.advance(text).max(new.advance(text)),
            OpKind::Insert => new.advance(text),
            OpKind::Delete => old.advance(text),
        };
        let cut = (cut..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        if cut < text.len() {
            body.push(WordOp {
                op: op.op,
                text: op.text.slice(cut..text.len()),
                moved: op.moved,
            });
        }
    }
    drop_underline(&mut body);
    if s.layout.indent > 0 {
        dedent(&mut body, s.layout.indent);
    }
    body
}

/// How much of one side's heading is still to be skipped in [`body_ops`].
#[derive(Clone, Copy)]
enum Head {
    /// A heading that is its whole line: up to the first line break.
    Line,
    /// A run-in title with this many characters other than whitespace left (counted so, the
    /// two sides agree whatever spacing an equal piece carries).
    Rest(usize),
    /// The heading is behind: the rest is body.
    Done,
}

impl Head {
    /// Skips the heading's part of `text` (the next piece of this side): the byte where the
    /// body starts in it, `text.len()` when all of it is heading.
    fn advance(&mut self, text: &str) -> usize {
        match *self {
            Head::Done => 0,
            Head::Line => match text.find('\n') {
                Some(i) => {
                    *self = Head::Done;
                    i + 1
                }
                None => text.len(),
            },
            Head::Rest(mut left) => {
                for (i, c) in text.char_indices() {
                    if c.is_whitespace() {
                        continue;
                    }
                    left -= 1;
                    if left == 0 {
                        *self = Head::Done;
                        // The space after a run-in title is not the body's.
                        let after = &text[i + c.len_utf8()..];
                        return text.len() - after.trim_start_matches([' ', '\t']).len();
                    }
                }
                *self = Head::Rest(left);
                text.len()
            }
        }
    }
}

/// A section's ops (heading included), without the indentation a list gives a clause's
/// lines (see [`body_ops`]): what the text and Markdown reports show.
pub fn unindented_ops(s: &SectionDiff) -> std::borrow::Cow<'_, [WordOp]> {
    if s.layout.indent == 0 {
        return std::borrow::Cow::Borrowed(&s.ops);
    }
    let mut ops = s.ops.clone();
    dedent(&mut ops, s.layout.indent);
    std::borrow::Cow::Owned(ops)
}

/// Takes up to `columns` spaces off the start of each line of the ops' text.
fn dedent(ops: &mut [WordOp], columns: usize) {
    let mut line_start = true;
    for op in ops.iter_mut() {
        let text = op.text.as_str();
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        for piece in text.split_inclusive('\n') {
            let mut piece = piece;
            if line_start {
                let spaces = piece.len() - piece.trim_start_matches(' ').len();
                let cut = spaces.min(columns);
                changed |= cut > 0;
                piece = &piece[cut..];
            }
            out.push_str(piece);
            line_start = piece.ends_with('\n');
        }
        if text.is_empty() {
            continue;
        }
        if changed {
            op.text = SharedText::from(out);
        }
    }
}

/// Drops the underline of a setext heading (`Title` over `=====`) left at the start.
fn drop_underline(body: &mut Vec<WordOp>) {
    let Some(first) = body.first() else { return };
    let text = first.text.as_str();
    let skipped = text.len() - text.trim_start().len();
    let line_end = text[skipped..]
        .find('\n')
        .map_or(text.len(), |i| skipped + i + 1);
    let line = text[skipped..line_end].trim();
    if line.len() >= 2 && (line.bytes().all(|b| b == b'=') || line.bytes().all(|b| b == b'-')) {
        let rest = first.text.slice(line_end..text.len());
        if rest.is_empty() {
            body.remove(0);
        } else {
            body[0].text = rest;
        }
    }
}
