//! Where policy texts come from: two git revisions of a repository, or two files.
//!
//! Git access is libgit2 through `git2`. Working trees and bare repositories both work.

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Tree};
use globset::{Glob, GlobMatcher};
use std::path::{Path, PathBuf};

/// Git's empty tree: as the old version, every policy of the new one is added.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Sets libgit2's process-wide options as policy-diff runs best, once, at start-up:
/// - like git itself, trust the object store's content instead of re-hashing every object
///   read (a fifth of the time of a history walk);
/// - keep at most 4 MiB of parsed objects: each version is read and parsed once, so
///   libgit2's object cache (256 MiB by default) would only hold memory.
///
/// # Safety
/// The options are global and unsynchronised: call this before any other thread uses
/// libgit2.
pub unsafe fn configure_libgit2() -> Result<(), git2::Error> {
    // SAFETY: the caller guarantees that no other thread uses libgit2 yet.
    unsafe {
        git2::opts::strict_hash_verification(false);
        git2::opts::set_cache_max_size(4 << 20)
    }
}

/// A commit id as git abbreviates it for people: its first 7 hex digits.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(7)]
}

/// What went wrong while reading policy texts.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The directory is not inside a git repository.
    #[error("{}: not a git repository (or any parent directory): {message}", path.display())]
    NotARepository {
        /// Where we looked.
        path: PathBuf,
        /// What libgit2 said.
        message: String,
    },
    /// A revision name did not resolve.
    #[error("unknown revision '{rev}' in {}", repo.display())]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// The repository searched.
        repo: PathBuf,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file holds binary data, not text.
    #[error("{path}: binary file (contains NUL bytes), not a policy text")]
    Binary {
        /// The file.
        path: String,
    },
    /// A PATH argument is not a valid glob.
    #[error("invalid path pattern '{pattern}': {message}")]
    Pattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A PATH argument names no file in the revisions read.
    #[error("{}", no_such_path(path, closest.as_deref(), where_))]
    NoSuchPath {
        /// The PATH as given.
        path: String,
        /// The existing path nearest to it, when one is near.
        closest: Option<String>,
        /// Where it was looked for (`OLD or NEW`, `the history of main`).
        where_: String,
    },
    /// Any other git failure.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// A policy text decoded from bytes, with a warning when the bytes were not clean UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The decoded text.
    pub text: String,
    /// Set when decoding replaced invalid bytes.
    pub warning: Option<String>,
}

/// Decodes a policy text: UTF-8 (a BOM is dropped later by the parser), lossily with a
/// warning when invalid; binary data (NUL bytes) is refused.
pub fn decode(bytes: &[u8], name: &str) -> Result<Text, SourceError> {
    if bytes.contains(&0) {
        return Err(SourceError::Binary {
            path: name.to_string(),
        });
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(s) => Text {
            text: s.to_string(),
            warning: None,
        },
        Err(e) => Text {
            text: String::from_utf8_lossy(bytes).into_owned(),
            warning: Some(format!(
                "{name}: not valid UTF-8 (first bad byte at offset {}); invalid bytes shown as \u{fffd}",
                e.valid_up_to()
            )),
        },
    })
}

/// Reads and decodes a policy file.
pub fn read_file(path: &Path) -> Result<Text, SourceError> {
    let bytes = std::fs::read(path).map_err(|source| SourceError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode_owned(bytes, &path.display().to_string())
}

/// [`decode`] taking the bytes: valid UTF-8 (the usual case) becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>, name: &str) -> Result<Text, SourceError> {
    match String::from_utf8(bytes) {
        Ok(text) if memchr::memchr(0, text.as_bytes()).is_none() => Ok(Text {
            text,
            warning: None,
        }),
        Ok(text) => decode(text.as_bytes(), name),
        Err(e) => decode(e.as_bytes(), name),
    }
}

/// Which files of a tree are policies.
#[derive(Debug, Clone)]
pub struct PolicyFilter {
    exact: Vec<String>,
    globs: Vec<GlobMatcher>,
    extensions: Vec<String>,
}

/// File endings read as policies when no paths are given.
pub const DEFAULT_EXTENSIONS: [&str; 4] = [".md", ".markdown", ".txt", ".mdown"];

