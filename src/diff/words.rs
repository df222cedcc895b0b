//! Word-level changes inside a section, and the test for cosmetic-only edits.

use super::{OpKind, WordOp};
use crate::document::{Section, heading_key};
use similar::{Algorithm, DiffTag, capture_diff_slices};

/// Equal runs of at most this many words between two changes are folded into the change,
/// so that "a [-b-]{+x+} c [-d-]{+y+}" reads as one replacement instead of confetti.
const ISLAND_WORDS: usize = 2;

/// A word and the whitespace after it, as slices of the section text.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    word: &'a str,
    full: &'a str,
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::with_capacity(text.len() / 6);
    let bytes = text.as_bytes();
    let mut i = text.len() - text.trim_start().len();
    while i < bytes.len() {
        let rest = &text[i..];
        let word_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = &rest[word_len..];
        let ws_len = after.len() - after.trim_start().len();
        tokens.push(Token {
            word: &rest[..word_len],
            full: &rest[..word_len + ws_len],
        });
        i += word_len + ws_len;
    }
    tokens
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

/// One step of the raw diff, over token ranges.
enum Chunk {
    Equal(std::ops::Range<usize>, std::ops::Range<usize>),
    Change(std::ops::Range<usize>, std::ops::Range<usize>),
}

/// Compares two texts word by word; whitespace differences alone are not changes.
pub fn diff_words(old: &str, new: &str) -> WordDiff {
    let old_t = tokenize(old);
    let new_t = tokenize(new);
    let old_words: Vec<&str> = old_t.iter().map(|t| t.word).collect();
    let new_words: Vec<&str> = new_t.iter().map(|t| t.word).collect();
    let raw = capture_diff_slices(Algorithm::Myers, &old_words, &new_words);

    let mut out = WordDiff::default();
    let mut chunks: Vec<Chunk> = Vec::with_capacity(raw.len());
    for op in &raw {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            chunks.push(Chunk::Equal(o, n));
        } else {
            out.words_removed += o.len();
            out.words_added += n.len();
            chunks.push(Chunk::Change(o, n));
        }
    }
    // Short equal islands between two changes become part of the change.
    for i in 1..chunks.len().saturating_sub(1) {
        if let Chunk::Equal(o, n) = &chunks[i]
            && o.len() <= ISLAND_WORDS
            && matches!(chunks[i - 1], Chunk::Change(..))
            && matches!(chunks[i + 1], Chunk::Change(..))
        {
            chunks[i] = Chunk::Change(o.clone(), n.clone());
        }
    }
    let mut merged: Vec<Chunk> = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        match (chunk, merged.last_mut()) {
            (Chunk::Change(o, n), Some(Chunk::Change(lo, ln))) => {
                lo.end = o.end;
                ln.end = n.end;
            }
            (chunk, _) => merged.push(chunk),
        }
    }
    let join = |tokens: &[Token]| tokens.iter().map(|t| t.full).collect::<String>();
    for chunk in merged {
        match chunk {
            Chunk::Equal(o, n) => {
                let mut text = join(&new_t[n.clone()]);
                // A word that ends the new text but not the old one keeps its separator,
                // so that the old text still reads word by word.
                if !text.ends_with(char::is_whitespace)
                    && let Some(last) = old_t[o].last()
                {
                    text.push_str(&last.full[last.word.len()..]);
                }
                push_op(&mut out.ops, OpKind::Equal, text);
            }
            Chunk::Change(o, n) => {
                push_op(&mut out.ops, OpKind::Delete, join(&old_t[o]));
                push_op(&mut out.ops, OpKind::Insert, join(&new_t[n]));
            }
        }
    }
    out
}

fn push_op(ops: &mut Vec<WordOp>, op: OpKind, text: String) {
    if !text.is_empty() {
        ops.push(WordOp { op, text });
    }
}

/// Number of words (whitespace-separated) in a text.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// True when two sections differ only in ways a reader would not call a change:
/// whitespace and line wrapping, Markdown emphasis and escapes, list bullet style, smart vs
/// straight quotes and dashes, and a heading's level, case, numbering or emphasis.
pub fn is_cosmetic(old: &Section, new: &Section) -> bool {
    if heading_key(&old.heading) != heading_key(&new.heading)
        || old.heading.is_empty() != new.heading.is_empty()
    {
        return false;
    }
    // Word by word, without allocating: most calls stop at the first real difference.
    let mut a = normalized_words(&old.text[old.heading_len..]);
    let mut b = normalized_words(&new.text[new.heading_len..]);
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

    fn ops(old: &str, new: &str) -> Vec<(OpKind, String)> {
        diff_words(old, new)
            .ops
            .into_iter()
            .map(|o| (o.op, o.text))
            .collect()
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
