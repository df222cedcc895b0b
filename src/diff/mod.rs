//! [`Document`] × [`Document`] → [`DocumentDiff`]: aligned sections with word-level changes.
//!
//! This stage knows nothing of git, files or output formats. See [`align`] for how sections
//! are matched and [`words`] for the word diff and the cosmetic-change test.

pub mod align;
pub mod body;
pub mod joint;
pub mod words;

use crate::document::{Document, Language, PolicyDate, Section, SharedText};
use serde::Serialize;

/// What happened to a section, or to a whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with a substantive change (text, heading, or — for documents — order).
    Modified,
    /// In both, the same, or different only cosmetically.
    Unchanged,
}

impl Status {
    /// The status as the outputs write it: `added`, `removed`, `modified`, `unchanged`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Modified => "modified",
            Status::Unchanged => "unchanged",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// The kind of a word operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// Text in both versions (as written in the new one).
    Equal,
    /// Text only in the new version.
    Insert,
    /// Text only in the old version.
    Delete,
}

/// A run of text and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordOp {
    /// Equal, inserted or deleted.
    pub op: OpKind,
    /// The words with the whitespace after them (shared with the document's text where
    /// it can be).
    pub text: SharedText,
    /// The text moved between this section and another one of the same document (a
    /// heading put over it or taken away): deleted here and inserted there, or the reverse.
    /// Not counted as words added or removed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
}

/// One row of a document diff: a section of the old version, of the new one, or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDiff {
    /// Added, removed, modified or unchanged (cosmetic changes count as unchanged).
    pub status: Status,
    /// The old heading without Markdown markers (`""` for the preamble), if any.
    pub old_heading: Option<String>,
    /// The new heading, likewise.
    pub new_heading: Option<String>,
    /// The heading changed beyond case, numbering and punctuation.
    pub renamed: bool,
    /// The section changed place relative to the other sections.
    pub moved: bool,
    /// The texts differ, but only in whitespace or formatting.
    pub cosmetic: bool,
    /// Words inserted.
    pub words_added: usize,
    /// Words deleted.
    pub words_removed: usize,
    /// Words that moved between this section and a neighbouring one because a heading was
    /// put over them or taken away (ops flagged `moved`); counted in neither of the above.
    pub words_moved: usize,
    /// An added section whose text (most of it) was already there, under the heading before:
    /// only the heading is new.
    pub heading_added: bool,
    /// A removed section whose text (most of it) is still there, under the heading before:
    /// only the heading is gone.
    pub heading_removed: bool,
    /// Operations that rebuild the old text (equal + delete) and the new (equal + insert).
    pub ops: Vec<WordOp>,
    /// Heading level in the new version (else the old), 0 for the preamble.
    #[serde(skip)]
    pub level: u8,
    /// Position of the section in the old document.
    #[serde(skip)]
    pub old_index: Option<usize>,
    /// Position of the section in the new document.
    #[serde(skip)]
    pub new_index: Option<usize>,
    /// Where the heading ends and how the body is indented, for showing the body apart.
    #[serde(skip)]
    pub layout: BodyLayout,
}

/// Where a section's heading ends in its text and how its body is indented: what a reader
/// needs to show the body apart from the heading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyLayout {
    /// For the old and the new section: the characters other than whitespace of a heading
    /// that does not end its line (a clause title running into its text, `1.2 Fees. You
    /// pay…`); `None` when the heading is its whole line(s).
    pub run_in: [Option<usize>; 2],
    /// Columns of indentation the body's lines carry because the section is a clause in a
    /// list item (`    2.  **Fees**` and its text indented under it); 0 otherwise.
    pub indent: usize,
}

impl BodyLayout {
    fn of(old: Option<&Section>, new: Option<&Section>) -> BodyLayout {
        let run_in = |s: Option<&Section>| {
            let s = s?;
            let head = &s.text[..s.heading_len];
            (s.level > 0 && !head.ends_with('\n'))
                .then(|| head.chars().filter(|c| !c.is_whitespace()).count())
                .filter(|&n| n > 0)
        };
        BodyLayout {
            run_in: [run_in(old), run_in(new)],
            indent: new.or(old).map_or(0, Section::body_indent),
        }
    }
}

