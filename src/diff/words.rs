//! Word-level changes inside a section, and the test for cosmetic-only edits.

use super::{OpKind, WordOp};
use crate::document::text::{skip_space, space_len};
use crate::document::{Section, SharedText};
use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffTag, capture_diff_slices};
use std::ops::Range;

/// Above this many words on both sides together, texts are compared line by line first; see
/// [`diff_word_lists`].
const LINES_FIRST: usize = 1_000;

/// One step of a word diff: equal, or changed (deleted, inserted or replaced), over ranges
/// of word indices.
pub(super) type Step = (bool, Range<usize>, Range<usize>);

/// The word diff of two word lists whose lines start at the given word indices. Long texts
/// are compared line by line first, as `git diff --word-diff` does: lines that are the same
/// in both are equal runs, and only the changed stretches between them are compared word by
/// word. That bounds the work of a large rewrite without losing a re-wrapped paragraph (its
/// lines differ, so its words are compared).
pub(super) fn diff_word_lists(
    old: &[u32],
    old_lines: &[u32],
    new: &[u32],
    new_lines: &[u32],
) -> Vec<Step> {
    let words = |base_o: usize, base_n: usize, o: &[u32], n: &[u32], out: &mut Vec<Step>| {
        for op in diff_ids(o, n) {
            let (tag, a, b) = op.as_tag_tuple();
            let shift = |r: Range<usize>, by: usize| r.start + by..r.end + by;
            out.push((tag == DiffTag::Equal, shift(a, base_o), shift(b, base_n)));
        }
    };
    let mut out = Vec::new();
    if old.len() + new.len() < LINES_FIRST {
        words(0, 0, old, new, &mut out);
        return out;
    }
    // Lines as small integers, by their words.
    let mut intern: FxHashMap<&[u32], u32> = FxHashMap::default();
    let ol = line_ids(old, old_lines, &mut intern);
    let nl = line_ids(new, new_lines, &mut intern);
    let word_range = |lines: &[u32], len: usize, r: Range<usize>| {
        let at = |i: usize| lines.get(i).map_or(len, |&w| w as usize);
        at(r.start)..at(r.end)
    };
    for op in capture_diff_slices(Algorithm::Histogram, &ol, &nl) {
        let (tag, a, b) = op.as_tag_tuple();
        let (a, b) = (
            word_range(old_lines, old.len(), a),
            word_range(new_lines, new.len(), b),
        );
        if tag == DiffTag::Equal {
            out.push((true, a, b));
        } else {
            words(a.start, b.start, &old[a.clone()], &new[b.clone()], &mut out);
        }
    }
    out
}

/// One integer per line, the same for lines of the same words.
fn line_ids<'a>(ids: &'a [u32], lines: &[u32], intern: &mut FxHashMap<&'a [u32], u32>) -> Vec<u32> {
    let ends = lines.iter().skip(1).map(|&l| l as usize).chain([ids.len()]);
    lines
        .iter()
        .zip(ends)
        .map(|(&s, e)| {
            let next = intern.len() as u32;
            *intern.entry(&ids[s as usize..e]).or_insert(next)
        })
        .collect()
}

/// From this many words on both sides together, a changed stretch that is more than a small
/// edit is compared by the histogram algorithm alone: it is as good there and the Myers
/// search costs most.
const HISTOGRAM_FIRST: usize = 200;

/// True when at most a tenth of the words of two lists (as multisets) have no partner: an
/// edit, where Myers is quick and minimal, rather than a rewrite.
fn mostly_shared(old: &[u32], new: &[u32]) -> bool {
    let total = old.len() + new.len();
    (total - 2 * shared_words(old, new)) * 10 <= total
}

/// How many words of two lists have a partner in the other, counted as multisets.
pub(super) fn shared_words(old: &[u32], new: &[u32]) -> usize {
    let top = old
        .iter()
        .chain(new)
        .copied()
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut count = vec![0i32; top];
    for &w in old {
        count[w as usize] += 1;
    }
    let mut shared = 0;
    for &w in new {
        let c = &mut count[w as usize];
        if *c > 0 {
            *c -= 1;
            shared += 1;
        }
    }
    shared
}

/// Above this many changed words (and a fifth of all words), a Myers result is checked
/// against the histogram algorithm's: see [`diff_ids`].
const RECHECK_CHANGED: usize = 32;

/// From this many words on both sides together, two word lists are compared piece by piece
/// first (pieces of about 16 words, cut where the words say): the word diff's cost grows
/// faster than its input, and a wholly rewritten paragraph of 400,000 words took 12–18 s.
/// Above the largest change in the corpus (a section of about 100,000 changed words), so
/// that no real result depends on it.
pub const PIECES_FIRST: usize = 150_000;

/// A changed stretch of pieces with more words than this (both sides together) is shown
/// replaced whole instead of compared word by word.
pub const WORDS_AT_MOST: usize = 150_000;

/// The raw diff of two word-id lists: word by word (see [`diff_exact`]), or, for huge lists,
/// piece by piece first ([`diff_pieces`]), so that its cost stays bounded.
fn diff_ids(old: &[u32], new: &[u32]) -> Vec<similar::DiffOp> {
    if old.len() + new.len() > PIECES_FIRST {
        diff_pieces(old, new)
    } else {
        diff_exact(old, new)
    }
}

/// Longest piece, in words.
const PIECE_WORDS: usize = 64;

/// The word index where each piece of `ids` starts. A piece ends after a word whose id
/// hashes to a sixteenth of the values (or at [`PIECE_WORDS`] words): the cuts depend on the
/// words themselves, not on their positions, so that text the two lists share is cut into
/// the same pieces in both, whatever was inserted before it.
fn piece_starts(ids: &[u32]) -> Vec<u32> {
    let mut starts = Vec::with_capacity(ids.len() / 8 + 1);
    let mut len = 0;
    for (i, &id) in ids.iter().enumerate() {
        if len == 0 {
            starts.push(i as u32);
        }
        len += 1;
        if id.wrapping_mul(0x9e37_79b1) >> 28 == 0 || len >= PIECE_WORDS {
            len = 0;
        }
    }
    starts
}

