//! One word diff across several neighbouring sections, for where section boundaries moved.
//!
//! When a heading is put over text that existed, or taken away so that its text joins the
//! section before, diffing section by section shows that text removed from one section and
//! added to another. Here the words of a run of neighbouring rows (old sections in old order,
//! new sections in new order) are diffed as one text, and each change is attributed to the
//! row its words belong to. Words that are equal in the joint diff but belong to different
//! rows are *moved*: a delete in one row and an insert in the other, flagged so, and not
//! counted as words added or removed.

use super::words::Words;
use super::{OpKind, WordOp};
use rustc_hash::FxHashMap;
use std::ops::Range;

/// An equal run of at least this many words whose old words are in one row and new words in
/// another is text that moved between sections; shorter ones are chance matches of common
/// words (or a heading's `##`), reported as removed and added.
const MIN_MOVED: usize = 5;
/// Equal islands of at most this many words between two changes of a row are folded into
/// the change (as in the section word diff).
const ISLAND_WORDS: usize = 2;
/// A joint diff is skipped (the rows are diffed one by one) when the Myers work it may take,
/// estimated as words × the fewest changed words, exceeds this.
const MAX_WORK: usize = 400_000_000;

/// The word diff of one row of a joint diff.
#[derive(Debug, Clone, Default)]
pub struct RowOps {
    /// Operations that rebuild the row's old text (equal + delete) and new text (equal +
    /// insert).
    pub ops: Vec<WordOp>,
    /// Words inserted, not counting moved text.
    pub words_added: usize,
    /// Words deleted, not counting moved text.
    pub words_removed: usize,
    /// Words moved in from another row or out to another row.
    pub words_moved: usize,
    /// Of those, the words whose other row is a section in both versions: text that stayed
    /// in the document around this row (a heading put over it, or taken away from it), not
    /// text shared with a section that went away or came new.
    pub words_moved_kept: usize,
}

/// The words of one side (old or new) of a joint diff.
struct Side<'a> {
    texts: &'a [&'a str],
    words: Vec<Words>,
    /// Word ids of all texts, one after the other.
    ids: Vec<u32>,
    /// Index of the first word of each text in `ids`, and the total at the end.
    first: Vec<usize>,
    /// Index in `ids` of the first word of each line.
    lines: Vec<u32>,
}

impl<'a> Side<'a> {
    fn of(texts: &'a [&'a str], intern: &mut super::words::Interner<'a>) -> Side<'a> {
        let words: Vec<Words> = texts.iter().map(|t| Words::of(t, intern)).collect();
        let mut first = Vec::with_capacity(texts.len() + 1);
        let mut ids = Vec::with_capacity(words.iter().map(|w| w.ids.len()).sum());
        let mut lines = Vec::with_capacity(words.iter().map(|w| w.lines.len()).sum());
        for w in &words {
            first.push(ids.len());
            lines.extend(w.lines.iter().map(|&l| l + ids.len() as u32));
            ids.extend_from_slice(&w.ids);
        }
        first.push(ids.len());
        Side {
            texts,
            words,
            ids,
            first,
            lines,
        }
    }

    /// Splits a range of joint word indices at text boundaries: (text, local range) pieces.
    fn pieces(&self, r: Range<usize>) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        let mut at = r.start;
        let mut text = self.first.partition_point(|&f| f <= at).saturating_sub(1);
        std::iter::from_fn(move || {
            while at < r.end {
                let end = self.first[text + 1].min(r.end);
                if end > at {
                    let piece = (text, at - self.first[text]..end - self.first[text]);
                    at = end;
                    return Some(piece);
                }
                text += 1;
            }
            None
        })
    }

    /// The text of words `r` of text `k`, each with the whitespace after it.
    fn text(&self, k: usize, r: Range<usize>) -> &'a str {
        let text = self.texts[k];
        &text[self.words[k].span(r, text.len())]
    }
}

/// What a row holds of one step of the joint diff (local word ranges).
#[derive(Debug, Clone)]
enum Piece {
    Equal(Range<usize>, Range<usize>),
    Delete(Range<usize>),
    Insert(Range<usize>),
    MovedOut(Range<usize>),
    MovedIn(Range<usize>),
}

