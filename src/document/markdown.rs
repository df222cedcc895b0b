//! Markdown headings: ATX (`## Title`) and Setext (`Title` / `====`), at the top level only
//! (not inside block quotes, lists, code or HTML).
//!
//! Two readers give the same answer. [`full_headings`] runs pulldown-cmark over the whole
//! body. The line reader [`scan_headings`] only looks at line starts, and runs pulldown-cmark
//! on each heading's own lines for its text; it is several times faster, and it declines
//! (returns `None`) whenever a line could open a block whose extent it does not track —
//! fenced code, raw HTML, link reference definitions, or a Setext underline after a list item
//! or quote — so that the full parser decides those documents. Tests compare the two readers
//! on generated Markdown and on every version of the real policies in the corpus.

use super::Heading;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Top-level headings of a Markdown body.
pub(crate) fn headings(body: &str) -> Vec<Heading> {
    scan_headings(body).unwrap_or_else(|| full_headings(body))
}

/// Top-level headings by a full CommonMark parse.
pub(crate) fn full_headings(body: &str) -> Vec<Heading> {
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
                    let text = collapse_spaces(&text);
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

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_feeds_and_vertical_tabs_go_to_the_full_parser() {
        // Found by fuzzing: pulldown-cmark reads these as headings.
        for text in ["##\x0cFoo\n", "##\x0bFoo\n", "Foo\n==\x0c\n"] {
            assert_eq!(full_headings(text).len(), 1, "{text:?}");
            assert!(scan_headings(text).is_none(), "{text:?}");
        }
    }
}

/// The paragraph being read, if any: where its first line starts, and whether it is known
/// to be a top-level paragraph (rather than text in a list item, quote or HTML block).
#[derive(Clone, Copy)]
struct Run {
    start: usize,
    clean: bool,
    /// A line of it starts with `<`: an HTML block may be open.
    html: bool,
}

/// Top-level headings by reading line starts; `None` when the full parser must decide.
pub(crate) fn scan_headings(body: &str) -> Option<Vec<Heading>> {
    let bytes = body.as_bytes();
    if memchr::memchr2(0x0b, 0x0c, bytes).is_some() {
        return None; // vertical tabs and form feeds count as spaces in places: not decided here
    }
    let mut out = Vec::new();
    let mut run: Option<Run> = None;
    let mut pos = 0;
    while pos < body.len() {
        let next = memchr::memchr(b'\n', &bytes[pos..]).map_or(body.len(), |i| pos + i + 1);
        let raw = &body[pos..next];
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if memchr::memchr(b'\r', line.as_bytes()).is_some() {
            return None; // a lone CR ends a line for CommonMark
        }
        let rest = line.trim_start_matches(' ');
        let indent = line.len() - rest.len();
        if rest.bytes().all(|b| b == b' ' || b == b'\t') {
            run = None; // a blank line ends a paragraph and any HTML block of kinds 6–7
            pos = next;
            continue;
        }
        if rest.starts_with('\t') {
            return None; // tab stops: not worth deciding here
        }
        if indent >= 4 {
            // Paragraph continuation, or code — in a list item, perhaps.
            run.get_or_insert(Run {
                start: pos,
                clean: false,
                html: false,
            });
            pos = next;
            continue;
        }
        let first = rest.as_bytes()[0];
        if let Some(level) = atx_level(rest) {
            if indent >= 2 || run.is_some_and(|r| r.html) {
                return None; // possibly inside a list item or an HTML block
            }
            out.extend(heading_of(body, pos, next, level, false)?);
            run = None;
        } else if let Some(underline) = setext_underline(rest) {
            match run {
                Some(r) if r.clean => {
                    out.extend(heading_of(body, r.start, next, underline, true)?);
                    run = None;
                }
                Some(_) => return None,
                // `===` alone is text; `---` a thematic break; `-` an empty list item.
                None if first == b'=' => {
                    run = Some(Run {
                        start: pos,
                        clean: indent <= 1,
                        html: false,
                    })
                }
                None if rest.trim_end().len() >= 3 && indent <= 1 => {}
                None => {
                    run = Some(Run {
                        start: pos,
                        clean: false,
                        html: false,
                    })
                }
            }
        } else if matches!(first, b'`' | b'~')
            && (rest.starts_with("```") || rest.starts_with("~~~"))
        {
            return None; // fenced code
        } else if first == b'[' && rest.contains("]:") {
            return None; // a link reference definition, perhaps
        } else if first == b'<' {
            if raw_html_block(rest) {
                return None; // HTML that may run past blank lines
            }
            let r = run.get_or_insert(Run {
                start: pos,
                clean: false,
                html: true,
            });
            r.clean = false;
            r.html = true;
        } else if first == b'>' || block_marker(rest) {
            // A quote, list item or thematic break: what follows may belong to it.
            let r = run.get_or_insert(Run {
                start: pos,
                clean: false,
                html: false,
            });
            r.clean = false;
        } else if run.is_none() {
            run = Some(Run {
                start: pos,
                clean: indent <= 1,
                html: false,
            });
        }
        pos = next;
    }
    Some(out)
}

