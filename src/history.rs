//! `policy-diff log`: every change to every policy, newest first, rename-aware.
//!
//! Walks the history once; each version is parsed once (a commit's old version is the next
//! older commit's new version, kept from one step to the next).

use crate::diff::DiffOptions;
use crate::document::{Document, Format, ParseOptions, parse};
use crate::report::{DocumentReport, compare_documents};
use crate::source::{PolicyFilter, PolicyRepo, SourceError};
use git2::Oid;
use std::collections::HashMap;
use std::rc::Rc;

/// One commit that changed at least one policy.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The commit.
    pub commit: Oid,
    /// Its first parent (`None` for a root commit).
    pub parent: Option<Oid>,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
    /// The changed policies.
    pub documents: Vec<DocumentReport>,
}

/// Options of a history walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogOptions {
    /// How documents are read.
    pub parse: ParseOptions,
    /// What each diff computes (word ops only when they are shown).
    pub diff: DiffOptions,
}

/// Walks the history from `tip`, newest first, calling `entry` for each commit that changed
/// a policy and `progress(done, total)` after each commit. Merge commits are skipped (their
/// changes are those of the merged commits), as `git log -p` does.
pub fn walk(
    repo: &PolicyRepo,
    tip: Oid,
    filter: &PolicyFilter,
    options: LogOptions,
    warnings: &mut Vec<String>,
    mut entry: impl FnMut(LogEntry) -> std::io::Result<()>,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), LogError> {
    let commits = repo.history(tip)?;
    let total = commits.len();
    // Documents parsed at the previous (newer) step, by blob: this step's new versions.
    let mut cache: HashMap<Oid, Rc<Document>> = HashMap::new();
    for (done, id) in commits.into_iter().enumerate() {
        let commit = repo.git().find_commit(id)?;
        if commit.parent_count() > 1 {
            progress(done + 1, total);
            continue;
        }
        let parent = commit.parent_ids().next();
        let mut next_cache = HashMap::new();
        let mut documents = Vec::new();
        for change in repo.changed_paths(parent, id, filter)? {
            let mut load = |blob: Option<Oid>,
                            path: &str,
                            keep: bool|
             -> Result<Option<Rc<Document>>, SourceError> {
                let Some(blob) = blob else { return Ok(None) };
                let doc = match cache.get(&blob) {
                    Some(doc) => doc.clone(),
                    None => {
                        let text = repo.read_blob(blob, path)?;
                        if let Some(w) = text.warning {
                            warnings.push(format!("{} at {}: {w}", path, &id.to_string()[..7]));
                        }
                        Rc::new(parse(&text.text, Format::from_path(path), options.parse))
                    }
                };
                if keep {
                    next_cache.insert(blob, doc.clone());
                }
                Ok(Some(doc))
            };
            let old_name = change
                .old_path
                .clone()
                .unwrap_or_else(|| change.path.clone());
            let loaded = load(change.new_blob, &change.path, false)
                .and_then(|new| Ok((load(change.old_blob, &old_name, true)?, new)));
            let (old, new) = match loaded {
                Ok(pair) => pair,
                Err(SourceError::Binary { path }) => {
                    warnings.push(format!(
                        "{path} at {}: binary file skipped",
                        &id.to_string()[..7]
                    ));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            documents.push(compare_documents(
                &change.path,
                change.old_path.as_deref(),
                old.as_deref(),
                new.as_deref(),
                options.diff,
            ));
        }
        cache = next_cache;
        if !documents.is_empty() {
            entry(LogEntry {
                commit: id,
                parent,
                time: commit.time().seconds(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
                documents,
            })?;
        }
        progress(done + 1, total);
    }
    Ok(())
}

/// Why the history could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Reading the repository failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<git2::Error> for LogError {
    fn from(e: git2::Error) -> Self {
        LogError::Source(SourceError::Git(e))
    }
}
