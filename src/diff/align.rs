//! Section matching between two versions of a document.
//!
//! 1. Same heading (after `heading_key`: case, punctuation and numbering ignored).
//!    Repeated headings pair by body similarity, then parent heading, then order.
//! 2. Among the rest, pairs whose bodies (and headings) are similar enough: renamed sections.
//! 3. Whatever is left is added or removed.
//! 4. Matched pairs off the longest common subsequence of their order are `moved`.

use crate::document::Section;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Body similarity (Dice coefficient of word pairs) above which two sections are the same
/// section renamed.
const CONTENT_MATCH: f64 = 0.5;
/// A lower body similarity suffices when the headings are alike too.
const CONTENT_WITH_HEADING: f64 = 0.3;
/// Heading similarity (Dice of heading words) for the rule above, and for empty bodies.
const HEADING_MATCH: f64 = 0.5;
/// A body of more than this many words is long enough for its text to say which section it
/// is, whatever its heading.
const LONG_BODY: usize = 30;
/// Body similarity below which two sections under one heading have unrelated texts.
const UNRELATED_BODIES: f64 = 0.2;
/// A body of at most this many word pairs is short: see [`SHORT_HEADING_MATCH`].
const SHORT_BODY: usize = 40;
/// Heading similarity that makes two sections with short bodies one section renamed.
const SHORT_HEADING_MATCH: f64 = 0.7;
/// Above this many candidate pairs, renamed sections are looked for only among neighbours.
const MAX_PAIRS: usize = 200_000;
/// Body similarity above which two sections with the same repeated heading are the same
/// section; pairs below it are left to document order.
const REPEATED_MATCH: f64 = 0.2;
/// Above this many candidate pairs for one repeated heading, its sections pair in order.
const MAX_REPEATED_PAIRS: usize = 40_000;

/// One row of the alignment: an old section, a new section, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// Index into the old sections.
    pub old: Option<usize>,
    /// Index into the new sections.
    pub new: Option<usize>,
    /// The pair is matched but out of order relative to the other matched sections.
    pub moved: bool,
}

/// Matches old sections to new ones. Rows come in the new document's order, with removed
/// sections where they stood in the old one; every section appears in exactly one row.
pub fn align_sections(old: &[Section], new: &[Section]) -> Vec<Pair> {
    let mut old_match: Vec<Option<usize>> = vec![None; old.len()];
    let mut new_match: Vec<Option<usize>> = vec![None; new.len()];

    // Pass 1: same heading. Headings that repeat are paired by what their sections say
    // (and under which parent heading), not by their order.
    let mut signatures = Signatures::new(old, new);
    let tree = Tree::of(old, new);
    pair_by_heading(&mut old_match, &mut new_match, &mut signatures, &tree);
    // Pass 2: labels exchanged over texts that stayed ("Note" and "Important" swapped):
    // the texts decide. Other pairs that share only their heading wait for pass 3.
    exchange_labels(&mut old_match, &mut new_match, &mut signatures, &tree);
    let provisional =
        set_aside_heading_only(old, new, &mut old_match, &mut new_match, &mut signatures);
    // Pass 3: renamed sections, by content.
    pair_by_content(old, new, &mut old_match, &mut new_match, &tree);
    for (i, j) in provisional {
        if old_match[i].is_none() && new_match[j].is_none() {
            old_match[i] = Some(j);
            new_match[j] = Some(i);
        }
    }
    rows(&old_match, &new_match)
}

/// Sections paired by their heading alone (their texts unrelated) whose texts went to
/// each other: under one parent, old "Important" over text A and "Note" over text B became
/// "Note" over A and "Important" over B. Whatever the length of the texts, each such text
/// is paired with itself, renamed, and not with the label now over it. Only pairs whose old
/// text stands under another of the labels and whose new text stood under another are
/// exchanged; a heading over a new text stays paired with its old section.
fn exchange_labels(
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    signatures: &mut Signatures,
    tree: &Tree,
) {
    let (old, new) = (signatures.old, signatures.new);
    // Pairs under one (old parent, new parent).
    type Parents = (Option<usize>, Option<usize>);
    let mut groups: FxHashMap<Parents, Vec<(usize, usize)>> = FxHashMap::default();
    for i in 0..old.len() {
        let Some(j) = old_match[i] else { continue };
        let (a, b) = (body(&old[i]), body(&new[j]));
        if a.is_empty() || b.is_empty() || a == b {
            continue;
        }
        groups
            .entry((tree.old_parent[i], tree.new_parent[j]))
            .or_default()
            .push((i, j));
    }
    let mut groups: Vec<Vec<(usize, usize)>> = groups
        .into_values()
        .filter(|g| g.len() >= 2 && g.len() * g.len() <= MAX_REPEATED_PAIRS)
        .collect();
    groups.sort_unstable_by_key(|g| g[0].0);
    for group in groups {
        let group: Vec<(usize, usize)> = group
            .into_iter()
            .filter(|&(i, j)| signatures.body_similarity(i, j) < UNRELATED_BODIES)
            .collect();
        // Texts that went to another label of the group: (score, old, new).
        let mut crossed = Vec::new();
        for &(i, _) in &group {
            for &(_, j) in &group {
                if old_match[i] != Some(j) {
                    let score = signatures.body_similarity(i, j);
                    if score >= CONTENT_MATCH {
                        crossed.push((score, i, j));
                    }
                }
            }
        }
        let exchanged: Vec<(usize, usize)> = group
            .iter()
            .copied()
            .filter(|&(i, j)| {
                crossed.iter().any(|&(_, a, _)| a == i) && crossed.iter().any(|&(_, _, b)| b == j)
            })
            .collect();
        if exchanged.len() < 2 {
            continue;
        }
        for &(i, j) in &exchanged {
            old_match[i] = None;
            new_match[j] = None;
        }
        crossed.retain(|&(_, i, j)| {
            exchanged.iter().any(|&(a, _)| a == i) && exchanged.iter().any(|&(_, b)| b == j)
        });
        crossed.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        for (_, i, j) in crossed {
            if old_match[i].is_none() && new_match[j].is_none() {
                link(old_match, new_match, i, j);
            }
        }
        for (i, j) in exchanged {
            if old_match[i].is_none() && new_match[j].is_none() {
                link(old_match, new_match, i, j);
            }
        }
    }
}

