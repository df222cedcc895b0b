//! Clause titles: the structure of documents that do not write it as headings.
//!
//! Many policies mark their clauses without Markdown headings: a numbered list item whose
//! title is bold (`1.  **FEES AND PAYMENT**`, with `    2.  **Refunds**. We refund…` nested
//! under it), a bold line of its own (`**1\. Introduction**`, `**Payment providers**`), a
//! numbered line (`1\. Our Services`, `4.2 Refunds`, `(a) Disputes`), a numbered clause whose
//! title runs into its text (`1.2 Registration. When you…`), or a short line in capitals.
//! This reader finds such titles between the headings the format reader found, so that each
//! clause is a section.
//!
//! It is conservative: a title is short, bold, numbered or in capitals, stands at the start
//! of a block, and is followed by body text. Bold words inside a paragraph, a bold sentence,
//! a bold line that runs on into a paragraph, a label such as `**Note**`, a link, and runs of
//! title-like lines with no text between them (a table of contents, a list of ordinary items)
//! are not titles.
//!
//! Levels come from the titles' kinds, as a word processor's outline does: the first kind of
//! title under a heading is one level below it, a new kind (deeper numbering, a nested list,
//! `(a)` after `1.`) one level below the title before it, and a kind seen before returns to
//! its level.

use super::{Format, Heading};

/// A title has at most this many words…
const MAX_WORDS: usize = 14;
/// …and characters.
const MAX_CHARS: usize = 120;
/// A title that runs into its clause's text (`1.2 Registration. When you…`) has at most
/// this many words.
const MAX_RUN_IN_WORDS: usize = 9;
/// A numbered title ending with a full stop (`2. Confidentiality.`) has at most this many words.
const MAX_STOPPED_WORDS: usize = 8;
/// Bold or capital lines that label a remark rather than title a clause.
const LABELS: &[&str] = &[
    "note",
    "notes",
    "nb",
    "n b",
    "important",
    "tip",
    "tips",
    "warning",
    "caution",
    "example",
    "examples",
    "remarque",
    "remarques",
    "attention",
    "exemple",
    "exemples",
    "nota",
    "hinweis",
    "beispiel",
    "please note",
    "info",
];

/// How a title is numbered: titles of one kind are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    /// `1.`, `2)`, `1\.` (depth 1), `4.1` (depth 2)…
    Decimal(u8),
    /// `(a)`, `a)`
    LowerLetter,
    /// `(i)`, `iv)`
    LowerRoman,
    /// `A.`
    UpperLetter,
    /// `IV.`
    UpperRoman,
    /// `Article 3`, `Section 2`, `§ 4`
    Article,
    /// No number: a bold line.
    Bold,
    /// No number: a line in capitals.
    Capitals,
}

/// A title's kind: its numbering, its list nesting and whether it is bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kind {
    numbering: Numbering,
    nesting: u8,
    bold: bool,
}

/// A title-like line, before it is known to be followed by text.
#[derive(Debug)]
struct Candidate {
    heading: Heading,
    kind: Kind,
    /// Its text runs on after the title on the same line.
    run_in: bool,
    /// Index of the line it stands on.
    line: usize,
}

/// An ordered list open at some indentation.
struct Counter {
    indent: usize,
    /// The number written on its first item.
    first: u32,
    /// Items after the first.
    items: u32,
    /// Every item so far is written with the first one's number.
    same: bool,
}

/// One line of the body.
struct Line<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

/// The headings of a body with its clause titles among them: `heads` (found by the format's
/// reader, in order) with the clause titles found between them, each at a level below the
/// heading over it.
pub(crate) fn with_clauses(body: &str, heads: Vec<Heading>, format: Format) -> Vec<Heading> {
    let lines: Vec<Line> = lines(body);
    let candidates = candidates(body, &lines, &heads, format);
    if candidates.is_empty() {
        return heads;
    }
    let accepted = followed_by_text(&lines, candidates);
    merge(heads, accepted)
}