impl SectionDiff {
    /// The heading to show: the new one, else the old one.
    pub fn heading(&self) -> &str {
        self.new_heading
            .as_deref()
            .or(self.old_heading.as_deref())
            .unwrap_or("")
    }

    /// True when a reader would call this section changed: added, removed, modified or moved.
    pub fn is_substantive(&self) -> bool {
        self.status != Status::Unchanged || self.moved
    }
}

/// Title and dates of one version of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocMeta {
    /// Title, when the document has one.
    pub title: Option<String>,
    /// Modification date.
    pub modified: Option<PolicyDate>,
    /// Effective date.
    pub effective: Option<PolicyDate>,
    /// The language its dates are written in.
    pub language: Option<Language>,
}

impl DocMeta {
    fn of(doc: &Document) -> DocMeta {
        DocMeta {
            title: doc.title.clone(),
            modified: doc.modified,
            effective: doc.effective,
            language: doc.language,
        }
    }
}

/// Counts of section changes, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    /// Sections added.
    pub added: usize,
    /// Sections removed.
    pub removed: usize,
    /// Sections modified.
    pub modified: usize,
    /// Sections moved (whatever their status).
    pub moved: usize,
    /// Sections renamed.
    pub renamed: usize,
    /// Sections unchanged (including cosmetic-only changes).
    pub unchanged: usize,
    /// Sections whose changes are cosmetic only.
    pub cosmetic: usize,
}

/// The comparison of two versions of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentDiff {
    /// Added (no old version), removed (no new version), modified or unchanged.
    pub status: Status,
    /// Old version's title and dates; `None` when the document was added.
    pub old: Option<DocMeta>,
    /// New version's title and dates; `None` when the document was removed.
    pub new: Option<DocMeta>,
    /// Sections in the new document's order, removed ones where they stood in the old one.
    pub sections: Vec<SectionDiff>,
}

impl DocumentDiff {
    /// How many sections were added, removed, modified, moved, renamed and left unchanged.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.sections {
            match s.status {
                Status::Added => c.added += 1,
                Status::Removed => c.removed += 1,
                Status::Modified => c.modified += 1,
                Status::Unchanged => c.unchanged += 1,
            }
            c.moved += usize::from(s.moved);
            c.renamed += usize::from(s.renamed);
            c.cosmetic += usize::from(s.cosmetic);
        }
        c
    }

    /// True when the modification date differs between the versions.
    pub fn date_changed(&self) -> bool {
        let m = |d: &Option<DocMeta>| d.as_ref().and_then(|d| d.modified);
        m(&self.old) != m(&self.new)
    }
}

/// Compares two versions of a document. `None` stands for "no such version" (added or
/// removed document).
///
/// ```
/// use policy_diff::document::{parse, Format, ParseOptions};
/// use policy_diff::diff::{diff_documents, Status};
/// let p = |t| parse(t, Format::Markdown, ParseOptions::default());
/// let old = p("## Fees\n\nYou pay 10 EUR.\n\n## Cookies\n\nWe use cookies.\n");
/// let new = p("## COOKIES\n\nWe use *cookies*.\n\n## Fees\n\nYou pay 12 EUR.\n");
/// let diff = diff_documents(Some(&old), Some(&new));
/// assert_eq!(diff.status, Status::Modified);
/// let cookies = &diff.sections[0];
/// assert!(cookies.cosmetic && cookies.moved && cookies.status == Status::Unchanged);
/// assert_eq!(diff.sections[1].status, Status::Modified);
/// ```
pub fn diff_documents(old: Option<&Document>, new: Option<&Document>) -> DocumentDiff {
    diff_documents_with(old, new, DiffOptions::default())
}

/// What to compute besides the section alignment.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Word-level ops and word counts. Without them (a summary, as `policy-diff log` prints),
    /// sections still get their status, rename, move and cosmetic flags, but no ops: the
    /// lossless property does not apply.
    pub word_ops: bool,
    /// Threads that compare sections (0: one per core). Documents smaller than
    /// [`PARALLEL_BYTES`] are compared on the calling thread whatever this says.
    pub threads: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            word_ops: true,
            threads: 1,
        }
    }
}