/// A pair whose heading is all it shares (its long body replaced by another text: little in
/// common at its start and end, and little in common at all) is only provisional: when both
/// texts are found under other headings, headings were swapped or moved over text that
/// stayed, and the texts decide. Otherwise the pair stands. Unpairs them and returns them.
fn set_aside_heading_only(
    old: &[Section],
    new: &[Section],
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    signatures: &mut Signatures,
) -> Vec<(usize, usize)> {
    let mut provisional = Vec::new();
    for i in 0..old.len() {
        let Some(j) = old_match[i] else { continue };
        let (a, b) = (body(&old[i]), body(&new[j]));
        if a != b
            && shared_ends(a, b) * 10 < a.len().max(b.len())
            && a.split_whitespace().nth(LONG_BODY).is_some()
            && b.split_whitespace().nth(LONG_BODY).is_some()
            && signatures.body_similarity(i, j) < UNRELATED_BODIES
        {
            provisional.push((i, j));
            old_match[i] = None;
            new_match[j] = None;
        }
    }
    provisional
}

/// Pairs the sections left over by what they say: the most alike pair first; between
/// pairs alike to the same degree (copies of one text), those in the same context (parents
/// paired with each other), then the nearest in relative position.
fn pair_by_content(
    old: &[Section],
    new: &[Section],
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    tree: &Tree,
) {
    let free_old: Vec<usize> = (0..old.len()).filter(|&i| old_match[i].is_none()).collect();
    let free_new: Vec<usize> = (0..new.len()).filter(|&j| new_match[j].is_none()).collect();
    if free_old.is_empty() || free_new.is_empty() {
        return;
    }
    let old_sig: Vec<Signature> = free_old.iter().map(|&i| Signature::of(&old[i])).collect();
    let new_sig: Vec<Signature> = free_new.iter().map(|&j| Signature::of(&new[j])).collect();
    let size = |sigs: &[Signature]| -> usize {
        sigs.iter()
            .map(|s| s.body.len() + s.heading.len() + 1)
            .sum()
    };
    // Comparing every pair costs each pair's size: fine for a few hundred sections, not for
    // thousands, nor for hundreds of long ones.
    let work = free_new.len() * size(&old_sig) + free_old.len() * size(&new_sig);
    let mut candidates = Vec::new();
    if free_old.len() * free_new.len() <= MAX_PAIRS && work <= EXHAUSTIVE_WORK {
        for (a, os) in old_sig.iter().enumerate() {
            for (b, ns) in new_sig.iter().enumerate() {
                if let Some(score) = os.score(ns) {
                    candidates.push((score, a, b));
                }
            }
        }
    } else {
        let index = Index::of(&old_sig);
        for (b, ns) in new_sig.iter().enumerate() {
            for a in index.likely(ns) {
                if let Some(score) = old_sig[a].score(ns) {
                    candidates.push((score, a, b));
                }
            }
        }
    }
    let (lo, ln) = (old.len() as f64, new.len() as f64);
    let mut candidates: Vec<(f64, bool, f64, usize, usize)> = candidates
        .into_iter()
        .map(|(score, a, b)| {
            let (i, j) = (free_old[a], free_new[b]);
            let context = tree.same_context(old_match, new_match, i, j);
            (score, context, (i as f64 / lo - j as f64 / ln).abs(), a, b)
        })
        .collect();
    candidates.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(y.1.cmp(&x.1))
            .then(x.2.total_cmp(&y.2))
            .then(x.3.cmp(&y.3))
            .then(x.4.cmp(&y.4))
    });
    for (_, _, _, a, b) in candidates {
        let (i, j) = (free_old[a], free_new[b]);
        if old_match[i].is_none() && new_match[j].is_none() {
            old_match[i] = Some(j);
            new_match[j] = Some(i);
        }
    }
}

