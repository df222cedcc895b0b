//! `policy-diff log`: every change to every policy, newest first, rename-aware.
//!
//! Walks the history once; each version is parsed once (a commit's old version is the next
//! older commit's new version, kept from one step to the next).

use crate::diff::DiffOptions;
use crate::document::{Document, Format, ParseOptions, parse_owned};
use crate::parallel::par_map;
use crate::report::{DocumentReport, compare_documents};
use crate::source::{PolicyFilter, PolicyRepo, SourceError};
use git2::Oid;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

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

/// What the reader thread hands over for a batch of commits: what changed, and the texts of
/// the versions not read before.
struct Batch {
    /// Commits of the batch (merges included), for progress.
    commits: usize,
    pending: Vec<Pending>,
    /// (blob, path it was read under, text) of each version to parse.
    /// The text is taken (once) by the task that parses it.
    texts: Vec<(Oid, String, Mutex<String>)>,
    /// Binary versions: their documents are left out.
    skipped: HashSet<Oid>,
    warnings: Vec<String>,
}

/// Walks the history from `tip`, newest first, calling `entry` for each commit that changed
/// a policy and `progress(done, total)` as commits are done. Merge commits are skipped (their
/// changes are those of the merged commits), as `git log -p` does.
///
/// A reader thread walks git (sequential by nature) a batch of commits ahead, while the
/// batch before is parsed and compared on all cores; entries come out in history order.
/// Each version is read and parsed once: a commit's old version is the next older commit's
/// new version, kept from one batch to the next.
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
    let gitdir = repo.git().path().to_path_buf();
    std::thread::scope(|scope| {
        // One batch waits while one is worked on: memory stays bounded.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, LogError>>(1);
        let commits = &commits;
        scope.spawn(move || {
            // libgit2 repositories are not shared between threads: the reader opens its own.
            let repo = match PolicyRepo::discover(&gitdir) {
                Ok(repo) => repo,
                Err(e) => return drop(tx.send(Err(e.into()))),
            };
            let mut kept = HashSet::new();
            for batch in commits.chunks(BATCH) {
                let read = read_batch(&repo, batch, filter, &mut kept);
                let failed = read.is_err();
                // A closed channel: the walk stopped (an error, or a closed output).
                if tx.send(read).is_err() || failed {
                    return;
                }
            }
        });
        // Rounds: the versions of one batch are parsed while the pairs of the batch before
        // (already parsed) are compared, all as one set of tasks on all cores.
        let mut current: Option<(Batch, HashMap<Oid, Arc<Document>>)> = None;
        let mut done = 0;
        let mut incoming = rx.into_iter();
        loop {
            let next = incoming.next().transpose()?;
            if next.is_none() && current.is_none() {
                return Ok(());
            }
            let jobs: Vec<Task> = match &current {
                Some((batch, _)) => batch
                    .pending
                    .iter()
                    .enumerate()
                    .flat_map(|(i, p)| p.changes.iter().map(move |c| Task::Compare(i, c)))
                    .filter(|t| {
                        let Task::Compare(_, c) = t else { return true };
                        !c.old_blob.is_some_and(|b| batch.skipped.contains(&b))
                            && !c.new_blob.is_some_and(|b| batch.skipped.contains(&b))
                    })
                    .collect(),
                None => Vec::new(),
            };
            let parse_jobs = next.iter().flat_map(|b| b.texts.iter().map(Task::Parse));
            let tasks: Vec<Task> = parse_jobs.chain(jobs).collect();
            let results = par_map(&tasks, threads, |task| match task {
                Task::Parse((blob, name, text)) => {
                    let text = std::mem::take(&mut *text.lock().expect("a parse task panicked"));
                    Done::Parsed(
                        *blob,
                        Arc::new(parse_owned(text, Format::from_path(name), options.parse)),
                    )
                }
                Task::Compare(i, c) => {
                    let docs = &current.as_ref().expect("compare tasks have a batch").1;
                    let doc = |blob: Option<Oid>| blob.and_then(|b| docs.get(&b)).map(|d| &**d);
                    Done::Compared(
                        *i,
                        compare_documents(
                            &c.path,
                            c.old_path.as_deref(),
                            doc(c.old_blob),
                            doc(c.new_blob),
                            options.diff,
                        ),
                    )
                }
            });
            drop(tasks);
            // The next batch's documents: the versions kept from this one, and its own.
            let mut next_docs: HashMap<Oid, Arc<Document>> = HashMap::new();
            let mut by_commit: Vec<Vec<DocumentReport>> = Vec::new();
            if let Some((batch, _)) = &current {
                by_commit = vec![Vec::new(); batch.pending.len()];
            }
            for result in results {
                match result {
                    Done::Parsed(blob, doc) => {
                        next_docs.insert(blob, doc);
                    }
                    Done::Compared(i, report) => by_commit[i].push(report),
                }
            }
            if let Some((batch, docs)) = current.take() {
                // Keep the old versions: the next (older) batch starts with them as new ones.
                for b in old_blobs(&batch.pending) {
                    if let Some(d) = docs.get(&b) {
                        next_docs.insert(b, d.clone());
                    }
                }
                for (p, documents) in batch.pending.into_iter().zip(by_commit) {
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
                done += batch.commits;
                progress(done, total);
            }
            if let Some(mut batch) = next {
                warnings.append(&mut batch.warnings);
                batch.texts = Vec::new();
                current = Some((batch, next_docs));
            }
        }
    })
}

