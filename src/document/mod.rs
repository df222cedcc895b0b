//! Text → [`Document`]: a policy split into sections, with its title and dates.
//!
//! Markdown (`.md`, `.markdown`) is split at ATX and Setext headings; anything else is read
//! as plain text and split at heading-like lines (numbered, `Section 4 —`, short ALL CAPS).
//! In both, clause titles written without headings (numbered bold list items, bold lines,
//! numbered lines, run-in titles: see the `clause` module) start sections too. Text before
//! the first heading becomes a section with the empty heading `""`. YAML front matter is
//! metadata, not a section.

mod clause;
pub mod date;
mod date_words;
mod markdown;
mod plain;
pub(crate) mod text;

pub use date::{DateOrder, DateSpan, Language, PolicyDate};
use std::sync::Arc;
pub use text::Shingles;

/// A policy text split into sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The title: front matter `title`, else the first level-1 heading.
    pub title: Option<String>,
    /// Sections in file order; together they cover the file except its front matter.
    pub sections: Vec<Section>,
    /// The date a reader would cite as the last change (falls back to the effective date).
    pub modified: Option<PolicyDate>,
    /// The date under an "effective" label, when there is one.
    pub effective: Option<PolicyDate>,
    /// The language its dates are written in (configured, or as its date labels tell).
    pub language: Option<Language>,
    /// Where the modification date stands in the text given to [`parse`] (byte offsets of its
    /// label and of the date), when it was read from the body rather than front matter.
    pub modified_at: Option<date::DateSpan>,
}

/// One section: its heading line and the body up to the next heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading as a reader sees it, without Markdown markers; `""` for the preamble.
    pub heading: String,
    /// Heading level, 1 (top) to 6; 0 for the preamble.
    pub level: u8,
    /// Heading line(s) and body, exactly as in the file (a view of the document's text).
    pub text: SharedText,
    /// Byte length of the heading line(s) at the start of `text` (0 for the preamble).
    pub heading_len: usize,
    /// The heading of the enclosing section (nearest earlier section with a lower level).
    pub parent: Option<String>,
    /// [`heading_key`] of the heading, computed once: sections are matched by it.
    pub key: String,
    /// [`heading_key`] of the enclosing section's heading; empty at the top level.
    pub parent_key: String,
    /// The body's fingerprint, computed when first needed ([`Section::body_shingles`]).
    pub shingles: Shingles,
}

impl Section {
    /// The text after the heading, without surrounding whitespace.
    pub fn body(&self) -> &str {
        self.text[self.heading_len..].trim()
    }

    /// Columns of indentation the body's lines carry because the heading is a clause title in
    /// a list item (`    2.  **Fees**`): the column its text starts at. 0 for other headings.
    pub fn body_indent(&self) -> usize {
        if self.level == 0 {
            return 0;
        }
        clause::content_column(&self.text[..self.heading_len])
    }

    /// Sorted, deduplicated hashes of the body's consecutive word pairs (words compared
    /// without the punctuation around them), computed once.
    pub fn body_shingles(&self) -> &[u64] {
        self.shingles.get_or_compute(&self.text[self.heading_len..])
    }
}

/// A slice of a document's text that shares the text instead of copying it: all sections of
/// a document point into one allocation. Reads as a `&str`.
#[derive(Clone)]
pub struct SharedText {
    source: Arc<String>,
    start: usize,
    end: usize,
}