fn lines(body: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(body.len() / 64 + 1);
    let mut pos = 0;
    while pos < body.len() {
        let end =
            memchr::memchr(b'\n', &body.as_bytes()[pos..]).map_or(body.len(), |i| pos + i + 1);
        let raw = &body[pos..end];
        let text = raw.strip_suffix('\n').unwrap_or(raw);
        let text = text.strip_suffix('\r').unwrap_or(text);
        out.push(Line {
            start: pos,
            end,
            text,
        });
        pos = end;
    }
    out
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Title-like lines at the start of blocks, outside code, HTML, tables, quotes and the
/// format's own headings.
fn candidates(body: &str, lines: &[Line], heads: &[Heading], format: Format) -> Vec<Candidate> {
    let markdown = format == Format::Markdown;
    let mut out = Vec::new();
    let mut head = heads.iter().peekable();
    let mut fence: Option<(u8, usize)> = None;
    let mut html = false;
    let mut html_close: Option<&'static str> = None;
    let mut in_list = false;
    // The column a top-level list item's text starts at: its paragraphs are indented so.
    let mut item_column = 0;
    let mut counters: Vec<Counter> = Vec::new();
    let mut prev_blank = true;
    let mut prev_list_item = false;
    for (i, line) in lines.iter().enumerate() {
        // Lines of the format's headings are theirs.
        while head.peek().is_some_and(|h| h.end <= line.start) {
            head.next();
        }
        if head
            .peek()
            .is_some_and(|h| h.start <= line.start && line.start < h.end)
        {
            prev_blank = true;
            prev_list_item = false;
            in_list = false;
            continue;
        }
        let text = line.text;
        let blank = is_blank(text);
        if markdown {
            let rest = text.trim_start();
            let shallow = indent_of(text) < 4;
            if let Some((c, n)) = fence {
                if shallow
                    && rest.len() - rest.trim_start_matches(c as char).len() >= n
                    && is_blank(rest.trim_start_matches(c as char))
                {
                    fence = None;
                }
                prev_blank = false;
                continue;
            }
            if shallow && (rest.starts_with("```") || rest.starts_with("~~~")) {
                let c = rest.as_bytes()[0];
                fence = Some((c, rest.len() - rest.trim_start_matches(c as char).len()));
                prev_blank = false;
                continue;
            }
            // HTML blocks: comments, `<pre>`, `<script>`, `<style>`, `<textarea>` end at their
            // closing mark; others at a blank line.
            if let Some(close) = html_close {
                if contains_ignoring_case(text, close) {
                    html_close = None;
                }
                prev_blank = false;
                continue;
            }
            if html {
                html = !blank;
                prev_blank = blank;
                continue;
            }
            if prev_blank
                && shallow
                && rest.starts_with('<')
                && let Some(close) = raw_html_close(rest)
            {
                if !contains_ignoring_case(&rest[1..], close) {
                    html_close = Some(close);
                }
                prev_blank = false;
                continue;
            }
            if prev_blank && rest.starts_with('<') {
                html = true;
                prev_blank = false;
                continue;
            }
        }
        if blank {
            prev_blank = true;
            continue;
        }
        let indent = indent_of(text);
        let marker = if markdown {
            list_marker(text.trim_start())
        } else {
            None
        };
        let item = marker.is_some();
        // After a blank line, text indented less than a top-level item's text ends the list.
        if markdown && prev_blank && !item && (indent < item_column || !in_list) && indent < 4 {
            in_list = false;
            counters.clear();
        }
        if item && indent < 4 {
            in_list = true;
            let t = text.trim_start();
            item_column = indent + marker.map_or(0, |(_, rest)| t.len() - rest.len());
        }
        // The number a reader sees on an ordered item: a list written with one number on
        // every item (`1.`, `1.`, `1.`) is shown numbered 1, 2, 3; other lists as written.
        let shown = marker.and_then(|(number, _)| {
            counters.retain(|c| c.indent < indent || (c.indent == indent && number.is_some()));
            let number = number?;
            match counters.last_mut() {
                Some(c) if c.indent == indent => {
                    c.items += 1;
                    c.same &= number == c.first;
                    Some(if c.same {
                        c.first.saturating_add(c.items)
                    } else {
                        number
                    })
                }
                _ => {
                    counters.push(Counter {
                        indent,
                        first: number,
                        items: 0,
                        same: true,
                    });
                    Some(number)
                }
            }
        });
        let block_start = prev_blank || item || prev_list_item;
        prev_blank = false;
        prev_list_item = item;
        if !block_start || (markdown && indent >= 4 && !in_list) {
            continue;
        }
        if let Some(mut c) = title(text, markdown, shown) {
            c.heading.start += line.start;
            c.heading.end = if c.run_in {
                c.heading.end + line.start
            } else {
                line.end
            };
            c.line = i;
            debug_assert!(body.is_char_boundary(c.heading.end));
            out.push(c);
        }
    }
    out
}

/// The mark that ends an HTML block opened by `rest` when it is one of the kinds that run
/// past blank lines (a comment, `<pre>`, `<script>`, `<style>`, `<textarea>`, `<?`, `<!X`).
fn raw_html_close(rest: &str) -> Option<&'static str> {
    let after = rest.get(1..)?;
    if after.starts_with("!--") {
        return Some("-->");
    }
    if after.starts_with('?') {
        return Some("?>");
    }
    if after.starts_with("![CDATA[") {
        return Some("]]>");
    }
    if after.starts_with('!') {
        return Some(">");
    }
    for (tag, close) in [
        ("pre", "</pre>"),
        ("script", "</script>"),
        ("style", "</style>"),
        ("textarea", "</textarea>"),
    ] {
        if after
            .get(..tag.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(tag))
            && after[tag.len()..].starts_with([' ', '>', '\t'])
            || after.len() == tag.len() && after.eq_ignore_ascii_case(tag)
        {
            return Some(close);
        }
    }
    None
}