/// Huge word lists: their pieces (runs of about 16 words cut where the words say, see
/// [`piece_starts`]) are compared first, as lines are for long texts; equal pieces are equal
/// runs, and only the changed stretches between them are compared word by word — or, when a
/// stretch still holds more than [`WORDS_AT_MOST`] words (a text rewritten throughout),
/// shown replaced whole. Either way the steps cover both lists.
fn diff_pieces(old: &[u32], new: &[u32]) -> Vec<similar::DiffOp> {
    use similar::DiffOp;
    let (old_starts, new_starts) = (piece_starts(old), piece_starts(new));
    let mut intern: FxHashMap<&[u32], u32> = FxHashMap::default();
    let old_pieces = line_ids(old, &old_starts, &mut intern);
    let new_pieces = line_ids(new, &new_starts, &mut intern);
    drop(intern);
    let words = |starts: &[u32], len: usize, r: Range<usize>| {
        let at = |i: usize| starts.get(i).map_or(len, |&w| w as usize);
        at(r.start)..at(r.end)
    };
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Histogram, &old_pieces, &new_pieces) {
        let (tag, a, b) = op.as_tag_tuple();
        let a = words(&old_starts, old.len(), a);
        let b = words(&new_starts, new.len(), b);
        if tag == DiffTag::Equal {
            out.push(DiffOp::Equal {
                old_index: a.start,
                new_index: b.start,
                len: a.len(),
            });
        } else if a.len() + b.len() <= WORDS_AT_MOST {
            out.extend(
                diff_exact(&old[a.clone()], &new[b.clone()])
                    .into_iter()
                    .map(|op| shift(op, a.start, b.start)),
            );
        } else {
            out.push(match (a.is_empty(), b.is_empty()) {
                (false, true) => DiffOp::Delete {
                    old_index: a.start,
                    old_len: a.len(),
                    new_index: b.start,
                },
                (true, false) => DiffOp::Insert {
                    old_index: a.start,
                    new_index: b.start,
                    new_len: b.len(),
                },
                _ => DiffOp::Replace {
                    old_index: a.start,
                    old_len: a.len(),
                    new_index: b.start,
                    new_len: b.len(),
                },
            });
        }
    }
    out
}

/// A step of a stretch's diff, moved to where the stretch starts in the whole lists.
fn shift(op: similar::DiffOp, by_old: usize, by_new: usize) -> similar::DiffOp {
    use similar::DiffOp;
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + by_old,
            new_index: new_index + by_new,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + by_old,
            old_len,
            new_index: new_index + by_new,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + by_old,
            new_index: new_index + by_new,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + by_old,
            old_len,
            new_index: new_index + by_new,
            new_len,
        },
    }
}

/// The word diff of two word-id lists. Myers (bounded, as similar runs it) is quick and
/// minimal on small edits (long stretches go to the histogram algorithm directly); on rewritten or restructured text its bounded search can miss much
/// of what stayed, where the histogram algorithm (as in `git diff --histogram`), anchored on
/// the rarest common words, finds it. A large Myers result is compared with the histogram
/// one, and the one with fewer changed words is kept.
fn diff_exact(old: &[u32], new: &[u32]) -> Vec<similar::DiffOp> {
    let changed = |ops: &[similar::DiffOp]| -> usize {
        ops.iter()
            .filter(|o| o.tag() != DiffTag::Equal)
            .map(|o| o.old_range().len() + o.new_range().len())
            .sum()
    };
    if old.len() + new.len() >= HISTOGRAM_FIRST && !mostly_shared(old, new) {
        return capture_diff_slices(Algorithm::Histogram, old, new);
    }
    let myers = capture_diff_slices(Algorithm::Myers, old, new);
    let by_myers = changed(&myers);
    if by_myers <= RECHECK_CHANGED || by_myers * 5 < old.len() + new.len() {
        return myers;
    }
    let histogram = capture_diff_slices(Algorithm::Histogram, old, new);
    if changed(&histogram) < by_myers {
        histogram
    } else {
        myers
    }
}

/// Equal runs of at most this many words between two changes are folded into the change,
/// so that "a [-b-]{+x+} c [-d-]{+y+}" reads as one replacement instead of confetti.
const ISLAND_WORDS: usize = 2;

/// The words of `text`, each with the whitespace after it: (start, end of the word, end of
/// the whitespace; the same as the end of the word when the next word is glued to it).
/// Leading whitespace belongs to no word. Words are whitespace-separated, except in text
/// written without spaces (Chinese, Japanese), which is cut by character class: each
/// ideograph, kana or CJK mark is a word (with the variation selectors after it), a run of
/// katakana is one word, and what lies between them (Latin words, numbers, ASCII marks) is
/// one word per run. Where a word ends depends only on the characters at its two ends, so
/// both versions of a text are cut alike around an edit: one mark added to a long run
/// changes the words next to it, not the whole run.
fn tokens(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut i = skip_space(text, 0);
    std::iter::from_fn(move || {
        if i >= text.len() {
            return None;
        }
        let start = i;
        let end = word_end(text, start);
        i = skip_space(text, end);
        Some((start, end, i))
    })
}

/// How a character takes part in text written without spaces (see [`tokens`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// A word of its own: ideographs, hiragana, CJK and full-width marks.
    Single,
    /// Runs of katakana are one word.
    Katakana,
    /// Stays with the character before it: variation selectors, the zero-width joiner,
    /// combining voicing marks.
    Joiner,
    /// Everything else: words of it are whitespace-separated.
    Other,
}

