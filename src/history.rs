//! `policy-diff log`: every change to every policy, newest first, rename-aware.
//!
//! Walks the history once; each version is parsed once (a commit's old version is the next
//! older commit's new version, kept from one step to the next).

use crate::diff::DiffOptions;
use crate::document::{Document, Format, ParseOptions, parse};
use crate::parallel::par_map;
use crate::report::{DocumentReport, compare_documents};
use crate::source::{PolicyFilter, PolicyRepo, SourceError};
use git2::Oid;
use std::collections::HashMap;
use std::sync::Arc;

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
    /// Threads that parse and compare; 0: one per core (at most 8).
    pub threads: usize,
}

/// Commits handled together: their documents are parsed and compared in parallel. Small
/// enough to bound memory (each holds up to two versions of each changed policy).
const BATCH: usize = 8;

/// A commit of the batch being worked on, and what changed in it.
struct Pending {
    commit: Oid,
    parent: Option<Oid>,
    time: i64,
    summary: String,
    changes: Vec<crate::source::ChangedPath>,
}

/// Walks the history from `tip`, newest first, calling `entry` for each commit that changed
/// a policy and `progress(done, total)` as commits are done. Merge commits are skipped (their
/// changes are those of the merged commits), as `git log -p` does.
///
/// Reading git is sequential; parsing and comparing run on all cores, a batch of commits at
/// a time, and entries come out in history order. Each version is parsed once: a commit's
/// old version is the next older commit's new version, kept from one batch to the next.
pub fn walk(
    repo: &PolicyRepo,
    tip: Oid,
    filter: &PolicyFilter,
    options: LogOptions,
    warnings: &mut Vec<String>,
    mut entry: impl FnMut(LogEntry) -> std::io::Result<()>,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), LogError> {
    // Each version is read once and parsed once: libgit2's object cache (256 MB by default)
    // would only hold memory.
    // SAFETY: sets a process-wide libgit2 option; no other thread uses libgit2 yet.
    unsafe {
        git2::opts::set_cache_max_size(4 << 20)?;
    }
    let commits = repo.history(tip)?;
    let total = commits.len();
    let threads = crate::parallel::threads(options.threads);
    let mut cache: HashMap<Oid, Arc<Document>> = HashMap::new();
    let mut done = 0;
    for batch in commits.chunks(BATCH) {
        // 1. What changed, commit by commit (git, sequential).
        let mut pending = Vec::with_capacity(batch.len());
        for &id in batch {
            let commit = repo.git().find_commit(id)?;
            if commit.parent_count() > 1 {
                continue;
            }
            let parent = commit.parent_ids().next();
            let changes = repo.changed_paths(parent, id, filter)?;
            if !changes.is_empty() {
                pending.push(Pending {
                    commit: id,
                    parent,
                    time: commit.time().seconds(),
                    summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
                    changes,
                });
            }
        }
        // 2. The versions not parsed yet (git, sequential), then parsed on all cores.
        let mut texts: Vec<(Oid, String, String)> = Vec::new();
        let mut skipped: HashMap<Oid, ()> = HashMap::new();
        for p in &pending {
            for c in &p.changes {
                let old_name = c.old_path.as_deref().unwrap_or(&c.path);
                for (blob, name) in [(c.new_blob, c.path.as_str()), (c.old_blob, old_name)] {
                    let Some(blob) = blob else { continue };
                    if cache.contains_key(&blob)
                        || skipped.contains_key(&blob)
                        || texts.iter().any(|t| t.0 == blob)
                    {
                        continue;
                    }
                    match repo.read_blob(blob, name) {
                        Ok(text) => {
                            if let Some(w) = text.warning {
                                warnings.push(format!("{w} (at {})", &p.commit.to_string()[..7]));
                            }
                            texts.push((blob, name.to_string(), text.text));
                        }
                        Err(SourceError::Binary { path }) => {
                            warnings.push(format!(
                                "{path} at {}: binary file skipped",
                                &p.commit.to_string()[..7]
                            ));
                            skipped.insert(blob, ());
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        let parsed = par_map(&texts, threads, |(_, name, text)| {
            Arc::new(parse(text, Format::from_path(name), options.parse))
        });
        drop_texts_into_cache(&mut cache, texts, parsed);
        // 3. Compare on all cores; entries in order.
        let jobs: Vec<(usize, &crate::source::ChangedPath)> = pending
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.changes.iter().map(move |c| (i, c)))
            .filter(|(_, c)| {
                !c.old_blob.is_some_and(|b| skipped.contains_key(&b))
                    && !c.new_blob.is_some_and(|b| skipped.contains_key(&b))
            })
            .collect();
        let reports = par_map(&jobs, threads, |(_, c)| {
            let doc = |blob: Option<Oid>| blob.and_then(|b| cache.get(&b)).map(|d| d.as_ref());
            compare_documents(
                &c.path,
                c.old_path.as_deref(),
                doc(c.old_blob),
                doc(c.new_blob),
                options.diff,
            )
        });
        let mut by_commit: Vec<Vec<DocumentReport>> = vec![Vec::new(); pending.len()];
        for ((i, _), report) in jobs.iter().zip(reports) {
            by_commit[*i].push(report);
        }
        // Keep the old versions: the next (older) batch starts with them as new versions.
        let keep: HashMap<Oid, Arc<Document>> = pending
            .iter()
            .flat_map(|p| p.changes.iter().filter_map(|c| c.old_blob))
            .filter_map(|b| cache.get(&b).map(|d| (b, d.clone())))
            .collect();
        for (p, documents) in pending.into_iter().zip(by_commit) {
            if !documents.is_empty() {
                entry(LogEntry {
                    commit: p.commit,
                    parent: p.parent,
                    time: p.time,
                    summary: p.summary,
                    documents,
                })?;
            }
        }
        cache = keep;
        done += batch.len();
        progress(done, total);
    }
    Ok(())
}

fn drop_texts_into_cache(
    cache: &mut HashMap<Oid, Arc<Document>>,
    texts: Vec<(Oid, String, String)>,
    parsed: Vec<Arc<Document>>,
) {
    for ((blob, _, _), doc) in texts.into_iter().zip(parsed) {
        cache.insert(blob, doc);
    }
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