/// Whether `text` holds `mark` (ASCII), in any case.
fn contains_ignoring_case(text: &str, mark: &str) -> bool {
    let (t, m) = (text.as_bytes(), mark.as_bytes());
    t.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m))
}

/// Leading spaces, a tab counting as four.
fn indent_of(text: &str) -> usize {
    let mut n = 0;
    for b in text.bytes() {
        match b {
            b' ' => n += 1,
            b'\t' => n += 4 - n % 4,
            _ => break,
        }
    }
    n
}

/// If `s` starts with a list marker (`-`, `*`, `+`, `1.`, `1)`) and a space, its number (0
/// for a bullet) and the rest.
fn list_marker(s: &str) -> Option<(Option<u32>, &str)> {
    let b = s.as_bytes();
    let spaced = |i: usize| matches!(b.get(i), Some(b' ' | b'\t'));
    match b.first()? {
        b'-' | b'*' | b'+' if spaced(1) => Some((None, s[1..].trim_start())),
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            (digits <= 9 && matches!(b.get(digits), Some(b'.' | b')')) && spaced(digits + 1))
                .then(|| (s[..digits].parse().ok(), s[digits + 1..].trim_start()))
        }
        _ => None,
    }
}

/// Reads a number at the start of `s` (`1\.`, `4.1`, `4.1.`, `(a)`, `a)`, `(iv)`, `IV.`,
/// `B.`, `Article 3`, `§ 4`): its kind, the number as a reader writes it, and the rest.
fn numbering(s: &str) -> Option<(Numbering, String, &str)> {
    // What a number can start with: a digit, `(`, a capital (`IV.`, `B.`, `Article`), `§`.
    let first = *s.as_bytes().first()?;
    if !(first.is_ascii_digit() || first == b'(' || first.is_ascii_alphabetic() || first >= 0x80) {
        return None;
    }
    // A word that starts a line is no number unless it is short and ends as one (`IV.`,
    // `B.`, `a)`) or names one (`Article`, `Section`…): most lines stop here.
    if first.is_ascii_alphabetic() {
        let word = s
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b >= 0x80)
            .count();
        let numbering_word = matches!(first.to_ascii_lowercase(), b'a' | b's' | b'c' | b'p' | b't')
            && (4..=9).contains(&word);
        let marked = word <= 6 && matches!(s.as_bytes().get(word), Some(b'.' | b')'));
        if !(numbering_word || marked) {
            return None;
        }
    }
    let end = s.find(char::is_whitespace)?;
    let (tok, rest) = (&s[..end], s[end..].trim_start());
    if rest.is_empty() {
        return None;
    }
    let plain: std::borrow::Cow<str> = if tok.contains('\\') {
        tok.replace('\\', "").into()
    } else {
        tok.into()
    };
    // Article 3 / Section 2: / § 4
    const WORDS: &[&str] = &[
        "article",
        "section",
        "clause",
        "chapter",
        "part",
        "chapitre",
        "titre",
        "artículo",
        "articolo",
        "artikel",
        "§",
    ];
    if WORDS.iter().any(|w| plain.eq_ignore_ascii_case(w)) {
        let (num, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let core = num.trim_end_matches(['.', ':', '-', '–', '—', ')']);
        let numeric = !core.is_empty()
            && core.chars().all(|c| c.is_ascii_digit() || c == '.')
            && core.starts_with(|c: char| c.is_ascii_digit());
        let roman =
            !core.is_empty() && core.len() <= 6 && core.chars().all(|c| "IVXLC".contains(c));
        if numeric || roman {
            let after = after.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '.')
            });
            return Some((Numbering::Article, format!("{plain} {core}"), after));
        }
        return None;
    }
    // (a) (iv) a) iv)
    if let Some(core) = plain
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .or_else(|| plain.strip_suffix(')'))
    {
        if core.len() <= 4 && !core.is_empty() && core.chars().all(|c| "ivxl".contains(c)) {
            return Some((Numbering::LowerRoman, plain.into_owned(), rest));
        }
        if core.len() == 1 && core.chars().all(|c| c.is_ascii_lowercase()) {
            return Some((Numbering::LowerLetter, plain.into_owned(), rest));
        }
        if !core.is_empty() && core.len() <= 3 && core.chars().all(|c| c.is_ascii_digit()) {
            return Some((Numbering::Decimal(1), plain.into_owned(), rest));
        }
        return None;
    }
    // 1. 4.1 4.1.
    let core = plain.strip_suffix('.').unwrap_or(&plain);
    let parts = core.split('.').count();
    if first.is_ascii_digit()
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
        && parts <= 6
        // "2024 changes" is a year; "1 Introduction" without a mark is not numbered.
        && (parts > 1 || plain.ends_with('.'))
    {
        return Some((Numbering::Decimal(parts as u8), plain.into_owned(), rest));
    }
    // IV. B.
    if let Some(core) = plain.strip_suffix('.') {
        if !core.is_empty() && core.len() <= 6 && core.chars().all(|c| "IVXLC".contains(c)) {
            return Some((Numbering::UpperRoman, plain.into_owned(), rest));
        }
        if core.len() == 1 && core.chars().all(|c| c.is_ascii_uppercase()) {
            return Some((Numbering::UpperLetter, plain.into_owned(), rest));
        }
    }
    None
}