/// The class of a character (see [`Class`]).
fn class(c: char) -> Class {
    match c {
        '\u{200d}' | '\u{3099}'..='\u{309a}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' => {
            Class::Joiner
        }
        '\u{309b}'..='\u{309c}'         // spacing voicing marks
        | '\u{30a0}'..='\u{30fa}'       // katakana (not the middle dot, U+30FB)
        | '\u{30fc}'..='\u{30ff}'       // prolonged sound mark, iteration marks
        | '\u{31f0}'..='\u{31ff}'       // katakana extensions
        | '\u{32d0}'..='\u{32fe}'       // circled katakana
        | '\u{3300}'..='\u{3357}'       // squared katakana words
        | '\u{ff66}'..='\u{ff9f}' => Class::Katakana, // half-width katakana
        '\u{2e80}'..='\u{2fff}'         // radicals, ideographic description
        | '\u{3000}'..='\u{33ff}'       // CJK marks, hiragana, bopomofo, enclosed, squared
        | '\u{3400}'..='\u{4dbf}'       // ideographs, extension A
        | '\u{4e00}'..='\u{9fff}'       // ideographs
        | '\u{f900}'..='\u{faff}'       // compatibility ideographs
        | '\u{fe10}'..='\u{fe1f}'       // vertical forms
        | '\u{fe30}'..='\u{fe6f}'       // compatibility and small forms
        | '\u{ff01}'..='\u{ff0f}'       // full-width marks (not letters and digits)
        | '\u{ff1a}'..='\u{ff20}'
        | '\u{ff3b}'..='\u{ff40}'
        | '\u{ff5b}'..='\u{ff65}'       // and half-width CJK marks
        | '\u{ffe0}'..='\u{ffee}'       // full-width signs
        | '\u{20000}'..='\u{3ffff}' => Class::Single, // ideographs, planes 2 and 3
        _ => Class::Other,
    }
}

/// True when the character at `i` (a boundary, not ASCII) may be a [`Class::Single`] or
/// [`Class::Katakana`] one, by its first two bytes: U+2E80 to U+9FFF, U+F000 to U+FFFF,
/// U+20000 to U+3FFFF. Saves decoding the other characters.
fn may_be_unspaced(b: &[u8], i: usize) -> bool {
    match b[i] {
        0xe2 => b.get(i + 1).is_some_and(|&c| c >= 0xba),
        0xe3..=0xe9 | 0xef => true,
        0xf0 => b.get(i + 1).is_some_and(|&c| c >= 0xa0),
        _ => false,
    }
}

/// The character at byte `i` of `text` (a boundary) with its class, if any.
fn class_at(text: &str, i: usize) -> Option<(char, Class)> {
    text[i..].chars().next().map(|c| (c, class(c)))
}

/// The end of the word that starts at `i` (a non-space character); see [`tokens`].
fn word_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    // The class of the character at `j`, decoded only when its first bytes say it may be
    // written without spaces.
    let unspaced = |j: usize| match b[j] >= 0x80 && may_be_unspaced(b, j) {
        true => class_at(text, j).map_or(Class::Other, |(_, k)| k),
        false => Class::Other,
    };
    let first = unspaced(i);
    let mut j = i;
    if matches!(first, Class::Single | Class::Katakana) {
        let run = first == Class::Katakana;
        j += utf8_len(b[i]);
        while let Some((c, k)) = class_at(text, j) {
            if k != Class::Joiner && !(run && k == Class::Katakana) {
                break;
            }
            j += c.len_utf8();
        }
        return j;
    }
    // Whitespace-separated, up to the next character written without spaces.
    while let Some(&c) = b.get(j) {
        let stop = match c < 0x80 {
            true => c.is_ascii_whitespace() || c == 0x0b,
            false => {
                space_len(text, j) > 0
                    || (j > i && matches!(unspaced(j), Class::Single | Class::Katakana))
            }
        };
        if stop {
            break;
        }
        j += utf8_len(c);
    }
    j
}

/// A text's words as the diff sees them: where each starts (a word runs, with its
/// whitespace, to the next one's start or the end of the text), and an integer per distinct
/// word, shared by both texts of a comparison.
/// Word ids by (word, glued to the next word).
pub(super) type Interner<'a> = FxHashMap<(&'a str, bool), u32>;

pub(super) struct Words {
    /// Byte offsets, as `u32` to halve the memory of a huge text's words (a text of 4 GiB
    /// or more is not split into words: see [`word_chunks`]).
    pub(super) starts: Vec<u32>,
    pub(super) ids: Vec<u32>,
    /// Index of the first word of each line (the first word, and each word after a line
    /// break).
    pub(super) lines: Vec<u32>,
}

impl Words {
    pub(super) fn of<'a>(text: &'a str, ids: &mut Interner<'a>) -> Words {
        // At most one word per space or line break, and one more (more in text without
        // spaces, where the lists then grow): a huge text's lists are not grown by doubling.
        let spaces = text.bytes().filter(|&b| b == b' ' || b == b'\n').count() + 1;
        let capacity = spaces.min(text.len() / 2 + 1);
        let mut words = Words {
            starts: Vec::with_capacity(capacity),
            ids: Vec::with_capacity(capacity),
            lines: Vec::with_capacity(text.len() / 60),
        };
        let mut line_start = true;
        for (start, word_end, ws_end) in tokens(text) {
            let next = ids.len() as u32;
            if line_start {
                words.lines.push(words.starts.len() as u32);
            }
            line_start = memchr::memchr(b'\n', &text.as_bytes()[word_end..ws_end]).is_some();
            words.starts.push(start as u32);
            // A word cut from a run without spaces (`ws_end == word_end` before the end) is
            // glued to the next: it is a different word from the same characters standing
            // alone, so that equal runs group their words alike in both versions.
            let glued = ws_end == word_end && ws_end < text.len();
            words
                .ids
                .push(*ids.entry((&text[start..word_end], glued)).or_insert(next));
        }
        words
    }

    /// Bytes of the words in `r` (with their whitespace), in a text of `len` bytes.
    pub(super) fn span(&self, r: Range<usize>, len: usize) -> Range<usize> {
        self.starts[r.start] as usize..self.starts.get(r.end).map_or(len, |&s| s as usize)
    }
}