/// A unit of work of a round: parse a version, or compare a pair of the batch before.
enum Task<'a> {
    Parse(&'a (Oid, String, Mutex<String>)),
    Compare(usize, &'a crate::source::ChangedPath),
}

/// What a [`Task`] produced.
enum Done {
    Parsed(Oid, Arc<Document>),
    Compared(usize, DocumentReport),
}

fn old_blobs(pending: &[Pending]) -> impl Iterator<Item = Oid> + '_ {
    pending
        .iter()
        .flat_map(|p| p.changes.iter().filter_map(|c| c.old_blob))
}

/// Reads what changed in a batch of commits and the texts of versions not read before.
/// `kept` holds the versions the parsing side keeps from the batch before (the old versions
/// of its changes); it is updated for the next batch.
fn read_batch(
    repo: &PolicyRepo,
    batch: &[Oid],
    filter: &PolicyFilter,
    kept: &mut HashSet<Oid>,
) -> Result<Batch, LogError> {
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
    let mut texts: Vec<(Oid, String, Mutex<String>)> = Vec::new();
    let mut skipped = HashSet::new();
    let mut warnings = Vec::new();
    for p in &pending {
        for c in &p.changes {
            let old_name = c.old_path.as_deref().unwrap_or(&c.path);
            for (blob, name) in [(c.new_blob, c.path.as_str()), (c.old_blob, old_name)] {
                let Some(blob) = blob else { continue };
                if kept.contains(&blob)
                    || skipped.contains(&blob)
                    || texts.iter().any(|t| t.0 == blob)
                {
                    continue;
                }
                match repo.read_blob(blob, name) {
                    Ok(text) => {
                        if let Some(w) = text.warning {
                            warnings.push(format!("{w} (at {})", &p.commit.to_string()[..7]));
                        }
                        texts.push((blob, name.to_string(), Mutex::new(text.text)));
                    }
                    Err(SourceError::Binary { path }) => {
                        warnings.push(format!(
                            "{path} at {}: binary file skipped",
                            &p.commit.to_string()[..7]
                        ));
                        skipped.insert(blob);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    // What the parsing side will keep: the old versions it has documents for.
    let next: HashSet<Oid> = old_blobs(&pending)
        .filter(|b| kept.contains(b) || texts.iter().any(|t| t.0 == *b))
        .collect();
    *kept = next;
    Ok(Batch {
        commits: batch.len(),
        pending,
        texts,
        skipped,
        warnings,
    })
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