/// The rows of the alignment in new order: pairs off the longest increasing run of old
/// indices are moves; a removed section goes after the new position of the nearest earlier
/// old section that stayed in place, or at the top.
fn rows(old_match: &[Option<usize>], new_match: &[Option<usize>]) -> Vec<Pair> {
    let matched: Vec<(usize, usize)> = new_match
        .iter()
        .enumerate()
        .filter_map(|(j, m)| m.map(|i| (i, j)))
        .collect();
    let olds: Vec<usize> = matched.iter().map(|&(i, _)| i).collect();
    let keep = longest_increasing(&olds);
    let mut moved = vec![false; new_match.len()];
    for (k, &(_, j)) in matched.iter().enumerate() {
        moved[j] = !keep[k];
    }

    let mut removed_after: Vec<Vec<usize>> = vec![Vec::new(); new_match.len() + 1];
    let mut anchor = 0; // slot 0 = top, slot j+1 = after new section j
    for (i, m) in old_match.iter().enumerate() {
        match *m {
            Some(j) if !moved[j] => anchor = j + 1,
            Some(_) => {}
            None => removed_after[anchor].push(i),
        }
    }
    let mut rows = Vec::with_capacity(old_match.len() + new_match.len());
    let removed = |rows: &mut Vec<Pair>, list: &[usize]| {
        rows.extend(list.iter().map(|&i| Pair {
            old: Some(i),
            new: None,
            moved: false,
        }));
    };
    removed(&mut rows, &removed_after[0]);
    for j in 0..new_match.len() {
        rows.push(Pair {
            old: new_match[j],
            new: Some(j),
            moved: moved[j],
        });
        removed(&mut rows, &removed_after[j + 1]);
    }
    rows
}

/// Pairs sections with equal heading keys. A key held by one section on each side pairs
/// them. Sections whose key repeats (the same "Note" in every copy of an article stitched
/// into one page) are paired by what they say and where they stand: among copies alike
/// enough to be one section, those in the same context (their parent sections paired with
/// each other) first, then the most alike, then the nearest in relative position; the copies
/// left over pair by context, then level, then position, never by order alone. Groups go in
/// document order, so that a copy's parent is paired before the copy.
fn pair_by_heading(
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    signatures: &mut Signatures,
    tree: &Tree,
) {
    let (old, new) = (signatures.old, signatures.new);
    let mut groups: FxHashMap<&str, (Vec<usize>, Vec<usize>)> = FxHashMap::default();
    for (i, s) in old.iter().enumerate() {
        groups.entry(s.key.as_str()).or_default().0.push(i);
    }
    for (j, s) in new.iter().enumerate() {
        if let Some(group) = groups.get_mut(s.key.as_str()) {
            group.1.push(j);
        }
    }
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = groups
        .into_values()
        .filter(|(_, news)| !news.is_empty())
        .collect();
    groups.sort_unstable_by_key(|(olds, _)| olds[0]);
    // Keys held once on each side first: they are the anchors the repeated ones are placed by.
    for (olds, news) in &groups {
        if olds.len() == 1 && news.len() == 1 {
            link(old_match, new_match, olds[0], news[0]);
        }
    }
    for (olds, news) in groups {
        let (m, n) = (olds.len(), news.len());
        if m == 1 && n == 1 {
            continue;
        }
        if m * n > MAX_REPEATED_PAIRS {
            pair_leftovers(old_match, new_match, tree, olds, news);
            continue;
        }
        // Copies whose bodies did not change and whose parents are paired with each other
        // (or that have none) pair first, in order, without measuring.
        let mut same: FxHashMap<(Option<usize>, &str), VecDeque<usize>> = FxHashMap::default();
        for &i in &olds {
            if let Some(at) = tree.parent_partner(old_match, i) {
                same.entry((at, body(&old[i]))).or_default().push_back(i);
            }
        }
        for &j in &news {
            let at = tree.new_parent[j];
            if let Some(i) = same
                .get_mut(&(at, body(&new[j])))
                .and_then(VecDeque::pop_front)
            {
                link(old_match, new_match, i, j);
            }
        }
        // Then copies with unchanged bodies whose context says nothing (their parents went
        // away, or are paired elsewhere), in order.
        let mut same: FxHashMap<&str, VecDeque<usize>> = FxHashMap::default();
        for &i in olds.iter().filter(|&&i| old_match[i].is_none()) {
            same.entry(body(&old[i])).or_default().push_back(i);
        }
        for &j in &news {
            if new_match[j].is_some() {
                continue;
            }
            if let Some(i) = same.get_mut(body(&new[j])).and_then(VecDeque::pop_front) {
                link(old_match, new_match, i, j);
            }
        }
        let (olds, news) = (unpaired(olds, old_match), unpaired(news, new_match));
        if olds.is_empty() || news.is_empty() {
            continue;
        }
        // As many copies on each side, each plainly the same as its partner in order
        // and in the same context: no need to measure every pair.
        if olds.len() == news.len()
            && olds.iter().zip(&news).all(|(&i, &j)| {
                tree.same_context(old_match, new_match, i, j)
                    && plainly_alike(body(&old[i]), body(&new[j]))
            })
        {
            for (&i, &j) in olds.iter().zip(&news) {
                link(old_match, new_match, i, j);
            }
            continue;
        }
        let (lo, ln) = (old.len() as f64, new.len() as f64);
        let mut candidates = Vec::with_capacity(olds.len() * news.len());
        for &i in &olds {
            for &j in &news {
                let score = signatures.body_similarity(i, j);
                if score >= REPEATED_MATCH {
                    let alike = score >= CONTENT_MATCH;
                    let context = tree.same_context(old_match, new_match, i, j);
                    let distance = (i as f64 / lo - j as f64 / ln).abs();
                    candidates.push((alike, context, score, distance, i, j));
                }
            }
        }
        candidates.sort_by(|x, y| {
            y.0.cmp(&x.0)
                .then(y.1.cmp(&x.1))
                .then(y.2.total_cmp(&x.2))
                .then(x.3.total_cmp(&y.3))
                .then(x.4.cmp(&y.4))
        });
        for (_, _, _, _, i, j) in candidates {
            if old_match[i].is_none() && new_match[j].is_none() {
                link(old_match, new_match, i, j);
            }
        }
        pair_leftovers(old_match, new_match, tree, olds, news);
    }
}