/// Length of the UTF-8 sequence that starts with byte `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The result of comparing two section texts word by word.
#[derive(Debug, Clone, Default)]
pub struct WordDiff {
    /// Operations that rebuild both texts (up to runs of whitespace).
    pub ops: Vec<WordOp>,
    /// Words inserted, before small equal islands were folded into changes.
    pub words_added: usize,
    /// Words deleted, likewise.
    pub words_removed: usize,
}

/// One step of the raw diff: equal or changed, up to byte ends (in the compared middle of
/// the texts; each step starts where the one before ended), with the words it holds on the
/// old side (for an equal step, up to `ISLAND_WORDS + 1`).
struct Chunk {
    equal: bool,
    old_end: usize,
    new_end: usize,
    words: usize,
}

/// Above this many bytes on both sides together, texts are compared line by line first, and
/// only the changed stretches between equal lines are split into words; see [`diff_words`].
const LINES_FIRST_BYTES: usize = 6_000;

/// Compares two texts word by word; whitespace differences alone are not changes.
///
/// The words of a common start and end (whole words with the same spacing, found by
/// comparing bytes) are not tokenised or handed to the diff algorithm: they are equal runs
/// whatever lies between. Long texts are then compared line by line, as `git diff
/// --word-diff` does: lines that read the same in both (up to the whitespace around them)
/// are equal runs, and only the changed stretches between them are split into words and
/// compared word by word. That bounds the work of a large rewrite, and of a long text with
/// a small edit, without losing a re-wrapped paragraph (its lines differ, so its words are
/// compared).
pub fn diff_words(old: &str, new: &str) -> WordDiff {
    diff_shared(&SharedText::from(old), &SharedText::from(new))
}

/// [`diff_words`] of two shared texts: the ops are parts of them, not copies.
pub fn diff_shared(old_text: &SharedText, new_text: &SharedText) -> WordDiff {
    let (old, new) = (old_text.as_str(), new_text.as_str());
    let (head, tail) = common_words(old, new);
    let (old_mid, new_mid) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut out = WordDiff::default();
    let mut chunks: Vec<Chunk> = Vec::new();
    // Words as small integers, one table for all stretches (emptied for each).
    let mut words: Interner = FxHashMap::default();
    if old_mid.len() + new_mid.len() < LINES_FIRST_BYTES {
        word_chunks(
            (old_mid, 0),
            (new_mid, 0),
            &mut words,
            &mut chunks,
            &mut out,
        );
    } else {
        line_chunks(old_mid, new_mid, &mut words, &mut chunks, &mut out);
    }
    absorb_islands(&mut chunks);
    for (equal, o, n) in runs(old, new, (head, tail), chunks) {
        if equal {
            let mut text = new_text.slice(n);
            // A word that ends the new text but not the old one keeps its separator,
            // so that the old text still reads word by word.
            if !text.ends_with(char::is_whitespace) {
                let old_run = &old[o];
                let separator = &old_run[old_run.trim_end().len()..];
                if !separator.is_empty() {
                    text.push_str(separator);
                }
            }
            push_op(&mut out.ops, OpKind::Equal, text);
        } else {
            push_op(&mut out.ops, OpKind::Delete, old_text.slice(o));
            push_op(&mut out.ops, OpKind::Insert, new_text.slice(n));
        }
    }
    out
}

/// Long texts: lines first (equal lines become equal chunks), then words inside the lines
/// that differ.
fn line_chunks<'a>(
    old_mid: &'a str,
    new_mid: &'a str,
    words: &mut Interner<'a>,
    chunks: &mut Vec<Chunk>,
    out: &mut WordDiff,
) {
    let (old_lines, new_lines) = (line_ends(old_mid), line_ends(new_mid));
    let mut intern: FxHashMap<&str, u32> = FxHashMap::default();
    let old_ids = line_ids_of(old_mid, &old_lines, &mut intern);
    let new_ids = line_ids_of(new_mid, &new_lines, &mut intern);
    drop(intern);
    let at = |ends: &[usize], i: usize| if i == 0 { 0 } else { ends[i - 1] };
    for op in capture_diff_slices(Algorithm::Histogram, &old_ids, &new_ids) {
        let (tag, a, b) = op.as_tag_tuple();
        let (o, n) = (
            at(&old_lines, a.start)..at(&old_lines, a.end),
            at(&new_lines, b.start)..at(&new_lines, b.end),
        );
        if tag == DiffTag::Equal {
            chunks.push(Chunk {
                equal: true,
                old_end: o.end,
                new_end: n.end,
                words: tokens(&old_mid[o]).take(ISLAND_WORDS + 1).count(),
            });
        } else {
            word_chunks(
                (&old_mid[o.clone()], o.start),
                (&new_mid[n.clone()], n.start),
                words,
                chunks,
                out,
            );
        }
    }
}

/// Short equal islands between two changes become part of the change.
fn absorb_islands(chunks: &mut [Chunk]) {
    for i in 1..chunks.len().saturating_sub(1) {
        if chunks[i].equal
            && chunks[i].words <= ISLAND_WORDS
            && !chunks[i - 1].equal
            && !chunks[i + 1].equal
        {
            chunks[i].equal = false;
        }
    }
}

