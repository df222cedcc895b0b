//! A comparison of two versions of a set of policy documents: what `policy-diff OLD NEW`
//! shows and what the renderers take.

use crate::diff::{DiffOptions, DocumentDiff, PARALLEL_BYTES, Status, diff_documents_with};
use crate::document::{Document, Format, parse_owned};
use crate::highlights::{Highlights, highlights};
use crate::rules::{Noise, Rule, Rules};
use crate::source::{ChangedFile, PolicyFilter, PolicyRepo, SourceError, read_file};
use git2::Oid;
use std::path::Path;

/// One document compared between two versions.
#[derive(Debug, Clone)]
pub struct DocumentReport {
    /// Path (or name) in the new version; in the old one when the document was removed.
    pub path: String,
    /// Path in the old version; `None` when the document was added.
    pub old_path: Option<String>,
    /// The section diff.
    pub diff: DocumentDiff,
    /// What changed, as a reader would say it (read from `diff`).
    pub highlights: Highlights,
    /// Only the document's metadata changed (its YAML front matter, or a byte-order mark):
    /// its text reads the same. Such a document is shown only in a count, like an unchanged
    /// one, and never mailed.
    pub metadata_only: bool,
}

/// The comparison of two versions, as asked for on the command line.
#[derive(Debug, Clone)]
pub struct Report {
    /// The old version as given (revision or file).
    pub old: String,
    /// The new version as given.
    pub new: String,
    /// Compared documents, sorted by path.
    pub documents: Vec<DocumentReport>,
    /// Two files were compared (not two revisions): a different path is not a rename.
    pub files: bool,
}

impl Report {
    /// The documents a reader is shown: all but those whose metadata alone changed.
    pub fn shown(&self) -> impl Iterator<Item = &DocumentReport> {
        self.documents.iter().filter(|d| !d.metadata_only)
    }

    /// How many documents changed only in their metadata (see
    /// [`DocumentReport::metadata_only`]).
    pub fn metadata_only(&self) -> usize {
        self.documents.iter().filter(|d| d.metadata_only).count()
    }

    /// True when any document changed substantively (cosmetic-only changes don't count).
    pub fn has_changes(&self) -> bool {
        self.documents
            .iter()
            .any(|d| d.diff.status != Status::Unchanged)
    }
}

/// Compares two files: the `new` file is the document's path (a different old path is not a
/// rename). Warnings (invalid UTF-8 read lossily) are added to `warnings`.
pub fn compare_files(
    old: &str,
    new: &str,
    rule: &Rule,
    warnings: &mut Vec<String>,
) -> Result<Report, SourceError> {
    let old_text = read_file(Path::new(old))?;
    let new_text = read_file(Path::new(new))?;
    warnings.extend(
        old_text
            .warning
            .iter()
            .chain(new_text.warning.iter())
            .cloned(),
    );
    let doc = compare_owned(
        new,
        Some(old),
        Some(old_text.text),
        Some(new_text.text),
        rule,
    );
    Ok(Report {
        old: old.to_string(),
        new: new.to_string(),
        documents: vec![doc],
        files: true,
    })
}

/// Compares the policies that differ between two revisions of `repo` (`old` may be git's
/// empty tree: every policy is then added), each read and compared by its path's rule.
/// Warnings (binary files skipped, invalid UTF-8) are added to `warnings`.
pub fn compare_revisions(
    repo: &PolicyRepo,
    old: &str,
    new: &str,
    filter: &PolicyFilter,
    rules: &Rules,
    warnings: &mut Vec<String>,
) -> Result<Report, SourceError> {
    let old_id = repo.resolve_or_empty(old)?;
    let new_id = repo.resolve(new)?;
    Ok(Report {
        old: old.to_string(),
        new: new.to_string(),
        documents: compare_changes(repo, old_id, new_id, filter, rules, warnings)?,
        files: false,
    })
}

/// Compares the policies that differ between two commits (`old`: `None` for git's empty
/// tree), each read and compared by its path's rule: what [`compare_revisions`] reports, for
/// callers that hold commit ids (`check`, `preview`).
pub fn compare_changes(
    repo: &PolicyRepo,
    old: Option<Oid>,
    new: Oid,
    filter: &PolicyFilter,
    rules: &Rules,
    warnings: &mut Vec<String>,
) -> Result<Vec<DocumentReport>, SourceError> {
    Ok(repo
        .changed_files(old, new, filter, warnings)?
        .into_iter()
        .map(|f| compare_changed(f, rules))
        .collect())
}