impl SharedText {
    /// `source[range]`.
    pub fn new(source: Arc<String>, range: std::ops::Range<usize>) -> SharedText {
        assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
        SharedText {
            source,
            start: range.start,
            end: range.end,
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.source[self.start..self.end]
    }

    /// Where this text starts in the document's whole text.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The document's whole text, front matter included.
    pub fn whole(&self) -> &str {
        &self.source
    }

    /// A part of this text (`range` relative to it), sharing it.
    pub fn slice(&self, range: std::ops::Range<usize>) -> SharedText {
        SharedText::new(
            self.source.clone(),
            self.start + range.start..self.start + range.end,
        )
    }

    /// Appends `more`: in place when it continues this text in the same source, else by
    /// copying both into a new text.
    pub fn push(&mut self, more: &SharedText) {
        if Arc::ptr_eq(&self.source, &more.source) && more.start == self.end {
            self.end = more.end;
        } else {
            self.push_str(more);
        }
    }

    /// Appends `more` (a copy, unless this text is the sole owner of all of its source).
    pub fn push_str(&mut self, more: &str) {
        let whole = self.start == 0 && self.end == self.source.len();
        match Arc::get_mut(&mut self.source).filter(|_| whole) {
            Some(text) => {
                text.push_str(more);
                self.end = text.len();
            }
            None => *self = SharedText::from(format!("{}{more}", self.as_str())),
        }
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        let end = text.len();
        SharedText {
            source: Arc::new(text),
            start: 0,
            end,
        }
    }
}

impl serde::Serialize for SharedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> SharedText {
        SharedText::new(Arc::new(text.to_string()), 0..text.len())
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedText {}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How a text is split into sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CommonMark headings (ATX `#` and Setext underlines).
    Markdown,
    /// Heading-like lines in plain text.
    Plain,
}

impl Format {
    /// Chooses the format from a file name: `.md`/`.markdown`/`.mdown` are Markdown.
    pub fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if [".md", ".markdown", ".mdown", ".mkd"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            Format::Markdown
        } else {
            Format::Plain
        }
    }
}

/// Options for reading a document.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// How to read ambiguous numeric dates such as `01/02/2013`; `None`: as the document
    /// decides (another of its dates, or the language of its labels), else unread.
    pub date_order: Option<DateOrder>,
    /// The document's language (dates are written in it); `None`: as its labels tell.
    pub language: Option<Language>,
}

/// Splits `text` into a [`Document`].
///
/// ```
/// use policy_diff::document::{parse, Format, ParseOptions};
/// let doc = parse("# Privacy\n\nUpdated May 5, 2024\n\n## Cookies\n\nWe use them.\n",
///                 Format::Markdown, ParseOptions::default());
/// assert_eq!(doc.sections.len(), 2);
/// assert_eq!(doc.sections[1].heading, "Cookies");
/// assert_eq!(doc.modified.unwrap().to_string(), "2024-05-05");
/// ```
pub fn parse(text: &str, format: Format, options: ParseOptions) -> Document {
    parse_owned(text.to_string(), format, options)
}

/// Where a document's sections start in its text: after a byte-order mark and front matter.
/// The sections, joined, are the rest, but for blank lines before a first heading (a preamble
/// of whitespace only is not a section). For tests and fuzzing.
#[doc(hidden)]
pub fn body_offset(text: &str) -> usize {
    let bom = text.len() - text.strip_prefix('\u{feff}').unwrap_or(text).len();
    bom + front_matter(&text[bom..]).1
}

/// [`parse`] taking the text: sections share it rather than copying it.
pub fn parse_owned(text: String, format: Format, options: ParseOptions) -> Document {
    let source = Arc::new(text);
    let text = source.as_str();
    let bom = text.len() - text.strip_prefix('\u{feff}').unwrap_or(text).len();
    let text = &text[bom..];
    let (front, body_start) = front_matter(text);
    let body = &text[body_start..];
    let heads = match format {
        Format::Markdown => markdown::headings(body),
        Format::Plain => plain::headings(body),
    };
    let front_title = front
        .iter()
        .find(|(k, _)| k == "title")
        .map(|(_, v)| v.clone());
    // The title is a heading's: a clause title is not the document's.
    let title = front_title.or_else(|| heads.iter().find(|h| h.level == 1).map(|h| h.text.clone()));
    let spans: Vec<date::HeadingSpan> = heads
        .iter()
        .map(|h| date::HeadingSpan {
            start: h.start,
            end: h.end,
            level: h.level,
            text: &h.text,
        })
        .collect();
    let dates = date::find_dates(
        &front,
        body,
        &spans,
        date::DateOptions {
            order: options.date_order,
            language: options.language,
        },
    );
    drop(spans);
    // Clause titles are sections too; dates are read from the headings alone.
    let heads = clause::with_clauses(body, heads, format);
    let sections = split_sections(&source, bom + body_start, &heads);
    Document {
        title,
        sections,
        modified: dates.modified,
        effective: dates.effective,
        language: dates.language,
        modified_at: dates.modified_at.map(|span| date::DateSpan {
            label: span.label + bom + body_start,
            date: span.date.start + bom + body_start..span.date.end + bom + body_start,
        }),
    }
}