/// Chunks → byte ranges of the whole texts, with the common start (`head` bytes) and end
/// (`tail` bytes) as equal runs; neighbouring runs of one kind are merged.
fn runs(
    old: &str,
    new: &str,
    (head, tail): (usize, usize),
    chunks: Vec<Chunk>,
) -> Vec<(bool, Range<usize>, Range<usize>)> {
    let lead = |text: &str| text.len() - text.trim_start().len();
    let (mut at_old, mut at_new) = if head > 0 {
        (head, head)
    } else {
        (lead(old), lead(new))
    };
    let mut runs: Vec<(bool, Range<usize>, Range<usize>)> = Vec::with_capacity(chunks.len() + 2);
    if head > 0 {
        runs.push((true, lead(old)..head, lead(new)..head));
    }
    for chunk in chunks {
        let o = at_old..(head + chunk.old_end).max(at_old);
        let n = at_new..(head + chunk.new_end).max(at_new);
        (at_old, at_new) = (o.end, n.end);
        match runs.last_mut() {
            Some((kind, lo, ln)) if *kind == chunk.equal => {
                lo.end = o.end;
                ln.end = n.end;
            }
            _ => runs.push((chunk.equal, o, n)),
        }
    }
    if tail > 0 {
        let (o, n) = (old.len() - tail..old.len(), new.len() - tail..new.len());
        match runs.last_mut() {
            Some((true, lo, ln)) => {
                lo.end = o.end;
                ln.end = n.end;
            }
            _ => runs.push((true, o, n)),
        }
    }
    runs
}

/// The byte end of each line of `text` (after its line break; the last line may have none).
/// Blank lines belong to the line before them: they are not lines of their own, which would
/// give the line diff a great many equal lines to anchor on.
fn line_ends(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends: Vec<usize> = Vec::with_capacity(text.len() / 40);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).map(|i| i + 1) {
        let blank = bytes[start..end].iter().all(u8::is_ascii_whitespace);
        match ends.last_mut() {
            Some(last) if blank => *last = end,
            _ => ends.push(end),
        }
        start = end;
    }
    if start < text.len() {
        ends.push(text.len());
    }
    ends
}

/// One integer per line of `text` (ending at `ends`), the same for lines that read the same
/// up to the whitespace around them.
fn line_ids_of<'a>(
    text: &'a str,
    ends: &[usize],
    intern: &mut FxHashMap<&'a str, u32>,
) -> Vec<u32> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let line = text[std::mem::replace(&mut start, end)..end].trim();
            let next = intern.len() as u32;
            *intern.entry(line).or_insert(next)
        })
        .collect()
}

/// Compares two stretches word by word (each given with its byte offset in the compared
/// texts), appending the steps to `chunks` and counting changed words in `out`.
fn word_chunks<'a>(
    (old, old_at): (&'a str, usize),
    (new, new_at): (&'a str, usize),
    ids: &mut Interner<'a>,
    chunks: &mut Vec<Chunk>,
    out: &mut WordDiff,
) {
    // Words as small integers: hashed once here, then compared and hashed cheaply by the
    // diff algorithm.
    ids.clear();
    // Whitespace that starts the stretches belongs to the step before (a line's indentation
    // follows the line before): an equal step of no words, so that an equal run after a
    // change never carries one side's spacing into a word the other side had glued to the
    // change (`数—` in text without spaces).
    let lead = |t: &str| t.len() - t.trim_start().len();
    let (old_lead, new_lead) = (lead(old), lead(new));
    if old_lead + new_lead > 0 {
        chunks.push(Chunk {
            equal: true,
            old_end: old_at + old_lead,
            new_end: new_at + new_lead,
            words: 0,
        });
    }
    if old.len().max(new.len()) > u32::MAX as usize {
        // Beyond what word offsets hold: the stretch is one change.
        out.words_removed += count_words(old);
        out.words_added += count_words(new);
        chunks.push(Chunk {
            equal: false,
            old_end: old_at + old.len(),
            new_end: new_at + new.len(),
            words: 0,
        });
        return;
    }
    let old_w = Words::of(old, ids);
    let new_w = Words::of(new, ids);
    // Where the words of `r` end; an empty side ends where the step before did (0: the
    // chunk is extended to the previous end when the runs are built).
    let end = |w: &Words, len: usize, r: &Range<usize>, at: usize| match r.is_empty() {
        true => 0,
        false => at + w.starts.get(r.end).map_or(len, |&s| s as usize),
    };
    for op in diff_ids(&old_w.ids, &new_w.ids) {
        let (tag, a, b) = op.as_tag_tuple();
        let equal = tag == DiffTag::Equal;
        if !equal {
            out.words_removed += a.len();
            out.words_added += b.len();
        }
        chunks.push(Chunk {
            equal,
            old_end: end(&old_w, old.len(), &a, old_at),
            new_end: end(&new_w, new.len(), &b, new_at),
            words: a.len(),
        });
    }
}

/// Byte lengths of the longest common start and end of two texts that are made of whole
/// words and their following whitespace (the same in both texts), so that the texts can be
/// cut there without changing how either is tokenised.
fn common_words(old: &str, new: &str) -> (usize, usize) {
    // A word starts at `i`: a non-space character after an ASCII space.
    common_ends(old, new, |text, i| {
        i < text.len()
            && text.is_char_boundary(i)
            && space_len(text, i) == 0
            && text.as_bytes()[i - 1].is_ascii_whitespace()
    })
}

/// Byte lengths of the longest common start and end of two texts made of whole lines.
fn common_lines(old: &str, new: &str) -> (usize, usize) {
    common_ends(old, new, |text, i| text.as_bytes()[i - 1] == b'\n')
}

/// Bytes two texts have in common at their start.
pub(super) fn same_start(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Bytes two texts have in common at their end.
pub(super) fn same_end(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Byte lengths of the longest common start and end of two texts, each ending (start) or
/// beginning (end) at a byte `i` (0 < `i`) where `cut(text, i)` holds in both texts.
fn common_ends(old: &str, new: &str, cut: impl Fn(&str, usize) -> bool) -> (usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let same = same_start(a, b);
    let head = (1..=same)
        .rev()
        .find(|&i| cut(old, i) && cut(new, i))
        .unwrap_or(0);
    let same_end = same_end(&a[head..], &b[head..]);
    let tail = (1..=same_end)
        .rev()
        .find(|&j| {
            let (i, k) = (a.len() - j, b.len() - j);
            i > head && k > head && cut(old, i) && cut(new, k)
        })
        .unwrap_or(0);
    (head, tail)
}

fn push_op(ops: &mut Vec<WordOp>, op: OpKind, text: SharedText) {
    if !text.is_empty() {
        ops.push(WordOp {
            op,
            text,
            moved: false,
        });
    }
}

/// Number of words in a text, as the word diff counts them (see `tokens`).
pub fn count_words(text: &str) -> usize {
    tokens(text).count()
}

/// True when two sections differ only in ways a reader would not call a change:
/// whitespace and line wrapping, Markdown emphasis and escapes, list bullet style, smart vs
/// straight quotes and dashes, and a heading's level, case, numbering or emphasis.
pub fn is_cosmetic(old: &Section, new: &Section) -> bool {
    if old.key != new.key
        || old.heading.is_empty() != new.heading.is_empty()
        || !same_symbols(&old.heading, &new.heading)
    {
        return false;
    }
    // Lines the two bodies share at their start and end read the same; word by word, without
    // allocating, through the rest: most calls stop at the first real difference.
    let (old_body, new_body) = (&old.text[old.heading_len..], &new.text[new.heading_len..]);
    read_the_same(old_body, new_body, common_lines(old_body, new_body))
}

/// Whether two headings with one key hold the same symbols (`$`, `€`, `%`, `+`, `/`…): the key
/// keeps only letters and digits, and `Fee $10` → `Fee £10` is a change, not formatting.
fn same_symbols(old: &str, new: &str) -> bool {
    fn symbols(h: &str) -> impl Iterator<Item = char> + '_ {
        crate::document::strip_numbering(h).chars().filter(|&c| {
            !c.is_alphanumeric()
                && !c.is_whitespace()
                && !".,:;!?'\"’‘“”«»()[]-–—*_\\`#".contains(c)
        })
    }
    symbols(old).eq(symbols(new))
}

/// True when two bodies have the same words once formatting is removed.
pub fn bodies_read_the_same(old: &str, new: &str) -> bool {
    read_the_same(old, new, common_lines(old, new))
}

/// True when two bodies have the same words once formatting is removed, given the byte
/// lengths of their common start and end (whole lines).
fn read_the_same(old: &str, new: &str, (head, tail): (usize, usize)) -> bool {
    let mut a = normalized_words(&old[head..old.len() - tail]);
    let mut b = normalized_words(&new[head..new.len() - tail]);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if normalized_chars(x).eq(normalized_chars(y)) => {}
            _ => return false,
        }
    }
}

