//! Markdown headings through pulldown-cmark: ATX (`## Title`) and Setext (`Title` / `====`).

use super::Heading;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Top-level headings of a Markdown body (not inside block quotes, lists or HTML).
pub(crate) fn headings(body: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut depth = 0usize; // container nesting: block quotes, lists, footnotes
    let mut current: Option<(usize, u8, String)> = None;
    // The end of the line holding byte `at` (a byte search: `at` may fall inside a character).
    let line_end = |at: usize| {
        body.as_bytes()[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| at + i + 1)
    };
    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)) => {
                depth += 1
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition) => {
                depth = depth.saturating_sub(1)
            }
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
                current = Some((start, level as u8, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level, text)) = current.take() {
                    // The range ends after the heading text (or Setext underline).
                    let end = line_end(range.end.saturating_sub(1).max(start));
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    // An empty heading (`#` alone) does not start a section.
                    if !text.is_empty() {
                        out.push(Heading {
                            start,
                            end,
                            level,
                            text,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}