/// Compares the two Markdown heading readers (see the `markdown` module) on a document's
/// body (after front matter): `Ok(true)` when the line reader decided and agrees with the full
/// parser, `Ok(false)` when it declined, `Err` describing the first difference. For tests and
/// fuzzing.
#[doc(hidden)]
pub fn compare_heading_readers(text: &str) -> Result<bool, HeadingMismatch> {
    let body = &text[front_matter(text).1..];
    let Some(fast) = markdown::scan_headings(body) else {
        return Ok(false);
    };
    let full = markdown::full_headings(body);
    let show = |h: &Heading| format!("{}..{} h{} {:?}", h.start, h.end, h.level, h.text);
    for i in 0..fast.len().max(full.len()) {
        let (a, b) = (fast.get(i), full.get(i));
        let same = match (a, b) {
            (Some(a), Some(b)) => {
                (a.start, a.end, a.level, &a.text) == (b.start, b.end, b.level, &b.text)
            }
            _ => false,
        };
        if !same {
            return Err(HeadingMismatch {
                index: i,
                line_reader: a.map(show),
                full_parser: b.map(show),
            });
        }
    }
    Ok(true)
}

/// The first heading on which the two Markdown heading readers disagree.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "heading {index}: line reader {}, full parser {}",
    line_reader.as_deref().unwrap_or("none"),
    full_parser.as_deref().unwrap_or("none")
)]
pub struct HeadingMismatch {
    /// The heading's position in document order.
    pub index: usize,
    /// What the line reader found there (start..end, level, text).
    pub line_reader: Option<String>,
    /// What the full parser found there.
    pub full_parser: Option<String>,
}

/// A heading found by a format reader: where its line starts in the body, its level and text.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub start: usize,
    /// Where the heading line(s) end, including the line break.
    pub end: usize,
    pub level: u8,
    pub text: String,
}

fn split_sections(source: &Arc<String>, offset: usize, heads: &[Heading]) -> Vec<Section> {
    let body = &source[offset..];
    let shared = |r: std::ops::Range<usize>| {
        SharedText::new(source.clone(), offset + r.start..offset + r.end)
    };
    let mut sections = Vec::with_capacity(heads.len() + 1);
    let first = heads.first().map_or(body.len(), |h| h.start);
    if !body[..first].trim().is_empty() {
        sections.push(Section {
            heading: String::new(),
            level: 0,
            text: shared(0..first),
            heading_len: 0,
            parent: None,
            key: String::new(),
            parent_key: String::new(),
            shingles: Shingles::default(),
        });
    }
    // Indices of the enclosing sections, for `parent`.
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map_or(body.len(), |n| n.start);
        while stack.last().is_some_and(|&s| sections[s].level >= h.level) {
            stack.pop();
        }
        let parent = stack.last().map(|&s| &sections[s]);
        sections.push(Section {
            heading: h.text.clone(),
            level: h.level,
            text: shared(h.start..end),
            heading_len: h.end.min(end) - h.start,
            parent: parent.map(|p| p.heading.clone()),
            key: heading_key(&h.text),
            parent_key: parent.map(|p| p.key.clone()).unwrap_or_default(),
            shingles: Shingles::default(),
        });
        stack.push(sections.len() - 1);
    }
    sections
}

fn front_matter(text: &str) -> (Vec<(String, String)>, usize) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), 0);
    };
    let open = text.len() - rest.len();
    let mut pos = open;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let pairs = text[open..pos]
                .lines()
                .filter(|l| !l.starts_with([' ', '\t', '-', '#']))
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), unquote(v.trim()).to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            return (pairs, pos + line.len());
        }
        pos += line.len();
    }
    (Vec::new(), 0)
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// Reduces a heading to the key sections are matched by: lower case, without numbering
/// (`2.`, `4.1`, `B.`, `IV.`, `§ 3`, `Section 4 —`, `Article 2:`) or punctuation.
pub fn heading_key(heading: &str) -> String {
    let rest = strip_numbering(heading.trim());
    let mut key = String::with_capacity(rest.len());
    // Words are runs of letters and digits; apostrophes inside them are dropped ("it's" and
    // "its" are one word to a reader skimming headings); anything else separates words.
    let mut gap = false;
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()) {
            if gap && !key.is_empty() {
                key.push(' ');
            }
            gap = false;
            if c.is_ascii() {
                key.push(c.to_ascii_lowercase());
            } else {
                key.extend(c.to_lowercase());
            }
        } else if !is_apostrophe(c) {
            gap = true;
        }
    }
    key
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘')
}