impl PolicyFilter {
    /// A filter from PATH arguments: exact paths and directories (relative to the repository
    /// root) or globs (`terms/*.md`). Without arguments every `.md`, `.markdown` and `.txt`
    /// file is a policy; a directory or glob also keeps only those endings, an exact file
    /// path is taken whatever its ending.
    pub fn new(paths: &[String]) -> Result<PolicyFilter, SourceError> {
        let mut exact = Vec::new();
        let mut globs = Vec::new();
        for p in paths {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if p.contains(['*', '?', '[', '{']) {
                let glob = Glob::new(p).map_err(|e| SourceError::Pattern {
                    pattern: p.to_string(),
                    message: e.to_string(),
                })?;
                globs.push(glob.compile_matcher());
            } else {
                exact.push(p.to_string());
            }
        }
        Ok(PolicyFilter {
            exact,
            globs,
            extensions: DEFAULT_EXTENSIONS.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// The PATH arguments: exact paths, then glob patterns, as given.
    pub fn arguments(&self) -> impl Iterator<Item = &str> {
        self.exact
            .iter()
            .map(String::as_str)
            .chain(self.globs.iter().map(|g| g.glob().glob()))
    }

    /// True when `path` (relative, `/`-separated) is a policy.
    pub fn matches(&self, path: &str) -> bool {
        let lower = path.to_ascii_lowercase();
        let policy_ext = self.extensions.iter().any(|e| lower.ends_with(e.as_str()));
        if self.exact.is_empty() && self.globs.is_empty() {
            return policy_ext;
        }
        self.exact.iter().any(|e| e == path || e.is_empty())
            || (policy_ext
                && (self
                    .exact
                    .iter()
                    .any(|e| path.starts_with(&format!("{e}/")))
                    || self.globs.iter().any(|g| g.is_match(path))))
    }
}

fn no_such_path(path: &str, closest: Option<&str>, where_: &str) -> String {
    let mut out = format!("'{path}' matches no file in {where_}");
    if let Some(c) = closest {
        out.push_str(&format!(" (did you mean '{c}'?)"));
    }
    out
}

/// The edit distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// One policy document that differs between two revisions.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Path in the new revision (or the old one, when the file was removed).
    pub path: String,
    /// Path in the old revision, when the file existed there.
    pub old_path: Option<String>,
    /// Old text; `None` when the file was added.
    pub old: Option<Text>,
    /// New text; `None` when the file was removed.
    pub new: Option<Text>,
}

/// A git repository holding policies.
pub struct PolicyRepo {
    repo: Repository,
    location: PathBuf,
}

impl PolicyRepo {
    /// Opens the repository at `dir`, or the one containing it (working tree or bare).
    pub fn discover(dir: &Path) -> Result<PolicyRepo, SourceError> {
        let repo = Repository::discover(dir).map_err(|e| SourceError::NotARepository {
            path: dir.to_path_buf(),
            message: e.message().to_string(),
        })?;
        let location = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        Ok(PolicyRepo { repo, location })
    }

    /// The underlying libgit2 repository.
    pub fn git(&self) -> &Repository {
        &self.repo
    }

    /// The working tree (or the git directory of a bare repository).
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// Resolves a revision (`v1`, `main`, `HEAD~2`, a commit id) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<Oid, SourceError> {
        let unknown = || SourceError::UnknownRevision {
            rev: rev.to_string(),
            repo: self.location.clone(),
        };
        let object = self.repo.revparse_single(rev).map_err(|_| unknown())?;
        let commit = object.peel_to_commit().map_err(|_| unknown())?;
        Ok(commit.id())
    }

    /// [`PolicyRepo::resolve`], except that git's empty tree ([`EMPTY_TREE`], or at least 7
    /// of its leading digits) stands for "nothing": `None`.
    pub fn resolve_or_empty(&self, rev: &str) -> Result<Option<Oid>, SourceError> {
        if rev.len() >= 7 && EMPTY_TREE.starts_with(&rev.to_ascii_lowercase()) {
            return Ok(None);
        }
        self.resolve(rev).map(Some)
    }

    /// Checks that every PATH argument of `filter` names something: an exact path a file or
    /// folder of one of `look_in` (or, for `also_in`, of any of those commits: a history),
    /// a glob at least one file of `look_in`. The first that names nothing is an error
    /// saying `where_` it was looked for, with the closest file of `look_in` when one is near.
    pub fn check_paths(
        &self,
        filter: &PolicyFilter,
        look_in: &[Oid],
        also_in: &[Oid],
        where_: &str,
    ) -> Result<(), SourceError> {
        if filter.exact.iter().all(String::is_empty) && filter.globs.is_empty() {
            return Ok(());
        }
        let mut files: Vec<String> = Vec::new();
        for &commit in look_in {
            self.tree(commit)?
                .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                    if entry.kind() == Some(git2::ObjectType::Blob)
                        && let Ok(name) = entry.name()
                    {
                        files.push(format!("{dir}{name}"));
                    }
                    git2::TreeWalkResult::Ok
                })?;
        }
        files.sort_unstable();
        files.dedup();
        let in_history = |path: &str| {
            also_in.iter().any(|&c| {
                self.tree(c)
                    .is_ok_and(|t| t.get_path(Path::new(path)).is_ok())
            })
        };
        let missing = filter.arguments().filter(|a| !a.is_empty()).find(|a| {
            let glob = filter.globs.iter().find(|g| g.glob().glob() == *a);
            match glob {
                Some(g) => !files.iter().any(|f| g.is_match(f)),
                None => {
                    !files
                        .iter()
                        .any(|f| f == a || f.starts_with(&format!("{a}/")))
                        && !in_history(a)
                }
            }
        });
        let Some(path) = missing else {
            return Ok(());
        };
        let closest = files
            .iter()
            .map(|f| (edit_distance(path, f), f))
            .filter(|(d, f)| *d <= (f.chars().count() / 3).max(2))
            .min()
            .map(|(_, f)| f.clone());
        Err(SourceError::NoSuchPath {
            path: path.to_string(),
            closest,
            where_: where_.to_string(),
        })
    }

    fn tree(&self, commit: Oid) -> Result<Tree<'_>, SourceError> {
        Ok(self.repo.find_commit(commit)?.tree()?)
    }

    /// The policy paths that differ between two commits (`old` = `None`: the empty tree),
    /// with renames detected, sorted by path; their contents are not read.
    pub fn changed_paths(
        &self,
        old: Option<Oid>,
        new: Oid,
        filter: &PolicyFilter,
    ) -> Result<Vec<ChangedPath>, SourceError> {
        let old_tree = old.map(|c| self.tree(c)).transpose()?;
        let new_tree = self.tree(new)?;
        let mut opts = DiffOptions::new();
        opts.ignore_submodules(true);
        let diff =
            self.repo
                .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut opts))?;
        paths_of_diff(diff, filter)
    }

    /// The policy paths whose staged version (in the index: what `git commit` would record)
    /// differs from HEAD's (every staged policy before the first commit), with renames
    /// detected, sorted by path.
    pub fn staged_paths(&self, filter: &PolicyFilter) -> Result<Vec<ChangedPath>, SourceError> {
        let head = match self.repo.head() {
            Ok(h) => Some(h.peel_to_tree()?),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                None
            }
            Err(e) => return Err(e.into()),
        };
        // `git commit -a` and `git commit PATH` stage into a temporary index, which they
        // name to their hooks in GIT_INDEX_FILE.
        let index = match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) if !file.is_empty() => git2::Index::open(std::path::Path::new(&file))?,
            _ => self.repo.index()?,
        };
        let mut opts = DiffOptions::new();
        opts.ignore_submodules(true);
        let diff = self
            .repo
            .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut opts))?;
        paths_of_diff(diff, filter)
    }

    /// Reads and decodes a blob; `name` is the path shown in warnings and errors.
    pub fn read_blob(&self, id: Oid, name: &str) -> Result<Text, SourceError> {
        decode(self.repo.find_blob(id)?.content(), name)
    }

    /// The policy files that differ between two commits (`old` = `None`: the empty tree),
    /// with renames detected, sorted by path. Binary files are skipped with a warning.
    pub fn changed_files(
        &self,
        old: Option<Oid>,
        new: Oid,
        filter: &PolicyFilter,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<ChangedFile>, SourceError> {
        let mut out = Vec::new();
        for change in self.changed_paths(old, new, filter)? {
            let old_name = change.old_path.as_deref().unwrap_or(&change.path);
            let load =
                |id: Option<Oid>, name: &str| id.map(|id| self.read_blob(id, name)).transpose();
            match load(change.old_blob, old_name)
                .and_then(|o| Ok((o, load(change.new_blob, &change.path)?)))
            {
                Ok((old, new)) => {
                    warnings.extend(
                        old.iter()
                            .chain(new.iter())
                            .filter_map(|t| t.warning.clone()),
                    );
                    out.push(ChangedFile {
                        path: change.path,
                        old_path: change.old_path,
                        old,
                        new,
                    });
                }
                Err(SourceError::Binary { path }) => {
                    warnings.push(format!("{path}: binary file skipped"))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Commits reachable from `tip`, newest first (topological, then by time).
    pub fn history(&self, tip: Oid) -> Result<Vec<Oid>, SourceError> {
        self.history_since(tip, None)
    }

    /// Commits reachable from `tip` but not from `since`, newest first.
    pub fn history_since(&self, tip: Oid, since: Option<Oid>) -> Result<Vec<Oid>, SourceError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(tip)?;
        if let Some(since) = since {
            walk.hide(since)?;
        }
        Ok(walk.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The policy paths a diff shows, renames detected (when files were added or deleted),
/// sorted by path.
fn paths_of_diff(
    mut diff: git2::Diff<'_>,
    filter: &PolicyFilter,
) -> Result<Vec<ChangedPath>, SourceError> {
    // Rename detection reads blobs: only worth it when files were added or deleted.
    let adds_or_deletes = diff
        .deltas()
        .any(|d| matches!(d.status(), Delta::Added | Delta::Deleted));
    if adds_or_deletes {
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    }
    let mut out = Vec::new();
    for delta in diff.deltas() {
        // A name is what git says it is: bytes, `/` the only separator (see `crate::paths`).
        let path_of = |f: git2::DiffFile| f.path_bytes().map(crate::paths::from_git);
        let (old_path, new_path) = (path_of(delta.old_file()), path_of(delta.new_file()));
        let (old_side, new_side) = match delta.status() {
            Delta::Added | Delta::Copied => (None, new_path),
            Delta::Deleted => (old_path, None),
            Delta::Modified | Delta::Renamed | Delta::Typechange => (old_path, new_path),
            _ => continue,
        };
        let keep = |p: &Option<String>| p.as_deref().is_some_and(|p| filter.matches(p));
        if !keep(&old_side) && !keep(&new_side) {
            continue;
        }
        out.push(ChangedPath {
            path: new_side.clone().or(old_side.clone()).unwrap_or_default(),
            old_blob: old_side.is_some().then(|| delta.old_file().id()),
            new_blob: new_side.is_some().then(|| delta.new_file().id()),
            old_path: old_side,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A policy path that differs between two commits, with the blobs of both sides.
#[derive(Debug, Clone)]
pub struct ChangedPath {
    /// Path in the new revision (or the old one, when the file was removed).
    pub path: String,
    /// Path in the old revision, when the file existed there.
    pub old_path: Option<String>,
    /// Old blob; `None` when the file was added.
    pub old_blob: Option<Oid>,
    /// New blob; `None` when the file was removed.
    pub new_blob: Option<Oid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_defaults_to_policy_endings() {
        let f = PolicyFilter::new(&[]).unwrap();
        assert!(f.matches("privacy.md") && f.matches("legal/terms.txt") && f.matches("a.markdown"));
        assert!(!f.matches("logo.png") && !f.matches("src/main.rs"));
    }

    #[test]
    fn filter_by_paths_directories_and_globs() {
        let f =
            PolicyFilter::new(&["legal/".into(), "terms/*.md".into(), "LICENSE".into()]).unwrap();
        assert!(f.matches("legal/privacy.md"));
        assert!(f.matches("terms/eu.md"));
        assert!(f.matches("LICENSE"));
        assert!(!f.matches("privacy.md"));
        assert!(!f.matches("legal/logo.png"));
        assert!(!f.matches("terms/eu.txt"));
        assert!(PolicyFilter::new(&["[".into()]).is_err());
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"hello", "a.md").unwrap().warning, None);
        let t = decode(b"caf\xe9", "a.md").unwrap();
        assert!(t.text.starts_with("caf") && t.warning.unwrap().contains("a.md"));
        assert!(matches!(
            decode(b"a\0b", "x.md"),
            Err(SourceError::Binary { .. })
        ));
    }
}