/// `s` wholly in bold (`**x**` or `__x__`): the text inside.
fn whole_bold(s: &str) -> Option<&str> {
    for mark in ["**", "__"] {
        if let Some(inner) = s.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.is_empty()
            && !inner.contains(mark)
            && !inner.starts_with(char::is_whitespace)
            && !inner.ends_with(char::is_whitespace)
        {
            return Some(inner);
        }
    }
    None
}

/// `s` starting in bold and running on (`**Fees**. All fees…`, `**Fees.** All fees…`): the
/// bold text and the byte length of the title (the bold and the mark after it).
fn bold_run_in(s: &str) -> Option<(&str, usize)> {
    let mark = ["**", "__"].into_iter().find(|m| s.starts_with(m))?;
    let close = s[2..].find(mark)? + 2;
    let inner = &s[2..close];
    let after = &s[close + 2..];
    let stop = |c: char| matches!(c, '.' | ':' | '-' | '–' | '—');
    let inner_stopped = inner.ends_with(['.', ':']);
    let trailing = after.len() - after.trim_start_matches(stop).len();
    let rest = &after[trailing..];
    let spaced = rest.starts_with(char::is_whitespace) || (trailing == 0 && rest.is_empty());
    let (inner, title_len) = if inner_stopped && trailing == 0 && spaced {
        (inner.trim_end_matches(['.', ':']), close + 2)
    } else if trailing > 0 && rest.starts_with(' ') {
        (inner, close + 2 + trailing)
    } else if let Some(dash) = [" - ", " – ", " — "]
        .iter()
        .find(|d| after.starts_with(**d))
    {
        (inner, close + 2 + dash.len() - 1)
    } else {
        return None;
    };
    let body = s[title_len..].trim();
    (!inner.is_empty() && !body.is_empty()).then_some((inner, title_len))
}

/// Text without Markdown escapes and emphasis markers, spaces collapsed.
fn reader_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {
                out.push(chars.next().unwrap_or('\\'))
            }
            '*' => {}
            '_' if out.is_empty()
                || out.ends_with(' ')
                || chars.peek().is_none_or(|n| !n.is_alphanumeric()) => {}
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` (a title's words, without numbering) is short, starts with a capital (or
/// a digit or quote mark), holds no link, code or second sentence, and is not a remark's label.
fn title_like(text: &str, max_words: usize) -> bool {
    let first = text.chars().next();
    let mut words = text.split_whitespace();
    first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && words.nth(max_words).is_none()
        && text.chars().count() <= MAX_CHARS
        && !text.contains(['[', ']', '`', '<', '>', '|'])
        && !text.contains("http")
        && !text.contains(". ")
        && !text.contains("; ")
        // Labels are a word or two.
        && (text.len() > 16 || !LABELS.contains(&super::heading_key(text).as_str()))
}