/// The sections of `ids` not paired yet.
fn unpaired(ids: Vec<usize>, matches: &[Option<usize>]) -> Vec<usize> {
    ids.into_iter().filter(|&i| matches[i].is_none()).collect()
}

fn link(old_match: &mut [Option<usize>], new_match: &mut [Option<usize>], i: usize, j: usize) {
    old_match[i] = Some(j);
    new_match[j] = Some(i);
}

/// Pairs the copies of one heading that their texts did not place: those in the same
/// context first, then those at the same level, then the nearest in relative position.
/// A copy with no text (a heading over sub-sections only) is not paired with a copy that
/// stands elsewhere: a sibling with the same heading and its own text is the better partner.
fn pair_leftovers(
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    tree: &Tree,
    olds: Vec<usize>,
    news: Vec<usize>,
) {
    let (olds, news) = (unpaired(olds, old_match), unpaired(news, new_match));
    if olds.is_empty() || news.is_empty() {
        return;
    }
    if olds.len() * news.len() > MAX_REPEATED_PAIRS {
        for (&i, &j) in olds.iter().zip(&news) {
            link(old_match, new_match, i, j);
        }
        return;
    }
    let (lo, ln) = (tree.old_parent.len() as f64, tree.new_parent.len() as f64);
    let mut candidates = Vec::with_capacity(olds.len() * news.len());
    for &i in &olds {
        for &j in &news {
            let context = tree.same_context(old_match, new_match, i, j);
            let level = tree.old_level[i] == tree.new_level[j];
            let distance = (i as f64 / lo - j as f64 / ln).abs();
            candidates.push((context, level, distance, i, j));
        }
    }
    candidates.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then(y.1.cmp(&x.1))
            .then(x.2.total_cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    for (_, _, _, i, j) in candidates {
        if old_match[i].is_none() && new_match[j].is_none() {
            link(old_match, new_match, i, j);
        }
    }
}

/// Where each section stands: its enclosing section and its level, on each side.
struct Tree {
    old_parent: Vec<Option<usize>>,
    new_parent: Vec<Option<usize>>,
    old_level: Vec<u8>,
    new_level: Vec<u8>,
}

impl Tree {
    fn of(old: &[Section], new: &[Section]) -> Tree {
        Tree {
            old_parent: parents(old),
            new_parent: parents(new),
            old_level: old.iter().map(|s| s.level).collect(),
            new_level: new.iter().map(|s| s.level).collect(),
        }
    }

    /// The new section old section `i`'s parent is paired with: `Some(None)` when `i` has
    /// no parent, `None` when its parent is not paired (yet).
    fn parent_partner(&self, old_match: &[Option<usize>], i: usize) -> Option<Option<usize>> {
        match self.old_parent[i] {
            None => Some(None),
            Some(p) => old_match[p].map(Some),
        }
    }

    /// True when old section `i` and new section `j` stand in the same place of their
    /// documents' outlines: both at the top, or under parents paired with each other.
    fn same_context(
        &self,
        old_match: &[Option<usize>],
        new_match: &[Option<usize>],
        i: usize,
        j: usize,
    ) -> bool {
        match (self.old_parent[i], self.new_parent[j]) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                old_match[a] == Some(b) || (old_match[a].is_none() && new_match[b].is_none())
            }
            _ => false,
        }
    }
}

/// The index of each section's enclosing section (the nearest earlier one with a lower
/// level; the text before the first heading encloses nothing).
fn parents(sections: &[Section]) -> Vec<Option<usize>> {
    let mut stack: Vec<usize> = Vec::new();
    sections
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if s.level == 0 {
                return None;
            }
            while stack.last().is_some_and(|&p| sections[p].level >= s.level) {
                stack.pop();
            }
            let parent = stack.last().copied();
            stack.push(k);
            parent
        })
        .collect()
}

/// True when two bodies share at least three quarters of the longer one at their start and
/// end (an edit inside, not another text).
fn plainly_alike(a: &str, b: &str) -> bool {
    4 * shared_ends(a, b) >= 3 * a.len().max(b.len())
}