/// Below this many bytes (both versions together), a comparison runs on one thread: starting
/// threads would cost more than it saves.
pub const PARALLEL_BYTES: usize = 64 * 1024;

/// [`diff_documents`] with options.
pub fn diff_documents_with(
    old: Option<&Document>,
    new: Option<&Document>,
    options: DiffOptions,
) -> DocumentDiff {
    let none: &[Section] = &[];
    let old_sections = old.map_or(none, |d| &d.sections);
    let new_sections = new.map_or(none, |d| &d.sections);
    let pairs = align::align_sections(old_sections, new_sections);
    let size: usize = old_sections
        .iter()
        .chain(new_sections)
        .map(|s| s.text.len())
        .sum();
    let threads = match size >= PARALLEL_BYTES {
        true => crate::parallel::threads(options.threads),
        false => 1,
    };
    let mut sections: Vec<SectionDiff> = crate::parallel::par_map(&pairs, threads, |pair| {
        let mut row = diff_sections(
            pair.old.map(|i| &old_sections[i]),
            pair.new.map(|j| &new_sections[j]),
            pair.moved,
            options,
        );
        row.old_index = pair.old;
        row.new_index = pair.new;
        row
    });
    if options.word_ops {
        rejoin_moved_text(old_sections, new_sections, &mut sections);
    }
    let status = match (old, new) {
        (None, _) => Status::Added,
        (_, None) => Status::Removed,
        _ if sections.iter().any(SectionDiff::is_substantive) => Status::Modified,
        _ => Status::Unchanged,
    };
    DocumentDiff {
        status,
        old: old.map(DocMeta::of),
        new: new.map(DocMeta::of),
        sections,
    }
}

/// Where sections were added or removed, their text may have been there all along: a heading
/// put over existing text, or taken away so that its text joins the section before; or a
/// heading moved over a neighbouring paragraph. Each run of neighbouring rows holding an
/// added or removed section (with the changed, unmoved matched rows beside it), or two
/// changed rows whose changes meet at the heading between them, is diffed again as one text
/// (see [`joint`]); its result replaces the section-by-section one when it reports fewer
/// changed words.
fn rejoin_moved_text(old: &[Section], new: &[Section], rows: &mut [SectionDiff]) {
    let loose = |r: &SectionDiff| r.old_index.is_none() || r.new_index.is_none();
    let edited = |r: &SectionDiff| {
        r.old_index.is_some() && r.new_index.is_some() && {
            let (i, j) = (r.old_index.unwrap_or(0), r.new_index.unwrap_or(0));
            old[i].text != new[j].text
        }
    };
    let changed = |r: &SectionDiff| !r.moved && edited(r);
    // A heading moved over a neighbouring paragraph: one row ends with a change and the
    // next begins, after its heading, with the opposite one (the second may be a section
    // that moved here, its heading put over the text it now follows).
    let boundary = |a: &SectionDiff, b: &SectionDiff| {
        let kinds = |r: &SectionDiff| {
            let last = r.ops.last().map(|o| o.op);
            let first = r
                .ops
                .iter()
                .take(2)
                .map(|o| o.op)
                .find(|&k| k != OpKind::Equal);
            (last, first)
        };
        let ((a_last, _), (_, b_first)) = (kinds(a), kinds(b));
        matches!(
            (a_last, b_first),
            (Some(OpKind::Delete), Some(OpKind::Insert))
                | (Some(OpKind::Insert), Some(OpKind::Delete))
        )
    };
    // A section that moved, with sub-headings new under it: its neighbours in the new order
    // are not its old ones, so its text is followed into its new sub-sections on its own.
    let mut done = vec![false; rows.len()];
    let added = |r: &SectionDiff| r.old_index.is_none();
    for r in 0..rows.len() {
        if !(rows[r].moved && edited(&rows[r])) {
            continue;
        }
        let end = (r + 1..rows.len())
            .find(|&k| !added(&rows[k]))
            .unwrap_or(rows.len());
        if end > r + 1 && rejoin_run(old, new, &mut rows[r..end]) {
            done[r..end].fill(true);
        }
    }
    let loose = |r: usize, rows: &[SectionDiff]| !done[r] && loose(&rows[r]);
    let changed = |r: usize, rows: &[SectionDiff]| !done[r] && changed(&rows[r]);
    let edited = |r: usize, rows: &[SectionDiff]| !done[r] && edited(&rows[r]);
    let mut member = vec![false; rows.len()];
    for r in 0..rows.len() {
        if r + 1 < rows.len()
            && edited(r, rows)
            && edited(r + 1, rows)
            && boundary(&rows[r], &rows[r + 1])
        {
            member[r] = true;
            member[r + 1] = true;
        }
        if loose(r, rows) {
            member[r] = true;
            if r > 0 && changed(r - 1, rows) {
                member[r - 1] = true;
            }
            if r + 1 < rows.len() && changed(r + 1, rows) {
                member[r + 1] = true;
            }
        }
    }
    let mut start = 0;
    while start < rows.len() {
        if !member[start] {
            start += 1;
            continue;
        }
        let end = (start..rows.len())
            .find(|&r| !member[r])
            .unwrap_or(rows.len());
        rejoin_run(old, new, &mut rows[start..end]);
        start = end;
    }
}