/// Removes a leading section number from a heading, if it has one.
pub fn strip_numbering(heading: &str) -> &str {
    let mut s = heading.trim_start();
    // "Section 4 —", "Article IV:", "Clause 2."
    for word in ["section", "article", "clause", "part", "chapter"] {
        if let (Some(head), Some(tail)) = (s.get(..word.len()), s.get(word.len()..))
            && head.eq_ignore_ascii_case(word)
            && tail.starts_with([' ', '\u{a0}'])
        {
            let after = tail.trim_start();
            if let Some(rest) = number_token(after) {
                s = rest;
                break;
            }
        }
    }
    let s = s.trim_start_matches(['§', ' ', '\u{a0}']);
    let s = number_token(s).or_else(|| glued_number(s)).unwrap_or(s);
    s.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '.' | ')')
    })
}

/// If `s` starts with a number glued to its heading by a separator (`1.Services`,
/// `2)Fees`, `1、Overview`, `3．Cookies`), returns the heading.
fn glued_number(s: &str) -> Option<&str> {
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &s[digits..];
    let sep = rest.chars().next()?;
    if !matches!(sep, '.' | ')' | '、' | '．' | '：' | ':' | '，') {
        return None;
    }
    let rest = &rest[sep.len_utf8()..];
    rest.chars()
        .next()
        .is_some_and(char::is_alphabetic)
        .then_some(rest)
}