/// Bytes two texts share at their start and at their end (not overlapping).
fn shared_ends(a: &str, b: &str) -> usize {
    use super::words::{same_end, same_start};
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let start = same_start(x, y);
    start + same_end(&x[start..], &y[start..])
}

/// A section's text after its heading, without surrounding whitespace.
fn body(section: &Section) -> &str {
    section.body()
}

/// Section signatures, computed when first needed.
struct Signatures<'a> {
    old: &'a [Section],
    new: &'a [Section],
    old_sig: Vec<Option<Signature<'a>>>,
    new_sig: Vec<Option<Signature<'a>>>,
}

impl<'a> Signatures<'a> {
    fn new(old: &'a [Section], new: &'a [Section]) -> Signatures<'a> {
        Signatures {
            old,
            new,
            old_sig: (0..old.len()).map(|_| None).collect(),
            new_sig: (0..new.len()).map(|_| None).collect(),
        }
    }

    /// How alike the bodies of old section `i` and new section `j` are (1 for the same body).
    fn body_similarity(&mut self, i: usize, j: usize) -> f64 {
        let (a, b) = (&self.old[i], &self.new[j]);
        if body(a) == body(b) {
            return 1.0;
        }
        self.old_sig[i].get_or_insert_with(|| Signature::of(a));
        self.new_sig[j].get_or_insert_with(|| Signature::of(b));
        match (&self.old_sig[i], &self.new_sig[j]) {
            (Some(a), Some(b)) => dice(a.body, b.body),
            _ => 0.0,
        }
    }
}

/// Marks the members of one longest strictly increasing subsequence of `xs`.
fn longest_increasing(xs: &[usize]) -> Vec<bool> {
    // Patience sorting: tails[k] = index in xs of the smallest tail of a run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; xs.len()];
    for (i, &x) in xs.iter().enumerate() {
        let k = tails.partition_point(|&t| xs[t] < x);
        prev[i] = k.checked_sub(1).map(|p| tails[p]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut keep = vec![false; xs.len()];
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        keep[i] = true;
        cur = prev[i];
    }
    keep
}

/// Above this much work (word pairs compared, over all pairs of sections), renamed sections
/// are looked for through an [`Index`] of what they say instead of by comparing every pair.
const EXHAUSTIVE_WORK: usize = 20_000_000;
/// A word pair (or heading word) found in more than this many old sections tells little
/// about which one a new section came from: the index leaves it out.
const RARE: usize = 8;
/// Old sections scored for each new section when the index is used: those sharing the most
/// rare word pairs, and those sharing the most rare heading words.
const CANDIDATES: usize = 8;

/// Word pairs of a long body indexed: one in this many (chosen by hash, the same on both
/// sides), so that the index stays a small fraction of the text. Sections that share a third
/// of their word pairs still share dozens of sampled ones.
const SAMPLE: u64 = 8;
/// Bodies with fewer word pairs than this are indexed whole.
const SAMPLE_ABOVE: usize = 128;

/// Which old sections a new one may have come from, found by the rare word pairs and
/// heading words they share: the work is near-linear in the text, and a section is found
/// wherever it moved.
struct Index {
    body: Postings,
    heading: Postings,
}

impl Index {
    fn of(old: &[Signature]) -> Index {
        Index {
            body: Postings::of(old.iter().map(|s| sampled(s.body))),
            heading: Postings::of(old.iter().map(|s| s.heading.iter().copied())),
        }
    }

    /// The old sections most likely to be `new`, best first, at most 2 × [`CANDIDATES`].
    fn likely(&self, new: &Signature) -> Vec<usize> {
        let mut found = self.body.top(sampled(new.body));
        for a in self.heading.top(new.heading.iter().copied()) {
            if !found.contains(&a) {
                found.push(a);
            }
        }
        found
    }
}

/// The word pairs of a body that the index keeps.
fn sampled(body: &[u64]) -> impl Iterator<Item = u64> + '_ {
    let all = body.len() < SAMPLE_ABOVE;
    body.iter().copied().filter(move |h| all || h % SAMPLE == 0)
}

/// (hash, section) pairs sorted by hash, for hashes held by at most [`RARE`] sections.
struct Postings(Vec<(u64, u32)>);