/// True when the words the rows delete and the words they insert have enough in common for
/// text to have moved between them (a cheap test before a joint diff): half the words of the
/// smaller side, or a quarter of its word pairs. Moved text (a kept bullet under a new
/// sub-heading, amid rewritten text) shares its word pairs whole, while a rewrite shares its
/// common words but seldom two in a row.
fn may_have_moved(rows: &[SectionDiff]) -> bool {
    let words = |kind: OpKind| -> Vec<&str> {
        rows.iter()
            .flat_map(|r| r.ops.iter().filter(move |o| o.op == kind))
            .flat_map(|o| o.text.split_whitespace())
            .collect()
    };
    let (deleted, inserted) = (words(OpKind::Delete), words(OpKind::Insert));
    fn pairs<'a>(w: &[&'a str]) -> Vec<(&'a str, &'a str)> {
        w.windows(2).map(|p| (p[0], p[1])).collect()
    }
    enough_shared(&deleted, &inserted, WORDS_SHARE)
        || enough_shared(&pairs(&deleted), &pairs(&inserted), PAIRS_SHARE)
}

/// True when at least [`MOVED_WORDS_WORTH_A_LOOK`] items, and one in `share` of the smaller
/// side, are in both lists (counted as multisets).
fn enough_shared<T: std::hash::Hash + Eq>(deleted: &[T], inserted: &[T], share: usize) -> bool {
    let mut count: rustc_hash::FxHashMap<&T, usize> = rustc_hash::FxHashMap::default();
    for w in deleted {
        *count.entry(w).or_default() += 1;
    }
    let mut shared = 0;
    for w in inserted {
        if let Some(n) = count.get_mut(w).filter(|n| **n > 0) {
            *n -= 1;
            shared += 1;
        }
    }
    shared >= MOVED_WORDS_WORTH_A_LOOK && shared * share >= deleted.len().min(inserted.len())
}

/// A joint diff is tried when at least one word in this many of the smaller side (words
/// deleted, words inserted) is shared...
const WORDS_SHARE: usize = 2;
/// ... or one word pair in this many.
const PAIRS_SHARE: usize = 4;

/// Words (or word pairs) deleted in some rows and inserted in others, at least, before a
/// joint diff is tried.
const MOVED_WORDS_WORTH_A_LOOK: usize = 8;

