//! Scanning text for whitespace and words, byte by byte (only characters beyond ASCII are
//! decoded), and the fingerprint of a section's body that sections are compared by.

use std::hash::Hasher;

/// The index after the whitespace starting at `i`.
pub(crate) fn skip_space(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            if !(c.is_ascii_whitespace() || c == 0x0b) {
                return i;
            }
            i += 1;
        } else {
            match space_len(text, i) {
                0 => return i,
                n => i += n,
            }
        }
    }
    i
}

/// Byte length of the whitespace character at `i` (a character boundary), or 0. ASCII is
/// decided on the byte; other characters are decoded (no-break and other Unicode spaces).
pub(crate) fn space_len(text: &str, i: usize) -> usize {
    match text.as_bytes().get(i) {
        None => 0,
        Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => 1,
        Some(&b) if b < 0x80 => 0,
        Some(_) => text[i..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
    }
}

/// The whitespace-separated words of `text` without the punctuation around them (empty ones
/// left out): what `text.split_whitespace()` gives, each trimmed of characters that are not
/// alphanumeric.
pub(crate) fn bare_words(text: &str) -> impl Iterator<Item = &str> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            let start = skip_space(text, i);
            if start >= bytes.len() {
                return None;
            }
            let mut end = start;
            let mut ascii = true;
            while let Some(&b) = bytes.get(end) {
                if b < 0x80 {
                    if b.is_ascii_whitespace() || b == 0x0b {
                        break;
                    }
                    end += 1;
                } else {
                    if space_len(text, end) > 0 {
                        break;
                    }
                    ascii = false;
                    end += text[end..].chars().next().map_or(1, char::len_utf8);
                }
            }
            i = end;
            let word = &text[start..end];
            let bare = if ascii {
                word.trim_matches(|c: char| !c.is_ascii_alphanumeric())
            } else {
                word.trim_matches(|c: char| !c.is_alphanumeric())
            };
            if !bare.is_empty() {
                return Some(bare);
            }
        }
    })
}

/// Sorted, deduplicated hashes of the consecutive word pairs of `body` (of its one word, when
/// it has one), words compared without the punctuation around them. Two bodies are as alike
/// as their shingles overlap.
pub(crate) fn shingles(body: &str) -> Vec<u64> {
    let words: Vec<u64> = bare_words(body)
        .map(|w| {
            let mut h = rustc_hash::FxHasher::default();
            h.write(w.as_bytes());
            h.finish()
        })
        .collect();
    // Each pair in the place of its first word: a huge section needs no second list.
    let mut pairs = words;
    if pairs.len() > 1 {
        for i in 0..pairs.len() - 1 {
            pairs[i] = pairs[i].rotate_left(17) ^ pairs[i + 1].wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        pairs.pop();
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// A section's `shingles`, computed once, when first asked for: a document is compared
/// with the version before it and the one after, and its sections' shingles serve both. A
/// cache, not part of the section's value: it compares equal whatever it holds.
#[derive(Clone, Default)]
pub struct Shingles(std::sync::OnceLock<Vec<u64>>);

impl Shingles {
    pub(crate) fn get_or_compute(&self, body: &str) -> &[u64] {
        self.0.get_or_init(|| shingles(body))
    }
}

impl PartialEq for Shingles {
    fn eq(&self, _: &Shingles) -> bool {
        true
    }
}

impl Eq for Shingles {}

impl std::fmt::Debug for Shingles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shingles")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bare_words_are_the_trimmed_whitespace_separated_words(
            text in "[a-zé日 \u{a0}\u{3000}\t\n.,:;«»'’()0-9-]{0,60}"
        ) {
            let expected: Vec<&str> = text
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .collect();
            prop_assert_eq!(bare_words(&text).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn shingles_ignore_punctuation_and_spacing() {
        assert_eq!(
            shingles("We keep your data, for 30 days."),
            shingles("We  keep\nyour data for (30) days")
        );
        assert_ne!(shingles("We keep your data"), shingles("We sell your data"));
        assert_eq!(shingles("Alone").len(), 1);
        assert!(shingles(" ... ").is_empty());
    }
}