/// Compares one changed file by its path's rule.
fn compare_changed(file: ChangedFile, rules: &Rules) -> DocumentReport {
    compare_owned(
        &file.path,
        file.old_path.as_deref(),
        file.old.map(|t| t.text),
        file.new.map(|t| t.text),
        rules.for_path(&file.path),
    )
}

/// Parses two versions of one document (`None`: it does not exist there) and compares them.
/// The format is chosen from the path's ending. A pair larger than [`PARALLEL_BYTES`] is
/// parsed and compared on all cores.
pub fn compare_texts(
    path: &str,
    old_path: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
    rule: &Rule,
) -> DocumentReport {
    compare_owned(
        path,
        old_path,
        old.map(str::to_string),
        new.map(str::to_string),
        rule,
    )
}

/// [`compare_texts`] taking the texts, which the documents then share instead of copying.
pub fn compare_owned(
    path: &str,
    old_path: Option<&str>,
    old: Option<String>,
    new: Option<String>,
    rule: &Rule,
) -> DocumentReport {
    let read = |text: Option<String>, p: &str| {
        text.map(|t| parse_owned(t, Format::from_path(p), rule.parse))
    };
    // A large pair is parsed and compared on all cores.
    let size = old.as_ref().map_or(0, String::len) + new.as_ref().map_or(0, String::len);
    let parallel = size >= PARALLEL_BYTES;
    let (old_doc, new_doc): (Option<Document>, Option<Document>) = crate::parallel::join(
        parallel,
        || read(old, old_path.unwrap_or(path)),
        || read(new, path),
    );
    let threads = if parallel { 0 } else { 1 };
    compare_documents(
        path,
        old_path,
        old_doc.as_ref(),
        new_doc.as_ref(),
        DiffOptions {
            threads,
            ..DiffOptions::default()
        },
        &rule.noise,
    )
}

/// Compares two parsed versions of one document; sections that differ only in `noise` are
/// cosmetic.
pub fn compare_documents(
    path: &str,
    old_path: Option<&str>,
    old: Option<&Document>,
    new: Option<&Document>,
    options: DiffOptions,
    noise: &Noise,
) -> DocumentReport {
    let mut diff = diff_documents_with(old, new, options);
    noise.apply(&mut diff, old, new);
    #[cfg(debug_assertions)]
    if options.word_ops
        && let Err(e) = crate::diff::check_lossless(old, new, &diff)
    {
        panic!("{path}: the diff is not lossless: {e}");
    }
    DocumentReport {
        path: path.to_string(),
        old_path: old_path.map(str::to_string),
        highlights: highlights(&diff),
        metadata_only: metadata_only(&diff, old, new),
        diff,
    }
}