/// Whether a run-in phrase has the verbs of a sentence (`Partner shall keep Match Data
/// secret`) rather than being a clause's title (`Registration`, `Age requirements`).
fn reads_as_sentence(text: &str) -> bool {
    const VERBS: &[&str] = &[
        "shall", "will", "may", "must", "can", "cannot", "should", "would", "is", "are", "was",
        "were", "be", "has", "have", "agree", "agrees", "doit", "peut", "sont", "est", "sera",
        "seront", "wird", "ist", "sind",
    ];
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .any(|w| VERBS.contains(&w.as_str()))
}

/// Whether all letters of `text` are capitals (at least three of them).
fn in_capitals(text: &str) -> bool {
    let mut letters = 0;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 3
}

/// Whether every word of four letters or more starts with a capital: a title, not a sentence.
fn title_case(text: &str) -> bool {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 4)
        .all(|w| w.starts_with(|c: char| c.is_uppercase()))
}

/// Whether a title (numbered, not bold) ends as a title may: not with a comma, semicolon
/// or colon; with a full stop only when short and in title case.
fn ends_as_title(text: &str) -> bool {
    if text.ends_with([',', ';', ':']) {
        return false;
    }
    if text.ends_with('.') {
        return text.split_whitespace().count() <= MAX_STOPPED_WORDS && title_case(text);
    }
    true
}

/// The title a line starts with, if it has one (its heading relative to the line).
/// `shown`: the number a reader sees on the line's list item, if it is one.
fn title(line: &str, markdown: bool, shown: Option<u32>) -> Option<Candidate> {
    let trimmed = line.trim_end();
    let lead = trimmed.len() - trimmed.trim_start().len();
    let mut s = &trimmed[lead..];
    if s.starts_with(['>', '|', '#']) {
        return None;
    }
    // List markers: each one a level of nesting; the last number is the title's.
    let mut inner_items = 0u8;
    let mut list_number: Option<u32> = None;
    if markdown {
        while let Some((number, rest)) = list_marker(s) {
            match number {
                Some(n) => list_number = Some(n),
                None => return None, // bulleted items are lists of things, not clauses
            }
            if !rest.is_empty() && list_marker(rest).is_some() {
                inner_items = inner_items.saturating_add(1);
            }
            s = rest;
        }
    }
    let nesting = ((indent_of(line) / 4).min(16) as u8).saturating_add(inner_items);
    // The item's number as shown (the last one's as written, when items open inside items
    // on one line).
    let list_number = if inner_items == 0 {
        shown.or(list_number)
    } else {
        list_number
    };
    let mut number: Option<(Numbering, String)> =
        list_number.map(|n| (Numbering::Decimal(1), format!("{n}.")));
    // A number in the text (`1\.`, `4.1`, `(a)`) outside or inside the bold.
    if number.is_none()
        && let Some((k, n, rest)) = numbering(s)
    {
        number = Some((k, n));
        s = rest;
    }
    let title_start = trimmed.len() - s.len();
    let shape = Shape {
        nesting,
        title_start,
    };
    if markdown {
        if let Some(inner) = whole_bold(s) {
            // **Title** or **1. Title**
            let mut inner_text = inner;
            if number.is_none()
                && let Some((k, n, rest)) = numbering(inner)
            {
                number = Some((k, n));
                inner_text = rest;
            }
            let text = reader_text(inner_text);
            let ok = title_like(&text, MAX_WORDS)
                && !text.starts_with(['"', '“', '«', '\''])
                && if number.is_some() {
                    ends_as_title(&text) || text.ends_with('.')
                } else {
                    !text.ends_with(['.', ',', ';', ':'])
                };
            return ok.then(|| shape.candidate(number, text, Numbering::Bold, true, None));
        }
        if number.is_some()
            && let Some((inner, len)) = bold_run_in(s)
        {
            // 2. **Fees**. All fees…
            let text = reader_text(inner);
            let ok = title_like(&text, MAX_RUN_IN_WORDS)
                && !text.starts_with(['"', '“', '«', '\''])
                && !text.ends_with(',');
            return ok.then(|| shape.candidate(number, text, Numbering::Bold, true, Some(len)));
        }
    }
    // Bold inside the line: a sentence with emphasis, not a title (looked for last: the
    // whole line is read).
    let bold_inside = || markdown && (s.contains("**") || s.contains("__"));
    // Most lines are a paragraph's first line: turned away before any copy is made.
    let short = s.len() <= 3 * MAX_CHARS;
    if let Some((numbering, _)) = &number {
        let numbering = *numbering;
        if bold_inside() {
            return None;
        }
        if short && s.split_whitespace().nth(MAX_WORDS).is_none() {
            let text = reader_text(s);
            if title_like(&text, MAX_WORDS - 2) && ends_as_title(&text) {
                return Some(shape.candidate(number, text, numbering, false, None));
            }
        }
        // 1.2 Registration. When you…: a title running into the clause, after a number
        // of two levels or more.
        if matches!(numbering, Numbering::Decimal(d) if d >= 2) || numbering == Numbering::Article {
            let head = &s[..(0..=s.len().min(3 * MAX_CHARS))
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0)];
            let stop = head.find(". ")?;
            let after = s[stop + 2..].trim_start();
            let t = reader_text(&s[..stop]);
            if title_like(&t, MAX_RUN_IN_WORDS)
                && !t.ends_with([',', ':', ';'])
                && !reads_as_sentence(&t)
                && after.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“')
            {
                return Some(shape.candidate(number, t, numbering, false, Some(stop + 1)));
            }
        }
        return None;
    }
    // A line in capitals.
    if !short || s.bytes().any(|b| b.is_ascii_lowercase()) || bold_inside() {
        return None;
    }
    let text = reader_text(s);
    (title_like(&text, MAX_WORDS - 2)
        && in_capitals(&text)
        && !text.contains(|c: char| c.is_ascii_digit())
        && !text.ends_with(['.', ',', ';', ':'])
        && !text.contains('.'))
    .then(|| shape.candidate(None, text, Numbering::Capitals, false, None))
}

