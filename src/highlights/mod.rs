//! [`DocumentDiff`] → [`Highlights`]: what changed, as a reader would say it — the
//! quantities whose value changed (`30 days` → `15 days`), the obligations that turned
//! (`do not sell` → `sell`, `may` → `must`), the sections added and removed, and the
//! sentences that changed, ranked for a summary.
//!
//! It reads the diff only (the word operations of each section) and is deterministic: the
//! same diff gives the same highlights. A section's changes are grouped into passages: the
//! sentences of the old version and of the new one that hold the changed words, paired.
//! A quantity or an obligation is reported only inside such a pair whose words are mostly
//! the same, so that a rewritten paragraph is shown as changed sentences, not as a list of
//! numbers that happen to differ.

pub mod obligation;
pub mod quantity;

use crate::diff::{DocumentDiff, OpKind, SectionDiff, Status, WordOp};
use crate::document::SharedText;
use obligation::Marker;
pub use quantity::QuantityKind;
use serde::Serialize;
use std::ops::Range;

/// How many highlights a summary shows of a policy before "and N more changes".
pub const SHOWN: usize = 5;

/// The share of a passage's words that must be the same in both versions for a number or
/// an obligation in it to count as changed in place.
const SAME_PASSAGE: f64 = 0.5;

/// The most words a line of dates keeps once its dates are taken out (labels, `and`…).
const DATE_LINE_WORDS: usize = 8;

/// The most words a run of changed words may have on either side to be read as an
/// obligation's turn.
const TURN_WORDS: usize = 4;

/// Words read on each side of a changed run to tell its obligation words (`ne … pas` spans
/// a verb and its pronouns).
const MARKER_CONTEXT: usize = 8;

/// Words kept on each side of a quantity or an obligation in the sentence that says it.
const STATEMENT_WORDS: usize = 12;

/// Words of unchanged text kept on each side of a change inside a long passage.
const CONTEXT_WORDS: usize = 14;

/// What a highlight says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HighlightKind {
    /// A quantity's value changed (see [`QuantityChange`]).
    Quantity,
    /// A negation was added or taken away, or a permission became an obligation (or the
    /// reverse).
    Obligation,
    /// A section was added.
    Added,
    /// A section was removed.
    Removed,
    /// A section was renamed.
    Renamed,
    /// Sentences changed.
    Changed,
}

/// One thing a reader is told changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Highlight {
    /// What it says.
    pub kind: HighlightKind,
    /// The section's heading in the old version (`""`: the preamble), if it was there.
    pub old_heading: Option<String>,
    /// The section's heading in the new version, if it is there.
    pub new_heading: Option<String>,
    /// For a quantity or an obligation: the words as the old version has them.
    pub old: Option<String>,
    /// For a quantity or an obligation: the words as the new version has them.
    pub new: Option<String>,
    /// The passage (one or more sentences) in the old version, if any: as a reader reads
    /// it (Markdown marks and link targets taken off, spaces collapsed, a long passage
    /// shortened around its changes with `…`).
    pub old_sentence: Option<String>,
    /// The passage in the new version, likewise.
    pub new_sentence: Option<String>,
    /// The passage with its changed words marked: equal and deleted ops give
    /// `old_sentence`, equal and inserted ops `new_sentence`.
    pub ops: Vec<WordOp>,
    /// The section's index in the document diff's `sections`.
    #[serde(skip)]
    pub section: usize,
    /// Words added and removed in the passage (what ranks changed sentences).
    #[serde(skip)]
    pub words: usize,
}

impl Highlight {
    /// The heading to name the section by: the new one, else the old one (`""`: the
    /// preamble).
    pub fn heading(&self) -> &str {
        self.new_heading
            .as_deref()
            .or(self.old_heading.as_deref())
            .unwrap_or("")
    }

    /// What changed, in plain words, for a reader: the new sentence with what it said
    /// before after the changed words (`… is 15 days (was 30 days) overdue.`), `section
    /// added`, `renamed from “Cookies”`, or a changed passage as `“new” (was “old”)`.
    pub fn statement(&self) -> String {
        let quote = |t: &str| format!("“{t}”");
        match self.kind {
            HighlightKind::Added => "section added".to_string(),
            HighlightKind::Removed => "section removed".to_string(),
            HighlightKind::Renamed => format!(
                "renamed from {}",
                quote(self.old_heading.as_deref().unwrap_or(""))
            ),
            HighlightKind::Quantity | HighlightKind::Obligation => {
                let (old, new) = (
                    self.old.as_deref().unwrap_or(""),
                    self.new.as_deref().unwrap_or(""),
                );
                let was = if self.kind == HighlightKind::Quantity {
                    format!(" (was {old})")
                } else {
                    format!(" (was {})", quote(old))
                };
                let sentence = self.new_sentence.as_deref().unwrap_or("");
                match self.place(sentence, new) {
                    Some(at) => {
                        // The words around the change, a dozen on each side.
                        let end = at + new.len();
                        let before = clip_start(&sentence[..at], STATEMENT_WORDS);
                        let after = clip_end(&sentence[end..], STATEMENT_WORDS);
                        format!("{before}{new}{was}{after}")
                    }
                    None if self.kind == HighlightKind::Quantity => {
                        format!("{new}{was}: {}", quote(sentence))
                    }
                    None => format!("{}{was}", quote(new)),
                }
            }
            HighlightKind::Changed => match (&self.old_sentence, &self.new_sentence) {
                (Some(old), Some(new)) => format!("now {} (was {})", quote(new), quote(old)),
                (None, Some(new)) => format!("added {}", quote(new)),
                (Some(old), None) => format!("removed {}", quote(old)),
                (None, None) => "changed".to_string(),
            },
        }
    }
}