/// Diffs the texts of a run of rows as one text. `old` and `new` are the rows' section texts
/// in document order; `rows[r]` names the old and new text of row `r` (indices into `old` and
/// `new`). Returns one [`RowOps`] per row, or `None` when the diff would cost too much (the
/// texts have too little in common for their size).
pub fn diff_rows(
    old: &[&str],
    new: &[&str],
    rows: &[(Option<usize>, Option<usize>)],
) -> Option<Vec<RowOps>> {
    let mut intern: super::words::Interner = FxHashMap::default();
    let o = Side::of(old, &mut intern);
    let n = Side::of(new, &mut intern);
    if work_estimate(&o.ids, &n.ids) > MAX_WORK {
        return None;
    }
    drop(intern);
    let mut old_row = vec![usize::MAX; old.len()];
    let mut new_row = vec![usize::MAX; new.len()];
    for (r, &(a, b)) in rows.iter().enumerate() {
        if let Some(a) = a {
            old_row[a] = r;
        }
        if let Some(b) = b {
            new_row[b] = r;
        }
    }
    let mut pieces: Vec<Vec<Piece>> = vec![Vec::new(); rows.len()];
    let mut out: Vec<RowOps> = vec![RowOps::default(); rows.len()];
    for (equal, or, nr) in super::words::diff_word_lists(&o.ids, &o.lines, &n.ids, &n.lines) {
        match equal {
            true => {
                // Walk both sides together, cutting wherever either side changes text.
                let mut at = 0;
                while at < or.len() {
                    let (ko, lo) = o.pieces(or.start + at..or.end).next().expect("in range");
                    let (kn, ln) = n.pieces(nr.start + at..nr.end).next().expect("in range");
                    let len = lo.len().min(ln.len());
                    let (lo, ln) = (lo.start..lo.start + len, ln.start..ln.start + len);
                    let (ro, rn) = (old_row[ko], new_row[kn]);
                    if ro == rn {
                        pieces[ro].push(Piece::Equal(lo, ln));
                    } else if len >= MIN_MOVED {
                        out[ro].words_moved += len;
                        out[rn].words_moved += len;
                        let kept = |r: usize| rows[r].0.is_some() && rows[r].1.is_some();
                        if kept(rn) {
                            out[ro].words_moved_kept += len;
                        }
                        if kept(ro) {
                            out[rn].words_moved_kept += len;
                        }
                        pieces[ro].push(Piece::MovedOut(lo));
                        pieces[rn].push(Piece::MovedIn(ln));
                    } else {
                        out[ro].words_removed += len;
                        out[rn].words_added += len;
                        pieces[ro].push(Piece::Delete(lo));
                        pieces[rn].push(Piece::Insert(ln));
                    }
                    at += len;
                }
            }
            false => {
                for (k, r) in o.pieces(or) {
                    out[old_row[k]].words_removed += r.len();
                    pieces[old_row[k]].push(Piece::Delete(r));
                }
                for (k, r) in n.pieces(nr) {
                    out[new_row[k]].words_added += r.len();
                    pieces[new_row[k]].push(Piece::Insert(r));
                }
            }
        }
    }
    for (r, row_pieces) in pieces.into_iter().enumerate() {
        let (ko, kn) = rows[r];
        out[r].ops = row_ops(&o, &n, ko, kn, row_pieces);
    }
    Some(out)
}

/// An upper estimate of the Myers work for two word lists: their length times the fewest
/// words that must change (those not shared, counted as multisets).
fn work_estimate(old: &[u32], new: &[u32]) -> usize {
    let total = old.len() + new.len();
    total.saturating_mul(total - 2 * super::words::shared_words(old, new))
}

