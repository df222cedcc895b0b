//! Section matching between two versions of a document.
//!
//! 1. Same heading (after [`heading_key`]: case, punctuation and numbering ignored) under the
//!    same parent heading; then same heading anywhere (repeated headings pair in order).
//! 2. Among the rest, pairs whose bodies (and headings) are similar enough: renamed sections.
//! 3. Whatever is left is added or removed.
//! 4. Matched pairs off the longest common subsequence of their order are `moved`.

use crate::document::Section;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Body similarity (Dice coefficient of word pairs) above which two sections are the same
/// section renamed.
const CONTENT_MATCH: f64 = 0.5;
/// A lower body similarity suffices when the headings are alike too.
const CONTENT_WITH_HEADING: f64 = 0.3;
/// Heading similarity (Dice of heading words) for the rule above, and for empty bodies.
const HEADING_MATCH: f64 = 0.5;
/// Above this many candidate pairs, renamed sections are looked for only among neighbours.
const MAX_PAIRS: usize = 200_000;

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

    // Pass 1: same heading under the same parent; pass 2: same heading anywhere.
    pair_by_key(
        &mut old_match,
        &mut new_match,
        |i| (old[i].key.as_str(), old[i].parent_key.as_str()),
        |j| (new[j].key.as_str(), new[j].parent_key.as_str()),
    );
    pair_by_key(
        &mut old_match,
        &mut new_match,
        |i| old[i].key.as_str(),
        |j| new[j].key.as_str(),
    );

    // Pass 3: renamed sections, by content.
    let free_old: Vec<usize> = (0..old.len()).filter(|&i| old_match[i].is_none()).collect();
    let free_new: Vec<usize> = (0..new.len()).filter(|&j| new_match[j].is_none()).collect();
    if !free_old.is_empty() && !free_new.is_empty() {
        let old_sig: Vec<Signature> = free_old.iter().map(|&i| Signature::of(&old[i])).collect();
        let new_sig: Vec<Signature> = free_new.iter().map(|&j| Signature::of(&new[j])).collect();
        let window = if free_old.len() * free_new.len() > MAX_PAIRS {
            MAX_PAIRS / free_old.len().max(free_new.len())
        } else {
            usize::MAX
        };
        let mut candidates = Vec::new();
        for (a, os) in old_sig.iter().enumerate() {
            for (b, ns) in new_sig.iter().enumerate() {
                // With too many candidates, compare sections near the same relative position.
                if window != usize::MAX {
                    let rel = a * free_new.len() / free_old.len();
                    if rel.abs_diff(b) > window / 2 {
                        continue;
                    }
                }
                if let Some(score) = os.score(ns) {
                    candidates.push((score, a, b));
                }
            }
        }
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        for (_, a, b) in candidates {
            let (i, j) = (free_old[a], free_new[b]);
            if old_match[i].is_none() && new_match[j].is_none() {
                old_match[i] = Some(j);
                new_match[j] = Some(i);
            }
        }
    }

    // Moves: matched pairs, in new order, off the longest increasing run of old indices.
    let matched: Vec<(usize, usize)> = new_match
        .iter()
        .enumerate()
        .filter_map(|(j, m)| m.map(|i| (i, j)))
        .collect();
    let olds: Vec<usize> = matched.iter().map(|&(i, _)| i).collect();
    let keep = longest_increasing(&olds);
    let mut moved = vec![false; new.len()];
    for (k, &(_, j)) in matched.iter().enumerate() {
        moved[j] = !keep[k];
    }

    // Removed sections go after the new position of the nearest earlier old section that
    // stayed in place, or at the top.
    let mut removed_after: Vec<Vec<usize>> = vec![Vec::new(); new.len() + 1];
    let mut anchor = 0; // slot 0 = top, slot j+1 = after new section j
    for (i, m) in old_match.iter().enumerate() {
        match *m {
            Some(j) if !moved[j] => anchor = j + 1,
            Some(_) => {}
            None => removed_after[anchor].push(i),
        }
    }
    let mut rows = Vec::with_capacity(old.len() + new.len());
    let removed = |rows: &mut Vec<Pair>, list: &[usize]| {
        rows.extend(list.iter().map(|&i| Pair {
            old: Some(i),
            new: None,
            moved: false,
        }));
    };
    removed(&mut rows, &removed_after[0]);
    for j in 0..new.len() {
        rows.push(Pair {
            old: new_match[j],
            new: Some(j),
            moved: moved[j],
        });
        removed(&mut rows, &removed_after[j + 1]);
    }
    rows
}

/// Pairs unmatched sections with equal keys, in document order.
fn pair_by_key<K: Hash + Eq>(
    old_match: &mut [Option<usize>],
    new_match: &mut [Option<usize>],
    old_key: impl Fn(usize) -> K,
    new_key: impl Fn(usize) -> K,
) {
    let mut waiting: HashMap<K, std::collections::VecDeque<usize>> = HashMap::new();
    for i in (0..old_match.len()).filter(|&i| old_match[i].is_none()) {
        waiting.entry(old_key(i)).or_default().push_back(i);
    }
    for (j, slot) in new_match.iter_mut().enumerate() {
        if slot.is_none()
            && let Some(i) = waiting.get_mut(&new_key(j)).and_then(|q| q.pop_front())
        {
            old_match[i] = Some(j);
            *slot = Some(i);
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

/// What a section is compared by when its heading found no partner.
struct Signature {
    /// Sorted, deduplicated hashes of consecutive word pairs of the body.
    body: Vec<u64>,
    /// Sorted, deduplicated hashes of the heading's words.
    heading: Vec<u64>,
    preamble: bool,
}

impl Signature {
    fn of(section: &Section) -> Signature {
        let words: Vec<String> = section.text[section.heading_len..]
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect();
        let mut body: Vec<u64> = if words.len() == 1 {
            vec![hash(&words[0])]
        } else {
            words.windows(2).map(|w| hash(&(&w[0], &w[1]))).collect()
        };
        body.sort_unstable();
        body.dedup();
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
        if self.preamble != other.preamble {
            return None;
        }
        let heading = dice(&self.heading, &other.heading);
        if self.body.is_empty() || other.body.is_empty() {
            return (self.body.is_empty() && other.body.is_empty() && heading >= HEADING_MATCH)
                .then_some(heading);
        }
        let content = dice(&self.body, &other.body);
        let alike = content >= CONTENT_MATCH
            || (content >= CONTENT_WITH_HEADING && heading >= HEADING_MATCH);
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