impl Highlight {
    /// Where `phrase` stands in the new sentence: of its places (as a whole word), one among
    /// the changed words when there is one (`… 115 days, or 15 days …` for `15 days`).
    fn place(&self, sentence: &str, phrase: &str) -> Option<usize> {
        if phrase.is_empty() {
            return None;
        }
        // The inserted words' bytes in the new side as the ops give it, and how much of its
        // start the sentence trims.
        let mut new_side = String::new();
        let mut inserted = Vec::new();
        for op in &self.ops {
            let start = new_side.len();
            match op.op {
                OpKind::Equal => new_side.push_str(&op.text),
                OpKind::Insert => {
                    new_side.push_str(&op.text);
                    inserted.push(start..new_side.len());
                }
                // Where words were taken out is a change too (`we [-do not-] sell`).
                OpKind::Delete => inserted.push(start..start),
            }
        }
        let trimmed = new_side.len() - new_side.trim_start().len();
        let places: Vec<usize> = sentence
            .match_indices(phrase)
            .map(|(i, _)| i)
            .filter(|&i| !sentence[..i].ends_with(char::is_alphanumeric))
            .collect();
        let changed = |at: &usize| {
            let (a, b) = (at + trimmed, at + trimmed + phrase.len());
            inserted
                .iter()
                .any(|r| r.start < b && a < r.end || r.is_empty() && a <= r.start && r.start <= b)
        };
        places
            .iter()
            .copied()
            .find(changed)
            .or(places.first().copied())
    }
}

/// A quantity whose value changed, in a passage that is otherwise much the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantityChange {
    /// The shortest phrase holding the number and its unit or noun, as the old version
    /// writes it (`thirty (30) days`).
    pub old: String,
    /// The same in the new version (`15 days`).
    pub new: String,
    /// What it measures.
    pub kind: QuantityKind,
    /// See [`Highlight::old_heading`].
    pub old_heading: Option<String>,
    /// See [`Highlight::new_heading`].
    pub new_heading: Option<String>,
    /// See [`Highlight::old_sentence`].
    pub old_sentence: String,
    /// See [`Highlight::new_sentence`].
    pub new_sentence: String,
}

/// What changed in one document, ranked: quantities and obligations first (in document
/// order), then sections added, removed and renamed, then the other changed passages,
/// largest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Highlights {
    /// Every quantity whose value changed, in document order.
    pub quantities: Vec<QuantityChange>,
    /// Everything, ranked.
    pub highlights: Vec<Highlight>,
}

impl Highlights {
    /// The highlights a summary shows (at most `shown`), and how many more there are in how
    /// many other sections.
    pub fn top(&self, shown: usize) -> (&[Highlight], More) {
        let cut = shown.min(self.highlights.len());
        let rest = &self.highlights[cut..];
        let mut sections: Vec<usize> = rest.iter().map(|h| h.section).collect();
        sections.sort_unstable();
        sections.dedup();
        (
            &self.highlights[..cut],
            More {
                changes: rest.len(),
                sections: sections.len(),
            },
        )
    }

    /// True when there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.highlights.is_empty()
    }
}

/// What a summary leaves out: "and N more changes in M sections".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct More {
    /// Highlights not shown.
    pub changes: usize,
    /// Sections they are in.
    pub sections: usize,
}

impl More {
    /// `and 3 more changes in 2 sections`, or `None` when nothing is left out.
    pub fn sentence(&self) -> Option<String> {
        let s =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        (self.changes > 0).then(|| {
            format!(
                "and {} in {}",
                s(self.changes, "more change", "more changes"),
                s(self.sections, "section", "sections")
            )
        })
    }
}

/// The highlights of a document diff. A document added or removed as a whole has none (it
/// is new, or withdrawn); cosmetic changes and moves are none.
pub fn highlights(diff: &DocumentDiff) -> Highlights {
    let mut out = Highlights::default();
    if matches!(
        diff.status,
        Status::Added | Status::Removed | Status::Unchanged
    ) {
        return out;
    }
    let mut first = Vec::new();
    let mut sections = Vec::new();
    let mut changed = Vec::new();
    for (index, s) in diff.sections.iter().enumerate() {
        let headed = |kind: HighlightKind| Highlight {
            kind,
            old_heading: s.old_heading.clone(),
            new_heading: s.new_heading.clone(),
            old: None,
            new: None,
            old_sentence: None,
            new_sentence: None,
            ops: Vec::new(),
            section: index,
            words: s.words_added + s.words_removed,
        };
        match s.status {
            Status::Added if !s.heading_added => sections.push(headed(HighlightKind::Added)),
            Status::Removed if !s.heading_removed => sections.push(headed(HighlightKind::Removed)),
            Status::Modified => {
                if s.renamed {
                    sections.push(headed(HighlightKind::Renamed));
                }
                for passage in passages(s) {
                    passage.read(s, index, &mut out.quantities, &mut first, &mut changed);
                }
            }
            _ => {}
        }
    }
    // Largest first; a stable sort keeps document order among equals.
    changed.sort_by_key(|h: &Highlight| std::cmp::Reverse(h.words));
    out.highlights = first;
    out.highlights.extend(sections);
    out.highlights.extend(changed);
    out
}

/// One side's text of a section body, and where its changed words are.
#[derive(Default)]
struct Side {
    text: String,
    /// Byte ranges of changed words (not moved ones).
    changed: Vec<Range<usize>>,
}

/// A piece of the body ops, with where it stands in each side's text.
struct Piece {
    op: OpKind,
    moved: bool,
    old: Range<usize>,
    new: Range<usize>,
    text: SharedText,
}

/// Changed sentences of the old version paired with those of the new version.
struct Passage {
    /// Bytes of the old side's text (empty range: none).
    old: Range<usize>,
    /// Bytes of the new side's text, likewise.
    new: Range<usize>,
    /// The section body it is part of (its texts and pieces).
    body: std::rc::Rc<Body>,
}

/// A modified section's body: both sides' texts and the ops between them.
struct Body {
    old: Side,
    new: Side,
    pieces: Vec<Piece>,
}

/// The sentences (by index) a change touches in the old and in the new version.
type Sides = (Option<Range<usize>>, Option<Range<usize>>);