/// If `s` starts with a number token (`4`, `4.1.`, `B.`, `IV.`, `(a)`), returns the rest.
fn number_token(s: &str) -> Option<&str> {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let (tok, rest) = s.split_at(end);
    let core = tok
        .trim_start_matches('(')
        .trim_end_matches([')', '.', ':', '-', '–', '—']);
    if core.is_empty() {
        return None;
    }
    let numeric = core
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        // "2024 changes" starts with a year, not a section number.
        && (tok.len() > core.len() || core.len() <= 3 || core.contains('.'));
    let letter = core.len() == 1
        && core.chars().all(|c| c.is_ascii_alphabetic())
        && tok.len() > 1
        && !rest.trim().is_empty();
    let roman =
        core.len() <= 6 && core.chars().all(|c| "IVXLC".contains(c)) && tok.len() > core.len();
    // A bare number is a section number only when something follows it.
    (numeric || letter || roman).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Document {
        parse(text, Format::Markdown, ParseOptions::default())
    }

    #[test]
    fn heading_mismatch_says_what_each_reader_found() {
        let m = HeadingMismatch {
            index: 2,
            line_reader: Some("10..20 h2 \"Data\"".into()),
            full_parser: None,
        };
        assert_eq!(
            m.to_string(),
            "heading 2: line reader 10..20 h2 \"Data\", full parser none"
        );
        assert_eq!(
            compare_heading_readers("# Title\n\n## Data\n\nText.\n"),
            Ok(true)
        );
    }

    #[test]
    fn atx_and_setext_headings() {
        let doc = md(
            "Intro line.\n\nTitle\n=====\n\nBody.\n\n## Second *part*\n\nMore.\n\nThird\n-----\nText\n",
        );
        let heads: Vec<_> = doc
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.level))
            .collect();
        assert_eq!(
            heads,
            [("", 0), ("Title", 1), ("Second part", 2), ("Third", 2)]
        );
        assert_eq!(doc.sections[1].text, "Title\n=====\n\nBody.\n\n");
        assert_eq!(doc.sections[1].heading_len, "Title\n=====\n".len());
        assert_eq!(doc.sections[2].heading_len, "## Second *part*\n".len());
        assert_eq!(doc.sections[2].parent.as_deref(), Some("Title"));
        assert_eq!(doc.title.as_deref(), Some("Title"));
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            joined,
            "Intro line.\n\nTitle\n=====\n\nBody.\n\n## Second *part*\n\nMore.\n\nThird\n-----\nText\n"
        );
    }

    #[test]
    fn headings_in_code_and_quotes_are_not_sections() {
        let doc = md("# A\n\n```\n# not a heading\n```\n\n> # quoted\n\n    # indented code\n");
        assert_eq!(doc.sections.len(), 1);
    }

    #[test]
    fn sections_are_views_of_the_text_after_bom_and_front_matter() {
        let text = "\u{feff}---\ntitle: T\n---\nIntro é.\n\n## Ünïcode\n\nBody\n";
        let doc = parse_owned(text.to_string(), Format::Markdown, ParseOptions::default());
        assert_eq!(doc.sections[0].text, "Intro é.\n\n");
        assert_eq!(doc.sections[1].text, "## Ünïcode\n\nBody\n");
        assert_eq!(doc, md(text));
    }

    #[test]
    fn front_matter_is_metadata() {
        let doc = md(
            "---\ntitle: \"Acme Terms\"\nlast_updated: 2021-06-30\nredirect_from:\n  - /x\n---\n\nHello.\n\n## One\n\nBody\n",
        );
        assert_eq!(doc.title.as_deref(), Some("Acme Terms"));
        assert_eq!(doc.modified.unwrap().to_string(), "2021-06-30");
        assert_eq!(doc.sections[0].heading, "");
        assert_eq!(doc.sections[0].text, "\nHello.\n\n");
    }

    #[test]
    fn heading_ending_in_a_multibyte_character() {
        // A heading whose last character is multi-byte (here a BOM inside the text).
        let doc = md("> x\n\n## a\u{feff}");
        assert_eq!(
            doc.sections.last().unwrap().heading_len,
            "## a\u{feff}".len()
        );
        let doc = md("> x\n\n## a\u{feff}\n\nbody\n");
        assert_eq!(
            doc.sections.last().unwrap().heading_len,
            "## a\u{feff}\n".len()
        );
    }

    #[test]
    fn whitespace_only_preamble_is_dropped() {
        let doc = md("\n\n# A\n\ntext\n");
        assert_eq!(doc.sections.len(), 1);
    }

    #[test]
    fn plain_text_headings() {
        let text = "ACME TERMS OF SERVICE\n\nWelcome to Acme.\n\n1. ACCEPTANCE\n\nBy using the service you agree.\n\n1. You must be 18. This is a long sentence about age.\n\nSection 4 - Fees and Payment\n\nPay on time.\n\n4.1 Refunds\n\nNone.\n";
        let doc = parse(text, Format::Plain, ParseOptions::default());
        let heads: Vec<_> = doc
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.level))
            .collect();
        assert_eq!(
            heads,
            [
                ("ACME TERMS OF SERVICE", 1),
                ("1. ACCEPTANCE", 1),
                ("Section 4 - Fees and Payment", 1),
                ("4.1 Refunds", 2)
            ]
        );
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text);
    }

    proptest::proptest! {
        /// The one-pass key is the key as first defined: words split at what is neither a
        /// letter, a digit nor an apostrophe, apostrophes dropped, words lowered.
        #[test]
        fn heading_key_is_its_definition(heading in "[a-zA-ZÉéß日0-9 '’.,:()§-]{0,30}") {
            let rest = strip_numbering(heading.trim());
            let words: Vec<String> = rest
                .split(|c: char| !c.is_alphanumeric() && !is_apostrophe(c))
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .map(|w| w.chars().filter(|&c| !is_apostrophe(c)).flat_map(char::to_lowercase).collect())
                .collect();
            proptest::prop_assert_eq!(heading_key(&heading), words.join(" "));
        }
    }

    #[test]
    fn heading_keys_ignore_numbering_case_and_punctuation() {
        for (a, b) in [
            ("2. YOUR ACCOUNT", "Your Account"),
            ("3) Your account", "your account"),
            ("§ 3 Fees", "fees"),
            ("Section 4 — Fees", "Fees"),
            ("IV. Liability", "liability"),
            ("B. Cookies?", "cookies"),
            ("4.1.2 Refunds", "refunds"),
            ("1.Services", "Services"),
            ("2)Fees", "Fees"),
            ("1、Overview:", "1. Overview:"),
            ("3．Cookies", "Cookies"),
            ("What it's for", "What its for"),
            ("Children’s data", "Childrens data"),
        ] {
            assert_eq!(heading_key(a), heading_key(b), "{a} vs {b}");
        }
        assert_eq!(heading_key("I agree"), "i agree");
        // Multi-byte characters where a prefix like "Section" would end.
        assert_eq!(
            heading_key("U.S.–Swiss Safe Harbor"),
            "u s swiss safe harbor"
        );
        assert_eq!(heading_key("Sectio€ 2"), "sectio 2");
        assert_eq!(heading_key("2024 changes"), "2024 changes");
        assert_eq!(heading_key("3.5mm jack"), "3 5mm jack");
        assert_eq!(heading_key("'Quoted' terms"), "quoted terms");
    }
}