/// The words of a body that still say something once formatting is removed.
fn normalized_words(body: &str) -> impl Iterator<Item = &str> + '_ {
    body.lines()
        .map(|line| {
            let t = line.trim_start();
            // "* item", "- item", "+ item" are one list item whatever the bullet.
            match t.strip_prefix(['*', '-', '+']) {
                Some(rest) if rest.starts_with(char::is_whitespace) => rest,
                _ => t,
            }
        })
        .flat_map(str::split_whitespace)
        .filter(|w| normalized_chars(w).next().is_some())
}

/// A word's characters without emphasis and escapes, with quotes, dashes and ellipses made plain.
fn normalized_chars(word: &str) -> impl Iterator<Item = char> + '_ {
    word.chars().flat_map(|c| {
        let (chars, n) = match c {
            '*' | '_' | '\\' | '`' => ([' '; 3], 0),
            '‘' | '’' | '‚' | '‛' | '′' => (['\'', ' ', ' '], 1),
            '“' | '”' | '„' | '‟' | '″' => (['"', ' ', ' '], 1),
            '–' | '—' | '‐' | '‑' | '‒' | '−' => (['-', ' ', ' '], 1),
            '…' => (['.'; 3], 3),
            c => ([c, ' ', ' '], 1),
        };
        chars.into_iter().take(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::OpKind::*;
    use proptest::strategy::Strategy;

    #[test]
    fn short_equal_islands_between_changes_join_the_change() {
        let chunk = |equal, words| Chunk {
            equal,
            old_end: 0,
            new_end: 0,
            words,
        };
        let mut chunks = vec![
            chunk(true, 1),
            chunk(false, 0),
            chunk(true, ISLAND_WORDS),
            chunk(false, 0),
            chunk(true, ISLAND_WORDS + 1),
            chunk(false, 0),
            chunk(true, 1),
        ];
        absorb_islands(&mut chunks);
        let equal: Vec<bool> = chunks.iter().map(|c| c.equal).collect();
        // The ends stay equal whatever their length; only the short island between changes
        // is absorbed.
        assert_eq!(equal, [true, false, false, false, true, false, true]);
    }

    fn texts() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "we", "keep", "data", "30", "days", "é", "—", " ", " ", " ", "  ", "\n", "\n\n",
                "\u{a0}", "\t", "数", "据", "；", "カナ",
            ]),
            0..30,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn cut_diffs_rebuild_both_texts(
            old in texts(), new in texts(), shared in texts(), end in texts(),
        ) {
            // Shared starts and ends make the cut matter.
            rebuilds_both(&format!("{shared}{old}{end}"), &format!("{shared}{new}{end}"))?;
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn long_diffs_rebuild_both_texts(
            lines in proptest::collection::vec(texts(), 200..300),
            edits in proptest::collection::vec((0..200usize, texts()), 0..6),
        ) {
            // Long enough to be compared line by line first, with edits here and there.
            let old = lines.join("\n");
            let mut new_lines = lines.clone();
            for (at, text) in edits {
                new_lines[at] = text;
            }
            let new = new_lines.join("\n");
            proptest::prop_assume!(old.len() + new.len() >= LINES_FIRST_BYTES);
            rebuilds_both(&old, &new)?;
        }
    }

    /// Equal and deleted words are the old text, equal and inserted the new one; the
    /// counts add up; the common start and end are never reported as changed.
    fn rebuilds_both(old: &str, new: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let d = diff_words(old, new);
        // Joined before splitting: in text without spaces an op may end inside a run.
        let side = |skip: OpKind| {
            d.ops
                .iter()
                .filter(|o| o.op != skip)
                .map(|o| o.text.as_str())
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        proptest::prop_assert_eq!(side(Insert), old.split_whitespace().collect::<Vec<_>>());
        proptest::prop_assert_eq!(side(Delete), new.split_whitespace().collect::<Vec<_>>());
        proptest::prop_assert_eq!(
            d.words_added as isize - d.words_removed as isize,
            count_words(new) as isize - count_words(old) as isize
        );
        let (head, tail) = common_words(old, new);
        let changed: usize = d
            .ops
            .iter()
            .filter(|o| o.op == Insert)
            .map(|o| o.text.len())
            .sum();
        proptest::prop_assert!(changed <= new.len() - head - tail);
        Ok(())
    }

    #[test]
    fn long_texts_report_only_what_changed() {
        // 120 paragraphs between blank lines: one word changed, one paragraph re-wrapped
        // (whitespace only), one paragraph added.
        let para =
            |i: usize| format!("Clause {i} says that party {i} keeps record {i} for {i} days.");
        let old: Vec<String> = (0..120).map(para).collect();
        let mut new = old.clone();
        new[40] = new[40].replace("keeps", "stores");
        new[80] = new[80].replace(" record", "\nrecord");
        new.insert(100, "An entirely new paragraph of seven words.".to_string());
        let (old, new) = (old.join("\n\n"), new.join("\n\n"));
        assert!(old.len() + new.len() >= LINES_FIRST_BYTES);
        let d = diff_words(&old, &new);
        assert_eq!((d.words_added, d.words_removed), (1 + 7, 1));
        let deleted: Vec<&str> = d
            .ops
            .iter()
            .filter(|o| o.op == Delete)
            .map(|o| o.text.trim())
            .collect();
        assert_eq!(deleted, ["keeps"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn shared_lines_do_not_change_the_cosmetic_test(
            old in texts(), new in texts(), shared in texts(), end in texts(),
            bullets in proptest::bool::ANY,
        ) {
            // List items whose bullets differ between the versions.
            let mark = |t: String, bullet: &str| match bullets {
                true => t.replace("keep", &format!("\n{bullet} keep")),
                false => t,
            };
            let old = mark(format!("{shared}{old}{end}"), "*");
            let new = mark(format!("{shared}{new}{end}"), "-");
            let cut = common_lines(&old, &new);
            proptest::prop_assert_eq!(
                read_the_same(&old, &new, cut),
                read_the_same(&old, &new, (0, 0)),
                "{:?} {:?} {:?}", old, new, cut
            );
        }

        #[test]
        fn tokens_are_the_whitespace_separated_words(text in "[a \\t\\n\\r\u{a0}\u{2003}\u{85}é€😀\u{b}\u{c}.]{0,40}") {
            let words: Vec<&str> = tokens(&text).map(|(s, w, _)| &text[s..w]).collect();
            proptest::prop_assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
            let rebuilt: String = tokens(&text).map(|(s, _, e)| &text[s..e]).collect();
            proptest::prop_assert_eq!(rebuilt.as_str(), text.trim_start());
        }
    }

    #[test]
    fn text_without_spaces_is_cut_into_words() {
        let text = "我们收集您的信息。 See 隐私政策(Privacy) カタカナです\n";
        let words: Vec<&str> = tokens(text).map(|(s, w, _)| &text[s..w]).collect();
        assert_eq!(
            words,
            [
                "我",
                "们",
                "收",
                "集",
                "您",
                "的",
                "信",
                "息",
                "。",
                "See",
                "隐",
                "私",
                "政",
                "策",
                "(Privacy)",
                "カタカナ",
                "で",
                "す"
            ]
        );
        let rebuilt: String = tokens(text).map(|(s, _, e)| &text[s..e]).collect();
        assert_eq!(rebuilt, text);
        assert_eq!(count_words(text), 18);
        // A zero-width no-break space (U+FEFF) in a link is no reason to cut the link.
        assert_eq!(
            count_words("see\u{feff}[https://example.com/a](https://example.com/a) now"),
            2
        );
        // A changed Chinese sentence is several changed words, not one.
        let d = diff_words("我们收集您的邮箱。\n", "我们收集您的电话号码。\n");
        assert_eq!((d.words_removed, d.words_added), (2, 4));
        assert_eq!(
            d.ops
                .iter()
                .map(|o| (o.op, o.text.as_str()))
                .collect::<Vec<_>>(),
            [
                (Equal, "我们收集您的"),
                (Delete, "邮箱"),
                (Insert, "电话号码"),
                (Equal, "。\n")
            ]
        );
    }

    /// Inserting one full-width mark into a long run without spaces changes only the words
    /// next to it: the rest of the run is cut the same way in both versions, whatever
    /// characters it holds (Latin names listed without spaces, kanji, kana).
    #[test]
    fn one_mark_in_a_long_run_changes_only_the_words_near_it() {
        let names = [
            "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
            "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa",
        ];
        let runs = [
            // Partner names joined by ASCII marks, as a Japanese list may give them.
            format!("提携先は次のとおりです。 {} などです。\n", names.join("/")),
            // Kanji, kana and Latin glued together.
            format!("当社は{}の各社とデータを共有します。\n", names.join("、")),
        ];
        for old in &runs {
            let new = old.replacen("Golf", "Golf！", 1);
            assert_ne!(&new, old);
            let d = diff_words(old, &new);
            // At most: the word the mark cuts in two, removed; its halves and the mark,
            // added.
            assert!(
                d.words_added + d.words_removed <= 4,
                "{} added, {} removed: {:?}",
                d.words_added,
                d.words_removed,
                d.ops
            );
            let words = |t: &str| count_words(t) as isize;
            assert!((1..=2).contains(&(words(&new) - words(old))), "{new}");
        }
    }

    fn mixed_texts() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "bc", "1", ".", "(", " ", "\n", "漢", "字", "の", "。", "、", "！", "カ",
                "ナ", "ー", "・", "Ａ", "\u{fe00}", "\u{3099}", "\u{3000}",
            ]),
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Where words end depends only on the characters around: one character inserted
        /// anywhere changes at most the word it cuts in two (removed; its halves and the
        /// character added), whatever the rest of the text holds.
        #[test]
        fn one_character_inserted_changes_only_the_words_around_it(
            text in mixed_texts(),
            at in 0..200usize,
            c in proptest::sample::select(vec!['x', '！', '漢', 'ン', ' ', '・', '\u{fe01}']),
        ) {
            let at = text.char_indices().map(|(i, _)| i).chain([text.len()]).nth(at % (text.chars().count() + 1)).unwrap();
            let mut new = text.clone();
            new.insert(at, c);
            let d = diff_words(&text, &new);
            proptest::prop_assert!(
                d.words_added + d.words_removed <= 4,
                "{:?} -> {:?}: {:?}", text, new, d.ops
            );
        }
    }

    fn ops(old: &str, new: &str) -> Vec<(OpKind, String)> {
        diff_words(old, new)
            .ops
            .into_iter()
            .map(|o| (o.op, o.text.to_string()))
            .collect()
    }

    /// Huge word lists go the piece-first way: a list rewritten throughout is one
    /// replacement (no word-by-word search), and scattered edits stay fine-grained; the steps
    /// always cover both lists in order, equal steps over equal words.
    #[test]
    fn huge_word_lists_are_compared_piece_by_piece() {
        let covers = |old: &[u32], new: &[u32], ops: &[similar::DiffOp]| {
            let (mut o, mut n) = (0, 0);
            for op in ops {
                let (tag, a, b) = op.as_tag_tuple();
                assert_eq!((a.start, b.start), (o, n), "{op:?}");
                if tag == DiffTag::Equal {
                    assert_eq!(old[a.clone()], new[b.clone()]);
                }
                (o, n) = (a.end, b.end);
            }
            assert_eq!((o, n), (old.len(), new.len()));
        };
        let old: Vec<u32> = (0..100_000).collect();
        let new: Vec<u32> = (100_000..200_000).collect();
        assert!(old.len() + new.len() > PIECES_FIRST);
        let ops = diff_ids(&old, &new);
        assert_eq!(
            ops,
            [similar::DiffOp::Replace {
                old_index: 0,
                old_len: 100_000,
                new_index: 0,
                new_len: 100_000
            }]
        );
        let old: Vec<u32> = (0..200_000).collect();
        let mut new = old.clone();
        for i in (500..new.len()).step_by(1000) {
            new[i] = 1_000_000 + i as u32;
        }
        let ops = diff_ids(&old, &new);
        covers(&old, &new, &ops);
        let changed: Vec<_> = ops.iter().filter(|o| o.tag() != DiffTag::Equal).collect();
        assert_eq!(changed.len(), 200, "one step per edit");
        assert!(
            changed
                .iter()
                .all(|o| o.old_range().len() == 1 && o.new_range().len() == 1)
        );
    }

    #[test]
    fn reflow_is_equal() {
        let d = diff_words("We keep your\ndata safe.\n", "We keep your data\nsafe.\n");
        assert_eq!(d.ops.len(), 1);
        assert_eq!(d.ops[0].op, Equal);
        assert_eq!((d.words_added, d.words_removed), (0, 0));
    }

    #[test]
    fn replacement_shows_delete_then_insert() {
        assert_eq!(
            ops("We keep data for 30 days.", "We keep data for 90 days."),
            [
                (Equal, "We keep data for ".to_string()),
                (Delete, "30 ".to_string()),
                (Insert, "90 ".to_string()),
                (Equal, "days.".to_string()),
            ]
        );
    }

    #[test]
    fn small_islands_are_folded() {
        let d = diff_words("one two three four five", "one TWO three FOUR five");
        assert_eq!(
            d.ops
                .iter()
                .map(|o| (o.op, o.text.as_str()))
                .collect::<Vec<_>>(),
            [
                (Equal, "one "),
                (Delete, "two three four "),
                (Insert, "TWO three FOUR "),
                (Equal, "five")
            ]
        );
        assert_eq!((d.words_added, d.words_removed), (2, 2));
    }

    #[test]
    fn words_stay_apart_when_the_new_text_ends_early() {
        let d = diff_words("keep this word\n", "keep this");
        let old: String = d
            .ops
            .iter()
            .filter(|o| o.op != Insert)
            .map(|o| o.text.as_str())
            .collect();
        assert_eq!(
            old.split_whitespace().collect::<Vec<_>>(),
            ["keep", "this", "word"]
        );
    }

    fn section(heading: &str, text: &str) -> Section {
        let heading_len = text.find('\n').map_or(text.len(), |i| i + 1);
        Section {
            heading: heading.into(),
            level: 2,
            text: text.into(),
            heading_len,
            parent: None,
            key: crate::document::heading_key(heading),
            parent_key: String::new(),
            shingles: Default::default(),
        }
    }

    #[test]
    fn cosmetic_edits() {
        let a = section(
            "Cookies",
            "### Cookies\n\nWe use *cookies* — “small” files,\nfor login.\n\n* one\n* two\n",
        );
        let b = section(
            "COOKIES",
            "## COOKIES\n\nWe use cookies - \"small\" files, for login.\n\n- one\n- two\n",
        );
        assert!(is_cosmetic(&a, &b));
        let c = section(
            "COOKIES",
            "## COOKIES\n\nWe use cookies - \"small\" files, for ads.\n",
        );
        assert!(!is_cosmetic(&a, &c));
        let renumbered = section("3. YOUR ACCOUNT", "3. YOUR ACCOUNT\n\nKeep it safe.\n");
        let original = section("2. YOUR ACCOUNT", "2. YOUR ACCOUNT\n\nKeep it safe.\n");
        assert!(is_cosmetic(&original, &renumbered));
    }
}