/// The passages of a modified section: its changed sentences, old and new, paired.
fn passages(s: &SectionDiff) -> Vec<Passage> {
    let ops = crate::diff::body::body_ops(s);
    let mut body = Body {
        old: Side::default(),
        new: Side::default(),
        pieces: Vec::with_capacity(ops.len()),
    };
    for op in &ops {
        let (o, n) = (body.old.text.len(), body.new.text.len());
        let t = op.text.as_str();
        let real = !op.moved && !t.trim().is_empty();
        match op.op {
            OpKind::Equal => {
                body.old.text.push_str(t);
                body.new.text.push_str(t);
            }
            // A change marks its own side's words, and the point where it stands on the
            // other side (a quantity just before it is touched: `€13` → `€13-€30`).
            OpKind::Delete => {
                body.old.text.push_str(t);
                if real {
                    body.old.changed.push(o..o + t.len());
                    body.new.changed.push(n..n);
                }
            }
            OpKind::Insert => {
                body.new.text.push_str(t);
                if real {
                    body.new.changed.push(n..n + t.len());
                    body.old.changed.push(o..o);
                }
            }
        }
        body.pieces.push(Piece {
            op: op.op,
            moved: op.moved,
            old: o..body.old.text.len(),
            new: n..body.new.text.len(),
            text: op.text.clone(),
        });
    }
    let old_sentences = sentences_near(&body.old.text, &body.old.changed);
    let new_sentences = sentences_near(&body.new.text, &body.new.changed);
    // Each change touches sentences on each side; changes that share a sentence make one
    // passage. Changes come in the order of both texts, so a passage grows at its end.
    let mut groups: Vec<Sides> = Vec::new();
    // The kind of the change just before, when only spaces stand between it and this one: a
    // deletion next to an insertion replaces it, whole sentences or not.
    let mut next_to: Option<OpKind> = None;
    for p in &body.pieces {
        let t = p.text.as_str();
        if p.op == OpKind::Equal || p.moved {
            if !t.trim().is_empty() {
                next_to = None;
            }
            continue;
        }
        if t.trim().is_empty() {
            continue;
        }
        let replaces_after = next_to.is_some_and(|k| k != p.op);
        next_to = Some(p.op);
        let (old, new) = match p.op {
            OpKind::Delete => (
                touched(&old_sentences, &body.old.text, &p.old),
                anchor(
                    &new_sentences,
                    &body.new.text,
                    p.new.start,
                    whole(&old_sentences, &body.old.text, &p.old),
                    ends_sentence(t),
                ),
            ),
            _ => (
                anchor(
                    &old_sentences,
                    &body.old.text,
                    p.old.start,
                    whole(&new_sentences, &body.new.text, &p.new),
                    ends_sentence(t),
                ),
                touched(&new_sentences, &body.new.text, &p.new),
            ),
        };
        let joins =
            |mine: &Option<Range<usize>>, theirs: &Option<Range<usize>>| match (mine, theirs) {
                (Some(a), Some(b)) => a.start < b.end && b.start < a.end,
                _ => false,
            };
        match groups.last_mut() {
            Some(last)
                if replaces_after && (old.is_none() || new.is_none())
                    || joins(&last.0, &old)
                    || joins(&last.1, &new) =>
            {
                last.0 = union(last.0.clone(), old);
                last.1 = union(last.1.clone(), new);
            }
            _ => groups.push((old, new)),
        }
    }
    // Groups that came to share a sentence after growing are one passage.
    let mut merged: Vec<Sides> = Vec::new();
    for g in groups {
        let overlaps = |a: &Option<Range<usize>>, b: &Option<Range<usize>>| match (a, b) {
            (Some(a), Some(b)) => a.start < b.end && b.start < a.end,
            _ => false,
        };
        match merged.last_mut() {
            Some(last) if overlaps(&last.0, &g.0) || overlaps(&last.1, &g.1) => {
                last.0 = union(last.0.clone(), g.0);
                last.1 = union(last.1.clone(), g.1);
            }
            _ => merged.push(g),
        }
    }
    let body = std::rc::Rc::new(body);
    let bytes = |s: &[Range<usize>], r: Option<Range<usize>>| {
        r.map_or(0..0, |r| s[r.start].start..s[r.end - 1].end)
    };
    merged
        .into_iter()
        .map(|(o, n)| Passage {
            old: bytes(&old_sentences, o),
            new: bytes(&new_sentences, n),
            body: body.clone(),
        })
        .collect()
}

fn union(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, b) => a.or(b),
    }
}

/// The sentences (by index) that the non-blank part of `range` overlaps.
fn touched(sentences: &[Range<usize>], text: &str, range: &Range<usize>) -> Option<Range<usize>> {
    let t = &text[range.clone()];
    let start = range.start + (t.len() - t.trim_start().len());
    let end = range.start + t.trim_end().len();
    if start >= end {
        return None;
    }
    let first = sentences.partition_point(|s| s.end <= start);
    let last = sentences.partition_point(|s| s.start < end);
    (first < last).then_some(first..last)
}

/// True when the non-blank part of `range` is whole sentences of `text`.
fn whole(sentences: &[Range<usize>], text: &str, range: &Range<usize>) -> bool {
    let Some(r) = touched(sentences, text, range) else {
        return true;
    };
    let t = &text[range.clone()];
    let start = range.start + (t.len() - t.trim_start().len());
    let end = range.start + t.trim_end().len();
    let first = &text[sentences[r.start].clone()];
    let last = &text[sentences[r.end - 1].clone()];
    sentences[r.start].start + (first.len() - first.trim_start().len()) == start
        && sentences[r.end - 1].start + last.trim_end().len() == end
}

/// The sentence of the other side where a change that has no text on that side stands:
/// the one around `at`, or none when the change is whole sentences put in or taken out
/// between two sentences.
fn anchor(
    sentences: &[Range<usize>],
    text: &str,
    at: usize,
    whole: bool,
    ends_sentence: bool,
) -> Option<Range<usize>> {
    let i = sentences.partition_point(|s| s.end <= at);
    let Some(s) = sentences.get(i) else {
        // Past the last sentence: the change ends the text, after the last one.
        return (!whole && i > 0).then(|| i - 1..i);
    };
    let lead = &text[s.clone()];
    let starts_at = s.start + (lead.len() - lead.trim_start().len());
    if whole && at <= starts_at {
        return None;
    }
    // A change at the very start of a sentence that ends a sentence itself (`… we
    // choose.` for `… processor.`) belongs to the sentence before; else to this one.
    if at <= starts_at && ends_sentence && i > 0 {
        return Some(i - 1..i);
    }
    Some(i..i + 1)
}