/// [`rejoin_moved_text`] for one run of rows. True when the joint diff was taken.
fn rejoin_run(old: &[Section], new: &[Section], rows: &mut [SectionDiff]) -> bool {
    // The run's sections on each side, in document order, and each row's place among them.
    let mut olds: Vec<usize> = rows.iter().filter_map(|r| r.old_index).collect();
    let mut news: Vec<usize> = rows.iter().filter_map(|r| r.new_index).collect();
    if olds.is_empty() || news.is_empty() || !may_have_moved(rows) {
        return false;
    }
    olds.sort_unstable();
    news.sort_unstable();
    let place = |list: &[usize], i: Option<usize>| i.map(|i| list.partition_point(|&x| x < i));
    let pairs: Vec<(Option<usize>, Option<usize>)> = rows
        .iter()
        .map(|r| (place(&olds, r.old_index), place(&news, r.new_index)))
        .collect();
    let old_texts: Vec<&str> = olds.iter().map(|&i| old[i].text.as_str()).collect();
    let new_texts: Vec<&str> = news.iter().map(|&j| new[j].text.as_str()).collect();
    let Some(joint) = joint::diff_rows(&old_texts, &new_texts, &pairs) else {
        return false;
    };
    let before: usize = rows.iter().map(|r| r.words_added + r.words_removed).sum();
    let after: usize = joint.iter().map(|r| r.words_added + r.words_removed).sum();
    if after >= before {
        return false;
    }
    for (row, j) in rows.iter_mut().zip(joint) {
        let total = j.words_added + j.words_removed + j.words_moved;
        row.words_added = j.words_added;
        row.words_removed = j.words_removed;
        row.words_moved = j.words_moved;
        row.ops = j.ops;
        // Only the heading is new (or gone) when most of the row's text came from (or went
        // to) a section that is in both versions, and the row has a heading: text before
        // the first heading has none to put over or take away, and text shared with a
        // section that went away (a page replaced by an error stub under the same cookie
        // banner) is a removal and an addition.
        let heading_only = 2 * j.words_moved_kept >= total;
        match row.status {
            Status::Added => {
                row.heading_added = heading_only && row.new_heading.as_deref() != Some("");
            }
            Status::Removed => {
                row.heading_removed = heading_only && row.old_heading.as_deref() != Some("");
            }
            _ if j.words_moved > 0 => {
                row.status = Status::Modified;
                row.cosmetic = false;
            }
            _ => {}
        }
    }
    true
}

fn diff_sections(
    old: Option<&Section>,
    new: Option<&Section>,
    moved: bool,
    options: DiffOptions,
) -> SectionDiff {
    let whole = |op: OpKind, s: &Section| {
        if !options.word_ops {
            return Vec::new();
        }
        let text = s
            .text
            .slice(s.text.len() - s.text.trim_start().len()..s.text.len());
        (!text.is_empty())
            .then_some(WordOp {
                op,
                text,
                moved: false,
            })
            .into_iter()
            .collect::<Vec<_>>()
    };
    let mut row = SectionDiff {
        status: Status::Unchanged,
        old_heading: old.map(|s| s.heading.clone()),
        new_heading: new.map(|s| s.heading.clone()),
        renamed: false,
        moved,
        cosmetic: false,
        words_added: 0,
        words_removed: 0,
        words_moved: 0,
        heading_added: false,
        heading_removed: false,
        ops: Vec::new(),
        level: new.or(old).map_or(0, |s| s.level),
        old_index: None,
        new_index: None,
        layout: BodyLayout::of(old, new),
    };
    match (old, new) {
        (Some(o), Some(n)) => {
            row.renamed = o.key != n.key;
            if o.text == n.text {
                row.ops = whole(OpKind::Equal, n);
            } else {
                if options.word_ops {
                    let w = words::diff_shared(&o.text, &n.text);
                    row.ops = w.ops;
                    row.words_added = w.words_added;
                    row.words_removed = w.words_removed;
                }
                if words::is_cosmetic(o, n) {
                    row.cosmetic = true;
                } else {
                    row.status = Status::Modified;
                }
            }
        }
        (None, Some(n)) => {
            row.status = Status::Added;
            row.ops = whole(OpKind::Insert, n);
            row.words_added = words::count_words(&n.text);
        }
        (Some(o), None) => {
            row.status = Status::Removed;
            row.ops = whole(OpKind::Delete, o);
            row.words_removed = words::count_words(&o.text);
        }
        (None, None) => {}
    }
    row
}