/// The level of an ATX heading line (indentation removed): 1–6 `#` then a space or the end.
fn atx_level(rest: &str) -> Option<u8> {
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    let after = rest.as_bytes().get(hashes);
    ((1..=6).contains(&hashes) && after.is_none_or(|&b| b == b' ' || b == b'\t'))
        .then_some(hashes as u8)
}

/// The level a Setext underline gives (`===` 1, `---` 2), for a line of only `=` or only
/// `-`, then spaces.
fn setext_underline(rest: &str) -> Option<u8> {
    let body = rest.trim_end_matches([' ', '\t']);
    let first = *body.as_bytes().first()?;
    (matches!(first, b'=' | b'-') && body.bytes().all(|b| b == first)).then_some(if first == b'=' {
        1
    } else {
        2
    })
}

/// A list item marker (`-`, `*`, `+`, `1.`, `1)`) or a thematic break (`***`, `- - -`).
fn block_marker(rest: &str) -> bool {
    let b = rest.as_bytes();
    let spaced = |i: usize| b.get(i).is_none_or(|&c| c == b' ' || c == b'\t');
    match b[0] {
        b'-' | b'*' | b'+' if spaced(1) => true,
        c @ (b'-' | b'*' | b'_') => {
            b.iter().all(|&x| x == c || x == b' ' || x == b'\t')
                && b.iter().filter(|&&x| x == c).count() >= 3
        }
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            digits <= 9 && matches!(b.get(digits), Some(b'.' | b')')) && spaced(digits + 1)
        }
        _ => false,
    }
}

/// HTML block kinds 1–5 (`<script`, `<pre`, `<style`, `<textarea`, comments, `<?`, `<!`),
/// which end at a marker rather than at a blank line.
fn raw_html_block(rest: &str) -> bool {
    let after = &rest.as_bytes()[1..];
    matches!(after.first(), Some(b'!' | b'?'))
        || ["script", "pre", "style", "textarea"].iter().any(|tag| {
            after
                .get(..tag.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(tag.as_bytes()))
        })
}

/// The heading made of the lines `body[start..end]`, which the scan found to be one heading
/// of `level` (Setext: text lines, then the underline). Its text comes straight from the
/// lines when they hold no inline markup, and otherwise from pulldown-cmark run on those lines
/// alone. `Some(None)` for an empty heading (`#` alone), which starts no section; `None` if
/// the lines do not read as the heading expected.
fn heading_of(
    body: &str,
    start: usize,
    end: usize,
    level: u8,
    setext: bool,
) -> Option<Option<Heading>> {
    const INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '&', '#'];
    let lines = &body[start..end];
    let content = if setext {
        &lines[..lines.trim_end().rfind('\n')?]
    } else {
        lines.trim().trim_start_matches('#')
    };
    let text = if content.contains(INLINE) {
        let mut found = full_headings(lines);
        match found.pop() {
            Some(h)
                if found.is_empty() && h.start == 0 && h.end == lines.len() && h.level == level =>
            {
                h.text
            }
            None if !setext => String::new(),
            _ => return None,
        }
    } else {
        collapse_spaces(content)
    };
    Some((!text.is_empty()).then_some(Heading {
        start,
        end,
        level,
        text,
    }))
}