/// True when a changed text ends a sentence (`… we choose.`, then spaces or a line break).
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', ')', ']', '*', '_', '»', '”'])
        .ends_with(['.', '!', '?', ';', ':'])
}

/// The sentences of the paragraphs of `text` that hold a change (`changes` in text order):
/// those [`sentences`] gives for the whole text, as a blank line always ends a sentence, for
/// the cost of the paragraphs read.
fn sentences_near(text: &str, changes: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut done = 0;
    for c in changes {
        if c.start < done && c.end <= done {
            continue;
        }
        let start = last_blank_line(&text[done..c.start.max(done)]).map_or(done, |i| done + i);
        let from = c.end.max(start);
        let end = next_blank_line(&text[from..]).map_or(text.len(), |i| from + i);
        out.extend(
            sentences(&text[start..end])
                .into_iter()
                .map(|r| start + r.start..start + r.end),
        );
        done = end;
    }
    out
}

/// Where the text after the last blank line of `text` starts (`\n\n` or `\n\r\n`).
fn last_blank_line(text: &str) -> Option<usize> {
    text.rmatch_indices('\n')
        .find(|&(i, _)| text[..i].ends_with('\n') || text[..i].ends_with("\n\r"))
        .map(|(i, _)| i + 1)
}

/// Where the first blank line of `text` starts (after the line break that ends the text
/// before it).
fn next_blank_line(text: &str) -> Option<usize> {
    text.match_indices('\n')
        .find(|&(i, _)| text[i + 1..].starts_with('\n') || text[i + 1..].starts_with("\r\n"))
        .map(|(i, _)| i + 1)
}

/// Splits text into sentences: byte ranges that cover it, each ending after its closing
/// punctuation (`.`, `!`, `?`, `;`, `:` at a line's end) and the spaces after it, or at a
/// paragraph's or list item's end.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Whether the line being read is a table's row (one passage however many sentences its
    // cells hold), and where that line starts.
    let mut row = (usize::MAX, false);
    let mut line_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let mut cut = None;
        if matches!(b, b'.' | b'!' | b'?' | b';') && row.0 != line_start {
            row = (
                line_start,
                text[line_start..i].trim_start().starts_with('|'),
            );
        }
        if matches!(b, b'.' | b'!' | b'?' | b';') && !row.1 {
            // Closing quotes, brackets and emphasis after the mark belong to the sentence.
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b']' | b'*' | b'_') {
                j += 1;
            }
            let next_ws = j >= bytes.len() || bytes[j].is_ascii_whitespace();
            if next_ws && (b != b'.' || !abbreviation(&text[start..i])) {
                cut = Some(j);
            }
        } else if b == b'\n' {
            // A blank line, or a line that starts a list item, a heading, a table row or a
            // quote.
            let rest = &text[i + 1..];
            let line = rest.trim_start_matches([' ', '\t']);
            let block = line.starts_with('\n')
                || line.starts_with("\r\n")
                || line.starts_with(['-', '*', '+', '#', '|', '>'])
                || list_number(line)
                || text[start..i].trim_end().ends_with(':');
            if block {
                cut = Some(i + 1);
            }
        }
        if let Some(mut end) = cut {
            while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                end += 1;
            }
            if !text[start..end].trim().is_empty() {
                out.push(start..end);
                start = end;
            }
            let next = end.max(i + 1);
            if let Some(n) = text[i..next].rfind('\n') {
                line_start = i + n + 1;
            }
            i = next;
            continue;
        }
        if b == b'\n' {
            line_start = i + 1;
        }
        i += 1;
    }
    if start < text.len() {
        if text[start..].trim().is_empty() {
            if let Some(last) = out.last_mut() {
                last.end = text.len();
            } else {
                out.push(start..text.len());
            }
        } else {
            out.push(start..text.len());
        }
    }
    out
}

/// True when a line starts with a list item's number (`1. `, `12) `, `a. `).
fn list_number(line: &str) -> bool {
    let head = &line.as_bytes()[..line.len().min(5)];
    let Some(mark) = head.iter().position(|&b| b == b'.' || b == b')') else {
        return false;
    };
    let n = &head[..mark];
    (1..=3).contains(&n.len())
        && n.iter()
            .all(|&c| c.is_ascii_digit() || c.is_ascii_lowercase() && n.len() == 1)
        && head.get(mark + 1) == Some(&b' ')
}

/// True when the text before a full stop ends in an abbreviation or a number (`e.g.`,
/// `Inc.`, `No.`, `1.`): the stop ends no sentence.
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let w = word.trim_start_matches(['*', '_', '"', '(']);
    if w.len() > 6 && !w.contains('.') {
        return false;
    }
    let w = w.to_lowercase();
    w.is_empty()
        || w.len() == 1
        || w.chars().all(|c| c.is_ascii_digit())
        || w.contains('.')
        || matches!(
            w.as_str(),
            "inc"
                | "ltd"
                | "co"
                | "corp"
                | "no"
                | "nos"
                | "mr"
                | "mrs"
                | "ms"
                | "dr"
                | "st"
                | "vs"
                | "art"
                | "cf"
                | "etc"
                | "approx"
                | "min"
                | "max"
                | "p"
                | "pp"
                | "ch"
                | "sec"
                | "fig"
                | "vol"
                | "jr"
                | "sr"
                | "llc"
                | "s.a"
                | "sas"
                | "sarl"
                | "av"
                | "bd"
                | "mme"
                | "mlle"
                | "m"
        )
}