impl Postings {
    fn of<I: Iterator<Item = u64>>(parts: impl Iterator<Item = I>) -> Postings {
        let mut pairs: Vec<(u64, u32)> = parts
            .enumerate()
            .flat_map(|(a, hashes)| hashes.map(move |h| (h, a as u32)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut kept = Vec::with_capacity(pairs.len());
        for group in pairs.chunk_by(|x, y| x.0 == y.0) {
            if group.len() <= RARE {
                kept.extend_from_slice(group);
            }
        }
        Postings(kept)
    }

    /// The sections sharing the most of `keys`, at most [`CANDIDATES`], best first.
    fn top(&self, keys: impl Iterator<Item = u64>) -> Vec<usize> {
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        for k in keys {
            let start = self.0.partition_point(|p| p.0 < k);
            for &(_, a) in self.0[start..].iter().take_while(|p| p.0 == k) {
                *counts.entry(a).or_default() += 1;
            }
        }
        let mut ranked: Vec<(u32, u32)> = counts.into_iter().collect();
        ranked.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked
            .into_iter()
            .take(CANDIDATES)
            .map(|(a, _)| a as usize)
            .collect()
    }
}

/// What a section is compared by when its heading found no partner.
struct Signature<'a> {
    /// Sorted, deduplicated hashes of consecutive word pairs of the body.
    body: &'a [u64],
    /// Sorted, deduplicated hashes of the heading's words.
    heading: Vec<u64>,
    preamble: bool,
}

impl<'a> Signature<'a> {
    fn of(section: &'a Section) -> Signature<'a> {
        let body = section.body_shingles();
        let mut heading: Vec<u64> = section
            .key
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(hash)
            .collect();
        heading.sort_unstable();
        heading.dedup();
        Signature {
            body,
            heading,
            preamble: section.heading.is_empty(),
        }
    }

    /// How alike two sections are, if alike enough to be one section renamed.
    fn score(&self, other: &Signature) -> Option<f64> {
        if self.body.is_empty() || other.body.is_empty() {
            let heading = dice(&self.heading, &other.heading);
            return (self.body.is_empty() && other.body.is_empty() && heading >= HEADING_MATCH)
                .then_some(heading);
        }
        let content = dice(self.body, other.body);
        // The text before the first heading becomes a section (a heading put over it) or the
        // reverse: only the text can tell.
        if self.preamble != other.preamble {
            return (content >= CONTENT_MATCH).then_some(content * 0.8);
        }
        let heading = dice(&self.heading, &other.heading);
        // A short section (a title over a date line) says little by its body: a heading
        // that kept most of its words is enough.
        let short = self.body.len().max(other.body.len()) <= SHORT_BODY;
        let alike = content >= CONTENT_MATCH
            || (content >= CONTENT_WITH_HEADING && heading >= HEADING_MATCH)
            || (short && heading >= SHORT_HEADING_MATCH);
        alike.then_some(content * 0.8 + heading * 0.2)
    }
}

fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Dice coefficient of two sorted, deduplicated sets.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Format, ParseOptions, parse};

    fn sections(md: &str) -> Vec<Section> {
        parse(md, Format::Markdown, ParseOptions::default()).sections
    }

    /// Rows as (old heading, new heading, moved).
    fn rows(old: &str, new: &str) -> Vec<(String, String, bool)> {
        let (o, n) = (sections(old), sections(new));
        align_sections(&o, &n)
            .into_iter()
            .map(|p| {
                let h = |s: Option<&Section>| s.map_or("-".to_string(), |s| s.heading.clone());
                (h(p.old.map(|i| &o[i])), h(p.new.map(|j| &n[j])), p.moved)
            })
            .collect()
    }

    fn r(a: &str, b: &str, moved: bool) -> (String, String, bool) {
        (a.into(), b.into(), moved)
    }