/// Where a title stands on its line.
struct Shape {
    nesting: u8,
    /// Byte offset of the title's words (after indentation, list markers and numbering).
    title_start: usize,
}

impl Shape {
    /// A candidate titled `number` + `text`; `run_in_len`: the title's length from
    /// `title_start` when text follows it on the line.
    fn candidate(
        &self,
        number: Option<(Numbering, String)>,
        text: String,
        fallback: Numbering,
        bold: bool,
        run_in_len: Option<usize>,
    ) -> Candidate {
        let (numbering, heading) = match number {
            Some((k, n)) if !text.is_empty() => (k, format!("{n} {text}")),
            Some((k, n)) => (k, n),
            None => (fallback, text),
        };
        Candidate {
            heading: Heading {
                start: 0,
                end: run_in_len.map_or(0, |len| self.title_start + len),
                level: 0,
                text: heading,
            },
            kind: Kind {
                numbering,
                nesting: self.nesting,
                bold,
            },
            run_in: run_in_len.is_some(),
            line: 0,
        }
    }
}

/// The candidates that title a clause: followed by text, not one of a run of titles of one
/// kind with nothing between them (a table of contents, a list of ordinary items).
fn followed_by_text(lines: &[Line], candidates: Vec<Candidate>) -> Vec<(Heading, Kind)> {
    let n = candidates.len();
    // For each candidate: the next non-blank line after it holds text (not a candidate).
    let mut has_text = vec![false; n];
    let mut next_same_kind = vec![false; n];
    for i in 0..n {
        let c = &candidates[i];
        if c.run_in {
            has_text[i] = true;
            continue;
        }
        let next_line = (c.line + 1..lines.len()).find(|&j| !is_blank(lines[j].text));
        let Some(j) = next_line else { continue };
        // A title line runs on into a paragraph when the next line follows without a blank.
        let runs_on = j == c.line + 1 && !starts_block(lines[j].text);
        if runs_on {
            continue;
        }
        match candidates.get(i + 1).filter(|d| d.line == j) {
            Some(d) => next_same_kind[i] = d.kind == c.kind,
            None => has_text[i] = true,
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        // A run of titles of one kind with nothing between them: none is a title.
        // A run of titles of one kind with nothing between them: none is a title. The run
        // ends before a title it began with (a table of contents, then the clauses it lists).
        let mut j = i;
        if next_same_kind[i] {
            let first = super::heading_key(&candidates[i].heading.text);
            while j < n
                && next_same_kind[j]
                && super::heading_key(&candidates[j + 1].heading.text) != first
            {
                j += 1;
            }
        }
        if j > i {
            i = j + 1;
            continue;
        }
        let c = &candidates[i];
        if has_text[i] || candidates.get(i + 1).is_some_and(|d| deeper(d, c)) {
            out.push((c.heading.clone(), c.kind));
        }
        i += 1;
    }
    out
}

/// Whether a candidate that follows another at once may be its first clause (a deeper
/// number or a nested list), which leaves the first one a title with no text of its own.
fn deeper(d: &Candidate, c: &Candidate) -> bool {
    d.kind.nesting > c.kind.nesting
        || matches!((d.kind.numbering, c.kind.numbering), (Numbering::Decimal(a), Numbering::Decimal(b)) if a > b)
        || (c.kind.numbering != d.kind.numbering
            && matches!(
                c.kind.numbering,
                Numbering::Bold | Numbering::Capitals | Numbering::Article | Numbering::UpperRoman
            ))
}

/// Whether a line starts a block of its own (a list item, a quote, a heading, a table row).
fn starts_block(text: &str) -> bool {
    let t = text.trim_start();
    list_marker(t).is_some() || t.starts_with(['>', '#', '|'])
}

/// `heads` and the clause titles in text order. A clause's level is one below the heading
/// over it for the first kind of title under that heading, one more for each new kind (an
/// outline stack of kinds, started afresh under each heading), at most 6.
fn merge(heads: Vec<Heading>, clauses: Vec<(Heading, Kind)>) -> Vec<Heading> {
    let mut out = Vec::with_capacity(heads.len() + clauses.len());
    let mut clauses = clauses.into_iter().peekable();
    let mut base = 0u8;
    let mut stack: Vec<Kind> = Vec::new();
    let push_clause = |out: &mut Vec<Heading>,
                       (mut c, kind): (Heading, Kind),
                       base: u8,
                       stack: &mut Vec<Kind>| {
        match stack.iter().position(|k| *k == kind) {
            Some(p) => stack.truncate(p + 1),
            None => stack.push(kind),
        }
        c.level = (usize::from(base) + stack.len()).min(6) as u8;
        out.push(c);
    };
    for h in heads {
        while let Some(c) = clauses.next_if(|(c, _)| c.start < h.start) {
            push_clause(&mut out, c, base, &mut stack);
        }
        base = h.level;
        stack.clear();
        out.push(h);
    }
    for c in clauses {
        push_clause(&mut out, c, base, &mut stack);
    }
    out
}

/// The column a heading line's text starts at when the line is a list item (its indentation
/// and markers), else its indentation: how far the clause's own lines are indented.
pub(crate) fn content_column(head: &str) -> usize {
    let line = head.lines().next().unwrap_or("");
    let mut s = line.trim_start();
    let mut column = indent_of(line);
    while let Some((_, rest)) = list_marker(s) {
        column += s.len() - rest.len();
        s = rest;
    }
    column
}

#[cfg(test)]
mod tests {
    use crate::document::{Format, ParseOptions, parse};

    fn outline(text: &str, format: Format) -> Vec<(String, u8)> {
        let doc = parse(text, format, ParseOptions::default());
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined.trim_start(), text.trim_start(), "lossless");
        doc.sections
            .iter()
            .map(|s| (s.heading.clone(), s.level))
            .collect()
    }

    fn md(text: &str) -> Vec<(String, u8)> {
        outline(text, Format::Markdown)
    }

    fn owned(list: &[(&str, u8)]) -> Vec<(String, u8)> {
        list.iter().map(|(h, l)| (h.to_string(), *l)).collect()
    }

    #[test]
    fn numbered_bold_list_items_with_nested_run_in_clauses() {
        let text = "Welcome to the service.\n\n1.  **TERM, FEES AND PAYMENT**\n\n    1.  **Term**. This agreement lasts one year.\n    2.  **Fees and Payment**. All fees are due in advance.\n\n2.  **CONFIDENTIALITY**\n\n    Each party keeps the other's secrets.\n";
        assert_eq!(
            md(text),
            owned(&[
                ("", 0),
                ("1. TERM, FEES AND PAYMENT", 1),
                ("1. Term", 2),
                ("2. Fees and Payment", 2),
                ("2. CONFIDENTIALITY", 1),
            ])
        );
        let doc = parse(text, Format::Markdown, ParseOptions::default());
        let fees = &doc.sections[3];
        assert_eq!(fees.body(), "All fees are due in advance.");
        assert_eq!(fees.body_indent(), 8);
        assert_eq!(
            doc.sections[4].body(),
            "Each party keeps the other's secrets."
        );
    }

    #[test]
    fn bold_lines_of_their_own_under_a_heading() {
        let text = "# Privacy\n\nIntro.\n\n**1\\. Introduction**\n\nWe explain.\n\n**I. How We Use Data**\n\nTo serve you.\n\n**Payment service providers**\n\nThey process payments.\n";
        assert_eq!(
            md(text),
            owned(&[
                ("Privacy", 1),
                ("1. Introduction", 2),
                ("I. How We Use Data", 3),
                ("Payment service providers", 4),
            ])
        );
    }

    #[test]
    fn what_is_not_a_clause_title() {
        for text in [
            // bold words inside a paragraph, and a bold start running on
            "We **never** sell your data.\n\n**Bold start**\nof a paragraph that runs on.\n",
            // a bold sentence
            "**We have updated our terms. Please read them.**\n\nText follows.\n",
            "**Our brand belongs to Example Corp.**\n\nText follows.\n",
            // a remark's label
            "**Note**\n\nThis is a note.\n\n**Important:**\n\nThis matters.\n",
            // a list of ordinary items
            "We collect:\n\n1. Your Name\n2. Your Email\n3. Your Phone\n\nWe keep them safe.\n",
            // numbered sentences
            "1. You must be 18 years old to sign up.\n\nMore text here.\n",
            // a bold definition in a list
            "1. **\"Account\"** means your account with us.\n2. **\"Service\"** means the site.\n",
            // bulleted bold items
            "* **Name**\n\n  Your name.\n",
            // a title with nothing after it
            "Text.\n\n**Lonely Title**\n",
            // capitals that are a sentence
            "A LOAN COMMITS YOU.CHECK YOUR MEANS BEFORE BORROWING.\n\nText.\n",
            // inside code
            "```\n**1. Code**\n\ntext\n```\n",
            // inside an HTML comment or <pre>, across blank lines
            "Text.\n\n<!--\nDraft:\n\n**Data Sales**\n\nWe may sell.\n\n-->\n\nWe delete it.\n",
            "Text.\n\n<pre>\n\n1\\. Sample Title\n\nsample\n\n</pre>\n\nMore.\n",
        ] {
            assert_eq!(md(text).iter().filter(|(_, l)| *l > 0).count(), 0, "{text}");
        }
    }

    #[test]
    fn indented_backticks_are_code_not_a_fence() {
        let text = "Text.\n\n    ```\n\n**Real Title**\n\nBody here.\n";
        assert_eq!(md(text), owned(&[("", 0), ("Real Title", 1)]));
    }

    #[test]
    fn a_table_of_contents_is_not_a_run_of_clauses() {
        let text = "1. Introduction\n2. Your Data\n3. Cookies\n\n1. Introduction\n\nWe explain.\n\n2. Your Data\n\nWe collect it.\n\n3. Cookies\n\nWe use them.\n";
        assert_eq!(
            md(text),
            owned(&[
                ("", 0),
                ("1. Introduction", 1),
                ("2. Your Data", 1),
                ("3. Cookies", 1),
            ])
        );
    }

    #[test]
    fn numbered_paragraphs_with_run_in_titles() {
        let text = "1. Your Use of the Service\n\n1.1 Age requirements. You must be 16.\n\n1.2 Registration. When you sign up, tell the truth.\n\n2\\. Content\n\nYou own it.\n\nSITES WEB\n\nOur sites.\n";
        assert_eq!(
            md(text),
            owned(&[
                ("1. Your Use of the Service", 1),
                ("1.1 Age requirements", 2),
                ("1.2 Registration", 2),
                ("2. Content", 1),
                ("SITES WEB", 2),
            ])
        );
        let doc = parse(text, Format::Markdown, ParseOptions::default());
        assert_eq!(doc.sections[2].body(), "When you sign up, tell the truth.");
    }

    #[test]
    fn plain_text_letters_and_run_in_clauses() {
        let text = "TERMS\n\n1. FEES\n\nYou pay.\n\n1.1 Refunds. We refund within 30 days.\n\n(a) Exceptions\n\nGift cards are final.\n";
        assert_eq!(
            outline(text, Format::Plain),
            owned(&[
                ("TERMS", 1),
                ("1. FEES", 1),
                ("1.1 Refunds", 2),
                ("(a) Exceptions", 3),
            ])
        );
    }
}