impl Passage {
    /// Reads the passage: its quantity changes, its obligation turns, and itself as a
    /// changed passage when neither says all of it.
    fn read(
        &self,
        s: &SectionDiff,
        section: usize,
        quantities: &mut Vec<QuantityChange>,
        first: &mut Vec<Highlight>,
        changed: &mut Vec<Highlight>,
    ) {
        let body = &*self.body;
        let ops = self.ops();
        let (equal, old_words, new_words) = ops.iter().fold((0, 0, 0), |(e, o, n), op| {
            let w = op.text.split_whitespace().count();
            match op.op {
                OpKind::Equal => (e + w, o + w, n + w),
                OpKind::Delete => (e, o + w, n),
                OpKind::Insert => (e, o, n + w),
            }
        });
        let old_text = &body.old.text[self.old.clone()];
        let new_text = &body.new.text[self.new.clone()];
        // A date line (`Last updated: June 3, 2024`) is the summary's dates, not news.
        if date_line(old_text) && date_line(new_text) {
            return;
        }
        // The same words around other numbers (a price list's line, a table's row) are the
        // same passage however short.
        let dice = 2.0 * equal as f64 / (old_words + new_words).max(1) as f64;
        let same = if dice < SAME_PASSAGE && same_but_numbers(old_text, new_text) {
            1.0
        } else {
            dice
        };
        let words = old_words + new_words - 2 * equal;
        let shown = display(&ops);
        // Nothing a reader sees changed (a link's target, emphasis marks): nothing to tell.
        if !self.old.is_empty() && !self.new.is_empty() && shown.old == shown.new {
            return;
        }
        let highlight = |kind, old: Option<String>, new: Option<String>| Highlight {
            kind,
            old_heading: s.old_heading.clone(),
            new_heading: s.new_heading.clone(),
            old,
            new,
            old_sentence: (!self.old.is_empty()).then(|| shown.old.clone()),
            new_sentence: (!self.new.is_empty()).then(|| shown.new.clone()),
            ops: shown.ops.clone(),
            section,
            words,
        };
        let mut told = 0;
        if same >= SAME_PASSAGE && !self.old.is_empty() && !self.new.is_empty() {
            // Numbers are read only where the changed words hold one (or stand next to one).
            if numbers_changed(&body.old, &self.old) || numbers_changed(&body.new, &self.new) {
                self.quantities(s, &shown, quantities, &mut |kind, old, new| {
                    first.push(highlight(kind, Some(old), Some(new)));
                    told += 1;
                });
            }
            for (old, new) in turns(body, self) {
                first.push(highlight(HighlightKind::Obligation, Some(old), Some(new)));
                told += 1;
            }
        }
        if told == 0 {
            changed.push(highlight(HighlightKind::Changed, None, None));
        }
    }

    /// The passage's quantity changes: each is added to `out` and told to `found`.
    fn quantities(
        &self,
        s: &SectionDiff,
        shown: &Shown,
        out: &mut Vec<QuantityChange>,
        found: &mut dyn FnMut(HighlightKind, String, String),
    ) {
        let body = &*self.body;
        let old_text = &body.old.text[self.old.clone()];
        let new_text = &body.new.text[self.new.clone()];
        let changed_in = |side: &Side, at: &Range<usize>, span: &Range<usize>| {
            let (a, b) = (at.start + span.start, at.start + span.end);
            side.changed
                .iter()
                .any(|c| c.start < b && a < c.end || c.is_empty() && a < c.start && c.start <= b)
        };
        let old_q: Vec<_> = quantity::quantities(old_text)
            .into_iter()
            .filter(|q| changed_in(&body.old, &self.old, &q.span))
            .collect();
        let new_q: Vec<_> = quantity::quantities(new_text)
            .into_iter()
            .filter(|q| changed_in(&body.new, &self.new, &q.span))
            .collect();
        // A quantity pairs with one of its measure that stands at the same place: the most
        // words around it alike (`call recordings for 90 days` with `call recordings for
        // 180 days`, not with `chat logs for 30 days`).
        let old_around: Vec<_> = old_q
            .iter()
            .map(|q| neighbours(old_text, &q.span))
            .collect();
        let new_around: Vec<_> = new_q
            .iter()
            .map(|q| neighbours(new_text, &q.span))
            .collect();
        let mut candidates = Vec::new();
        for (i, o) in old_q.iter().enumerate() {
            for (j, n) in new_q.iter().enumerate() {
                let alike = old_around[i]
                    .iter()
                    .zip(&new_around[j])
                    .filter(|(a, b)| !a.is_empty() && a == b)
                    .count();
                // Between places alike, the same value first (`30 et 60 jours … 30, 60 et 90
                // jours`): written again, it is no change.
                let same = usize::from(o.same_value(n));
                if o.comparable(n) && alike + same > 0 {
                    candidates.push((std::cmp::Reverse((alike, same)), i.abs_diff(j), i, j));
                }
            }
        }
        candidates.sort();
        let (mut old_taken, mut new_taken) = (vec![false; old_q.len()], vec![false; new_q.len()]);
        let mut pairs = Vec::new();
        for (_, _, i, j) in candidates {
            if !old_taken[i] && !new_taken[j] {
                old_taken[i] = true;
                new_taken[j] = true;
                pairs.push((i, j));
            }
        }
        // Those left, with nothing alike around them (a price list's lines), pair in order
        // when as many are left on each side.
        let old_left: Vec<usize> = (0..old_q.len()).filter(|&i| !old_taken[i]).collect();
        let new_left: Vec<usize> = (0..new_q.len()).filter(|&j| !new_taken[j]).collect();
        if old_left.len() == new_left.len() {
            pairs.extend(
                old_left
                    .into_iter()
                    .zip(new_left)
                    .filter(|&(i, j)| old_q[i].comparable(&new_q[j])),
            );
        }
        pairs.sort();
        for (i, j) in pairs {
            let (o, n) = (&old_q[i], &new_q[j]);
            if o.same_value(n) {
                continue;
            }
            let (old, new) = (
                one_line(&old_text[o.span.clone()]),
                one_line(&new_text[n.span.clone()]),
            );
            out.push(QuantityChange {
                old: old.clone(),
                new: new.clone(),
                kind: o.kind,
                old_heading: s.old_heading.clone(),
                new_heading: s.new_heading.clone(),
                old_sentence: shown.old.clone(),
                new_sentence: shown.new.clone(),
            });
            found(HighlightKind::Quantity, old, new);
        }
    }