/// Checks that `diff` rebuilds both documents: for every section, equal + delete texts are
/// the old text and equal + insert the new one (up to runs of whitespace), and every section
/// of both documents appears exactly once. Returns what is wrong, if anything.
pub fn check_lossless(
    old: Option<&Document>,
    new: Option<&Document>,
    diff: &DocumentDiff,
) -> Result<(), LosslessError> {
    let sides = [(old, OpKind::Delete, "old"), (new, OpKind::Insert, "new")];
    for (doc, keep, side) in sides {
        let sections = doc.map_or(&[][..], |d| &d.sections[..]);
        let mut seen = vec![false; sections.len()];
        let problem = |index: usize, kind: LosslessProblem| LosslessError {
            side,
            index,
            heading: sections.get(index).map(|s| s.heading.clone()),
            kind,
        };
        for row in &diff.sections {
            let Some(index) = (if keep == OpKind::Delete {
                row.old_index
            } else {
                row.new_index
            }) else {
                continue;
            };
            let section = sections
                .get(index)
                .ok_or_else(|| problem(index, LosslessProblem::NoSuchSection))?;
            if std::mem::replace(&mut seen[index], true) {
                return Err(problem(index, LosslessProblem::Twice));
            }
            // Joined before splitting: in text without spaces an op may end inside a run.
            let rebuilt: String = row
                .ops
                .iter()
                .filter(|o| o.op == OpKind::Equal || o.op == keep)
                .map(|o| o.text.as_str())
                .collect();
            if !rebuilt
                .split_whitespace()
                .eq(section.text.split_whitespace())
            {
                return Err(problem(index, LosslessProblem::NotRebuilt));
            }
        }
        if let Some(index) = seen.iter().position(|s| !s) {
            return Err(problem(index, LosslessProblem::Missing));
        }
    }
    Ok(())
}

/// A diff that does not rebuild both documents (see [`check_lossless`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{side} section {index}{} {kind}", heading.as_ref().map(|h| format!(" ({h:?})")).unwrap_or_default())]
pub struct LosslessError {
    /// `old` or `new`.
    pub side: &'static str,
    /// The section's index on that side.
    pub index: usize,
    /// Its heading, when the section exists.
    pub heading: Option<String>,
    /// What is wrong.
    pub kind: LosslessProblem,
}

/// What is wrong with a section in a diff that is not lossless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LosslessProblem {
    /// A row names a section that does not exist.
    #[error("is named by a row but does not exist")]
    NoSuchSection,
    /// Two rows name the section.
    #[error("appears twice")]
    Twice,
    /// The row's ops do not rebuild the section's text.
    #[error("is not rebuilt by its ops")]
    NotRebuilt,
    /// No row names the section.
    #[error("is missing")]
    Missing,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_written_as_one_word_everywhere() {
        for s in [
            Status::Added,
            Status::Removed,
            Status::Modified,
            Status::Unchanged,
        ] {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
            assert_eq!(s.to_string(), s.word());
        }
        assert_eq!(crate::source::short_id("0123456789abcdef"), "0123456");
        assert_eq!(crate::source::short_id("0123"), "0123");
    }

    #[test]
    fn a_diff_that_loses_text_says_which_section_and_how() {
        use crate::document::{Format, ParseOptions, parse};
        let read = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
        let (old, new) = (read("# A\n\nOne two.\n"), read("# A\n\nOne three.\n"));
        let mut diff = diff_documents(Some(&old), Some(&new));
        assert_eq!(check_lossless(Some(&old), Some(&new), &diff), Ok(()));
        diff.sections[0].ops.retain(|o| o.op != OpKind::Insert);
        let e = check_lossless(Some(&old), Some(&new), &diff).unwrap_err();
        assert_eq!(
            (e.side, e.index, e.kind),
            ("new", 0, LosslessProblem::NotRebuilt)
        );
        assert_eq!(
            e.to_string(),
            "new section 0 (\"A\") is not rebuilt by its ops"
        );
        diff.sections.clear();
        let e = check_lossless(Some(&old), Some(&new), &diff).unwrap_err();
        assert_eq!(e.kind, LosslessProblem::Missing);
    }
}