/// True when two versions differ only in their front matter: one of them has some, the
/// files differ, but every section is the same, byte for byte.
fn metadata_only(diff: &DocumentDiff, old: Option<&Document>, new: Option<&Document>) -> bool {
    let (Some(old), Some(new)) = (old, new) else {
        return false;
    };
    fn whole(d: &Document) -> Option<&str> {
        d.sections.first().map(|s| s.text.whole())
    }
    let front = |d: &Document| {
        whole(d).is_some_and(|t| {
            let t = t.strip_prefix('\u{feff}').unwrap_or(t);
            crate::document::body_offset(t) > 0
        })
    };
    diff.status == Status::Unchanged
        && (front(old) || front(new))
        && old.sections.len() == new.sections.len()
        && old
            .sections
            .iter()
            .zip(&new.sections)
            .all(|(a, b)| a.text.as_str() == b.text.as_str())
        && whole(old) != whole(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with two commits of `privacy.md` (and a file no policy covers).
    fn history(old: &str, new: &str) -> (tempfile::TempDir, Oid, Oid) {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let sig = git2::Signature::now("T", "t@example.com").expect("signature");
        let mut parent: Option<Oid> = None;
        for (text, note) in [(old, "old"), (new, "new")] {
            std::fs::write(dir.path().join("privacy.md"), text).expect("write");
            std::fs::write(dir.path().join("notes.txt"), note).expect("write");
            let mut index = repo.index().expect("index");
            index.add_path(Path::new("privacy.md")).expect("add");
            index.add_path(Path::new("notes.txt")).expect("add");
            let tree = repo
                .find_tree(index.write_tree().expect("tree"))
                .expect("tree");
            let parents: Vec<git2::Commit> = parent
                .iter()
                .map(|p| repo.find_commit(*p).expect("parent"))
                .collect();
            let parents: Vec<&git2::Commit> = parents.iter().collect();
            parent = Some(
                repo.commit(Some("HEAD"), &sig, &sig, note, &tree, &parents)
                    .expect("commit"),
            );
        }
        let new_id = parent.expect("two commits");
        let old_id = repo
            .find_commit(new_id)
            .expect("tip")
            .parent_id(0)
            .expect("parent");
        (dir, old_id, new_id)
    }

    #[test]
    fn compare_changes_reports_as_compare_revisions_does() {
        let old =
            "# Privacy\n\nLast updated: May 1, 2024\n\n## Data\n\nWe keep data for 30 days.\n";
        let new =
            "# Privacy\n\nLast updated: June 3, 2024\n\n## Data\n\nWe keep data for 90 days.\n";
        let (dir, old_id, new_id) = history(old, new);
        let repo = PolicyRepo::discover(dir.path()).expect("repository");
        let filter = PolicyFilter::new(&["*.md".to_string()]).expect("filter");
        let rules = Rules::default();
        let mut warnings = Vec::new();
        let changes = compare_changes(&repo, Some(old_id), new_id, &filter, &rules, &mut warnings)
            .expect("compared");
        assert_eq!(changes.len(), 1, "notes.txt is not a policy");
        let c = &changes[0];
        assert_eq!(c.path, "privacy.md");
        assert_eq!(c.diff.status, Status::Modified);
        let report = compare_revisions(
            &repo,
            &old_id.to_string(),
            &new_id.to_string(),
            &filter,
            &rules,
            &mut warnings,
        )
        .expect("compared");
        assert_eq!(
            format!("{:?}", report.documents),
            format!("{:?}", std::slice::from_ref(c))
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}

/// What kind of change a compared document shows: what a message is worth, and what lint
/// checks the date against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The wording changed.
    Substantive,
    /// Only the modification (or effective) date changed.
    DateOnly,
    /// Only whitespace or formatting changed.
    Cosmetic,
}

/// Changed words above which a change cannot be new dates alone (a modification and an
/// effective date, old and new, written out in words).
const MAX_DATE_WORDS: usize = 40;

impl DocumentReport {
    /// The kind of change, from the one comparison already made; `None`: nothing changed.
    pub fn change_kind(&self) -> Option<ChangeKind> {
        let diff = &self.diff;
        if diff.status == crate::diff::Status::Unchanged {
            return diff
                .sections
                .iter()
                .any(|s| s.cosmetic)
                .then_some(ChangeKind::Cosmetic);
        }
        let (old_dates, new_dates) = (diff.old.as_ref(), diff.new.as_ref());
        let dates_moved = old_dates.map(|m| (m.modified, m.effective))
            != new_dates.map(|m| (m.modified, m.effective));
        if dates_moved && old_dates.is_some() && new_dates.is_some() && only_dates_changed(diff) {
            return Some(ChangeKind::DateOnly);
        }
        Some(ChangeKind::Substantive)
    }
}

/// Every changed section reads the same once its dates are masked (spacing aside), and few
/// words changed: decided from the comparison already made, without comparing again.
fn only_dates_changed(diff: &crate::diff::DocumentDiff) -> bool {
    use crate::diff::{OpKind, Status};
    let changed: usize = diff
        .sections
        .iter()
        .map(|s| s.words_added + s.words_removed)
        .sum();
    changed <= MAX_DATE_WORDS
        && diff
            .sections
            .iter()
            .filter(|s| s.status != Status::Unchanged)
            .all(|s| {
                let side = |left_out: OpKind| -> String {
                    let text: String = s
                        .ops
                        .iter()
                        .filter(|o| o.op != left_out)
                        .map(|o| o.text.as_str())
                        .collect();
                    crate::document::date::mask_dates(&text)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                s.status == Status::Modified && side(OpKind::Insert) == side(OpKind::Delete)
            })
}