    /// The indexes of the body's pieces that may overlap this passage (the pieces stand in
    /// the order of both texts).
    fn pieces(&self) -> Range<usize> {
        let pieces = &self.body.pieces;
        let mut first = pieces.len();
        let mut end = 0;
        for (side, range) in [(0, &self.old), (1, &self.new)] {
            if range.is_empty() {
                continue;
            }
            let at = |p: &Piece| {
                if side == 0 {
                    p.old.clone()
                } else {
                    p.new.clone()
                }
            };
            first = first.min(pieces.partition_point(|p| at(p).end < range.start));
            end = end.max(pieces.partition_point(|p| at(p).start <= range.end));
        }
        first..end.max(first)
    }

    /// The body's ops within this passage, clipped to it.
    fn ops(&self) -> Vec<WordOp> {
        let body = &*self.body;
        let mut out = Vec::new();
        let inside = |piece: &Range<usize>, passage: &Range<usize>| {
            let lo = piece.start.max(passage.start);
            let hi = piece.end.min(passage.end);
            (lo < hi || piece.is_empty() && passage.contains(&piece.start)).then_some(lo..hi)
        };
        for p in &body.pieces[self.pieces()] {
            let clip = match p.op {
                OpKind::Delete => inside(&p.old, &self.old)
                    .map(|r| (r.start - p.old.start)..(r.end - p.old.start)),
                OpKind::Insert => inside(&p.new, &self.new)
                    .map(|r| (r.start - p.new.start)..(r.end - p.new.start)),
                OpKind::Equal => {
                    let o = inside(&p.old, &self.old)
                        .map(|r| (r.start - p.old.start)..(r.end - p.old.start));
                    let n = inside(&p.new, &self.new)
                        .map(|r| (r.start - p.new.start)..(r.end - p.new.start));
                    union(o, n)
                }
            };
            let Some(clip) = clip else { continue };
            if clip.is_empty() {
                continue;
            }
            let t = p.text.as_str();
            let lo = (clip.start..=t.len())
                .find(|&i| t.is_char_boundary(i))
                .unwrap_or(t.len());
            let hi = (clip.end..=t.len())
                .find(|&i| t.is_char_boundary(i))
                .unwrap_or(t.len());
            if lo < hi {
                out.push(WordOp {
                    // Text moved across a heading reads as unchanged where it stands.
                    op: if p.moved { OpKind::Equal } else { p.op },
                    text: p.text.slice(lo..hi),
                    moved: false,
                });
            }
        }
        out
    }
}

/// The obligation turns of a passage: for each run of changed words, the negations and
/// modal verbs it takes away and puts in; when they differ, the words before and after.
fn turns(body: &Body, passage: &Passage) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Runs of changed pieces inside the passage.
    let pieces: Vec<&Piece> = body.pieces[passage.pieces()]
        .iter()
        .filter(|p| {
            (p.op != OpKind::Insert
                && p.old.start >= passage.old.start
                && p.old.end <= passage.old.end
                && !passage.old.is_empty())
                || (p.op != OpKind::Delete
                    && p.new.start >= passage.new.start
                    && p.new.end <= passage.new.end
                    && !passage.new.is_empty())
        })
        .collect();
    let mut i = 0;
    while i < pieces.len() {
        if pieces[i].op == OpKind::Equal || pieces[i].moved {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < pieces.len() && (pieces[j].op != OpKind::Equal && !pieces[j].moved) {
            j += 1;
        }
        let old_range = pieces[i].old.start..pieces[j - 1].old.end;
        let new_range = pieces[i].new.start..pieces[j - 1].new.end;
        // A turn is a few words exchanged (`do not sell` → `sell`, `may` → `must`); a clause
        // put in or taken out that happens to hold `not` is a changed sentence.
        let words = |t: &str| t.split_whitespace().count();
        let (old_words, new_words) = (
            words(&body.old.text[old_range.clone()]),
            words(&body.new.text[new_range.clone()]),
        );
        // Only the obligation's words may differ: `do not sell` → `sell`, not `we do not
        // prohibit` → `GitHub supports`, nor `ne pas` → `nepas`.
        // Both sides of the run in the passage (a run beside it is another sentence's).
        let within = |r: &Range<usize>, p: &Range<usize>| p.start <= r.start && r.end <= p.end;
        if !within(&old_range, &passage.old)
            || !within(&new_range, &passage.new)
            || old_words.max(new_words) > TURN_WORDS
            || !obligation::could_hold(&body.old.text[old_range.clone()])
                && !obligation::could_hold(&body.new.text[new_range.clone()])
            || obligation::rest(&body.old.text[old_range.clone()])
                != obligation::rest(&body.new.text[new_range.clone()])
        {
            i = j;
            continue;
        }
        // The markers of the run and a few words around it (what tells `not only` or `ne …
        // pas` apart), by where they stand in the side's text.
        let around_run = |text: &str, run: &Range<usize>, within: &Range<usize>| {
            let at = window(text, run, within, MARKER_CONTEXT);
            obligation::markers(&text[at.clone()])
                .into_iter()
                .map(|(m, r)| (m, at.start + r.start..at.start + r.end))
                .collect::<Vec<_>>()
        };
        let old_markers = around_run(&body.old.text, &old_range, &passage.old);
        let new_markers = around_run(&body.new.text, &new_range, &passage.new);
        let count = |markers: &[(Marker, Range<usize>)], range: &Range<usize>, m: Marker| {
            markers
                .iter()
                .filter(|(k, r)| *k == m && r.start >= range.start && r.end <= range.end)
                .count()
        };
        let diff = |m: Marker| {
            count(&old_markers, &old_range, m) as isize
                - count(&new_markers, &new_range, m) as isize
        };
        let negation = diff(Marker::Negation) != 0;
        let modal = {
            let (om, nm) = (
                (
                    count(&old_markers, &old_range, Marker::May),
                    count(&old_markers, &old_range, Marker::Must),
                ),
                (
                    count(&new_markers, &new_range, Marker::May),
                    count(&new_markers, &new_range, Marker::Must),
                ),
            );
            // `may` became `must` (or the reverse): one kind went, the other came. Under a
            // negation both forbid (`must not` → `may not`, `ne doit pas` → `ne peut pas`),
            // unless one of them foretells (`will not` → `may not`).
            let turned = (om.0 > nm.0 && nm.1 > om.1) || (om.1 > nm.1 && nm.0 > om.0);
            let forbids = |text: &str, run: &Range<usize>, within: &Range<usize>| {
                let context = &text[window(text, run, within, 4)];
                let lower = context.to_lowercase();
                obligation::markers(context)
                    .iter()
                    .any(|m| m.0 == Marker::Negation)
                    && !lower.contains("will")
                    && !lower.contains("won")
            };
            turned
                && !(forbids(&body.old.text, &old_range, &passage.old)
                    && forbids(&body.new.text, &new_range, &passage.new))
        };
        if negation || modal {
            let (old, new) = (
                around(&body.old.text, old_range, &passage.old),
                around(&body.new.text, new_range, &passage.new),
            );
            // Words on both sides to show, or the passage is told as changed.
            if !old.is_empty() && !new.is_empty() {
                out.push((old, new));
            }
        }
        i = j;
    }
    out
}