/// Turns a row's pieces into ops: short equal islands between changes are folded into them,
/// neighbouring pieces of one kind are merged, and each piece becomes its text.
fn row_ops(
    o: &Side,
    n: &Side,
    ko: Option<usize>,
    kn: Option<usize>,
    mut pieces: Vec<Piece>,
) -> Vec<WordOp> {
    let is_change = |p: &Piece| !matches!(p, Piece::Equal(..));
    for i in 1..pieces.len().saturating_sub(1) {
        if let Piece::Equal(a, b) = &pieces[i]
            && a.len() <= ISLAND_WORDS
            && is_change(&pieces[i - 1])
            && is_change(&pieces[i + 1])
        {
            let (a, b) = (a.clone(), b.clone());
            pieces[i] = Piece::Delete(a);
            pieces.insert(i + 1, Piece::Insert(b));
        }
    }
    // Within a run of changes, deletions come before insertions and neighbouring ranges of
    // one kind are merged.
    let mut ops: Vec<WordOp> = Vec::new();
    let mut run: Vec<(OpKind, bool, Range<usize>)> = Vec::new();
    let flush = |run: &mut Vec<(OpKind, bool, Range<usize>)>, ops: &mut Vec<WordOp>| {
        run.sort_by_key(|(kind, _, _)| *kind == OpKind::Insert);
        let mut merged: Vec<(OpKind, bool, Range<usize>)> = Vec::new();
        for (kind, moved, r) in run.drain(..) {
            match merged.last_mut() {
                Some((k, m, last)) if *k == kind && *m == moved && last.end == r.start => {
                    last.end = r.end;
                }
                _ => merged.push((kind, moved, r)),
            }
        }
        for (kind, moved, r) in merged {
            let text = match kind {
                OpKind::Delete => o.text(ko.expect("a deletion has an old text"), r),
                _ => n.text(kn.expect("an insertion has a new text"), r),
            };
            push(ops, kind, moved, text.to_string());
        }
    };
    for piece in pieces {
        match piece {
            Piece::Equal(a, b) => {
                flush(&mut run, &mut ops);
                let mut text = n.text(kn.expect("equal text is in both"), b).to_string();
                // A word that ends the new text but not the old one keeps its separator, so
                // that the old text still reads word by word.
                if !text.ends_with(char::is_whitespace) {
                    let old = o.text(ko.expect("equal text is in both"), a);
                    text.push_str(&old[old.trim_end().len()..]);
                }
                push(&mut ops, OpKind::Equal, false, text);
            }
            Piece::Delete(r) => run.push((OpKind::Delete, false, r)),
            Piece::Insert(r) => run.push((OpKind::Insert, false, r)),
            Piece::MovedOut(r) => run.push((OpKind::Delete, true, r)),
            Piece::MovedIn(r) => run.push((OpKind::Insert, true, r)),
        }
    }
    flush(&mut run, &mut ops);
    ops
}

fn push(ops: &mut Vec<WordOp>, op: OpKind, moved: bool, text: String) {
    if text.is_empty() {
        return;
    }
    match ops.last_mut() {
        Some(last) if last.op == op && last.moved == moved => last.text.push_str(&text),
        _ => ops.push(WordOp {
            op,
            text: text.into(),
            moved,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(ops: &[WordOp]) -> Vec<String> {
        ops.iter()
            .map(|o| {
                let mark = match (o.op, o.moved) {
                    (OpKind::Equal, _) => "=",
                    (OpKind::Delete, false) => "-",
                    (OpKind::Insert, false) => "+",
                    (OpKind::Delete, true) => "-moved",
                    (OpKind::Insert, true) => "+moved",
                };
                format!("{mark} {}", o.text.trim_end())
            })
            .collect()
    }

    const BODY: &str = "We keep your account data for as long as your account stays open.\n\n";

    #[test]
    fn heading_put_over_existing_text_moves_it() {
        let old_a = format!("## Data\n\nWe collect your email.\n\n{BODY}");
        let new_a = "## Data\n\nWe collect your email.\n\n";
        let new_b = format!("## Retention\n\n{BODY}");
        let rows = diff_rows(
            &[old_a.as_str()],
            &[new_a, new_b.as_str()],
            &[(Some(0), Some(0)), (None, Some(1))],
        )
        .unwrap();
        assert_eq!(
            show(&rows[0].ops),
            [
                "= ## Data\n\nWe collect your email.",
                &format!("-moved {}", BODY.trim_end())
            ]
        );
        assert_eq!(
            show(&rows[1].ops),
            ["+ ## Retention", &format!("+moved {}", BODY.trim_end())]
        );
        assert_eq!((rows[0].words_added, rows[0].words_removed), (0, 0));
        assert_eq!((rows[1].words_added, rows[1].words_removed), (2, 0));
        assert_eq!(rows[1].words_moved, 13);
    }

    #[test]
    fn chance_matches_of_common_words_are_not_moves() {
        let rows = diff_rows(
            &["## A\n\nthe cat sat on the mat\n"],
            &["## A\n\n", "## B\n\nthe dog ran on the road\n"],
            &[(Some(0), Some(0)), (None, Some(1))],
        )
        .unwrap();
        assert!(rows.iter().all(|r| r.words_moved == 0), "{rows:?}");
        assert_eq!(rows[0].words_removed, 6);
    }

    #[test]
    fn costly_dissimilar_texts_are_declined() {
        let old: String = (0..30_000).map(|i| format!("o{i} ")).collect();
        let new: String = (0..30_000).map(|i| format!("n{i} ")).collect();
        assert!(diff_rows(&[&old], &[&new], &[(Some(0), None), (None, Some(0))]).is_none());
    }
}