    /// Matched (old index, new index) pairs, sorted.
    fn matched(old: &str, new: &str) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = align_sections(&sections(old), &sections(new))
            .into_iter()
            .filter_map(|p| Some((p.old?, p.new?)))
            .collect();
        pairs.sort();
        pairs
    }

    const CLAUSE_A: &str = "We keep your account details while the account is open and delete them within thirty days after you close it, except where the law requires longer.";
    const CLAUSE_B: &str = "Payment records are passed to our card processor, which stores them under its own policy and the rules of the card networks.";

    /// Copies of one heading that swapped places, each edited a little: each is paired with
    /// its own text, not with the copy now in its place.
    #[test]
    fn repeated_headings_that_swapped_are_paired_by_text() {
        let old = format!("# P\n\n## Details\n\n{CLAUSE_A}\n\n## Details\n\n{CLAUSE_B}\n");
        let new = format!(
            "# P\n\n## Details\n\n{} today.\n\n## Details\n\n{} today.\n",
            CLAUSE_B.trim_end_matches('.'),
            CLAUSE_A.trim_end_matches('.')
        );
        assert_eq!(matched(&old, &new), [(0, 0), (1, 2), (2, 1)]);
    }

    /// Three copies, two unchanged and one edited: all three are paired (none is reported
    /// added or removed), the edited one with itself.
    #[test]
    fn repeated_headings_some_unchanged_one_edited() {
        let old = format!(
            "# P\n\n## Details\n\n{CLAUSE_A}\n\n## Details\n\n{CLAUSE_B}\n\n## Details\n\nSame.\n"
        );
        let new = format!(
            "# P\n\n## Details\n\n{CLAUSE_A}\n\n## Details\n\n{} now.\n\n## Details\n\nSame.\n",
            CLAUSE_B.trim_end_matches('.')
        );
        assert_eq!(matched(&old, &new), [(0, 0), (1, 1), (2, 2), (3, 3)]);
    }

    /// Two copies of a sub-heading with the same text under different parents, both edited
    /// the same way, their parents swapped: each stays with its parent.
    #[test]
    fn repeated_headings_stay_with_their_parent() {
        let section = |parent: &str, text: &str| {
            format!("## {parent}\n\nAbout {parent}.\n\n### Retention\n\n{text}\n\n")
        };
        let edited = format!("{} or sooner.", CLAUSE_A.trim_end_matches('.'));
        let old = format!(
            "# P\n\n{}{}",
            section("Cookies", CLAUSE_A),
            section("Email", CLAUSE_A)
        );
        let new = format!(
            "# P\n\n{}{}",
            section("Email", &edited),
            section("Cookies", &edited)
        );
        // Sections: 0 P, 1 Cookies, 2 Retention (Cookies), 3 Email, 4 Retention (Email); in
        // the new version Email comes first.
        assert_eq!(
            matched(&old, &new),
            [(0, 0), (1, 3), (2, 4), (3, 1), (4, 2)]
        );
    }

    /// Forty words or so of text no other section shares.
    fn long_text(topic: &str) -> String {
        (0..40)
            .map(|k| format!("{topic}{k}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A short section keeps its heading when its text was replaced, even if the old text
    /// now stands under another heading: only long texts can outweigh a heading.
    #[test]
    fn a_short_section_keeps_its_heading_when_its_text_moved() {
        let old =
            "## Contact\n\nWrite to privacy@example.com today.\n\n## Cookies\n\nWe use cookies.\n";
        let new = "## Contact\n\nCall 555 0100.\n\n## Cookies\n\nWe use cookies.\n\n## Support\n\nWrite to privacy@example.com today.\n";
        assert_eq!(matched(old, new), [(0, 0), (1, 1)]);
        // The same when the new text is long.
        let new = format!(
            "## Contact\n\n{}\n\n## Cookies\n\nWe use cookies.\n\n## Support\n\nWrite to privacy@example.com today.\n",
            long_text("phone")
        );
        assert_eq!(matched(old, &new), [(0, 0), (1, 1)]);
    }

    /// A long section whose text went under another heading, its own heading now over an
    /// unrelated text: the text decides (renamed), and the heading's new text is added —
    /// each section in one row only.
    #[test]
    fn a_text_that_went_elsewhere_is_followed_and_each_section_pairs_once() {
        let old = format!("## A\n\n{}\n\n## B\n\nShort b.\n", long_text("x"));
        let new = format!(
            "## A\n\n{}\n\n## B\n\nShort b.\n\n## C\n\n{}\n",
            long_text("z"),
            long_text("x")
        );
        assert_eq!(matched(&old, &new), [(0, 2), (1, 1)]);
        let rows = align_sections(&sections(&old), &sections(&new));
        assert_eq!(rows.len(), 3, "{rows:?}");
    }

    /// Sections with no text are matched by their headings alone: a renamed one that kept
    /// most of its words is found, and one that went away is not paired with a new section
    /// that has text.
    #[test]
    fn empty_sections_are_matched_by_heading_alone() {
        let old = "## Cookies\n\nWe use cookies.\n\n## Definitions of key terms\n\n## Annex\n";
        let new = "## Cookies\n\nWe use cookies.\n\n## Definitions of the key terms\n\n## Contact us\n\nWrite to us at any time.\n";
        assert_eq!(matched(old, new), [(0, 0), (1, 1)]);
    }

    /// A short section (a title over a date line) whose heading kept most of its words is
    /// the same section renamed, though its only line changed; a short section with another
    /// heading is not.
    #[test]
    fn a_short_section_is_renamed_by_its_heading() {
        let old = "## Privacy notice for customers\n\nLast updated: May 1, 2024.\n\n## Cookies\n\nWe use cookies.\n\n## Annex one\n\nNone at present.\n";
        // Not a word pair of the line is kept: only the heading can tell.
        let new = "## Privacy notice for our customers\n\nIn force since 3 June 2025.\n\n## Cookies\n\nWe use cookies.\n\n## Complaints\n\nWrite to the authority.\n";
        assert_eq!(matched(old, new), [(0, 0), (1, 1)]);
    }

    /// A renamed section whose text was rewritten in part (about a third of its word pairs
    /// kept) is still found when its heading kept half its words; a section with such a
    /// heading and another text is not.
    #[test]
    fn a_partly_rewritten_section_is_found_with_its_heading() {
        let words: Vec<String> = (0..60).map(|k| format!("w{k}")).collect();
        let edited: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(k, w)| {
                if k % 3 == 1 {
                    format!("x{k}")
                } else {
                    w.clone()
                }
            })
            .collect();
        let old = format!("## Keeping your data\n\n{}\n", words.join(" "));
        let new = format!("## Keeping your records\n\n{}\n", edited.join(" "));
        assert_eq!(matched(&old, &new), [(0, 0)]);
        let other = format!("## Keeping your records\n\n{}\n", long_text("other"));
        assert_eq!(matched(&old, &other), []);
    }

    /// One text under two new headings: the section follows the heading that kept its
    /// words.
    #[test]
    fn between_equal_texts_the_heading_decides() {
        let text = long_text("share");
        let old = format!("## Sharing with partners\n\n{text}\n");
        let new = format!(
            "## Sharing with vendors\n\n{text}\n\n## Sharing with our partners\n\n{text}\n"
        );
        assert_eq!(matched(&old, &new), [(0, 1)]);
    }

    /// 2,000 sections, each renamed and all shuffled: every one is found by its text,
    /// wherever it moved (more than [`MAX_PAIRS`] pairs: the index finds them).
    #[test]
    fn thousands_of_renamed_and_shuffled_sections_are_all_found() {
        let mut seed: u64 = 42;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let n = 2000;
        let bodies: Vec<String> = (0..n)
            .map(|_| {
                (0..40)
                    .map(|_| format!("w{}", next() % 5000))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, next() % (i + 1));
        }
        let old_md: String = (0..n)
            .map(|i| format!("## Old heading {i}\n\n{}\n\n", bodies[i]))
            .collect();
        let new_md: String = order
            .iter()
            .map(|&i| format!("## Renamed part {}\n\n{}\n\n", i + 7 * n, bodies[i]))
            .collect();
        let (o, nw) = (sections(&old_md), sections(&new_md));
        let pairs = align_sections(&o, &nw);
        let matched = pairs
            .iter()
            .filter(|p| match (p.old, p.new) {
                (Some(i), Some(j)) => body(&o[i]) == body(&nw[j]),
                _ => false,
            })
            .count();
        assert_eq!(matched, n);
    }

    #[test]
    fn rows_follow_the_new_order_with_moves_and_removals_in_place() {
        // Old sections 0..4; new: old 2 (moved up), old 0, an added one, old 1; old 3 removed.
        let old_match = [Some(1), Some(3), Some(0), None];
        let new_match = [Some(2), Some(0), None, Some(1)];
        let pair = |old, new, moved| Pair { old, new, moved };
        assert_eq!(
            super::rows(&old_match, &new_match),
            vec![
                pair(Some(2), Some(0), true),
                pair(Some(0), Some(1), false),
                pair(None, Some(2), false),
                pair(Some(1), Some(3), false),
                pair(Some(3), None, false),
            ]
        );
    }

    const A: &str = "We collect your name and email address when you sign up for an account.";
    const B: &str = "Cookies help us remember your settings between visits to the site.";
    const C: &str = "You may ask us to delete your data at any time by writing to us.";

    #[test]
    fn renumbered_headings_match() {
        let old = format!("## 1. Data\n{A}\n## 2. Cookies\n{B}\n");
        let new =
            format!("## 1. Intro\nHello there friend.\n## 2. Data\n{A}\n## 3. Cookies\n{B}\n");
        assert_eq!(
            rows(&old, &new),
            [
                r("-", "1. Intro", false),
                r("1. Data", "2. Data", false),
                r("2. Cookies", "3. Cookies", false)
            ]
        );
    }

    #[test]
    fn renamed_by_content() {
        let old = format!("## Data\n{A}\n## Cookies\n{B}\n");
        let new = format!("## Data\n{A}\n## Tracking technologies\n{B} We also use pixels.\n");
        assert_eq!(
            rows(&old, &new),
            [
                r("Data", "Data", false),
                r("Cookies", "Tracking technologies", false)
            ]
        );
    }

    #[test]
    fn moved_added_removed() {
        let old = format!(
            "## Data\n{A}\n## Cookies\n{B}\n## Deletion\n{C}\n## Contests\nWin a prize today.\n"
        );
        let new = format!(
            "## Cookies\n{B}\n## Data\n{A}\n## Deletion\n{C}\n## Children\nNo kids allowed here.\n"
        );
        assert_eq!(
            rows(&old, &new),
            [
                r("Cookies", "Cookies", true),
                r("Data", "Data", false),
                r("Deletion", "Deletion", false),
                r("Contests", "-", false),
                r("-", "Children", false)
            ]
        );
    }

    #[test]
    fn removed_section_stays_where_it_was() {
        let old = format!("## Data\n{A}\n## Contests\nWin a prize today.\n## Cookies\n{B}\n");
        let new = format!("## Data\n{A}\n## Cookies\n{B}\n");
        assert_eq!(
            rows(&old, &new),
            [
                r("Data", "Data", false),
                r("Contests", "-", false),
                r("Cookies", "Cookies", false)
            ]
        );
    }

    #[test]
    fn duplicate_headings_follow_their_parents() {
        let old = format!("# Users\n## Retention\n{A}\n# Visitors\n## Retention\n{B}\n");
        let new = format!("# Visitors\n## Retention\n{B}\n# Users\n## Retention\n{A} Changed.\n");
        let got = rows(&old, &new);
        let o = sections(&old);
        let n = sections(&new);
        let pairs = align_sections(&o, &n);
        // "Retention" under Visitors pairs with "Retention" under Visitors.
        for p in &pairs {
            if let (Some(i), Some(j)) = (p.old, p.new) {
                assert_eq!(o[i].parent, n[j].parent, "{got:?}");
            }
        }
        assert_eq!(pairs.len(), 4);
    }

    #[test]
    fn unrelated_sections_are_not_renamed() {
        let old = format!("## Cookies\n{B}\n");
        let new = format!("## Deletion\n{C}\n");
        assert_eq!(
            rows(&old, &new),
            [r("Cookies", "-", false), r("-", "Deletion", false)]
        );
    }

    #[test]
    fn lis_marks_the_fewest_moves() {
        assert_eq!(longest_increasing(&[0, 1, 2]), [true, true, true]);
        assert_eq!(longest_increasing(&[2, 0, 1]), [false, true, true]);
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
    }
}