/// True when a changed run of `side` within `at`, or a word next to it, holds a digit or a
/// number word: only then can a quantity of the passage have changed.
fn numbers_changed(side: &Side, at: &Range<usize>) -> bool {
    side.changed
        .iter()
        .filter(|c| c.start >= at.start && c.end <= at.end)
        .any(|c| {
            side.text[window(&side.text, c, at, 1)]
                .split_whitespace()
                .filter(|run| !quantity::link_run(run))
                .any(|run| {
                    run.bytes().any(|b| b.is_ascii_digit())
                        || run
                            .split(|c: char| !c.is_alphabetic() && c != '-')
                            .any(number_word)
                })
        })
}

/// The two words before a span of `text` and the two after it (lowercase, numbers left out;
/// `""` where the text ends), nearest first: where a quantity stands.
fn neighbours(text: &str, span: &Range<usize>) -> [String; 4] {
    let word = |w: &str| w.to_lowercase();
    // Numbers are left out: they may be what changed beside it.
    let is_word = |w: &&str| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit());
    let mut before = text[..span.start]
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(is_word);
    let mut after = text[span.end..]
        .split(|c: char| !c.is_alphanumeric())
        .filter(is_word);
    [
        before.next().map(word).unwrap_or_default(),
        after.next().map(word).unwrap_or_default(),
        before.next().map(word).unwrap_or_default(),
        after.next().map(word).unwrap_or_default(),
    ]
}

/// `run` with up to `words` words on each side, within `within` (a run outside it is taken
/// as its nearest end).
fn window(text: &str, run: &Range<usize>, within: &Range<usize>, words: usize) -> Range<usize> {
    let start = run.start.clamp(within.start, within.end);
    let end = run.end.clamp(start, within.end);
    // Whole words: the spaces next to the run, then `words` words and their spaces.
    let head = text[within.start..start].trim_end();
    let before: usize = head
        .split_inclusive(char::is_whitespace)
        .rev()
        .take(words)
        .map(str::len)
        .sum();
    let tail = &text[end..within.end];
    let lead = tail.len() - tail.trim_start().len();
    let after: usize = tail[lead..]
        .split_inclusive(char::is_whitespace)
        .take(words)
        .map(str::len)
        .sum();
    within.start + head.len() - before..end + lead + after
}

/// The last `words` words of `text`, after `… ` when some were cut.
fn clip_start(text: &str, words: usize) -> String {
    let kept: usize = text
        .split_inclusive(char::is_whitespace)
        .rev()
        .take(words)
        .map(str::len)
        .sum();
    if kept < text.trim_start().len() {
        format!("… {}", text[text.len() - kept..].trim_start_matches("… "))
    } else {
        text.to_string()
    }
}

/// The first `words` words of `text`, before ` …` when some were cut.
fn clip_end(text: &str, words: usize) -> String {
    // The text after a phrase starts with its spaces (or with punctuation).
    let lead = text.len() - text.trim_start().len();
    let kept: usize = text[lead..]
        .split_inclusive(char::is_whitespace)
        .take(words)
        .map(str::len)
        .sum();
    if lead + kept < text.trim_end().len() {
        format!(
            "{} …",
            text[..lead + kept].trim_end().trim_end_matches(" …")
        )
    } else {
        text.to_string()
    }
}

/// A changed run of words with one word on each side, within the passage: `do not sell`.
fn around(text: &str, run: Range<usize>, passage: &Range<usize>) -> String {
    let before = &text[passage.start..run.start.max(passage.start)];
    let after = &text[run.end.min(passage.end)..passage.end];
    let prev = before
        .trim_end()
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("");
    let next = after
        .trim_start()
        .split(char::is_whitespace)
        .next()
        .unwrap_or("");
    let middle = text[run].trim();
    let mut out = String::new();
    for part in [prev, middle, next] {
        let part = one_line(&strip_marks(part));
        if !part.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&part);
        }
    }
    out
}

/// True when the text is empty or a short line of labelled dates (`Effective: March 1,
/// 2025. Last revised: February 10, 2025.`).
fn date_line(text: &str) -> bool {
    if text.trim().is_empty() {
        return true;
    }
    // Two dates of four words each and their labels, at most.
    if text.split_whitespace().nth(DATE_LINE_WORDS + 8).is_some() {
        return false;
    }
    let masked = crate::document::date::mask_dates(text);
    masked != text && masked.split_whitespace().count() <= DATE_LINE_WORDS
}

/// True when two texts have the same words (letters and digits, case aside) once each
/// number (in digits or in words, `12.99` or `thirty`) is taken as one and the same.
fn same_but_numbers(a: &str, b: &str) -> bool {
    /// The words of a text, each number as `None`, runs of numbers as one.
    fn words(text: &str) -> impl Iterator<Item = Option<&str>> + '_ {
        let mut last_number = false;
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter_map(move |w| {
                let number = w.starts_with(|c: char| c.is_ascii_digit()) || number_word(w);
                let repeated = number && last_number;
                last_number = number;
                (!repeated).then_some((!number).then_some(w))
            })
    }
    let mut a = words(a);
    let mut b = words(b);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                let same = match (x, y) {
                    (None, None) => true,
                    (Some(x), Some(y)) => x.to_lowercase() == y.to_lowercase(),
                    _ => false,
                };
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// True when `word` (as written) is a number in letters (`thirty`, `Quinze`).
fn number_word(word: &str) -> bool {
    if word.chars().any(char::is_uppercase) {
        quantity::number_word(&word.to_lowercase())
    } else {
        quantity::number_word(word)
    }
}

/// Text on one line: runs of whitespace made one space, ends trimmed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A passage as a reader reads it.
struct Shown {
    old: String,
    new: String,
    ops: Vec<WordOp>,
}

/// Takes Markdown's marks off a passage's ops (emphasis at words' edges, code ticks,
/// escapes, link targets, list and heading markers at line starts), makes its whitespace single spaces, and shortens
/// long unchanged runs to [`CONTEXT_WORDS`] words on each side of a change.
fn display(ops: &[WordOp]) -> Shown {
    let mut cleaned: Vec<WordOp> = Vec::with_capacity(ops.len());
    let mut line_start = true;
    let mut in_target = false;
    for (index, op) in ops.iter().enumerate() {
        // What follows this op, for a link whose `](` comes in a later one (`[` `30` → `14`
        // ` days](…)`).
        let later = || -> String {
            let mut s: String = ops[index + 1..]
                .iter()
                .flat_map(|o| o.text.chars())
                .take(LINK_TEXT)
                .collect();
            s.truncate(s.find('\n').unwrap_or(s.len()));
            s
        };
        let mut text = String::with_capacity(op.text.len());
        for (n, line) in op.text.split('\n').enumerate() {
            if n > 0 {
                text.push(' ');
                line_start = true;
            }
            let mut line = line;
            if line_start {
                let t = line.trim_start();
                let t = t.trim_start_matches('>').trim_start();
                let t = t.trim_start_matches('#').trim_start();
                let t = if let Some(rest) = t
                    .strip_prefix(['-', '*', '+'])
                    .filter(|r| r.starts_with(' '))
                {
                    rest.trim_start()
                } else {
                    t
                };
                if !t.is_empty() {
                    line_start = false;
                }
                line = t;
            }
            // Most text holds no mark at all: copied whole.
            if !in_target && !line.contains(['*', '_', '`', '[', ']', '\\']) {
                text.push_str(line);
                continue;
            }
            let mut before: Option<char> = None;
            let mut skip_next = false;
            for (at, c) in line.char_indices() {
                let rest = &line[at + c.len_utf8()..];
                let after = rest.chars().next();
                let previous = before.replace(c);
                if skip_next {
                    skip_next = false;
                    continue;
                }
                if in_target {
                    if c == ')' {
                        in_target = false;
                    }
                    continue;
                }
                let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                match c {
                    // A link's text is kept, its target dropped: `[text](target)`.
                    ']' if after == Some('(') => {
                        skip_next = true;
                        in_target = true;
                    }
                    '[' if link_follows(rest, &later) => {}
                    // Emphasis marks at a word's edge; `privacy_team` keeps its underscore.
                    '*' | '_' if !(word(previous) && word(after)) => {}
                    '`' => {}
                    // A Markdown escape (`\*`); `C:\Users` keeps its backslashes.
                    '\\' if after.is_some_and(|a| a.is_ascii_punctuation()) => {}
                    _ => text.push(c),
                }
            }
        }
        cleaned.push(WordOp {
            op: op.op,
            text: SharedText::from(text),
            moved: false,
        });
    }
    // Collapse spaces across ops, keeping each op's text.
    let mut out: Vec<WordOp> = Vec::with_capacity(cleaned.len());
    let mut last_space = [true, true];
    for op in cleaned {
        let mut text = String::with_capacity(op.text.len());
        for c in op.text.chars() {
            let space = c.is_whitespace();
            let sides: &[usize] = match op.op {
                OpKind::Equal => &[0, 1],
                OpKind::Delete => &[0],
                OpKind::Insert => &[1],
            };
            if space && sides.iter().all(|&s| last_space[s]) {
                continue;
            }
            text.push(if space { ' ' } else { c });
            for &s in sides {
                last_space[s] = space;
            }
        }
        if !text.is_empty() {
            out.push(WordOp {
                op: op.op,
                text: SharedText::from(text),
                moved: false,
            });
        }
    }
    let ops = shorten(out);
    let side = |keep: OpKind| {
        let t: String = ops
            .iter()
            .filter(|o| o.op == OpKind::Equal || o.op == keep)
            .map(|o| o.text.as_str())
            .collect();
        t.trim().to_string()
    };
    Shown {
        old: side(OpKind::Delete),
        new: side(OpKind::Insert),
        ops,
    }
}

/// True when the characters after a `[` (the rest of its line, then what later ops hold)
/// are a link's text and `](`.
fn link_follows(rest: &str, later: &dyn Fn() -> String) -> bool {
    let here = rest.split('[').next().unwrap_or("");
    if here.contains("](") {
        return true;
    }
    if rest.contains('[') {
        return false;
    }
    let more = format!("{here}{}", later());
    more.split('[').next().unwrap_or("").contains("](")
}

/// How far after a `[` its link's `](` is looked for.
const LINK_TEXT: usize = 300;

/// Cuts unchanged runs longer than twice [`CONTEXT_WORDS`] words to that many words on each
/// side of a change, with `… ` between.
fn shorten(ops: Vec<WordOp>) -> Vec<WordOp> {
    let n = ops.len();
    let mut out = Vec::with_capacity(n);
    for (i, op) in ops.into_iter().enumerate() {
        if op.op != OpKind::Equal {
            out.push(op);
            continue;
        }
        let words: Vec<&str> = op.text.split_inclusive(' ').collect();
        let keep_head = if i == 0 { 0 } else { CONTEXT_WORDS };
        let keep_tail = if i + 1 == n { 0 } else { CONTEXT_WORDS };
        if words.len() <= keep_head + keep_tail + 2 {
            out.push(op);
            continue;
        }
        let mut text: String = words[..keep_head].concat();
        text.push_str("… ");
        text.push_str(&words[words.len() - keep_tail..].concat());
        out.push(WordOp {
            op: OpKind::Equal,
            text: SharedText::from(text),
            moved: false,
        });
    }
    out
}

/// Markdown marks taken off a word (for the short phrases of an obligation).
fn strip_marks(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '[' | ']' | '\\'))
        .collect()
}

#[cfg(test)]
mod tests;
